// Package vcard is the virtual My Number card: a Card that answers the
// APDUs OpenSC's JPKI driver sends, with signature and authentication
// keys, PINs with tries counters and the certificates an Issuer gives it
// for a Scenario (healthy, final try, locked, expired, revoked, moved
// address, old root generation, no signature certificate, pulled out
// while signing).
//
// A Slot plugs a card into vpcd (vsmartcard's virtual reader) over TCP;
// StartStack (Linux) runs a private pcscd with vpcd so that PC/SC clients
// and OpenSC see the card in a reader named ReaderName, and stops it by
// PID.
//
// It never speaks PKCS#11 itself (OpenSC does, above pcscd) and never
// issues certificates other than through package pki.
package vcard
