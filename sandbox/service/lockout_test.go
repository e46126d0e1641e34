package service

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/submit"
)

// clientFrom is a client of e's service whose connections come from the
// loopback address ip (127.0.0.0/8 is all loopback on Linux), standing
// for another client address.
func (e *testEnv) clientFrom(ip string) *http.Client {
	roots := x509.NewCertPool()
	roots.AddCert(e.svc.CACert())
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		DialContext:     d.DialContext,
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: 64}}
}

// tryLogin posts a login with client and returns the answer, or an error
// (safe to call from any goroutine).
func (e *testEnv) tryLogin(client *http.Client, id, password string) (response, error) {
	body, err := json.Marshal(submit.Login{AccountID: id, Password: password})
	if err != nil {
		return response{}, err
	}
	req, err := http.NewRequest(http.MethodPost, e.api+"/sessions", bytes.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", submit.MediaJSON)
	resp, err := client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: data}, err
}

// loginFrom is tryLogin failing the test on a transport error.
func (e *testEnv) loginFrom(client *http.Client, id, password string) response {
	e.tb.Helper()
	r, err := e.tryLogin(client, id, password)
	if err != nil {
		e.tb.Fatal(err)
	}
	return r
}

func TestSixtyParallelLoginsRunAtMostFivePasswordChecksAndNoneSucceedsOnceLocked(t *testing.T) {
	for round := range 3 {
		t.Run(fmt.Sprintf("round %d", round+1), func(t *testing.T) {
			e := newSvcEnv(t)
			id, pw := e.account(e.creds.resident, submit.UserResident)
			client := e.clientFrom("127.0.0.1")
			const n = 60
			right := (round * 29) % n // where the right password is among the wrong ones
			statuses := make([]int, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					password := "wrong password number " + fmt.Sprint(i)
					if i == right {
						password = pw
					}
					r, err := e.tryLogin(client, id, password)
					if err != nil {
						t.Error(err)
						return
					}
					statuses[i] = r.status
				}()
			}
			close(start)
			wg.Wait()

			checks := e.svc.passwordChecks.Load()
			counts := map[int]int{}
			for _, s := range statuses {
				counts[s]++
			}
			if counts[401]+counts[423]+counts[201] != n || counts[201] > 1 {
				t.Fatalf("answers %v", counts)
			}
			if statuses[right] == 201 {
				// The right password was among the checks allowed before
				// the lock; its success cleared the failures, so at most
				// five more wrong ones could be checked after it.
				if checks > 10 {
					t.Fatalf("%d password checks ran for one account around one success, want at most 10", checks)
				}
				return
			}
			if checks > 5 {
				t.Fatalf("%d password checks ran for one account, want at most 5", checks)
			}
			if statuses[right] != 423 {
				t.Fatalf("the right password was answered %d", statuses[right])
			}
			// Locked: the right password is refused without a check.
			if r := e.loginFrom(client, id, pw); r.status != 423 || r.problem(t).Reason != submit.ReasonAccountLocked {
				t.Fatalf("after the burst the right password got %d %s", r.status, r.body)
			}
			if got := e.svc.passwordChecks.Load(); got != checks {
				t.Errorf("a locked account's password was checked (%d checks, then %d)", checks, got)
			}
		})
	}
}

// step is one answer to a login, for comparing sequences.
type step struct {
	status     int
	retryAfter string
	body       string
}

func TestAnUnknownAccountIDIsAnsweredExactlyLikeAKnownOneWithAWrongPassword(t *testing.T) {
	e := newSvcEnv(t)
	known, _ := e.account(e.creds.resident, submit.UserResident)
	unknown := "R0000000000"
	if known == unknown {
		t.Fatal("the unknown ID exists")
	}
	// Each ID from its own address, so that the address's own throttle
	// is the same for both.
	sequence := func(id string, client *http.Client) []step {
		var out []step
		for i := range 9 {
			if i == 7 {
				e.clock.advance(61 * time.Second) // the first lock ends
			}
			r := e.loginFrom(client, id, "wrong password!")
			out = append(out, step{r.status, r.header.Get("Retry-After"), string(r.body)})
		}
		return out
	}
	knownSeq := sequence(known, e.clientFrom("127.0.0.2"))
	e.clock.advance(-61 * time.Second)
	unknownSeq := sequence(unknown, e.clientFrom("127.0.0.3"))

	want := []int{401, 401, 401, 401, 423, 423, 423, 423, 423}
	for i := range knownSeq {
		if knownSeq[i] != unknownSeq[i] {
			t.Errorf("attempt %d: known ID %+v, unknown ID %+v", i+1, knownSeq[i], unknownSeq[i])
		}
		if knownSeq[i].status != want[i] {
			t.Errorf("attempt %d: %d, want %d", i+1, knownSeq[i].status, want[i])
		}
	}
	if ra := knownSeq[4].retryAfter; ra != "60" {
		t.Errorf("the fifth failure locks for %q seconds, want 60", ra)
	}
	if ra := knownSeq[7].retryAfter; ra != "120" {
		t.Errorf("the failure after the first lock locks for %q seconds, want 120", ra)
	}
	// The same Argon2 work: 5 checks before the lock, 1 after it, for each.
	if k, u := e.svc.passwordChecks.Load(), e.svc.dummyChecks.Load(); k != 6 || u != 6 {
		t.Errorf("Argon2 comparisons: %d for the known ID, %d for the unknown one; want 6 each", k, u)
	}
}

func TestLockoutBacksOffDoublingAndAGoodPasswordClearsIt(t *testing.T) {
	e := newSvcEnv(t)
	id, pw := e.account(e.creds.resident, submit.UserResident)
	c := e.client
	wrong := func() response { return e.loginFrom(c, id, "wrong password!") }

	// Failures spread over more than the window do not add up.
	for range 4 {
		if r := wrong(); r.status != 401 || r.problem(t).Reason != submit.ReasonInvalidCredentials {
			t.Fatalf("%d %s", r.status, r.body)
		}
	}
	e.clock.advance(16 * time.Minute)
	for i := range 5 {
		r := wrong()
		if i < 4 && r.status != 401 {
			t.Fatalf("failure %d: %d %s", i+1, r.status, r.body)
		}
		if i == 4 && (r.status != 423 || r.problem(t).Reason != submit.ReasonAccountLocked || r.header.Get("Retry-After") != "60") {
			t.Fatalf("fifth failure: %d %s Retry-After %q", r.status, r.body, r.header.Get("Retry-After"))
		}
	}
	checks := e.svc.passwordChecks.Load()
	r := e.loginFrom(c, id, pw)
	if p := r.problem(t); r.status != 423 || p.Reason != submit.ReasonAccountLocked || !strings.Contains(p.MessageJA, "ロック") {
		t.Fatalf("the right password while locked: %d %s", r.status, p.Reason)
	}
	if e.svc.passwordChecks.Load() != checks {
		t.Error("the password was checked while locked")
	}
	// Each failure after a lock ends locks for twice as long, up to 15 minutes.
	lock := 60
	for _, want := range []int{120, 240, 480, 900, 900} {
		e.clock.advance(time.Duration(lock)*time.Second + time.Second)
		if r := wrong(); r.status != 423 || r.header.Get("Retry-After") != fmt.Sprint(want) {
			t.Fatalf("a failure after a lock of %d s: %d Retry-After %q, want %d", lock, r.status, r.header.Get("Retry-After"), want)
		}
		lock = want
	}
	e.clock.advance(15*time.Minute + time.Second)
	e.login(id, pw)
	if r := wrong(); r.status != 401 {
		t.Errorf("after a good password the count did not start again: %d", r.status)
	}
}

func TestOneAddressCannotLockTheHolderOutAtAnother(t *testing.T) {
	e := newSvcEnv(t)
	id, pw := e.account(e.creds.resident, submit.UserResident)
	attacker := e.clientFrom("127.0.0.2")
	for range 5 {
		e.loginFrom(attacker, id, "wrong password!")
	}
	if r := e.loginFrom(attacker, id, pw); r.status != 423 {
		t.Fatalf("the attacker's address is not locked: %d", r.status)
	}
	if r := e.loginFrom(e.clientFrom("127.0.0.1"), id, pw); r.status != 201 {
		t.Fatalf("the holder at another address: %d %s", r.status, r.body)
	}
}

func TestConsecutiveFailuresFromManyAddressesLockTheAccountUntilItsHolderRegistersAgain(t *testing.T) {
	e := newSvcEnv(t, func(c *Config) { c.Limits.AccountFailures = 10 })
	id, pw := e.account(e.creds.resident, submit.UserResident)
	for _, ip := range []string{"127.0.0.2", "127.0.0.3"} {
		c := e.clientFrom(ip)
		for range 5 {
			e.loginFrom(c, id, "wrong password!")
		}
	}
	r := e.loginFrom(e.clientFrom("127.0.0.4"), id, pw)
	if r.status != 423 || r.problem(t).Reason != submit.ReasonAccountLocked || r.header.Get("Retry-After") != "" {
		t.Fatalf("after 10 failures from two addresses, a third: %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	// The unknown ID locks the same way.
	for _, ip := range []string{"127.0.0.2", "127.0.0.3"} {
		c := e.clientFrom(ip)
		for range 5 {
			e.loginFrom(c, "R0000000000", "wrong password!")
		}
	}
	if r2 := e.loginFrom(e.clientFrom("127.0.0.4"), "R0000000000", pw); r2.status != r.status || string(r2.body) != string(r.body) {
		t.Errorf("the unknown ID answered %d %s", r2.status, r2.body)
	}
	if again, _ := e.account(e.creds.resident, submit.UserResident); again != id {
		t.Fatalf("registering again gave %s, want %s", again, id)
	}
	e.login(id, pw)
}

func TestLowPriorityHashesLeaveASlotForCleanLogins(t *testing.T) {
	b := newHashBudget(2)
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	var wg sync.WaitGroup
	for range 10 { // a flood in the low lane, each hash held until released
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = b.run(context.Background(), true, func() { started <- struct{}{}; <-release })
		}()
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ran := false
	if err := b.run(ctx, false, func() { ran = true }); err != nil || !ran {
		t.Errorf("a clean login's hash waited behind the flood: %v", err)
	}
	if len(started) != 0 {
		t.Errorf("%d more low-priority hashes ran at once, want one", len(started))
	}
	close(release)
	wg.Wait()
}

func TestAClientThatAbortsMidUploadIsLoggedAsAnAbort(t *testing.T) {
	logs := &lockedBuffer{b: &bytes.Buffer{}}
	e := newSvcEnv(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	pkg := makePackage(t, e.creds.resident, sampleForm(ProcMoveOut, nil))
	roots := x509.NewCertPool()
	roots.AddCert(e.svc.CACert())
	conn, err := tls.Dial("tcp", strings.TrimPrefix(e.svc.URL(), "https://"), &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	head := fmt.Sprintf("POST %s/procedures/%s/applications HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n%s: %s\r\nContent-Length: %d\r\n\r\n",
		submit.APIPrefix, ProcMoveOut, submit.MediaASiCE, submit.HeaderIdemKey, newKey(), len(pkg))
	if _, err := conn.Write(append([]byte(head), pkg[:len(pkg)/2]...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the handler is reading the body
	conn.Close()

	deadline := time.Now().Add(10 * time.Second)
	var text string
	for time.Now().Before(deadline) {
		if text = logs.String(); strings.Contains(text, "request aborted by the client") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(text, `msg="request aborted by the client" method=POST route=/api/v1/procedures/{id}/applications`) {
		t.Fatalf("no abort in the log:\n%s", text)
	}
	for _, bad := range []string{"status=500", "level=ERROR", "reason=internal", "status=400"} {
		if strings.Contains(text, bad) {
			t.Errorf("the log has %q:\n%s", bad, text)
		}
	}
	if got := len(e.stored()); got != 0 {
		t.Errorf("%d applications stored", got)
	}
}

// String returns what was written so far.
func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestTheGateKeepsABoundedNumberOfAccountIDsAndAddresses(t *testing.T) {
	g := newLoginGate(Limits{}.withDefaults())
	now := time.Now()
	for i := range maxGateEntries + 1000 {
		a, _, ok := g.reserve(fmt.Sprintf("R%010d", i), "192.0.2.1", now.Add(time.Duration(i)*time.Millisecond))
		if !ok {
			t.Fatalf("attempt %d refused", i)
		}
		a.fail(now.Add(time.Duration(i) * time.Millisecond))
	}
	if len(g.pairs) > maxGateEntries || len(g.accounts) > maxGateEntries {
		t.Errorf("%d pairs and %d accounts kept, want at most %d", len(g.pairs), len(g.accounts), maxGateEntries)
	}
	// The newest are kept.
	last := fmt.Sprintf("R%010d", maxGateEntries+999)
	if g.pairs[gateKey{last, "192.0.2.1"}] == nil || g.accounts[last] == nil {
		t.Error("the newest entry was dropped")
	}
}
