package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/pades"
)

// padesFlags are sign's flags for a PDF signature (sign --pades).
type padesFlags struct {
	pades    *bool
	box      *string
	boxPage  *int
	reason   *string
	location *string
}

func registerPADESFlags(fs *flag.FlagSet) padesFlags {
	return padesFlags{
		pades:    fs.Bool("pades", false, "sign one PDF with a PAdES signature (ETSI.CAdES.detached) into --out OUT.pdf, keeping any signature it holds"),
		box:      fs.String("box", "", "with --pades, show the signature in a box at `X1,Y1,X2,Y2` (PDF points from the page's lower-left corner)"),
		boxPage:  fs.Int("box-page", 1, "with --pades --box, the `PAGE` of the box"),
		reason:   fs.String("reason", "", "with --pades, the reason written in the signature"),
		location: fs.String("location", "", "with --pades, the place written in the signature"),
	}
}

// check refuses what --pades cannot sign, before anything is opened.
func (pf padesFlags) check(out string, operands []string) error {
	switch {
	case out == "":
		return usageError("give the signed PDF to write with --out OUT.pdf", "sign --pades: no --out")
	case len(operands) != 1:
		return usageError("name exactly one PDF to sign: sign --pades --out OUT.pdf IN.pdf", "sign --pades: %d files given", len(operands))
	}
	if *pf.box != "" {
		if _, err := pf.parseBox(); err != nil {
			return err
		}
	}
	return nil
}

// withoutPADES refuses the PDF flags given without --pades.
func (pf padesFlags) withoutPADES() error {
	if *pf.box != "" || *pf.reason != "" || *pf.location != "" {
		return usageError("--box, --reason and --location are for a PDF: add --pades", "sign: a PDF flag without --pades")
	}
	return nil
}

// parseBox reads --box and --box-page.
func (pf padesFlags) parseBox() (*pades.Box, error) {
	if *pf.box == "" {
		return nil, nil
	}
	parts := strings.Split(*pf.box, ",")
	var v [4]float64
	bad := len(parts) != 4 || *pf.boxPage < 1
	for i := 0; !bad && i < 4; i++ {
		var err error
		v[i], err = strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
		bad = err != nil || v[i] < 0
	}
	if bad || v[2] <= v[0] || v[3] <= v[1] {
		return nil, usageError("give the box as --box X1,Y1,X2,Y2 with X1<X2 and Y1<Y2, in points from the page's lower-left corner, and --box-page 1 or more",
			"sign --pades: --box %q (page %d)", *pf.box, *pf.boxPage)
	}
	return &pades.Box{Page: *pf.boxPage, Left: v[0], Bottom: v[1], Right: v[2], Top: v[3]}, nil
}

type signPDFView struct {
	PDF           string         `json:"pdf"`
	Size          int64          `json:"size"`
	Level         string         `json:"level"`
	Signatures    int            `json:"signatures"`
	Signer        string         `json:"signer"`
	Issuer        string         `json:"issuer"`
	Precheck      *flow.Precheck `json:"precheck,omitempty"`
	Timestamped   bool           `json:"timestamped"`
	TimestampNote string         `json:"timestamp_note,omitempty"`
}

// signPDF signs one PDF through flow.SignPDF with the configuration,
// callbacks and credential runSign prepared, and prints the result.
func signPDF(ctx context.Context, std *stdio, app *flow.App, cb flow.Callbacks, cf credentialFlags, pf padesFlags, req flow.SignPDFRequest, asJSON bool) error {
	box, err := pf.parseBox()
	if err != nil {
		return err
	}
	req.Box, req.Reason, req.Location = box, *pf.reason, *pf.location
	lang := std.language()
	signed, err := app.SignPDF(ctx, req, cb)
	if err != nil {
		var pe *flow.PrecheckError
		if errors.As(err, &pe) {
			printPrecheck(std.err, pe.Precheck, lang)
		}
		return cf.useError(err)
	}
	view := signPDFView{PDF: signed.Path, Size: signed.Size, Level: signed.Level, Signatures: signed.Signatures,
		Signer: signed.Certificate.Subject.String(), Issuer: signed.Certificate.Issuer.String(), Precheck: signed.Precheck,
		Timestamped: signed.Timestamped}
	if signed.TimestampNote != nil {
		e := explain.Of(signed.TimestampNote)
		view.TimestampNote = e.Message.In(lang) + " " + std.tr("PDF の署名は、タイムスタンプなし（PAdES-B-B）で作成しました。",
			"The PDF is signed without a time-stamp (PAdES-B-B).")
		fmt.Fprintf(std.err, "note: %s\n", view.TimestampNote)
	}
	if signed.Precheck != nil && signed.Precheck.TrustNotChecked {
		fmt.Fprintf(std.err, "note: %s\n", flow.NotCheckedNote.In(lang))
	}
	if asJSON {
		writeJSON(std.out, view)
		return nil
	}
	fmt.Fprintf(std.out, "signed %s (%d bytes, %s)\n  signer: %s\n  issuer: %s\n  signatures in the file: %d\n",
		view.PDF, view.Size, view.Level, view.Signer, view.Issuer, view.Signatures)
	if pc := signed.Precheck; pc != nil {
		fmt.Fprintf(std.out, "  pre-check: %s\n", pc.Worst())
	}
	return nil
}
