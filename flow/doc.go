// Package flow holds Shinsei's use cases — register, log in, check, sign,
// submit, inquire, verify a notice, diagnose — independent of any user
// interface. The desktop app (package ui) and the command line
// (cmd/shinseictl) both call them and show the same results.
//
// A use case never talks to the user itself: it asks for PINs,
// confirmations and progress through callbacks its caller provides, and it
// returns plain values (reports, results) that the caller renders. Texts
// meant for residents come in Japanese and English (Text).
//
// flow imports the core packages (pkcs11, signer, certcheck, identity,
// submit) and never a GUI toolkit, the ui package or a command.
//
// # Diagnose
//
// Diagnose collects what a municipal help desk needs to know about a
// resident's computer — the system, PKCS#11 modules, card readers, tokens
// and PIN tries, certificates, trust anchors, the service's reachability
// and TLS chain, the clock, the OS keyring and the last errors — as a
// Report with an ok/warn/fail status and a hint per section. The report
// is redacted by default: no PIN (none is ever asked for), no name,
// address or birth date, no end-entity certificate subject and no raw
// serial number. ErrorLog keeps the last errors, redacted before they are
// stored.
package flow
