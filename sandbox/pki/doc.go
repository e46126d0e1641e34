// Package pki is the sandbox's certificate authorities and what they
// issue: a JPKI-like resident signature hierarchy (two root generations),
// a commercial-registry-like registrar for corporate certificates, an
// LGPKI-like root with its organization and application CAs, and a
// private CA. New makes them all; Issue* methods make realistic
// credentials (keys with their certificates and chains, PKCS#12 export).
//
// Registry is the revocation state of those certificates: what was
// issued, revoked, held or released, and the CRL each CA publishes from
// it. The responders and the reference service read the same Registry.
//
// It never serves anything over the network (package responder does) and
// never touches a token (packages softhsm and kit do).
package pki
