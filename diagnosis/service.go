package diagnosis

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/submit"
)

// AnchorsReport lists the trust-anchor files configured.
type AnchorsReport struct {
	Check
	Files []AnchorFile `json:"files"`
}

// AnchorFile is one configured trust-anchor file.
type AnchorFile struct {
	Path         string       `json:"path"`
	Error        string       `json:"error,omitempty"`
	Certificates []AnchorCert `json:"certificates,omitempty"`
}

// AnchorCert is a certificate in a trust-anchor file.
type AnchorCert struct {
	Check
	// Subject is given for CA certificates, and for others only with
	// personal data included.
	Subject string `json:"subject,omitempty"`
	CA      bool   `json:"ca"`
	// SHA256 is the certificate's fingerprint, upper-case hex.
	SHA256   string `json:"sha256"`
	NotAfter string `json:"not_after"`
	DaysLeft int    `json:"days_left"`
	// Domain is the PKI it belongs to (certcheck.DomainOf).
	Domain string `json:"domain"`
	// Pinned names the real JPKI root when the fingerprint is pinned.
	Pinned string `json:"pinned,omitempty"`
}

// ServiceReport tells whether the service answers, how its TLS
// certificate chain looks and verifies, and how far the clocks differ.
type ServiceReport struct {
	Check
	// URL is the address checked, without credentials, query or fragment.
	URL string `json:"url,omitempty"`
	// APIURL is the endpoint asked: the service's procedure catalogue
	// under /api/v1.
	APIURL string `json:"api_url,omitempty"`
	// Answered is set when a server answered at that address at all;
	// Reachable only when the service's API itself answered (its
	// catalogue, in JSON). A server that answers but is not the API (a
	// web page, a 404) is Answered and not Reachable.
	Answered   bool   `json:"answered"`
	Reachable  bool   `json:"reachable"`
	HTTPStatus int    `json:"http_status,omitempty"`
	Error      string `json:"error,omitempty"`
	TLSVersion string `json:"tls_version,omitempty"`
	// Chain is the certificate chain the service presented, leaf first.
	Chain []ChainCert `json:"chain,omitempty"`
	// Verified is set when the chain verifies for the service's host name
	// against the configured anchors (or, without any, the system's roots).
	Verified        bool   `json:"verified"`
	VerifiedAgainst string `json:"verified_against,omitempty"`
	VerifyError     string `json:"verify_error,omitempty"`
	// ServerDate is the service's HTTP Date header; ClockSkewSeconds is
	// how far this computer's clock is behind it (negative: ahead).
	ServerDate       string `json:"server_date,omitempty"`
	ClockSkewSeconds *int64 `json:"clock_skew_seconds,omitempty"`
}

// ChainCert is a certificate of the service's TLS chain.
type ChainCert struct {
	Subject  string `json:"subject"`
	Issuer   string `json:"issuer"`
	NotAfter string `json:"not_after"`
	DaysLeft int    `json:"days_left"`
	SHA256   string `json:"sha256"`
}

// Limits of the service check.
const (
	maxAnchorFile   = 1 << 20 // a certificate file
	maxServiceBody  = 1 << 20 // the catalogue read from the service
	skewWarnSeconds = 2 * 60
	// skewFailSeconds is the clock skew certificate status checks allow.
	skewFailSeconds = 15 * 60
)

func (d *diagnosis) anchors(context.Context) {
	a := &d.r.Anchors
	a.Files = []AnchorFile{}
	if len(d.opts.Anchors) == 0 {
		a.set(StatusSkipped, msg("設定されていません（システムの証明書を使います）。", "None configured (the system's roots are used)."), i18n.Text{})
		return
	}
	status := StatusOK
	count := 0
	for _, path := range d.opts.Anchors {
		f := AnchorFile{Path: d.red.text(path)}
		certs, err := readCertFile(path)
		if err != nil {
			f.Error = d.red.text(err.Error())
			status = StatusFail
			a.Files = append(a.Files, f)
			continue
		}
		for _, c := range certs {
			d.anchorCerts = append(d.anchorCerts, c)
			ac := AnchorCert{CA: isCA(c), SHA256: fingerprint(c), NotAfter: c.NotAfter.UTC().Format("2006-01-02T15:04:05Z"),
				DaysLeft: daysLeft(d.now, c.NotAfter), Domain: string(certcheck.DomainOf(c))}
			if name, err := certcheck.JPKIRoot(c); err == nil {
				ac.Pinned = name
			}
			if ac.CA || d.opts.IncludePersonal {
				ac.Subject = c.Subject.String()
			}
			if !ac.CA {
				d.red.addCertificate(c)
			}
			switch {
			case d.now.After(c.NotAfter):
				ac.set(StatusWarn, msgf("有効期限が切れています（%s）。", "Expired (%s).", c.NotAfter.Format("2006-01-02")),
					msg("古い署名の確認にだけ使えます。新しい世代の証明書も設定してください。", "It can only check older signatures; please also configure the current generation."))
			case !ac.CA:
				ac.set(StatusWarn, msg("認証局の証明書ではありません。", "Not a certificate authority."),
					msg("信頼する認証局には、認証局（ルート）の証明書を設定してください。", "Please configure the certificate authority's (root) certificate as the anchor."))
			default:
				ac.set(StatusOK, msgf("有効期限まで残り%d日。", "%d days to expiry.", ac.DaysLeft), i18n.Text{})
			}
			status = worse(status, ac.Status)
			f.Certificates = append(f.Certificates, ac)
			d.r.certs = append(d.r.certs, bundleCert{name: "anchor-" + ac.SHA256[:16], der: c.Raw})
			count++
		}
		a.Files = append(a.Files, f)
	}
	summary := msgf("%[1]dファイル、証明書%[2]d件。", "%[1]d file(s), %[2]d certificate(s).", len(d.opts.Anchors), count)
	switch status {
	case StatusFail:
		a.setDetail(StatusFail, summary, msg("読み込めないファイルがあります。設定したファイルの場所と、それが証明書のファイルであることを確認してください。",
			"A file could not be read. Please check the path and that it holds a certificate."),
			detail("読めるファイルで、PEM または DER 形式の証明書であることを確認してください。", "Give readable files holding certificates in PEM or DER form."))
	case StatusWarn:
		a.set(StatusWarn, summary, msg("各証明書の案内をご覧ください。", "Please see the hint of each certificate."))
	default:
		a.set(StatusOK, summary, i18n.Text{})
	}
}

// readCertFile reads the certificates of a PEM or DER file.
func readCertFile(path string) ([]*x509.Certificate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := iox.ReadAll(f, maxAnchorFile)
	if errors.Is(err, iox.ErrTooLarge) {
		return nil, fmt.Errorf("larger than %d bytes, not a certificate file", maxAnchorFile)
	}
	if err != nil {
		return nil, err
	}
	return certcheck.ParseCertificates(data)
}

func (d *diagnosis) service(ctx context.Context) {
	s := &d.r.Service
	if d.opts.ServiceURL == "" {
		s.set(StatusSkipped, msg("申請サービスの URL が指定されていないため確認していません。", "Not checked: no service URL was given."), i18n.Text{})
		return
	}
	u, err := url.Parse(d.opts.ServiceURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		s.URL = d.red.text(d.opts.ServiceURL)
		s.set(StatusFail, msg("申請サービスの URL が正しくありません。", "The service URL is not valid."),
			msg("https:// で始まる申請サービスの URL を指定してください。", "Please give the service URL starting with https://."))
		return
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment = nil, "", false, ""
	s.URL = u.String()
	api := catalogueURL(u)
	s.APIURL = api.String()
	probe, err := d.probe(ctx, api)
	s.Chain = probe.chain
	s.TLSVersion = probe.tlsVersion
	if err != nil {
		s.Error = d.red.text(err.Error())
		s.setDetail(StatusFail, msg("申請サービスに接続できません。", "The service cannot be reached."),
			msg("インターネットに接続されているか確認してください。職場などでプロキシを使っている場合は、その設定も確認してください。",
				"Please check the internet connection, and the proxy setting if your network uses one."),
			detail("インターネットへの接続と、プロキシを使う場合はその設定（HTTPS_PROXY）を確認してください。", "Check the internet connection, and the proxy setting (HTTPS_PROXY) if the network uses one."))
		return
	}
	s.Answered, s.Reachable, s.HTTPStatus = true, probe.api, probe.status
	status, summary, hint := StatusOK, msg("申請サービスに接続できます。", "Reachable: the service's API answers."), i18n.Text{}
	answer := detailf("API（%[2]s）の応答：HTTP %[1]d。", "The API (%[2]s) answered HTTP %[1]d.", probe.status, s.APIURL)
	switch {
	case probe.api:
	case probe.status >= 500:
		summary = msg("サーバーは応答しましたが、申請サービスは今は利用できません。", "The server answers, but the service's API is not available.")
	default:
		summary = msg("サーバーは応答しましたが、申請サービスではありません。", "The server answers, but it is not the service's API.")
		status, hint = StatusFail, msg("申請サービスの URL が違う可能性があります。市区町村が案内している申請サービスの URL（https:// で始まるもの）を設定してください。",
			"The service URL may be wrong. Please set the service URL your municipality gives (starting with https://).")
	}
	if u.Scheme == "http" && status == StatusOK {
		status, hint = StatusWarn, msg("暗号化されていない http:// で接続しています。https:// の URL を指定してください。", "The connection is not encrypted (http://); please use the https:// URL.")
	} else if u.Scheme == "https" {
		s.VerifiedAgainst = "system roots"
		vo := x509.VerifyOptions{DNSName: u.Hostname(), Intermediates: x509.NewCertPool(), CurrentTime: d.now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		if len(d.anchorCerts) > 0 {
			s.VerifiedAgainst = "configured anchors"
			vo.Roots = x509.NewCertPool()
			for _, c := range d.anchorCerts {
				vo.Roots.AddCert(c)
			}
		}
		var verr error
		if len(probe.certs) == 0 {
			verr = errors.New("no certificate presented")
		} else {
			for _, c := range probe.certs[1:] {
				vo.Intermediates.AddCert(c)
			}
			_, verr = probe.certs[0].Verify(vo)
		}
		if verr != nil {
			s.VerifyError = d.red.text(verr.Error())
			status, hint = StatusFail, msg("申請サービスのサーバー証明書を確認できません。信頼する認証局の設定を確認してください。職場のネットワークで通信を検査する仕組みがある場合は、ネットワーク管理者にご相談ください。",
				"The service's certificate cannot be verified. Please check the trust anchors configured; if your network inspects encrypted traffic, please ask its administrator.")
		} else {
			s.Verified = true
			if left := daysLeft(d.now, probe.certs[0].NotAfter); left < 14 && status == StatusOK {
				status, hint = StatusWarn, msgf("申請サービスのサーバー証明書の有効期限まで残り%d日です。サービスの運営者にお知らせください。",
					"The service's certificate expires in %d days; please tell the service's operator.", left)
			}
		}
	}
	if !probe.api && probe.status >= 500 && status == StatusOK {
		status, hint = StatusWarn, msg("申請サービスが一時的に利用できない可能性があります。時間をおいてお試しください。", "The service may be unavailable for a while; please try again later.")
	}
	if probe.hasDate {
		s.ServerDate = probe.date.UTC().Format(time.RFC3339)
		skew := int64(math.Round(probe.skew.Seconds()))
		s.ClockSkewSeconds = &skew
		abs := max(skew, -skew)
		switch {
		case abs > skewFailSeconds:
			status, hint = StatusFail, msgf("パソコンの時計が%d秒ずれています。日付と時刻を自動で合わせる設定にしてください。時計がずれていると、証明書の確認に失敗します。",
				"The computer's clock is %d seconds off. Please set the date and time to be set automatically; certificate checks fail with a wrong clock.", skew)
		case abs > skewWarnSeconds:
			status = worse(status, StatusWarn)
			if hint.IsZero() {
				hint = msgf("パソコンの時計が%d秒ずれています。日付と時刻を自動で合わせる設定にしてください。", "The computer's clock is %d seconds off; please set the date and time to be set automatically.", skew)
			}
		}
	}
	if probe.api && status != StatusOK {
		// The API answered: what fails is in the hint and the details
		// (the chain, the clock), not in the answer.
		s.set(status, summary, hint)
		return
	}
	s.setDetail(status, summary, hint, answer)
}

// catalogueURL is the service's procedure catalogue: the URL given, with
// or without the API prefix, and /api/v1/procedures.
func catalogueURL(u *url.URL) *url.URL {
	c := *u
	c.Path = strings.TrimSuffix(strings.TrimSuffix(c.Path, "/"), submit.APIPrefix) + submit.APIPrefix + "/procedures"
	c.RawPath = ""
	return &c
}

// isCatalogue reports whether an answer is the service's catalogue: 200,
// JSON, and a list of procedures (or an object holding one) each with an
// ID.
func isCatalogue(status int, contentType string, body []byte) bool {
	if status != http.StatusOK {
		return false
	}
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || (mt != submit.MediaJSON && !strings.HasSuffix(mt, "+json")) {
		return false
	}
	type entry struct {
		ID string `json:"id"`
	}
	var list []entry
	if err := json.Unmarshal(body, &list); err != nil {
		var wrapped struct {
			Procedures *[]entry `json:"procedures"`
		}
		if err := json.Unmarshal(body, &wrapped); err != nil || wrapped.Procedures == nil {
			return false
		}
		list = *wrapped.Procedures
	}
	for _, e := range list {
		if e.ID == "" {
			return false
		}
	}
	return true
}

// serviceProbe is what one request to the service showed.
type serviceProbe struct {
	status int
	// api is set when the answer is the service's catalogue.
	api        bool
	tlsVersion string
	certs      []*x509.Certificate
	chain      []ChainCert
	date       time.Time
	hasDate    bool
	skew       time.Duration
}

// probe sends one GET to u without credentials or cookies and reads at most
// maxServiceBody bytes of the answer. The TLS chain is taken as presented
// and verified afterwards by the caller, so that an untrusted service is
// still described; the request carries nothing worth protecting.
func (d *diagnosis) probe(ctx context.Context, u *url.URL) (serviceProbe, error) {
	var p serviceProbe
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, //nolint:gosec // verified below, against the anchors
		TLSHandshakeTimeout: d.opts.Timeout,
		DisableKeepAlives:   true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: d.opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return p, err
	}
	req.Header.Set("User-Agent", "Shinsei-diagnostics")
	req.Header.Set("Accept", submit.MediaJSON)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return p, err
	}
	end := time.Now()
	defer resp.Body.Close()
	body, berr := iox.ReadAll(resp.Body, maxServiceBody)
	p.status = resp.StatusCode
	p.api = berr == nil && isCatalogue(resp.StatusCode, resp.Header.Get("Content-Type"), body)
	if resp.TLS != nil {
		p.tlsVersion = tls.VersionName(resp.TLS.Version)
		p.certs = resp.TLS.PeerCertificates
		for _, c := range p.certs {
			p.chain = append(p.chain, ChainCert{Subject: c.Subject.String(), Issuer: c.Issuer.String(),
				NotAfter: c.NotAfter.UTC().Format("2006-01-02T15:04:05Z"), DaysLeft: daysLeft(d.now, c.NotAfter), SHA256: fingerprint(c)})
		}
	}
	if date, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		mid := start.Add(end.Sub(start) / 2)
		p.date, p.hasDate, p.skew = date, true, date.Sub(mid)
		// The Date header has whole seconds: differences under a second
		// are noise.
		if p.skew.Abs() < time.Second {
			p.skew = 0
		}
	}
	return p, nil
}

// fingerprint is the upper-case hex SHA-256 of a certificate.
func fingerprint(c *x509.Certificate) string { return certcheck.Fingerprint(c) }

// hashString is the hex SHA-256 of s.
func hashString(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
