//go:build unix

package signer

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

// Environment of BenchmarkPackage1GiB: the attachment size, and the
// directory a child process builds in (set only for the child).
const (
	benchBytesEnv = "SHINSEI_BENCH_BYTES"
	benchChildEnv = "SHINSEI_BENCH_CHILD_DIR"
)

// BenchmarkPackage1GiB packages a 1 GiB attachment (SHINSEI_BENCH_BYTES
// overrides the size) with Build and compares the best of a few runs with
// the best of `openssl dgst -sha256 FILE` followed by `cp FILE DEST`, the
// page cache warm for both. It reports the ratio ("x-vs-openssl+cp",
// goal ≤ 1), the ratio against the same plus `sync DEST`, since Build
// fsyncs ("x-vs-openssl+cp+sync"), and the peak RSS of one Build in a
// child process ("peak-RSS-MiB", goal ≤ 128). Run it with -benchtime=1x;
// it writes three files of that size under $TMPDIR.
func BenchmarkPackage1GiB(b *testing.B) {
	if dir := os.Getenv(benchChildEnv); dir != "" {
		benchChild(b, dir)
		return
	}
	requireOpenSSL(b)
	size := int64(1 << 30)
	if s := os.Getenv(benchBytesEnv); s != "" {
		var err error
		if size, err = strconv.ParseInt(s, 10, 64); err != nil || size <= 0 {
			b.Fatalf("%s=%q is not a positive byte count", benchBytesEnv, s)
		}
	}
	dir := fsxtest.TempDir(b)
	f := testFixtures(b)
	p12, err := f.resident.PKCS12("bench")
	if err != nil {
		b.Fatal(err)
	}
	writeFile(b, dir, "cred.p12", p12)
	form := writeFile(b, dir, "form.xml", []byte("<form/>"))
	big := filepath.Join(dir, "attachment.bin")
	writeRandom(b, big, size)
	files := []File{{Path: form}, {Path: big}}
	out, dest := filepath.Join(dir, "application.asice"), filepath.Join(dir, "copy.bin")
	run(b, "openssl", "dgst", "-sha256", big) // warm the page cache

	reps := max(3, b.N)
	ref := best(b, reps, dest, func() {
		run(b, "openssl", "dgst", "-sha256", big)
		run(b, "cp", big, dest)
	})
	refSync := best(b, reps, dest, func() {
		run(b, "openssl", "dgst", "-sha256", big)
		run(b, "cp", big, dest)
		run(b, "sync", dest)
	})
	build := best(b, reps, out, func() {
		if _, err := Build(context.Background(), out, files, credential(f.resident), BuildOptions{}); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(float64(build.Nanoseconds()), "ns/op")
	b.ReportMetric(build.Seconds()/ref.Seconds(), "x-vs-openssl+cp")
	b.ReportMetric(build.Seconds()/refSync.Seconds(), "x-vs-openssl+cp+sync")
	b.ReportMetric(float64(size)/(1<<20)/build.Seconds(), "MiB/s")
	b.ReportMetric(childPeakRSS(b, dir), "peak-RSS-MiB")
	b.Logf("%d bytes: Build %v, openssl+cp %v, openssl+cp+sync %v", size, build, ref, refSync)
}

// best runs f reps times and returns the shortest run; before each run
// it removes output and flushes dirty pages so runs do not pay for each
// other's writeback.
func best(b *testing.B, reps int, output string, f func()) time.Duration {
	shortest := time.Duration(1<<63 - 1)
	for range reps {
		os.Remove(output)
		syscall.Sync()
		start := time.Now()
		f()
		shortest = min(shortest, time.Since(start))
	}
	os.Remove(output)
	return shortest
}

func writeRandom(b *testing.B, path string, size int64) {
	w, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, chunkSize)
	for n := int64(0); n < size; n += int64(len(buf)) {
		rng.Read(buf)
		if _, err := w.Write(buf[:min(int64(len(buf)), size-n)]); err != nil {
			b.Fatal(err)
		}
	}
}

// childPeakRSS re-runs this benchmark in a child process that performs
// one Build of the files in dir, and returns the child's peak RSS in MiB.
func childPeakRSS(b *testing.B, dir string) float64 {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^BenchmarkPackage1GiB$", "-test.benchtime=1x")
	cmd.Env = append(os.Environ(), benchChildEnv+"="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	maxrss := float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
	if runtime.GOOS == "darwin" {
		return maxrss / (1 << 20) // bytes
	}
	return maxrss / (1 << 10) // KiB
}

// benchChild is the child's side of childPeakRSS: one Build, credential
// from the .p12 the parent wrote, no key generation.
func benchChild(b *testing.B, dir string) {
	p12, err := os.ReadFile(filepath.Join(dir, "cred.p12"))
	if err != nil {
		b.Fatal(err)
	}
	cred, err := LoadPKCS12(p12, []byte("bench"))
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "child.asice")
	files := []File{{Path: filepath.Join(dir, "form.xml")}, {Path: filepath.Join(dir, "attachment.bin")}}
	if _, err := Build(context.Background(), out, files, *cred, BuildOptions{}); err != nil {
		b.Fatal(err)
	}
	os.Remove(out)
}
