// Package sandbox is the local stand-in for the outside world: a sandbox PKI
// that issues realistic test credentials (JPKI-like resident certificates,
// commercial-registry-like corporate certificates, LGPKI-like official
// certificates and a private CA), SoftHSM provisioning, and — in later
// stages — the reference service, its responders and a virtual JPKI card.
//
// Nothing issued here is trusted by the product unless a caller configures
// the sandbox roots as anchors.
package sandbox
