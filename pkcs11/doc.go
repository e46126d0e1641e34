// Package pkcs11 reaches signature keys on smart cards — first of all the
// My Number card (JPKI) — through a PKCS#11 module, using
// github.com/miekg/pkcs11 directly.
//
// The flow is: Open a module, list its Tokens or OpenToken by label or
// serial (never by slot number), read the PIN status before asking for a
// PIN — exact when a TriesReader is set with WithTriesReader (the sibling
// package github.com/shinsei-app/shinsei/pcsc reads a My Number card's
// count through PC/SC) — Login once through a PINPrompt, then sign with a
// Key, which is a crypto.Signer.
// The package checks the PIN format before any C_Login, never retries a
// PIN by itself, asks for it once, and reuses that one entry for the
// context-specific login a key with CKA_ALWAYS_AUTHENTICATE needs. It signs
// with CKM_RSA_PKCS over a DigestInfo it builds itself, as the card
// requires.
//
// Module, the narrow interface over the PKCS#11 context, holds only what
// reading and signing need. Setting a token up (C_InitToken, C_InitPIN,
// C_CreateObject) is Provisioner's, which only the sandbox's SoftHSM
// provisioning and tests use, through Library.Provisioner.
//
// # Errors
//
// Errors are meant to be told apart with errors.Is and errors.As:
//
//   - ErrModuleNotLoadable: the module file is missing, is not a PKCS#11
//     module for this system, or C_Initialize failed. The message names the
//     path.
//   - ErrNoToken, and *AmbiguousTokenError (errors.Is ErrAmbiguousToken):
//     a Selector matched no token, or several; the latter lists them.
//   - ErrPINFormat: the PIN entered does not have the format the token's
//     PINPolicy requires; the message says what is expected. No login was
//     tried.
//   - ErrFinalTryNotConfirmed: one try was left and the answer did not
//     confirm spending it. No login was tried.
//   - ErrPINLocked: the PIN is locked. The prompt was not called, or the
//     token refused the login.
//   - *PINError (errors.Is ErrPINIncorrect): the token refused the PIN; its
//     Status is the PIN status read again after the failure.
//   - ErrNotLoggedIn: an operation needs Login first.
//   - ErrKeyNotFound: no key has the requested ID, or no key ID was given
//     and the token does not hold exactly one key.
//   - ErrNoCertificate: a My Number card signature token (PolicyJPKISignature)
//     whose signature key has no certificate: a card issued to a child
//     under 15 has none, and nothing can be signed with it.
//   - ErrCardRemoved: the card or reader went away (CKR_DEVICE_REMOVED,
//     CKR_TOKEN_NOT_PRESENT, CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED,
//     CKR_DEVICE_ERROR, ..., or CKR_GENERAL_ERROR when the slot then shows
//     no token, which is how OpenSC reports a card pulled out in the middle
//     of a command). Close the Token and open it again.
//   - ErrNotProvisionable: Library.Provisioner on a module that can only
//     read and sign.
//   - errors.ErrUnsupported: a signature the card cannot make (RSA-PSS, no
//     or an unknown hash, a key that is not RSA, a token without
//     CKM_RSA_PKCS).
//
// Whenever a PKCS#11 call failed, the error also wraps the github.com/miekg/pkcs11
// Error value, so errors.As can recover the CKR_ code. No error, log line or
// panic ever contains a PIN.
package pkcs11
