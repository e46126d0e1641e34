package explain

import (
	"fmt"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

func TestTheServicesRefusalsOfAWithdrawalOrAnAmendmentAreWordedByTheirOwnRows(t *testing.T) {
	tests := []struct {
		name   string
		reason submit.Reason
		want   error
	}{
		{"a processed application", submit.ReasonAlreadyProcessed, flow.ErrAlreadyProcessed},
		{"someone else's signature", submit.ReasonNotApplicant, flow.ErrNotApplicant},
		{"an amendment nobody asked for", submit.ReasonAmendmentNotRequested, flow.ErrAmendmentNotRequested},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prob := &submit.ProblemError{Status: 409, Problem: submit.Problem{Reason: tt.reason, MessageJA: "サービスの文", MessageEN: "the service's words"}}
			got := Of(&flow.Error{Op: "withdraw 2026-000001", Err: fmt.Errorf("%w: %w", tt.want, prob)})
			want := sentinelEntry(tt.want)
			if got != want || got.Class != Negative {
				t.Errorf("got %+v, want the row of %v (exit 1)", got, tt.want)
			}
			// Unwrapped, the service's own words still come with a hint.
			if e := Of(prob); e.Hint.IsZero() || e.Message.Ja != "サービスの文" {
				t.Errorf("the bare refusal: %+v", e)
			}
		})
	}
}
