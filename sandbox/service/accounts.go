package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// Argon2id parameters (OWASP's recommendation: 19 MiB, 2 passes, 1 lane).
// They are stored with each hash, so that they can be raised later.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// hashPassword returns the PHC string of an Argon2id hash of pw (in NFC,
// as submit.NormalizePassword makes it) with a fresh salt, run in the hash
// budget's high-priority lane (registration is throttled and needs a
// certificate).
func (s *Service) hashPassword(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("service: salt: %w", err)
	}
	var key []byte
	if err := s.hashes.run(ctx, false, func() {
		key = argon2.IDKey([]byte(submit.NormalizePassword(pw)), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	}); err != nil {
		return "", fmt.Errorf("service: hash: %w", err)
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword compares pw (in NFC) with a PHC Argon2id hash in constant
// time, in the hash budget's low-priority lane when low is set. It returns
// ctx's error when the request ended while it waited for the budget.
func (s *Service) checkPassword(ctx context.Context, encoded, pw string, low bool) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, nil
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false, nil
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, nil
	}
	var got []byte
	if err := s.hashes.run(ctx, low, func() { got = argon2.IDKey([]byte(submit.NormalizePassword(pw)), salt, t, m, p, uint32(len(want))) }); err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// randomToken returns n random bytes as unpadded base64url.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("service: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func sha256Of(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// newAccountID returns "R" (resident) or "C" (company) and ten random digits.
func newAccountID(ut submit.UserType) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1e10))
	if err != nil {
		return "", fmt.Errorf("service: account ID: %w", err)
	}
	prefix := "R"
	if ut == submit.UserCompany {
		prefix = "C"
	}
	return fmt.Sprintf("%s%010d", prefix, n), nil
}

// ---- challenges ----

// handleChallenge issues a single-use challenge.
func (s *Service) handleChallenge(w http.ResponseWriter, r *http.Request) {
	if p := s.throttle(r); p != nil {
		writeProblem(w, p)
		return
	}
	value, err := randomToken(32)
	if err != nil {
		writeProblem(w, fail(submit.ReasonInternal, ""))
		return
	}
	now := s.now()
	expires := now.Add(s.limits.ChallengeTTL)
	if err := s.store.createChallenge(r.Context(), sha256Of(value), now, expires); err != nil {
		writeProblem(w, fail(submit.ReasonInternal, ""))
		return
	}
	writeJSON(w, http.StatusCreated, submit.Challenge{Challenge: value, ExpiresAt: expires.In(jst).Truncate(time.Second)})
}

// useChallenge consumes a challenge or refuses with challenge-invalid.
func (s *Service) useChallenge(ctx context.Context, value string) *apiProblem {
	ok, err := s.store.consumeChallenge(ctx, sha256Of(value), s.now())
	switch {
	case err != nil:
		return fail(submit.ReasonInternal, "")
	case !ok:
		return fail(submit.ReasonChallengeInvalid, "challenge")
	}
	return nil
}

// ---- registration ----

// handleRegister issues an account from a signed registration request;
// for an identity already registered it resets that account only when the
// request asks for it (reset_password), else refuses with account-exists. The identity is the
// certificate's; the request itself is not kept, since it holds the
// password.
func (s *Service) handleRegister(w http.ResponseWriter, r *http.Request) {
	acct, status, p := s.register(r.Context(), w, r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, status, acct)
}

func (s *Service) register(ctx context.Context, w http.ResponseWriter, r *http.Request) (*submit.Account, int, *apiProblem) {
	if p := s.throttle(r); p != nil {
		return nil, 0, p
	}
	if _, p := wantMedia(r, submit.MediaASiCE); p != nil {
		return nil, 0, p
	}
	if p := limitBody(w, r, s.limits.MaxJSONBytes); p != nil {
		return nil, 0, p
	}
	body, p := s.receive(r, submit.MediaASiCE)
	if p != nil {
		return nil, 0, p
	}
	defer body.discard()
	rep, p := s.verifyIntegrity(ctx, body.path)
	if p != nil {
		return nil, 0, p
	}
	v := &verifiedPackage{report: rep, chain: rep.Chain}
	if p := v.readForm(body.path); p != nil {
		return nil, 0, p
	}
	reg, p := decodeRegistration(v.form)
	if p != nil {
		return nil, 0, p
	}
	if p := s.useChallenge(ctx, reg.Challenge); p != nil {
		return nil, 0, p
	}
	if p := checkPath(rep.Certificate); p != nil {
		return nil, 0, p
	}
	if p := v.certificateFor([]submit.UserType{reg.UserType}); p != nil {
		return nil, 0, p
	}
	if _, p := s.checkRevocation(ctx, rep.Signer, rep.Chain); p != nil {
		return nil, 0, p
	}
	a := accountRow{UserType: reg.UserType, CertSHA256: v.certSHA256(), Email: reg.Email}
	if v.person != nil {
		a.Person = personRecord{Name: v.person.Name, NameFlags: v.person.Raw.NameFlags, BirthDate: v.person.BirthDate.ISO(),
			Sex: v.person.Sex.Code(), Address: v.person.Address, AddressFlags: v.person.Raw.AddressFlags}
		a.IdentityKey = identityKey("resident", a.Person.Name, a.Person.BirthDate, a.Person.Sex, a.Person.Address)
	} else {
		a.CorpNumber, a.CorpName = v.corp.Number, v.corp.Name
		a.IdentityKey = identityKey("company", a.CorpNumber)
	}
	password, generated := reg.Password, ""
	if password == "" {
		password = readablePassword()
		generated = password
	}
	var err error
	if a.PasswordHash, err = s.hashPassword(ctx, password); err != nil {
		return nil, 0, fail(submit.ReasonInternal, "")
	}
	id, created, err := s.store.upsertAccount(ctx, a, reg.ResetPassword, func() (string, error) { return newAccountID(a.UserType) }, s.now())
	if errors.Is(err, errAccountExists) {
		// The certificate proved who asks, so the ID may be named.
		return nil, 0, fail(submit.ReasonAccountExists, id)
	}
	if err != nil {
		return nil, 0, fail(submit.ReasonInternal, "")
	}
	// The holder proved who they are: no lock stays.
	s.gate.clear(id)
	status := http.StatusOK // an existing account was reset
	if created {
		status = http.StatusCreated
	}
	return &submit.Account{AccountID: id, UserType: a.UserType, InitialPassword: generated}, status, nil
}

// identityKey is the digest accounts are told apart by.
func identityKey(kind string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return kind + ":" + hex.EncodeToString(sum[:])
}

// ---- sessions ----

// session returns the account of the request's bearer token: nil
// without an Authorization header, login-required for a token that is
// not a live session.
func (s *Service) session(r *http.Request) (*accountRow, []byte, *apiProblem) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil, nil
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 256 {
		return nil, nil, fail(submit.ReasonLoginRequired, "Authorization: Bearer TOKEN")
	}
	hash := sha256Of(token)
	acct, err := s.store.sessionAccount(r.Context(), hash, s.now())
	switch {
	case errors.Is(err, errNoRow):
		return nil, nil, fail(submit.ReasonLoginRequired, "session expired or ended").
			withText("ログインの有効期限が切れました。", "Your session has expired.")
	case err != nil:
		return nil, nil, fail(submit.ReasonInternal, "")
	}
	return acct, hash, nil
}

// newSession starts a session for an account.
func (s *Service) newSession(ctx context.Context, accountID string) (*submit.Session, *apiProblem) {
	token, err := randomToken(32)
	if err != nil {
		return nil, fail(submit.ReasonInternal, "")
	}
	now := s.now()
	expires := now.Add(s.limits.SessionTTL)
	if err := s.store.createSession(ctx, sha256Of(token), accountID, now, expires); err != nil {
		return nil, fail(submit.ReasonInternal, "")
	}
	return &submit.Session{Token: token, AccountID: accountID, ExpiresAt: expires.In(jst).Truncate(time.Second)}, nil
}

// handleLogin logs in by ID and password, with the login throttling of
// lockout.go and the client address's throttling.
func (s *Service) handleLogin(w http.ResponseWriter, r *http.Request) {
	sess, p := s.login(w, r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusCreated, sess)
}

// acceptLoginJSON applies what both logins check before reading the body:
// the client address's throttle, the JSON media type and the size cap.
func (s *Service) acceptLoginJSON(w http.ResponseWriter, r *http.Request) *apiProblem {
	if p := s.throttle(r); p != nil {
		return p
	}
	if _, p := wantMedia(r, submit.MediaJSON); p != nil {
		return p
	}
	return limitBody(w, r, s.limits.MaxJSONBytes)
}

// login checks an ID and password. The attempt is reserved at the gate
// before anything else, so that no more checks run than the lockout
// allows; an unknown ID goes through the same gate and the same Argon2
// work (against dummyHash) as a known one, so that neither the answers
// nor their timing tell whether an ID exists.
func (s *Service) login(w http.ResponseWriter, r *http.Request) (*submit.Session, *apiProblem) {
	ctx := r.Context()
	if p := s.acceptLoginJSON(w, r); p != nil {
		return nil, p
	}
	l, p := decodeLogin(r.Body, s.limits.MaxJSONBytes)
	if p != nil {
		return nil, p
	}
	ip, now := clientIP(r), s.now()
	low := s.failures.any(ip, now) // an address that has been failing waits behind clean ones
	t, wait, ok := s.gate.reserve(l.AccountID, ip, now)
	if !ok {
		return nil, fail(submit.ReasonAccountLocked, "account").retryAfter(wait)
	}
	acct, err := s.store.account(ctx, l.AccountID)
	if err != nil && !errors.Is(err, errNoRow) {
		t.cancel()
		return nil, fail(submit.ReasonInternal, "")
	}
	hash := s.dummyHash // the same work whether or not the account exists
	if acct != nil {
		hash = acct.PasswordHash
	}
	good, err := s.checkPassword(ctx, hash, l.Password, low)
	if err != nil {
		t.cancel()
		return nil, aborted()
	}
	if acct == nil {
		s.dummyChecks.Add(1)
	} else {
		s.passwordChecks.Add(1)
	}
	if !good || acct == nil {
		s.failures.add(ip, now)
		if wait, locked := t.fail(s.now()); locked {
			return nil, fail(submit.ReasonAccountLocked, "account").retryAfter(wait)
		}
		return nil, fail(submit.ReasonInvalidCredentials, "")
	}
	t.succeed()
	return s.newSession(ctx, acct.ID)
}

// handleCertificateLogin logs a company in by a detached CMS signature
// over a challenge, made with the registry certificate of a registered
// company.
func (s *Service) handleCertificateLogin(w http.ResponseWriter, r *http.Request) {
	sess, p := s.certificateLogin(w, r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusCreated, sess)
}

func (s *Service) certificateLogin(w http.ResponseWriter, r *http.Request) (*submit.Session, *apiProblem) {
	ctx := r.Context()
	if p := s.acceptLoginJSON(w, r); p != nil {
		return nil, p
	}
	cl, p := decodeCertificateLogin(r.Body, s.limits.MaxJSONBytes)
	if p != nil {
		return nil, p
	}
	if p := s.useChallenge(ctx, cl.Challenge); p != nil {
		return nil, p
	}
	rep, p := s.verifyChallengeSignature(ctx, cl)
	if p != nil {
		return nil, p
	}
	if p := checkPath(rep.Certificate); p != nil {
		return nil, p
	}
	v := &verifiedPackage{report: rep, chain: rep.Chain}
	if p := v.certificateFor([]submit.UserType{submit.UserCompany}); p != nil {
		return nil, p
	}
	if _, p := s.checkRevocation(ctx, rep.Signer, rep.Chain); p != nil {
		return nil, p
	}
	accts, err := s.store.accountsByCorporateNumber(ctx, v.corp.Number)
	if err != nil {
		return nil, fail(submit.ReasonInternal, "")
	}
	for _, a := range accts {
		if v.sameHolder(a) {
			return s.newSession(ctx, a.ID)
		}
	}
	s.failures.add(clientIP(r), s.now())
	return nil, fail(submit.ReasonInvalidCredentials, "no account for this company").
		withText("この法人の利用者登録が見つかりません。先に電子証明書で利用者登録をしてください。",
			"No account is registered for this company; please register with the certificate first.")
}

// verifyChallengeSignature verifies the detached signature over the
// challenge's characters (its ASCII bytes, as issued); a signature over
// the bytes the base64url text decodes to is accepted too.
func (s *Service) verifyChallengeSignature(ctx context.Context, cl submit.CertificateLogin) (*signer.Report, *apiProblem) {
	opts := signer.VerifyOptions{Roots: s.anchors, Intermediates: s.inter, At: s.now()}
	rep, err := signer.VerifyDetached(ctx, cl.Signature, strings.NewReader(cl.Challenge), opts)
	if err == nil && !rep.Integrity.OK && rep.Integrity.Reason == signer.ReasonContentDigestMismatch {
		if raw, derr := base64.RawURLEncoding.DecodeString(cl.Challenge); derr == nil {
			if alt, aerr := signer.VerifyDetached(ctx, cl.Signature, strings.NewReader(string(raw)), opts); aerr == nil && alt.Integrity.OK {
				rep = alt
			}
		}
	}
	switch {
	case errors.Is(err, signer.ErrMalformed), errors.Is(err, signer.ErrTooLarge):
		return nil, fail(submit.ReasonBadRequest, "signature: not a readable CMS signature")
	case err != nil:
		return nil, fail(submit.ReasonInternal, "")
	case !rep.Integrity.OK:
		return nil, fail(submit.ReasonSignatureInvalid, "signature: "+rep.Integrity.Reason)
	}
	return rep, nil
}

// handleLogout ends the request's session.
func (s *Service) handleLogout(w http.ResponseWriter, r *http.Request) {
	acct, hash, p := s.session(r)
	if p == nil && acct == nil {
		p = fail(submit.ReasonLoginRequired, "Authorization: Bearer TOKEN")
	}
	if p != nil {
		writeProblem(w, p)
		return
	}
	if err := s.store.deleteSession(r.Context(), hash); err != nil {
		writeProblem(w, fail(submit.ReasonInternal, ""))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
