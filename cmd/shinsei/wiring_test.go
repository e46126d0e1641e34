package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/ui"
)

func selfSigned(t *testing.T, cn string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func TestOpeningWithSettingsMakesAServiceClientAndRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	ca := selfSigned(t, "service CA")
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o600)
	a, err := openApp(context.Background(), ui.Settings{ServiceURL: "https://127.0.0.1:9", ServiceAnchors: []string{caFile},
		Proxy: "http://127.0.0.1:3128", DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Client() == nil || len(a.Config().ServiceAnchors) != 1 || a.Config().Proxy == nil {
		t.Errorf("the app's configuration is %+v", a.Config())
	}
	if _, err := openApp(context.Background(), ui.Settings{ServiceURL: "https://127.0.0.1:9",
		ServiceAnchors: []string{filepath.Join(dir, "missing.pem")}}); err == nil {
		t.Error("a missing anchor file is accepted")
	}
}

func TestTheSandboxKeyringKeepsSecretsInMemoryOnly(t *testing.T) {
	k := &submit.MemoryKeyring{}
	if _, err := k.Get("s", "u"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("a missing entry gives %v, want keyring.ErrNotFound", err)
	}
	k.Set("s", "u", "secret")
	if v, err := k.Get("s", "u"); err != nil || v != "secret" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if err := k.Delete("s", "u"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("s", "u"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("deleting twice gives %v", err)
	}
}

func TestWithNothingConfiguredTheSandboxOffersItsCatalogueAndACard(t *testing.T) {
	sb, err := newSandboxWorld("ja")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.close()
	ctx := context.Background()
	a, err := sb.open(ctx, ui.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	procs, err := a.Procedures(ctx)
	if err != nil || len(procs) == 0 {
		t.Fatalf("the sandbox's catalogue: %d procedures, %v", len(procs), err)
	}
	found, err := a.FindCredentials(ctx)
	if err != nil || len(found.Tokens) != 1 || !found.Tokens[0].MyNumberCard {
		t.Fatalf("the sandbox's card: %+v, %v", found, err)
	}
	if len(found.Files) != 0 {
		t.Errorf("with SoftHSM the sandbox also suggests %d files", len(found.Files))
	}
	if note := sb.note(); !strings.Contains(note, "練習用のマイナンバーカード") || strings.Contains(note, "SoftHSM") || !strings.Contains(note, kit.PIN) || strings.Contains(note, "resident.p12") {
		t.Errorf("with the SoftHSM card the banner's note reads %q, want the practice card (not the software's name) and its signature password", note)
	}
	if _, err := os.Stat(sb.caFile()); err != nil {
		t.Errorf("the service's CA is not written for the help desk: %v", err)
	}
}

func TestWithoutSoftHSMTheSandboxSignsAndSubmitsWithItsPracticeFile(t *testing.T) {
	sb, err := newSandboxWorld("ja")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.close()
	// As on Windows, or Linux without the softhsm2 package.
	sb.softhsm = filepath.Join(t.TempDir(), "no-such-softhsm2.so")
	if note := sb.note(); !strings.Contains(note, "準備") {
		t.Errorf("before the sandbox starts its note reads %q, want that it is being prepared", note)
	}
	ctx := context.Background()
	a, err := sb.open(ctx, ui.Settings{})
	if err != nil {
		t.Fatalf("the sandbox does not start without SoftHSM: %v", err)
	}
	defer a.Close()
	for _, tc := range []struct {
		lang i18n.Lang
		want string
	}{{"ja", "証明書ファイル"}, {"", "証明書ファイル"}, {i18n.English, "certificate file"}} {
		sb.lang = tc.lang
		note := sb.note()
		if strings.Contains(note, "\n") || !strings.Contains(note, tc.want) || !strings.Contains(note, "resident.p12") ||
			!strings.Contains(note, kit.P12Password) || strings.Contains(note, kit.PIN) || strings.Contains(note, "SoftHSM") {
			t.Fatalf("in %q the banner's note reads %q, want the practice file and its password in that language only", tc.lang, note)
		}
	}
	sb.lang = "ja"

	found, err := a.FindCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Tokens) != 0 || len(found.Problems) != 0 {
		t.Errorf("without SoftHSM the sandbox shows %d tokens and %d module problems, want none", len(found.Tokens), len(found.Problems))
	}
	if len(found.Files) != 1 || filepath.Base(found.Files[0].Path) != "resident.p12" || found.Files[0].Cert == nil {
		t.Fatalf("the sandbox suggests %+v, want its resident.p12 with the certificate", found.Files)
	}
	file := found.Files[0]

	proc, err := a.Procedure(ctx, service.ProcMoveOut)
	if err != nil {
		t.Fatal(err)
	}
	doc := flow.NewForm(proc.Procedure)
	flow.FillApplicant(doc, flow.Prefill(file.Cert), proc.Procedure, true)
	for k, v := range map[string]any{"new_address": "大阪府大阪市北区中之島一丁目３番２０号", "move_date": "2026-12-20",
		"members": 1, "my_number_card": "継続利用する"} {
		doc.Fields[k] = v
	}
	asked := 0
	cb := flow.Callbacks{
		Secret: func(_ context.Context, req flow.SecretRequest) ([]byte, error) {
			asked++
			if req.Kind != flow.SecretP12Password {
				return nil, fmt.Errorf("asked for %s", req.Kind)
			}
			return []byte(kit.P12Password), nil
		},
		ConfirmSign: func(_ context.Context, p *flow.Precheck) (bool, error) { return p.OK(), nil },
	}
	signed, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: file.Choice()}, "", cb)
	if err != nil {
		t.Fatalf("signing and submitting with the practice file: %v", err)
	}
	if asked != 1 || !signed.Certificate.Equal(file.Cert) || rec.ArrivalNumber == "" {
		t.Errorf("password asked %d times; signed by %s; arrival number %q", asked, signed.Certificate.Subject, rec.ArrivalNumber)
	}
	st, err := a.RefreshStatus(ctx, rec.ArrivalNumber)
	if err != nil || st.Status != submit.StatusReceived {
		t.Errorf("the service's status of the application: %+v, %v", st, err)
	}
}

func TestAFileArgumentIsTheNoticeToVerifyAndOnlyOneIsTaken(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, tc := range []struct {
		name    string
		args    []string
		want    string
		wantErr bool
	}{
		{name: "no argument opens no file", args: nil, want: ""},
		{name: "a relative name is made absolute, so the window finds it wherever it runs", args: []string{"通知 書.asice"},
			want: filepath.Join(dir, "通知 書.asice")},
		{name: "an absolute path is kept", args: []string{filepath.Join(dir, "a.asice")}, want: filepath.Join(dir, "a.asice")},
		{name: "two files are refused", args: []string{"a.asice", "b.asice"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := noticeArg(tc.args)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("noticeArg(%q) = %q, %v; want %q (error %v)", tc.args, got, err, tc.want, tc.wantErr)
			}
			if tc.wantErr && !errors.Is(err, errManyFiles) {
				t.Errorf("the error is %v, want errManyFiles", err)
			}
		})
	}
}
