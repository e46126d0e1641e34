package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/signer"
)

// runDemo is the main job on the sandbox: a resident's certificate is put on
// a SoftHSM token that behaves like a My Number card, a sample application
// pre-filled from the certificate is signed with it, and the package is
// verified as the service would.
func runDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	dir := fs.String("dir", filepath.Join(os.TempDir(), "shinsei-sandbox-demo"), "work in `DIR` (emptied first)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := fsx.RemoveAll(*dir); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	fmt.Println("Shinsei サンドボックス・デモ / sandbox demo")

	k, err := kit.New(ctx, filepath.Join(*dir, "kit"), time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("1. サンドボックスの証明書を発行しました / sandbox credentials issued: %s\n", k.Dir)

	form, err := writeSampleForm(*dir, k.Resident.Cert)
	if err != nil {
		return err
	}
	attachment := filepath.Join(*dir, "本人確認書類.txt")
	if err := os.WriteFile(attachment, []byte("サンドボックスの添付書類です。\n"), 0o600); err != nil {
		return err
	}
	fmt.Printf("2. 証明書から申請者欄を記入した申請書 / form pre-filled from the certificate: %s\n", form)

	out := filepath.Join(*dir, "application.asice")
	if err := signOnToken(ctx, out, []signer.File{{Path: form}, {Path: attachment}}); err != nil {
		return err
	}

	rep, err := signer.Verify(ctx, out, signer.VerifyOptions{Roots: k.PKI.Roots()})
	if err != nil {
		return err
	}
	fmt.Println("4. 検証 / verification:")
	fmt.Printf("   署名 signature:      %s (%s)\n", okText(rep.Integrity), rep.Format)
	if person, err := identity.FromJPKI(rep.Signer); err == nil {
		fmt.Printf("   署名者 signer:       %s（マイナンバーカード署名用電子証明書 / JPKI signature certificate）\n", person.Name)
	}
	fmt.Printf("   証明書 subject:      %s\n", rep.Signer.Subject)
	fmt.Printf("   発行者 issuer:       %s\n", rep.Signer.Issuer)
	fmt.Printf("   有効期間 valid:      %s – %s\n", rep.Signer.NotBefore.Format(time.DateOnly), rep.Signer.NotAfter.Format(time.DateOnly))
	fmt.Printf("   証明書 certificate:  %s\n", okText(rep.Certificate))
	for _, f := range rep.Files {
		fmt.Printf("   ファイル file:       %s %s (%d bytes, sha256 %.16s…)\n", f.Status, f.Name, f.Size, f.SHA256)
	}
	if !rep.OK() {
		return fmt.Errorf("the signed package did not verify: integrity %s, certificate %s", rep.Integrity.Reason, rep.Certificate.Reason)
	}
	fmt.Println("結果: 有効な署名付き申請データです / result: VALID")
	return nil
}

// signOnToken signs as a resident with a My Number card would: PIN status
// first, one PIN entry, reused for the key's context-specific login.
func signOnToken(ctx context.Context, out string, files []signer.File) error {
	var module string
	for _, m := range pkcs11.FindModules() {
		if m.Name == "SoftHSM" {
			module = m.Path
		}
	}
	lib, err := pkcs11.Open(module)
	if err != nil {
		return err
	}
	defer lib.Close()
	tok, err := lib.OpenToken(ctx, pkcs11.Selector{Label: kit.TokenLabel})
	if err != nil {
		return err
	}
	defer tok.Close()
	st, err := tok.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("3. トークン %q (SoftHSM)、PINの状態: %s / PIN state before asking: locked=%v final-try=%v\n",
		tok.Info().Label, pinText(st), st.Locked, st.FinalTry)
	err = tok.Login(ctx, func(context.Context, pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
		// The sandbox's password is public; a real client asks the user here.
		return pkcs11.PINAnswer{PIN: []byte("sandbox1")}, nil
	})
	if err != nil {
		return err
	}
	key, err := tok.Signer(ctx, nil)
	if err != nil {
		return err
	}
	res, err := signer.Build(ctx, out, files, signer.Credential{Signer: key, Cert: key.Info().Certificate}, signer.BuildOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("   署名しました / signed: %s (%d bytes; the key needed a context-specific login: %v)\n", out, res.Size, key.Info().AlwaysAuthenticate)
	return nil
}

// writeSampleForm writes a sample application whose applicant block is
// filled from the certificate, as Shinsei does so residents rarely type.
func writeSampleForm(dir string, cert *x509.Certificate) (string, error) {
	p, err := identity.FromJPKI(cert)
	if err != nil {
		return "", err
	}
	form := map[string]any{
		"procedure": "sandbox-juminhyo",
		"title":     "住民票の写し等交付申請書（サンドボックス）",
		"applicant": identity.Applicant{Name: p.Name, BirthDate: p.BirthDate.ISO(), Sex: p.Sex.Code(), Address: p.Address},
		"request":   map[string]any{"kind": "住民票の写し", "copies": 1, "purpose": "サンドボックスでの動作確認"},
	}
	data, err := json.MarshalIndent(form, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "申請書.json")
	return path, os.WriteFile(path, append(data, '\n'), 0o600)
}

func okText(c signer.Check) string {
	if c.OK {
		return "OK"
	}
	return "NG: " + c.Reason + " — " + c.Detail
}

func pinText(st pkcs11.PINStatus) string {
	switch {
	case st.Locked:
		return "ロック中 / locked"
	case st.FinalTry:
		return "残り1回 / final try"
	}
	return "正常 / ok"
}
