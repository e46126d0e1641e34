package service

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/submit"
)

// BenchmarkVerifyAndStoreVsOpenSSL measures the service's rate of
// verifying and storing signed applications — a resident's move-out
// notification (a 1 KiB attachment): ZIP structure, CAdES-BES signature,
// manifest and file digests, certificate path, revocation from the
// registry, form schema, identity match, then the package fsynced and
// renamed and the record committed to SQLite — once over HTTPS on
// loopback and once through the handler in process, each package a
// distinct one. It compares the time per package with `openssl cms
// -verify` run once per signature (one process per signature, as a shell
// script would) on the same signatures and manifests, and reports the
// ratios "x-openssl-loopback" and "x-openssl-inprocess" (below 1: the
// service verifies and stores a package faster than openssl verifies its
// signature alone).
func BenchmarkVerifyAndStoreVsOpenSSL(b *testing.B) {
	tool.OpenSSL(b)
	e := newSvcEnv(b)
	c := e.creds
	n := max(b.N, 8)
	pkgs := make([][]byte, 2*n)
	for i := range pkgs {
		form := sampleForm(ProcMoveOut, nil)
		form.Fields["new_address"] = fmt.Sprintf("大阪府大阪市北区中之島一丁目３番%d号", i)
		pkgs[i] = makePackage(b, c.resident, form, bytes.Repeat([]byte("添"), 1024/3))
	}

	b.ResetTimer()
	start := time.Now()
	for i := range n {
		r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, pkgs[i])
		if r.status != http.StatusCreated {
			b.Fatalf("loopback %d: %d %s", i, r.status, r.body)
		}
	}
	loopback := time.Since(start) / time.Duration(n)
	h := e.svc.Handler()
	start = time.Now()
	for i := range n {
		req := httptest.NewRequest(http.MethodPost, submit.APIPrefix+"/procedures/"+ProcMoveOut+"/applications", bytes.NewReader(pkgs[n+i]))
		req.Header.Set("Content-Type", submit.MediaASiCE)
		req.Header.Set(submit.HeaderIdemKey, newKey())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("in process %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	inProcess := time.Since(start) / time.Duration(n)
	b.StopTimer()
	if got := len(e.stored()); got != 2*n {
		b.Fatalf("%d applications stored, want %d", got, 2*n)
	}

	// openssl on the same signatures: extract them (untimed), then run
	// one process per signature.
	dir := fsxtest.TempDir(b)
	ca := filepath.Join(dir, "jpki-root.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.pki.JPKISign.Cert.Raw}), 0o600); err != nil {
		b.Fatal(err)
	}
	runs := min(n, 40)
	type job struct{ sig, manifest string }
	jobs := make([]job, runs)
	for i := range runs {
		jobs[i] = job{filepath.Join(dir, fmt.Sprintf("sig%d.p7s", i)), filepath.Join(dir, fmt.Sprintf("manifest%d.xml", i))}
		extractEntry(b, pkgs[i], "META-INF/signature001.p7s", jobs[i].sig)
		extractEntry(b, pkgs[i], "META-INF/ASiCManifest.xml", jobs[i].manifest)
	}
	start = time.Now()
	for _, j := range jobs {
		out, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", j.sig,
			"-content", j.manifest, "-CAfile", ca, "-purpose", "any", "-out", os.DevNull).CombinedOutput()
		if err != nil {
			b.Fatalf("openssl cms -verify: %v\n%s", err, out)
		}
	}
	openssl := time.Since(start) / time.Duration(runs)

	b.ReportMetric(float64(loopback.Microseconds())/1000, "ms/pkg-loopback")
	b.ReportMetric(float64(inProcess.Microseconds())/1000, "ms/pkg-inprocess")
	b.ReportMetric(float64(openssl.Microseconds())/1000, "ms/sig-openssl")
	b.ReportMetric(loopback.Seconds()/openssl.Seconds(), "x-openssl-loopback")
	b.ReportMetric(inProcess.Seconds()/openssl.Seconds(), "x-openssl-inprocess")
	b.Logf("%d packages each way: verify+store %v/pkg over HTTPS loopback (%.0f/s), %v/pkg in process (%.0f/s); "+
		"openssl cms -verify %v/signature (%.0f/s, %d runs); ratios %.2f and %.2f",
		n, loopback, 1/loopback.Seconds(), inProcess, 1/inProcess.Seconds(), openssl, 1/openssl.Seconds(), runs,
		loopback.Seconds()/openssl.Seconds(), inProcess.Seconds()/openssl.Seconds())
}

// extractEntry writes one entry of a ZIP to path.
func extractEntry(tb testing.TB, pkg []byte, name, path string) {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		tb.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkLoginUnderFloodVsIdle measures what a flood of bogus logins
// does to a legitimate one: a resident logs in over HTTPS on loopback,
// one login every 150 ms, alternately on the idle service and while 200
// connections from 200 other loopback addresses (127.0.1.x) send logins
// for random unknown IDs as fast as they are answered (idle and flooded
// blocks alternate, so that a change in the machine's load falls on
// both). The address throttle is raised so that every bogus login
// reaches Argon2 (the worst case: a flood from more addresses than the
// throttle counts); the flooding addresses have failed before the
// measurement starts. It reports the 95th percentile of the legitimate
// login's time in both states and their ratio "x-idle-p95" (the goal is
// at most 2).
func BenchmarkLoginUnderFloodVsIdle(b *testing.B) {
	e := newSvcEnv(b, func(c *Config) { c.Limits.IPFailures, c.Limits.IPRequests = 1<<30, 1<<30 })
	id, pw := e.account(e.creds.resident, submit.UserResident)
	const flooders, rounds = 200, 8
	perRound := max(b.N, 80) / rounds
	var idle, flooded []time.Duration
	timeLogins := func(into *[]time.Duration) {
		for range perRound {
			// Apart by more than lowCooldown, so that each login arrives
			// while the flood hashes, as a resident's would.
			time.Sleep(lowCooldown + 50*time.Millisecond)
			start := time.Now()
			r := e.loginFrom(e.client, id, pw)
			*into = append(*into, time.Since(start))
			if r.status != http.StatusCreated {
				b.Fatalf("login: %d %s", r.status, r.body)
			}
		}
	}
	clients := make([]*http.Client, flooders)
	for i := range clients {
		clients[i] = e.clientFrom(fmt.Sprintf("127.0.1.%d", i+1))
	}
	// flood starts the flood and returns the function that stops it,
	// once every flooder has sent a login.
	flood := func() (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var sent atomic.Int64
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				first := true
				trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) {
					if first {
						first = false
						sent.Add(1)
					}
				}}
				for n := 0; ctx.Err() == nil; n++ {
					body := fmt.Appendf(nil, `{"account_id":"R9%03d%06d","password":"guessing guessing"}`, i, n)
					req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, e.api+"/sessions", bytes.NewReader(body))
					req.Header.Set("Content-Type", submit.MediaJSON)
					if resp, err := c.Do(req); err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			}()
		}
		for sent.Load() < flooders {
			time.Sleep(5 * time.Millisecond)
		}
		return func() { cancel(); wg.Wait() }
	}

	// Every flooding address fails once before the measurement.
	stop := flood()
	for e.svc.dummyChecks.Load() < flooders {
		time.Sleep(10 * time.Millisecond)
	}
	stop()

	b.ResetTimer()
	for range rounds {
		timeLogins(&idle)
		stop := flood()
		timeLogins(&flooded)
		stop()
	}
	b.StopTimer()

	p95 := func(ts []time.Duration) time.Duration {
		slices.Sort(ts)
		return ts[(len(ts)*95+99)/100-1]
	}
	pIdle, pFlood := p95(idle), p95(flooded)
	ratio := pFlood.Seconds() / pIdle.Seconds()
	b.ReportMetric(float64(pIdle.Microseconds())/1000, "ms-p95-idle")
	b.ReportMetric(float64(pFlood.Microseconds())/1000, "ms-p95-flood")
	b.ReportMetric(ratio, "x-idle-p95")
	b.Logf("%d legitimate logins each way: p95 %v idle, %v during a flood from %d addresses (%d bogus logins hashed in all); ratio %.2f (goal ≤ 2)",
		len(idle), pIdle, pFlood, flooders, e.svc.dummyChecks.Load(), ratio)
}
