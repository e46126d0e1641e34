//go:build cgo && linux

package flow_test

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// BenchmarkBatchP12SignAndFileVsOpenSSLCurl signs 100 move-out
// notifications with a .p12 in one batch (flow.SignBatch: one password,
// each form pre-checked, packaged as ASiC-E with CAdES-BES, written
// durably) and files them to the local reference service (flow.SubmitBatch:
// through the outbox, four at a time, each receipt journaled; the service
// verifies and stores each), and in the same run times what a shell
// script would do with the same key and forms: 100 `openssl cms -sign`
// runs and 100 `curl` uploads of packages like ours (made beforehand,
// untimed, each a distinct signature the service verifies and stores). It
// reports both totals and their ratio "x-openssl-curl" (goal ≤ 2).
func BenchmarkBatchP12SignAndFileVsOpenSSLCurl(b *testing.B) {
	const n = 100
	openssl := tool.OpenSSL(b)
	curl := tool.Need(b, "curl", "install curl (Debian: apt-get install curl); it is the upload these benchmarks compare with")
	w := getWorld(b)
	ctx := context.Background()
	p12, err := w.resident.PKCS12(kit.P12Password)
	if err != nil {
		b.Fatal(err)
	}
	dir := fsxtest.TempDir(b)
	p12Path := filepath.Join(dir, "resident.p12")
	keyPath, certPath, caPath := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "ca.pem")
	keyDER, err := x509.MarshalPKCS8PrivateKey(w.resident.Key)
	if err != nil {
		b.Fatal(err)
	}
	for path, data := range map[string][]byte{
		p12Path:  p12,
		keyPath:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		certPath: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.resident.Cert.Raw}),
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	var ours, theirs time.Duration
	for range b.N {
		svc := startService(b, w.pki, w.reg)
		if err := os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: svc.CACert().Raw}), 0o600); err != nil {
			b.Fatal(err)
		}
		a, _ := openApp(b, svc, w.pki, nil, func(c *flow.Config) { c.DoNotKeepCertificates = true })
		_, doc := form(b, a, service.ProcMoveOut, w.resident.Cert)
		forms := fsxtest.TempDir(b)
		var paths []string
		for i := range n {
			// Each form its own: the same form signed in the same second
			// would be the same signature, which the service keeps once.
			doc.Fields["new_address"] = fmt.Sprintf("大阪府大阪市北区中之島一丁目３番%d号", i)
			data, err := json.Marshal(doc)
			if err != nil {
				b.Fatal(err)
			}
			p := filepath.Join(forms, fmt.Sprintf("転出届%03d.json", i))
			if err := os.WriteFile(p, data, 0o600); err != nil {
				b.Fatal(err)
			}
			paths = append(paths, p)
		}
		// The script's packages: like ours, made beforehand.
		upload := fsxtest.TempDir(b)
		var uploads []string
		for i := range n {
			p := filepath.Join(upload, fmt.Sprintf("%03d.asice", i))
			if _, err := signer.Build(ctx, p, []signer.File{{Path: paths[i], Name: flow.FormFileName}}, signer.Credential{Signer: w.resident.Key, Cert: w.resident.Cert}, signer.BuildOptions{}); err != nil {
				b.Fatal(err)
			}
			uploads = append(uploads, p)
		}

		out := fsxtest.TempDir(b)
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
		start := time.Now()
		res, err := a.SignBatch(ctx, flow.BatchSignRequest{Forms: paths, OutDir: out, Credential: flow.P12File(p12Path)}, r.callbacks(), nil)
		if err != nil || res.Signed != n {
			b.Fatalf("signing: %v (%d signed)", err, res.Signed)
		}
		var pkgs []string
		for _, it := range res.Items {
			pkgs = append(pkgs, it.Package)
		}
		filed, err := a.SubmitBatch(ctx, flow.BatchSubmitRequest{Paths: pkgs}, flow.Callbacks{}, nil)
		ours += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range filed {
			if f.Status != flow.FiledDelivered {
				b.Fatalf("%s: %s %v", f.Path, f.Status, f.Err)
			}
		}

		url := svc.URL() + submit.APIPrefix + "/procedures/" + service.ProcMoveOut + "/applications"
		sigs := fsxtest.TempDir(b)
		var key atomic.Int64
		start = time.Now()
		for i := range n {
			cmd := exec.Command(openssl, "cms", "-sign", "-binary", "-md", "sha256", "-in", paths[i], "-signer", certPath, "-inkey", keyPath,
				"-outform", "DER", "-out", filepath.Join(sigs, fmt.Sprintf("%03d.p7s", i)))
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("openssl cms -sign: %v\n%s", err, out)
			}
		}
		for i := range n {
			cmd := exec.Command(curl, "-sS", "--fail", "--cacert", caPath, "-H", "Content-Type: "+submit.MediaASiCE,
				"-H", fmt.Sprintf("%s: bench-curl-%016d", submit.HeaderIdemKey, key.Add(1)), "--data-binary", "@"+uploads[i], "-o", os.DevNull, url)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("curl upload %d: %v\n%s", i, err, out)
			}
		}
		theirs += time.Since(start)
	}
	per := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(b.N) }
	b.ReportMetric(per(ours), "batch-ms")
	b.ReportMetric(per(theirs), "openssl+curl-ms")
	b.ReportMetric(ours.Seconds()/theirs.Seconds(), "x-openssl-curl")
	b.Logf("%d applications: signed and filed as a batch in %v; openssl cms -sign ×%d + curl ×%d in %v; ratio %.2f",
		n, ours/time.Duration(b.N), n, n, theirs/time.Duration(b.N), ours.Seconds()/theirs.Seconds())
}

// BenchmarkBatchCardSignaturesVsBareLogins signs 20 forms in one batch
// on the virtual My Number card behind pcscd and OpenSC (flow.SignBatch:
// tries read, one PIN entry, the login, the signature certificate read,
// each form pre-checked, packaged and written, a context-specific login
// and C_Sign per signature) and, in the same run and on the same card, 20
// bare context-specific logins and C_Signs in a session logged in before
// the timing starts (and logged out after it). Both run alternately, in
// 31 rounds (with 15, the median below moved between 1.05 and 1.21 from
// run to run of the same code on the 2-core machine). The goal (≤ 1.2) is
// checked on "x-bare-C_Sign", the median of the rounds' ratios, each
// round's batch against the bare signatures made just before it: on a
// shared machine whose speed drifts, one lucky round of either side
// decides a ratio of the best of each — the more rounds, the luckier —
// which is reported beside it ("x-bare-C_Sign-best"; "-disk" with each
// package fsynced to disk, the packages on tmpfs otherwise). From a batch
// of one form timed the same way, it reports what each added form costs
// against one bare signature ("x-bare-C_Sign-per-added-form").
//
// One App signs every batch, as the window's does: the first batch finds
// the card by listing every slot (OpenSC looks for cards in every reader
// at each listing), the later ones open it where it was found while no
// card went in or out of a reader (flow/token_memo.go). The first batch
// of 20 is reported on its own ("x-bare-C_Sign-first-batch", against the
// bare signatures of the same round): it is what `shinseictl sign
// --batch`, a new App each time, always pays.
func BenchmarkBatchCardSignaturesVsBareLogins(b *testing.B) {
	const n = 20
	cs := testenv.Cards(b)
	card := cs.Insert(b, vcard.ScenarioHealthy)
	ctx := context.Background()
	svc := startService(b, cs.Issuer.PKI, cs.Issuer.Registry)
	a, _ := openApp(b, svc, cs.Issuer.PKI, []*pkcs11.Library{cs.Lib}, func(c *flow.Config) { c.TriesReader, c.DoNotKeepCertificates = nil, true })
	forms := fsxtest.TempDir(b)
	var paths []string
	for i := range n {
		p := filepath.Join(forms, fmt.Sprintf("form%02d.txt", i))
		if err := os.WriteFile(p, []byte(fmt.Sprintf("application %d", i)), 0o600); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	bare := bareCardSigner(b, cs.Lib.Module(), strings.ToUpper(vcard.SignaturePIN))
	// Both sides alternately, in rounds: other work on the machine falls
	// on both.
	const reps = 31
	ours, raw, one, onDisk := time.Duration(1<<62), time.Duration(1<<62), time.Duration(1<<62), time.Duration(1<<62)
	// The packages go to tmpfs when /dev/shm exists (the card's share of
	// the time, as signer's BenchmarkSignFormVsRawCSign measures it), and
	// to the test's temporary directory for "-disk", where the fsync of
	// each package counts.
	fast, disk := fsxtest.TempDir(b), fsxtest.TempDir(b)
	if shm, err := os.MkdirTemp("/dev/shm", "shinsei-bench-"); err == nil {
		defer os.RemoveAll(shm)
		fast = shm
	}
	// The process's CPU (user + system, every thread: the batch, the
	// virtual card's answers, the reference service) in each round of
	// each side; the median is reported.
	var oursCPU, rawCPU []time.Duration
	// Each round's batch of 20 against the bare signatures just before it.
	var ratios []float64
	batch := func(paths []string, parent string) (time.Duration, time.Duration) {
		where := "tmpfs"
		if parent == disk {
			where = "disk"
		}
		out, err := os.MkdirTemp(parent, "batch-")
		if err != nil {
			b.Fatal(err)
		}
		cpu0 := processCPU(b)
		start := time.Now()
		var res *flow.BatchResult
		// Labelled for a CPU profile (-cpuprofile; pprof -tagfocus
		// side=batch-tmpfs-20, batch-tmpfs-1, batch-disk-20 or bare).
		pprof.Do(ctx, pprof.Labels("side", fmt.Sprintf("batch-%s-%d", where, len(paths))), func(ctx context.Context) {
			res, err = a.SignBatch(ctx, flow.BatchSignRequest{Forms: paths, OutDir: out,
				Credential: flow.CredentialChoice{Token: pkcs11.Selector{Label: pkcs11.JPKISignatureLabel}}}, (&recorder{pin: vcard.SignaturePIN}).callbacks(), nil)
		})
		d := time.Since(start)
		cpu := processCPU(b) - cpu0
		if err != nil || res.Signed != len(paths) {
			b.Fatalf("batch: %v (%d signed)", err, res.Signed)
		}
		return d, cpu
	}
	var first, firstRaw time.Duration
	for range b.N * reps {
		bare.login() // untimed: logged out at the end of each round
		cpu0 := processCPU(b)
		start := time.Now()
		pprof.Do(ctx, pprof.Labels("side", "bare"), func(context.Context) {
			for range n {
				bare.sign()
			}
		})
		d := time.Since(start)
		rawCPU = append(rawCPU, processCPU(b)-cpu0)
		raw = min(raw, d)
		// Untimed: logged out, so that the batch's C_Login is not
		// answered "already logged in" for the bare session's login.
		bare.logout()

		o, cpu := batch(paths, fast)
		ratios = append(ratios, o.Seconds()/d.Seconds())
		if first == 0 {
			first, firstRaw = o, d
		}
		ours = min(ours, o)
		oursCPU = append(oursCPU, cpu)
		o1, _ := batch(paths[:1], fast)
		one = min(one, o1)
		od, _ := batch(paths, disk)
		onDisk = min(onDisk, od)
	}
	bare.close()
	if left, _ := card.TriesLeft(); left != vcard.SignaturePINTries {
		b.Fatalf("the card has %d tries left", left)
	}
	ms := func(d time.Duration) float64 { return d.Seconds() * 1000 }
	b.ReportMetric(ms(ours), "batch-ms")
	b.ReportMetric(ms(raw), "bare-C_Sign-ms")
	// The session's fixed cost shows in the batch of one form: finding
	// the token, the tries, the login, the certificates, one signature.
	b.ReportMetric(ms(one), "batch-of-one-ms")
	paired := median(ratios)
	b.ReportMetric(paired, "x-bare-C_Sign")
	b.ReportMetric(ours.Seconds()/raw.Seconds(), "x-bare-C_Sign-best")
	// The process's CPU per signature, the median of the rounds of each
	// side (the batch on tmpfs).
	b.ReportMetric(ms(median(oursCPU))/n, "batch-cpu-ms/form")
	b.ReportMetric(ms(median(rawCPU))/n, "bare-cpu-ms/form")
	b.ReportMetric(onDisk.Seconds()/raw.Seconds(), "x-bare-C_Sign-disk")
	b.ReportMetric(first.Seconds()/firstRaw.Seconds(), "x-bare-C_Sign-first-batch")
	// What each signature after the first adds to a batch, against one
	// bare signature: the session's fixed cost (finding the token, the
	// tries, the login, the certificates) left out.
	marginal := (ours - one).Seconds() / (n - 1)
	b.ReportMetric(marginal/(raw.Seconds()/n), "x-bare-C_Sign-per-added-form")
	b.Logf("%d card signatures, %d rounds: the median of each round's batch against its bare signatures %.2f; best of each: one batch %v (on disk %v; a batch of one form %v), bare context-specific logins + C_Sign %v, ratio %.2f (on disk %.2f); each added form %.2f ms vs %.2f ms bare (%.2f); the first batch, which looked for the card in every slot, %v vs %v bare (%.2f)",
		n, b.N*reps, paired, ours, onDisk, one, raw, ours.Seconds()/raw.Seconds(), onDisk.Seconds()/raw.Seconds(), marginal*1000, raw.Seconds()*1000/n, marginal/(raw.Seconds()/n),
		first, firstRaw, first.Seconds()/firstRaw.Seconds())
}

// median is the middle of xs (the upper one of an even count).
func median[T cmp.Ordered](xs []T) T {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// processCPU is the CPU time (user + system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// bareCard is a session of its own on the card's signature token, logged
// in, with the signature key found.
type bareCard struct{ login, logout, sign, close func() }

func bareCardSigner(b *testing.B, m pkcs11.Module, pin string) bareCard {
	b.Helper()
	slots, err := m.GetSlotList(true)
	if err != nil {
		b.Fatal(err)
	}
	for _, slot := range slots {
		if ti, err := m.GetTokenInfo(slot); err != nil || strings.TrimRight(ti.Label, " ") != pkcs11.JPKISignatureLabel {
			continue
		}
		sh, err := m.OpenSession(slot, p11.CKF_SERIAL_SESSION)
		if err != nil {
			b.Fatal(err)
		}
		login := func() {
			if err := m.Login(sh, p11.CKU_USER, pin); err != nil && !errors.Is(err, p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN)) {
				b.Fatal(err)
			}
		}
		login()
		if err := m.FindObjectsInit(sh, []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
			p11.NewAttribute(p11.CKA_ID, []byte{2})}); err != nil {
			b.Fatal(err)
		}
		keys, _, err := m.FindObjects(sh, 1)
		m.FindObjectsFinal(sh)
		if err != nil || len(keys) != 1 {
			b.Fatalf("signature key not found: %v", err)
		}
		digest := sha256.Sum256([]byte("form"))
		di := append([]byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
			0x05, 0x00, 0x04, 0x20}, digest[:]...)
		return bareCard{login: login, logout: func() { m.Logout(sh) }, sign: func() {
			if err := m.SignInit(sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS, nil)}, keys[0]); err != nil {
				b.Fatal(err)
			}
			if err := m.Login(sh, p11.CKU_CONTEXT_SPECIFIC, pin); err != nil {
				b.Fatal(err)
			}
			if _, err := m.Sign(sh, di); err != nil {
				b.Fatal(err)
			}
		}, close: func() { m.Logout(sh); m.CloseSession(sh) }}
	}
	b.Fatalf("no token %q", pkcs11.JPKISignatureLabel)
	return bareCard{}
}
