package ui

import (
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/sandbox/service"
)

// returnsCounted has the shell count its returns of memory instead of
// making them; set before the window is painted.
func (h *harness) returnsCounted() *atomic.Int32 {
	var n atomic.Int32
	h.s.returnMemory = func() { n.Add(1) }
	return &n
}

// paintUntil paints the window until cond holds (the memory is returned
// on another goroutine, which hands back to the UI thread), failing after
// ten seconds.
func (h *harness) paintUntil(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("%s did not happen within 10 s of painting", what)
		}
		h.s.win.Canvas().Capture()
		select {
		case fn := <-mainQueue:
			fn()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestTheMemoryFreedIsReturnedOnceTheAppIsOpenAndOnceAnApplicationIsFinished(t *testing.T) {
	h := newHarness(t, config(t))
	returned := h.returnsCounted()
	h.paintUntil("returning the memory once the app is open", func() bool {
		return returned.Load() == 1 && !h.s.memoryReturnPending
	})

	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	test.Tap(h.s.cred.choices[0])
	h.wait("form")
	h.s.fa.Clipboard().SetContent(movingForm)
	test.Tap(h.s.form.paste)
	test.Tap(h.s.form.next)
	h.enterPIN("SANDBOX1")
	h.s.win.Canvas().Capture()
	if got := returned.Load(); got != 1 {
		t.Fatalf("the memory was returned %d times before the application finished, want once (at opening)", got)
	}
	h.confirmSign()
	h.wait("receipt")
	h.paintUntil("returning the memory once the receipt is painted", func() bool {
		return returned.Load() == 2 && !h.s.memoryReturnPending
	})
}
