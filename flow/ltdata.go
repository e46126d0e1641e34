package flow

import (
	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/signer"
)

// validationData is what the pre-check p obtained that the signature may
// carry as long-term validation data (CAdES-B-LT): the validated path,
// anchor included, and the OCSP responses and CRLs that said its
// certificates are good, so that the signature can be checked at its
// time-stamp's time years later with every responder gone. It is nil
// when there is nothing to carry, or when the path's PKI does not let
// its revocation data be passed on:
//
//   - JPKI (the My Number card) gives revocation information only to
//     registered verifiers, so a JPKI signature carries none from the
//     client; the service, a registered verifier, adds it on receipt.
//     certcheck.DomainOf tells the PKI apart, as the pre-check does;
//   - answers of a validation authority (source "va") or of the service's
//     validation endpoint are not carried: they are signed by a responder
//     only this client trusts, or not signed at all, so a later verifier
//     could not check them against the certificate's issuer.
//
// LGPKI, commercial-registry and private CAs' own OCSP responses (the CA
// or a responder it certified) and CRLs are carried.
func validationData(p *Precheck) *signer.ValidationData {
	if p == nil || p.Cert == nil || len(p.Cert.Path) == 0 || p.Cert.Domain == certcheck.DomainJPKI {
		return nil
	}
	var v signer.ValidationData
	for _, cr := range p.Cert.Path {
		if cr.Cert == nil || certcheck.DomainOf(cr.Cert) == certcheck.DomainJPKI {
			return nil
		}
		v.Certs = append(v.Certs, cr.Cert)
		r := cr.Revocation
		if cr.Anchor || r.Status != certcheck.StatusGood {
			continue
		}
		switch r.Source {
		case "ocsp":
			if len(r.OCSPResponse) > 0 {
				v.OCSPs = append(v.OCSPs, r.OCSPResponse)
			}
		case "crl":
			v.CRLs = append(v.CRLs, r.CRLs...)
		}
	}
	if !v.HasRevocation() {
		return nil
	}
	return &v
}
