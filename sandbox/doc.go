// Package sandbox is the local stand-in for the outside world, and Start
// assembles it: the sandbox PKI and its revocation state, optionally a
// kit of credentials on disk and on a SoftHSM token, the CRL/OCSP/VA
// responders and the reference service, all on loopback. The desktop
// app's practice mode, cmd/shinsei-sandbox serve and the flow and UI
// tests all start their world through it.
//
// The parts live in sub-packages, one domain each:
//
//	pki/        the issuers (JPKI-like, corporate registrar, LGPKI-like,
//	            private CA), the credentials they issue and the revocation
//	            state with its CRLs
//	responder/  the HTTP responders: CRLs, CA certificates, OCSP in three
//	            styles (CA, delegated, validation authority), misbehaviour
//	            on demand
//	vcard/      the virtual My Number card, the vpcd slot it sits in and
//	            the pcscd + vpcd stack that shows it to PC/SC and OpenSC
//	softhsm/    SoftHSM configuration and token provisioning
//	kit/        a directory of sample credentials for people and scripts,
//	            the resident's key on a SoftHSM token
//	service/    the reference implementation of the shared service's API
//
// Nothing issued here is trusted by the product unless a caller configures
// the sandbox roots as anchors. Start is available only in cgo builds (the
// kit needs SoftHSM, a C library); without cgo this package is empty.
package sandbox
