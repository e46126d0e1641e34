package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// handleSubmit receives an application: POST /procedures/{id}/applications.
func (s *Service) handleSubmit(w http.ResponseWriter, r *http.Request) {
	rec, status, p := s.submit(w, r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, status, rec)
}

// submit checks, in order: the procedure, the Idempotency-Key, the
// session the level needs, the account's user type (for a package, once
// it is read: a proxy named by that account may file for another kind
// of user), the media type the level allows, the body's size; then a retry of a stored application is answered from the store;
// then the content is verified (signature, certificate, revocation,
// certificate type, form schema, identity, signer = account holder) and
// the package and its record are stored: the file durably first, then
// the row in one transaction.
func (s *Service) submit(w http.ResponseWriter, r *http.Request) (*submit.Receipt, int, *apiProblem) {
	ctx := r.Context()
	proc := s.procs[r.PathValue("id")]
	if proc == nil {
		return nil, 0, fail(submit.ReasonUnknownProcedure, "procedure")
	}
	key, p := idempotencyKey(r.Header)
	if p != nil {
		return nil, 0, p
	}
	acct, _, p := s.session(r)
	if p != nil {
		return nil, 0, p
	}
	if proc.Level.NeedsLogin() && acct == nil {
		return nil, 0, fail(submit.ReasonLoginRequired, "this procedure needs a session")
	}
	// An account of a kind the procedure is not for is refused — unless
	// it is the proxy a power of attorney names by account (a 行政書士's
	// office filing for residents with its company account), which only
	// the package can tell: a package is read before that refusal.
	var wrongKind *apiProblem
	if acct != nil && !slices.Contains(proc.For, acct.UserType) {
		wrongKind = accountKindRefusal(acct)
	}
	mt, p := wantMedia(r, submit.MediaASiCE, submit.MediaJSON)
	if wrongKind != nil && (p != nil || mt != submit.MediaASiCE) {
		return nil, 0, wrongKind
	}
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
	if wrongKind != nil && !namesProxyAccount(body.path, acct.ID) {
		return nil, 0, wrongKind
	}
	owner := ""
	if acct != nil {
		owner = acct.ID
	}
	prev, err := s.store.applicationByKey(ctx, owner, key)
	switch {
	case err == nil:
		return s.replay(prev, proc, body)
	case !errors.Is(err, errNoRow):
		return nil, 0, fail(submit.ReasonInternal, "")
	}
	app, p := s.checkApplication(ctx, proc, acct, body)
	if p != nil {
		return nil, 0, p
	}
	if app.SignatureSHA256 != "" {
		switch prev, err := s.store.applicationBySignature(ctx, proc.ID, app.SignatureSHA256); {
		case err == nil:
			return nil, 0, alreadyReceived(prev, acct)
		case !errors.Is(err, errNoRow):
			return nil, 0, fail(submit.ReasonInternal, "")
		}
	}
	var archived *archivedFile
	if mt == submit.MediaASiCE {
		if archived, err = s.archiveCopy(ctx, body, app.verified); err != nil {
			return nil, 0, fail(submit.ReasonInternal, "")
		}
		defer archived.discard()
		app.ArchivedSHA256 = archived.sum
	}
	now := s.now().Truncate(time.Millisecond)
	app.Procedure, app.Owner, app.IdemKey = proc.ID, owner, key
	app.PackageSHA256, app.MediaType, app.Size = body.sum, mt, body.size
	app.Status, app.ReceivedAt, app.UpdatedAt = submit.StatusReceived, now, now
	if err := s.store.putPackage(body.path, body.sum); err != nil {
		return nil, 0, fail(submit.ReasonInternal, "")
	}
	body.path = "" // stored
	stored, created, err := s.store.insertApplication(ctx, *app)
	var dup *duplicateError
	switch {
	case errors.As(err, &dup): // a parallel replay was stored first
		if dup.prev.PackageSHA256 != body.sum {
			s.store.dropUnreferenced(ctx, body.sum)
		}
		return nil, 0, alreadyReceived(dup.prev, acct)
	case err != nil:
		return nil, 0, fail(submit.ReasonInternal, "")
	}
	if !created { // a concurrent request with the same key won
		return s.replay(stored, proc, body)
	}
	if err := s.keepArchive(archived, stored.Arrival); err != nil {
		// The application is stored; its archived copy is not.
		return nil, 0, fail(submit.ReasonInternal, "")
	}
	rec := s.receipt(stored)
	return &rec, http.StatusCreated, nil
}

// replay answers a request whose key was seen: the same receipt when the
// body and procedure are the same, idempotency-key-reused otherwise.
func (s *Service) replay(prev *applicationRow, proc *submit.Procedure, body *receivedBody) (*submit.Receipt, int, *apiProblem) {
	if prev.PackageSHA256 != body.sum || prev.Procedure != proc.ID {
		return nil, 0, fail(submit.ReasonIdempotencyConflict, submit.HeaderIdemKey)
	}
	rec := s.receipt(prev)
	return &rec, http.StatusOK, nil
}

// checkApplication verifies a body for proc and returns the record to
// store (without the fields submit fills in).
func (s *Service) checkApplication(ctx context.Context, proc *submit.Procedure, acct *accountRow, body *receivedBody) (*applicationRow, *apiProblem) {
	if body.mediaType == submit.MediaJSON {
		data, err := os.ReadFile(body.path)
		if err != nil {
			return nil, fail(submit.ReasonInternal, "")
		}
		if _, p := decodeForm(data, proc, false); p != nil {
			return nil, p
		}
		return &applicationRow{}, nil
	}
	if carriesPowerOfAttorney(body.path) {
		return s.checkProxyApplication(ctx, proc, acct, body)
	}
	if !proc.Level.NeedsSignature() {
		// An intact package is accepted; its signer is not checked, since
		// the level does not ask for a signature.
		rep, p := s.verifyIntegrity(ctx, body.path)
		if p != nil {
			if p.Problem.Reason == submit.ReasonSignatureRequired {
				p = fail(submit.ReasonSignatureInvalid, p.Problem.Detail+"; send an unsigned form as JSON")
			}
			return nil, p
		}
		v := &verifiedPackage{report: rep}
		if p := v.readForm(body.path); p != nil {
			return nil, p
		}
		if _, p := decodeForm(v.form, proc, true); p != nil {
			return nil, p
		}
		if p := checkAttachments(proc, v); p != nil {
			return nil, p
		}
		return &applicationRow{SignatureSHA256: signatureKey(rep), verified: v}, nil
	}
	v, p := s.verifySigned(ctx, body.path, proc.For)
	if p != nil {
		return nil, p
	}
	doc, p := decodeForm(v.form, proc, true)
	if p != nil {
		return nil, p
	}
	if p := checkAttachments(proc, v); p != nil {
		return nil, p
	}
	if p := v.checkIdentity(doc); p != nil {
		return nil, p
	}
	if proc.Level == submit.LevelIDPWSignature && !proc.ProxyAllowed && !v.sameHolder(acct) {
		return nil, fail(submit.ReasonSignerNotHolder, "signer")
	}
	return &applicationRow{SignerCertSHA256: v.certSHA256(), SignatureSHA256: signatureKey(v.report), verified: v}, nil
}

func checkAttachments(proc *submit.Procedure, v *verifiedPackage) *apiProblem {
	if v.attachments > proc.Form.MaxAttachments {
		return fail(submit.ReasonFormInvalid, fmt.Sprintf("attachments: at most %d", proc.Form.MaxAttachments)).
			withText(fmt.Sprintf("添付ファイルは%d件までです。", proc.Form.MaxAttachments),
				fmt.Sprintf("At most %d attachments are accepted.", proc.Form.MaxAttachments))
	}
	return nil
}

// receipt is the answer about a stored application. Applications filed
// without a session carry their inquiry number.
func (s *Service) receipt(a *applicationRow) submit.Receipt {
	r := submit.Receipt{ArrivalNumber: a.Arrival, Procedure: a.Procedure, ReceivedAt: a.ReceivedAt.In(jst),
		Status: a.Status, PackageSHA256: a.PackageSHA256, ArchivedSHA256: a.ArchivedSHA256}
	if a.Owner == "" {
		r.InquiryNumber = s.inquiryNumber(a.Arrival)
	}
	return r
}

// inquiryNumber derives an anonymous application's inquiry number
// (問合せ番号, 12 digits as 1234-5678-9012) from its arrival number with
// the service's secret key, so that the database holds none of them.
func (s *Service) inquiryNumber(arrival string) string {
	mac := hmac.New(sha256.New, s.inquiry)
	mac.Write([]byte(arrival))
	n := binary.BigEndian.Uint64(mac.Sum(nil)) % 1_000_000_000_000
	d := fmt.Sprintf("%012d", n)
	return d[:4] + "-" + d[4:8] + "-" + d[8:]
}

// authorizedApplication returns the application arrival when the request
// may see it: the owner's session, or the right inquiry number for one
// filed without a session. Anything else is not-found (which does not
// tell whether the number exists) and counts as a failure of the client
// address.
func (s *Service) authorizedApplication(r *http.Request, arrival string) (*applicationRow, *apiProblem) {
	acct, _, p := s.session(r)
	if p != nil {
		return nil, p
	}
	inquiry := r.Header.Get(submit.HeaderInquiry)
	if acct == nil && inquiry == "" {
		return nil, fail(submit.ReasonLoginRequired, "Authorization or "+submit.HeaderInquiry).
			withText("ログインするか、問合せ番号を入力してください。", "Please log in or give the inquiry number.")
	}
	ip, now := clientIP(r), s.now()
	if blocked, wait := s.failures.blocked(ip, now); blocked {
		return nil, fail(submit.ReasonRateLimited, "too many failures from this address").retryAfter(wait)
	}
	a, err := s.store.application(r.Context(), arrival)
	if err != nil && !errors.Is(err, errNoRow) {
		return nil, fail(submit.ReasonInternal, "")
	}
	ok := false
	if a != nil {
		switch {
		case acct != nil:
			ok = a.Owner == acct.ID
		case a.Owner == "":
			want := strings.ReplaceAll(s.inquiryNumber(a.Arrival), "-", "")
			got := strings.NewReplacer("-", "", " ", "").Replace(inquiry)
			ok = subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
		}
	}
	if !ok {
		s.failures.add(ip, now)
		return nil, fail(submit.ReasonNotFound, "application")
	}
	return a, nil
}

// handleStatus answers GET /applications/{arrival}.
func (s *Service) handleStatus(w http.ResponseWriter, r *http.Request) {
	a, p := s.authorizedApplication(r, r.PathValue("arrival"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	st, err := s.status(r.Context(), a)
	if err != nil {
		writeProblem(w, fail(submit.ReasonInternal, ""))
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// status is the ApplicationStatus of a stored application.
func (s *Service) status(ctx context.Context, a *applicationRow) (*submit.ApplicationStatus, error) {
	notices, err := s.store.notices(ctx, a.Arrival)
	if err != nil {
		return nil, err
	}
	st := &submit.ApplicationStatus{Receipt: s.receipt(a), UpdatedAt: a.UpdatedAt.In(jst)}
	for _, n := range notices {
		st.Notices = append(st.Notices, n.Notice)
	}
	if st.History, err = s.history(ctx, a); err != nil {
		return nil, err
	}
	return st, nil
}

// handleNotice returns a notice's signed package to whoever may see its
// application.
func (s *Service) handleNotice(w http.ResponseWriter, r *http.Request) {
	s.serveNotice(w, r, func(n *noticeRow) (string, string, string) {
		return n.PackageSHA256, submit.MediaASiCE, ".asice"
	})
}

// serveNotice answers a request for a notice's file — what file says of
// the notice: its SHA-256 in the store ("" for none), media type and
// extension — to whoever may see the notice's application.
func (s *Service) serveNotice(w http.ResponseWriter, r *http.Request, file func(*noticeRow) (sum, media, ext string)) {
	n, err := s.store.notice(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, errNoRow):
		// Still ask for credentials first, so that an unauthenticated
		// caller learns nothing about which IDs exist.
		if _, p := s.authorizedApplication(r, ""); p != nil {
			writeProblem(w, p)
			return
		}
		writeProblem(w, fail(submit.ReasonNotFound, "notice"))
		return
	case err != nil:
		writeProblem(w, fail(submit.ReasonInternal, ""))
		return
	}
	if _, p := s.authorizedApplication(r, n.Arrival); p != nil {
		writeProblem(w, p)
		return
	}
	sum, media, ext := file(n)
	if sum == "" {
		writeProblem(w, fail(submit.ReasonNotFound, "notice"+ext))
		return
	}
	f, err := s.store.openPackage(sum)
	if err != nil {
		writeProblem(w, fail(submit.ReasonInternal, ""))
		return
	}
	defer f.Close()
	serveFile(w, f, media, "notice-"+n.ID+ext)
}

// serveFile answers with the open file f as an attachment named name.
func serveFile(w http.ResponseWriter, f *os.File, media, name string) {
	w.Header().Set("Content-Type", media)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if fi, err := f.Stat(); err == nil {
		w.Header().Set("Content-Length", fmt.Sprint(fi.Size()))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, f)
}

// ---- sandbox-only: move applications along ----

// SandboxAdvance is the body of the sandbox-only endpoint POST
// /sandbox/applications/{arrival}/status, which stands in for the
// municipality's back office.
type SandboxAdvance struct {
	// Status is the new status.
	Status submit.Status `json:"status"`
	// Notice, when set, issues an official notice for the application,
	// signed with the service's LGPKI 職責 certificate.
	Notice *SandboxNotice `json:"notice,omitempty"`
}

// SandboxNotice is what an official notice says.
type SandboxNotice struct {
	TitleJA string `json:"title_ja"`
	TitleEN string `json:"title_en"`
	BodyJA  string `json:"body_ja,omitempty"`
}

// errSvcBadStatus: Advance was given something that is not a status.
var errSvcBadStatus = errors.New("service: not an application status")

// Advance sets an application's status and, when adv.Notice is set,
// issues a notice; it returns the new status. It is what the sandbox-only
// endpoint does, for tests in process.
func (s *Service) Advance(ctx context.Context, arrival string, adv SandboxAdvance) (*submit.ApplicationStatus, error) {
	switch adv.Status {
	case submit.StatusReceived, submit.StatusReviewing, submit.StatusCompleted, submit.StatusReturned:
	default:
		return nil, fmt.Errorf("%w: %q", errSvcBadStatus, adv.Status)
	}
	a, err := s.store.application(ctx, arrival)
	if err != nil {
		return nil, fmt.Errorf("service: advance %s: %w", arrival, err)
	}
	if a.Status == submit.StatusWithdrawn {
		return nil, fmt.Errorf("service: advance %s: %w", arrival, &errWrongStatus{status: a.Status})
	}
	now := s.now()
	ev := eventRow{StatusEvent: submit.StatusEvent{Kind: submit.EventAdvanced, Status: adv.Status, At: now}, Arrival: arrival}
	if adv.Notice != nil {
		if ev.NoticeID, err = s.issueNotice(ctx, a, *adv.Notice, now, nil); err != nil {
			return nil, err
		}
	}
	// Every status but withdrawn may be left: the back office's word.
	from := []submit.Status{submit.StatusReceived, submit.StatusReviewing, submit.StatusCompleted, submit.StatusReturned,
		submit.StatusCorrectionRequested}
	if _, err := s.store.changeStatus(ctx, ev, from); err != nil {
		return nil, fmt.Errorf("service: advance %s: %w", arrival, err)
	}
	if a, err = s.store.application(ctx, arrival); err != nil {
		return nil, fmt.Errorf("service: advance %s: %w", arrival, err)
	}
	return s.status(ctx, a)
}

// issueNotice builds the notice's package — a JSON form signed by the
// official credential, with the keys of extra besides its own — stores
// it and returns its ID.
func (s *Service) issueNotice(ctx context.Context, a *applicationRow, n SandboxNotice, now time.Time, extra map[string]any) (string, error) {
	id, err := randomToken(12)
	if err != nil {
		return "", err
	}
	id = "N" + strings.NewReplacer("-", "x", "_", "y").Replace(id)
	dir, err := os.MkdirTemp(s.store.incoming, "notice-")
	if err != nil {
		return "", fmt.Errorf("service: notice: %w", err)
	}
	defer fsx.RemoveAll(dir)
	issued := now.In(jst).Truncate(time.Second)
	doc := map[string]any{
		"type": "notice", "notice_id": id, "arrival_number": a.Arrival, "procedure": a.Procedure,
		"title_ja": n.TitleJA, "title_en": n.TitleEN, "body_ja": n.BodyJA, "issued_at": issued,
		"issuer": s.official.Cert.Subject.CommonName,
	}
	for k, v := range extra {
		doc[k] = v
	}
	form, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return "", fmt.Errorf("service: notice: %w", err)
	}
	formPath := filepath.Join(dir, "notice.json")
	if err := os.WriteFile(formPath, form, 0o600); err != nil {
		return "", fmt.Errorf("service: notice: %w", err)
	}
	chain := append([]*x509.Certificate{}, s.official.Intermediates...)
	if s.official.Root != nil {
		chain = append(chain, s.official.Root)
	}
	out := filepath.Join(dir, "notice.asice")
	cred := signer.Credential{Signer: s.official.Key, Cert: s.official.Cert, Chain: chain}
	if _, err := signer.Build(ctx, out, []signer.File{{Name: "notice.json", Path: formPath}}, cred, signer.BuildOptions{}); err != nil {
		return "", fmt.Errorf("service: notice: %w", err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return "", fmt.Errorf("service: notice: %w", err)
	}
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	if err := s.store.putPackage(out, hexSum); err != nil {
		return "", err
	}
	// The same notice as a signed PDF, for residents who keep or forward
	// PDFs.
	pdfPath, err := issueNoticePDF(ctx, dir, cred, noticeLines(n, a, id, issued, s.official.Cert.Subject.CommonName), n.TitleJA, issued)
	if err != nil {
		return "", err
	}
	pdfData, err := os.ReadFile(pdfPath)
	if err != nil {
		return "", fmt.Errorf("service: notice: %w", err)
	}
	pdfSum := sha256.Sum256(pdfData)
	pdfHex := hex.EncodeToString(pdfSum[:])
	if err := s.store.putPackage(pdfPath, pdfHex); err != nil {
		return "", err
	}
	return id, s.store.insertNotice(ctx, noticeRow{Notice: submit.Notice{ID: id, TitleJA: n.TitleJA, TitleEN: n.TitleEN, IssuedAt: issued, PDF: true},
		Arrival: a.Arrival, PackageSHA256: hexSum, PDFSHA256: pdfHex})
}

// handleNoticePDF returns a notice's signed PDF to whoever may see its
// application; 404 for a notice issued without one.
func (s *Service) handleNoticePDF(w http.ResponseWriter, r *http.Request) {
	s.serveNotice(w, r, func(n *noticeRow) (string, string, string) {
		return n.PDFSHA256, submit.MediaPDF, ".pdf"
	})
}

// handleSandboxAdvance serves Advance over HTTP.
func (s *Service) handleSandboxAdvance(w http.ResponseWriter, r *http.Request) {
	var adv SandboxAdvance
	if p := readJSONRequest(w, r, s.limits.MaxJSONBytes, &adv); p != nil {
		writeProblem(w, p)
		return
	}
	st, err := s.Advance(r.Context(), r.PathValue("arrival"), adv)
	switch {
	case errors.Is(err, errNoRow):
		writeProblem(w, fail(submit.ReasonNotFound, "application"))
	case errors.Is(err, errSvcBadStatus):
		writeProblem(w, fail(submit.ReasonBadRequest, "status"))
	case errors.As(err, new(*errWrongStatus)):
		writeProblem(w, fail(submit.ReasonAlreadyProcessed, "status"))
	case err != nil:
		writeProblem(w, fail(submit.ReasonInternal, ""))
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

// Applications returns the receipt of every stored application, oldest
// first, inquiry numbers included: a sandbox view for tests and help
// desks.
func (s *Service) Applications(ctx context.Context) ([]submit.Receipt, error) {
	apps, err := s.store.applications(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]submit.Receipt, 0, len(apps))
	for _, a := range apps {
		out = append(out, s.receipt(a))
	}
	return out, nil
}

// handleSandboxList serves Applications over HTTP.
func (s *Service) handleSandboxList(w http.ResponseWriter, r *http.Request) {
	recs, err := s.Applications(r.Context())
	if err != nil {
		writeProblem(w, fail(submit.ReasonInternal, ""))
		return
	}
	writeJSON(w, http.StatusOK, recs)
}
