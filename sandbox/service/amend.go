package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// Amendment (補正): the municipality asks for a correction with a
// notice signed by its LGPKI 職責 official that names the fields and the
// reason (the sandbox back office's POST
// /sandbox/applications/{arrival}/correction, or RequestCorrection); the
// status is correction-requested; the applicant files the corrected form
// (POST /applications/{arrival}/amendments), checked as a submission of
// the procedure is, and for a signed procedure signed by the holder of
// the application's certificate; the status goes back to reviewing.
// Every step is in the status's history.

// SandboxCorrection is the body of the sandbox-only endpoint POST
// /sandbox/applications/{arrival}/correction.
type SandboxCorrection struct {
	// Fields are the form's fields to correct, as "applicant.NAME" or
	// "fields.NAME" of the procedure's form.
	Fields []string `json:"fields"`
	// ReasonJA (required) and ReasonEN say what is to be corrected.
	ReasonJA string `json:"reason_ja"`
	ReasonEN string `json:"reason_en,omitempty"`
}

// errSvcBadCorrection: RequestCorrection was given no field, a field the
// procedure's form does not have, or no reason.
var errSvcBadCorrection = errors.New("service: a correction request names the form's fields and a reason")

// correctable are the statuses a correction may be asked in.
var correctable = []submit.Status{submit.StatusReceived, submit.StatusReviewing, submit.StatusCorrectionRequested}

// RequestCorrection asks the applicant of arrival for a correction: a
// notice signed with the official's certificate naming the fields and
// the reason, and the status correction-requested. It is what the
// sandbox-only endpoint does, for tests and the sandbox in process.
func (s *Service) RequestCorrection(ctx context.Context, arrival string, c SandboxCorrection) (*submit.ApplicationStatus, error) {
	a, err := s.store.application(ctx, arrival)
	if err != nil {
		return nil, fmt.Errorf("service: correction %s: %w", arrival, err)
	}
	proc := s.procs[a.Procedure]
	if proc == nil || len(c.Fields) == 0 || strings.TrimSpace(c.ReasonJA) == "" {
		return nil, errSvcBadCorrection
	}
	for _, f := range c.Fields {
		if !formHasField(proc, f) {
			return nil, fmt.Errorf("%w: %q", errSvcBadCorrection, f)
		}
	}
	if !slices.Contains(correctable, a.Status) {
		return nil, fmt.Errorf("service: correction %s: %w", arrival, &errWrongStatus{status: a.Status})
	}
	now := s.now()
	n := SandboxNotice{TitleJA: "補正のお願い", TitleEN: "Request for correction",
		BodyJA: "お申し込みの内容について、次の項目の補正をお願いします。" + c.ReasonJA}
	id, err := s.issueNotice(ctx, a, n, now, map[string]any{"type": submit.CorrectionNoticeType, "fields": c.Fields,
		"reason_ja": c.ReasonJA, "reason_en": c.ReasonEN})
	if err != nil {
		return nil, err
	}
	ev := eventRow{StatusEvent: submit.StatusEvent{Kind: submit.EventCorrectionRequested, Status: submit.StatusCorrectionRequested,
		At: now, NoticeID: id}, Arrival: arrival}
	if _, err := s.store.changeStatus(ctx, ev, correctable); err != nil {
		return nil, fmt.Errorf("service: correction %s: %w", arrival, err)
	}
	if a, err = s.store.application(ctx, arrival); err != nil {
		return nil, err
	}
	return s.status(ctx, a)
}

// formHasField reports whether name ("applicant.X" or "fields.X") is a
// field of proc's form.
func formHasField(proc *submit.Procedure, name string) bool {
	if x, ok := strings.CutPrefix(name, "applicant."); ok {
		return slices.Contains(proc.Form.Applicant, x)
	}
	if x, ok := strings.CutPrefix(name, "fields."); ok {
		return slices.ContainsFunc(proc.Form.Fields, func(f submit.Field) bool { return f.Name == x })
	}
	return false
}

// handleSandboxCorrection serves RequestCorrection over HTTP.
func (s *Service) handleSandboxCorrection(w http.ResponseWriter, r *http.Request) {
	var c SandboxCorrection
	if p := readJSONRequest(w, r, s.limits.MaxJSONBytes, &c); p != nil {
		writeProblem(w, p)
		return
	}
	st, err := s.RequestCorrection(r.Context(), r.PathValue("arrival"), c)
	switch {
	case errors.Is(err, errNoRow):
		writeProblem(w, fail(submit.ReasonNotFound, "application"))
	case errors.Is(err, errSvcBadCorrection):
		writeProblem(w, fail(submit.ReasonBadRequest, "fields and reason_ja: the form's fields as applicant.NAME or fields.NAME"))
	case errors.As(err, new(*errWrongStatus)):
		writeProblem(w, fail(submit.ReasonAlreadyProcessed, "status"))
	case err != nil:
		writeProblem(w, fail(submit.ReasonInternal, ""))
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

// handleAmend serves POST /applications/{arrival}/amendments.
func (s *Service) handleAmend(w http.ResponseWriter, r *http.Request) {
	st, status, p := s.amend(w, r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, status, st)
}

func (s *Service) amend(w http.ResponseWriter, r *http.Request) (*submit.ApplicationStatus, int, *apiProblem) {
	ctx := r.Context()
	arrival := r.PathValue("arrival")
	key, p := idempotencyKey(r.Header)
	if p != nil {
		return nil, 0, p
	}
	mt, p := wantMedia(r, submit.MediaASiCE, submit.MediaJSON)
	if p != nil {
		return nil, 0, p
	}
	a, proc, p := s.ownApplication(r, arrival)
	if p != nil {
		return nil, 0, p
	}
	acct, _, p := s.session(r)
	if p != nil {
		return nil, 0, p
	}
	if mt == submit.MediaJSON && proc.Level.NeedsSignature() {
		return nil, 0, fail(submit.ReasonSignatureRequired, "an unsigned form was sent")
	}
	limit := s.limits.MaxJSONBytes
	if mt == submit.MediaASiCE {
		limit = min(s.limits.MaxPackageBytes, proc.Form.MaxPackageBytes)
	}
	if p := limitBody(w, r, limit); p != nil {
		return nil, 0, p
	}
	body, p := s.receive(r, mt)
	if p != nil {
		return nil, 0, p
	}
	defer body.discard()
	if st, p, replay := s.amendmentReplay(ctx, arrival, key, body.sum); replay {
		return st, http.StatusOK, p
	}
	if a.Status != submit.StatusCorrectionRequested {
		return nil, 0, fail(submit.ReasonAmendmentNotRequested, "status: "+string(a.Status))
	}
	row, p := s.checkApplication(ctx, proc, acct, body)
	if p != nil {
		return nil, 0, p
	}
	if proc.Level.NeedsSignature() {
		rep, err := signer.Verify(ctx, body.path, signer.VerifyOptions{Roots: s.anchors, Intermediates: s.inter, At: s.now()})
		if err != nil || rep.Signer == nil {
			return nil, 0, fail(submit.ReasonInternal, "")
		}
		if p := s.sameSigner(ctx, a, rep.Signer); p != nil {
			return nil, 0, p
		}
	}
	if err := s.store.putPackage(body.path, body.sum); err != nil {
		return nil, 0, fail(submit.ReasonInternal, "")
	}
	body.path = "" // stored
	ev := eventRow{StatusEvent: submit.StatusEvent{Kind: submit.EventAmended, Status: submit.StatusReviewing, At: s.now(),
		PackageSHA256: body.sum}, Arrival: arrival, MediaType: mt, Size: body.size, SignerCertSHA256: row.SignerCertSHA256, IdemKey: key}
	prev, err := s.store.changeStatus(ctx, ev, []submit.Status{submit.StatusCorrectionRequested})
	var ws *errWrongStatus
	switch {
	case errors.As(err, &ws):
		return nil, 0, fail(submit.ReasonAmendmentNotRequested, "status: "+string(ws.status))
	case err != nil:
		return nil, 0, fail(submit.ReasonInternal, "")
	case prev != nil: // a parallel request with the same key won
		st, p, _ := s.amendmentReplay(ctx, arrival, key, body.sum)
		return st, http.StatusOK, p
	}
	st, p := s.currentStatus(ctx, arrival)
	return st, http.StatusCreated, p
}

// amendmentReplay answers an amendment whose key was seen for the
// application: its status when the body is the same,
// idempotency-key-reused otherwise. replay is false for a new key.
func (s *Service) amendmentReplay(ctx context.Context, arrival, key, sum string) (*submit.ApplicationStatus, *apiProblem, bool) {
	evs, err := s.store.events(ctx, arrival)
	if err != nil {
		return nil, fail(submit.ReasonInternal, ""), true
	}
	for _, e := range evs {
		if e.IdemKey != key {
			continue
		}
		if e.PackageSHA256 != sum {
			return nil, fail(submit.ReasonIdempotencyConflict, submit.HeaderIdemKey), true
		}
		st, p := s.currentStatus(ctx, arrival)
		return st, p, true
	}
	return nil, nil, false
}
