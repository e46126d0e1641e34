// Package responder serves the sandbox PKI's revocation information over
// HTTP on loopback: each CA's CRL and certificate, and OCSP answers in
// three styles — signed by the CA, by a delegated responder, or by a
// validation authority (VA) trusted directly. Start runs the Server;
// SetMisbehaviour makes it answer wrongly in the ways clients must
// survive (stale, forged, slow, oversized, wrong nonce...). RespondVA
// answers one OCSP request as a VA without serving HTTP, which is what
// the reference service's own OCSP endpoint does.
//
// It reads revocation state from a pki.Registry and never changes it;
// it issues only its own responder certificates.
package responder
