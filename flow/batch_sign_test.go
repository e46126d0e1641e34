//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/signer"
)

// batchForms writes forms named names (any format) into a new folder and
// returns their paths; attach gives a form an attachments folder.
func batchForms(t *testing.T, names []string, attach map[string][]string) []string {
	t.Helper()
	dir := fsxtest.TempDir(t)
	var forms []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("application "+n), 0o600); err != nil {
			t.Fatal(err)
		}
		forms = append(forms, p)
		if files, ok := attach[n]; ok {
			folder := filepath.Join(dir, flow.BatchName(n))
			if err := os.Mkdir(folder, 0o700); err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if err := os.WriteFile(filepath.Join(folder, f), []byte("attachment "+f), 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return forms
}

func TestSignBatchSignsEveryFormWithOneUnlock(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)}, func(c *flow.Config) { c.DoNotKeepCertificates = true })
	ctx := context.Background()
	cases := []struct {
		name string
		cred func(t *testing.T) flow.CredentialChoice
	}{
		{"a .p12 file is opened once, with one password, for three forms", func(t *testing.T) flow.CredentialChoice { return flow.P12File(p12File(t, w.corpP12)) }},
		{"a token that needs a context-specific login per signature is asked its PIN once for three forms", func(*testing.T) flow.CredentialChoice { return residentToken() }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forms := batchForms(t, []string{"a.txt", "b.xml", "c.txt"}, map[string][]string{"b.xml": {"z.pdf", "a.pdf", ".hidden"}})
			out := fsxtest.TempDir(t)
			r := &recorder{pin: flowPIN, secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
			var told []flow.BatchItem
			res, err := a.SignBatch(ctx, flow.BatchSignRequest{Forms: forms, OutDir: out, Credential: c.cred(t)}, r.callbacks(),
				func(it flow.BatchItem) { told = append(told, it) })
			if err != nil {
				t.Fatal(err)
			}
			if r.pinCalls+r.secretCalls != 1 {
				t.Errorf("the PIN or password was asked %d times, want once", r.pinCalls+r.secretCalls)
			}
			if res.Signed != 3 || len(told) != 3 || res.Stopped != nil {
				t.Fatalf("signed %d, told %d items, stopped %v; want 3, 3, nil", res.Signed, len(told), res.Stopped)
			}
			for i, it := range res.Items {
				want := filepath.Join(out, []string{"a", "b", "c"}[i]+".asice")
				if it.Package != want || it.Status != flow.BatchSigned || it.Precheck == nil {
					t.Errorf("item %d: %s %s (pre-check %v), want %s signed after its own pre-check", i, it.Package, it.Status, it.Precheck != nil, want)
				}
				rep, err := signer.Verify(ctx, it.Package, signer.VerifyOptions{Roots: w.pki.Roots()})
				if err != nil || rep.Outcome() != signer.OutcomeValid {
					t.Fatalf("package %s does not verify: %v", it.Package, err)
				}
				wantFiles := 1
				if i == 1 {
					wantFiles = 3 // the folder b/ beside b.xml, its hidden file left out
				}
				if len(it.Signed.Files) != wantFiles {
					t.Errorf("package %s holds %d files, want %d", it.Package, len(it.Signed.Files), wantFiles)
				}
			}
			if names := []string{res.Items[1].Signed.Files[1].Name, res.Items[1].Signed.Files[2].Name}; names[0] != "a.pdf" || names[1] != "z.pdf" {
				t.Errorf("attachments %v, want the folder's files in name order", names)
			}
		})
	}
}

func TestSignBatchChecksEveryInputOfEveryFormBeforeThePIN(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)}, func(c *flow.Config) { c.DoNotKeepCertificates = true })
	ctx := context.Background()
	cases := []struct {
		name    string
		prepare func(t *testing.T, forms []string, out string) []string
		bad     int // the refused form
		want    error
	}{
		{"the third form missing refuses the batch", func(t *testing.T, forms []string, _ string) []string {
			return append(forms[:2], forms[2]+".missing")
		}, 2, flow.ErrInputMissing},
		{"a package already in the output folder refuses the batch", func(t *testing.T, forms []string, out string) []string {
			os.WriteFile(filepath.Join(out, "b.asice"), []byte("earlier"), 0o600)
			return forms
		}, 1, flow.ErrOutExists},
		{"a folder inside a form's attachments folder refuses the batch", func(t *testing.T, forms []string, _ string) []string {
			os.MkdirAll(filepath.Join(filepath.Dir(forms[2]), "c", "sub"), 0o700)
			return forms
		}, 2, flow.ErrInputNotRegular},
		{"two forms of the same name in different folders refuse the batch", func(t *testing.T, forms []string, _ string) []string {
			other := batchForms(t, []string{"A.txt"}, nil)
			return append(forms, other[0])
		}, 3, flow.ErrBatchNameTwice},
		{"an empty form refuses the batch", func(t *testing.T, forms []string, _ string) []string {
			os.WriteFile(forms[0], nil, 0o600)
			return forms
		}, 0, flow.ErrFormEmpty},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, cred := range []flow.CredentialChoice{residentToken(), flow.P12File(p12File(t, w.corpP12))} {
				forms := batchForms(t, []string{"a.txt", "b.txt", "c.txt"}, nil)
				out := fsxtest.TempDir(t)
				forms = c.prepare(t, forms, out)
				r := &recorder{pin: flowPIN, secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
				res, err := a.SignBatch(ctx, flow.BatchSignRequest{Forms: forms, OutDir: out, Credential: cred}, r.callbacks(), nil)
				if !errors.Is(err, c.want) {
					t.Errorf("%s: err %v, want %v", cred, err, c.want)
				}
				if r.pinCalls+r.secretCalls != 0 {
					t.Errorf("%s: the PIN or password was asked %d times before the refusal", cred, r.pinCalls+r.secretCalls)
				}
				if res.Signed != 0 || res.Items[c.bad].Status != flow.BatchRefused || !errors.Is(res.Items[c.bad].Err, c.want) {
					t.Errorf("%s: signed %d, the bad form's item %s %v", cred, res.Signed, res.Items[c.bad].Status, res.Items[c.bad].Err)
				}
				if files := filesIn(t, out); len(files) > 1 || (len(files) == 1 && c.want != flow.ErrOutExists) {
					t.Errorf("%s: the output folder holds %v", cred, files)
				}
			}
		})
	}
}

func TestSignBatchStopsAtAWrongPINAndPrechecksEachForm(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)}, func(c *flow.Config) { c.DoNotKeepCertificates = true })
	ctx := context.Background()

	t.Run("a wrong PIN is presented once and the batch stops with nothing written", func(t *testing.T) {
		forms := batchForms(t, []string{"a.txt", "b.txt"}, nil)
		out := fsxtest.TempDir(t)
		r := &recorder{pin: "WRONGPIN9"}
		res, err := a.SignBatch(ctx, flow.BatchSignRequest{Forms: forms, OutDir: out, Credential: residentToken()}, r.callbacks(), nil)
		if !errors.Is(err, pkcs11.ErrPINIncorrect) || !errors.Is(res.Stopped, pkcs11.ErrPINIncorrect) {
			t.Fatalf("err %v, stopped %v; want the PIN error", err, res.Stopped)
		}
		if r.pinCalls != 1 || res.NotTried != 2 || len(filesIn(t, out)) != 0 {
			t.Errorf("PIN asked %d times, %d forms not tried, files %v; want 1, 2, none", r.pinCalls, res.NotTried, filesIn(t, out))
		}
		// The right PIN again, so later tests find the token unharmed.
		r = &recorder{pin: flowPIN}
		if _, err := a.SignBatch(ctx, flow.BatchSignRequest{Forms: forms, OutDir: out, Credential: residentToken()}, r.callbacks(), nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a revoked certificate refuses every form in its own pre-check and writes nothing", func(t *testing.T) {
		forms := batchForms(t, []string{"a.txt", "b.txt"}, nil)
		out := fsxtest.TempDir(t)
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
		res, err := a.SignBatch(ctx, flow.BatchSignRequest{Forms: forms, OutDir: out, Credential: flow.P12File(p12File(t, w.revokedP12))}, r.callbacks(), nil)
		if err != nil {
			t.Fatalf("err %v: a refused form does not stop the batch", err)
		}
		for _, it := range res.Items {
			if it.Status != flow.BatchRefused || !errors.Is(it.Err, flow.ErrPrecheckFailed) || it.Precheck == nil {
				t.Errorf("%s: %s %v, want refused by its pre-check", it.Form, it.Status, it.Err)
			}
		}
		if res.Refused != 2 || r.secretCalls != 1 || len(filesIn(t, out)) != 0 {
			t.Errorf("refused %d, password asked %d times, files %v", res.Refused, r.secretCalls, filesIn(t, out))
		}
	})
	t.Run("cancelled after the first form, the batch stops and leaves no half-made package", func(t *testing.T) {
		forms := batchForms(t, []string{"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "g.txt", "h.txt"}, nil)
		out := fsxtest.TempDir(t)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		r := &recorder{pin: flowPIN}
		res, err := a.SignBatch(cctx, flow.BatchSignRequest{Forms: forms, OutDir: out, Credential: residentToken()}, r.callbacks(),
			func(it flow.BatchItem) {
				if it.Status == flow.BatchSigned {
					cancel()
				}
			})
		if !errors.Is(err, context.Canceled) || !errors.Is(res.Stopped, context.Canceled) {
			t.Fatalf("err %v, stopped %v; want context.Canceled", err, res.Stopped)
		}
		if res.Signed == 0 || res.Signed == len(forms) || res.Signed+res.Failed+res.NotTried != len(forms) {
			t.Errorf("signed %d, failed %d, not tried %d of %d", res.Signed, res.Failed, res.NotTried, len(forms))
		}
		if files := filesIn(t, out); len(files) != res.Signed {
			t.Errorf("%d files for %d signed packages: %v", len(files), res.Signed, files)
		}
	})
	t.Run("a PIN the card refuses mid-batch is presented once and stops the batch", func(t *testing.T) {
		m, lib := fakeCard(t, w, 0)
		fa, _ := openApp(t, svc, w.pki, []*pkcs11.Library{lib}, func(c *flow.Config) { c.DoNotKeepCertificates = true })
		forms := batchForms(t, []string{"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "g.txt", "h.txt"}, nil)
		out := fsxtest.TempDir(t)
		r := &recorder{pin: "RIGHT1"}
		changed := false
		res, err := fa.SignBatch(ctx, flow.BatchSignRequest{Forms: forms, OutDir: out,
			Credential: flow.CredentialChoice{Token: pkcs11.Selector{Label: pkcs11.JPKISignatureLabel}}}, r.callbacks(),
			func(it flow.BatchItem) {
				if !changed && it.Status == flow.BatchSigned {
					changed = true
					m.ChangePIN("OTHER1") // changed elsewhere: the kept PIN is now wrong
				}
			})
		if !errors.Is(err, pkcs11.ErrPINIncorrect) || !errors.Is(res.Stopped, pkcs11.ErrPINIncorrect) {
			t.Fatalf("err %v, stopped %v; want the PIN error (signed %d, logins %d, changed %v)", err, res.Stopped, res.Signed, m.LoginCalls(), changed)
		}
		// One login, one context-specific login per signature made, and
		// exactly one with the PIN the card refused.
		if got, want := m.LoginCalls(), 1+res.Signed+1; got != want || r.pinCalls != 1 {
			t.Errorf("%d logins for %d signatures (PIN asked %d times), want %d: the refused PIN was presented more than once", got, res.Signed, r.pinCalls, want)
		}
		if res.Signed == 0 || res.Signed+res.Failed+res.NotTried != len(forms) || res.Failed != 1 {
			t.Errorf("signed %d, failed %d, not tried %d", res.Signed, res.Failed, res.NotTried)
		}
		if files := filesIn(t, out); len(files) != res.Signed {
			t.Errorf("%d files for %d signed packages", len(files), res.Signed)
		}
	})
}

// TestABatchPreparesItsPackagesWhileThePINIsAskedAndLeavesNoneBehind:
// the forms are copied and hashed into their packages while the PIN or
// password is asked, and a prompt cancelled leaves nothing in the output
// folder, not even a temporary package.
func TestABatchPreparesItsPackagesWhileThePINIsAskedAndLeavesNoneBehind(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)}, func(c *flow.Config) { c.DoNotKeepCertificates = true })
	ctx := context.Background()
	cancelled := errors.New("the test cancelled the prompt")
	for _, cred := range []flow.CredentialChoice{residentToken(), flow.P12File(p12File(t, w.corpP12))} {
		t.Run(cred.String(), func(t *testing.T) {
			forms := batchForms(t, []string{"a.txt", "b.txt", "c.txt"}, map[string][]string{"b.txt": {"z.pdf"}})
			out := fsxtest.TempDir(t)
			var during []string
			prompt := func() error {
				// Every package is prepared, in a temporary file, while
				// the prompt waits.
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
					if during = filesIn(t, out); len(during) == len(forms) {
						break
					}
				}
				return cancelled
			}
			cb := flow.Callbacks{
				PIN: func(context.Context, pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
					return pkcs11.PINAnswer{}, prompt()
				},
				Secret: func(context.Context, flow.SecretRequest) ([]byte, error) { return nil, prompt() },
			}
			res, err := a.SignBatch(ctx, flow.BatchSignRequest{Forms: forms, OutDir: out, Credential: cred}, cb, nil)
			if !errors.Is(err, cancelled) || res.NotTried != len(forms) {
				t.Fatalf("err %v, %d not tried; want the prompt's error and no form tried", err, res.NotTried)
			}
			if len(during) != len(forms) {
				t.Errorf("while the prompt waited the output folder held %v, want a package being prepared for each form", during)
			}
			if left := filesIn(t, out); len(left) != 0 {
				t.Errorf("the cancelled batch left %v", left)
			}
		})
	}
}
