package sandbox

import "time"

// NewVAResponder makes a validation authority's signing identity: a
// self-signed ECDSA P-256 certificate with id-kp-OCSPSigning, valid from a
// day before now for a year, which clients trust directly (RFC 6960 §2.2).
func NewVAResponder(commonName string, now time.Time) (*Responder, error) {
	return selfSignedResponder(commonName, now)
}

// RespondVA answers the DER OCSP request reqDER as the validation
// authority va for every CA of p, from registry, without serving HTTP:
// what the reference service's OCSP endpoint does. As with
// Responders.Respond, a request it cannot read gets the malformedRequest
// status and one about another CA unauthorized, both as answers.
func RespondVA(p *PKI, registry *Registry, va *Responder, reqDER []byte) ([]byte, error) {
	r := &Responders{PKI: p, Registry: registry, VA: va, names: map[string]*CA{}, byCA: map[*CA]string{}}
	for name, ca := range map[string]*CA{
		"jpki-sign": p.JPKISign, "jpki-sign-old": p.JPKISignOld, "registrar": p.Registrar,
		"lgpki-root": p.LGPKIRoot, "lgpki-org": p.LGPKIOrg, "lgpki-app": p.LGPKIApp, "private": p.Private,
	} {
		r.names[name], r.byCA[ca] = ca, name
	}
	return r.Respond(reqDER, nil, StyleVA)
}
