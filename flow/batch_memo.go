package flow

import (
	"context"
	"crypto/x509"
	"sync"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
)

// A batch (SignBatch) pre-checks every form, and what does not depend on
// the form — the certificate's path and revocation status, the service's
// answer and clock — is the same for all of them within the batch. The
// batch's context carries a batchMemo so that those are established once,
// by the first form's pre-check, and each form still gets its own
// identity, certificate-type and schema lines. Outside a batch nothing is
// remembered.

type batchMemoKey struct{}

// batchMemo is what the pre-checks of one batch established.
type batchMemo struct {
	mu     sync.Mutex
	probe  *serviceProbeResult
	certs  map[*x509.Certificate]*certcheck.Result
	served map[*x509.Certificate]servedRevocation
}

// servedRevocation is the service's validation answer for a certificate.
type servedRevocation struct {
	rev    certcheck.Revocation
	served bool
}

// withBatchMemo returns ctx carrying a new batchMemo.
func withBatchMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, batchMemoKey{}, &batchMemo{
		certs: map[*x509.Certificate]*certcheck.Result{}, served: map[*x509.Certificate]servedRevocation{}})
}

func memoOf(ctx context.Context) *batchMemo {
	m, _ := ctx.Value(batchMemoKey{}).(*batchMemo)
	return m
}

// checkCertificate is certcheck.Check, once per certificate in a batch.
func checkCertificate(ctx context.Context, cert *x509.Certificate, opts certcheck.Options) *certcheck.Result {
	m := memoOf(ctx)
	if m == nil {
		return certcheck.Check(ctx, cert, opts)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.certs[cert]; ok {
		return r
	}
	r := certcheck.Check(ctx, cert, opts)
	m.certs[cert] = r
	return r
}

// probeServiceOnce is probeService, once in a batch: a later form gets
// the first answer with its times moved on by the time since, so the
// clock difference it shows is the one measured.
func (a *App) probeServiceOnce(ctx context.Context) serviceProbeResult {
	m := memoOf(ctx)
	if m == nil {
		return a.probeService(ctx)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.probe == nil {
		pr := a.probeService(ctx)
		m.probe = &pr
		return pr
	}
	pr := *m.probe
	if !pr.received.IsZero() {
		d := time.Since(pr.received)
		pr.sent, pr.received = pr.sent.Add(d), pr.received.Add(d)
		if !pr.date.IsZero() {
			pr.date = pr.date.Add(d)
		}
	}
	return pr
}

// serviceRevocation asks the service's validation endpoint about cert,
// once per certificate in a batch.
func (a *App) serviceRevocation(ctx context.Context, cert *x509.Certificate, at time.Time) (certcheck.Revocation, bool) {
	m := memoOf(ctx)
	if m == nil {
		return (&serviceValidation{client: a.client}).Check(ctx, certcheck.Query{Cert: cert, At: at})
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.served[cert]; ok {
		return s.rev, s.served
	}
	rev, served := (&serviceValidation{client: a.client}).Check(ctx, certcheck.Query{Cert: cert, At: at})
	m.served[cert] = servedRevocation{rev, served}
	return rev, served
}
