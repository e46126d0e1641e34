package submit_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/submit/submittest"
)

// fixture is a stand-in service with an outbox and a journal.
type fixture struct {
	srv     *submittest.Server
	client  *submit.Client
	outbox  *submit.Outbox
	journal *submit.Journal
	dir     string

	mu   sync.Mutex
	keys []string // Idempotency-Key of every submission the server saw
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fx := &fixture{srv: startServer(t, submittest.Options{}), dir: fsxtest.TempDir(t)}
	fx.client = newClient(t, fx.srv, func(c *submit.Config) { c.Timeout = 500 * time.Millisecond })
	var err error
	if fx.outbox, err = submit.OpenOutbox(filepath.Join(fx.dir, "data")); err != nil {
		t.Fatal(err)
	}
	if fx.journal, err = submit.OpenJournal(filepath.Join(fx.dir, "data", "receipts.jsonl")); err != nil {
		t.Fatal(err)
	}
	return fx
}

// fault makes the server answer submissions with f (true: answered) while
// recording their idempotency keys.
func (fx *fixture) fault(f func(w http.ResponseWriter, r *http.Request) bool) {
	fx.srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost {
			return false
		}
		fx.mu.Lock()
		fx.keys = append(fx.keys, r.Header.Get(submit.HeaderIdemKey))
		fx.mu.Unlock()
		return f != nil && f(w, r)
	})
}

func (fx *fixture) sender() submit.Sender {
	return submit.Sender{Client: fx.client, Journal: fx.journal, Retry: submit.RetryPolicy{Attempts: 3, Base: 10 * time.Millisecond, Max: 40 * time.Millisecond}}
}

func (fx *fixture) add(t *testing.T, procedure string, level submit.AuthLevel, account string) *submit.Item {
	t.Helper()
	d := submit.Draft{Service: fx.client.BaseURL(), Account: account, Procedure: procedure, Level: level, MediaType: submit.MediaJSON,
		Path: writeForm(t, fsxtest.TempDir(t), "申請書.json", procedure)}
	if level.NeedsSignature() {
		d.MediaType, d.Path = submit.MediaASiCE, signedPackage(t, fsxtest.TempDir(t), procedure)
	}
	it, err := fx.outbox.Add(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func (fx *fixture) pending(t *testing.T) []submit.Item {
	t.Helper()
	items, err := fx.outbox.Pending()
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestAnAddedApplicationIsSentJournaledAndThenRemoved(t *testing.T) {
	fx := newFixture(t)
	fx.fault(nil)
	it := fx.add(t, submittest.ProcNone, submit.LevelNone, "")
	if p := fx.pending(t); len(p) != 1 || p[0].ID != it.ID || p[0].IdempotencyKey == "" || p[0].File != "申請書.json" {
		t.Fatalf("pending %+v", p)
	}
	rec, err := fx.outbox.Send(context.Background(), it.ID, fx.sender())
	if err != nil {
		t.Fatal(err)
	}
	if rec.ArrivalNumber == "" || rec.InquiryNumber == "" || rec.PackageSHA256 != it.SHA256 {
		t.Fatalf("record %+v", rec)
	}
	if p := fx.pending(t); len(p) != 0 {
		t.Fatalf("still pending: %+v", p)
	}
	recs, _ := fx.journal.Receipts()
	if len(recs) != 1 || recs[0].ArrivalNumber != rec.ArrivalNumber {
		t.Fatalf("journal %+v", recs)
	}
	if fx.srv.Applications() != 1 {
		t.Fatalf("%d applications stored", fx.srv.Applications())
	}
	if _, err := fx.outbox.Send(context.Background(), it.ID, fx.sender()); !errors.Is(err, submit.ErrNoItem) {
		t.Fatalf("sending it again: %v", err)
	}
}

func TestAServerThatFailsLeavesThePackageInTheOutbox(t *testing.T) {
	tests := []struct {
		name  string
		fault func(w http.ResponseWriter, r *http.Request) bool
	}{
		{"a 500 leaves it", func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(http.StatusInternalServerError)
			return true
		}},
		{"a 503 with a problem leaves it", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"reason":"internal","message_ja":"停止中","message_en":"Down for maintenance."}`))
			return true
		}},
		{"garbage leaves it", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"arrival_number": 12`))
			return true
		}},
		{"a receipt without an arrival number leaves it", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"procedure":"test-none"}`))
			return true
		}},
		{"a timeout leaves it", func(w http.ResponseWriter, r *http.Request) bool {
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
			// Silent to the end: no (empty) reply when the handler returns.
			panic(http.ErrAbortHandler)
		}},
		{"a 429 leaves it", func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Retry-After", "0")
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"reason":"rate-limited","message_ja":"","message_en":"Slow down."}`))
			return true
		}},
		{"a dropped connection leaves it", func(w http.ResponseWriter, r *http.Request) bool {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t)
			fx.fault(tt.fault)
			it := fx.add(t, submittest.ProcNone, submit.LevelNone, "")
			_, err := fx.outbox.Send(context.Background(), it.ID, fx.sender())
			var se *submit.SendError
			if !errors.Is(err, submit.ErrKept) || !errors.As(err, &se) || se.Refused {
				t.Fatalf("Send: %v, want the item kept", err)
			}
			p := fx.pending(t)
			if len(p) != 1 || p[0].Attempts != 3 || p[0].LastError == "" {
				t.Fatalf("pending %+v, want the item with 3 attempts", p)
			}
			fx.mu.Lock()
			keys := append([]string(nil), fx.keys...)
			fx.mu.Unlock()
			if len(keys) != 3 || keys[0] != it.IdempotencyKey || keys[1] != keys[0] || keys[2] != keys[0] {
				t.Fatalf("keys sent %v, want the item's key three times", keys)
			}
			// When the service is well again, the next run delivers it, once.
			fx.fault(nil)
			outs, err := fx.outbox.Flush(context.Background(), fx.sender())
			if err != nil || len(outs) != 1 || outs[0].Err != nil || outs[0].Record == nil {
				t.Fatalf("flush: %+v, %v", outs, err)
			}
			if n := fx.srv.Applications(); n != 1 {
				t.Fatalf("%d applications stored, want 1", n)
			}
			if len(fx.pending(t)) != 0 {
				t.Fatal("the item is still pending after its receipt")
			}
		})
	}
}

func TestADefiniteRefusalMovesTheItemToRefusedWithTheProblem(t *testing.T) {
	fx := newFixture(t)
	fx.fault(nil)
	// A form for another procedure than the one it is queued for.
	form := writeForm(t, fsxtest.TempDir(t), "form.json", submittest.ProcIDPW)
	it, err := fx.outbox.Add(context.Background(), submit.Draft{Service: fx.client.BaseURL(), Procedure: submittest.ProcNone,
		Level: submit.LevelNone, MediaType: submit.MediaJSON, Path: form})
	if err != nil {
		t.Fatal(err)
	}
	_, err = fx.outbox.Send(context.Background(), it.ID, fx.sender())
	var se *submit.SendError
	if !errors.As(err, &se) || !se.Refused || errors.Is(err, submit.ErrKept) || !submit.IsReason(err, submit.ReasonFormInvalid) {
		t.Fatalf("Send: %v, want a refusal", err)
	}
	if len(fx.pending(t)) != 0 {
		t.Fatal("a refused item stayed in the outbox")
	}
	refused, err := fx.outbox.Refused()
	if err != nil || len(refused) != 1 {
		t.Fatalf("refused %+v, %v", refused, err)
	}
	r := refused[0]
	if r.Problem == nil || r.Problem.Reason != submit.ReasonFormInvalid || r.HTTPStatus != http.StatusUnprocessableEntity || r.RefusedAt.IsZero() {
		t.Fatalf("refused item %+v", r)
	}
	if _, err := os.Stat(filepath.Join(fx.outbox.RefusedDir(), r.ID, "body")); err != nil {
		t.Fatalf("the refused package is gone: %v", err)
	}
	if fx.srv.Applications() != 0 {
		t.Fatal("the service stored a refused application")
	}
}

func TestAReplyLostAfterTheServiceStoredItGivesTheSameReceiptOnTheNextRun(t *testing.T) {
	fx := newFixture(t)
	fx.fault(nil)
	var once sync.Once
	fx.srv.SetHold(func(stage string, r *http.Request) {
		if stage == submittest.StageStored {
			once.Do(func() {
				// The reply never arrives: the client's time limit runs out.
				<-r.Context().Done()
				panic(http.ErrAbortHandler) // and no reply after it either
			})
		}
	})
	it := fx.add(t, submittest.ProcNone, submit.LevelNone, "")
	s := fx.sender()
	s.Retry = submit.RetryPolicy{Attempts: 1}
	first, err := fx.outbox.Send(context.Background(), it.ID, s)
	stored := fx.srv.Arrivals()
	if len(stored) != 1 {
		t.Fatalf("%d stored", len(stored))
	}
	switch {
	case err == nil:
		// On a loaded machine the HTTP transport may replay the request
		// itself (it carries its idempotency key) after the connection
		// broke: the same receipt already, and still no duplicate.
		if first.ArrivalNumber != stored[0] || fx.srv.Applications() != 1 {
			t.Fatalf("first run: arrival %s, stored %v", first.ArrivalNumber, stored)
		}
		return
	case !errors.Is(err, submit.ErrKept) || !errors.Is(err, submit.ErrUnreachable):
		t.Fatalf("first run: %v, want kept after a timeout", err)
	}
	rec, err := fx.outbox.Send(context.Background(), it.ID, fx.sender())
	if err != nil {
		t.Fatal(err)
	}
	if rec.ArrivalNumber != stored[0] || fx.srv.Applications() != 1 {
		t.Fatalf("second run: arrival %s, stored %v", rec.ArrivalNumber, fx.srv.Arrivals())
	}
}

func TestAnExpiredSessionIsRenewedOnceAndMissingLoginKeepsTheItem(t *testing.T) {
	fx := newFixture(t)
	fx.fault(nil)
	fx.srv.AddAccount("A0000042", "a long enough password")
	it := fx.add(t, submittest.ProcIDPW, submit.LevelIDPW, "A0000042")
	s := fx.sender()

	s.Session = nil
	if _, err := fx.outbox.Send(context.Background(), it.ID, s); !errors.Is(err, submit.ErrKept) || !errors.Is(err, submit.ErrNotStored) {
		t.Fatalf("without a way to log in: %v", err)
	}

	var renewals []bool
	stale := "stale-token-from-an-old-session"
	s.Session = func(ctx context.Context, account string, renew bool) (string, error) {
		renewals = append(renewals, renew)
		if !renew {
			return stale, nil
		}
		sess, err := fx.client.Login(ctx, account, "a long enough password")
		if err != nil {
			return "", err
		}
		return sess.Token, nil
	}
	rec, err := fx.outbox.Send(context.Background(), it.ID, s)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Account != "A0000042" || len(renewals) != 2 || renewals[0] || !renewals[1] {
		t.Fatalf("record %+v, renewals %v", rec, renewals)
	}
}

func TestAnItemBeingSentByAnotherProcessIsSkipped(t *testing.T) {
	fx := newFixture(t)
	fx.fault(nil)
	it := fx.add(t, submittest.ProcNone, submit.LevelNone, "")
	release := make(chan struct{})
	held := make(chan struct{})
	var once sync.Once
	fx.srv.SetHold(func(stage string, r *http.Request) {
		if stage == submittest.StageReceived {
			once.Do(func() { close(held); <-release })
		}
	})
	done := make(chan error, 1)
	go func() {
		_, err := fx.outbox.Send(context.Background(), it.ID, fx.sender())
		done <- err
	}()
	<-held
	// A second sender (its own file descriptor, as another process has)
	// finds the item locked.
	if _, err := fx.outbox.Send(context.Background(), it.ID, fx.sender()); !errors.Is(err, submit.ErrBusy) {
		t.Fatalf("second sender: %v, want ErrBusy", err)
	}
	outs, err := fx.outbox.Flush(context.Background(), fx.sender())
	if err != nil || len(outs) != 1 || !errors.Is(outs[0].Err, submit.ErrBusy) {
		t.Fatalf("flush while busy: %+v, %v", outs, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fx.srv.Applications() != 1 {
		t.Fatalf("%d stored", fx.srv.Applications())
	}
}

func TestAChangedCopyInTheOutboxIsNotSent(t *testing.T) {
	fx := newFixture(t)
	fx.fault(nil)
	it := fx.add(t, submittest.ProcNone, submit.LevelNone, "")
	if err := os.WriteFile(filepath.Join(fx.outbox.Dir(), it.ID, "body"), []byte(`{"procedure":"test-none"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.outbox.Send(context.Background(), it.ID, fx.sender()); !errors.Is(err, submit.ErrKept) {
		t.Fatalf("%v", err)
	}
	if fx.srv.Applications() != 0 || len(fx.keys) != 0 {
		t.Fatal("a changed copy was sent")
	}
}
