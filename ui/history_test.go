package ui

import (
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// holdBulkyWaste puts a bulky waste application with fields into the
// outbox of cfg's data folder, as an application held after signing or
// after a lost connection is kept, and returns its item.
func holdBulkyWaste(t *testing.T, cfg flow.Config, fields map[string]any) *submit.Item {
	t.Helper()
	doc := &submit.FormDocument{Procedure: service.ProcBulkyWaste,
		Applicant: map[string]any{"name": "高橋　花子", "address": "東京都千代田区千代田1-1"}, Fields: fields}
	path := filepath.Join(t.TempDir(), "form.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := flow.WriteForm(f, doc); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ob, err := submit.OpenOutbox(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	it, err := ob.Add(context.Background(), submit.Draft{Service: cfg.ServiceURL, Procedure: service.ProcBulkyWaste,
		Level: submit.LevelNone, MediaType: submit.MediaJSON, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// openHistory waits for the catalogue (the procedures' names) and shows
// the history tab.
func (h *harness) openHistory() *history {
	h.t.Helper()
	if h.count("catalogue") == 0 {
		h.wait("catalogue")
	}
	h.s.tabs.SelectIndex(tabHistory)
	h.wait("history")
	return h.s.history.get()
}

func TestAHeldApplicationIsListedInHistoryAndSendNowSendsItAndShowsItsReceipt(t *testing.T) {
	cfg := config(t)
	it := holdBulkyWaste(t, cfg, service.SampleFields(service.ProcBulkyWaste))
	h := newHarness(t, cfg)
	hist := h.openHistory()
	if hist.status.Text == tr("history.none") {
		t.Fatalf("the history says %q while an application is held", hist.status.Text)
	}
	btn, ok := hist.sendNow[it.ID]
	if !ok || btn.Text != tr("history.send_now") {
		t.Fatalf("the held application has no %q button (held %d)", tr("history.send_now"), len(hist.held))
	}
	if !showsLabel(t, hist.list, hist.procedureName(service.ProcBulkyWaste)) || hist.procedureName(service.ProcBulkyWaste) == service.ProcBulkyWaste {
		t.Errorf("the held application is not shown under its procedure's name")
	}
	test.Tap(btn)
	h.wait("receipt")
	if h.s.receipt == nil || h.s.receipt.rec.ArrivalNumber == "" || h.s.receipt.rec.OutboxID != it.ID {
		t.Fatalf("after sending, the receipt shown is %+v, want the held item's", h.s.receipt)
	}
	if h.s.tabs.SelectedIndex() != tabApply {
		t.Errorf("the receipt is not in view (tab %d)", h.s.tabs.SelectedIndex())
	}
	if p, err := h.s.flowApp().Pending(); err != nil || len(p) != 0 {
		t.Errorf("%d applications are still held (%v)", len(p), err)
	}
	if len(hist.held) != 0 || len(hist.records) != 1 || hist.records[0].ArrivalNumber != h.s.receipt.rec.ArrivalNumber {
		t.Errorf("the history lists %d held and %d received after sending, want 0 and the receipt", len(hist.held), len(hist.records))
	}
}

func TestRefusedApplicationsAreListedInHistoryWithTheServicesReasonAndWhatToDo(t *testing.T) {
	cfg := config(t)
	bad := service.SampleFields(service.ProcBulkyWaste)
	bad["place"] = "屋根の上" // not one of the choices: the service refuses it
	holdBulkyWaste(t, cfg, bad)
	holdBulkyWaste(t, cfg, bad)
	a, err := flow.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := a.SendPending(context.Background())
	a.Close()
	if err != nil || len(outs) != 2 {
		t.Fatalf("sending the held applications: %d outcomes, %v", len(outs), err)
	}
	for _, o := range outs {
		if se := (*submit.SendError)(nil); !errors.As(o.Err, &se) || !se.Refused {
			t.Fatalf("the service did not refuse the application: %v", o.Err)
		}
	}

	h := newHarness(t, cfg)
	hist := h.openHistory()
	if hist.status.Text == tr("history.none") {
		t.Fatalf("the history says %q while two refused applications are kept", hist.status.Text)
	}
	if len(hist.refused) != 2 || !showsLabel(t, hist.list, tr("history.refused_title")) {
		t.Fatalf("the history lists %d refused applications, want 2 under %q", len(hist.refused), tr("history.refused_title"))
	}
	for _, it := range hist.refused {
		p := it.Problem
		if p == nil || p.MessageJA == "" || p.MessageEN == "" {
			t.Fatalf("the refused item keeps no reason in both languages: %+v", p)
		}
		hint := explain.Of(flow.Refusal(it)).Hint
		if hint.IsZero() {
			t.Fatalf("no hint explains reason %q", p.Reason)
		}
		for _, want := range []string{p.MessageJA, p.MessageEN, "→ " + hint.Ja} {
			if !showsLabel(t, hist.list, want) {
				t.Errorf("the history does not show %q for the refused application", want)
			}
		}
	}
}

func TestHistoryKeepsTheProcedureAfterARefreshAndOpensTheNoticeThatArrived(t *testing.T) {
	setupWorld(t)
	world.w.Registry.Record(world.w.PKI.LGPKIRoot, world.w.PKI.LGPKIOrg.Cert)
	official, err := world.w.PKI.IssueOfficial("千代田区長")
	if err != nil {
		t.Fatal(err)
	}
	world.w.Registry.Record(world.w.PKI.LGPKIOrg, official.Cert)
	cfg, svc := config(t), startService(t, official)
	cfg.ServiceURL, cfg.ServiceAnchors, cfg.ServiceVA = svc.URL(), []*x509.Certificate{svc.CACert()}, svc.VACert()
	h := newHarness(t, cfg)
	h.startProcedure(service.ProcBulkyWaste)
	h.wait("form")
	fillBulkyWaste(h)
	test.Tap(h.s.form.next)
	h.wait("receipt")
	arrival := h.s.receipt.rec.ArrivalNumber
	hist := h.openHistory()
	proc := hist.procedureName(service.ProcBulkyWaste)
	hasProc := func() bool {
		return strings.Contains(hist.states[arrival].Text, tr("history.when", map[string]any{
			"At": hist.records[0].ReceivedAt.Local().Format("2006-01-02 15:04"), "Proc": proc}))
	}
	if !hasProc() {
		t.Fatalf("the entry does not name its procedure %q before a refresh", proc)
	}

	test.Tap(hist.refresh[arrival])
	h.wait("status")
	if !hasProc() {
		t.Errorf("after a status refresh the entry no longer names its procedure %q", proc)
	}
	if !strings.Contains(hist.states[arrival].Text, tr("status.received")) {
		t.Errorf("the status line says %q", hist.states[arrival].Text)
	}

	st, err := svc.Advance(context.Background(), arrival, service.SandboxAdvance{Status: submit.StatusCompleted,
		Notice: &service.SandboxNotice{TitleJA: "収集日のお知らせ", TitleEN: "Collection date", BodyJA: "12月10日の朝8時までにお出しください。"}})
	if err != nil || len(st.Notices) != 1 {
		t.Fatalf("advance: %v, %+v", err, st)
	}
	id := st.Notices[0].ID
	test.Tap(hist.refresh[arrival])
	h.wait("status")
	if !hasProc() {
		t.Errorf("after the notice arrived the entry no longer names its procedure %q", proc)
	}
	if !showsLabel(t, hist.list, id) {
		t.Errorf("the history does not show the notice's number %s", id)
	}
	open, ok := hist.opens[id]
	if !ok {
		t.Fatalf("the notice %s has no %q button", id, tr("history.open_notice"))
	}

	test.Tap(open)
	h.wait("notice")
	v := h.s.verify.get()
	if h.s.tabs.SelectedIndex() != tabVerify {
		t.Errorf("the notice screen is not in view (tab %d)", h.s.tabs.SelectedIndex())
	}
	if v.arrival.Text != arrival || v.noticeID.Text != id {
		t.Errorf("the notice screen holds %q / %q, want the numbers opened", v.arrival.Text, v.noticeID.Text)
	}
	if v.report == nil || !v.report.OK() {
		t.Fatalf("the notice opened from the history is not verified OK: %+v", v.report)
	}
	if !v.title.Visible() || v.title.Text != "収集日のお知らせ" {
		t.Errorf("the notice's title shows as %q (visible %v)", v.title.Text, v.title.Visible())
	}
	if !v.body.Visible() || v.body.Text != "12月10日の朝8時までにお出しください。" {
		t.Errorf("the notice's text shows as %q (visible %v)", v.body.Text, v.body.Visible())
	}
	// The answers are worded for a notice, not as the pre-check of one's
	// own certificate.
	for i, line := range v.lines.Objects[:3] {
		if !rendersText(t, line, tr("verify.level_ok")) || rendersText(t, line, tr("level.ok")) {
			t.Errorf("line %d is not worded %q for a notice", i+1, tr("verify.level_ok"))
		}
	}
}

func TestAWrongNoticeNumberNamesTheFieldsOfTheNoticeScreen(t *testing.T) {
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcBulkyWaste)
	h.wait("form")
	fillBulkyWaste(h)
	test.Tap(h.s.form.next)
	h.wait("receipt")
	v := h.s.verify.get()
	test.Type(v.arrival, h.s.receipt.rec.ArrivalNumber)
	test.Type(v.noticeID, "N0000000000000000")
	test.Tap(v.fetch)
	h.wait("error")
	for _, field := range []string{tr("verify.arrival"), tr("verify.notice_id")} {
		if !strings.Contains(v.status.Text, field) {
			t.Errorf("the error %q does not name the field %q", v.status.Text, field)
		}
	}
	if strings.Contains(v.status.Text, "通知書") {
		t.Errorf("the error %q names a 通知書 the screen does not have", v.status.Text)
	}
}
