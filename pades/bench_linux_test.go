package pades

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

// Environment of the child process BenchmarkVerify50MBVsPdfsig runs: the
// PDF to verify and the anchor (PEM).
const (
	envBenchPDF    = "PADES_BENCH_PDF"
	envBenchAnchor = "PADES_BENCH_ANCHOR"
)

// The test binary re-run by the benchmark verifies and exits.
func init() {
	if os.Getenv(envBenchPDF) != "" {
		benchChild()
	}
}

// benchChild verifies one file as a process of its own would (the test
// binary re-run), so that its time and peak memory are measured as
// pdfsig's are. It exits 0 on a valid report.
func benchChild() {
	path, anchor := os.Getenv(envBenchPDF), os.Getenv(envBenchAnchor)
	pemData, err := os.ReadFile(anchor)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	block, _ := pem.Decode(pemData)
	root, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	st, _ := f.Stat()
	rep, err := Verify(context.Background(), f, st.Size(), Options{Roots: []*x509.Certificate{root}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(rep.Outcome())
	// The peak of this process's own memory: VmHWM belongs to the
	// address space exec made, whereas the rusage a parent gets counts
	// the parent's own peak from before the fork.
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				fmt.Println(line)
			}
		}
	}
	if rep.Outcome() != OutcomeValid {
		os.Exit(1)
	}
	os.Exit(0)
}

// BenchmarkVerify50MBVsPdfsig verifies a 50 MB PDF signed by pdfsig, in
// a process of its own, and compares its wall time with pdfsig's on the
// same file (signature, and the chain against its NSS database, no
// OCSP: pdfsig 22.12 reports an "unknown issue" with the sandbox chain,
// so only its signature verdict is required), runs
// alternated, medians compared: "x-pdfsig" is the ratio (goal ≤ 1.5).
// "MiB-peak-rss" is the verifying process's peak resident memory (bound
// 64 MiB: the byte ranges are streamed through the digest, never held).
func BenchmarkVerify50MBVsPdfsig(b *testing.B) {
	f := testFixtures(b)
	dir := fsxtest.TempDir(b)
	in := writePDF(b, dir, "big.pdf", 50<<20)
	db, nick := nssDB(b, dir, f.official)
	signed := filepath.Join(dir, "big-signed.pdf")
	pdfsigSign(b, db, nick, in, signed, "Official", false)
	// The root trusted in the NSS database too, so that pdfsig checks
	// the chain as the Go side does.
	anchor := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(anchor, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.official.Root.Raw}), 0o600); err != nil {
		b.Fatal(err)
	}
	run(b, "certutil", "-A", "-d", "sql:"+db, "-n", "LGPKI Sandbox Root", "-t", "C,C,C", "-i", anchor)
	st, err := os.Stat(signed)
	if err != nil {
		b.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	measure := func(cmd *exec.Cmd) (time.Duration, string) {
		start := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(start)
		if err != nil {
			b.Fatalf("%s: %v\n%s", cmd.Path, err, out)
		}
		return d, string(out)
	}
	hwm := func(out string) int64 {
		var kb int64
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d kB", &kb)
			}
		}
		if kb == 0 {
			b.Fatalf("the Go side reported no peak memory: %q", out)
		}
		return kb << 10
	}
	rounds := max(b.N, 5)
	var goTimes, popplerTimes []time.Duration
	var goRSS int64
	b.ResetTimer()
	for range rounds {
		cmd := exec.Command(self, "-test.run=^$")
		cmd.Env = append(os.Environ(), envBenchPDF+"="+signed, envBenchAnchor+"="+anchor)
		d, out := measure(cmd)
		if !strings.Contains(out, OutcomeValid) {
			b.Fatalf("the Go side says %q", out)
		}
		goTimes, goRSS = append(goTimes, d), max(goRSS, hwm(out))
		d, out = measure(exec.Command("pdfsig", "-nssdir", "sql:"+db, "-no-ocsp", signed))
		if !strings.Contains(out, "Signature is Valid") {
			b.Fatalf("pdfsig says %s", out)
		}
		popplerTimes = append(popplerTimes, d)
	}
	b.StopTimer()
	med := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
	g, p := med(goTimes), med(popplerTimes)
	b.ReportMetric(g.Seconds()*1000, "ms-go")
	b.ReportMetric(p.Seconds()*1000, "ms-pdfsig")
	b.ReportMetric(g.Seconds()/p.Seconds(), "x-pdfsig")
	b.ReportMetric(float64(goRSS)/(1<<20), "MiB-peak-rss")
	b.Logf("%d MB signed PDF, %d runs each: Go verifier %v (peak RSS %.1f MiB), pdfsig %v; ratio %.2f",
		st.Size()>>20, rounds, g, float64(goRSS)/(1<<20), p, g.Seconds()/p.Seconds())
	if goRSS > 64<<20 {
		b.Errorf("peak RSS %.1f MiB, over 64 MiB", float64(goRSS)/(1<<20))
	}
}
