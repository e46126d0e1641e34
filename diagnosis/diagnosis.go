package diagnosis

import (
	"context"
	"crypto/x509"
	"math"
	"time"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// Status is a diagnostic section's verdict.
type Status string

// Statuses, from good to bad. StatusFail is kept for a part that does
// not work (no usable PKCS#11 module, pcscd unreachable, a card whose
// PIN is locked, the keyring unavailable, the service unreachable, not
// the service's API or untrusted); a card or certificate that needs
// attention but still works (one try left, an expiring certificate) is
// StatusWarn.
const (
	StatusOK      Status = "ok"
	StatusSkipped Status = "skipped" // not asked for (no service URL given)
	StatusWarn    Status = "warn"
	StatusFail    Status = "fail"
)

func (s Status) rank() int {
	switch s {
	case StatusWarn:
		return 2
	case StatusFail:
		return 3
	case StatusSkipped:
		return 1
	}
	return 0
}

// worse returns the worse of two statuses.
func worse(a, b Status) Status {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Check is the verdict of one section: its status, what was found and,
// when something needs doing, a hint that says what. Summary and Hint are
// what a resident reads, in the words of assets/lang/glossary.md; the
// technical side (services, commands, module and protocol names, HTTP
// statuses) is in Detail, for the help desk: the window shows it only in
// a section's expanded detail, the report and the command line show it.
type Check struct {
	Status  Status    `json:"status"`
	Summary i18n.Text `json:"summary"`
	Hint    i18n.Text `json:"hint,omitzero"`
	// Detail is for the help desk, never for the resident's line.
	Detail i18n.Text `json:"detail,omitzero"`
}

// set sets the verdict and clears the detail.
func (c *Check) set(s Status, summary, hint i18n.Text) {
	c.Status, c.Summary, c.Hint, c.Detail = s, summary, hint, i18n.Text{}
}

// setDetail sets the verdict with the help desk's detail.
func (c *Check) setDetail(s Status, summary, hint, detail i18n.Text) {
	c.Status, c.Summary, c.Hint, c.Detail = s, summary, hint, detail
}

// HelpDeskHint is what a help desk does about the check: its Detail when
// it has one (it names the service or command), its Hint otherwise.
func (c Check) HelpDeskHint() i18n.Text {
	if !c.Detail.IsZero() {
		return c.Detail
	}
	return c.Hint
}

// SectionID names a section of the report.
type SectionID string

// Sections of a Report, in the order they are shown.
const (
	SectionSystem       SectionID = "system"
	SectionModules      SectionID = "modules"
	SectionPCSC         SectionID = "pcsc"
	SectionTokens       SectionID = "tokens"
	SectionCertificates SectionID = "certificates"
	SectionAnchors      SectionID = "anchors"
	SectionService      SectionID = "service"
	SectionKeyring      SectionID = "keyring"
	SectionErrors       SectionID = "last_errors"
)

// Title is the section's heading.
func (id SectionID) Title() i18n.Text {
	switch id {
	case SectionSystem:
		return i18n.Text{Ja: "システム", En: "System"}
	case SectionModules:
		return i18n.Text{Ja: "カードを使うためのソフトウェア", En: "PKCS#11 modules"}
	case SectionPCSC:
		return i18n.Text{Ja: "カードリーダー", En: "Card readers (PC/SC)"}
	case SectionTokens:
		return i18n.Text{Ja: "カードとパスワードの状態", En: "Cards, tokens and PIN state"}
	case SectionCertificates:
		return i18n.Text{Ja: "電子証明書", En: "Certificates"}
	case SectionAnchors:
		return i18n.Text{Ja: "信頼する認証局", En: "Trust anchors"}
	case SectionService:
		return i18n.Text{Ja: "申請サービスへの接続", En: "Connection to the service"}
	case SectionKeyring:
		return i18n.Text{Ja: "資格情報の保管（キーリング）", En: "OS keyring"}
	case SectionErrors:
		return i18n.Text{Ja: "最近のエラー", En: "Last errors"}
	}
	return i18n.Text{Ja: string(id), En: string(id)}
}

// Section is one section of a Report with its verdict.
type Section struct {
	ID SectionID
	Check
}

// Keyring is the part of an OS keyring Diagnose probes. Its methods match
// github.com/zalando/go-keyring's package functions (and submit.Store).
// Errors are reported as they are; Get of a missing entry is an error.
type Keyring interface {
	Set(service, user, secret string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// DiagOptions configure Diagnose. The zero value diagnoses this computer
// with the default module places, no service and the OS keyring.
type Options struct {
	// Modules are the PKCS#11 module files to look at; nil means
	// pkcs11.FindModules().
	Modules []pkcs11.ModuleFile
	// TriesReader reads the exact tries left of a My Number card's PINs;
	// nil means pcsc.JPKITries, used only when pcscd answered. It must
	// never spend a try (pcsc.JPKITries sends VERIFY without data).
	TriesReader pkcs11.TriesReader
	// Anchors are the trust-anchor files configured (PEM or DER).
	Anchors []string
	// ServiceURL is the shared service's address (https://...); empty
	// skips the service section. Anchors are the roots its TLS
	// certificate is checked against; without anchors, the system's.
	ServiceURL string
	// Timeout bounds each network step and the keyring probe; 0 means
	// DefaultDiagTimeout.
	Timeout time.Duration
	// Keyring is probed with a harmless Set/Get/Delete of an entry under
	// KeyringProbeService; nil means the OS keyring through go-keyring.
	Keyring Keyring
	// Errors are the last errors recorded; nil shows none.
	Errors *ErrorLog
	// IncludePersonal adds personal data: the subjects of end-entity
	// certificates (the holder's, which may carry the name) to the report,
	// and those certificates themselves to the bundle — a holder's
	// certificate holds the name, address, birth date and sex. The report's
	// text never spells those attributes out, and PINs and passwords are
	// never included.
	IncludePersonal bool
	// Version is Shinsei's version as released; empty takes it from the
	// build information.
	Version string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NoReaders says no card reader is in use (the sandbox signs with a
	// stand-in card or a file): the card reader section is skipped, not
	// failed, when the reader service does not answer.
	NoReaders bool
	// Progress, when set, is called as each section starts (the
	// certificates are read with the tokens, in SectionTokens).
	Progress func(SectionID)
}

// DefaultDiagTimeout bounds each network step and the keyring probe.
const DefaultTimeout = 10 * time.Second

// KeyringProbeService is the keyring service name of Diagnose's probe
// entry, distinct from the service names that hold credentials.
const KeyringProbeService = "shinsei-diagnostics"

// Report is what Diagnose found. Render it with Text, write it with
// WriteBundle, or marshal it as JSON; all three are redacted alike.
type Report struct {
	// Time is when the diagnosis ran.
	Time time.Time `json:"time"`
	// IncludesPersonal is DiagOptions.IncludePersonal.
	IncludesPersonal bool `json:"includes_personal"`
	// Overall is Status() when the diagnosis ran: the computer's state
	// now. The errors of the past day have their own verdict, in
	// LastErrors, and never count toward it.
	Overall Status `json:"status"`

	System       SystemReport       `json:"system"`
	Modules      ModulesReport      `json:"modules"`
	PCSC         PCSCReport         `json:"pcsc"`
	Tokens       TokensReport       `json:"tokens"`
	Certificates CertificatesReport `json:"certificates"`
	Anchors      AnchorsReport      `json:"anchors"`
	Service      ServiceReport      `json:"service"`
	Keyring      KeyringReport      `json:"keyring"`
	LastErrors   ErrorsReport       `json:"last_errors"`

	// certs are the certificates read, for the bundle: CA certificates
	// always, end-entity certificates only with IncludePersonal.
	certs []bundleCert
	// env is the environment summary for the bundle.
	env []envVar
}

type bundleCert struct {
	name string
	der  []byte
}

// Sections returns the sections of the computer's current state, in
// order. The errors of the past day are not among them: see History.
func (r *Report) Sections() []Section {
	return []Section{
		{SectionSystem, r.System.Check},
		{SectionModules, r.Modules.Check},
		{SectionPCSC, r.PCSC.Check},
		{SectionTokens, r.Tokens.Check},
		{SectionCertificates, r.Certificates.Check},
		{SectionAnchors, r.Anchors.Check},
		{SectionService, r.Service.Check},
		{SectionKeyring, r.Keyring.Check},
	}
}

// History is the section of the errors recorded in the past (the last
// errors), a verdict of its own: errors met earlier say nothing of
// whether the computer works now, so they never count toward Status.
func (r *Report) History() Section {
	return Section{SectionErrors, r.LastErrors.Check}
}

// Status is the computer's state now: the worst status of Sections, the
// past errors left out.
func (r *Report) Status() Status {
	s := StatusOK
	for _, sec := range r.Sections() {
		if sec.Status != StatusSkipped {
			s = worse(s, sec.Status)
		}
	}
	return s
}

// Failed lists the sections whose status is StatusFail: the parts of the
// environment that do not work.
func (r *Report) Failed() []Section {
	var failed []Section
	for _, sec := range r.Sections() {
		if sec.Status == StatusFail {
			failed = append(failed, sec)
		}
	}
	return failed
}

// Diagnose collects the report. It never asks for a PIN and never spends a
// PIN try; it does not fail as a whole: what could not be checked is
// reported in its section. ctx bounds the whole run.
func Run(ctx context.Context, opts Options) *Report {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	d := &diagnosis{opts: opts, now: now(), red: newRedactor()}
	r := &Report{Time: d.now, IncludesPersonal: opts.IncludePersonal}
	d.r = r
	step := func(id SectionID, f func(context.Context)) {
		if opts.Progress != nil {
			opts.Progress(id)
		}
		f(ctx)
	}
	step(SectionSystem, d.system)
	step(SectionModules, d.modules)
	step(SectionPCSC, d.pcsc)
	step(SectionTokens, d.tokens) // also fills the certificates
	d.closeModules()
	step(SectionAnchors, d.anchors)
	step(SectionService, d.service)
	step(SectionKeyring, d.keyring)
	step(SectionErrors, d.lastErrors)
	r.env = environment(d.red)
	r.Overall = r.Status()
	return r
}

// diagnosis is one run of Diagnose.
type diagnosis struct {
	opts Options
	now  time.Time
	r    *Report
	red  *redactor
	// libs are the modules loaded for the tokens section.
	libs []loadedModule
	// readersUp is set when pcscd answered.
	readersUp bool
	// anchorCerts are the configured anchors, for the service's chain.
	anchorCerts []*x509.Certificate
}

// daysLeft counts whole days from now to t, negative once t is past.
func daysLeft(now, t time.Time) int {
	return int(math.Floor(t.Sub(now).Hours() / 24))
}

// isCA reports whether c is a CA certificate (its subject is an authority's
// name, never a person's).
func isCA(c *x509.Certificate) bool {
	return c.BasicConstraintsValid && c.IsCA
}

// msg is a text a resident reads (a Summary or a Hint).
func msg(ja, en string) i18n.Text { return i18n.Text{Ja: ja, En: en} }

// detail is a text for the help desk only (a Detail): it may name
// services, commands and modules.
func detail(ja, en string) i18n.Text { return i18n.Text{Ja: ja, En: en} }
