package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

type signView struct {
	Package  string              `json:"package"`
	Size     int64               `json:"size"`
	Signer   string              `json:"signer"`
	Issuer   string              `json:"issuer"`
	Files    []signer.FileResult `json:"files"`
	Precheck *flow.Precheck      `json:"precheck,omitempty"`
	// Timestamped says whether the signature carries a time-stamp
	// (CAdES-T); TimestampNote, when not, why, in the user's language.
	Timestamped   bool   `json:"timestamped"`
	TimestampNote string `json:"timestamp_note,omitempty"`
	// ValidationData says whether the signature carries the chain and
	// the revocation data of the pre-check (long-term validation).
	ValidationData bool `json:"validation_data"`
	// PowerOfAttorney is the power of attorney written
	// (--power-of-attorney) or carried (--proxy-for).
	PowerOfAttorney *proxyView `json:"power_of_attorney,omitempty"`
}

// runSign signs FORM and ATTACHMENTs as they are into an application
// package with a key on a token or in a PKCS#12 file (flow.SignFiles).
// flow checks every input before the PIN is asked and pre-checks the
// certificate between the PIN and the signature: trust and revocation
// against --anchor and --service (whose catalogue announces the signer
// anchors and the validation authority), and, always, validity, key
// usage, the kind of certificate and the form's applicant block.
// Nothing is written unless signing succeeds.
func runSign(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("sign")
	out := fs.String("out", "", "write the signed package to `PKG.asice`")
	force := fs.Bool("force", false, "replace the --out file (with --batch, the packages in --out-dir) if it exists")
	batch := fs.Bool("batch", false, "sign each FORM into its own package DIR/<form name>.asice with one PIN entry (a form's attachments: the files of the folder of its name beside it)")
	outDir := fs.String("out-dir", "", "with --batch, write the packages to the folder `DIR`")
	cf := credentialFlags{
		module:   fs.String("module", "", "PKCS#11 module `PATH` (default: the known modules found on this computer)"),
		token:    fs.String("token", "", "token `LABEL` (default: the My Number card's signature token, or the only token)"),
		keyID:    fs.String("key-id", "", "key CKA_ID in `HEX` (default: the signature key)"),
		p12:      fs.String("p12", "", "sign with the key in this PKCS#12 `FILE` (a commercial-registry certificate)"),
		pinStdin: fs.Bool("pin-stdin", false, "read the PIN or PKCS#12 password from the first line of standard input"),
		finalTry: fs.Bool("allow-final-try", false, "allow spending the PIN's final try (otherwise it is refused or asked on the terminal)"),
	}
	var anchors, intermediates, serviceAnchors multiFlag
	fs.Var(&anchors, "anchor", "trust anchor `CERT` for the signer's certificate, and for the service's TLS unless --service-anchor is given (PEM or DER; repeatable)")
	fs.Var(&serviceAnchors, "service-anchor", "trust this CA `CERT` for the service's server certificate (PEM or DER; repeatable)")
	fs.Var(&intermediates, "intermediate", "intermediate `CERT` for path building (repeatable)")
	service := fs.String("service", "", "pre-check trust and revocation as the service at `URL` (https://host[:port]) will, with the signer anchors and validation authority its catalogue announces, and check the form against its procedure")
	offline := fs.Bool("offline", false, "fetch no CRL and ask no OCSP responder named in the certificate (the service is still asked)")
	acceptIndeterminate := fs.Bool("accept-indeterminate", false, "sign even when the certificate's revocation status cannot be established (otherwise asked on the terminal, or exit 4)")
	asJSON := fs.Bool("json", false, "print one JSON document")
	tsaURL := fs.String("tsa", "", "ask the RFC 3161 time-stamp authority at `URL` for a time-stamp over the signature (default: the one the service announces); when it cannot be reached the package is signed without one, to be added by 'shinseictl timestamp' or at submit")
	var saved settingsFlags
	saved.register(fs)
	pf := registerProxyFlags(fs)
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	switch {
	case *batch && (*pf.poa || *pf.proxyFor != ""):
		return usageError("sign a power of attorney or a proxy's application one at a time, without --batch", "sign: --batch with --power-of-attorney or --proxy-for")
	case *batch || *outDir != "":
		if err := checkBatchFlags(*batch, *out, *outDir, operands); err != nil {
			return err
		}
	case *out == "":
		return usageError("give the package to write with --out PKG.asice", "sign: no --out")
	case len(operands) == 0 && !*pf.poa:
		return usageError("name the form to sign, then any attachments", "sign: no form given")
	}
	if err := pf.check(operands); err != nil {
		return err
	}
	cfg := cliConfig()
	if cfg.TrustAnchors, err = loadCertFiles(anchors); err != nil {
		return err
	}
	if cfg.Intermediates, err = loadCertFiles(intermediates); err != nil {
		return err
	}
	cfg.Offline = *offline
	cfg.TSAURL = *tsaURL
	if *service != "" {
		if _, err := submit.CanonicalURL(*service); err != nil {
			return usageError("give the service as https://host[:port]", "sign: %w", err)
		}
		cfg.ServiceURL, cfg.ServiceAnchors, cfg.ServiceSystemRoots = *service, cfg.TrustAnchors, true
		if len(serviceAnchors) > 0 {
			if cfg.ServiceAnchors, err = loadCertFiles(serviceAnchors); err != nil {
				return err
			}
			cfg.ServiceSystemRoots = false
		}
	}
	var fromSettings string
	if *service == "" && len(anchors) == 0 {
		// Neither given: the saved settings' service, anchors and VA.
		if fromSettings, err = signSettings(&saved, &cfg); err != nil {
			return err
		}
	}
	choice, err := cf.choice("sign", &cfg)
	if err != nil {
		return err
	}
	app, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	lang := std.language()
	p := newPrompter(std, *cf.pinStdin, false, *cf.finalTry)
	defer p.wipe()
	cb := p.callbacks()
	if !*cf.pinStdin {
		// On a terminal, an indeterminate pre-check is a question.
		cb.ConfirmSign = func(_ context.Context, pc *flow.Precheck) (bool, error) {
			printPrecheck(std.err, pc, lang)
			return confirm(std, std.tr("証明書が失効しているかどうか確認できませんでした。このまま署名しますか？", "The certificate's revocation status could not be established. Sign anyway?")), nil
		}
	}
	if fromSettings != "" {
		fmt.Fprint(std.err, std.tr("note: 保存された設定（"+fromSettings+"）のサービスと信頼する証明書で確認します（使わない場合は --no-settings）。\n",
			"note: checking with the service and trust anchors of the saved settings ("+fromSettings+"); --no-settings ignores them.\n"))
	}
	if *batch {
		return signBatch(ctx, std, app, cb, cf, choice, batchRequest{forms: operands, outDir: *outDir, force: *force,
			acceptIndeterminate: *acceptIndeterminate, asJSON: *asJSON})
	}
	var signed *flow.Signed
	if *pf.poa {
		signed, err = pf.sign(ctx, app, choice, *out, *force, *acceptIndeterminate, cb)
	} else {
		signed, err = app.SignFiles(ctx, flow.SignFilesRequest{Files: operands, Credential: choice, Out: *out,
			Overwrite: *force, AcceptIndeterminate: *acceptIndeterminate, PowerOfAttorney: *pf.proxyFor}, cb)
	}
	if err != nil {
		var pe *flow.PrecheckError
		if errors.As(err, &pe) {
			printPrecheck(std.err, pe.Precheck, lang)
		}
		return cf.useError(err)
	}
	view := signView{Package: signed.Path, Size: signed.Size, Signer: signed.Certificate.Subject.String(), Issuer: signed.Certificate.Issuer.String(), Files: signed.Files, Precheck: signed.Precheck,
		Timestamped: signed.Timestamped, ValidationData: signed.ValidationData}
	var written *submit.ProxyRef
	if *pf.poa {
		written = &submit.ProxyRef{Name: *pf.proxy, Account: *pf.proxyAccount}
	}
	view.PowerOfAttorney = proxyViewOf(signed, written, *pf.procedure)
	if signed.TimestampNote != nil {
		e := explain.Of(signed.TimestampNote)
		view.TimestampNote = e.Message.In(lang) + " " + e.CommandHint().In(lang)
		fmt.Fprintf(std.err, "note: %s\n", view.TimestampNote)
	}
	if signed.Precheck != nil && signed.Precheck.TrustNotChecked {
		fmt.Fprintf(std.err, "note: %s\n", flow.NotCheckedNote.In(lang))
	}
	if *asJSON {
		writeJSON(std.out, view)
		return nil
	}
	fmt.Fprintf(std.out, "signed %s (%d bytes)\n  signer: %s\n  issuer: %s\n", view.Package, view.Size, view.Signer, view.Issuer)
	for _, f := range view.Files {
		fmt.Fprintf(std.out, "  %s  %s (%d bytes)\n", f.SHA256, f.Name, f.Size)
	}
	printProxy(std, view.PowerOfAttorney, *pf.poa)
	if pc := signed.Precheck; pc != nil {
		fmt.Fprintf(std.out, "  pre-check: %s\n", pc.Worst())
	}
	switch {
	case signed.Timestamped:
		fmt.Fprintln(std.out, "  timestamp: added (CAdES-T)")
	case signed.TimestampNote != nil:
		fmt.Fprintln(std.out, "  timestamp: not yet (CAdES-BES; see the note)")
	}
	if signed.ValidationData {
		fmt.Fprintln(std.out, "  validation data: the chain and the revocation answers of the pre-check are in the signature")
	}
	return nil
}

// printPrecheck writes the pre-check's lines that are not green, in the
// user's language: what was found and what to do.
func printPrecheck(w io.Writer, p *flow.Precheck, lang i18n.Lang) {
	if p == nil {
		return
	}
	fmt.Fprintln(w, "pre-check:")
	for _, l := range p.Lines {
		if l.Level == flow.Green {
			continue
		}
		id := string(l.ID)
		if l.Field != "" {
			id += " " + l.Field
		}
		fmt.Fprintf(w, "  [%s] %s: %s\n", l.Level, id, l.Message.In(lang))
		if !l.Todo.IsZero() {
			fmt.Fprintf(w, "         %s\n", l.Todo.In(lang))
		}
	}
}

// signSettings sets in cfg what the saved settings name for the
// pre-check — the service, the signer trust anchors, the validation
// authority — and returns their file, or "" when they name none of it.
func signSettings(f *settingsFlags, cfg *flow.Config) (string, error) {
	saved, err := f.load("sign")
	if err != nil || saved == nil {
		return "", err
	}
	hasService, err := saved.service("sign", cfg)
	if err != nil {
		return "", err
	}
	hasTrust, err := saved.trust("sign", cfg)
	if err != nil {
		return "", err
	}
	if !hasService && !hasTrust {
		return "", nil
	}
	return saved.path, nil
}
