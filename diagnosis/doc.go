// Package diagnosis is the help-desk diagnosis: Run collects what a
// municipal help desk needs to know about a resident's computer — the
// system, PKCS#11 modules, card readers, tokens and PIN tries (read without
// spending one), certificates readable without a PIN, trust anchors, the
// service (that its API answers) and its TLS chain, the clock, the OS
// keyring — as a Report with an ok/warn/fail status and a hint per
// section, in Japanese and English, and an overall Status of the computer
// now. The last errors met are a verdict apart (History): they never
// count toward Status. ErrorLog keeps the last errors, redacted before
// they are stored, and never the diagnosis' own verdict.
//
// It never asks for a PIN or a password, and the report and its bundle are
// redacted by default: no name, address or birth date, no holder's
// certificate subject, no raw serial number, no file name or folder below
// the home directory, and no word quoted after "PIN" or "password". It is used by the desktop
// app's help-desk screen and by `shinseictl diag`; it runs no use case and
// imports neither flow nor a user interface.
package diagnosis
