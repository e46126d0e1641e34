package main

import (
	"bufio"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/submit/submittest"
)

type serverKey struct{}

// TestServiceScripts runs testdata/service/*.txt: account, submit, status
// and receipts against a stand-in service on 127.0.0.1 (one per script),
// with a real, private GNOME Keyring (testenv.Keyring) that the scripts
// cross-check with secret-tool. Each script gets:
//
//	$SERVICE   the service's URL        $ANCHOR  its CA certificate (PEM)
//	$PORT      its port                 $SHINSEI_DATA_DIR  $WORK/data
//	$IN_30_MONTHS  now + 30 months (RFC 3339): after the sandbox's 2-year
//	           certificates expired, before its 3-year time-stamp authority
//
// and the commands "fault none|500|garbage|refuse|too-large|drop|not-api", "service down|up"
// (connections refused, and accepted again), "expire-sessions",
// "stored N" (the stand-in holds N applications), and "sandbox-serve
// [--admin]", which starts the reference service (the real
// 'shinsei-sandbox serve', with its back office at $ADMIN) and points
// $SERVICE, $ANCHOR, $KIT and $SOFTHSM2_CONF at it instead; "backoffice"
// and "last-arrival" are in lifecycle_script_test.go, "dated-poa" and
// "carry-poa" in proxy_script_test.go.
func TestServiceScripts(t *testing.T) {
	// The scripts run in a child process; reading them here lets go
	// test's cache notice when they change.
	scripts, _ := filepath.Glob(filepath.Join("testdata", "service", "*.txt"))
	for _, s := range scripts {
		if _, err := os.ReadFile(s); err != nil {
			t.Fatal(err)
		}
	}
	if !testenv.Keyring(t) {
		return
	}
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("secret-tool is needed by the scripts: apt-get install libsecret-tools")
	}
	for _, name := range []string{"curl", "unzip", "openssl"} { // proxy.txt
		tool.Need(t, name, "needed by the scripts: apt-get install "+name)
	}
	bin := buildSandbox(t)
	sandboxBinForScripts = bin
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "service"),
		Setup: func(env *testscript.Env) error {
			srv, err := submittest.Start(submittest.Options{})
			if err != nil {
				return err
			}
			env.Defer(srv.Close)
			env.Values[serverKey{}] = srv
			env.Setenv("PATH", filepath.Dir(bin)+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("SERVICE", srv.URL)
			env.Setenv("ANCHOR", srv.CAFile)
			env.Setenv("PORT", srv.Port())
			env.Setenv("IN_30_MONTHS", time.Now().AddDate(2, 6, 0).UTC().Format(time.RFC3339))
			env.Setenv("SHINSEI_DATA_DIR", filepath.Join(env.WorkDir, "data"))
			env.Setenv("DBUS_SESSION_BUS_ADDRESS", os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
			env.Setenv("SOFTHSM_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits":           exits,
			"fault":           fault,
			"expire-sessions": func(ts *testscript.TestScript, _ bool, _ []string) { server(ts).ExpireSessions() },
			"stored":          stored,
			"sandbox-serve":   sandboxServe,
			"service":         serviceUpDown,
			"backoffice":      backoffice,
			"last-arrival":    lastArrival,
			"dated-poa":       datedPOA,
			"carry-poa":       carryPOA,
		},
	})
}

func server(ts *testscript.TestScript) *submittest.Server {
	return ts.Value(serverKey{}).(*submittest.Server)
}

// fault sets how the service answers submissions: "none" (normally),
// "500", "garbage" (a 201 whose body is not JSON), "refuse" (422
// form-invalid), or "too-large" (413).
func fault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fault none|500|garbage|refuse|too-large|drop|not-api")
	}
	srv := server(ts)
	submission := func(r *http.Request) bool {
		return r.Method == http.MethodPost && filepath.Base(r.URL.Path) == "applications"
	}
	srv.SetHold(nil)
	switch args[0] {
	case "none":
		srv.SetFault(nil)
	case "drop":
		// The application is stored, then the connection is cut before
		// the reply: the reply is lost after the whole upload. A retry
		// with the same key (Go's transport retries idempotent requests
		// once) is cut too.
		var mu sync.Mutex
		stored := map[string]bool{}
		srv.SetHold(func(stage string, r *http.Request) {
			if stage == submittest.StageStored {
				mu.Lock()
				stored[r.Header.Get(submit.HeaderIdemKey)] = true
				mu.Unlock()
				panic(http.ErrAbortHandler)
			}
		})
		srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
			mu.Lock()
			cut := submission(r) && stored[r.Header.Get(submit.HeaderIdemKey)]
			mu.Unlock()
			if cut {
				panic(http.ErrAbortHandler)
			}
			return false
		})
	case "500":
		srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
			if !submission(r) {
				return false
			}
			w.WriteHeader(http.StatusInternalServerError)
			return true
		})
	case "garbage":
		srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
			if !submission(r) {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte("{\"arrival_number\": tru"))
			return true
		})
	case "not-api":
		// Every request meets a web server's plain 404, as at an address
		// that answers but is not the API.
		srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
			http.NotFound(w, r)
			return true
		})
	case "refuse":
		srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
			if !submission(r) {
				return false
			}
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			w.Write([]byte(`{"reason":"form-invalid","message_ja":"必須項目「目的」がありません。","message_en":"The field purpose is missing.","detail":"fields.purpose"}`))
			return true
		})
	case "too-large":
		// 413 too-large, in the reference service's words.
		srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
			if !submission(r) {
				return false
			}
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			w.Write([]byte(`{"reason":"too-large","message_ja":"送信されたデータが大きすぎるため、受け付けることができませんでした。添付ファイルを減らすか小さくしてから、もう一度送信してください。","message_en":"The data sent is too large to accept. Please remove or shrink attachments and send it again."}`))
			return true
		})
	default:
		ts.Fatalf("fault: unknown mode %q", args[0])
	}
}

// serviceUpDown makes the stand-in unreachable (connections refused) or
// reachable again.
func serviceUpDown(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 || (args[0] != "down" && args[0] != "up") {
		ts.Fatalf("usage: service down|up")
	}
	if args[0] == "down" {
		ts.Check(server(ts).Down())
	} else {
		ts.Check(server(ts).Up())
	}
}

// stored checks how many applications the service holds.
func stored(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: stored N")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("stored: %v", err)
	}
	if got := server(ts).Applications(); got != want {
		ts.Fatalf("the service holds %d applications, want %d", got, want)
	}
}

// sandboxBinForScripts is the shinsei-sandbox binary sandbox-serve runs.
var sandboxBinForScripts string

// sandboxServe runs 'shinsei-sandbox serve' on a free loopback port for
// the rest of the script and points the script's variables at it.
func sandboxServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 || (len(args) == 1 && args[0] != "--admin") {
		ts.Fatalf("usage: sandbox-serve [--admin]")
	}
	dir := ts.MkAbs("sandbox")
	serveArgs := []string{"serve", "--addr", "127.0.0.1:0", "--dir", dir}
	if len(args) == 1 {
		serveArgs = append(serveArgs, "--admin", "127.0.0.1:0")
	}
	cmd := exec.Command(sandboxBinForScripts, serveArgs...)
	out, err := cmd.StdoutPipe()
	ts.Check(err)
	cmd.Stderr = os.Stderr
	ts.Check(cmd.Start())
	ts.Defer(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				ts.Fatalf("shinsei-sandbox serve stopped before it was ready")
			}
			f := strings.Fields(l)
			switch {
			case len(f) >= 3 && f[0] == "service" && f[1] == "API":
				ts.Setenv("SERVICE", f[2])
				u, err := url.Parse(f[2])
				ts.Check(err)
				ts.Setenv("PORT", u.Port())
			case len(f) >= 3 && f[0] == "back" && f[1] == "office" && strings.HasPrefix(f[2], "https://"):
				ts.Setenv("ADMIN", strings.SplitN(f[2], "/sandbox", 2)[0])
			case len(f) >= 4 && f[0] == "resident" && f[1] == "token":
				ts.Setenv("SOFTHSM2_CONF", strings.TrimPrefix(f[3], "SOFTHSM2_CONF="))
			case strings.HasPrefix(l, "Ctrl-C"):
				ts.Setenv("ANCHOR", filepath.Join(dir, "service-ca.pem"))
				ts.Setenv("KIT", filepath.Join(dir, "kit"))
				go func() {
					for range lines {
					}
				}()
				return
			}
		case <-timeout:
			ts.Fatalf("shinsei-sandbox serve was not ready within 2 minutes")
		}
	}
}
