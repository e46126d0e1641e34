package ui

import (
	"bytes"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// fillMoveOut fills the move-out form's own fields (the applicant block
// is pre-filled from the certificate).
func fillMoveOut(t *testing.T, f *formScreen) {
	t.Helper()
	test.Type(f.fields["new_address"].(*widget.Entry), "大阪府大阪市北区中之島1-3-20")
	f.fields["move_date"].(*widget.Entry).SetText("２０２６-１２-０１") // full-width, as with an IME left on
	test.Type(f.fields["members"].(*widget.Entry), "2")
	f.fields["my_number_card"].(*widget.Select).SetSelected("継続利用する")
}

// chooseToken waits for the credentials and uses the first token.
func (h *harness) chooseToken() {
	h.t.Helper()
	h.wait("credentials")
	if len(h.s.cred.choices) == 0 {
		h.t.Fatalf("no usable token is offered; status: %q", h.s.cred.status.Text)
	}
	test.Tap(h.s.cred.choices[0])
	h.wait("form")
}

func TestAResidentSignsAndSubmitsWithTheSoftHSMCardAndGetsAReceipt(t *testing.T) {
	// Whatever the GUI logs (Fyne logs through package log and slog) must
	// hold neither the PIN nor personal data.
	var logged bytes.Buffer
	log.SetOutput(&logged)
	defer log.SetOutput(os.Stderr)
	defaultLogger := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	defer slog.SetDefault(defaultLogger)
	defer func() {
		for _, secret := range []string{"SANDBOX1", "sandbox1", "高橋", "花子", "霞が関", "1985-04-15"} {
			if strings.Contains(logged.String(), secret) {
				t.Errorf("the log holds %q:\n%s", secret, logged.String())
			}
		}
	}()
	cfg := config(t)
	h := newHarness(t, cfg)
	h.startProcedure(service.ProcMoveOut)
	h.chooseToken()

	f := h.s.form
	if got := f.applicant["name"].Text; got != "" || f.note.Text != tr("form.prefill_after_pin") {
		t.Fatalf("a card met for the first time pre-fills the name %q and says %q; its certificate is private until the PIN",
			got, f.note.Text)
	}
	// The resident pastes a completed form (as copied from the
	// municipality's web form) rather than typing Japanese.
	h.s.fa.Clipboard().SetContent(movingForm)
	test.Tap(f.paste)
	if got := f.applicant["name"].Text; got != "高橋　花子" {
		t.Fatalf("after Paste the name is %q", got)
	}
	if got := f.fields["my_number_card"].(*widget.Select).Selected; got != "継続利用する" {
		t.Fatalf("after Paste the choice is %q", got)
	}
	test.Tap(f.next)

	h.wait("pin")
	d := h.s.pin
	if d.tries.Text == "" {
		t.Error("the PIN dialog shows no tries left before typing")
	}
	if !d.ok.Disabled() {
		t.Error("OK is enabled before a PIN is typed")
	}
	test.Type(d.entry, "sand")
	if !d.ok.Disabled() || d.format.Importance != widget.DangerImportance {
		t.Error("a 4-character signature password is not flagged as too short while typing")
	}
	test.Type(d.entry, "box1")
	if d.entry.Text != "SANDBOX1" {
		t.Errorf("the signature password reads %q, want it upper-cased as typed", d.entry.Text)
	}
	if d.ok.Disabled() {
		t.Fatalf("OK stays disabled with a well-formed password; hint %q", d.format.Text)
	}
	test.Tap(d.ok)

	h.wait("precheck")
	p := h.s.check
	if !p.pc.OK() {
		t.Fatalf("the pre-check is red: %v", p.pc)
	}
	if line, ok := p.pc.Line(flow.LineIdentity, "name"); !ok || line.Level != flow.Green {
		t.Errorf("the name's identity line is %+v, want green", line)
	}
	if p.ack != nil {
		p.ack.SetChecked(true)
	}
	if p.sign.Disabled() {
		t.Fatal("Sign is disabled on a pre-check without red lines")
	}
	test.Tap(p.sign)

	h.wait("receipt")
	r := h.s.receipt
	if r.rec.ArrivalNumber == "" || r.arrival.number.Text != r.rec.ArrivalNumber {
		t.Fatalf("the receipt shows %q for arrival number %q", r.arrival.number.Text, r.rec.ArrivalNumber)
	}
	test.Tap(r.arrival.copy)
	if got := h.s.fa.Clipboard().Content(); got != r.rec.ArrivalNumber {
		t.Errorf("the clipboard holds %q after Copy, want the arrival number", got)
	}
	if n := h.count("pin"); n != 1 {
		t.Errorf("the PIN was asked %d times, want once", n)
	}

	h.s.history.get().onReload()
	if len(h.s.history.get().records) != 1 || h.s.history.get().records[0].ArrivalNumber != r.rec.ArrivalNumber {
		t.Fatalf("the history holds %+v, want the receipt", h.s.history.get().records)
	}
	if got := h.s.history.get().states[r.rec.ArrivalNumber].Text; !strings.Contains(got, "転出届") {
		t.Errorf("the history line says %q, want the procedure's title", got)
	}
	test.Tap(h.s.history.get().refresh[r.rec.ArrivalNumber])
	h.wait("status")
	if got := h.s.history.get().states[r.rec.ArrivalNumber].Text; !strings.Contains(got, tr("status.received")) {
		t.Errorf("the status line says %q, want it received (%s)", got, tr("status.received"))
	}

	// The signature certificate read after that PIN is kept: the next
	// application shows it before any PIN and pre-fills the applicant.
	test.Tap(r.done)
	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	if tok := h.s.cred.found.Tokens[0]; tok.SignatureCert == nil || !tok.CertKept {
		t.Fatalf("the kept certificate is not shown before the PIN: %+v", tok)
	}
	test.Tap(h.s.cred.choices[0])
	h.wait("form")
	if got := h.s.form.applicant["name"].Text; got != "高橋　花子" {
		t.Errorf("the second time the name is %q, want it pre-filled from the kept certificate", got)
	}
	if h.s.form.note.Text != tr("form.prefilled") {
		t.Errorf("the applicant note says %q, want that it was pre-filled", h.s.form.note.Text)
	}
}

func TestOnAFirstTimeCardTheApplicantLeftEmptyIsFilledFromTheCertificateAfterThePIN(t *testing.T) {
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcMoveOut)
	h.chooseToken()
	f := h.s.form
	fillMoveOut(t, f) // the applicant block stays empty: nothing Japanese to type
	test.Tap(f.next)
	if len(f.problems.Objects) > 0 {
		t.Fatalf("the empty applicant block is refused before the PIN: %d problems shown", len(f.problems.Objects))
	}

	h.enterPIN("sandbox1")
	for _, field := range []string{"name", "birth_date", "sex", "address"} {
		if l, ok := h.s.check.pc.Line(flow.LineIdentity, field); !ok || l.Level != flow.Green {
			t.Errorf("the identity line of %s is %+v, want green once filled from the certificate", field, l)
		}
	}

	// Going back without signing shows the form with what the card filled.
	test.Tap(h.s.check.back)
	h.wait("form")
	if got := h.s.form.applicant["name"].Text; got != "高橋　花子" {
		t.Errorf("back on the form the name is %q, want it filled from the certificate", got)
	}
	if h.s.form.note.Text == "" {
		t.Error("the form gives no note after the resident declined")
	}
}

// movingForm is a completed move-out form as a resident would paste it.
const movingForm = `{"procedure": "move-out-notification",
 "applicant": {"name": "高橋　花子", "birth_date": "1985-04-15", "sex": "2", "address": "東京都千代田区霞が関二丁目１番２号"},
 "fields": {"new_address": "大阪府大阪市北区中之島1-3-20", "move_date": "2026-12-01", "members": 2, "my_number_card": "継続利用する"}}`

// fillApplicant types the sample resident's applicant block.
func fillApplicant(f *formScreen) {
	f.applicant["name"].SetText("高橋　花子")
	f.applicant["birth_date"].SetText("1985-04-15")
	f.sex.SetSelected(tr("form.sex_female"))
	f.applicant["address"].SetText("東京都千代田区霞が関二丁目１番２号")
}

func TestAnAnonymousApplicationNeedsNoCardAndShowsItsInquiryNumber(t *testing.T) {
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcBulkyWaste)
	h.wait("form")
	f := h.s.form
	f.applicant["name"].SetText("高橋　花子")
	f.applicant["address"].SetText("東京都千代田区千代田1-1")
	test.Type(f.fields["items"].(*widget.Entry), "たんす 1")
	f.fields["collection_date"].(*widget.Entry).SetText("2026-12-10")
	f.fields["phone"].(*widget.Entry).SetText("03-1234-5678")
	f.fields["place"].(*widget.Select).SetSelected("玄関前")
	test.Tap(f.next)
	h.wait("receipt")
	if h.s.receipt.inquiry == nil || h.s.receipt.rec.InquiryNumber == "" {
		t.Fatal("an anonymous receipt shows no inquiry number")
	}
	if h.count("pin") != 0 {
		t.Error("a PIN was asked for a procedure that needs none")
	}
}

func TestACompletedFormFileIsOpenedIntoTheFormAndAnotherProceduresIsRefused(t *testing.T) {
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcMoveOut)
	h.chooseToken()
	dir := t.TempDir()
	good, other := filepath.Join(dir, "move-out.json"), filepath.Join(dir, "waste.json")
	os.WriteFile(good, []byte(movingForm), 0o600)
	os.WriteFile(other, []byte(`{"procedure": "bulky-waste-collection", "applicant": {}, "fields": {}}`), 0o600)
	f := h.s.form
	f.openPath(other)
	if len(f.problems.Objects) == 0 || f.applicant["name"].Text != "" {
		t.Fatal("a form of another procedure is loaded without a word")
	}
	f.openPath(good)
	if f.applicant["name"].Text != "高橋　花子" || f.sex.Selected != tr("form.sex_female") ||
		f.fields["new_address"].(*widget.Entry).Text != "大阪府大阪市北区中之島1-3-20" {
		t.Errorf("the opened form shows name %q, sex %q", f.applicant["name"].Text, f.sex.Selected)
	}
	if f.note.Text != tr("form.loaded") || len(f.problems.Objects) != 0 {
		t.Errorf("after opening, the note says %q with %d problems shown", f.note.Text, len(f.problems.Objects))
	}
}

func TestAFormWithAMissingFieldSaysWhichAndSendsNothing(t *testing.T) {
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcBulkyWaste)
	h.wait("form")
	f := h.s.form
	test.Tap(f.next)
	if len(f.problems.Objects) == 0 {
		t.Fatal("no problem is shown for an empty form")
	}
	if h.s.progress != nil {
		t.Error("sending started with an invalid form")
	}
}

func TestAFailedPrecheckExplainsTheMismatchAndOffersNoSignature(t *testing.T) {
	cfg := config(t)
	h := newHarness(t, cfg)
	h.startProcedure(service.ProcMoveOut)
	h.chooseToken()
	f := h.s.form
	fillApplicant(f)
	f.applicant["name"].SetText("山田　太郎") // not the certificate's holder
	fillMoveOut(t, f)
	test.Tap(f.next)
	h.enterPIN("SANDBOX1")
	p := h.s.check
	if p.pc.OK() {
		t.Fatalf("the pre-check is not red for another person's name: %v", p.pc)
	}
	line, ok := p.pc.Line(flow.LineIdentity, "name")
	if !ok || line.Level != flow.Red || line.Todo.IsZero() {
		t.Fatalf("the name's line is %+v, want red with what to do", line)
	}
	if !p.sign.Disabled() || p.answer != nil {
		t.Error("a red pre-check still offers to sign")
	}
	if p.summary.Text != tr("precheck.red") {
		t.Errorf("the summary says %q, want the red explanation", p.summary.Text)
	}
	if entries, _ := os.ReadDir(filepath.Join(cfg.DataDir, "signed")); len(entries) != 0 {
		t.Errorf("a package was written after a red pre-check: %v", entries)
	}
	test.Tap(p.back)
	if h.s.form == nil || h.s.form.applicant["name"].Text != "山田　太郎" {
		t.Error("Back does not return to the form as it was")
	}
}

func TestCancelWhileHashingLeavesNoPackageNorQueuedApplication(t *testing.T) {
	cfg := config(t)
	big := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(big, make([]byte, 48<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, cfg)
	h.startProcedure(service.ProcMoveOut)
	h.chooseToken()
	fillApplicant(h.s.form)
	fillMoveOut(t, h.s.form)
	h.s.form.addAttachment(big)
	// Some megabytes into the attachment, hashing waits on flow's
	// goroutine while Cancel is tapped on the UI thread.
	var at, last, total int64
	tapped := make(chan struct{})
	h.s.onHashed = func(done, all int64) {
		last, total = done, all
		if at == 0 && done >= 8<<20 && done < all {
			at = done
			onMain(func() {
				test.Tap(h.s.progress.cancel)
				close(tapped)
			})
			<-tapped
		}
	}
	test.Tap(h.s.form.next)
	h.enterPIN("SANDBOX1")
	h.confirmSign()
	h.wait("form")
	if at == 0 {
		t.Fatalf("Cancel was never tapped while hashing (last report %d of %d bytes)", last, total)
	}
	if last >= total {
		t.Errorf("hashing went on to the end (%d bytes) after Cancel at %d", last, at)
	}
	if got := h.s.form.note.Text; got != tr("progress.cancelled") {
		t.Errorf("after Cancel the form says %q, want %q", got, tr("progress.cancelled"))
	}
	// Neither the package, nor its temporary file, nor the form copied
	// for it is left.
	var left []string
	filepath.WalkDir(cfg.DataDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("left in the data folder after Cancel: %v", left)
	}
	a := h.s.flowApp()
	if pending, err := a.Pending(); err != nil || len(pending) != 0 {
		t.Errorf("the outbox holds %v (%v) after Cancel, want nothing", pending, err)
	}
	if recs, _ := a.Receipts(); len(recs) != 0 {
		t.Errorf("the journal holds %v after Cancel", recs)
	}
}
