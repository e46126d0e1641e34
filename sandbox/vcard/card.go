package vcard

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync"

	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// The virtual My Number card answers the commands OpenSC's JPKI driver
// (card-jpki.c, pkcs15-jpki.c) sends:
//
//	SELECT by AID      00 A4 04 0C 0A D392F000260100000001
//	SELECT by file id  00 A4 02 0C 02 <EF>
//	READ BINARY        00 B0 <offset> <Le>  (the driver first reads 4 bytes of a
//	                   certificate EF and takes the size from the DER header)
//	VERIFY             00 20 00 80 <Lc> <PIN>   on the selected PIN EF
//	VERIFY, no data    00 20 00 80              tries left as 63Cx, spends none
//	COMPUTE DIGITAL    80 2A 00 80 <Lc> <DigestInfo> 00   on the selected key EF
//	SIGNATURE
//
// and refuses everything else with an ISO 7816 status word, as the other
// OpenSC drivers probe a card with their own commands before the JPKI
// driver's turn.

// JPKIATR is the answer to reset of a My Number card, the one OpenSC's
// JPKI driver matches.
var JPKIATR = []byte{0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14}

// jpkiAID is the application identifier of the JPKI application.
var jpkiAID = mustHex("D392F000260100000001")

// Elementary files of the JPKI application.
const (
	EFSignatureCert uint16 = 0x0001 // readable only after the signature PIN
	EFSignatureCA   uint16 = 0x0002
	EFAuthCert      uint16 = 0x000A
	EFAuthCA        uint16 = 0x000B
	EFAuthKey       uint16 = 0x0017
	EFAuthPIN       uint16 = 0x0018
	EFSignatureKey  uint16 = 0x001A
	EFSignaturePIN  uint16 = 0x001B
)

// Tries of a new card's PINs.
const (
	SignaturePINTries = 5
	AuthPINTries      = 3
)

// Status words the card answers with.
const (
	swOK               = 0x9000
	swWrongLength      = 0x6700
	swSecurityStatus   = 0x6982 // security status not satisfied
	swBlocked          = 0x6983 // authentication method blocked
	swNotAllowed       = 0x6986 // command not allowed (no current EF, wrong EF)
	swWrongData        = 0x6A80
	swFileNotFound     = 0x6A82
	swWrongP1P2        = 0x6A86
	swWrongOffset      = 0x6B00
	swINSNotSupported  = 0x6D00
	swCLANotSupported  = 0x6E00
	swTriesLeft        = 0x63C0 // | tries left
	maxShortResponse   = 256
	maxSignatureDigest = 2048/8 - 11
)

// Contents is what a virtual card holds. Keys and certificates come
// from the sandbox PKI; see Issuer.
type Contents struct {
	// SignatureKey and AuthKey are the card's RSA-2048 keys.
	SignatureKey, AuthKey *rsa.PrivateKey
	// SignatureCert is the signature certificate (EF 0001); nil for a card
	// without one, such as a minor's.
	SignatureCert *x509.Certificate
	// SignatureCA, AuthCert and AuthCA fill EF 0002, 000A and 000B.
	SignatureCA, AuthCert, AuthCA *x509.Certificate
	// SignaturePIN (6–16 of A–Z, 0–9) and AuthPIN (4 digits).
	SignaturePIN, AuthPIN string
	// SignatureTries and AuthTries are the tries left at the start:
	// SignaturePINTries and AuthPINTries when zero, use -1 for a locked PIN.
	SignatureTries, AuthTries int
}

// Stats counts what a card was asked to do, so tests can prove that
// software never spends a PIN try by itself.
type Stats struct {
	// SignatureVerifies and AuthVerifies count VERIFY commands that carried
	// a PIN for the signature and the authentication PIN, right or wrong.
	SignatureVerifies, AuthVerifies int
	// TriesQueries counts VERIFY commands without data (they spend no try).
	TriesQueries int
	// Signatures counts COMPUTE DIGITAL SIGNATURE commands that made a
	// signature.
	Signatures int
}

// Card is a My Number card in memory: the JPKI application, its
// files, keys, and PIN counters that survive power cycles. It is safe for
// concurrent use. Put it in a Slot to reach it through vpcd and PC/SC.
type Card struct {
	mu    sync.Mutex
	files map[uint16][]byte
	keys  map[uint16]*rsa.PrivateKey
	pins  map[uint16]*pinCounter
	// pullOnSign makes the next signatures pull the card out instead.
	pullOnSign int
	stats      Stats
	trace      io.Writer

	// Session state, cleared on power off, reset, removal and when the
	// application is selected again.
	inApp    bool
	current  uint16
	verified map[uint16]bool

	// Scenario-level facts for tests and the sandbox command.
	scenario  Scenario
	signature *pki.Credential
	auth      *pki.Credential
	revoked   *big.Int
}

type pinCounter struct {
	pin  []byte
	max  int
	left int
}

// keyPIN maps each key EF to the PIN EF that guards it.
var keyPIN = map[uint16]uint16{EFAuthKey: EFAuthPIN, EFSignatureKey: EFSignaturePIN}

// New makes a card holding c. The PINs are checked for the JPKI
// format so a card can never hold one the client would refuse.
func New(c Contents) (*Card, error) {
	if c.SignatureKey == nil || c.AuthKey == nil || c.SignatureCA == nil || c.AuthCert == nil || c.AuthCA == nil {
		return nil, errors.New("vcard: virtual card: keys, CA certificates and the authentication certificate are required")
	}
	if !validSignaturePIN(c.SignaturePIN) || !validAuthPIN(c.AuthPIN) {
		return nil, errors.New("vcard: virtual card: the signature PIN must be 6–16 of A–Z, 0–9 and the authentication PIN 4 digits")
	}
	tries := func(n, max int) int {
		switch {
		case n == 0:
			return max
		case n < 0:
			return 0
		}
		return min(n, max)
	}
	v := &Card{
		files: map[uint16][]byte{
			EFSignatureCA: c.SignatureCA.Raw,
			EFAuthCert:    c.AuthCert.Raw,
			EFAuthCA:      c.AuthCA.Raw,
		},
		keys: map[uint16]*rsa.PrivateKey{EFAuthKey: c.AuthKey, EFSignatureKey: c.SignatureKey},
		pins: map[uint16]*pinCounter{
			EFSignaturePIN: {pin: []byte(c.SignaturePIN), max: SignaturePINTries, left: tries(c.SignatureTries, SignaturePINTries)},
			EFAuthPIN:      {pin: []byte(c.AuthPIN), max: AuthPINTries, left: tries(c.AuthTries, AuthPINTries)},
		},
		verified: make(map[uint16]bool),
	}
	if c.SignatureCert != nil {
		v.files[EFSignatureCert] = c.SignatureCert.Raw
	}
	return v, nil
}

func validSignaturePIN(p string) bool {
	if len(p) < 6 || len(p) > 16 {
		return false
	}
	for _, c := range []byte(p) {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func validAuthPIN(p string) bool {
	if len(p) != 4 {
		return false
	}
	for _, c := range []byte(p) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Scenario is the scenario the card was issued for (empty for a card made
// with New).
func (v *Card) Scenario() Scenario { return v.scenario }

// SignatureCredential is the signature key and certificate with its chain,
// nil on a card without a signature certificate.
func (v *Card) SignatureCredential() *pki.Credential { return v.signature }

// AuthCredential is the authentication key and certificate with its chain.
func (v *Card) AuthCredential() *pki.Credential { return v.auth }

// RevokedSerial is the serial number of the signature certificate marked
// revoked in the sandbox (ScenarioRevoked), nil otherwise. The card itself
// holds a normal certificate, as a real revoked card does.
func (v *Card) RevokedSerial() *big.Int { return v.revoked }

// Stats returns the counts of commands so far.
func (v *Card) Stats() Stats {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.stats
}

// TriesLeft returns the tries left of the signature and the authentication
// PIN.
func (v *Card) TriesLeft() (signature, auth int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.pins[EFSignaturePIN].left, v.pins[EFAuthPIN].left
}

// PullOutOnNextSignature makes the card leave its slot when it is next
// asked for a signature, as a card pulled out mid-signature does. It is set
// by ScenarioRemovedDuringSigning and happens once.
func (v *Card) PullOutOnNextSignature() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pullOnSign = 1
}

// errPulledOut is returned by transmit when the card leaves its slot.
var errPulledOut = errors.New("vcard: virtual card pulled out")

// PowerOff clears the session state, as removing power does: no
// application selected, no PIN verified. PIN counters are kept.
func (v *Card) PowerOff() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.clearSession()
}

func (v *Card) clearSession() {
	v.inApp = false
	v.current = 0
	clear(v.verified)
}

// Transmit processes one command APDU and returns the response APDU (data
// and status word), as the card does behind a reader.
func (v *Card) Transmit(apdu []byte) []byte {
	resp, _ := v.transmit(apdu)
	return resp
}

// TraceTo writes a line per command to w: its name, parameters, data
// length and status word, never its data (a VERIFY carries the PIN). nil
// stops tracing.
func (v *Card) TraceTo(w io.Writer) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.trace = w
}

func (v *Card) transmit(apdu []byte) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	resp, err := v.dispatch(apdu)
	if v.trace != nil {
		status := "pulled out"
		if len(resp) >= 2 {
			status = fmt.Sprintf("%04X", resp[len(resp)-2:])
		}
		fmt.Fprintf(v.trace, "card: %s → %s\n", describeAPDU(apdu), status)
	}
	return resp, err
}

// describeAPDU names a command for a trace: the header, and the data of a
// SELECT only. The length of a VERIFY's data is not shown either: it is the
// PIN's.
func describeAPDU(apdu []byte) string {
	cmd, ok := parseAPDU(apdu)
	if !ok {
		return fmt.Sprintf("malformed command of %d bytes", len(apdu))
	}
	head := fmt.Sprintf("%02X %02X %02X %02X", cmd.cla, cmd.ins, cmd.p1, cmd.p2)
	switch {
	case cmd.ins == 0xA4:
		return fmt.Sprintf("%s SELECT %X", head, cmd.data)
	case cmd.ins == 0x20 && len(cmd.data) == 0:
		return head + " VERIFY without data"
	case cmd.ins == 0x20:
		return head + " VERIFY with a PIN"
	case cmd.ins == 0xB0:
		return fmt.Sprintf("%s READ BINARY %d bytes", head, cmd.le)
	case cmd.ins == 0x2A:
		return fmt.Sprintf("%s COMPUTE DIGITAL SIGNATURE over %d bytes", head, len(cmd.data))
	}
	return fmt.Sprintf("%s with %d bytes of data", head, len(cmd.data))
}

func (v *Card) dispatch(apdu []byte) ([]byte, error) {
	cmd, ok := parseAPDU(apdu)
	if !ok {
		return sw(swWrongLength), nil
	}
	switch {
	case cmd.cla == 0x00 && cmd.ins == 0xA4:
		return v.selectFile(cmd), nil
	case cmd.cla == 0x00 && cmd.ins == 0xB0:
		return v.readBinary(cmd), nil
	case cmd.cla == 0x00 && cmd.ins == 0x20:
		return v.verify(cmd), nil
	case cmd.cla == 0x80 && cmd.ins == 0x2A:
		return v.sign(cmd)
	case cmd.cla != 0x00 && cmd.cla != 0x80:
		return sw(swCLANotSupported), nil
	}
	return sw(swINSNotSupported), nil
}

func (v *Card) selectFile(c command) []byte {
	switch {
	case c.p1 == 0x04: // by DF name
		if !bytes.Equal(c.data, jpkiAID) {
			return sw(swFileNotFound)
		}
		v.clearSession()
		v.inApp = true
		return sw(swOK)
	case c.p1 == 0x00 && len(c.data) == 2 && c.data[0] == 0x3F && c.data[1] == 0x00: // MF
		v.clearSession()
		return sw(swOK)
	case c.p1 == 0x02 || c.p1 == 0x00: // EF by file id
		if len(c.data) != 2 {
			return sw(swWrongData)
		}
		fid := uint16(c.data[0])<<8 | uint16(c.data[1])
		if !v.inApp || !v.exists(fid) {
			return sw(swFileNotFound)
		}
		v.current = fid
		return sw(swOK)
	}
	return sw(swWrongP1P2)
}

func (v *Card) exists(fid uint16) bool {
	_, file := v.files[fid]
	_, key := v.keys[fid]
	_, pin := v.pins[fid]
	return file || key || pin
}

func (v *Card) readBinary(c command) []byte {
	if c.p1&0x80 != 0 {
		return sw(swWrongP1P2) // short EF identifiers are not used
	}
	data, ok := v.files[v.current]
	if !ok || v.current == 0 {
		return sw(swNotAllowed)
	}
	if v.current == EFSignatureCert && !v.verified[EFSignaturePIN] {
		return sw(swSecurityStatus)
	}
	off := int(c.p1)<<8 | int(c.p2)
	if off > len(data) {
		return sw(swWrongOffset)
	}
	n := min(c.le, len(data)-off)
	return append(bytes.Clone(data[off:off+n]), 0x90, 0x00)
}

func (v *Card) verify(c command) []byte {
	if c.p1 != 0x00 || c.p2 != 0x80 {
		return sw(swWrongP1P2)
	}
	p, ok := v.pins[v.current]
	if !ok {
		return sw(swNotAllowed)
	}
	if len(c.data) == 0 {
		// Tries left, spending none. A locked PIN still answers 63C0:
		// OpenSC 0.23 drops the whole card when this is not 63Cx.
		v.stats.TriesQueries++
		return sw(swTriesLeft | p.left)
	}
	if v.current == EFSignaturePIN {
		v.stats.SignatureVerifies++
	} else {
		v.stats.AuthVerifies++
	}
	if p.left == 0 {
		return sw(swBlocked)
	}
	if subtle.ConstantTimeCompare(c.data, p.pin) == 1 {
		p.left = p.max
		v.verified[v.current] = true
		return sw(swOK)
	}
	p.left--
	v.verified[v.current] = false
	return sw(swTriesLeft | p.left)
}

func (v *Card) sign(c command) ([]byte, error) {
	if c.p1 != 0x00 || c.p2 != 0x80 {
		return sw(swWrongP1P2), nil
	}
	key, ok := v.keys[v.current]
	if !ok {
		return sw(swNotAllowed), nil
	}
	if v.current == EFSignatureKey && v.pullOnSign > 0 {
		v.pullOnSign--
		v.clearSession()
		return nil, errPulledOut
	}
	if !v.verified[keyPIN[v.current]] {
		return sw(swSecurityStatus), nil
	}
	if len(c.data) == 0 || len(c.data) > maxSignatureDigest {
		return sw(swWrongLength), nil
	}
	// PKCS#1 v1.5 over the DigestInfo as given: the caller builds it.
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.Hash(0), c.data)
	if err != nil {
		return sw(swWrongData), nil
	}
	v.stats.Signatures++
	return append(sig, 0x90, 0x00), nil
}

// command is a parsed command APDU.
type command struct {
	cla, ins, p1, p2 byte
	data             []byte
	le               int // expected response length, 0 when none
}

// parseAPDU parses the four ISO 7816-4 cases, short and extended.
func parseAPDU(b []byte) (command, bool) {
	if len(b) < 4 {
		return command{}, false
	}
	c := command{cla: b[0], ins: b[1], p1: b[2], p2: b[3]}
	body := b[4:]
	switch {
	case len(body) == 0: // case 1
		return c, true
	case len(body) == 1: // case 2 short
		c.le = int(body[0])
		if c.le == 0 {
			c.le = maxShortResponse
		}
		return c, true
	case body[0] != 0: // case 3 or 4 short
		lc := int(body[0])
		switch len(body) {
		case 1 + lc:
		case 2 + lc:
			c.le = int(body[1+lc])
			if c.le == 0 {
				c.le = maxShortResponse
			}
		default:
			return command{}, false
		}
		c.data = body[1 : 1+lc]
		return c, true
	case len(body) == 3: // case 2 extended
		c.le = int(body[1])<<8 | int(body[2])
		if c.le == 0 {
			c.le = 65536
		}
		return c, true
	case len(body) > 3: // case 3 or 4 extended
		lc := int(body[1])<<8 | int(body[2])
		switch len(body) {
		case 3 + lc:
		case 5 + lc:
			c.le = int(body[3+lc])<<8 | int(body[4+lc])
			if c.le == 0 {
				c.le = 65536
			}
		default:
			return command{}, false
		}
		if lc == 0 {
			return command{}, false
		}
		c.data = body[3 : 3+lc]
		return c, true
	}
	return command{}, false
}

func sw(code int) []byte { return []byte{byte(code >> 8), byte(code)} }

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(fmt.Sprintf("vcard: bad hex constant %q", s))
	}
	return b
}
