package main

import (
	"context"
	"os"
	"slices"

	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// correctEnv, set to 1 beside completeEnv, changes what the embedded
// sandbox does with the applications after the first it completed, as
// the municipality's office would some days later: a signed one is asked
// to be corrected (its form's first field, with a practice reason), an
// unsigned one is left as received, to be withdrawn. It is for
// scripts/screenshots, which answers the correction and withdraws from
// the history; the sandbox does nothing of the kind without it.
const correctEnv = "SHINSEI_SANDBOX_CORRECT"

// correctionReason is the practice reason of every correction asked.
const correctionReason = "この項目の記載内容を、もう一度ご確認ください（練習用の補正依頼です）。"

// correcting reports whether correctEnv asks for corrections.
func correcting() bool { return os.Getenv(correctEnv) == "1" }

// correctInstead handles r, received after completed applications were
// completed, when correctEnv asks for it: it asks for a correction of a
// signed one and leaves an unsigned one alone. handled is false when r
// is to be completed as before.
func correctInstead(ctx context.Context, svc *service.Service, r submit.Receipt, completed int) (handled bool) {
	if !correcting() || completed == 0 {
		return false
	}
	i := slices.IndexFunc(service.Catalogue(), func(p submit.Procedure) bool { return p.ID == r.Procedure })
	if i < 0 {
		return true
	}
	p := service.Catalogue()[i]
	if !p.Level.NeedsSignature() || len(p.Form.Fields) == 0 {
		return true
	}
	_, err := svc.RequestCorrection(ctx, r.ArrivalNumber, service.SandboxCorrection{
		Fields: []string{"fields." + p.Form.Fields[0].Name}, ReasonJA: correctionReason,
		ReasonEN: "Please check this field once more (a practice request for correction)."})
	return err == nil
}
