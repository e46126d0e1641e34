//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
	"github.com/shinsei-app/shinsei/submit"
)

// A power of attorney's validity is checked before the card is asked
// anything: the virtual My Number card behind pcscd and OpenSC sees no
// PIN verification, and keeps every try, when the proxy's power of
// attorney has expired or the principal's chosen last day is out of range.
func TestAPowerOfAttorneyOutsideItsValidityNeverReachesTheCard(t *testing.T) {
	cs := testenv.Cards(t)
	svc := startService(t, cs.Issuer.PKI, cs.Issuer.Registry)
	libs := []*pkcs11.Library{cs.Lib}
	a, _ := openApp(t, svc, cs.Issuer.PKI, libs, func(c *flow.Config) { c.TriesReader = nil })
	later, _ := openApp(t, svc, cs.Issuer.PKI, libs, func(c *flow.Config) {
		c.TriesReader = nil
		c.Now = func() time.Time { return time.Now().AddDate(0, 4, 0) }
	})
	ctx := context.Background()
	dir := fsxtest.TempDir(t)
	relative, err := cs.Issuer.PKI.IssueResident(kit.ProxyResident(), pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cs.Issuer.Registry.Record(cs.Issuer.PKI.JPKISign, relative.Cert)
	der, err := relative.PKCS12(kit.P12Password)
	if err != nil {
		t.Fatal(err)
	}
	relativeP12 := p12File(t, der)
	cardOf := func(t *testing.T, a *flow.App) flow.CredentialChoice {
		t.Helper()
		found, err := a.FindCredentials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range found.Tokens {
			if tok.MyNumberCard {
				return tok.Choice()
			}
		}
		t.Fatalf("no My Number card among %+v", found.Tokens)
		return flow.CredentialChoice{}
	}
	untouched := func(t *testing.T, card *vcard.Card, r *recorder) {
		t.Helper()
		if st := card.Stats(); r.pinCalls != 0 || st.SignatureVerifies != 0 || st.Signatures != 0 || tries(card) != vcard.SignaturePINTries {
			t.Fatalf("PIN asked %d times; the card saw %d verifications and %d signatures, %d tries left; want none, and every try",
				r.pinCalls, st.SignatureVerifies, st.Signatures, tries(card))
		}
	}

	t.Run("the card holder as proxy with an expired power of attorney", func(t *testing.T) {
		card := cs.Insert(t, vcard.ScenarioHealthy)
		h, err := identity.HolderOf(card.SignatureCredential().Cert)
		if err != nil || h.Person == nil {
			t.Fatalf("holder: %v", err)
		}
		poa := filepath.Join(dir, "POA.asice")
		if _, err := a.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: service.ProcMoveOut,
			Proxy: submit.ProxyRef{Name: h.Person.Name}, Credential: flow.P12File(relativeP12), Out: poa}, (&recorder{secrets: p12Secrets}).callbacks()); err != nil {
			t.Fatal(err)
		}
		r := &recorder{pin: vcard.SignaturePIN}
		proc, doc := form(t, later, service.ProcMoveOut, relative.Cert)
		_, err = later.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, PowerOfAttorney: poa,
			Credential: cardOf(t, later), Out: filepath.Join(dir, "app.asice")}, r.callbacks())
		if !errors.Is(err, flow.ErrPowerOfAttorneyExpired) {
			t.Fatalf("err %v, want ErrPowerOfAttorneyExpired", err)
		}
		untouched(t, card, r)
	})

	t.Run("the card holder as principal choosing a last day seven months ahead", func(t *testing.T) {
		card := cs.Insert(t, vcard.ScenarioHealthy)
		r := &recorder{pin: vcard.SignaturePIN}
		_, err := a.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: service.ProcMoveOut,
			Proxy: submit.ProxyRef{Name: "高橋　一郎"}, Credential: cardOf(t, a), Out: filepath.Join(dir, "POA-far.asice"),
			ValidUntil: time.Now().AddDate(0, 7, 0)}, r.callbacks())
		if !errors.Is(err, flow.ErrValidUntilOutOfRange) {
			t.Fatalf("err %v, want ErrValidUntilOutOfRange", err)
		}
		untouched(t, card, r)
	})
}
