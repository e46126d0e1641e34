//go:build cgo && linux

package flow_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// Proxy filing with the virtual My Number card behind pcscd and OpenSC:
// each of the two signatures is made by its own holder with one entry of
// that holder's secret, and the card counts the VERIFY commands of the
// card holder's signature — the PIN entered once, presented at the login
// and at the signature key's context-specific login, no try spent.
func TestEachSignatureOfAProxyFilingIsItsOwnHoldersOneEntryAtTheCard(t *testing.T) {
	cs := testenv.Cards(t)
	svc := startService(t, cs.Issuer.PKI, cs.Issuer.Registry)
	a, _ := openApp(t, svc, cs.Issuer.PKI, []*pkcs11.Library{cs.Lib}, func(c *flow.Config) { c.TriesReader = nil })
	ctx := context.Background()
	dir := fsxtest.TempDir(t)

	// The other holder: a relative with a .p12 file.
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

	cardChoice := func(t *testing.T) flow.CredentialChoice {
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
	nameOf := func(t *testing.T, c *pki.Credential) string {
		h, err := identity.HolderOf(c.Cert)
		if err != nil || h.Person == nil {
			t.Fatalf("holder: %v", err)
		}
		return h.Person.Name
	}
	atCard := func(t *testing.T, card *vcard.Card, pinCalls int) {
		t.Helper()
		st, sig := card.Stats(), tries(card)
		if pinCalls != 1 || st.SignatureVerifies != 2 || st.Signatures != 1 || sig != vcard.SignaturePINTries {
			t.Fatalf("PIN asked %d times; the card saw %d PIN verifications, made %d signatures and has %d tries left; want 1, 2, 1, %d",
				pinCalls, st.SignatureVerifies, st.Signatures, sig, vcard.SignaturePINTries)
		}
	}

	t.Run("the card holder is the proxy: one PIN entry for the proxy's signature, counted at the card", func(t *testing.T) {
		card := cs.Insert(t, vcard.ScenarioHealthy)
		holder := card.SignatureCredential()
		// The relative, the principal, signs the power of attorney with
		// the .p12: one password.
		principal := &recorder{secrets: p12Secrets}
		poa := filepath.Join(dir, "POA-relative.asice")
		if _, err := a.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: service.ProcMoveOut,
			Proxy: submit.ProxyRef{Name: nameOf(t, holder)}, Credential: flow.P12File(relativeP12), Out: poa}, principal.callbacks()); err != nil {
			t.Fatal(err)
		}
		if principal.secretCalls != 1 || principal.pinCalls != 0 || card.Stats().SignatureVerifies != 0 {
			t.Fatalf("the principal's signature asked %d passwords and %d PINs; the card saw %d verifications", principal.secretCalls, principal.pinCalls, card.Stats().SignatureVerifies)
		}
		proxy := &recorder{pin: vcard.SignaturePIN}
		proc, doc := form(t, a, service.ProcMoveOut, relative.Cert)
		s, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, PowerOfAttorney: poa,
			Credential: cardChoice(t)}, "", proxy.callbacks())
		if err != nil || rec == nil {
			t.Fatalf("the proxy signs and files with the card: %v", err)
		}
		atCard(t, card, proxy.pinCalls)
		if proxy.secretCalls != 0 {
			t.Fatalf("the proxy was asked for %d passwords", proxy.secretCalls)
		}
		rep, err := signer.Verify(ctx, s.Path, signer.VerifyOptions{Roots: cs.Issuer.PKI.Roots()})
		if err != nil || rep.Outcome() != signer.OutcomeValid || len(rep.Signatures) != 2 ||
			!rep.Signatures[0].Signer.Equal(relative.Cert) || !rep.Signatures[1].Signer.Equal(holder.Cert) {
			t.Fatalf("package: %v; want the relative's and the card holder's signatures", err)
		}
	})

	t.Run("the card holder is the principal: one PIN entry for the power of attorney, counted at the card", func(t *testing.T) {
		card := cs.Insert(t, vcard.ScenarioHealthy)
		holder := card.SignatureCredential()
		principal := &recorder{pin: vcard.SignaturePIN}
		poa := filepath.Join(dir, "POA-card.asice")
		if _, err := a.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: service.ProcMoveOut,
			Proxy: submit.ProxyRef{Name: nameOf(t, relative)}, Credential: cardChoice(t), Out: poa}, principal.callbacks()); err != nil {
			t.Fatal(err)
		}
		atCard(t, card, principal.pinCalls)
		proxy := &recorder{secrets: p12Secrets}
		proc, doc := form(t, a, service.ProcMoveOut, holder.Cert)
		if _, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, PowerOfAttorney: poa,
			Credential: flow.P12File(relativeP12)}, "", proxy.callbacks()); err != nil || rec == nil {
			t.Fatalf("the relative files as proxy: %v", err)
		}
		if proxy.secretCalls != 1 || proxy.pinCalls != 0 || card.Stats().SignatureVerifies != 2 {
			t.Fatalf("the proxy's signature asked %d passwords and %d PINs; the card saw %d verifications in all", proxy.secretCalls, proxy.pinCalls, card.Stats().SignatureVerifies)
		}
	})
}
