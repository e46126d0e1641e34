package flow

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/submit"
)

// Level is how a finding is shown: green (fine), amber (worth knowing,
// does not stop signing), red (signing would fail; it is not offered).
type Level string

// Levels, from good to bad.
const (
	Green Level = "green"
	Amber Level = "amber"
	Red   Level = "red"
)

func (l Level) rank() int {
	switch l {
	case Amber:
		return 1
	case Red:
		return 2
	}
	return 0
}

// Finding is one verdict shown to the user: its level, what was found and
// what to do about it (empty when nothing).
type Finding struct {
	// Level is green, amber or red.
	Level Level `json:"level"`
	// Message says what was found; it may quote the user's own personal
	// data (identity lines).
	Message i18n.Text `json:"message"`
	// Todo says what to do; empty when nothing.
	Todo i18n.Text `json:"todo,omitzero"`
}

// LineID names a line of the pre-check.
type LineID string

// Lines of a pre-check, in the order they are shown.
const (
	// LineCertificate: the certificate chains to a trust anchor and is
	// within its validity period.
	LineCertificate LineID = "certificate"
	// LineRevocation: the certificate is not revoked (or, for JPKI, that
	// the service checks it).
	LineRevocation LineID = "revocation"
	// LineKeyUsage: the certificate may sign documents.
	LineKeyUsage LineID = "key-usage"
	// LineCertificateType: the kind of certificate fits the procedure
	// (a resident's My Number card, a company's registry certificate).
	LineCertificateType LineID = "certificate-type"
	// LineIdentity: one line per applicant field compared with the
	// certificate (Field names it), or one line when nothing could be
	// compared.
	LineIdentity LineID = "identity"
	// LineForm: the form fits the procedure's schema (one line per
	// problem, Field names it).
	LineForm LineID = "form"
	// LineService: the service answers and its TLS certificate is trusted.
	LineService LineID = "service"
	// LineClock: this computer's clock against the service's.
	LineClock LineID = "clock"
)

// PrecheckLine is one line of the pre-check panel.
type PrecheckLine struct {
	// ID says what the line is about.
	ID LineID `json:"id"`
	// Field is the identity field (identity.Field…) or form field
	// ("fields.x") the line is about, empty otherwise.
	Field string `json:"field,omitempty"`
	Finding
}

// Precheck is what the client can tell before anything is signed: whether
// the service will accept the certificate and the form, and why not. Its
// lines' texts may quote personal data (the identity comparison) for the
// user's own screen; String and LogValue leave them out.
type Precheck struct {
	// Lines are the findings in the order they are shown.
	Lines []PrecheckLine `json:"lines"`
	// Certificate is the certificate checked.
	Certificate *x509.Certificate `json:"-"`
	// Procedure is the procedure checked against; nil for a registration.
	Procedure *submit.Procedure `json:"procedure,omitempty"`
	// Cert is certcheck's result, Identity the identity match (nil when
	// no form was given or the certificate holds no identity).
	Cert     *certcheck.Result `json:"-"`
	Identity *identity.Result  `json:"-"`
	// ClockSkew is how far this computer's clock is behind the service's
	// (negative: ahead); zero when the service was not asked.
	ClockSkew time.Duration `json:"clock_skew,omitempty"`
	// CheckedAt is when the pre-check ran.
	CheckedAt time.Time `json:"checked_at"`
}

// OK reports whether nothing is red.
func (p *Precheck) OK() bool { return p != nil && p.Worst() != Red }

// Worst returns the worst level of the lines (Green for none).
func (p *Precheck) Worst() Level {
	w := Green
	for _, l := range p.Lines {
		if l.Level.rank() > w.rank() {
			w = l.Level
		}
	}
	return w
}

// Reds returns the red lines.
func (p *Precheck) Reds() []PrecheckLine {
	var out []PrecheckLine
	for _, l := range p.Lines {
		if l.Level == Red {
			out = append(out, l)
		}
	}
	return out
}

// Line returns the first line with the ID (and, when field is not empty,
// that field).
func (p *Precheck) Line(id LineID, field string) (PrecheckLine, bool) {
	for _, l := range p.Lines {
		if l.ID == id && (field == "" || l.Field == field) {
			return l, true
		}
	}
	return PrecheckLine{}, false
}

// String summarises the pre-check by line IDs and levels, without texts.
// markFilled words the green identity lines of fields that were filled
// in from the certificate itself as such: they match by construction, and
// the resident should know where the values came from.
func (p *Precheck) markFilled(fields []string) {
	for i, l := range p.Lines {
		if l.ID == LineIdentity && l.Level == Green && slices.Contains(fields, l.Field) {
			label := ApplicantLabel(l.Field)
			p.Lines[i].Message = i18n.Text{Ja: label.Ja + "は、電子証明書の記録から入力しました。", En: "The " + label.En + " was filled in from the certificate."}

		}
	}
}

func (p *Precheck) String() string {
	if p == nil {
		return "precheck: none"
	}
	var parts []string
	for _, l := range p.Lines {
		id := string(l.ID)
		if l.Field != "" {
			id += ":" + l.Field
		}
		parts = append(parts, id+"="+string(l.Level))
	}
	return fmt.Sprintf("precheck: %s (%s)", p.Worst(), strings.Join(parts, " "))
}

// LogValue logs the summary only.
func (p *Precheck) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Precheck checks cert for the procedure and form: trust and validity,
// revocation (for JPKI in honest words: the service checks it, unless the
// service's validation authority answered), key usage, that the kind of
// certificate fits the procedure, the identity match field by field, the
// form against the schema, the service's reachability and TLS trust, and
// the clock. form and proc may be nil (a registration has no procedure;
// a certificate alone can be checked). Precheck never fails: what it
// cannot establish is a line.
func (a *App) Precheck(ctx context.Context, cert *x509.Certificate, form *submit.FormDocument, proc *submit.Procedure) *Precheck {
	return a.precheck(ctx, cert, form, proc, -1)
}
