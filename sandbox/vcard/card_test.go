package vcard

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

var (
	testPKIOnce sync.Once
	testPKIVal  *pki.PKI
	testPKIErr  error
)

// sandboxPKI is one PKI for the package's tests.
func sandboxPKI(t testing.TB) *pki.PKI {
	t.Helper()
	testPKIOnce.Do(func() { testPKIVal, testPKIErr = pki.New(time.Now()) })
	if testPKIErr != nil {
		t.Fatal(testPKIErr)
	}
	return testPKIVal
}

var (
	testIssuerOnce sync.Once
	testIssuer     *Issuer
	testIssuerErr  error
)

func issuer(t *testing.T) *Issuer {
	t.Helper()
	p := sandboxPKI(t)
	testIssuerOnce.Do(func() { testIssuer, testIssuerErr = NewIssuer(p, pki.NewRegistry()) })
	if testIssuerErr != nil {
		t.Fatal(testIssuerErr)
	}
	return testIssuer
}

func issue(t *testing.T, s Scenario) *Card {
	t.Helper()
	card, err := issuer(t).Issue(s)
	if err != nil {
		t.Fatal(err)
	}
	return card
}

// apdu builds a short command APDU: data is sent with Lc, le >= 0 adds Le.
func apdu(cla, ins, p1, p2 byte, data []byte, le int) []byte {
	b := []byte{cla, ins, p1, p2}
	if len(data) > 0 {
		b = append(append(b, byte(len(data))), data...)
	}
	if le >= 0 {
		b = append(b, byte(le))
	}
	return b
}

func selectAID(aid []byte) []byte { return apdu(0x00, 0xA4, 0x04, 0x0C, aid, -1) }
func selectEF(fid uint16) []byte {
	return apdu(0x00, 0xA4, 0x02, 0x0C, []byte{byte(fid >> 8), byte(fid)}, -1)
}
func verifyPIN(pin string) []byte { return apdu(0x00, 0x20, 0x00, 0x80, []byte(pin), -1) }

var verifyNoData = []byte{0x00, 0x20, 0x00, 0x80}

// send transmits and checks the status word, returning the data.
func send(t *testing.T, card *Card, cmd []byte, wantSW uint16) []byte {
	t.Helper()
	resp := card.Transmit(cmd)
	if len(resp) < 2 {
		t.Fatalf("% X: response of %d bytes", cmd[:4], len(resp))
	}
	if got := binary.BigEndian.Uint16(resp[len(resp)-2:]); got != wantSW {
		t.Fatalf("% X: SW %04X, want %04X", cmd[:4], got, wantSW)
	}
	return resp[:len(resp)-2]
}

// readEF reads an EF as OpenSC's JPKI driver does: 4 bytes for the DER
// header, then 256-byte pieces at increasing offsets.
func readEF(t *testing.T, card *Card, fid uint16) []byte {
	t.Helper()
	send(t, card, selectEF(fid), 0x9000)
	head := send(t, card, apdu(0x00, 0xB0, 0, 0, nil, 4), 0x9000)
	size := int(head[2])<<8 | int(head[3]) + 4
	var out []byte
	for len(out) < size {
		n := min(256, size-len(out))
		out = append(out, send(t, card, apdu(0x00, 0xB0, byte(len(out)>>8), byte(len(out)), nil, n%256), 0x9000)...)
	}
	return out
}

func TestParseAPDUReadsTheFourISOCases(t *testing.T) {
	cases := []struct {
		name   string
		in     []byte
		ok     bool
		data   []byte
		wantLe int
	}{
		{"case 1 has a header only", []byte{0, 0x20, 0, 0x80}, true, nil, 0},
		{"case 2 short with Le 00 expects 256 bytes", []byte{0, 0xB0, 0, 0, 0}, true, nil, 256},
		{"case 3 short carries Lc bytes", []byte{0, 0xA4, 2, 0x0C, 2, 0, 0x1B}, true, []byte{0, 0x1B}, 0},
		{"case 4 short carries data and Le", []byte{0x80, 0x2A, 0, 0x80, 1, 0xAA, 0}, true, []byte{0xAA}, 256},
		{"case 2 extended reads a 2-byte Le", []byte{0, 0xB0, 0, 0, 0, 0x01, 0x00}, true, nil, 256},
		{"case 4 extended reads Lc and Le on 2 bytes", []byte{0x80, 0x2A, 0, 0x80, 0, 0, 1, 0xAA, 0x01, 0x00}, true, []byte{0xAA}, 256},
		{"a short Lc that disagrees with the length is refused", []byte{0, 0xA4, 2, 0x0C, 3, 0, 0x1B}, false, nil, 0},
		{"fewer than four bytes are refused", []byte{0, 0xA4, 2}, false, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd, ok := parseAPDU(c.in)
			if ok != c.ok || ok && (!bytes.Equal(cmd.data, c.data) || cmd.le != c.wantLe) {
				t.Errorf("got %+v, %v", cmd, ok)
			}
		})
	}
}

func TestVirtualCardAnswersAsOpenSCsJPKIDriverExpects(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, card *Card)
	}{
		{"files are found only inside the JPKI application, selected by its AID", func(t *testing.T, card *Card) {
			send(t, card, selectEF(EFAuthCert), 0x6A82)
			send(t, card, selectAID(mustHex("A0000000030000")), 0x6A82)
			send(t, card, selectAID(jpkiAID), 0x9000)
			send(t, card, selectEF(EFAuthCert), 0x9000)
			send(t, card, selectEF(0x0003), 0x6A82)
		}},
		{"READ BINARY returns each certificate in pieces at any offset", func(t *testing.T, card *Card) {
			send(t, card, selectAID(jpkiAID), 0x9000)
			for fid, want := range map[uint16][]byte{EFAuthCert: card.auth.Cert.Raw, EFAuthCA: issuer(t).AuthCA.Cert.Raw, EFSignatureCA: sandboxPKI(t).JPKISign.Cert.Raw} {
				if got := readEF(t, card, fid); !bytes.Equal(got, want) {
					t.Errorf("EF %04X: read %d bytes that differ from the certificate", fid, len(got))
				}
			}
			send(t, card, apdu(0x00, 0xB0, 0x7F, 0x00, nil, 4), 0x6B00)
			send(t, card, selectEF(EFSignatureKey), 0x9000)
			send(t, card, apdu(0x00, 0xB0, 0, 0, nil, 4), 0x6986)
		}},
		{"the signature certificate is readable only after the signature PIN", func(t *testing.T, card *Card) {
			send(t, card, selectAID(jpkiAID), 0x9000)
			send(t, card, selectEF(EFSignatureCert), 0x9000)
			send(t, card, apdu(0x00, 0xB0, 0, 0, nil, 4), 0x6982)
			send(t, card, selectEF(EFAuthPIN), 0x9000)
			send(t, card, verifyPIN(AuthPIN), 0x9000)
			send(t, card, selectEF(EFSignatureCert), 0x9000)
			send(t, card, apdu(0x00, 0xB0, 0, 0, nil, 4), 0x6982)
			send(t, card, selectEF(EFSignaturePIN), 0x9000)
			send(t, card, verifyPIN(SignaturePIN), 0x9000)
			if got := readEF(t, card, EFSignatureCert); !bytes.Equal(got, card.signature.Cert.Raw) {
				t.Error("the signature certificate read differs")
			}
		}},
		{"VERIFY without data tells the tries left and spends none", func(t *testing.T, card *Card) {
			send(t, card, selectAID(jpkiAID), 0x9000)
			send(t, card, selectEF(EFSignaturePIN), 0x9000)
			for range 10 {
				send(t, card, verifyNoData, 0x63C5)
			}
			send(t, card, selectEF(EFAuthPIN), 0x9000)
			send(t, card, verifyNoData, 0x63C3)
			if st := card.Stats(); st.TriesQueries != 11 || st.SignatureVerifies+st.AuthVerifies != 0 {
				t.Errorf("stats %+v", st)
			}
		}},
		{"wrong PINs count down to a lock that still answers 63C0 and refuses even the right PIN", func(t *testing.T, card *Card) {
			send(t, card, selectAID(jpkiAID), 0x9000)
			send(t, card, selectEF(EFSignaturePIN), 0x9000)
			send(t, card, verifyPIN("WRONG1"), 0x63C4)
			send(t, card, verifyPIN(SignaturePIN), 0x9000)
			send(t, card, verifyNoData, 0x63C5)
			for left := 4; left >= 0; left-- {
				send(t, card, verifyPIN("WRONG1"), 0x63C0|uint16(left))
			}
			send(t, card, verifyNoData, 0x63C0)
			send(t, card, verifyPIN(SignaturePIN), 0x6983)
			if sig, auth := card.TriesLeft(); sig != 0 || auth != 3 {
				t.Errorf("tries left %d and %d, want 0 and 3", sig, auth)
			}
			if st := card.Stats(); st.SignatureVerifies != 8 {
				t.Errorf("%d signature VERIFYs counted, want 8", st.SignatureVerifies)
			}
		}},
		{"counters survive a power cycle while the verified state does not, nor a new SELECT of the application", func(t *testing.T, card *Card) {
			send(t, card, selectAID(jpkiAID), 0x9000)
			send(t, card, selectEF(EFSignaturePIN), 0x9000)
			send(t, card, verifyPIN("WRONG1"), 0x63C4)
			send(t, card, verifyPIN(SignaturePIN), 0x9000)
			send(t, card, verifyPIN("WRONG1"), 0x63C4)
			card.PowerOff()
			send(t, card, selectEF(EFSignaturePIN), 0x6A82)
			send(t, card, selectAID(jpkiAID), 0x9000)
			send(t, card, selectEF(EFSignaturePIN), 0x9000)
			send(t, card, verifyNoData, 0x63C4)
			send(t, card, verifyPIN(SignaturePIN), 0x9000)
			send(t, card, selectAID(jpkiAID), 0x9000)
			send(t, card, selectEF(EFSignatureCert), 0x9000)
			send(t, card, apdu(0x00, 0xB0, 0, 0, nil, 4), 0x6982)
		}},
		{"COMPUTE DIGITAL SIGNATURE signs the DigestInfo as given with the selected key once its PIN is verified", func(t *testing.T, card *Card) {
			digest := sha256.Sum256([]byte("申請書"))
			di := append(mustHex("3031300d060960864801650304020105000420"), digest[:]...)
			sign := apdu(0x80, 0x2A, 0x00, 0x80, di, 0)
			send(t, card, selectAID(jpkiAID), 0x9000)
			send(t, card, sign, 0x6986)
			for _, k := range []struct {
				key, pinEF uint16
				pin        string
				pub        *rsa.PublicKey
			}{
				{EFSignatureKey, EFSignaturePIN, SignaturePIN, &card.signature.Key.PublicKey},
				{EFAuthKey, EFAuthPIN, AuthPIN, &card.auth.Key.PublicKey},
			} {
				send(t, card, selectEF(k.key), 0x9000)
				send(t, card, sign, 0x6982)
				send(t, card, selectEF(k.pinEF), 0x9000)
				send(t, card, verifyPIN(k.pin), 0x9000)
				send(t, card, selectEF(k.key), 0x9000)
				sig := send(t, card, sign, 0x9000)
				if err := rsa.VerifyPKCS1v15(k.pub, crypto.SHA256, digest[:], sig); err != nil {
					t.Errorf("key %04X: %v", k.key, err)
				}
			}
			if card.Stats().Signatures != 2 {
				t.Errorf("%d signatures counted", card.Stats().Signatures)
			}
		}},
		{"commands the card does not know get ISO 7816 status words", func(t *testing.T, card *Card) {
			send(t, card, []byte{0x00, 0xCA, 0xDF, 0x30, 0x00}, 0x6D00)
			send(t, card, []byte{0x90, 0xA4, 0x04, 0x00, 0x00}, 0x6E00)
			send(t, card, []byte{0x00, 0xA4, 0x02}, 0x6700)
			send(t, card, selectAID(jpkiAID), 0x9000)
			send(t, card, verifyNoData, 0x6986) // no PIN EF selected
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, issue(t, ScenarioHealthy)) })
	}
}

func TestScenariosIssueTheCardTheyName(t *testing.T) {
	now := sandboxPKI(t).Now
	for _, s := range Scenarios() {
		t.Run(string(s), func(t *testing.T) {
			if got, err := ParseScenario(string(s)); err != nil || got != s {
				t.Errorf("ParseScenario: %v, %v", got, err)
			}
			card := issue(t, s)
			sig, _ := card.TriesLeft()
			cred := card.SignatureCredential()
			if s == ScenarioNoSignatureCert {
				if cred != nil || card.files[EFSignatureCert] != nil {
					t.Error("the card holds a signature certificate")
				}
				return
			}
			if cred == nil || !bytes.Equal(card.files[EFSignatureCert], cred.Cert.Raw) {
				t.Fatal("EF 0001 does not hold the signature certificate")
			}
			person, err := identity.FromJPKI(cred.Cert)
			if err != nil {
				t.Fatal(err)
			}
			wantTries, wantExpired, wantAddress, wantRoot := 5, false, pki.SampleResident().Address, sandboxPKI(t).JPKISign.Cert
			switch s {
			case ScenarioFinalTry:
				wantTries = 1
			case ScenarioLocked:
				wantTries = 0
			case ScenarioExpired:
				wantExpired = true
			case ScenarioAddressChanged:
				wantAddress = MovedAddress
			case ScenarioOldGeneration:
				wantExpired, wantRoot = true, sandboxPKI(t).JPKISignOld.Cert
			}
			if sig != wantTries {
				t.Errorf("%d signature tries, want %d", sig, wantTries)
			}
			if expired := cred.Cert.NotAfter.Before(now); expired != wantExpired {
				t.Errorf("expired %v, want %v", expired, wantExpired)
			}
			if person.Address != wantAddress {
				t.Error("the certificate's address is not the scenario's")
			}
			if err := cred.Cert.CheckSignatureFrom(wantRoot); err != nil || !bytes.Equal(card.files[EFSignatureCA], wantRoot.Raw) {
				t.Errorf("not issued by the scenario's root generation, or EF 0002 holds another: %v", err)
			}
			status, _ := issuer(t).Registry.Status(sandboxPKI(t).JPKISign, cred.Cert.SerialNumber)
			if revoked := status == pki.CertRevoked; revoked != (s == ScenarioRevoked) || (card.RevokedSerial() != nil) != revoked {
				t.Errorf("registry status %v, RevokedSerial %v", status, card.RevokedSerial())
			}
			if pulls := card.pullOnSign > 0; pulls != (s == ScenarioRemovedDuringSigning) {
				t.Errorf("pulls out on signature: %v", pulls)
			}
		})
	}
	if _, err := ParseScenario("broken"); err == nil {
		t.Error("an unknown scenario parsed")
	}
}

// fakeVpcd listens as Debian's vpcd does and writes each message's length
// and bytes in two writes with Nagle's algorithm on, as it does too.
type fakeVpcd struct {
	ln net.Listener
}

func (f *fakeVpcd) accept(t *testing.T) net.Conn {
	t.Helper()
	f.ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	c, err := f.ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).SetNoDelay(false)
	t.Cleanup(func() { c.Close() })
	return c
}

func exchange(t *testing.T, c net.Conn, msg []byte, answer bool) []byte {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(binary.BigEndian.AppendUint16(nil, uint16(len(msg)))); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	if !answer {
		return nil
	}
	var hdr [2]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		t.Fatal(err)
	}
	resp := make([]byte, binary.BigEndian.Uint16(hdr[:]))
	if _, err := io.ReadFull(c, resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestSlotSpeaksVpcdsProtocolWithoutWaitingForDelayedAcks(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	vpcd := &fakeVpcd{ln: ln}
	if _, err := NewSlot("0.0.0.0:35963"); err == nil {
		t.Error("a slot on every interface was accepted")
	}
	slot, err := NewSlot(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer slot.Close()
	card := issue(t, ScenarioRemovedDuringSigning)
	slot.Insert(card)
	c := vpcd.accept(t)
	if atr := exchange(t, c, []byte{vpcdGetATR}, true); !bytes.Equal(atr, JPKIATR) {
		t.Fatalf("ATR % X", atr)
	}
	exchange(t, c, []byte{vpcdPowerOn}, false)
	if resp := exchange(t, c, selectAID(jpkiAID), true); !bytes.Equal(resp, []byte{0x90, 0x00}) {
		t.Fatalf("SELECT answered % X", resp)
	}
	const n = 100
	start := time.Now()
	for range n {
		if resp := exchange(t, c, selectEF(EFSignaturePIN), true); !bytes.Equal(resp, []byte{0x90, 0x00}) {
			t.Fatalf("SELECT answered % X", resp)
		}
	}
	// Delayed ACKs cost about 40 ms per command; quick ACKs well under one.
	if per := time.Since(start) / n; per > 10*time.Millisecond {
		t.Errorf("%v per command: the slot waits for delayed ACKs", per)
	}

	t.Run("a card pulled out on its signature leaves the slot and can be inserted again", func(t *testing.T) {
		removed := slot.Removed()
		exchange(t, c, selectEF(EFSignatureKey), true)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte{0, 7})
		c.Write(apdu(0x80, 0x2A, 0, 0x80, []byte{1}, 0))
		if _, err := c.Read(make([]byte, 2)); !errors.Is(err, io.EOF) {
			t.Errorf("read after the signature command: %v, want the connection closed", err)
		}
		select {
		case <-removed:
		case <-time.After(5 * time.Second):
			t.Fatal("Removed was not closed")
		}
		if slot.Card() != nil {
			t.Error("the slot still holds the card")
		}
		slot.Insert(card)
		c2 := vpcd.accept(t)
		if atr := exchange(t, c2, []byte{vpcdGetATR}, true); !bytes.Equal(atr, JPKIATR) {
			t.Errorf("ATR after re-insertion % X", atr)
		}
		slot.Remove()
		c2.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c2.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("read after Remove: %v, want the connection closed", err)
		}
	})
}
