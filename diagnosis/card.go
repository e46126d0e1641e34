package diagnosis

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/pkcs11"
)

// ModulesReport lists the PKCS#11 modules found and whether they load.
type ModulesReport struct {
	Check
	Modules []ModuleReport `json:"found"`
}

// ModuleReport is one PKCS#11 module file.
type ModuleReport struct {
	// Name says what installs it: "OpenSC", "JPKI", "SoftHSM", or empty
	// for a module given by path.
	Name     string `json:"name,omitempty"`
	Path     string `json:"path"`
	Loadable bool   `json:"loadable"`
	// Error says why it could not be loaded.
	Error string `json:"error,omitempty"`
	// Manufacturer, Description and Version are the module's own (C_GetInfo).
	Manufacturer string `json:"manufacturer,omitempty"`
	Description  string `json:"description,omitempty"`
	Version      string `json:"version,omitempty"`
	// Product is the software and its version, e.g. "OpenSC 0.23".
	Product string `json:"product,omitempty"`
}

// PCSCReport tells whether pcscd (the PC/SC service) answers and lists the
// card readers with the ATR of the card in each.
type PCSCReport struct {
	Check
	Reachable bool           `json:"reachable"`
	Error     string         `json:"error,omitempty"`
	Readers   []ReaderReport `json:"readers"`
}

// ReaderReport is one card reader.
type ReaderReport struct {
	Name        string `json:"name"`
	CardPresent bool   `json:"card_present"`
	// ATR is the card's answer to reset in hex; the same for every card of
	// a kind, it identifies no one.
	ATR string `json:"atr,omitempty"`
	// Card names the kind of card when the ATR is known.
	Card  string `json:"card,omitempty"`
	Error string `json:"error,omitempty"`
}

// TokensReport lists the tokens (a My Number card shows as two, one per
// PIN) with their PIN state.
type TokensReport struct {
	Check
	Tokens []TokenReport `json:"tokens"`
}

// TokenReport is one token and its verdict.
type TokenReport struct {
	Check
	// Module is the path of the module the token was found through.
	Module string `json:"module"`
	Label  string `json:"label"`
	// SerialSHA256 is the SHA-256 of the token's serial number, in hex.
	SerialSHA256 string `json:"serial_sha256,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	Model        string `json:"model,omitempty"`
	// Reader is the slot description, usually the reader's name.
	Reader    string    `json:"reader,omitempty"`
	PINPolicy string    `json:"pin_policy"`
	PIN       PINReport `json:"pin"`
	MinPINLen int       `json:"min_pin_len,omitempty"`
	MaxPINLen int       `json:"max_pin_len,omitempty"`
	Error     string    `json:"error,omitempty"`
}

// PINReport is a token's PIN state, read without entering a PIN.
type PINReport struct {
	CountLow bool `json:"count_low"`
	FinalTry bool `json:"final_try"`
	Locked   bool `json:"locked"`
	// TriesLeft is the number of tries left, -1 when not known.
	TriesLeft int `json:"tries_left"`
	// Exact is set when the card itself told the count (a My Number card
	// read through PC/SC), not only the PKCS#11 flags.
	Exact bool `json:"exact"`
}

// CertificatesReport summarises the certificates readable on the tokens
// without a PIN.
type CertificatesReport struct {
	Check
	Certificates []CertReport `json:"certificates"`
	// Notes say what could not be read and why.
	Notes []i18n.Text `json:"notes,omitempty"`
}

// CertReport summarises one certificate. The subject of an end-entity
// certificate (the holder's) is left out unless the report includes
// personal data; the serial number only ever appears hashed.
type CertReport struct {
	Check
	// Token is the label of the token holding it, Module the path of the
	// module it was read through.
	Token  string `json:"token"`
	Module string `json:"module"`
	// KeyID is the CKA_ID in hex, shared with its key.
	KeyID string `json:"key_id"`
	// Label is the object's label (CA certificates, or with personal data).
	Label string `json:"label,omitempty"`
	CA    bool   `json:"ca"`
	// Subject is set for CA certificates, and for the holder's only with
	// personal data included.
	Subject   string `json:"subject,omitempty"`
	Issuer    string `json:"issuer"`
	NotBefore string `json:"not_before"`
	NotAfter  string `json:"not_after"`
	// DaysLeft counts the days to expiry, negative once expired.
	DaysLeft int `json:"days_left"`
	// SerialSHA256 is the SHA-256 of the serial number's bytes, in hex.
	SerialSHA256 string `json:"serial_sha256"`
	KeyAlgorithm string `json:"key_algorithm"`
	// AuthorityKeyID tells the root generations of one name apart.
	AuthorityKeyID string `json:"authority_key_id,omitempty"`
	// SubjectKeyID and SHA256 (fingerprint) are given for CA certificates.
	SubjectKeyID string `json:"subject_key_id,omitempty"`
	SHA256       string `json:"sha256,omitempty"`
}

// jpkiATR is the answer to reset of a My Number card, the one OpenSC's
// JPKI driver matches.
var jpkiATR = []byte{0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14}

// loadedModule is a module the tokens section reads.
type loadedModule struct {
	path string
	lib  *pkcs11.Library
}

func (d *diagnosis) modules(ctx context.Context) {
	m := &d.r.Modules
	files := d.opts.Modules
	if files == nil {
		files = pkcs11.FindModules()
	}
	m.Modules = []ModuleReport{}
	if len(files) == 0 {
		m.setDetail(StatusFail, msg("カードを使うためのソフトウェアが見つかりません。", "No software for using the card was found."),
			msg("マイナンバーカードを使うには、公的個人認証サービスの利用者クライアントソフトなど、カードを使うためのソフトウェアをインストールしてから、もう一度お試しください。分からない場合は、この結果をコピーしてヘルプデスクにお伝えください。",
				"To use a My Number card, please install the software for using the card (such as the JPKI user client software), then try again. If you are not sure how, please copy this result and send it to the help desk."),
			detail("PKCS#11 モジュールがありません。OpenSC（Debian: apt-get install opensc-pkcs11）または JPKI 利用者クライアントソフトをインストールしてください。",
				"No PKCS#11 module was found. Install OpenSC (Debian: apt-get install opensc-pkcs11) or the JPKI user client software."))
		return
	}
	loadable := 0
	for _, f := range files {
		mr := ModuleReport{Name: f.Name, Path: d.red.text(f.Path)}
		lib, err := pkcs11.Open(f.Path)
		if err != nil {
			mr.Error = d.red.text(err.Error())
			m.Modules = append(m.Modules, mr)
			continue
		}
		loadable++
		mr.Loadable = true
		if info, err := lib.Info(ctx); err == nil {
			mr.Manufacturer, mr.Description, mr.Version = info.Manufacturer, info.Description, info.Version
			mr.Product = product(info)
		} else {
			mr.Error = d.red.text(err.Error())
		}
		d.libs = append(d.libs, loadedModule{path: mr.Path, lib: lib})
		m.Modules = append(m.Modules, mr)
	}
	summary := msgf("%[1]d個見つかり、%[2]d個を読み込めました。", "%[1]d found, %[2]d loadable.", len(files), loadable)
	switch {
	case loadable == 0:
		m.setDetail(StatusFail, summary, msg("カードを使うためのソフトウェアを読み込めませんでした。インストールし直してから、もう一度お試しください。",
			"The software for using the card could not be loaded. Please reinstall it, then try again."),
			detail("どの PKCS#11 モジュールも読み込めません。OpenSC または利用者クライアントソフトを入れ直してください（Debian: apt-get install --reinstall opensc-pkcs11）。",
				"No module could be loaded. Reinstall OpenSC or the JPKI user client software (Debian: apt-get install --reinstall opensc-pkcs11)."))
	case loadable < len(files):
		m.set(StatusWarn, summary, msg("読み込めないモジュールがあります。使っていないものであれば問題ありません。カードが使えない場合は、そのソフトウェアをインストールし直してください。",
			"Some modules could not be loaded. If you do not use them, this is fine; if your card does not work, please reinstall that software."))
	default:
		m.set(StatusOK, summary, i18n.Text{})
	}
}

// product names the software behind a module, e.g. "OpenSC 0.23".
func product(info pkcs11.ModuleInfo) string {
	switch {
	case strings.Contains(info.Manufacturer, "OpenSC") || strings.Contains(info.Description, "OpenSC"):
		return "OpenSC " + info.Version
	case strings.TrimSpace(info.Manufacturer) != "":
		return strings.TrimSpace(info.Manufacturer) + " " + info.Version
	}
	return strings.TrimSpace(info.Description + " " + info.Version)
}

func (d *diagnosis) closeModules() {
	for _, m := range d.libs {
		m.lib.Close()
	}
	d.libs = nil
}

func (d *diagnosis) pcsc(ctx context.Context) {
	p := &d.r.PCSC
	p.Readers = []ReaderReport{}
	pc, err := pcsc.Establish(ctx)
	if err != nil {
		p.Error = d.red.text(err.Error())
		if runtime.GOOS != "linux" {
			p.set(StatusSkipped, msg("この環境では確認していません。", "Not checked on this system."), i18n.Text{})
			return
		}
		if d.opts.NoReaders {
			p.set(StatusSkipped, msg("カードリーダーは使っていないため、確認していません。", "No card reader is in use, so it was not checked."), i18n.Text{})
			return
		}
		p.readerServiceDown()
		return
	}
	defer pc.Close()
	d.readersUp = true
	p.Reachable = true
	names, err := pc.Readers(ctx)
	if err != nil {
		p.Error = d.red.text(err.Error())
		p.setDetail(StatusFail, msg("カードリーダーの一覧を取得できません。", "The card readers cannot be listed."),
			msg("カードリーダーを挿し直してから、もう一度お試しください。直らない場合はパソコンを再起動してください。",
				"Please reconnect the card reader and try again; if that does not help, restart the computer."),
			detail("pcscd がリーダーの一覧を返しません。pcscd を再起動してください（sudo systemctl restart pcscd）。", "pcscd does not list the readers: restart it (sudo systemctl restart pcscd)."))
		return
	}
	if len(names) == 0 {
		p.setDetail(StatusWarn, msg("カードリーダーが見つかりません。", "No card reader is connected."),
			msg("カードリーダーをパソコンに接続してください。接続しても見つからない場合は、この結果をコピーしてヘルプデスクにお伝えください。",
				"Please connect the card reader. If it is still not found, please copy this result and send it to the help desk."),
			detail("pcscd は応答しますが、リーダーがありません。接続しても表示されない場合は、リーダーのドライバー（Debian: apt-get install libccid）を確認してください。",
				"pcscd answers, but lists no reader. If a connected reader does not show, check its driver (Debian: apt-get install libccid)."))
		return
	}
	cards := 0
	for _, name := range names {
		// A reader's name may carry its USB serial number: shown redacted.
		rr := ReaderReport{Name: d.red.text(name)}
		card, err := pc.Connect(ctx, name)
		switch {
		case errors.Is(err, pcsc.ErrNoCard):
		case err != nil:
			rr.Error = d.red.text(err.Error())
		default:
			rr.CardPresent = true
			cards++
			atr := card.ATR()
			rr.ATR = strings.ToUpper(hex.EncodeToString(atr))
			if bytes.Equal(atr, jpkiATR) {
				rr.Card = "My Number card (JPKI)"
			}
			card.Close()
		}
		p.Readers = append(p.Readers, rr)
	}
	summary := msgf("カードリーダー%[1]d台、カードが入っているもの%[2]d台。",
		"%[1]d reader(s), %[2]d with a card.", len(names), cards)
	answers := detail("pcscd に接続できます。", "pcscd answers.")
	if cards == 0 {
		p.setDetail(StatusWarn, summary, msg("カードをカードリーダーに置く（差し込む）と確認できます。", "Please put the card on (or into) the reader to check it."), answers)
		return
	}
	p.setDetail(StatusOK, summary, i18n.Text{}, answers)
}

// readerServiceDown words a reader service (pcscd) that does not answer:
// for the resident what to do, for the help desk how to start it.
func (p *PCSCReport) readerServiceDown() {
	p.setDetail(StatusFail, msg("カードリーダーを使うための仕組みが動いていません。", "The service that runs card readers is not running."),
		msg("パソコンを再起動してから、もう一度お試しください。直らない場合は、この結果をコピーしてヘルプデスクにお伝えください。",
			"Please restart the computer and try again. If that does not help, please copy this result and send it to the help desk."),
		detail("pcscd に接続できません。pcscd を起動してください（sudo systemctl start pcscd.socket）。入っていない場合はインストールしてください（Debian: apt-get install pcscd）。",
			"Please start pcscd (sudo systemctl start pcscd.socket), or install it if it is missing (Debian: apt-get install pcscd): it cannot be reached."))
}

// recordingTries reads tries through a TriesReader and remembers whether
// the count came from the card.
type recordingTries struct {
	inner pkcs11.TriesReader
	exact bool
}

// TriesLeft asks the reader it wraps and records whether it answered.
func (r *recordingTries) TriesLeft(ctx context.Context, tok pkcs11.TokenInfo) (int, error) {
	n, err := r.inner.TriesLeft(ctx, tok)
	r.exact = err == nil && n >= 0
	return n, err
}

func (d *diagnosis) tokens(ctx context.Context) {
	t := &d.r.Tokens
	c := &d.r.Certificates
	t.Tokens, c.Certificates = []TokenReport{}, []CertReport{}
	if len(d.libs) == 0 {
		t.set(StatusSkipped, msg("カードを使うためのソフトウェアを読み込めなかったため、確認していません。", "Not checked: no module could be loaded."), i18n.Text{})
		c.set(StatusSkipped, msg("カードを使うためのソフトウェアを読み込めなかったため、確認していません。", "Not checked: no module could be loaded."), i18n.Text{})
		return
	}
	tries := d.opts.TriesReader
	if tries == nil && d.readersUp {
		tries = pcsc.JPKITries{}
	}
	for _, m := range d.libs {
		infos, err := m.lib.Tokens(ctx)
		if err != nil {
			t.Tokens = append(t.Tokens, TokenReport{Module: m.path, Error: d.red.text(err.Error()),
				Check: Check{Status: StatusWarn, Summary: msg("カードの情報を読み取れません。", "The card cannot be read."),
					Hint:   msg("カードを置き直して、もう一度お試しください。", "Please put the card on the reader again and retry."),
					Detail: detail("このモジュールのトークンの一覧を取得できません。", "The module's tokens cannot be listed.")}})
			continue
		}
		for _, ti := range infos {
			t.Tokens = append(t.Tokens, d.token(ctx, m, ti, tries))
		}
	}
	status := StatusOK
	for _, tr := range t.Tokens {
		status = worse(status, tr.Status)
	}
	summary := msgf("パスワードの状態を%d件確認しました。", "%d token(s).", len(t.Tokens))
	count := detailf("トークン%d個。", "%d token(s).", len(t.Tokens))
	switch {
	case len(t.Tokens) == 0:
		t.set(StatusWarn, msg("カードが見つかりません。", "No card was found."),
			msg("マイナンバーカードをカードリーダーに置いて（差し込んで）から、もう一度お試しください。", "Please put your My Number card on the reader and try again."))
	case status == StatusOK:
		t.setDetail(StatusOK, summary, i18n.Text{}, count)
	default:
		// The tokens' own hints say what to do, for the help desk too.
		t.set(status, summary, worstHint(t.Tokens, status))
	}
	d.certificatesVerdict()
}

// token reads one token's PIN state (exactly, through tries, when it is a
// My Number card in a reachable reader) and its certificates.
func (d *diagnosis) token(ctx context.Context, m loadedModule, ti pkcs11.TokenInfo, tries pkcs11.TriesReader) TokenReport {
	tr := TokenReport{Module: m.path, Label: ti.Label, Manufacturer: ti.Manufacturer, Model: ti.Model, Reader: d.red.text(ti.Reader),
		PINPolicy: ti.Policy.String(), MinPINLen: ti.MinPINLen, MaxPINLen: ti.MaxPINLen}
	if ti.Serial != "" {
		tr.SerialSHA256 = hashString(ti.Serial)
	}
	var opts []pkcs11.Option
	rec := &recordingTries{inner: tries}
	if tries != nil {
		opts = append(opts, pkcs11.WithTriesReader(rec))
	}
	st := ti.PIN
	tok, err := m.lib.OpenToken(ctx, pkcs11.Selector{Label: ti.Label, Serial: ti.Serial}, opts...)
	if err != nil {
		tr.Error = d.red.text(err.Error())
	} else {
		defer tok.Close()
		st = tok.Info().PIN
	}
	tr.PIN = PINReport{CountLow: st.CountLow, FinalTry: st.FinalTry, Locked: st.Locked, TriesLeft: st.TriesLeft, Exact: rec.exact}
	tr.Check = pinVerdict(ti.Policy, tr.PIN)
	if err != nil {
		tr.setDetail(worse(tr.Status, StatusWarn), tr.Summary, msg("カードを置き直して、もう一度お試しください。", "Please put the card on the reader again and retry."),
			detail("トークンを開けません。", "The token cannot be opened."))
		return tr
	}
	certs, err := tok.Certificates(ctx)
	if err != nil {
		tr.Error = d.red.text(err.Error())
		return tr
	}
	hasSignatureCert := false
	for _, cert := range certs {
		d.certificate(m.path, ti.Label, cert)
		if !isCA(cert.Cert) && bytes.Equal(cert.ID, []byte{0x02}) {
			hasSignatureCert = true
		}
	}
	if ti.Policy == pkcs11.PolicyJPKISignature && !hasSignatureCert {
		d.r.Certificates.Notes = append(d.r.Certificates.Notes,
			msgf("「%[1]s」の署名用電子証明書は、署名用電子証明書のパスワードを入力した後にだけ読み取れます。診断ではパスワードをお尋ねしないため、表示していません。",
				"The signature certificate on %[1]q can be read only after its password is entered; the diagnosis never asks for it, so it is not shown.", ti.Label))
	}
	return tr
}

// worstHint is the hints of the tokens at status, each once: the window
// and the command line show the section's hint as its own.
func worstHint(tokens []TokenReport, status Status) i18n.Text {
	var ja, en []string
	seen := map[string]bool{}
	for _, tr := range tokens {
		if tr.Status == status && !tr.Hint.IsZero() && !seen[tr.Hint.Ja] {
			seen[tr.Hint.Ja] = true
			ja, en = append(ja, tr.Hint.Ja), append(en, tr.Hint.En)
		}
	}
	return i18n.Text{Ja: strings.Join(ja, ""), En: strings.Join(en, " ")}
}

// pinVerdict words a token's PIN state. A locked PIN is StatusFail: the
// card cannot sign until the municipal office resets it.
func pinVerdict(p pkcs11.PINPolicy, pin PINReport) Check {
	what := msg("パスワード", "PIN")
	switch p {
	case pkcs11.PolicyJPKISignature:
		what = msg("署名用電子証明書のパスワード（英数字6〜16文字）", "signature password (6–16 letters and digits)")
	case pkcs11.PolicyJPKIAuth:
		what = msg("利用者証明用電子証明書の暗証番号（数字4桁）", "user authentication PIN (4 digits)")
	}
	tries := msg("残り回数はカードから読めませんでした", "the card does not tell the tries left")
	if pin.TriesLeft >= 0 {
		tries = msgf("残り%d回", "%d tries left", pin.TriesLeft)
	}
	var c Check
	switch {
	case pin.Locked:
		// Nothing can be signed (or logged in with) until the office
		// resets it: the card does not work for this use.
		c.set(StatusFail, msgf("%[1]s：ロックがかかっています。", "The %[1]s is locked.", what),
			msg("パスワードロックは、お住まいの市区町村の窓口での初期化（再設定）でのみ解除できます。マイナンバーカードと本人確認書類をお持ちのうえ、窓口でお手続きください。",
				"A locked My Number card PIN can be reset only at your municipal office. Please bring the card and an ID document to the counter."))
		if p == pkcs11.PolicyGeneric {
			c.Hint = msg("カードの発行元にロック解除の方法をお問い合わせください。", "Please ask the issuer of the token how to unlock it.")
		}
	case pin.FinalTry:
		c.set(StatusWarn, msgf("%[1]s：あと1回間違えるとパスワードロックがかかります。", "The %[1]s has ONE try left: one more wrong entry locks it.", what),
			msg("パスワードが分からない場合は、入力せずに市区町村の窓口でご相談ください。Shinsei が自動で入力し直すことはありません。",
				"If you are not sure of it, please do not try again and ask at your municipal office. Shinsei never retries by itself."))
	case pin.CountLow:
		c.set(StatusWarn, msgf("%[1]s：前回の利用後に入力の誤りがありました（%[2]s）。", "The %[1]s was entered wrongly since its last successful use (%[2]s).", what, tries),
			msg("正しいパスワードを確かめてから入力してください。", "Please make sure of the PIN before entering it."))
	default:
		c.set(StatusOK, msgf("%[1]s：%[2]s。", "%[1]s: %[2]s.", what, tries), i18n.Text{})
	}
	return c
}

// certificate adds a certificate read from a token to the report.
func (d *diagnosis) certificate(module, token string, c pkcs11.Certificate) {
	cert := c.Cert
	ca := isCA(cert)
	cr := CertReport{Token: token, Module: module, KeyID: hex.EncodeToString(c.ID), CA: ca, Issuer: cert.Issuer.String(),
		NotBefore: cert.NotBefore.UTC().Format("2006-01-02T15:04:05Z"), NotAfter: cert.NotAfter.UTC().Format("2006-01-02T15:04:05Z"),
		DaysLeft: daysLeft(d.now, cert.NotAfter), SerialSHA256: certcheck.SerialSHA256(cert.SerialNumber), KeyAlgorithm: keyAlgorithm(cert),
		AuthorityKeyID: hex.EncodeToString(cert.AuthorityKeyId)}
	if ca {
		cr.Subject, cr.Label = cert.Subject.String(), c.Label
		cr.SubjectKeyID = hex.EncodeToString(cert.SubjectKeyId)
		cr.SHA256 = fingerprint(cert)
		d.r.certs = append(d.r.certs, bundleCert{name: "ca-" + cr.SHA256[:16], der: cert.Raw})
	} else {
		d.red.addCertificate(cert)
		if d.opts.IncludePersonal {
			cr.Subject, cr.Label = cert.Subject.String(), c.Label
			d.r.certs = append(d.r.certs, bundleCert{name: "holder-" + cr.SerialSHA256[:16], der: cert.Raw})
		}
	}
	cr.Check = d.validity(cert, ca)
	d.r.Certificates.Certificates = append(d.r.Certificates.Certificates, cr)
}

// validity words a certificate's validity period at d.now.
func (d *diagnosis) validity(cert *x509.Certificate, ca bool) Check {
	left := daysLeft(d.now, cert.NotAfter)
	var c Check
	switch {
	case d.now.After(cert.NotAfter) && ca:
		// A CA of a previous generation stays on cards and in trust
		// stores to check older signatures: nothing to do.
		c.set(StatusOK, msgf("有効期限が切れた認証局の証明書です（%s まで）。古い署名の確認に使われるもので、そのままで問題ありません。",
			"A certificate authority that expired on %s; it is kept to check older signatures and needs no action.", cert.NotAfter.Format("2006-01-02")), i18n.Text{})
	case d.now.After(cert.NotAfter):
		c.set(StatusWarn, msgf("有効期限が切れています（%s）。", "Expired (%s).", cert.NotAfter.Format("2006-01-02")),
			msg("マイナンバーカードの電子証明書は、お住まいの市区町村の窓口で更新できます。", "A My Number card certificate is renewed at your municipal office."))
	case d.now.Before(cert.NotBefore):
		c.set(StatusWarn, msgf("まだ有効期間が始まっていません（%s から）。", "Not valid yet (from %s).", cert.NotBefore.Format("2006-01-02")),
			msg("パソコンの日付と時刻が正しいか確認してください。", "Please check that the computer's date and time are right."))
	case left < 30 && !ca:
		c.set(StatusWarn, msgf("有効期限まで残り%d日です。", "Expires in %d days.", left),
			msg("期限が切れる前に、市区町村の窓口で電子証明書を更新してください。", "Please renew the certificate at your municipal office before it expires."))
	default:
		c.set(StatusOK, msgf("有効期限まで残り%d日。", "%d days to expiry.", left), i18n.Text{})
	}
	return c
}

func (d *diagnosis) certificatesVerdict() {
	c := &d.r.Certificates
	status := StatusOK
	for _, cr := range c.Certificates {
		status = worse(status, cr.Status)
	}
	summary := msgf("カードから読み取れた電子証明書%d件。", "%d certificate(s) readable without a PIN.", len(c.Certificates))
	if status == StatusOK {
		c.set(StatusOK, summary, i18n.Text{})
		return
	}
	c.set(status, summary, msg("各証明書の案内をご覧ください。", "Please see the hint of each certificate."))
}

func keyAlgorithm(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	}
	return c.PublicKeyAlgorithm.String()
}

// detailf is detail with a format.
func detailf(ja, en string, a ...any) i18n.Text { return msgf(ja, en, a...) }

// msgf is msg with a format; an i18n.Text argument is put in its own
// language.
func msgf(ja, en string, a ...any) i18n.Text {
	args := make([]any, len(a))
	for i, v := range a {
		if t, ok := v.(i18n.Text); ok {
			args[i] = t.Ja
		} else {
			args[i] = v
		}
	}
	jaText := fmt.Sprintf(ja, args...)
	for i, v := range a {
		if t, ok := v.(i18n.Text); ok {
			args[i] = t.En
		}
	}
	return i18n.Text{Ja: jaText, En: fmt.Sprintf(en, args...)}
}
