// Package submit is the client side of the joint service's API: the API's
// types (shared with the reference service in sandbox), an HTTPS client
// that only trusts configured anchors, ID/password kept in the OS keyring,
// a durable outbox that never loses a signed application, and the local
// journal of receipts.
//
// It never stores a password outside the OS keyring, never sends without
// an idempotency key that keeps a retry from filing twice, and never
// accepts a server certificate the configured anchors do not vouch for.
//
// The API is written down in api/openapi.yaml at the repository root and
// served by the reference service at /api/v1/openapi.yaml.
package submit

import "time"

// APIPrefix is the path every endpoint starts with.
const APIPrefix = "/api/v1"

// Media types of request and response bodies.
const (
	MediaJSON      = "application/json"
	MediaASiCE     = "application/vnd.etsi.asic-e+zip" // a signed application package
	MediaOCSPReq   = "application/ocsp-request"
	MediaOCSPResp  = "application/ocsp-response"
	HeaderIdemKey  = "Idempotency-Key" // a submission's retry key, 16–64 of [A-Za-z0-9_-]
	HeaderInquiry  = "Inquiry-Number"  // proves the right to ask about an anonymous submission
	HeaderRetryAft = "Retry-After"
)

// AuthLevel is what a procedure requires (DESIGN.md §1).
type AuthLevel string

// The four authentication levels.
const (
	// LevelNone: submit anonymously; the receipt carries an inquiry number.
	LevelNone AuthLevel = "none"
	// LevelIDPW: log in with ID/password; the form is not signed.
	LevelIDPW AuthLevel = "idpw"
	// LevelSignature: sign the form; no login; a proxy may file it.
	LevelSignature AuthLevel = "signature"
	// LevelIDPWSignature: log in and sign; the signer must be the account
	// holder unless the procedure allows proxies.
	LevelIDPWSignature AuthLevel = "idpw+signature"
	// LevelUnresolved marks an outbox item queued while the service's
	// catalogue could not be read: the level is asked for when it is sent
	// (Sender.Resolve). It is never a procedure's level.
	LevelUnresolved AuthLevel = "unresolved"
)

// NeedsLogin reports whether the level requires a session.
func (l AuthLevel) NeedsLogin() bool { return l == LevelIDPW || l == LevelIDPWSignature }

// NeedsSignature reports whether the level requires a signed package.
func (l AuthLevel) NeedsSignature() bool { return l == LevelSignature || l == LevelIDPWSignature }

// UserType is who an account or a procedure is for.
type UserType string

// User types.
const (
	UserResident UserType = "resident" // JPKI (My Number card)
	UserCompany  UserType = "company"  // commercial-registry certificate
	UserStaff    UserType = "staff"    // LGPKI
)

// Procedure is one entry of the catalogue (GET /procedures, /procedures/{id}).
type Procedure struct {
	ID      string    `json:"id"`
	TitleJA string    `json:"title_ja"`
	TitleEN string    `json:"title_en"`
	Level   AuthLevel `json:"auth_level"`
	// For lists who may file it.
	For []UserType `json:"for"`
	// ProxyAllowed: someone else may sign or submit for the applicant.
	ProxyAllowed bool `json:"proxy_allowed"`
	// CertificateLogin: a company logs in with a signed challenge instead of
	// a password (e-procurement style).
	CertificateLogin bool `json:"certificate_login,omitempty"`
	Form             Form `json:"form"`
}

// Form is the schema of a procedure's form document.
type Form struct {
	// Applicant lists the applicant-block fields the form must fill, by
	// their identity.Applicant JSON names (name, birth_date, sex, address,
	// corporate_name, …); they are pre-filled from the certificate.
	Applicant []string `json:"applicant"`
	Fields    []Field  `json:"fields"`
	// MaxAttachments and MaxPackageBytes bound what may be attached.
	MaxAttachments  int   `json:"max_attachments"`
	MaxPackageBytes int64 `json:"max_package_bytes"`
}

// Field is one field of a form's "fields" object.
type Field struct {
	Name     string   `json:"name"`
	LabelJA  string   `json:"label_ja"`
	LabelEN  string   `json:"label_en"`
	Type     string   `json:"type"` // "string", "number", "date", "choice"
	Required bool     `json:"required,omitempty"`
	Choices  []string `json:"choices,omitempty"`
	// ChoicesEN, when given, are the Choices in English, in the same
	// order: what an English screen shows. The value filed is always the
	// one of Choices.
	ChoicesEN []string `json:"choices_en,omitempty"`
	MaxLen    int      `json:"max_len,omitempty"`
}

// ChoiceLabel is the choice value v as shown in English (when en) where
// the catalogue gives ChoicesEN, else v itself.
func (f Field) ChoiceLabel(v string, en bool) string {
	if en && len(f.ChoicesEN) == len(f.Choices) {
		for i, c := range f.Choices {
			if c == v {
				return f.ChoicesEN[i]
			}
		}
	}
	return v
}

// ChoiceValue is the value of Choices shown as label (in either
// language), or label itself when no choice shows so.
func (f Field) ChoiceValue(label string) string {
	if len(f.ChoicesEN) == len(f.Choices) {
		for i, c := range f.ChoicesEN {
			if c == label {
				return f.Choices[i]
			}
		}
	}
	return label
}

// FormDocument is the completed form: the file signed as the first entry
// of a package, or the body of an unsigned submission.
type FormDocument struct {
	Procedure string         `json:"procedure"`
	Applicant map[string]any `json:"applicant"`
	Fields    map[string]any `json:"fields"`
}

// Challenge is a single-use random value (POST /challenges) that a
// registration request or a certificate login signs.
type Challenge struct {
	Challenge string    `json:"challenge"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Registration is the form of an account registration request. It is
// signed like an application (a package whose form is this document) and
// posted to /accounts. The service verifies the signature and certificate,
// reads the identity from the certificate and issues an ID, with the
// password given here or an initial one it generates.
type Registration struct {
	Type      string   `json:"type"` // "registration"
	Challenge string   `json:"challenge"`
	UserType  UserType `json:"user_type"`
	Email     string   `json:"email,omitempty"`
	// Password, when set, is the applicant's chosen password (at least 12
	// characters); empty asks the service for an initial one.
	Password string `json:"password,omitempty"`
	// ResetPassword asks, for an identity that already has an account,
	// to give that account the new password (ending its sessions);
	// without it such a registration is refused with
	// ReasonAccountExists and nothing changes.
	ResetPassword bool `json:"reset_password,omitempty"`
}

// Account is the answer to a registration.
type Account struct {
	AccountID string   `json:"account_id"`
	UserType  UserType `json:"user_type"`
	// InitialPassword is set only when the service generated it; it is
	// shown once and stored in the keyring by the client.
	InitialPassword string `json:"initial_password,omitempty"`
}

// Login is the body of POST /sessions.
type Login struct {
	AccountID string `json:"account_id"`
	Password  string `json:"password"`
}

// CertificateLogin is the body of POST /sessions/certificate: a detached
// CMS signature (DER, base64) over the challenge's bytes.
type CertificateLogin struct {
	Challenge string `json:"challenge"`
	Signature []byte `json:"signature"`
}

// Session is the answer to a login; Token goes in "Authorization: Bearer".
type Session struct {
	Token     string    `json:"token"`
	AccountID string    `json:"account_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Receipt is the answer to a submission (POST /procedures/{id}/applications):
// 201 when new, 200 when the same Idempotency-Key and content came again.
type Receipt struct {
	ArrivalNumber string `json:"arrival_number"` // 到達番号
	// InquiryNumber (問合せ番号) is given for anonymous (none) submissions
	// and is needed to ask about them.
	InquiryNumber string    `json:"inquiry_number,omitempty"`
	Procedure     string    `json:"procedure"`
	ReceivedAt    time.Time `json:"received_at"`
	Status        Status    `json:"status"`
	// PackageSHA256 is the hex SHA-256 of the body the service stored.
	PackageSHA256 string `json:"package_sha256"`
	// ArchivedSHA256 is the hex SHA-256 of the package as the service
	// archived it on receipt: the body with the service's validation data
	// and archive time-stamp (ETSI EN 319 162-1 ASiCArchiveManifest.xml).
	// Empty for a JSON form, and when the service could not time-stamp
	// it yet.
	ArchivedSHA256 string `json:"archived_package_sha256,omitempty"`
}

// Status is where an application is.
type Status string

// Application statuses.
const (
	StatusReceived  Status = "received"  // 到達
	StatusReviewing Status = "reviewing" // 審査中
	StatusCompleted Status = "completed" // 完了 (a notice may be available)
	StatusReturned  Status = "returned"  // 差戻し
)

// ApplicationStatus is the answer to GET /applications/{arrival}.
type ApplicationStatus struct {
	Receipt
	UpdatedAt time.Time `json:"updated_at"`
	Notices   []Notice  `json:"notices,omitempty"`
	// History is every step of the application, oldest first: its
	// arrival, the municipality's moves, a withdrawal, correction
	// requests and amendments.
	History []StatusEvent `json:"history,omitempty"`
}

// Notice is an official notice the municipality issued for an application,
// signed with an LGPKI 職責 certificate; GET /notices/{id} returns its package.
type Notice struct {
	ID       string    `json:"id"`
	TitleJA  string    `json:"title_ja"`
	TitleEN  string    `json:"title_en"`
	IssuedAt time.Time `json:"issued_at"`
}

// ValidationRequest asks the service, as registered verifier, about a
// certificate (POST /validation). The service also answers OCSP at
// /ocsp as a validation authority for the CAs it serves.
type ValidationRequest struct {
	Certificate []byte `json:"certificate"` // DER
}

// Validation is the service's answer; Status uses certcheck's words
// (good, revoked, on-hold, unknown).
type Validation struct {
	Status    string    `json:"status"`
	Reason    string    `json:"reason,omitempty"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	CheckedAt time.Time `json:"checked_at"`
}

// Problem is every error answer: a machine-readable reason and a message
// in Japanese and English that says what to do.
type Problem struct {
	Reason    Reason `json:"reason"`
	MessageJA string `json:"message_ja"`
	MessageEN string `json:"message_en"`
	// Detail names the field, file or check concerned; never personal data.
	Detail string `json:"detail,omitempty"`
	// ArrivalNumber is set on ReasonAlreadyReceived, and only when the
	// account of the request filed the earlier application: its arrival
	// number. Anyone else is told neither it nor an inquiry number.
	ArrivalNumber string `json:"arrival_number,omitempty"`
}

// Reason is why the service refused a request.
type Reason string

// Refusal reasons.
const (
	ReasonBadRequest           Reason = "bad-request" // malformed JSON, missing field
	ReasonTooLarge             Reason = "too-large"   // body over the limit
	ReasonUnsupportedMedia     Reason = "unsupported-media-type"
	ReasonUnknownProcedure     Reason = "unknown-procedure"
	ReasonNotFound             Reason = "not-found"
	ReasonLoginRequired        Reason = "login-required"
	ReasonInvalidCredentials   Reason = "invalid-credentials"
	ReasonAccountLocked        Reason = "account-locked"
	ReasonRateLimited          Reason = "rate-limited"
	ReasonChallengeInvalid     Reason = "challenge-invalid" // unknown, used or expired
	ReasonSignatureRequired    Reason = "signature-required"
	ReasonSignatureInvalid     Reason = "signature-invalid" // tampered package, bad CMS
	ReasonCertificateUntrusted Reason = "certificate-untrusted"
	ReasonCertificateExpired   Reason = "certificate-expired"
	ReasonCertificateRevoked   Reason = "certificate-revoked"
	ReasonCertificateUnknown   Reason = "certificate-status-unknown"
	ReasonWrongCertificateType Reason = "wrong-certificate-type" // e.g. a company certificate for a resident procedure
	ReasonIdentityMismatch     Reason = "identity-mismatch"
	ReasonSignerNotHolder      Reason = "signer-not-account-holder"
	ReasonFormInvalid          Reason = "form-invalid"           // schema: missing or wrong field
	ReasonIdempotencyConflict  Reason = "idempotency-key-reused" // same key, other content
	ReasonInternal             Reason = "internal"
	// ReasonAccountExists: a registration for an identity that already
	// has an account, without ResetPassword; Detail is the account's ID.
	ReasonAccountExists Reason = "account-exists"
	// ReasonAlreadyReceived: the service already holds this signed package
	// (the same signature value) for the procedure, filed earlier under
	// another key, session or none; it is not stored again (409).
	ReasonAlreadyReceived Reason = "already-received"
)
