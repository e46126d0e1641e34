package ui

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// signPackages signs n move-out notifications on the SoftHSM card into
// folder dir, as 「複数の申請書にまとめて署名」 would have, each a
// different package, and returns their paths.
func signPackages(t *testing.T, cfg flow.Config, dir string, names ...string) []string {
	t.Helper()
	return signPackagesWith(t, cfg, flow.CredentialChoice{Token: pkcs11.Selector{Label: kit.TokenLabel}}, dir, names...)
}

// signPackagesWith is signPackages with the credential given (a .p12 file
// opens with kit.P12Password).
func signPackagesWith(t *testing.T, cfg flow.Config, cred flow.CredentialChoice, dir string, names ...string) []string {
	t.Helper()
	ctx := context.Background()
	a, err := flow.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	p, err := a.Procedure(ctx, service.ProcMoveOut)
	if err != nil {
		t.Fatal(err)
	}
	cb := flow.Callbacks{
		PIN: func(context.Context, pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
			return pkcs11.PINAnswer{PIN: []byte(kit.PIN)}, nil
		},
		Secret: func(context.Context, flow.SecretRequest) ([]byte, error) {
			return []byte(kit.P12Password), nil
		},
		ConfirmSign: func(context.Context, *flow.Precheck) (bool, error) { return true, nil },
	}
	var out []string
	for _, n := range names {
		doc, err := flow.ParseForm([]byte(movingForm))
		if err != nil {
			t.Fatal(err)
		}
		doc.Fields["members"] = int(filed.Add(1)) + 2
		path := filepath.Join(dir, n)
		if _, err := a.Sign(ctx, flow.SignRequest{Procedure: p.Procedure, Form: doc, Out: path, Credential: cred}, cb); err != nil {
			t.Fatal(err)
		}
		out = append(out, path)
	}
	return out
}

// submitForTest files a package through flow with cfg, as a filing
// made earlier on this computer.
func submitForTest(t *testing.T, cfg flow.Config, path string) *submit.Record {
	t.Helper()
	ctx := context.Background()
	a, err := flow.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rec, err := a.Submit(ctx, flow.SubmitRequest{Path: path}, flow.Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// storedAtService counts the applications the reference service holds
// with the very bytes of the file at path.
func storedAtService(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	apps, err := world.svc.Applications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range apps {
		if r.PackageSHA256 == hex.EncodeToString(sum[:]) {
			n++
		}
	}
	return n
}

// saysText reports whether o shows s in one of its labels (wrapped over
// several lines or not) or texts.
func saysText(t *testing.T, o fyne.CanvasObject, s string) bool {
	switch v := o.(type) {
	case *widget.Label:
		return strings.Contains(v.Text, s)
	case *textLabel:
		return strings.Contains(v.Text, s)
	case *canvasText:
		return strings.Contains(v.Text, s)
	case *fyne.Container:
		for _, c := range v.Objects {
			if saysText(t, c, s) {
				return true
			}
		}
	case fyne.Widget:
		for _, c := range test.TempWidgetRenderer(t, v).Objects() {
			if saysText(t, c, s) {
				return true
			}
		}
	}
	return false
}

// openBatchSubmit opens 「まとめて提出」 from the home screen and lists
// the packages of folder dir.
func openBatchSubmit(t *testing.T, h *harness, dir string) *batchSubmitScreen {
	t.Helper()
	if h.count("catalogue") == 0 {
		h.wait("catalogue")
	}
	if got := h.s.home.batchSubmit.Text; got != tr("batchfile.open") {
		t.Errorf("the home screen's button reads %q", got)
	}
	test.Tap(h.s.home.batchSubmit)
	h.wait("batch-submit")
	b := h.s.batchSubmit
	b.listFolder(dir)
	h.wait("batch-submit-listed")
	return b
}

// fileChecked taps 「選んだ申請データを提出する」 and waits for the batch's end.
func fileChecked(t *testing.T, h *harness, b *batchSubmitScreen) {
	t.Helper()
	if b.send.Disabled() {
		t.Fatal("the file button is disabled with packages checked")
	}
	test.Tap(b.send)
	h.wait("batch-submit-done")
}

func TestFilingSeveralPackagesAtOnceSendsEachOnceAndNeverAgainOneAlreadyReceived(t *testing.T) {
	useLanguage(i18n.Japanese)
	cfg := config(t)
	dir := t.TempDir()
	pkgs := signPackages(t, cfg, dir, "1-転出届.asice", "2-転出届.asice", "3-転出届.asice")
	if err := os.WriteFile(filepath.Join(dir, "メモ.txt"), []byte("not a package"), 0o600); err != nil {
		t.Fatal(err)
	}
	earlier := submitForTest(t, cfg, pkgs[0])

	h := newHarness(t, cfg)
	b := openBatchSubmit(t, h, dir)
	checkSpoken(t, "batch filing with packages", h.s.win)
	if len(b.pkgs) != 3 {
		t.Fatalf("%d packages listed, want the folder's 3 .asice files", len(b.pkgs))
	}
	if r := b.pkgs[0].Received; r == nil || r.ArrivalNumber != earlier.ArrivalNumber {
		t.Fatalf("the package filed earlier is listed with receipt %+v, want arrival number %s", r, earlier.ArrivalNumber)
	}
	if b.checks[0].Checked || !b.checks[1].Checked || !b.checks[2].Checked {
		t.Errorf("checked %v %v %v, want the received one unchecked and the others checked", b.checks[0].Checked, b.checks[1].Checked, b.checks[2].Checked)
	}
	if !strings.Contains(b.notes[0].Text, "受付済み") || !strings.Contains(b.notes[0].Text, earlier.ArrivalNumber) {
		t.Errorf("the received package's note reads %q", b.notes[0].Text)
	}

	// The filer checks the received one too: it is still not sent again.
	test.Tap(b.all)
	if !strings.Contains(b.status.Text, "3件の申請データのうち、3件を選んでいます") {
		t.Errorf("status %q after checking all", b.status.Text)
	}
	fileChecked(t, h, b)
	if len(b.filed) != 3 || len(b.results.Objects) != 3 {
		t.Fatalf("%d outcomes and %d result lines, want 3", len(b.filed), len(b.results.Objects))
	}
	if f := b.filed[0]; f.Status != flow.FiledSkipped || f.Record == nil || f.Record.ArrivalNumber != earlier.ArrivalNumber {
		t.Errorf("the received package: %s %+v, want skipped with arrival number %s", f.Status, f.Record, earlier.ArrivalNumber)
	}
	if !rendersText(t, b.results.Objects[0], "送信せず") || !rendersText(t, b.results.Objects[0], "もう一度は送信していません") {
		t.Error("the received package's line does not say it was not sent again")
	}
	arrivals := map[string]bool{earlier.ArrivalNumber: true}
	for i, f := range b.filed[1:] {
		if f.Status != flow.FiledDelivered || f.Record == nil {
			t.Fatalf("package %d: %s %v", i+2, f.Status, f.Err)
		}
		arrivals[f.Record.ArrivalNumber] = true
		if !rendersText(t, b.results.Objects[i+1], "受け付けられました") || !rendersText(t, b.results.Objects[i+1], f.Record.ArrivalNumber) {
			t.Errorf("line %d does not give the arrival number", i+2)
		}
	}
	if len(arrivals) != 3 {
		t.Errorf("%d arrival numbers for 3 packages", len(arrivals))
	}
	if !strings.Contains(b.status.Text, "受け付けられたもの2件、受付済みのため送信しなかったもの1件") {
		t.Errorf("summary %q", b.status.Text)
	}
	if b.checks[1].Checked || b.checks[2].Checked || !strings.Contains(b.notes[2].Text, b.filed[2].Record.ArrivalNumber) {
		t.Error("the packages just received are not marked received and unchecked on the list")
	}
	checkSpoken(t, "batch filing results", h.s.win)

	// Filed again, all checked: nothing is sent.
	test.Tap(b.all)
	fileChecked(t, h, b)
	for _, f := range b.filed {
		if f.Status != flow.FiledSkipped {
			t.Errorf("filed again, %s: %s, want not sent", filepath.Base(f.Path), f.Status)
		}
	}
	for _, p := range pkgs {
		if n := storedAtService(t, p); n != 1 {
			t.Errorf("the service holds %s %d times, want once", filepath.Base(p), n)
		}
	}
	if recs, err := h.s.flowApp().Receipts(); err != nil || len(recs) != 3 {
		t.Errorf("%d receipts in the journal (%v), want 3", len(recs), err)
	}
	// Nothing went to the service a second time: it would have answered
	// already-received, and the package would be among the refused.
	if r, err := h.s.flowApp().Refused(); err != nil || len(r) != 0 {
		t.Errorf("%d packages came back from the service as refused (%v)", len(r), err)
	}
}

// tamper rewrites the form inside a signed package, leaving its
// signature as it was: the service refuses it.
func tamper(t *testing.T, path string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name != flow.FormFileName {
			r, err := f.OpenRaw()
			if err != nil {
				t.Fatal(err)
			}
			w, err := zw.CreateRaw(&f.FileHeader)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(w, r); err != nil {
				t.Fatal(err)
			}
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var form map[string]any
		if err := json.NewDecoder(r).Decode(&form); err != nil {
			t.Fatal(err)
		}
		form["fields"].(map[string]any)["members"] = 9
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.NewEncoder(w).Encode(form); err != nil {
			t.Fatal(err)
		}
	}
	zr.Close()
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// revokedResident is a .p12 of the sample resident whose certificate
// the test revokes once it has signed: the service refuses what it signed.
func revokedResident(t *testing.T) (choice flow.CredentialChoice, revoke func()) {
	t.Helper()
	setupWorld(t)
	p := world.w.PKI
	cred, err := p.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	world.w.Registry.Record(p.JPKISign, cred.Cert)
	der, err := cred.PKCS12(kit.P12Password)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "resident.p12")
	if err := os.WriteFile(path, der, 0o600); err != nil {
		t.Fatal(err)
	}
	return flow.CredentialChoice{P12: path}, func() {
		if err := world.w.Registry.Revoke(p.JPKISign, cred.Cert.SerialNumber, pki.ReasonKeyCompromise, time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPackagesThatCannotBeFiledInABatchSayWhyInJapaneseAndTheOthersAreFiled(t *testing.T) {
	useLanguage(i18n.Japanese)
	cfg := config(t)
	dir := t.TempDir()
	choice, revoke := revokedResident(t)
	refused := signPackagesWith(t, cfg, choice, dir, "a-失効.asice")[0]
	revoke()
	pkgs := signPackages(t, cfg, dir, "b.asice", "c-改変.asice")
	good, altered := pkgs[0], pkgs[1]
	tamper(t, altered)

	h := newHarness(t, cfg)
	b := openBatchSubmit(t, h, dir)
	fileChecked(t, h, b)
	if len(b.filed) != 3 {
		t.Fatalf("%d outcomes", len(b.filed))
	}
	if f := b.filed[1]; f.Path != good || f.Status != flow.FiledDelivered {
		t.Errorf("the good package: %s %s %v", f.Path, f.Status, f.Err)
	}
	cases := []struct {
		name   string
		i      int
		path   string
		reason submit.Reason // the service's, when it refused
		hint   string
	}{
		{"a package whose signer's certificate is revoked is refused by the service, with its message and what to do",
			0, refused, submit.ReasonCertificateRevoked, "市区町村の窓口で新しい証明書を受け取ってから署名し直してください"},
		{"an altered package is not sent, and says why", 2, altered, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := b.filed[c.i]
			if f.Path != c.path || f.Status != flow.FiledFailed || f.Err == nil {
				t.Fatalf("%s: %s %v, want not filed", filepath.Base(f.Path), f.Status, f.Err)
			}
			if c.reason != "" && !submit.IsReason(f.Err, c.reason) {
				t.Errorf("error %v, want the service's %s", f.Err, c.reason)
			}
			e := explain.Of(f.Err)
			if e.Message.Ja == "" || e.Hint.Ja == "" {
				t.Fatalf("no Japanese message or hint: %+v", e)
			}
			line := b.results.Objects[c.i]
			for _, want := range []string{"未提出", filepath.Base(c.path), e.Message.Ja, e.Hint.Ja, c.hint} {
				if !saysText(t, line, want) {
					t.Errorf("the line does not say %q", want)
				}
			}
			if n := storedAtService(t, c.path); n != 0 {
				t.Errorf("the service holds it %d times", n)
			}
		})
	}
	if !strings.Contains(b.status.Text, "受け付けられたもの1件") || !strings.Contains(b.status.Text, "提出できなかったもの2件") {
		t.Errorf("summary %q", b.status.Text)
	}
}

func TestCancellingABatchFilingLeavesEachPackageReceivedOnceOrWaitingToBeSentOnce(t *testing.T) {
	useLanguage(i18n.Japanese)
	cfg := config(t)
	dir := t.TempDir()
	pkgs := signPackages(t, cfg, dir, "1.asice", "2.asice", "3.asice", "4.asice", "5.asice", "6.asice")

	h := newHarness(t, cfg)
	b := openBatchSubmit(t, h, dir)
	test.Tap(b.send)
	if b.cancel.Disabled() {
		t.Fatal("Cancel is disabled while the batch runs")
	}
	test.Tap(b.cancel)
	h.wait("batch-submit-done")
	if b.running || !b.cancel.Disabled() {
		t.Errorf("after Cancel the screen still runs")
	}
	if !strings.Contains(b.status.Text, "中止しました") {
		t.Errorf("status %q, want that filing was stopped", b.status.Text)
	}
	a := h.s.flowApp()
	pending, err := a.Pending()
	if err != nil {
		t.Fatal(err)
	}
	waiting := map[string]bool{}
	for _, it := range pending {
		waiting[it.SHA256] = true
	}
	for i, f := range b.filed {
		n := storedAtService(t, pkgs[i])
		switch {
		case n > 1:
			t.Errorf("%s is held %d times by the service", filepath.Base(pkgs[i]), n)
		case f.Status == flow.FiledDelivered && n != 1:
			t.Errorf("%s has a receipt but the service holds it %d times", filepath.Base(pkgs[i]), n)
		case f.Status == flow.FiledFailed && !waiting[f.SHA256] && n != 0:
			t.Errorf("%s was stopped and is not waiting to be sent, yet the service holds it", filepath.Base(pkgs[i]))
		case f.Status == flow.FiledFailed && !saysText(t, b.results.Objects[i], tr("batchfile.level_failed")):
			t.Errorf("%s was stopped, and its line does not say it was not filed", filepath.Base(pkgs[i]))
		}
	}
	t.Logf("after Cancel: %d waiting in the outbox", len(pending))

	// Filing again afterwards: each package ends up held once.
	b.checkAll(true)
	fileChecked(t, h, b)
	for _, p := range pkgs {
		if n := storedAtService(t, p); n != 1 {
			t.Errorf("after filing again the service holds %s %d times, want once", filepath.Base(p), n)
		}
	}
	if p, _ := a.Pending(); len(p) != 0 {
		t.Errorf("%d packages still wait in the outbox", len(p))
	}
}

func TestFormsSignedTogetherAreFiledTogetherFromTheBatchSigningScreen(t *testing.T) {
	useLanguage(i18n.Japanese)
	h := newHarness(t, config(t))
	h.wait("catalogue")
	test.Tap(h.s.home.batch)
	h.wait("batch")
	h.wait("batch-credentials")
	dir, out := t.TempDir(), t.TempDir()
	for _, n := range []string{"転出届-1.json", "転出届-2.json"} {
		doc, err := flow.ParseForm([]byte(movingForm))
		if err != nil {
			t.Fatal(err)
		}
		doc.Fields["members"] = int(filed.Add(1)) + 2
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		h.s.batch.addForm(p)
	}
	h.s.batch.setOutDir(out)
	signWithToken(t, h)
	h.wait("pin")
	test.Type(h.s.pin.entry, kit.PIN)
	test.Tap(h.s.pin.ok)
	h.wait("batch-done")
	if r := h.s.batch.result; r == nil || r.Signed != 2 {
		t.Fatalf("signed %+v, want both forms", r)
	}
	btn := h.s.batch.fileSigned
	if btn == nil || btn.Text != "署名した申請データをまとめて提出" {
		t.Fatalf("no button to file the signed packages under the results")
	}
	checkSpoken(t, "batch signing results with the filing button", h.s.win)
	test.Tap(btn)
	h.wait("batch-submit")
	h.wait("batch-submit-listed")
	b := h.s.batchSubmit
	if len(b.pkgs) != 2 || len(b.chosen()) != 2 {
		t.Fatalf("%d packages listed, %d checked; want the 2 signed, checked", len(b.pkgs), len(b.chosen()))
	}
	for i, it := range h.s.batch.result.Items {
		if b.pkgs[i].Path != it.Package {
			t.Errorf("package %d is %s, want %s", i, b.pkgs[i].Path, it.Package)
		}
	}
	fileChecked(t, h, b)
	for _, f := range b.filed {
		if f.Status != flow.FiledDelivered {
			t.Errorf("%s: %s %v", filepath.Base(f.Path), f.Status, f.Err)
		} else if n := storedAtService(t, f.Path); n != 1 {
			t.Errorf("the service holds %s %d times", filepath.Base(f.Path), n)
		}
	}
}
