package kit

// Sandbox credentials' secrets, in a file of their own because tests that
// need no cgo (and so no kit) read them too. They are fixed and printed on
// purpose: the sandbox is for trying Shinsei out and for tests, never for
// real use.
const (
	// PIN is the token's signature password (6–16 of A–Z, 0–9).
	PIN = "SANDBOX1"
	// SOPIN is the token's security officer PIN.
	SOPIN = "SANDBOXSO1"
	// P12Password protects the kit's .p12 files: the resident's, the
	// company's and the official's.
	P12Password = "sandbox"
)
