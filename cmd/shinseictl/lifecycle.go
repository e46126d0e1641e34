package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/submit"
)

// lifecycleFlags are the flags withdraw and amend share: the service, the
// right to the application (as status asks it), the credential that signs
// for a signed procedure.
type lifecycleFlags struct {
	net           netOptions
	inquiry       *string
	account       *string
	passwordStdin *bool
	cred          credentialFlags
}

func addLifecycleFlags(name string) (*lifecycleFlags, *flag.FlagSet) {
	fs := newFlags(name)
	l := &lifecycleFlags{}
	l.net.register(fs)
	l.inquiry = fs.String("inquiry", "", "the inquiry `NUMBER` of an anonymous application (default: the one in the receipts journal)")
	l.account = fs.String("account", "", "act as the owner, account `ID` (default: the account stored for the service)")
	l.passwordStdin = fs.Bool("password-stdin", false, "log in as the owner with the password read from standard input (the line after the PIN with --pin-stdin) instead of the one kept in the keyring")
	l.cred = addCredentialFlags(fs)
	return l, fs
}

// open checks the flags and opens the App with the receipts journal.
func (l *lifecycleFlags) open(ctx context.Context, cmd string) (*flow.App, flow.CredentialChoice, error) {
	if *l.passwordStdin && *l.inquiry != "" {
		return nil, flow.CredentialChoice{}, usageError("an inquiry number needs no password: give --inquiry or --password-stdin", "%s: --password-stdin with --inquiry", cmd)
	}
	cfg := cliConfig()
	if err := l.net.configure(cmd, &cfg); err != nil {
		return nil, flow.CredentialChoice{}, err
	}
	var choice flow.CredentialChoice
	if l.cred.given() {
		var err error
		if choice, err = l.cred.choice(cmd, &cfg); err != nil {
			return nil, choice, err
		}
		choice.Module = cfg.Module
	}
	dir, err := l.net.dataDirPath()
	if err != nil {
		return nil, choice, err
	}
	cfg.DataDir = dir
	app, err := openApp(ctx, cfg)
	return app, choice, err
}

func (l *lifecycleFlags) query(arrival string) flow.StatusQuery {
	return flow.StatusQuery{Arrival: arrival, InquiryNumber: *l.inquiry, Account: *l.account, EnterPassword: *l.passwordStdin}
}

// runWithdraw withdraws an application (取下げ) not yet processed, with
// the credential its procedure needed (flow.Withdraw).
func runWithdraw(ctx context.Context, std *stdio, args []string) error {
	l, fs := addLifecycleFlags("withdraw")
	reason := fs.String("reason", "", "the reason for withdrawing, in your own words (optional)")
	yes := fs.Bool("yes", false, "withdraw without asking (a withdrawal cannot be undone; asked on a terminal otherwise)")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if len(operands) != 1 {
		return usageError("give the arrival number (到達番号) of the application to withdraw", "withdraw: want 1 arrival number, got %d", len(operands))
	}
	arrival := operands[0]
	app, choice, err := l.open(ctx, "withdraw")
	if err != nil {
		return err
	}
	defer app.Close()
	if !*yes && !confirm(std, std.tr("到達番号 "+arrival+" の申請を取り下げます。取り下げた申請は元に戻せません。よろしいですか？",
		"Withdraw the application with arrival number "+arrival+"? A withdrawal cannot be undone.")) {
		return usageError("a withdrawal cannot be undone: confirm on a terminal, or add --yes", "withdraw: %s was not withdrawn (not confirmed)", arrival)
	}
	p := newPrompter(std, *l.cred.pinStdin, *l.passwordStdin, *l.cred.finalTry)
	defer p.wipe()
	q := l.query(arrival)
	st, err := app.Withdraw(ctx, flow.WithdrawRequest{Arrival: arrival, InquiryNumber: q.InquiryNumber, Account: q.Account,
		EnterPassword: q.EnterPassword, Reason: *reason, Credential: choice}, p.callbacks())
	if errors.Is(err, flow.ErrNoCredential) && !l.cred.given() {
		return usageError("the application was signed, so its withdrawal is signed too: sign the withdrawal with --module PATH (the card) or --p12 FILE, as the application was",
			"withdraw: %s: no card or certificate file given", arrival)
	}
	if err != nil {
		return l.cred.useError(sessionError(app, err))
	}
	if l.net.asJSON {
		writeJSON(std.out, st)
		return nil
	}
	fmt.Fprintf(std.out, "取り下げました / withdrawn: 到達番号 Arrival number %s\n", st.ArrivalNumber)
	printHistory(std.out, st, std.language())
	return nil
}

// correctionView is what amend prints of a correction request.
type correctionView struct {
	*flow.Correction
	Notice string `json:"notice_file"`
	// Original is where --save-original wrote the form as filed;
	// OriginalKept says, without it, that this computer keeps that form.
	Original     string `json:"original_form_file,omitempty"`
	OriginalKept bool   `json:"original_form_kept,omitempty"`
}

// runAmend shows what the municipality asks to correct (ARRIVAL alone),
// or files the corrected form as an amendment (補正) linked to the
// application (flow.Amend): signed with --p12 or a card for a signed
// procedure, one PIN entry.
func runAmend(ctx context.Context, std *stdio, args []string) error {
	l, fs := addLifecycleFlags("amend")
	acceptIndeterminate := fs.Bool("accept-indeterminate", false, "sign even when the certificate's revocation status cannot be established (otherwise asked on the terminal, or exit 4)")
	saveOriginal := fs.String("save-original", "", "with the arrival number alone: write the form as filed, kept on this computer, to `FILE` (JSON) to correct it")
	force := fs.Bool("force", false, "with --save-original: replace FILE if it exists")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if len(operands) == 0 {
		return usageError("give the arrival number (到達番号), then the corrected form and any attachments (the arrival number alone shows what to correct)", "amend: no arrival number")
	}
	if *saveOriginal != "" && len(operands) > 1 {
		return usageError("--save-original writes the form as filed: give the arrival number alone, correct the file, then amend with it", "amend: --save-original with a FORM")
	}
	arrival := operands[0]
	app, choice, err := l.open(ctx, "amend")
	if err != nil {
		return err
	}
	defer app.Close()
	lang := std.language()
	p := newPrompter(std, *l.cred.pinStdin, *l.passwordStdin, *l.cred.finalTry)
	defer p.wipe()
	cb := p.callbacks()
	q := l.query(arrival)
	if len(operands) == 1 {
		c, err := app.CorrectionRequest(ctx, q, cb)
		if err != nil {
			return sessionError(app, err)
		}
		view := correctionView{Correction: c, Notice: c.Notice.Path}
		if *saveOriginal != "" {
			if _, err := app.WriteOriginalForm(ctx, arrival, *saveOriginal, *force); err != nil {
				return err
			}
			view.Original = *saveOriginal
		} else if orig, err := app.OriginalForm(ctx, arrival); err == nil && orig != nil {
			view.OriginalKept = true
		}
		if l.net.asJSON {
			writeJSON(std.out, view)
			return nil
		}
		printCorrection(std.out, view, lang)
		return nil
	}
	data, err := readInput(operands[1], submit.MaxForm)
	if err != nil {
		return err
	}
	form, err := flow.ParseForm(data)
	if err != nil {
		return err
	}
	cb.ConfirmSign = func(_ context.Context, pc *flow.Precheck) (bool, error) {
		if !pc.RevocationUnknown() || *acceptIndeterminate {
			return true, nil
		}
		printPrecheck(std.err, pc, lang)
		if *l.cred.pinStdin {
			return false, &flow.Error{Op: "amend", Err: flow.ErrIndeterminate}
		}
		return confirm(std, std.tr("証明書が失効しているかどうか確認できませんでした。このまま署名しますか？", "The certificate's revocation status could not be established. Sign anyway?")), nil
	}
	out, err := app.Amend(ctx, flow.AmendRequest{Arrival: arrival, InquiryNumber: q.InquiryNumber, Account: q.Account,
		EnterPassword: q.EnterPassword, Form: form, Attachments: operands[2:], Credential: choice}, cb)
	if err != nil {
		var pe *flow.PrecheckError
		if errors.As(err, &pe) {
			printPrecheck(std.err, pe.Precheck, lang)
		}
		return l.cred.useError(sessionError(app, err))
	}
	if l.net.asJSON {
		writeJSON(std.out, out)
		return nil
	}
	fmt.Fprintf(std.out, "補正を送信しました / amendment filed: 到達番号 Arrival number %s\n", out.Status.ArrivalNumber)
	if out.Signed != nil {
		fmt.Fprintf(std.out, "  signed package: %s\n", out.Signed.Path)
	}
	printHistory(std.out, out.Status, lang)
	return nil
}

// printCorrection writes what the municipality asks to correct, and
// where the form as filed is.
func printCorrection(w io.Writer, v correctionView, lang i18n.Lang) {
	c := v.Correction
	fmt.Fprintf(w, "補正依頼 Request for correction: 到達番号 Arrival number %s (%s)\n", c.Arrival, c.Procedure)
	fmt.Fprintf(w, "  notice %s, signed by %s\n", c.NoticeID, c.Notice.Official)
	fmt.Fprintf(w, "  fields: %s\n", strings.Join(c.Fields, ", "))
	fmt.Fprintf(w, "  reason: %s\n", c.Reason.In(lang))
	switch {
	case v.Original != "":
		fmt.Fprintf(w, "  the form as filed: written to %s\n", v.Original)
		fmt.Fprintf(w, "  correct those fields in it, then: shinseictl amend %s %s [ATTACHMENT...]\n", c.Arrival, v.Original)
	case v.OriginalKept:
		fmt.Fprintf(w, "  the form as filed is kept on this computer: shinseictl amend --save-original FORM.json %s writes it\n", c.Arrival)
		fmt.Fprintf(w, "  correct the form, then: shinseictl amend %s FORM [ATTACHMENT...]\n", c.Arrival)
	default:
		fmt.Fprintf(w, "  correct the form, then: shinseictl amend %s FORM [ATTACHMENT...]\n", c.Arrival)
	}
}

// eventLabels name the steps of an application's history.
var eventLabels = map[submit.EventKind]string{
	submit.EventReceived:            "到達 received",
	submit.EventAdvanced:            "処理 moved on",
	submit.EventWithdrawn:           "取下げ withdrawn",
	submit.EventCorrectionRequested: "補正依頼 correction requested",
	submit.EventAmended:             "補正 amended",
}

// printHistory writes the status and every step of its history.
func printHistory(w io.Writer, st *submit.ApplicationStatus, _ i18n.Lang) {
	label := statusLabels[st.Status]
	if label == "" {
		label = string(st.Status)
	}
	fmt.Fprintf(w, "  status:    %s\n", label)
	printSteps(w, st)
}

// printSteps writes every step of st's history, one line each.
func printSteps(w io.Writer, st *submit.ApplicationStatus) {
	for _, h := range st.History {
		fmt.Fprintf(w, "  history:   %s  %s", h.At.Local().Format("2006-01-02 15:04:05"), eventLabels[h.Kind])
		if h.NoticeID != "" {
			fmt.Fprintf(w, "  (notice %s)", h.NoticeID)
		}
		fmt.Fprintln(w)
	}
}
