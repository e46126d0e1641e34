// Package kit writes a directory of sandbox credentials ready for Shinsei
// (New, NewWith): the roots to trust, a resident's, a company's and an
// official's certificates as PEM and PKCS#12 files, a revoked corporate
// certificate and the registrar's CRL listing it, and — where SoftHSM is
// installed — a SoftHSM token holding the resident's key like a My Number
// card. Its secrets (TokenLabel, PIN, SOPIN, P12Password) are fixed and
// public on purpose.
//
// It never serves anything (package sandbox's Start runs the responders
// and the service over a kit) and is available in cgo builds only.
package kit
