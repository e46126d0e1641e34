package explain

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

func TestAHeldApplicationsHintPointsAtHistorysSendNowButton(t *testing.T) {
	lost := &submit.SendError{Item: submit.Item{ID: "x"}, Err: submit.ErrUnreachable}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{name: "an application kept after the service could not be reached", err: lost},
		{name: "an application whose reply was lost after the upload", err: &submit.SendError{Item: submit.Item{ID: "x"}, Err: fmt.Errorf("%w: %w", submit.ErrBadReply, errors.New("eof"))}},
		{name: "the outbox's kept sentinel alone", err: submit.ErrKept},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := Of(tc.err)
			if !strings.Contains(e.Hint.Ja, "「申請履歴」の「今すぐ送る」") || strings.Contains(e.Hint.Ja, "未送信") {
				t.Errorf("the hint %q does not point at History's 「今すぐ送る」", e.Hint.Ja)
			}
			if !strings.Contains(e.CommandHint().Ja, "--pending") {
				t.Errorf("the command line's hint %q does not name --pending", e.CommandHint().Ja)
			}
		})
	}
}

func TestANoticeTheServiceDoesNotKnowNamesTheNoticeScreensFields(t *testing.T) {
	prob := &submit.ProblemError{Status: 404, Problem: submit.Problem{Reason: submit.ReasonNotFound, MessageJA: "お探しの情報は見つかりませんでした。", MessageEN: "Not found."}}
	e := Of(&flow.Error{Op: "notice N1", Err: fmt.Errorf("%w: %w", flow.ErrNoticeNotFound, prob)})
	for _, field := range []string{"到達番号", "通知番号"} {
		if !strings.Contains(e.Message.Ja+e.Hint.Ja, field) {
			t.Errorf("the explanation %q %q does not name %s", e.Message.Ja, e.Hint.Ja, field)
		}
	}
}
