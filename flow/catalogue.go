package flow

import (
	"context"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/submit"
)

// Need is what an applicant must have at hand for a procedure, derived
// from its authentication level.
type Need string

// Needs, one per authentication level.
const (
	// NeedNothing: an anonymous submission (LevelNone).
	NeedNothing Need = "nothing"
	// NeedPassword: an ID and password (LevelIDPW).
	NeedPassword Need = "id-password"
	// NeedCertificate: a My Number card or a certificate file
	// (LevelSignature).
	NeedCertificate Need = "certificate"
	// NeedBoth: an ID and password and a card or certificate file, of the
	// same person (LevelIDPWSignature).
	NeedBoth Need = "id-password+certificate"
)

// NeedOf returns what a procedure of the given level needs. An unknown
// level is treated as the strictest.
func NeedOf(level submit.AuthLevel) Need {
	switch level {
	case submit.LevelNone:
		return NeedNothing
	case submit.LevelIDPW:
		return NeedPassword
	case submit.LevelSignature:
		return NeedCertificate
	}
	return NeedBoth
}

// Text is the badge shown with the procedure.
func (n Need) Text() i18n.Text {
	switch n {
	case NeedNothing:
		return i18n.Text{Ja: "ログイン・電子証明書は不要です", En: "No login or certificate needed"}
	case NeedPassword:
		return i18n.Text{Ja: "ID・パスワードでログインします", En: "Log in with your ID and password"}
	case NeedCertificate:
		return i18n.Text{Ja: "マイナンバーカードまたは電子証明書ファイルで署名します", En: "Sign with your My Number card or certificate file"}
	}
	return i18n.Text{Ja: "ID・パスワードでのログインと、ご本人の電子証明書による署名が必要です", En: "Log in with your ID and password and sign with your own certificate"}
}

// ProcedureInfo is a procedure of the catalogue with what the applicant
// will need.
type ProcedureInfo struct {
	submit.Procedure
	// Need is what the applicant needs, from Procedure.Level.
	Need Need `json:"need"`
}

// Title is the procedure's title in both languages.
func (p ProcedureInfo) Title() i18n.Text { return i18n.Text{Ja: p.TitleJA, En: p.TitleEN} }

// Procedures returns the service's catalogue, each procedure with what
// the applicant will need.
func (a *App) Procedures(ctx context.Context) ([]ProcedureInfo, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	list, err := a.client.Procedures(ctx)
	if err != nil {
		return nil, &Error{Op: "catalogue", Err: err}
	}
	out := make([]ProcedureInfo, len(list))
	for i, p := range list {
		out[i] = ProcedureInfo{Procedure: p, Need: NeedOf(p.Level)}
	}
	return out, nil
}

// Procedure returns one procedure of the catalogue.
func (a *App) Procedure(ctx context.Context, id string) (*ProcedureInfo, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	p, err := a.client.Procedure(ctx, id)
	if err != nil {
		return nil, &Error{Op: "procedure " + id, Err: err}
	}
	return &ProcedureInfo{Procedure: *p, Need: NeedOf(p.Level)}, nil
}
