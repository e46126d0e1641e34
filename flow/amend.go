package flow

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/submit"
)

// Correction is what the municipality asks to correct (補正依頼), as its
// signed notice says it, verified.
type Correction struct {
	// Arrival and Procedure are the application's.
	Arrival   string `json:"arrival_number"`
	Procedure string `json:"procedure"`
	// NoticeID is the notice that asks; Notice its verification.
	NoticeID string        `json:"notice_id"`
	Notice   *NoticeReport `json:"-"`
	// Fields are the form's fields to correct, as "applicant.NAME" or
	// "fields.NAME" (the keys the form screen marks them by).
	Fields []string `json:"fields"`
	// Reason says what to correct.
	Reason i18n.Text `json:"reason"`
	// Status is the application's status (correction-requested).
	Status *submit.ApplicationStatus `json:"-"`
}

// correctionForm is what a correction request's notice form says besides
// a notice's title and text.
type correctionForm struct {
	Type          string   `json:"type"`
	ArrivalNumber string   `json:"arrival_number"`
	Fields        []string `json:"fields"`
	ReasonJA      string   `json:"reason_ja"`
	ReasonEN      string   `json:"reason_en"`
}

// CorrectionRequest reads what the municipality asks to correct in an
// application: its status must be correction-requested (else
// ErrAmendmentNotRequested), and the notice its history names is
// downloaded and verified as every notice is; only a notice that
// verifies (NoticeReport.OK) and names the application is read, else
// ErrCorrectionUnverified with the report in Correction.Notice.
func (a *App) CorrectionRequest(ctx context.Context, q StatusQuery, cb Callbacks) (*Correction, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	op := "correction of " + q.Arrival
	st, err := a.StatusAsking(ctx, q, cb)
	if err != nil {
		return nil, err
	}
	ev := st.LastEvent(submit.EventCorrectionRequested)
	if st.Status != submit.StatusCorrectionRequested || ev == nil || ev.NoticeID == "" {
		return nil, &Error{Op: op, Err: fmt.Errorf("%w (%s)", ErrAmendmentNotRequested, st.Status)}
	}
	c := &Correction{Arrival: st.ArrivalNumber, Procedure: st.Procedure, NoticeID: ev.NoticeID, Status: st}
	path, err := a.fetchNotice(ctx, q, ev.NoticeID)
	if err != nil {
		return nil, err
	}
	if c.Notice, err = a.VerifyNotice(ctx, NoticeRef{Path: path}); err != nil {
		return nil, err
	}
	var f correctionForm
	if !c.Notice.OK() || !readNoticeForm(path, c.Notice.Files, &f) || f.Type != submit.CorrectionNoticeType ||
		f.ArrivalNumber != st.ArrivalNumber || len(f.Fields) == 0 {
		return c, &Error{Op: op, Err: ErrCorrectionUnverified}
	}
	c.Fields, c.Reason = f.Fields, both(f.ReasonJA, f.ReasonEN)
	return c, nil
}

// AmendRequest is an amendment (補正): the corrected form of an
// application the municipality asked to correct.
type AmendRequest struct {
	// Arrival is the application's arrival number; InquiryNumber,
	// Account and EnterPassword prove the right to it (StatusQuery).
	Arrival       string
	InquiryNumber string
	Account       string
	EnterPassword bool
	// Form is the corrected form, of the application's procedure, with
	// Attachments; for a procedure that needs a signature it is signed
	// with Credential as Sign signs (one PIN entry, the pre-check and the
	// confirmation), into the data directory's signed/ folder.
	Form        *submit.FormDocument
	Attachments []string
	Credential  CredentialChoice
}

func (r AmendRequest) query() StatusQuery {
	return StatusQuery{Arrival: r.Arrival, InquiryNumber: r.InquiryNumber, Account: r.Account, EnterPassword: r.EnterPassword}
}

// Amended is an amendment the service received.
type Amended struct {
	// Status is the application's status after it (reviewing).
	Status *submit.ApplicationStatus `json:"status"`
	// Correction is the request it answers.
	Correction *Correction `json:"correction"`
	// Signed is the signed amendment, for a procedure that needs a
	// signature.
	Signed *Signed `json:"signed,omitempty"`
}

// Amend files an amendment linked to the application's arrival number.
// Before any PIN or password is asked: the correction request is read
// and verified (CorrectionRequest: ErrAmendmentNotRequested when none is
// asked, ErrCorrectionUnverified when its notice does not verify), and
// the form must be of the application's procedure and fit its schema
// (*FormError). The form is then signed when the procedure needs it and
// sent with a new idempotency key; the service's answer is kept in the
// receipts journal (an Answer of kind amended) and returned. The
// service refuses a signature by someone other than the applicant
// (ErrNotApplicant).
func (a *App) Amend(ctx context.Context, req AmendRequest, cb Callbacks) (*Amended, error) {
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	op := "amend " + req.Arrival
	q := req.query()
	corr, err := a.CorrectionRequest(ctx, q, cb)
	if err != nil {
		return nil, err
	}
	if req.Form == nil || req.Form.Procedure != corr.Procedure {
		return nil, &Error{Op: op, Err: &FormError{Problems: []FieldProblem{{Field: "procedure",
			Message: i18n.Text{Ja: "補正する申請と同じ手続きの申請書を選んでください。", En: "Please choose a form of the same procedure as the application to correct."}}}}}
	}
	proc, err := a.Procedure(ctx, corr.Procedure)
	if err != nil {
		return nil, err
	}
	out := &Amended{Correction: corr}
	var path, media string
	if proc.Level.NeedsSignature() {
		signed, err := a.Sign(ctx, SignRequest{Procedure: proc.Procedure, Form: req.Form, Attachments: req.Attachments, Credential: req.Credential}, cb)
		if err != nil {
			return nil, err
		}
		out.Signed, path, media = signed, signed.Path, submit.MediaASiCE
	} else {
		if err := CheckForm(req.Form, proc.Procedure, len(req.Attachments)); err != nil {
			return nil, err
		}
		data, err := marshalForm(req.Form)
		if err != nil {
			return nil, err
		}
		work, err := a.privateTemp("amend")
		if err != nil {
			return nil, err
		}
		defer fsx.RemoveAll(work)
		path, media = filepath.Join(work, FormFileName), submit.MediaJSON
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, &Error{Op: op, Err: err}
		}
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return out, &Error{Op: op, Err: err}
	}
	auth, _, err := a.auth(ctx, q, cb)
	if err != nil {
		return out, err
	}
	key := submit.NewIdempotencyKey()
	st, _, err := a.client.Amend(ctx, submit.Amendment{Arrival: req.Arrival, IdempotencyKey: key, Auth: auth,
		MediaType: media, Body: bytes.NewReader(body), Size: int64(len(body)),
	})
	if err != nil {
		return out, lifecycleError(op, err)
	}
	out.Status = st
	ans := submit.Answer{Kind: submit.EventAmended, Status: st.Status, At: st.UpdatedAt, PackageSHA256: sha256Hex(body),
		IdempotencyKey: key, File: filepath.Base(path)}
	if ev := st.LastEvent(submit.EventAmended); ev != nil {
		ans.At = ev.At
	}
	if err := a.keepAnswer(st, ans); err != nil {
		return out, &Error{Op: op + ": amended, but the answer could not be kept in the receipts journal", Err: err}
	}
	if media == submit.MediaJSON {
		// Kept as filed, for a later correction request (OriginalForm).
		a.keepUnsignedForm(path, corr.Procedure)
	}
	return out, nil
}

// MarkedFields returns the correction's fields that are fields of proc's
// form, in the form's order: what a form screen marks.
func (c *Correction) MarkedFields(proc submit.Procedure) []string {
	var out []string
	for _, n := range proc.Form.Applicant {
		if slices.Contains(c.Fields, "applicant."+n) {
			out = append(out, "applicant."+n)
		}
	}
	for _, f := range proc.Form.Fields {
		if slices.Contains(c.Fields, "fields."+f.Name) {
			out = append(out, "fields."+f.Name)
		}
	}
	return out
}

// sha256Hex is the hex SHA-256 of data.
func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// OriginalForm returns the form last filed for application arrival —
// its latest amendment's, else the application's own — read from the
// signed package or the unsigned form the data directory keeps (signed/,
// found by the SHA-256 the journal holds; unsigned forms are kept at
// filing, unsigned_original.go), for an amendment to start from. It
// returns nil when this computer keeps no such file (a package signed
// elsewhere, a form filed before forms were kept, a receipt from another
// computer).
func (a *App) OriginalForm(ctx context.Context, arrival string) (*submit.FormDocument, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	rec, ok := a.record(arrival)
	if !ok || rec.PackageSHA256 == "" {
		return nil, nil
	}
	shas := []string{rec.PackageSHA256}
	if answers, err := a.journal.Answers(); err == nil {
		for _, ans := range answers {
			if ans.Service == rec.Service && ans.ArrivalNumber == arrival && ans.Answer.Kind == submit.EventAmended && ans.Answer.PackageSHA256 != "" {
				shas = append([]string{ans.Answer.PackageSHA256}, shas...) // the newest first
			}
		}
	}
	for _, sha := range shas {
		if doc := a.keptFormOf(ctx, sha); doc != nil {
			return doc, nil
		}
	}
	return nil, nil
}

// keptFormOf is the form of the body whose SHA-256 is sha, as the data
// directory keeps it: an unsigned form, or a signed package's form; nil
// when none is kept.
func (a *App) keptFormOf(ctx context.Context, sha string) *submit.FormDocument {
	forms, _ := filepath.Glob(filepath.Join(a.cfg.DataDir, "signed", "*"+keptFormExt))
	for _, p := range forms {
		if doc := keptForm(ctx, p, sha); doc != nil {
			return doc
		}
	}
	paths, _ := filepath.Glob(filepath.Join(a.cfg.DataDir, "signed", "*.asice"))
	for _, p := range paths {
		if sum, err := fileSHA256(ctx, p); err == nil && sum == sha {
			return packagedForm(p)
		}
	}
	return nil
}

// packagedForm reads the form of the package at path; nil when it holds
// none that parses.
func packagedForm(path string) *submit.FormDocument {
	data, err := readPackaged(path, FormFileName, submit.MaxForm)
	if err != nil {
		return nil
	}
	doc, err := ParseForm(data)
	if err != nil {
		return nil
	}
	return doc
}
