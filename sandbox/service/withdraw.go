package service

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// Withdrawal (取下げ): POST /applications/{arrival}/withdrawal. The
// request proves the right to the application as a status inquiry does
// (the owner's session, or the inquiry number of an application filed
// without one), and, for a procedure whose level needs a signature, is
// itself a small package signed by the holder of the certificate that
// signed the application: the same certificate, a renewed one with the
// same four attributes, or the same company's. An application the
// municipality processed (completed, returned) is not withdrawn
// (already-processed); withdrawing a withdrawn one answers its status.

// withdrawable are the statuses a withdrawal may start from.
var withdrawable = []submit.Status{submit.StatusReceived, submit.StatusReviewing, submit.StatusCorrectionRequested}

// handleWithdraw serves POST /applications/{arrival}/withdrawal.
func (s *Service) handleWithdraw(w http.ResponseWriter, r *http.Request) {
	st, p := s.withdraw(w, r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Service) withdraw(w http.ResponseWriter, r *http.Request) (*submit.ApplicationStatus, *apiProblem) {
	ctx := r.Context()
	arrival := r.PathValue("arrival")
	mt, p := wantMedia(r, submit.MediaJSON, submit.MediaASiCE)
	if p != nil {
		return nil, p
	}
	if p := limitBody(w, r, s.limits.MaxJSONBytes); p != nil {
		return nil, p
	}
	a, proc, p := s.ownApplication(r, arrival)
	if p != nil {
		return nil, p
	}
	var req submit.Withdrawal
	signerCert := ""
	switch {
	case proc.Level.NeedsSignature() && mt != submit.MediaASiCE:
		return nil, fail(submit.ReasonSignatureRequired, "withdrawal: the application was signed, so its withdrawal must be signed").
			withText("署名して申請した手続きの取下げには、同じ方の電子証明書による署名が必要です。", "A signed application is withdrawn by a request signed by the same person.")
	case !proc.Level.NeedsSignature() && mt != submit.MediaJSON:
		return nil, fail(submit.ReasonUnsupportedMedia, "withdrawal: send it as JSON")
	case mt == submit.MediaJSON:
		if p := decodeJSON(r.Body, s.limits.MaxJSONBytes, &req); p != nil {
			return nil, p
		}
	default:
		body, p := s.receive(r, mt)
		if p != nil {
			return nil, p
		}
		defer body.discard()
		v, p := s.verifySigned(ctx, body.path, proc.For)
		if p != nil {
			return nil, p
		}
		if p := decodeJSONBytes(v.form, &req); p != nil {
			return nil, p
		}
		if p := s.sameSigner(ctx, a, v.report.Signer); p != nil {
			return nil, p
		}
		signerCert = v.certSHA256()
	}
	if req.Type != submit.WithdrawalType || req.ArrivalNumber != arrival {
		return nil, fail(submit.ReasonBadRequest, `withdrawal: "type" must be "withdrawal" and "arrival_number" the application's`)
	}
	if a.Status != submit.StatusWithdrawn {
		ev := eventRow{StatusEvent: submit.StatusEvent{Kind: submit.EventWithdrawn, Status: submit.StatusWithdrawn, At: s.now()},
			Arrival: arrival, SignerCertSHA256: signerCert}
		_, err := s.store.changeStatus(ctx, ev, withdrawable)
		var ws *errWrongStatus
		switch {
		case errors.As(err, &ws) && ws.status == submit.StatusWithdrawn: // a parallel withdrawal won
		case errors.As(err, &ws):
			return nil, fail(submit.ReasonAlreadyProcessed, "status: "+string(ws.status))
		case err != nil:
			return nil, fail(submit.ReasonInternal, "")
		}
	}
	return s.currentStatus(ctx, arrival)
}

// ownApplication is the application arrival when the request may act on
// it (authorizedApplication), with its procedure.
func (s *Service) ownApplication(r *http.Request, arrival string) (*applicationRow, *submit.Procedure, *apiProblem) {
	a, p := s.authorizedApplication(r, arrival)
	if p != nil {
		return nil, nil, p
	}
	proc := s.procs[a.Procedure]
	if proc == nil {
		return nil, nil, fail(submit.ReasonUnknownProcedure, "procedure")
	}
	return a, proc, nil
}

// currentStatus reads an application again and answers its status.
func (s *Service) currentStatus(ctx context.Context, arrival string) (*submit.ApplicationStatus, *apiProblem) {
	a, err := s.store.application(ctx, arrival)
	if err != nil {
		return nil, fail(submit.ReasonInternal, "")
	}
	st, err := s.status(ctx, a)
	if err != nil {
		return nil, fail(submit.ReasonInternal, "")
	}
	return st, nil
}

// sameSigner checks that cert belongs to the holder of the certificate
// that signed application a: the same certificate, or one with the same
// four attributes (a resident's renewed certificate), or the same
// company's (registered number). Anyone else is not-applicant.
func (s *Service) sameSigner(ctx context.Context, a *applicationRow, cert *x509.Certificate) *apiProblem {
	v := &verifiedPackage{report: &signer.Report{Signer: cert}}
	if a.SignerCertSHA256 != "" && a.SignerCertSHA256 == v.certSHA256() {
		return nil
	}
	orig, err := s.applicationSigner(ctx, a)
	if err != nil {
		return fail(submit.ReasonInternal, "")
	}
	if orig != nil && sameHolder(orig, cert) {
		return nil
	}
	return fail(submit.ReasonNotApplicant, "signer")
}

// applicationSigner reads the certificate that signed a's package; nil
// for an application filed unsigned.
func (s *Service) applicationSigner(ctx context.Context, a *applicationRow) (*x509.Certificate, error) {
	if a.MediaType != submit.MediaASiCE {
		return nil, nil
	}
	rep, err := signer.Verify(ctx, s.store.packagePath(a.PackageSHA256), signer.VerifyOptions{Roots: s.anchors, Intermediates: s.inter, At: s.now()})
	if err != nil {
		return nil, err
	}
	return rep.Signer, nil
}

// sameHolder reports whether two certificates name the same holder: a
// resident's four attributes, or a company's registered number.
func sameHolder(a, b *x509.Certificate) bool {
	if a.Equal(b) {
		return true
	}
	ha, errA := identity.HolderOf(a)
	hb, errB := identity.HolderOf(b)
	switch {
	case errA != nil || errB != nil:
		return false
	case ha.Person != nil && hb.Person != nil:
		pa, pb := ha.Person.Raw, hb.Person.Raw
		return pa.Name == pb.Name && pa.BirthDate == pb.BirthDate && pa.Sex == pb.Sex && pa.Address == pb.Address
	case ha.Corporation != nil && hb.Corporation != nil:
		return ha.Corporation.Number == hb.Corporation.Number
	}
	return false
}
