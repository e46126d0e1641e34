package main

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/pkcs11/pcsc"
	"github.com/shinsei-app/shinsei/signer"
)

// maxP12 bounds a PKCS#12 file; real ones are a few kilobytes.
const maxP12 = 1 << 20

type signView struct {
	Package string              `json:"package"`
	Size    int64               `json:"size"`
	Signer  string              `json:"signer"`
	Issuer  string              `json:"issuer"`
	Files   []signer.FileResult `json:"files"`
}

// runSign signs FORM and ATTACHMENTs into an application package with a key
// on a token or in a PKCS#12 file. Nothing is written unless signing
// succeeds.
func runSign(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("sign")
	out := fs.String("out", "", "write the signed package to `PKG.asice`")
	module := fs.String("module", "", "PKCS#11 module `PATH` (default: the known modules found on this computer)")
	token := fs.String("token", "", "token `LABEL` (default: the My Number card's signature token, or the only token)")
	keyID := fs.String("key-id", "", "key CKA_ID in `HEX` (default: the signature key)")
	p12 := fs.String("p12", "", "sign with the key in this PKCS#12 `FILE` (a commercial-registry certificate)")
	pinStdin := fs.Bool("pin-stdin", false, "read the PIN or PKCS#12 password from the first line of standard input")
	finalTry := fs.Bool("allow-final-try", false, "allow spending the PIN's final try (otherwise it is refused or asked on the terminal)")
	asJSON := fs.Bool("json", false, "print one JSON document")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	switch {
	case *out == "":
		return usageError("give the package to write with --out PKG.asice", "sign: no --out")
	case len(operands) == 0:
		return usageError("name the form to sign, then any attachments", "sign: no form given")
	case *p12 != "" && (*module != "" || *token != "" || *keyID != ""):
		return usageError("use either --p12 or a token (--module/--token/--key-id), not both", "sign: two credentials given")
	}
	files := make([]signer.File, len(operands))
	for i, p := range operands {
		files[i] = signer.File{Path: p}
	}

	var cred *signer.Credential
	if *p12 != "" {
		cred, err = p12Credential(std, *p12, *pinStdin)
	} else {
		var tok *pkcs11.Token
		tok, cred, err = tokenCredential(ctx, std, *module, *token, *keyID, *pinStdin, *finalTry)
		if tok != nil {
			defer tok.Close()
		}
	}
	if err != nil {
		return err
	}
	res, err := signer.Build(ctx, *out, files, *cred, signer.BuildOptions{})
	if err != nil {
		return err
	}
	view := signView{Package: *out, Size: res.Size, Signer: cred.Cert.Subject.String(), Issuer: cred.Cert.Issuer.String(), Files: res.Files}
	if *asJSON {
		writeJSON(std.out, view)
		return nil
	}
	fmt.Fprintf(std.out, "signed %s (%d bytes)\n  signer: %s\n  issuer: %s\n", view.Package, view.Size, view.Signer, view.Issuer)
	for _, f := range view.Files {
		fmt.Fprintf(std.out, "  %s  %s (%d bytes)\n", f.SHA256, f.Name, f.Size)
	}
	return nil
}

func p12Credential(std *stdio, path string, pinStdin bool) (*signer.Credential, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError("check the path of the PKCS#12 file", "sign: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxP12+1))
	if err != nil {
		return nil, usageError("check the PKCS#12 file can be read", "sign: %w", err)
	}
	if len(data) > maxP12 {
		return nil, usageError("give the .p12 file issued with the certificate", "sign: %s is larger than a PKCS#12 certificate file can be", path)
	}
	password, err := readSecret(std, pinStdin, "PKCS#12 password: ")
	if err != nil {
		return nil, err
	}
	defer clear(password)
	return signer.LoadPKCS12(data, password)
}

// tokenCredential finds the token, logs in with one PIN entry and returns
// the signature key with its certificate and the CA certificates the token
// holds. The caller closes the token, which wipes the PIN.
func tokenCredential(ctx context.Context, std *stdio, module, label, keyHex string, pinStdin, allowFinal bool) (*pkcs11.Token, *signer.Credential, error) {
	var id []byte // nil: the token's signature key
	if keyHex != "" {
		var err error
		if id, err = hex.DecodeString(keyHex); err != nil {
			return nil, nil, usageError("give the key's CKA_ID in hex, as 'shinseictl tokens' shows it", "sign: --key-id: %w", err)
		}
	}
	tok, err := openToken(ctx, module, pkcs11.Selector{Label: label})
	if err != nil {
		return nil, nil, err
	}
	err = tok.Login(ctx, func(ctx context.Context, req pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
		if req.Status.CountLow && !req.Status.FinalTry {
			fmt.Fprintf(std.err, "note: a wrong PIN was entered for token %q since its last successful use.\n", req.Token)
		}
		if n := req.Status.TriesLeft; n > 1 {
			fmt.Fprintf(std.err, "note: the PIN of token %q has %d tries left.\n", req.Token, n)
		}
		if req.Status.FinalTry {
			fmt.Fprintf(std.err, "warning: token %q has ONE PIN try left; a wrong PIN locks it.\n", req.Token)
			if !allowFinal && !confirm(std, "Spend the final try?") {
				return pkcs11.PINAnswer{}, pkcs11.ErrFinalTryNotConfirmed
			}
		}
		pin, err := readSecret(std, pinStdin, fmt.Sprintf("PIN for %q: ", req.Token))
		return pkcs11.PINAnswer{PIN: pin, ConfirmFinalTry: true}, err
	})
	var pinErr *pkcs11.PINError
	if errors.As(err, &pinErr) && pinErr.Status.TriesLeft > 1 {
		err = fmt.Errorf("%w (%d tries left)", err, pinErr.Status.TriesLeft)
	}
	if err != nil {
		return tok, nil, err
	}
	key, err := tok.Signer(ctx, id)
	if err != nil {
		return tok, nil, err
	}
	cert := key.Info().Certificate
	if cert == nil {
		return tok, nil, &failure{code: exitEnvironment, err: errors.New("sign: the token has no certificate for the signature key"),
			hint: "a My Number card issued to a minor under 15 has no signature certificate; use a card with one"}
	}
	certs, err := tok.Certificates(ctx)
	if err != nil {
		return tok, nil, err
	}
	var chain []*x509.Certificate
	for _, c := range certs {
		if c.Cert.IsCA {
			chain = append(chain, c.Cert)
		}
	}
	return tok, &signer.Credential{Signer: key, Cert: cert, Chain: chain}, nil
}

// openToken opens the selected token in the given module, or in the first
// known module that has one.
func openToken(ctx context.Context, module string, sel pkcs11.Selector) (*pkcs11.Token, error) {
	paths := []string{module}
	if module == "" {
		paths = nil
		for _, m := range pkcs11.FindModules() {
			paths = append(paths, m.Path)
		}
	}
	if len(paths) == 0 {
		return nil, &failure{code: exitEnvironment, err: errors.New("no PKCS#11 module found"),
			hint: "install OpenSC (Debian: apt-get install opensc-pkcs11), give --module PATH, or sign with --p12 FILE"}
	}
	var firstErr error
	for _, p := range paths {
		lib, err := pkcs11.Open(p)
		if err == nil {
			var tok *pkcs11.Token
			// triesOptions by the label asked for; with none, JPKITries
			// reads the count only if the token chosen is a My Number card's.
			opts := triesOptions(sel.Label)
			if sel.Label == "" {
				opts = []pkcs11.Option{pkcs11.WithTriesReader(pcsc.JPKITries{})}
			}
			if tok, err = lib.OpenToken(ctx, sel, opts...); err == nil {
				return tok, nil
			}
			lib.Close()
		}
		if firstErr == nil || errors.Is(firstErr, pkcs11.ErrNoToken) {
			firstErr = err
		}
	}
	return nil, firstErr
}
