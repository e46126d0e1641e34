// Package pcsc talks to smart cards through PC/SC (pcsc-lite's
// libpcsclite), next to the PKCS#11 module, for what PKCS#11 cannot tell:
// above all the exact number of PIN tries a My Number card has left. It is
// a sibling of package pkcs11, not part of it: it speaks APDUs to the card
// through the reader, never through a PKCS#11 module.
//
// PKCS#11 only exposes "count low", "final try" and "locked". A My Number
// card answers a VERIFY without data with SW 63Cx, x the tries left,
// without spending one; JPKITries sends it and implements
// pkcs11.TriesReader:
//
//	tok, err := lib.OpenToken(ctx, sel, pkcs11.WithTriesReader(pcsc.JPKITries{}))
//
// Each reading connects to pcscd on its own (SCardEstablishContext, a new
// socket each time); a program reading often keeps one context for all
// of them with a Kept:
//
//	k := &pcsc.Kept{}
//	defer k.Close()
//	tries := pcsc.JPKITries{Kept: k}
//
// libpcsclite is loaded at run time, so a program using this package still
// starts where pcsc-lite is missing; every call then fails with
// ErrUnavailable and the token falls back to the PKCS#11 flags. Only Linux
// is supported so far; elsewhere every call fails with ErrUnavailable.
//
// libpcsclite finds pcscd through PCSCLITE_CSOCK_NAME (default
// /run/pcscd/pcscd.comm), read once per process, shared with OpenSC's own
// use of the library.
//
// # Errors
//
//   - ErrUnavailable: libpcsclite could not be loaded or pcscd is not
//     running.
//   - ErrNoReader: no reader has the name asked for, or several do.
//   - ErrNoCard: the reader is empty or the card was removed.
//   - ErrNotJPKI: the card does not answer as a My Number card, or the
//     token is not one of its PINs.
//   - *Error: any other PC/SC failure, with its SCARD_ code.
package pcsc
