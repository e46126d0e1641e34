package explain

import (
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

func TestTheServicesTooLargeAnswerIsSaidOnceWithTheLimit(t *testing.T) {
	// The reference service's own words for 413.
	refusal := &submit.SendError{Refused: true, Err: &submit.ProblemError{Status: 413, Problem: submit.Problem{Reason: submit.ReasonTooLarge,
		MessageJA: "送信されたデータが大きすぎるため、受け付けることができませんでした。添付ファイルを減らすか小さくしてから、もう一度送信してください。",
		MessageEN: "The data sent is too large to accept. Please remove or shrink attachments and send it again."}}}
	for _, c := range []struct {
		name      string
		err       error
		wantLimit string
		wantClass Class
	}{
		{"a signed package names the procedure's limit, attachments included", &flow.TooLargeError{Procedure: "p", Limit: 64 << 20, Signed: true, Err: refusal}, "添付ファイルを含めて64MBまで", Negative},
		{"a form sent unsigned names the limit on a form", &flow.TooLargeError{Procedure: "p", Limit: 1 << 20, Err: refusal}, "1MBまで", Negative},
		{"a limit not known points to where the form shows it", &flow.TooLargeError{Procedure: "p", Signed: true, Err: refusal}, "添付ファイル欄", Negative},
		{"the service's refusal alone is said once and points to where the limit is shown", refusal, "添付ファイル欄", Negative},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := Of(c.err)
			if e.Class != c.wantClass {
				t.Errorf("class %v, want %v", e.Class, c.wantClass)
			}
			if !strings.Contains(e.Hint.Ja, c.wantLimit) {
				t.Errorf("the hint %q lacks %q", e.Hint.Ja, c.wantLimit)
			}
			all := e.Message.Ja + e.Hint.Ja
			for _, once := range []string{"大きすぎ", "減らすか小さく", "受け付け"} {
				if n := strings.Count(all, once); n > 1 {
					t.Errorf("%q is said %d times: %q / %q", once, n, e.Message.Ja, e.Hint.Ja)
				}
			}
			if e.Hint.En == "" || e.Message.En == "" || e.Command.Ja == "" {
				t.Errorf("an explanation is missing: %+v", e)
			}
		})
	}
}
