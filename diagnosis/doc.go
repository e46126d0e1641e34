// Package diagnosis is the help-desk diagnosis: Run collects what a
// municipal help desk needs to know about a resident's computer — the
// system, PKCS#11 modules, card readers, tokens and PIN tries (read without
// spending one), certificates readable without a PIN, trust anchors, the
// service's reachability and TLS chain, the clock, the OS keyring and the
// last errors — as a Report with an ok/warn/fail status and a hint per
// section, in Japanese and English. ErrorLog keeps the last errors,
// redacted before they are stored.
//
// It never asks for a PIN or a password, and the report and its bundle are
// redacted by default: no name, address or birth date, no holder's
// certificate subject and no raw serial number. It is used by the desktop
// app's help-desk screen and by `shinseictl diag`; it runs no use case and
// imports neither flow nor a user interface.
package diagnosis
