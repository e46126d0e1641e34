// Package flow holds Shinsei's use cases — find credentials, pre-check,
// sign (an application package, or a PDF as PAdES), sign many forms with
// one unlock (SignBatch), time-stamp, register, log in and out, submit
// (one, or many four at a time: SubmitBatch, a folder's packages offered
// with the receipts of those already received: BatchPackages), send what
// waits in the outbox, ask for status (of one, or of every receipt: StatusAll), verify
// a notice (a package or a signed PDF), withdraw an application, answer a
// request for correction with an amendment — independent of any user interface,
// one file per use case. The desktop app (package ui) and the command line
// (cmd/shinseictl) both call them, so every promise — no PIN presented in
// vain, no signature the service will refuse, no signature failed because
// a time-stamp authority is down, nothing filed twice, nothing left behind
// on Cancel — is kept here once, for both. Proxy filing (proxy.go) keeps
// them for two holders: the principal signs a power of attorney with one
// entry of her secret, the proxy signs her form with one entry of his, and
// what the service would refuse (a procedure without proxies, a power of
// attorney for another procedure, signed by someone other than the
// applicant, or past its last day) is refused before either is asked.
//
// A use case never talks to the user itself: it asks for PINs,
// confirmations and progress through callbacks its caller provides
// (Callbacks), and it returns plain values (Signed, Precheck, receipts)
// that the caller renders. What goes wrong comes back as a *flow.Error
// (the operation and its cause) around a sentinel or typed error of flow
// or of a core package; package explain words every one of them.
//
// flow imports the core packages (pkcs11, pcsc, signer, pades, certcheck,
// identity, submit) and i18n; never a GUI toolkit, ui, a command, the
// help-desk diagnosis or the error table.
package flow
