//go:build unix

package certcheck_test

// Side-by-side benchmarks: the CRL scanner against `openssl crl`, each in a
// child process so that wall time and peak RSS compare like with like, and
// the cost of a lookup once a CRL is in memory.
//
//	go test -run '^$' -bench CRL -benchtime 1x ./certcheck/
//	SHINSEI_BENCH_CRL_ENTRIES=100000 go test -run '^$' -bench CRL ./certcheck/

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

const (
	// crlBenchChildEnv names the fixture directory for the child process.
	crlBenchChildEnv = "SHINSEI_CRL_BENCH_CHILD"
	// crlBenchLaunchEnv holds the command the measuring process runs (JSON).
	crlBenchLaunchEnv = "SHINSEI_CRL_BENCH_LAUNCH"
	// crlBenchEntriesEnv overrides the number of CRL entries (CI may use fewer).
	crlBenchEntriesEnv = "SHINSEI_BENCH_CRL_ENTRIES"
	// Goals: against `openssl crl -noout` on the same CRL.
	crlGoalWall = 0.8
	crlGoalRSS  = 0.5
	// crlGoalLookup is the most a lookup in a cached CRL may take.
	crlGoalLookup = 50 * time.Microsecond
)

func crlBenchEntries(tb testing.TB) int {
	s := os.Getenv(crlBenchEntriesEnv)
	if s == "" {
		return 1_000_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		tb.Fatalf("%s=%q: want a positive number of entries", crlBenchEntriesEnv, s)
	}
	return n
}

// crlBenchFixture is a big CRL signed by a sandbox RSA CA, with one
// certificate it lists and one it does not.
type crlBenchFixture struct {
	dir            string
	ca             *x509.Certificate
	good, revoked  *x509.Certificate
	entries, bytes int
}

func (f *crlBenchFixture) crlPath() string { return filepath.Join(f.dir, "crl.der") }

// loadCRLBenchFixture returns the fixture for crlBenchEntries entries,
// generated once and kept under os.TempDir.
func loadCRLBenchFixture(tb testing.TB) *crlBenchFixture {
	tb.Helper()
	n := crlBenchEntries(tb)
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("shinsei-crl-bench-%d", n))
	if f, err := readCRLBenchFixture(dir, n); err == nil {
		return f
	}
	tb.Logf("generating a %d-entry CRL in %s (once)", n, dir)
	tmp, err := os.MkdirTemp(os.TempDir(), "shinsei-crl-bench-tmp-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	p, err := pki.New(time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	good, revoked := crlIssue(tb, p.Private, "bench good"), crlIssue(tb, p.Private, "bench revoked")
	der, err := buildBenchCRL(p.Private, n, revoked.SerialNumber)
	if err != nil {
		tb.Fatal(err)
	}
	for name, data := range map[string][]byte{"crl.der": der, "ca.der": p.Private.Cert.Raw, "good.der": good.Raw, "revoked.der": revoked.Raw} {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		tb.Fatal(err)
	}
	f, err := readCRLBenchFixture(dir, n)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func readCRLBenchFixture(dir string, n int) (*crlBenchFixture, error) {
	f := &crlBenchFixture{dir: dir, entries: n}
	var err error
	load := func(name string) *x509.Certificate {
		if err != nil {
			return nil
		}
		var der []byte
		if der, err = os.ReadFile(filepath.Join(dir, name)); err != nil {
			return nil
		}
		var c *x509.Certificate
		c, err = x509.ParseCertificate(der)
		return c
	}
	f.ca, f.good, f.revoked = load("ca.der"), load("good.der"), load("revoked.der")
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(f.crlPath())
	if err != nil {
		return nil, err
	}
	f.bytes = int(fi.Size())
	if time.Now().Add(24 * time.Hour).After(f.good.NotAfter) {
		return nil, fmt.Errorf("fixture certificates expire soon")
	}
	return f, nil
}

// buildBenchCRL writes the DER directly with cryptobyte (crypto/x509's
// CreateRevocationList needs a big.Int and a struct per entry): n entries
// of random 16-byte serials, half with a reason code, include among them.
func buildBenchCRL(ca *pki.CA, n int, include *big.Int) ([]byte, error) {
	now := time.Now().UTC().Truncate(time.Second)
	var alg cryptobyte.Builder
	alg.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier([]int{1, 2, 840, 113549, 1, 1, 11})
		b.AddASN1NULL()
	})
	algDER := alg.BytesOrPanic()
	rng := mrand.New(mrand.NewPCG(1, 2))
	var tbs cryptobyte.Builder
	tbs.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddBytes(algDER)
		b.AddBytes(ca.Cert.RawSubject)
		b.AddASN1UTCTime(now.Add(-time.Hour))
		b.AddASN1UTCTime(now.Add(5 * 365 * 24 * time.Hour))
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			serial := make([]byte, 16)
			for i := 0; i < n; i++ {
				for j := 0; j < 16; j += 8 {
					v := rng.Uint64()
					for k := 0; k < 8; k++ {
						serial[j+k] = byte(v >> (8 * k))
					}
				}
				serial[0] = serial[0]&0x3f | 0x40 // positive, minimal
				when := now.Add(-time.Duration(rng.IntN(3*365*24)) * time.Hour)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					if i == n/2 {
						b.AddASN1BigInt(include)
					} else {
						b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) { b.AddBytes(serial) })
					}
					b.AddASN1UTCTime(when)
					if i%2 == 0 {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1ObjectIdentifier([]int{2, 5, 29, 21})
								b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
									b.AddASN1Enum(int64([]int{1, 4, 5, 3}[i/2%4]))
								})
							})
						})
					}
				})
			}
		})
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier([]int{2, 5, 29, 20})
					b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) { b.AddASN1Int64(1) })
				})
			})
		})
	})
	tbsDER, err := tbs.Bytes()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(tbsDER)
	sig, err := rsa.SignPKCS1v15(rand.Reader, ca.Key, crypto.SHA256, sum[:])
	if err != nil {
		return nil, err
	}
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsDER)
		b.AddBytes(algDER)
		b.AddASN1BitString(sig)
	})
	return out.Bytes()
}

// crlMeasure runs argv (with extra environment) and returns its wall time
// and peak RSS in bytes. Linux starts a child with vfork semantics, and a
// child's ru_maxrss keeps the RSS of the process it was started from, so a
// child of this (large) benchmark process would inherit its size: the
// command is started through crlBenchLaunch, a small re-exec of this test
// binary (dispatched by TestMain) that runs it and reports its figures.
func crlMeasure(tb testing.TB, env []string, argv ...string) (time.Duration, int64) {
	tb.Helper()
	self, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	spec, err := json.Marshal(argv)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(append(os.Environ(), env...), crlBenchLaunchEnv+"="+string(spec))
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	var wall time.Duration
	var rss int64
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "crl-bench-crlMeasure "); ok {
			if _, err := fmt.Sscanf(rest, "%d %d", &wall, &rss); err == nil {
				return wall, rss
			}
		}
	}
	tb.Fatalf("%s: no measurement in\n%s", strings.Join(argv, " "), out)
	return 0, 0
}

// runBenchHelper runs this test binary as one of the benchmarks' helper
// processes when the environment asks for one, and reports its exit code;
// ok is false in an ordinary test run.
func runBenchHelper() (code int, ok bool) {
	switch {
	case os.Getenv(crlBenchLaunchEnv) != "":
		return crlBenchLaunch(), true
	case os.Getenv(crlBenchChildEnv) != "":
		return crlBenchChild(), true
	}
	return 0, false
}

// crlBenchLaunch runs the command crlMeasure gives it and prints its wall
// time and peak RSS (bytes).
func crlBenchLaunch() int {
	spec := os.Getenv(crlBenchLaunchEnv)
	var argv []string
	if err := json.Unmarshal([]byte(spec), &argv); err != nil || len(argv) == 0 {
		fmt.Fprintf(os.Stderr, "%s=%q: %v\n", crlBenchLaunchEnv, spec, err)
		return 2
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	// The command may be this binary again (the parse child): it must not
	// see the variable that made this process the launcher.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, crlBenchLaunchEnv+"=") })
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v\n%s", err, out)
		return 1
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "no rusage for the child process")
		return 1
	}
	rss := int64(ru.Maxrss)
	if runtime.GOOS != "darwin" { // Linux and the BSDs give KiB, macOS bytes
		rss *= 1024
	}
	fmt.Printf("crl-bench-crlMeasure %d %d\n", wall.Nanoseconds(), rss)
	return 0
}

// crlBestOf runs f n times and keeps the lowest wall time and lowest RSS.
func crlBestOf(n int, f func() (time.Duration, int64)) (time.Duration, int64) {
	var wall time.Duration
	var rss int64
	for i := 0; i < n; i++ {
		w, r := f()
		if i == 0 || w < wall {
			wall = w
		}
		if i == 0 || r < rss {
			rss = r
		}
	}
	return wall, rss
}

// BenchmarkCRLParseVsOpenSSL: `openssl crl -inform DER -noout` (parse
// only) against our parse + signature check + index, both as child
// processes on the same file; reported as ratios (lower is better).
func BenchmarkCRLParseVsOpenSSL(b *testing.B) {
	f := loadCRLBenchFixture(b)
	openssl := tool.OpenSSL(b)
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	var oWall, gWall time.Duration
	var oRSS, gRSS int64
	for b.Loop() {
		oWall, oRSS = crlBestOf(3, func() (time.Duration, int64) {
			return crlMeasure(b, nil, openssl, "crl", "-inform", "DER", "-noout", "-in", f.crlPath())
		})
		gWall, gRSS = crlBestOf(3, func() (time.Duration, int64) {
			return crlMeasure(b, []string{crlBenchChildEnv + "=" + f.dir}, self, "-test.run=^$")
		})
	}
	wallRatio, rssRatio := float64(gWall)/float64(oWall), float64(gRSS)/float64(oRSS)
	b.ReportMetric(wallRatio, "x-wall-vs-openssl")
	b.ReportMetric(rssRatio, "x-RSS-vs-openssl")
	b.ReportMetric(float64(oWall.Milliseconds()), "openssl-ms")
	b.ReportMetric(float64(gWall.Milliseconds()), "ours-ms")
	b.ReportMetric(float64(oRSS)/(1<<20), "openssl-MiB")
	b.ReportMetric(float64(gRSS)/(1<<20), "ours-MiB")
	b.Logf("%d entries, %.1f MiB: openssl crl %v / %.0f MiB, ours (parse+verify+index) %v / %.0f MiB: %.2fx wall, %.2fx RSS (goals %.1fx, %.1fx)",
		f.entries, float64(f.bytes)/(1<<20), oWall, float64(oRSS)/(1<<20), gWall, float64(gRSS)/(1<<20), wallRatio, rssRatio, crlGoalWall, crlGoalRSS)
	if f.entries >= 100_000 && (wallRatio > crlGoalWall || rssRatio > crlGoalRSS) {
		// Below 100k entries process start-up dominates both sides.
		b.Errorf("goal missed: %.2fx wall (goal %.1fx), %.2fx RSS (goal %.1fx)", wallRatio, crlGoalWall, rssRatio, crlGoalRSS)
	}
}

// crlBenchChild is the benchmark's child process: parse, verify and index
// the fixture CRL, then look a listed certificate up.
func crlBenchChild() int {
	if err := crlBenchChildRun(os.Getenv(crlBenchChildEnv)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func crlBenchChildRun(dir string) error {
	f, err := readCRLBenchFixture(dir, 0)
	if err != nil {
		return err
	}
	der, err := os.ReadFile(f.crlPath())
	if err != nil {
		return err
	}
	c, err := certcheck.ParseCRL(der)
	if err != nil {
		return err
	}
	if err := c.CheckSignatureFrom(f.ca); err != nil {
		return err
	}
	if err := c.CheckTime(time.Now(), certcheck.DefaultCRLClockSkew); err != nil {
		return err
	}
	if _, found := c.Lookup(f.revoked); !found {
		return errors.New("the listed certificate was not found")
	}
	if _, found := c.Lookup(f.good); found {
		return errors.New("an unlisted certificate was found")
	}
	return nil
}

// BenchmarkCachedLookup: a CRLSource check of a certificate once the big
// CRL is parsed and its signature verified (goal ≤ 50 µs).
func BenchmarkCachedLookup(b *testing.B) {
	f := loadCRLBenchFixture(b)
	src, err := certcheck.NewCRLSource(b.Context(), certcheck.CRLOptions{Files: []string{f.crlPath()}, Offline: true})
	if err != nil {
		b.Fatal(err)
	}
	query := func(c *x509.Certificate) certcheck.Query {
		return certcheck.Query{Cert: c, Issuer: f.ca, Path: []*x509.Certificate{c, f.ca}, Roots: []*x509.Certificate{f.ca}, At: time.Now()}
	}
	good, revoked := query(f.good), query(f.revoked)
	if r, ok := src.Check(b.Context(), revoked); !ok || r.Status != certcheck.StatusRevoked {
		b.Fatalf("the listed certificate: %v %s (%s)", ok, r.Status, r.Detail)
	}
	for b.Loop() {
		if r, _ := src.Check(b.Context(), good); r.Status != certcheck.StatusGood {
			b.Fatalf("%s (%s)", r.Status, r.Detail)
		}
	}
	// A steady figure even at -benchtime 1x.
	const batch = 2000
	start := time.Now()
	for i := 0; i < batch; i++ {
		q := good
		if i%2 == 1 {
			q = revoked
		}
		src.Check(b.Context(), q)
	}
	per := time.Since(start) / batch
	b.ReportMetric(float64(per.Nanoseconds()), "ns/lookup")
	if per > crlGoalLookup {
		b.Errorf("a cached lookup takes %v, goal %v", per, crlGoalLookup)
	}
}

// BenchmarkParseCRLVsCryptoX509: parsing alone, in this process, against
// x509.ParseRevocationList on the same bytes (which allocates per entry and
// does not check the signature). Ratios below 1 favour ParseCRL.
func BenchmarkParseCRLVsCryptoX509(b *testing.B) {
	f := loadCRLBenchFixture(b)
	der, err := os.ReadFile(f.crlPath())
	if err != nil {
		b.Fatal(err)
	}
	measureParse := func(parse func() error) (time.Duration, uint64) {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		if err := parse(); err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		runtime.ReadMemStats(&after)
		return d, after.TotalAlloc - before.TotalAlloc
	}
	var oursT, x509T time.Duration
	var oursB, x509B uint64
	for b.Loop() {
		oursT, oursB = measureParse(func() error { _, err := certcheck.ParseCRL(der); return err })
		x509T, x509B = measureParse(func() error { _, err := x509.ParseRevocationList(der); return err })
	}
	b.ReportMetric(float64(oursT)/float64(x509T), "x-time-vs-x509")
	b.ReportMetric(float64(oursB)/float64(x509B), "x-alloc-vs-x509")
	b.ReportMetric(float64(oursB)/(1<<20), "ours-alloc-MiB")
	b.ReportMetric(float64(x509B)/(1<<20), "x509-alloc-MiB")
	b.ReportMetric(float64(oursT.Nanoseconds())/float64(f.entries), "ns/entry")
}
