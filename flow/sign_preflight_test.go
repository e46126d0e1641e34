//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

func TestSignFilesRefusesEveryInputThatCannotSucceedBeforeAnyPINIsAsked(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)}, func(c *flow.Config) {
		c.TrustAnchors, c.DoNotKeepCertificates = nil, true
	})
	ctx := context.Background()
	dir := fsxtest.TempDir(t)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	form := write("form.json", `{"procedure": "no-such-procedure", "applicant": {}}`)
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	existing := write("existing.asice", "an earlier package")
	unreadable := write("unreadable.txt", "secret")
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		files []string
		out   string
		want  error
	}{
		{"a missing form is refused", []string{filepath.Join(dir, "missing.json")}, "", flow.ErrInputMissing},
		{"a FIFO is refused at once, not read", []string{fifo}, "", flow.ErrInputNotRegular},
		{"a folder given as an attachment is refused", []string{form, dir}, "", flow.ErrInputNotRegular},
		{"an empty form is refused", []string{write("empty.xml", "  \n")}, "", flow.ErrFormEmpty},
		{"a JSON form that does not parse is refused", []string{write("broken.json", `{"procedure": `)}, "", flow.ErrFormNotJSON},
		{"a form in another format that starts like JSON but is not is refused", []string{write("form.txt", `{not json`)}, "", flow.ErrFormNotJSON},
		{"a missing output folder is refused", []string{form}, filepath.Join(dir, "no-such-folder", "app.asice"), flow.ErrOutDirMissing},
		{"an existing package is not overwritten", []string{form}, existing, flow.ErrOutExists},
		{"a form the service's schema refuses is refused", []string{write("move-out.json", `{"procedure": "`+service.ProcMoveOut+`", "applicant": {}, "fields": {}}`)}, "", flow.ErrFormInvalid},
	}
	if os.Geteuid() != 0 {
		cases = append(cases, struct {
			name  string
			files []string
			out   string
			want  error
		}{"an unreadable attachment is refused", []string{form, unreadable}, "", flow.ErrInputUnreadable})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := c.out
			if out == "" {
				out = filepath.Join(fsxtest.TempDir(t), "app.asice")
			}
			for _, cred := range []flow.CredentialChoice{residentToken(), flow.P12File(p12File(t, w.corpP12))} {
				r := &recorder{pin: flowPIN, secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
				_, err := a.SignFiles(ctx, flow.SignFilesRequest{Files: c.files, Credential: cred, Out: out}, r.callbacks())
				if !errors.Is(err, c.want) {
					t.Errorf("%s: err %v, want %v", cred, err, c.want)
				}
				if r.pinCalls+r.secretCalls != 0 {
					t.Errorf("%s: the PIN or password was asked %d times before the refusal", cred, r.pinCalls+r.secretCalls)
				}
				if out != existing {
					if _, err := os.Stat(out); err == nil {
						t.Errorf("%s: a package was written", cred)
					}
				}
			}
		})
	}
	t.Run("an existing package is replaced when overwriting is asked for", func(t *testing.T) {
		r := &recorder{pin: flowPIN}
		signed, err := a.SignFiles(ctx, flow.SignFilesRequest{Files: []string{form}, Credential: residentToken(), Out: existing, Overwrite: true}, r.callbacks())
		if err != nil || signed.Size == 0 || r.pinCalls != 1 {
			t.Fatalf("signed %+v, err %v, PIN asked %d times", signed, err, r.pinCalls)
		}
	})
}

func TestSignFilesPrechecksTheCertificateBetweenThePINAndTheSignature(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	dir := fsxtest.TempDir(t)
	form := filepath.Join(dir, "form.txt")
	if err := os.WriteFile(form, []byte("any format"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sign := func(t *testing.T, a *flow.App, p12 []byte, accept bool) (*flow.Signed, error, *recorder, string) {
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
		out := filepath.Join(fsxtest.TempDir(t), "app.asice")
		signed, err := a.SignFiles(ctx, flow.SignFilesRequest{Files: []string{form}, Credential: flow.P12File(p12File(t, p12)), Out: out, AcceptIndeterminate: accept},
			flow.Callbacks{Secret: r.callbacks().Secret})
		return signed, err, r, out
	}

	t.Run("a revoked certificate is refused with the service given and no anchors, after the one password", func(t *testing.T) {
		a, _ := openApp(t, svc, w.pki, nil, func(c *flow.Config) { c.TrustAnchors = nil })
		_, err, r, out := sign(t, a, w.revokedP12, false)
		var pe *flow.PrecheckError
		if !errors.As(err, &pe) || r.secretCalls != 1 {
			t.Fatalf("err %v, password asked %d times; want a PrecheckError after one", err, r.secretCalls)
		}
		if l, ok := pe.Precheck.Line(flow.LineRevocation, ""); !ok || l.Level != flow.Red {
			t.Errorf("revocation line %+v", l)
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("a package was written")
		}
	})
	t.Run("a revoked certificate is refused with the anchors given", func(t *testing.T) {
		a, _ := openApp(t, svc, w.pki, nil)
		if _, err, _, _ := sign(t, a, w.revokedP12, false); !errors.Is(err, flow.ErrPrecheckFailed) {
			t.Fatalf("err %v, want ErrPrecheckFailed", err)
		}
	})
	t.Run("with neither anchors nor a service the pre-check says trust and revocation were not checked, and signs", func(t *testing.T) {
		a, _ := openApp(t, svc, w.pki, nil, func(c *flow.Config) { c.TrustAnchors, c.ServiceURL = nil, "" })
		signed, err, _, _ := sign(t, a, w.corpP12, false)
		if err != nil {
			t.Fatal(err)
		}
		if signed.Precheck == nil || !signed.Precheck.TrustNotChecked || signed.Precheck.RevocationUnknown() {
			t.Errorf("precheck %+v", signed.Precheck)
		}
	})
	t.Run("a status the service cannot give is indeterminate: refused unless accepted", func(t *testing.T) {
		a, _ := openApp(t, svc, w.pki, nil, func(c *flow.Config) { c.TrustAnchors = nil })
		svc.Close() // the service is gone after the catalogue was not needed
		_, err, r, out := sign(t, a, w.corpP12, false)
		if !errors.Is(err, flow.ErrIndeterminate) || r.secretCalls != 1 {
			t.Fatalf("err %v, password asked %d times; want ErrIndeterminate after one", err, r.secretCalls)
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("a package was written")
		}
		if _, err, _, _ := sign(t, a, w.corpP12, true); err != nil {
			t.Errorf("accepted, it still failed: %v", err)
		}
	})
}
