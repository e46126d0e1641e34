package main

import (
	"context"
	"fmt"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/signer"
)

type signView struct {
	Package string              `json:"package"`
	Size    int64               `json:"size"`
	Signer  string              `json:"signer"`
	Issuer  string              `json:"issuer"`
	Files   []signer.FileResult `json:"files"`
}

// runSign signs FORM and ATTACHMENTs as they are into an application
// package with a key on a token or in a PKCS#12 file (flow.SignFiles).
// Nothing is written unless signing succeeds.
func runSign(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("sign")
	out := fs.String("out", "", "write the signed package to `PKG.asice`")
	cf := credentialFlags{
		module:   fs.String("module", "", "PKCS#11 module `PATH` (default: the known modules found on this computer)"),
		token:    fs.String("token", "", "token `LABEL` (default: the My Number card's signature token, or the only token)"),
		keyID:    fs.String("key-id", "", "key CKA_ID in `HEX` (default: the signature key)"),
		p12:      fs.String("p12", "", "sign with the key in this PKCS#12 `FILE` (a commercial-registry certificate)"),
		pinStdin: fs.Bool("pin-stdin", false, "read the PIN or PKCS#12 password from the first line of standard input"),
		finalTry: fs.Bool("allow-final-try", false, "allow spending the PIN's final try (otherwise it is refused or asked on the terminal)"),
	}
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
	}
	cfg := cliConfig()
	choice, err := cf.choice("sign", &cfg)
	if err != nil {
		return err
	}
	app, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	p := newPrompter(std, *cf.pinStdin, false, *cf.finalTry)
	defer p.wipe()
	signed, err := app.SignFiles(ctx, flow.SignFilesRequest{Files: operands, Credential: choice, Out: *out}, p.callbacks())
	if err != nil {
		return cf.useError(err)
	}
	view := signView{Package: signed.Path, Size: signed.Size, Signer: signed.Certificate.Subject.String(), Issuer: signed.Certificate.Issuer.String(), Files: signed.Files}
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
