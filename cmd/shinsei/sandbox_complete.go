package main

import (
	"context"
	"os"
	"runtime/debug"
	"time"

	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// completeEnv, set to 1, has the embedded sandbox complete every
// application it receives at once and issue it a notice, as the
// municipality's office would some days later. It is for
// scripts/screenshots, which opens that notice from the history; the
// sandbox does nothing of the kind without it.
const completeEnv = "SHINSEI_SANDBOX_COMPLETE"

// completeInterval is how often the sandbox looks for applications to
// complete.
const completeInterval = 200 * time.Millisecond

// completeNotice is the notice issued for each completed application.
var completeNotice = service.SandboxNotice{
	TitleJA: "手続き完了のお知らせ（練習用）",
	TitleEN: "Notice of completion (practice)",
	BodyJA:  "お申し込みの手続きは完了しました。この通知は練習用の環境が発行したもので、実際の手続きではありません。",
}

// returnOfficeMemory hands back to the system the memory the sandbox's
// office freed after issuing notices (tests count the calls).
var returnOfficeMemory = debug.FreeOSMemory

// completeReceived completes each application svc has received, with a
// notice, until ctx ends. After a round that completed or asked to
// correct an application it returns the memory freed to the system: the
// office's work (a notice's PDF drawn with the embedded font, signed and
// packaged) runs in the app's process only for this practice, a moment
// after the app returned its own memory at the receipt, and its garbage
// would otherwise stay resident in the app until the next collections.
func completeReceived(ctx context.Context, svc *service.Service) {
	done := map[string]bool{}
	completed := 0
	t := time.NewTicker(completeInterval)
	defer t.Stop()
	for {
		if recs, err := svc.Applications(ctx); err == nil {
			handled := 0
			for _, r := range recs {
				if done[r.ArrivalNumber] {
					continue
				}
				if correctInstead(ctx, svc, r, completed) { // sandbox_correct.go
					done[r.ArrivalNumber] = true
					handled++
					continue
				}
				n := completeNotice
				if _, err := svc.Advance(ctx, r.ArrivalNumber, service.SandboxAdvance{Status: submit.StatusCompleted, Notice: &n}); err == nil {
					done[r.ArrivalNumber] = true
					completed++
					handled++
				}
			}
			if handled > 0 {
				returnOfficeMemory()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// startCompleting starts completeReceived when completeEnv asks for it
// and returns what stops it.
func startCompleting(svc *service.Service) (stop func()) {
	if os.Getenv(completeEnv) != "1" {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		completeReceived(ctx, svc)
	}()
	return func() { cancel(); <-done }
}
