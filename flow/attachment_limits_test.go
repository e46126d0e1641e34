package flow_test

import (
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/submit"
)

func TestAttachmentsAreCheckedAgainstTheProceduresLimitsWithTheLimitInWords(t *testing.T) {
	small := moveOut
	small.Form.MaxAttachments, small.Form.MaxPackageBytes = 2, 4<<20
	tests := []struct {
		name   string
		proc   submit.Procedure
		sizes  []int64
		wantJa []string // nil: no problem
		wantEn []string
	}{
		{name: "files within the count and size pass", proc: small, sizes: []int64{1 << 20, 2 << 20}},
		{name: "one file more than the count is refused with the count", proc: small, sizes: []int64{10, 10, 10},
			wantJa: []string{"添付ファイルは2件までです", "3件"}, wantEn: []string{"At most 2 attachments"}},
		{name: "files over the package's size are refused with the size", proc: small, sizes: []int64{3 << 20, 2 << 20},
			wantJa: []string{"4MBまで", "合計5MB"}, wantEn: []string{"at most 4MB", "total 5MB"}},
		{name: "a file filling the package leaves no room for the signature and is refused", proc: small, sizes: []int64{4 << 20},
			wantJa: []string{"4MBまで"}, wantEn: []string{"4MB"}},
		{name: "without a limit in the catalogue the service's 64MB holds", proc: moveOut, sizes: []int64{100 << 20},
			wantJa: []string{"64MBまで", "合計100MB"}, wantEn: []string{"64MB", "100MB"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var paths []string
			for i, n := range tc.sizes {
				paths = append(paths, testenv.SparseFile(t, "file"+string(rune('a'+i))+".pdf", n))
			}
			pr := flow.CheckAttachments(tc.proc, validMoveOut(), paths)
			if tc.wantJa == nil {
				if pr != nil {
					t.Fatalf("refused: %s", pr.Message.Ja)
				}
				return
			}
			if pr == nil {
				t.Fatal("the attachments passed")
			}
			if pr.Field != "attachments" {
				t.Errorf("the problem is on %q, want attachments", pr.Field)
			}
			for _, w := range tc.wantJa {
				if !strings.Contains(pr.Message.Ja, w) {
					t.Errorf("the message %q does not say %q", pr.Message.Ja, w)
				}
			}
			for _, w := range tc.wantEn {
				if !strings.Contains(pr.Message.En, w) {
					t.Errorf("the message %q does not say %q", pr.Message.En, w)
				}
			}
		})
	}
}
