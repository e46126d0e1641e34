package service

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/shinsei-app/shinsei/submit"
)

// rezip returns pkg with the same entries in a new container (another
// zip comment): other bytes, the same signature.
func rezip(tb testing.TB, pkg []byte) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.SetComment("replayed"); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if bytes.Equal(out.Bytes(), pkg) {
		tb.Fatal("the new container has the same bytes")
	}
	return out.Bytes()
}

// alreadyReceived checks r is 409 already-received and returns its Problem.
func wantAlreadyReceived(tb testing.TB, what string, r response) submit.Problem {
	tb.Helper()
	p := r.problem(tb)
	if r.status != http.StatusConflict || p.Reason != submit.ReasonAlreadyReceived {
		tb.Fatalf("%s: %d %s, want 409 %s", what, r.status, r.body, submit.ReasonAlreadyReceived)
	}
	return p
}

func TestASignedPackageSentAgainIsNotStoredAgain(t *testing.T) {
	e := newSvcEnv(t)
	pkg := makePackage(t, e.creds.resident, sampleForm(ProcMoveOut, nil))
	first := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, pkg)
	if first.status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	var rec submit.Receipt
	first.decode(t, &rec)
	files := len(e.packageFiles())

	tests := []struct {
		name string
		body []byte
	}{
		{"the same bytes under another idempotency key, without a session", pkg},
		{"the same signature in another container", rezip(t, pkg)},
	}
	for _, tc := range tests {
		t.Run(tc.name+" is answered already-received without either number", func(t *testing.T) {
			r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, tc.body)
			p := wantAlreadyReceived(t, tc.name, r)
			if p.ArrivalNumber != "" || bytes.Contains(r.body, []byte(rec.ArrivalNumber)) ||
				bytes.Contains(r.body, []byte(strings.ReplaceAll(rec.InquiryNumber, "-", ""))) ||
				bytes.Contains(r.body, []byte(rec.InquiryNumber)) || bytes.Contains(r.body, []byte("inquiry")) {
				t.Errorf("an anonymous replay learnt a number of the application: %s", r.body)
			}
		})
	}
	if n := len(e.stored()); n != 1 {
		t.Errorf("%d applications stored, want 1", n)
	}
	if n := len(e.packageFiles()); n != files {
		t.Errorf("%d package files after the replays, want %d: a replay was kept", n, files)
	}
}

func TestOnlyTheAccountThatFiledAPackageLearnsItsArrivalNumber(t *testing.T) {
	e := newSvcEnv(t)
	owner := e.residentToken(e.creds.resident)
	pkg := makePackage(t, e.creds.resident, sampleForm(ProcMoveOut, nil))
	first := e.submitApp(ProcMoveOut, newKey(), owner, submit.MediaASiCE, pkg)
	if first.status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	var rec submit.Receipt
	first.decode(t, &rec)

	t.Run("the owner, in another session and under another key, gets the arrival number", func(t *testing.T) {
		again := e.residentToken(e.creds.resident)
		if again == owner {
			t.Fatal("the same session twice")
		}
		p := wantAlreadyReceived(t, "owner", e.submitApp(ProcMoveOut, newKey(), again, submit.MediaASiCE, pkg))
		if p.ArrivalNumber != rec.ArrivalNumber || !strings.Contains(p.MessageJA, rec.ArrivalNumber) {
			t.Errorf("arrival number %q (message %q), want %q", p.ArrivalNumber, p.MessageJA, rec.ArrivalNumber)
		}
	})
	for _, who := range []struct{ name, token string }{
		{"another account", e.residentToken(e.creds.other)},
		{"a request without a session", ""},
	} {
		t.Run(who.name+" learns no number", func(t *testing.T) {
			r := e.submitApp(ProcMoveOut, newKey(), who.token, submit.MediaASiCE, pkg)
			p := wantAlreadyReceived(t, who.name, r)
			if p.ArrivalNumber != "" || bytes.Contains(r.body, []byte(rec.ArrivalNumber)) {
				t.Errorf("%s learnt the arrival number: %s", who.name, r.body)
			}
		})
	}
	if n := len(e.stored()); n != 1 {
		t.Errorf("%d applications stored, want 1", n)
	}
}

func TestParallelSubmissionsOfOneSignedPackageStoreOne(t *testing.T) {
	e := newSvcEnv(t)
	pkg := makePackage(t, e.creds.resident, sampleForm(ProcMoveOut, nil))
	other := rezip(t, pkg)
	const n = 16
	statuses := make([]int, n)
	bodies := make([][]byte, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		body := pkg
		if i%2 == 1 {
			body = other
		}
		wg.Go(func() {
			<-start
			r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, body)
			statuses[i], bodies[i] = r.status, r.body
		})
	}
	close(start)
	wg.Wait()
	created := 0
	for i, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			if !bytes.Contains(bodies[i], []byte(submit.ReasonAlreadyReceived)) {
				t.Errorf("request %d: %s", i, bodies[i])
			}
		default:
			t.Errorf("request %d: %d %s", i, s, bodies[i])
		}
	}
	if created != 1 {
		t.Errorf("%d requests stored the package, want exactly 1", created)
	}
	if got := len(e.stored()); got != 1 {
		t.Errorf("%d applications stored, want 1", got)
	}
	if got := len(e.packageFiles()); got != 1 {
		t.Errorf("package files: %v, want the one stored", e.packageFiles())
	}
}
