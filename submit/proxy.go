package submit

import "time"

// Proxy filing (代理申請): a proxy files for the applicant (the principal)
// where the procedure allows it. The application package then carries two
// signatures, each over its own manifest (ETSI EN 319 162-1): the
// principal's, over the power of attorney (委任状) alone, made first and
// carried unchanged (META-INF/signature001.p7s over ASiCManifest001.xml);
// and the proxy's, over the form, the attachments and the power of
// attorney (signature002.p7s over ASiCManifest002.xml).

// PowerOfAttorneyName is the power of attorney's file name in packages.
const PowerOfAttorneyName = "power-of-attorney.json"

// PowerOfAttorneyType is the "type" of a power of attorney document.
const PowerOfAttorneyType = "power-of-attorney"

// PowerOfAttorney is the power of attorney (委任状): the principal, whose
// certificate signs it, authorises the proxy to file one procedure.
type PowerOfAttorney struct {
	// Type is PowerOfAttorneyType.
	Type string `json:"type"`
	// Procedure is the procedure's ID.
	Procedure string `json:"procedure"`
	// Principal is the principal's applicant block, as read from the
	// principal's certificate.
	Principal map[string]any `json:"principal"`
	// Proxy names the proxy.
	Proxy ProxyRef `json:"proxy"`
	// IssuedAt is when it was signed (as the principal's computer says).
	IssuedAt time.Time `json:"issued_at"`
	// ValidUntil is the last day (YYYY-MM-DD, in Japan) a proxy may file
	// with it (有効期限; see Validity).
	ValidUntil string `json:"valid_until"`
}

// ProxyRef names the proxy: by the name in the proxy's signature
// certificate (a person's name, or a company's name), or by the user ID
// of the proxy's account on the service (then the application must be
// submitted in a session of that account). Exactly one is set.
type ProxyRef struct {
	Name    string `json:"name,omitempty"`
	Account string `json:"account,omitempty"`
}

// AllowsProxy reports whether someone other than the applicant may file
// the procedure with a power of attorney: the catalogue says so, and the
// procedure is not one the account holder must sign in person
// (idpw+signature).
func (p Procedure) AllowsProxy() bool { return p.ProxyAllowed && p.Level != LevelIDPWSignature }

// Refusals of proxy filings.
const (
	// ReasonProxyNotAllowed: the procedure does not allow a proxy, or
	// is an idpw+signature procedure.
	ReasonProxyNotAllowed Reason = "proxy-not-allowed"
	// ReasonPowerOfAttorneyInvalid: the package's power of attorney is
	// missing, unreadable, not signed on its own, or for another
	// procedure.
	ReasonPowerOfAttorneyInvalid Reason = "power-of-attorney-invalid"
	// ReasonPrincipalNotApplicant: the power of attorney's signer is not
	// the form's applicant.
	ReasonPrincipalNotApplicant Reason = "principal-not-applicant"
	// ReasonProxyNotSubmitter: the proxy named in the power of attorney
	// is not the one who signed the application (by name) or submits it
	// (by account).
	ReasonProxyNotSubmitter Reason = "proxy-not-submitter"
	// ReasonPowerOfAttorneyExpired: the power of attorney is used outside
	// its validity: after its valid_until, or before its issued_at.
	ReasonPowerOfAttorneyExpired Reason = "power-of-attorney-expired"
)
