package service

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// registrySource answers revocation queries from the sandbox registry
// directly: the service is a registered verifier, so it knows the status
// of JPKI certificates too. A certificate the registry never saw issued
// is unknown (and the service's checks fail hard on unknown). The PKI's
// own CA certificates are good.
type registrySource struct {
	cas []*pki.CA
	reg *pki.Registry
}

// Check implements certcheck.Source for certificates issued by a sandbox CA.
func (s *registrySource) Check(_ context.Context, q certcheck.Query) (certcheck.Revocation, bool) {
	if q.Cert == nil || q.Issuer == nil {
		return certcheck.Revocation{}, false
	}
	var issuer *pki.CA
	for _, ca := range s.cas {
		if bytes.Equal(ca.Cert.Raw, q.Issuer.Raw) {
			issuer = ca
		}
		if bytes.Equal(ca.Cert.Raw, q.Cert.Raw) {
			return certcheck.Revocation{Status: certcheck.StatusGood, Source: "service", Location: "registry"}, true
		}
	}
	if issuer == nil {
		return certcheck.Revocation{}, false
	}
	status, rev := s.reg.Status(issuer, q.Cert.SerialNumber)
	out := certcheck.Revocation{Source: "service", Location: "registry"}
	switch status {
	case pki.CertGood:
		out.Status = certcheck.StatusGood
	case pki.CertRevoked:
		out.Status, out.Reason, out.RevokedAt = certcheck.StatusRevoked, rev.Reason.String(), rev.At
	case pki.CertOnHold:
		out.Status, out.Reason, out.RevokedAt = certcheck.StatusOnHold, rev.Reason.String(), rev.At
	default:
		out.Status, out.Detail = certcheck.StatusUnknown, "the issuing authority has no record of this certificate"
	}
	return out, true
}

// receivedBody is a request body written to a file in the incoming
// directory while it was read, with its SHA-256.
type receivedBody struct {
	path      string
	sum       string
	size      int64
	mediaType string
}

// discard removes the file unless it was moved into the store.
func (b *receivedBody) discard() {
	if b != nil && b.path != "" {
		_ = os.Remove(b.path)
	}
}

// receive writes the (already capped) body to a new file in the incoming
// directory, hashing it on the way.
func (s *Service) receive(r *http.Request, mediaType string) (*receivedBody, *apiProblem) {
	f, err := os.CreateTemp(s.store.incoming, "body-*")
	if err != nil {
		return nil, fail(submit.ReasonInternal, "")
	}
	b := &receivedBody{path: f.Name(), mediaType: mediaType}
	h := sha256.New()
	body := &readErrors{r: r.Body}
	b.size, err = io.Copy(io.MultiWriter(f, h), body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		b.discard()
		return nil, fail(submit.ReasonTooLarge, fmt.Sprintf("body over %d bytes", mbe.Limit))
	case body.err != nil:
		// The client closed the connection or stopped mid-body.
		b.discard()
		return nil, aborted()
	case err != nil:
		b.discard()
		return nil, fail(submit.ReasonInternal, "")
	case b.size == 0:
		b.discard()
		return nil, fail(submit.ReasonBadRequest, "empty body")
	}
	b.sum = hex.EncodeToString(h.Sum(nil))
	return b, nil
}

// readErrors remembers the error of reading r, other than io.EOF, to
// tell a client's failure from the service's own failure to write.
type readErrors struct {
	r   io.Reader
	err error
}

func (e *readErrors) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// verifiedPackage is what verification established about a signed package.
type verifiedPackage struct {
	report *signer.Report
	chain  []*x509.Certificate
	domain certcheck.Domain
	person *identity.Person
	corp   *identity.Corporation
	// form is the form's bytes; attachments counts the other files.
	form        []byte
	attachments int
}

// certSHA256 identifies the signer's certificate in records.
func (v *verifiedPackage) certSHA256() string {
	sum := sha256.Sum256(v.report.Signer.Raw)
	return hex.EncodeToString(sum[:])
}

// verifyIntegrity reads and verifies the package at path against the
// service's anchors: structure, signature, manifest and files. The
// certificate's path check is in the report for checkCertificate. An
// unreadable or hostile package is bad-request; a package without a
// signature is signature-required; any other integrity failure is
// signature-invalid with the signer's reason as the detail.
func (s *Service) verifyIntegrity(ctx context.Context, path string) (*signer.Report, *apiProblem) {
	rep, err := signer.Verify(ctx, path, signer.VerifyOptions{Roots: s.anchors, Intermediates: s.inter, TSARoots: s.tsaRoots, At: s.now()})
	switch {
	case errors.Is(err, signer.ErrTooLarge):
		return nil, fail(submit.ReasonBadRequest, "package: beyond the limits of the package reader (entries, sizes or compression ratio)")
	case errors.Is(err, signer.ErrMalformed):
		return nil, fail(submit.ReasonBadRequest, "package: not a readable ASiC-E package")
	case err != nil:
		return nil, fail(submit.ReasonInternal, "")
	}
	if rep.Integrity.OK && rep.Signer == nil {
		// Intact but signed by no one: time-stamp tokens alone.
		return rep, fail(submit.ReasonSignatureRequired, "package: "+signer.ReasonSignatureMissing)
	}
	if !rep.Integrity.OK {
		if rep.Integrity.Reason == signer.ReasonSignatureMissing {
			return rep, fail(submit.ReasonSignatureRequired, "package: "+signer.ReasonSignatureMissing)
		}
		return rep, fail(submit.ReasonSignatureInvalid, "package: "+rep.Integrity.Reason)
	}
	return rep, nil
}

// checkPath turns the report's certificate path check into a refusal:
// expired or not yet valid, or anything else (untrusted, key usage).
func checkPath(c signer.Check) *apiProblem {
	if c.OK {
		return nil
	}
	switch certcheck.Reason(c.Reason) {
	case certcheck.ReasonExpired, certcheck.ReasonNotYetValid:
		return fail(submit.ReasonCertificateExpired, "certificate: "+c.Reason)
	}
	return fail(submit.ReasonCertificateUntrusted, "certificate: "+c.Reason)
}

// checkRevocation asks the registry about every certificate on the path
// and fails hard: revoked or on hold is certificate-revoked, unknown is
// certificate-status-unknown.
func (s *Service) checkRevocation(ctx context.Context, leaf *x509.Certificate, chain []*x509.Certificate) (*certcheck.Result, *apiProblem) {
	var inter []*x509.Certificate
	if len(chain) > 1 {
		inter = chain[1:]
	}
	res := certcheck.Check(ctx, leaf, certcheck.Options{Roots: s.anchors, Intermediates: append(inter, s.inter...),
		At: s.now(), Sources: []certcheck.Source{s.source}, RequireRevocation: true})
	switch res.Outcome {
	case certcheck.Good:
		return res, nil
	case certcheck.Indeterminate:
		return res, fail(submit.ReasonCertificateUnknown, "certificate: "+string(res.Reason))
	}
	switch res.Reason {
	case certcheck.ReasonRevoked, certcheck.ReasonOnHold:
		return res, fail(submit.ReasonCertificateRevoked, "certificate: "+string(res.Reason))
	case certcheck.ReasonExpired, certcheck.ReasonNotYetValid:
		return res, fail(submit.ReasonCertificateExpired, "certificate: "+string(res.Reason))
	}
	return res, fail(submit.ReasonCertificateUntrusted, "certificate: "+string(res.Reason))
}

// certificateFor checks that the signer's certificate is the kind the
// user type needs — a JPKI signature certificate for residents, a
// commercial-registry certificate for companies — and reads its identity.
func (v *verifiedPackage) certificateFor(users []submit.UserType) *apiProblem {
	anchor := v.chain[len(v.chain)-1]
	v.domain = certcheck.DomainOf(anchor)
	holder, err := identity.HolderOf(v.report.Signer)
	for _, u := range users {
		switch {
		case err != nil:
		case u == submit.UserResident && v.domain == certcheck.DomainJPKI && holder.Person != nil:
			v.person = holder.Person
			return nil
		case u == submit.UserCompany && v.domain == certcheck.DomainRegistry && holder.Corporation != nil:
			v.corp = holder.Corporation
			return nil
		}
	}
	want := make([]string, len(users))
	for i, u := range users {
		want[i] = string(u)
	}
	return fail(submit.ReasonWrongCertificateType, fmt.Sprintf("certificate: a %s certificate, want one for %s",
		v.domain, strings.Join(want, " or ")))
}

// verifySigned runs every check of a signed package for users: integrity,
// the certificate's path, its kind, and its revocation; then reads the
// form (at most maxFormJSON bytes).
func (s *Service) verifySigned(ctx context.Context, path string, users []submit.UserType) (*verifiedPackage, *apiProblem) {
	rep, p := s.verifyIntegrity(ctx, path)
	if p != nil {
		return nil, p
	}
	if p := checkPath(rep.Certificate); p != nil {
		return nil, p
	}
	v := &verifiedPackage{report: rep, chain: rep.Chain}
	if p := v.certificateFor(users); p != nil {
		return nil, p
	}
	if _, p := s.checkRevocation(ctx, rep.Signer, rep.Chain); p != nil {
		return nil, p
	}
	if p := v.readForm(path); p != nil {
		return nil, p
	}
	return v, nil
}

// readForm reads the package's form — the manifest's root file, or its
// first file — and checks it is the file the manifest signed.
func (v *verifiedPackage) readForm(path string) *apiProblem {
	var form *signer.FileResult
	for i, f := range v.report.Files {
		if f.Form {
			form = &v.report.Files[i]
		}
	}
	if form == nil && len(v.report.Files) > 0 {
		form = &v.report.Files[0]
	}
	if form == nil {
		return fail(submit.ReasonFormInvalid, "package: no form")
	}
	v.attachments = len(v.report.Files) - 1
	if form.Size > maxFormJSON {
		return fail(submit.ReasonFormInvalid, fmt.Sprintf("form: over %d bytes", maxFormJSON))
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fail(submit.ReasonBadRequest, "package: not a readable ASiC-E package")
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != form.Name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fail(submit.ReasonFormInvalid, "form: cannot be read")
		}
		data, err := iox.ReadAll(rc, maxFormJSON)
		rc.Close()
		sum := sha256.Sum256(data)
		if err != nil || hex.EncodeToString(sum[:]) != form.SHA256 {
			return fail(submit.ReasonFormInvalid, "form: cannot be read")
		}
		v.form = data
		return nil
	}
	return fail(submit.ReasonFormInvalid, "package: no form")
}

// checkIdentity compares the form's applicant block with the
// certificate: the four attributes for a resident, the registered
// attributes for a company. match-normalized passes; a mismatch names
// the fields, never their values.
func (v *verifiedPackage) checkIdentity(doc submit.FormDocument) *apiProblem {
	a, err := applicantOf(doc.Applicant)
	if err != nil {
		return fail(submit.ReasonFormInvalid, "applicant")
	}
	var res identity.Result
	if v.person != nil {
		res = identity.MatchPerson(v.person, a)
	} else {
		res = identity.MatchCorporation(v.corp, a)
	}
	if res.OK() {
		return nil
	}
	var fields []string
	for _, f := range res.Mismatches() {
		fields = append(fields, f.Field)
	}
	if len(fields) == 0 {
		return fail(submit.ReasonIdentityMismatch, "applicant: no field to compare")
	}
	ja, en := labelsOf(fields)
	return fail(submit.ReasonIdentityMismatch, "applicant: "+strings.Join(fields, ",")).
		withMessage("申請者欄の"+ja+"が電子証明書の記録と一致しません。電子証明書に記録されているとおりに入力してから、署名し直してください。",
			"The applicant's "+en+" do not match the certificate. Please enter them exactly as recorded in the certificate and sign again.")
}

// applicantOf reads the form's applicant block as identity reads it.
func applicantOf(block map[string]any) (identity.Applicant, error) {
	var a identity.Applicant
	data, err := json.Marshal(block)
	if err != nil {
		return a, err
	}
	err = a.UnmarshalJSON(data)
	return a, err
}

// sameHolder reports whether the signer is the account's holder: the
// same four attributes, or the same registered number and name.
func (v *verifiedPackage) sameHolder(acct *accountRow) bool {
	switch {
	case acct.UserType == submit.UserResident && v.person != nil:
		p := acct.Person
		return identity.MatchPerson(v.person, identity.Applicant{Name: p.Name, BirthDate: p.BirthDate, Sex: p.Sex, Address: p.Address}).OK()
	case acct.UserType == submit.UserCompany && v.corp != nil:
		return identity.MatchCorporation(v.corp, identity.Applicant{CorporateName: acct.CorpName, CorporateNumber: acct.CorpNumber}).OK()
	}
	return false
}
