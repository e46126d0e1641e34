// Package softhsm prepares SoftHSM tokens that stand in for a My Number
// card: WriteConfig writes a softhsm2.conf offering only CKM_RSA_PKCS, as
// the card does, and Provision initializes a token and puts keys and
// certificates on it through pkcs11.Provisioner, with
// CKA_ALWAYS_AUTHENTICATE where the card has it.
//
// It is the only user of pkcs11.Provisioner in the product's tree; it
// never reads or signs with a token (package pkcs11 does). Available in
// cgo builds only.
package softhsm
