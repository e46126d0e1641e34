package ui

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// fileBulkyWaste files a bulky waste collection with cfg, as the window
// would have, its items told apart by items.
func fileBulkyWaste(t *testing.T, cfg flow.Config, items string) *submit.Record {
	t.Helper()
	ctx := context.Background()
	a, err := flow.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	p, err := a.Procedure(ctx, service.ProcBulkyWaste)
	if err != nil {
		t.Fatal(err)
	}
	fields := service.SampleFields(service.ProcBulkyWaste)
	fields["items"] = items
	doc := &submit.FormDocument{Procedure: service.ProcBulkyWaste,
		Applicant: map[string]any{"name": "高橋　花子", "address": "東京都千代田区千代田1-1"}, Fields: fields}
	rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &p.Procedure, Form: doc}, flow.Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// refreshAll taps 「すべての状況を更新」 and waits for every answer.
func (h *harness) refreshAll(hist *history) {
	h.t.Helper()
	if hist.all.Text != "すべての状況を更新" {
		h.t.Errorf("the history's button reads %q", hist.all.Text)
	}
	test.Tap(hist.all)
	h.wait("status-all")
}

func TestEveryStatusIsRefreshedAtOnceAndTheHistorySaysWhatChanged(t *testing.T) {
	useLanguage(i18n.Japanese)
	cfg := config(t)
	moved := fileBulkyWaste(t, cfg, "たんす 1")
	same := fileBulkyWaste(t, cfg, "いす 2")
	ctx := context.Background()
	if _, err := world.svc.Advance(ctx, moved.ArrivalNumber, service.SandboxAdvance{Status: submit.StatusReviewing}); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, cfg)
	hist := h.openHistory()
	checkSpoken(t, "history with 「すべての状況を更新」", h.s.win)
	h.refreshAll(hist)
	steps := []struct {
		name      string
		advance   submit.Status // the service moves moved there first
		summary   string
		changed   string // the line of moved, "" when unchanged
		unchanged string // what same's entry says
	}{
		{"the first refresh compares with the receipt: one application is under review", "",
			"2件の状況を確認しました。状況が変わった申請は1件です。", "状況が変わりました：到達 → 審査中", "状況：到達"},
		{"asked again with nothing new, nothing changed", "",
			"2件の状況を確認しました。状況が変わった申請は0件です。", "", "状況：到達"},
		{"once it is completed, the change is from the status last shown", submit.StatusCompleted,
			"状況が変わった申請は1件です。", "状況が変わりました：審査中 → 完了", "状況：到達"},
	}
	for i, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.advance != "" {
				if _, err := world.svc.Advance(ctx, moved.ArrivalNumber, service.SandboxAdvance{Status: s.advance}); err != nil {
					t.Fatal(err)
				}
			}
			if i > 0 {
				h.refreshAll(hist)
			}
			if !strings.Contains(hist.status.Text, s.summary) {
				t.Errorf("the history says %q, want %q", hist.status.Text, s.summary)
			}
			line := hist.states[moved.ArrivalNumber].Text
			if s.changed != "" {
				if !strings.Contains(line, s.changed) {
					t.Errorf("the changed entry says %q, want %q", line, s.changed)
				}
				if want := "到達番号 " + moved.ArrivalNumber + "："; !strings.Contains(hist.status.Text, want) {
					t.Errorf("the summary %q does not name %s", hist.status.Text, moved.ArrivalNumber)
				}
			} else if strings.Contains(line, "変わりました") {
				t.Errorf("the entry says %q though nothing changed", line)
			}
			if other := hist.states[same.ArrivalNumber].Text; !strings.Contains(other, s.unchanged) || strings.Contains(other, "変わりました") {
				t.Errorf("the unchanged entry says %q", other)
			}
			if hist.all.Disabled() {
				t.Error("「すべての状況を更新」 stays disabled")
			}
		})
	}
}

func TestTheHistorySavesItsReceiptsAsTheCommandLinesCSV(t *testing.T) {
	useLanguage(i18n.Japanese)
	cfg := config(t)
	first := fileBulkyWaste(t, cfg, "たんす 1")
	second := fileBulkyWaste(t, cfg, "いす 2")
	h := newHarness(t, cfg)
	hist := h.openHistory()
	if hist.csv.Text != "一覧をCSVで保存" {
		t.Errorf("the history's button reads %q", hist.csv.Text)
	}
	path := filepath.Join(t.TempDir(), tr("history.csv_file"))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	hist.saveCSV(f, path)
	h.wait("csv-saved")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil {
		t.Fatalf("the file is not CSV: %v", err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(flow.ReceiptsCSVHeader, ",") {
		t.Fatalf("rows %q, want the header and two receipts", rows)
	}
	for i, rec := range []*submit.Record{first, second} {
		if rows[i+1][1] != rec.ArrivalNumber || rows[i+1][2] != rec.InquiryNumber || rows[i+1][3] != service.ProcBulkyWaste {
			t.Errorf("row %d: %q, want receipt %s", i+1, rows[i+1], rec.ArrivalNumber)
		}
	}
	if !strings.Contains(string(data), "\r\n") {
		t.Error("the rows do not end in CRLF as RFC 4180 has them")
	}
	if !strings.Contains(hist.status.Text, "2件の受付を") || !strings.Contains(hist.status.Text, path) {
		t.Errorf("the history says %q", hist.status.Text)
	}
}
