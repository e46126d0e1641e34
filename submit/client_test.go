package submit_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/submit/submittest"
)

func TestNewRefusesAnUnsafeConfiguration(t *testing.T) {
	anchor := []*x509.Certificate{{}}
	tests := []struct {
		name string
		cfg  submit.Config
		want string
	}{
		{"a plain http URL is refused", submit.Config{BaseURL: "http://127.0.0.1:1", Anchors: anchor}, "only https"},
		{"a URL with credentials is refused", submit.Config{BaseURL: "https://u:p@127.0.0.1:1", Anchors: anchor}, "without credentials"},
		{"no anchors and no system roots is refused", submit.Config{BaseURL: "https://127.0.0.1:1"}, "no trust anchors"},
		{"no URL is refused", submit.Config{Anchors: anchor}, "no service URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := submit.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), ":p@") {
				t.Fatalf("the error shows the URL's password: %v", err)
			}
		})
	}
}

func TestTheServiceKeyIsTheHostAndPort(t *testing.T) {
	for in, want := range map[string]string{
		"https://Shinsei.Example.JP":              "shinsei:shinsei.example.jp",
		"https://127.0.0.1:8443/":                 "shinsei:127.0.0.1:8443",
		"https://svc.example.jp:443/base/api/v1/": "shinsei:svc.example.jp:443",
	} {
		got, err := submit.ServiceKey(in)
		if err != nil || got != want {
			t.Errorf("ServiceKey(%q) = %q, %v; want %q", in, got, err, want)
		}
		canon, err := submit.CanonicalURL(in)
		if err != nil || strings.HasSuffix(canon, "/") || strings.HasSuffix(canon, submit.APIPrefix) || canon != strings.ToLower(canon) {
			t.Errorf("CanonicalURL(%q) = %q, %v", in, canon, err)
		}
	}
}

func TestTheClientReadsTheCatalogue(t *testing.T) {
	srv := startServer(t, submittest.Options{})
	c := newClient(t, srv)
	ctx := context.Background()
	list, err := c.Procedures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 4 {
		t.Fatalf("%d procedures, want 4", len(list))
	}
	p, err := c.Procedure(ctx, submittest.ProcIDPWSig)
	if err != nil {
		t.Fatal(err)
	}
	if p.Level != submit.LevelIDPWSignature || !p.Level.NeedsLogin() || !p.Level.NeedsSignature() {
		t.Fatalf("level %q", p.Level)
	}
	_, err = c.Procedure(ctx, "no-such-procedure")
	if !submit.IsReason(err, submit.ReasonUnknownProcedure) || !errors.Is(err, submit.ErrRefused) {
		t.Fatalf("unknown procedure: %v", err)
	}
	var pe *submit.ProblemError
	if !errors.As(err, &pe) || pe.Status != http.StatusNotFound || !pe.Definite() || pe.Problem.MessageJA == "" {
		t.Fatalf("problem %+v", pe)
	}
	if r, ok := submit.ReasonOf(err); !ok || r != submit.ReasonUnknownProcedure {
		t.Fatalf("ReasonOf = %q, %v", r, ok)
	}
}

func TestFaultyRepliesAreClassified(t *testing.T) {
	srv := startServer(t, submittest.Options{})
	tests := []struct {
		name  string
		fault func(w http.ResponseWriter, r *http.Request)
		check func(t *testing.T, err error)
	}{
		{"a reply over the size cap is a bad reply", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`[` + strings.Repeat(`{"id":"x","auth_level":"none"},`, 40000) + `{}]`))
		}, func(t *testing.T, err error) {
			if !errors.Is(err, submit.ErrBadReply) || !strings.Contains(err.Error(), "larger than") {
				t.Fatalf("%v", err)
			}
		}},
		{"garbage is a bad reply", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte("<html>oops"))
		}, func(t *testing.T, err error) {
			if !errors.Is(err, submit.ErrBadReply) || !submit.Retryable(err) {
				t.Fatalf("%v", err)
			}
		}},
		{"a 500 without a problem is a refusal that may be retried", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte("boom"))
		}, func(t *testing.T, err error) {
			var pe *submit.ProblemError
			if !errors.As(err, &pe) || pe.Status != 500 || pe.Definite() || !submit.Retryable(err) {
				t.Fatalf("%v", err)
			}
		}},
		{"a rate limit carries Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"reason":"rate-limited","message_ja":"待ってください","message_en":"Slow down."}`))
		}, func(t *testing.T, err error) {
			var pe *submit.ProblemError
			if !errors.As(err, &pe) || pe.RetryAfter != 7*time.Second || pe.Definite() || !submit.IsReason(err, submit.ReasonRateLimited) {
				t.Fatalf("%v", err)
			}
		}},
		{"a plain 404 without the API's problem is an address that is not the API", func(w http.ResponseWriter, r *http.Request) {
			http.NotFound(w, r)
		}, func(t *testing.T, err error) {
			if !errors.Is(err, submit.ErrNotAPI) || errors.Is(err, submit.ErrRefused) || submit.Retryable(err) || submit.MayHaveArrived(err) {
				t.Fatalf("%v", err)
			}
		}},
		{"a web page in place of JSON is an address that is not the API", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>welcome</html>"))
		}, func(t *testing.T, err error) {
			if !errors.Is(err, submit.ErrNotAPI) || errors.Is(err, submit.ErrBadReply) {
				t.Fatalf("%v", err)
			}
		}},
		{"a redirect is not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.invalid/", http.StatusFound)
		}, func(t *testing.T, err error) {
			if !errors.Is(err, submit.ErrBadReply) || !strings.Contains(err.Error(), "redirect") {
				t.Fatalf("%v", err)
			}
		}},
		{"a silent server times out as unreachable", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			// Silent to the end: no (empty) reply when the handler returns.
			panic(http.ErrAbortHandler)
		}, func(t *testing.T, err error) {
			var ne *submit.NetError
			if !errors.Is(err, submit.ErrUnreachable) || !errors.As(err, &ne) || !ne.Timeout {
				t.Fatalf("%v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool { tt.fault(w, r); return true })
			defer srv.SetFault(nil)
			c := newClient(t, srv, func(c *submit.Config) { c.Timeout = 300 * time.Millisecond })
			_, err := c.Procedures(context.Background())
			tt.check(t, err)
		})
	}
}

func TestAClosedPortIsUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := submit.New(submit.Config{BaseURL: "https://" + addr, Anchors: []*x509.Certificate{{}}, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Procedures(context.Background())
	if !errors.Is(err, submit.ErrUnreachable) || errors.Is(err, submit.ErrUntrustedServer) {
		t.Fatalf("%v", err)
	}
	if submit.MayHaveArrived(err) {
		t.Errorf("a refused connection may have arrived: %v", err)
	}
}

func TestAReplyCutAfterTheWholeUploadMayHaveArrived(t *testing.T) {
	srv := startServer(t, submittest.Options{})
	srv.SetHold(func(stage string, r *http.Request) {
		if stage == submittest.StageStored {
			panic(http.ErrAbortHandler) // stored, then the connection is cut
		}
	})
	c := newClient(t, srv)
	form := []byte(`{"procedure":"test-none","applicant":{"name":"x"},"fields":{}}`)
	_, _, err := c.Submit(context.Background(), submit.Application{Procedure: submittest.ProcNone, IdempotencyKey: submit.NewIdempotencyKey(),
		MediaType: submit.MediaJSON, Body: bytes.NewReader(form), Size: int64(len(form))})
	var ne *submit.NetError
	if !errors.As(err, &ne) || !ne.Sent || !submit.MayHaveArrived(err) {
		t.Fatalf("%v (%+v), want a NetError sent in full", err, ne)
	}
	if srv.Applications() != 1 {
		t.Fatalf("the service holds %d applications", srv.Applications())
	}
}

func TestACancelledContextIsNotReportedAsANetworkFailure(t *testing.T) {
	srv := startServer(t, submittest.Options{})
	c := newClient(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Procedures(ctx)
	if !errors.Is(err, context.Canceled) || errors.Is(err, submit.ErrUnreachable) {
		t.Fatalf("%v", err)
	}
}

func TestLoginLogoutAndLockout(t *testing.T) {
	srv := startServer(t, submittest.Options{})
	c := newClient(t, srv)
	ctx := context.Background()
	srv.AddAccount("A0000001", "correct horse battery")
	s, err := c.Login(ctx, "A0000001", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if s.Token == "" || s.AccountID != "A0000001" || !s.ExpiresAt.After(time.Now()) {
		t.Fatalf("session %+v", s)
	}
	if err := c.Logout(ctx, s.Token); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctx, s.Token); !submit.IsReason(err, submit.ReasonLoginRequired) {
		t.Fatalf("second logout: %v", err)
	}
	for i := 0; i < 5; i++ {
		_, err = c.Login(ctx, "A0000001", "wrong password")
		if !submit.IsReason(err, submit.ReasonInvalidCredentials) {
			t.Fatalf("wrong password %d: %v", i, err)
		}
		if strings.Contains(err.Error(), "wrong password") {
			t.Fatalf("the error shows the password: %v", err)
		}
	}
	_, err = c.Login(ctx, "A0000001", "correct horse battery")
	if !submit.IsReason(err, submit.ReasonAccountLocked) {
		t.Fatalf("after 5 failures: %v", err)
	}
}

func TestRegistrationAndCertificateLogin(t *testing.T) {
	srv := startServer(t, submittest.Options{})
	c := newClient(t, srv)
	ctx := context.Background()
	ch, err := c.NewChallenge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := fsxtest.TempDir(t)
	pkg := registrationPackage(t, dir, submit.Registration{Type: "registration", Challenge: ch.Challenge, UserType: submit.UserCompany})
	acc, err := c.Register(ctx, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if acc.AccountID == "" || acc.InitialPassword == "" {
		t.Fatalf("account %+v", acc)
	}
	// The challenge is single-use.
	if _, err := c.Register(ctx, pkg); !submit.IsReason(err, submit.ReasonChallengeInvalid) {
		t.Fatalf("reused challenge: %v", err)
	}
	s, err := c.Login(ctx, acc.AccountID, acc.InitialPassword)
	if err != nil || s.AccountID != acc.AccountID {
		t.Fatalf("login with the initial password: %v", err)
	}
	ch, err = c.NewChallenge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := submit.SignChallenge(*ch, testCredential(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err = c.CertificateLogin(ctx, *cl)
	if err != nil || s.AccountID != acc.AccountID {
		t.Fatalf("certificate login: %+v, %v", s, err)
	}
}

func registrationPackage(t *testing.T, dir string, reg submit.Registration) []byte {
	t.Helper()
	form := submittest.WriteJSONFile(t, dir, "registration.json", reg)
	out := dir + "/registration.asice"
	buildPackage(t, out, form)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestStatusNoticesAndPolling(t *testing.T) {
	srv := startServer(t, submittest.Options{})
	c := newClient(t, srv)
	ctx := context.Background()
	form := writeForm(t, fsxtest.TempDir(t), "form.json", submittest.ProcNone)
	body, _ := os.ReadFile(form)
	rc, replay, err := c.Submit(ctx, submit.Application{Procedure: submittest.ProcNone, IdempotencyKey: submit.NewIdempotencyKey(),
		MediaType: submit.MediaJSON, Body: bytes.NewReader(body), Size: int64(len(body))})
	if err != nil || replay {
		t.Fatalf("submit: %v (replay %v)", err, replay)
	}
	if rc.InquiryNumber == "" {
		t.Fatal("an anonymous submission got no inquiry number")
	}
	if _, err := c.Status(ctx, rc.ArrivalNumber, submit.Auth{}); !submit.IsReason(err, submit.ReasonLoginRequired) {
		t.Fatalf("status without proof: %v", err)
	}
	if _, err := c.Status(ctx, rc.ArrivalNumber, submit.Auth{InquiryNumber: "0000000000"}); !submit.IsReason(err, submit.ReasonNotFound) {
		t.Fatalf("status with a wrong inquiry number: %v", err)
	}
	st, err := c.Status(ctx, rc.ArrivalNumber, submit.Auth{InquiryNumber: rc.InquiryNumber})
	if err != nil || st.Status != submit.StatusReceived {
		t.Fatalf("status: %+v, %v", st, err)
	}
	notice := []byte("PK\x03\x04 a notice package")
	go func() {
		time.Sleep(100 * time.Millisecond)
		srv.SetStatus(rc.ArrivalNumber, submit.StatusCompleted, &submit.Notice{ID: "N1", TitleJA: "通知"}, notice)
	}()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err = c.Poll(pctx, rc.ArrivalNumber, submit.Auth{InquiryNumber: rc.InquiryNumber}, submit.PollOptions{Interval: 20 * time.Millisecond})
	if err != nil || st.Status != submit.StatusCompleted || len(st.Notices) != 1 {
		t.Fatalf("poll: %+v, %v", st, err)
	}
	var buf bytes.Buffer
	if _, err := c.Notice(ctx, "N1", submit.Auth{InquiryNumber: rc.InquiryNumber}, &buf); err != nil || !bytes.Equal(buf.Bytes(), notice) {
		t.Fatalf("notice: %q, %v", buf.Bytes(), err)
	}
	small := newClient(t, srv, func(c *submit.Config) { c.MaxNotice = 8 })
	if _, err := small.Notice(ctx, "N1", submit.Auth{InquiryNumber: rc.InquiryNumber}, &bytes.Buffer{}); !errors.Is(err, submit.ErrBadReply) {
		t.Fatalf("notice over the cap: %v", err)
	}
}
