package responder

import (
	"time"

	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// NewVA makes a validation authority's signing identity: a
// self-signed ECDSA P-256 certificate with id-kp-OCSPSigning, valid from a
// day before now for a year, which clients trust directly (RFC 6960 §2.2).
func NewVA(commonName string, now time.Time) (*Identity, error) {
	return selfSignedResponder(commonName, now)
}

// RespondVA answers the DER OCSP request reqDER as the validation
// authority va for every CA of p, from registry, without serving HTTP:
// what the reference service's OCSP endpoint does. As with
// Server.Respond, a request it cannot read gets the malformedRequest
// status and one about another CA unauthorized, both as answers.
func RespondVA(p *pki.PKI, registry *pki.Registry, va *Identity, reqDER []byte) ([]byte, error) {
	r := &Server{PKI: p, Registry: registry, VA: va, names: map[string]*pki.CA{}, byCA: map[*pki.CA]string{}}
	for name, ca := range map[string]*pki.CA{
		"jpki-sign": p.JPKISign, "jpki-sign-old": p.JPKISignOld, "registrar": p.Registrar,
		"lgpki-root": p.LGPKIRoot, "lgpki-org": p.LGPKIOrg, "lgpki-app": p.LGPKIApp, "private": p.Private,
	} {
		r.names[name], r.byCA[ca] = ca, name
	}
	return r.Respond(reqDER, nil, StyleVA)
}
