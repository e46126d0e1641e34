package submit_test

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/submit/submittest"
)

// The crash child is this test binary run again with crashChildEnv set: it
// queues a form in the outbox like shinseictl submit does, says "queued",
// and then either sends it or stops right there (mode "after-add"), until
// the parent kills it with SIGKILL.
const crashChildEnv = "SUBMIT_TEST_CRASH_CHILD"

func crashChild() int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "crash child:", err); return 1 }
	pemData, err := os.ReadFile(os.Getenv("CHILD_CA"))
	if err != nil {
		return fail(err)
	}
	block, _ := pem.Decode(pemData)
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return fail(err)
	}
	c, err := submit.New(submit.Config{BaseURL: os.Getenv("CHILD_URL"), Anchors: []*x509.Certificate{ca}, Timeout: time.Minute})
	if err != nil {
		return fail(err)
	}
	data := os.Getenv("CHILD_DATA")
	ob, err := submit.OpenOutbox(data)
	if err != nil {
		return fail(err)
	}
	j, err := submit.OpenJournal(filepath.Join(data, "receipts.jsonl"))
	if err != nil {
		return fail(err)
	}
	ctx := context.Background()
	it, err := ob.Add(ctx, submit.Draft{Service: c.BaseURL(), Procedure: submittest.ProcNone, Level: submit.LevelNone,
		MediaType: submit.MediaJSON, Path: os.Getenv("CHILD_FORM")})
	if err != nil {
		return fail(err)
	}
	fmt.Printf("queued %s\n", it.ID)
	if os.Getenv("CHILD_MODE") == "after-add" {
		select {} // the crash comes here
	}
	if _, err := ob.Send(ctx, it.ID, submit.Sender{Client: c, Journal: j}); err != nil {
		return fail(err)
	}
	fmt.Println("sent")
	return 0
}

func TestAKilledClientLosesNothingAndTheServiceStoresOnce(t *testing.T) {
	tests := []struct {
		name string
		mode string
		hold string // the server stage at which the child is killed
		// storedAtKill is what the service holds when the client dies.
		storedAtKill int
	}{
		{"killed after the package is written, before it is sent", "after-add", "", 0},
		{"killed while the request is in flight, before the service stored it", "send", submittest.StageReceived, 0},
		{"killed after the service stored it, before the reply arrived", "send", submittest.StageStored, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, submittest.Options{})
			var mu sync.Mutex
			var keys []string
			srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodPost {
					mu.Lock()
					keys = append(keys, r.Header.Get(submit.HeaderIdemKey))
					mu.Unlock()
				}
				return false
			})
			held, released := make(chan struct{}), make(chan struct{})
			var once sync.Once
			srv.SetHold(func(stage string, r *http.Request) {
				if stage == tt.hold {
					once.Do(func() {
						close(held)
						<-r.Context().Done() // until the client dies
						close(released)
					})
				}
			})
			data := filepath.Join(fsxtest.TempDir(t), "data")
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), crashChildEnv+"=1", "CHILD_URL="+srv.URL, "CHILD_CA="+srv.CAFile, "CHILD_DATA="+data,
				"CHILD_FORM="+writeForm(t, fsxtest.TempDir(t), "form.json", submittest.ProcNone), "CHILD_MODE="+tt.mode)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(out).ReadString('\n')
			if err != nil || !strings.HasPrefix(line, "queued ") {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child said %q, %v", line, err)
			}
			if tt.hold != "" {
				select {
				case <-held:
				case <-time.After(30 * time.Second):
					cmd.Process.Kill()
					t.Fatal("the child's request never reached the server")
				}
			}
			if err := cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup of any kind
				t.Fatal(err)
			}
			cmd.Wait()

			if tt.hold != "" {
				<-released // the server noticed the client is gone
			}
			storedBefore := srv.Applications()
			if storedBefore != tt.storedAtKill {
				t.Fatalf("the service holds %d applications after the kill, want %d", storedBefore, tt.storedAtKill)
			}
			ob, err := submit.OpenOutbox(data)
			if err != nil {
				t.Fatal(err)
			}
			pending, err := ob.Pending()
			if err != nil || len(pending) != 1 {
				t.Fatalf("after the kill: pending %+v, %v; want the one package", pending, err)
			}
			it := pending[0]
			if it.ID != strings.TrimSpace(strings.TrimPrefix(line, "queued ")) {
				t.Fatalf("pending %s, the child queued %s", it.ID, line)
			}

			// The next run sends it again with the same key.
			j, _ := submit.OpenJournal(filepath.Join(data, "receipts.jsonl"))
			c := newClient(t, srv)
			rec, err := ob.Send(context.Background(), it.ID, submit.Sender{Client: c, Journal: j})
			if err != nil {
				t.Fatal(err)
			}
			if n := srv.Applications(); n != 1 {
				t.Fatalf("the service stored %d applications (%d before the rerun), want exactly 1", n, storedBefore)
			}
			if arr := srv.Arrivals(); rec.ArrivalNumber != arr[0] {
				t.Fatalf("receipt %s, the service stored %s", rec.ArrivalNumber, arr[0])
			}
			recs, _ := j.Receipts()
			if len(recs) != 1 || recs[0].ArrivalNumber != rec.ArrivalNumber || recs[0].IdempotencyKey != it.IdempotencyKey {
				t.Fatalf("journal %+v", recs)
			}
			if p, _ := ob.Pending(); len(p) != 0 {
				t.Fatalf("still pending after the receipt: %+v", p)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, k := range keys {
				if k != it.IdempotencyKey {
					t.Fatalf("keys sent %v, want only %s", keys, it.IdempotencyKey)
				}
			}
			if want := map[string]int{"after-add": 1, "send": 2}[tt.mode]; len(keys) != want {
				t.Fatalf("%d submissions reached the server, want %d", len(keys), want)
			}
		})
	}
}
