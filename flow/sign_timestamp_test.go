//go:build cgo && linux

package flow_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/signer"
)

func TestASignatureIsTimestampedOrGetsItsTimestampAtSubmit(t *testing.T) {
	w := getWorld(t)
	tsa, err := w.pki.Private.IssueTSA("Flow Test TSA", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var up atomic.Bool
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		body, _ := io.ReadAll(r.Body)
		if !up.Load() {
			http.Error(rw, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		req, err := timestamp.ParseRequest(body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		resp, err := responder.TimestampReply(tsa, req, time.Now())
		if err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = rw.Write(resp)
	}))
	t.Cleanup(srv.Close)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)}, func(c *flow.Config) { c.TSAURL = srv.URL })
	ctx := context.Background()
	verify := func(t *testing.T, path string) *signer.Report {
		t.Helper()
		rep, err := signer.Verify(ctx, path, signer.VerifyOptions{Roots: w.pki.Roots()})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Outcome() != signer.OutcomeValid {
			t.Fatalf("the package is %s: %+v %+v", rep.Outcome(), rep.Certificate, rep.Undecided)
		}
		return rep
	}

	t.Run("with the authority up, the signature carries its time-stamp", func(t *testing.T) {
		up.Store(true)
		proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
		signed, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: residentToken()}, (&recorder{pin: flowPIN}).callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if !signed.Timestamped || signed.TimestampNote != nil {
			t.Fatalf("want a time-stamped signature, got note %v", signed.TimestampNote)
		}
		if rep := verify(t, signed.Path); rep.ProvenTime == nil {
			t.Fatal("the time-stamp proves no time")
		}
	})

	t.Run("with the authority down, the package is signed with a note, and time-stamped at submit", func(t *testing.T) {
		up.Store(false)
		proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
		signed, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: residentToken()}, (&recorder{pin: flowPIN}).callbacks())
		if err != nil {
			t.Fatalf("a TSA that is down must never fail the signature: %v", err)
		}
		if signed.Timestamped || !errors.Is(signed.TimestampNote, signer.ErrTSAUnreachable) {
			t.Fatalf("want a note that the authority could not be reached, got %v", signed.TimestampNote)
		}
		if msg, hint := explainIn(signed.TimestampNote, i18n.Japanese); !strings.Contains(msg, "タイムスタンプ局に接続できませんでした") || !strings.Contains(hint, "送信時に自動で") {
			t.Errorf("the note in Japanese: %q %q", msg, hint)
		}
		if rep := verify(t, signed.Path); len(rep.Timestamps) != 0 {
			t.Fatalf("want CAdES-BES, got %+v", rep.Timestamps)
		}
		up.Store(true)
		if _, err := a.Submit(ctx, flow.SubmitRequest{Signed: signed}, (&recorder{}).callbacks()); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, signed.Path); len(rep.Timestamps) != 1 || !rep.Timestamps[0].Check.OK {
			t.Fatalf("the time-stamp was not added at submit: %+v", rep.Timestamps)
		}
	})

	t.Run("a package sealed by an archive time-stamp is refused by flow.Timestamp and sent unchanged at submit", func(t *testing.T) {
		up.Store(false)
		proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
		doc.Fields["members"] = 2 // not the application filed above
		signed, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: residentToken()}, (&recorder{pin: flowPIN}).callbacks())
		if err != nil {
			t.Fatal(err)
		}
		up.Store(true)
		if _, err := signer.ArchivePackage(ctx, signed.Path, signer.TSA{URL: srv.URL}); err != nil {
			t.Fatal(err)
		}
		sealed, err := os.ReadFile(signed.Path)
		if err != nil {
			t.Fatal(err)
		}
		before := asked.Load()
		_, err = a.Timestamp(ctx, signed.Path)
		var fe *flow.Error
		if !errors.Is(err, signer.ErrArchiveSealed) || !errors.As(err, &fe) {
			t.Fatalf("want a *flow.Error around signer.ErrArchiveSealed, got %v", err)
		}
		if msg, hint := explainIn(err, i18n.Japanese); !strings.Contains(msg, "アーカイブタイムスタンプ") || !strings.Contains(hint, "変更していません") {
			t.Errorf("the refusal in Japanese: %q %q", msg, hint)
		}
		if _, err := a.Submit(ctx, flow.SubmitRequest{Signed: signed}, (&recorder{}).callbacks()); err != nil {
			t.Fatal(err)
		}
		if asked.Load() != before {
			t.Fatalf("the authority was asked %d times for a sealed package", asked.Load()-before)
		}
		if after, _ := os.ReadFile(signed.Path); !bytes.Equal(after, sealed) {
			t.Fatal("the sealed package was changed")
		}
		verify(t, signed.Path)
	})

	t.Run("flow.Timestamp on a package that has its time-stamp asks no authority", func(t *testing.T) {
		proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
		signed, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: residentToken()}, (&recorder{pin: flowPIN}).callbacks())
		if err != nil {
			t.Fatal(err)
		}
		before := asked.Load()
		st, err := a.Timestamp(ctx, signed.Path)
		if err != nil || st.Added != 0 || asked.Load() != before {
			t.Fatalf("got %+v %v, authority asked %d times", st, err, asked.Load()-before)
		}
	})
}
