package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/pkcs11"
)

type moduleView struct {
	Name    string      `json:"name,omitempty"`
	Path    string      `json:"path"`
	Version string      `json:"version,omitempty"`
	Error   string      `json:"error,omitempty"`
	Tokens  []tokenView `json:"tokens"`
}

type tokenView struct {
	Label        string     `json:"label"`
	Serial       string     `json:"-"`             // shown in the text only
	SerialSHA256 string     `json:"serial_sha256"` // as diag gives it
	Manufacturer string     `json:"manufacturer"`
	Model        string     `json:"model"`
	PINPolicy    string     `json:"pin_policy"`
	PIN          pinView    `json:"pin"`
	Certificates []certView `json:"certificates"`
}

type pinView struct {
	CountLow  bool `json:"count_low"`
	FinalTry  bool `json:"final_try"`
	Locked    bool `json:"locked"`
	TriesLeft int  `json:"tries_left"` // -1: not known before a login
}

type certView struct {
	KeyID    string    `json:"key_id"`
	Issuer   string    `json:"issuer"`
	NotAfter time.Time `json:"not_after"`
}

// runTokens lists modules, tokens, PIN state and the certificates readable
// without a PIN. It never asks for a PIN.
func runTokens(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("tokens")
	module := fs.String("module", "", "PKCS#11 module `PATH` (default: every known module found on this computer)")
	asJSON := fs.Bool("json", false, "print one JSON document")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if len(operands) > 0 {
		return usageError("tokens takes no file arguments", "tokens: unexpected %q", operands[0])
	}
	files := pkcs11.FindModules()
	if *module != "" {
		files = []pkcs11.ModuleFile{{Path: *module}}
	}
	if len(files) == 0 {
		return &failure{code: exitEnvironment, err: fmt.Errorf("no PKCS#11 module found"),
			hint: "install OpenSC (Debian: apt-get install opensc-pkcs11) or the JPKI user software, or give --module PATH"}
	}
	var views []moduleView
	tokens := 0
	for _, f := range files {
		v := listModule(ctx, f)
		tokens += len(v.Tokens)
		views = append(views, v)
	}
	if *asJSON {
		writeJSON(std.out, map[string]any{"modules": views})
	} else {
		printModules(std, views)
	}
	if tokens == 0 {
		return &failure{code: exitEnvironment, err: fmt.Errorf("no token found"),
			hint: "insert the card into the reader (or check the reader is connected) and try again"}
	}
	return nil
}

func listModule(ctx context.Context, f pkcs11.ModuleFile) moduleView {
	v := moduleView{Name: f.Name, Path: f.Path, Tokens: []tokenView{}}
	lib, err := pkcs11.Open(f.Path)
	if err != nil {
		v.Error = err.Error()
		return v
	}
	defer lib.Close()
	if info, err := lib.Info(ctx); err == nil {
		v.Version = info.Description + " " + info.Version
	}
	infos, err := lib.Tokens(ctx)
	if err != nil {
		v.Error = err.Error()
		return v
	}
	for _, ti := range infos {
		tv := tokenView{Label: ti.Label, Serial: ti.Serial, SerialSHA256: hashSHA256(ti.Serial), Manufacturer: ti.Manufacturer, Model: ti.Model,
			PINPolicy: ti.Policy.String(), PIN: pinView{ti.PIN.CountLow, ti.PIN.FinalTry, ti.PIN.Locked, ti.PIN.TriesLeft},
			Certificates: []certView{}}
		if tok, err := lib.OpenToken(ctx, pkcs11.Selector{Label: ti.Label, Serial: ti.Serial}, triesOptions(ti.Label)...); err == nil {
			st := tok.Info().PIN // exact for a My Number card in a reachable reader
			tv.PIN = pinView{st.CountLow, st.FinalTry, st.Locked, st.TriesLeft}
			certs, _ := tok.Certificates(ctx)
			for _, c := range certs {
				tv.Certificates = append(tv.Certificates, certView{KeyID: hex.EncodeToString(c.ID),
					Issuer: c.Cert.Issuer.String(), NotAfter: c.Cert.NotAfter})
			}
			tok.Close()
		}
		v.Tokens = append(v.Tokens, tv)
	}
	return v
}

func printModules(std *stdio, views []moduleView) {
	for _, m := range views {
		fmt.Fprintf(std.out, "module %s", m.Path)
		if m.Version != "" {
			fmt.Fprintf(std.out, " (%s)", m.Version)
		}
		fmt.Fprintln(std.out)
		if m.Error != "" {
			fmt.Fprintf(std.out, "  not usable: %s\n", m.Error)
		}
		for _, t := range m.Tokens {
			fmt.Fprintf(std.out, "  token %q serial %s (%s %s)\n", t.Label, t.Serial, t.Manufacturer, t.Model)
			fmt.Fprintf(std.out, "    PIN: %s\n", describePIN(t.PIN))
			for _, c := range t.Certificates {
				fmt.Fprintf(std.out, "    certificate id %s, issuer %s, valid until %s\n", c.KeyID, c.Issuer, c.NotAfter.Format(time.DateOnly))
			}
		}
	}
}

func describePIN(p pinView) string {
	tries := ""
	if p.TriesLeft > 1 {
		tries = fmt.Sprintf(" (%d tries left)", p.TriesLeft)
	}
	switch {
	case p.Locked:
		return "LOCKED — a My Number card is unlocked only at the municipal office"
	case p.FinalTry:
		return "FINAL TRY — one more wrong PIN locks it"
	case p.CountLow:
		return "a wrong PIN was entered since the last successful login" + tries
	}
	return "ok" + tries
}

// triesOptions has a My Number card token (label "JPKI …") read its exact
// tries left through PC/SC with a VERIFY without data, which spends no
// try. Where no reader is reachable (no pcscd, a token that is not in a
// reader, another system) the token silently keeps the PKCS#11 flags.
func triesOptions(label string) []pkcs11.Option {
	if strings.HasPrefix(label, "JPKI") {
		return []pkcs11.Option{pkcs11.WithTriesReader(pcsc.JPKITries{})}
	}
	return nil
}
