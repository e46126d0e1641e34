//go:build cgo && linux

package flow_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/kit"
)

// Within one batch the certificate and the time are the same for every
// form, so the certificate's path and revocation, and the service's
// answer, are established once for the batch: the service is asked once
// whatever the number of forms, and every form shows the same verdict
// on its own pre-check, beside its own form lines.
func TestSignBatchEstablishesTheCertificatesVerdictOnceAndShowsItOnEveryForm(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	ctx := context.Background()
	for _, n := range []int{1, 4} {
		var mu sync.Mutex
		asked := map[string]int{}
		a, _ := openApp(t, svc, w.pki, nil, func(c *flow.Config) {
			c.DoNotKeepCertificates = true
			c.Proxy = func(r *http.Request) (*url.URL, error) {
				mu.Lock()
				asked[r.Method+" "+r.URL.Path]++
				mu.Unlock()
				return nil, nil
			}
		})
		names := []string{"a.txt", "b.txt", "c.txt", "d.txt"}[:n]
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
		res, err := a.SignBatch(ctx, flow.BatchSignRequest{Forms: batchForms(t, names, nil), OutDir: fsxtest.TempDir(t),
			Credential: flow.P12File(p12File(t, w.corpP12))}, r.callbacks(), nil)
		if err != nil || res.Signed != n {
			t.Fatalf("%d forms: %v, %d signed", n, err, res.Signed)
		}
		mu.Lock()
		revocation := 0
		for req, k := range asked {
			if k != 1 {
				t.Errorf("a batch of %d forms asked %q %d times, want once", n, req, k)
			}
			if strings.HasPrefix(req, "POST ") {
				revocation += k
			}
		}
		if revocation != 1 {
			t.Errorf("a batch of %d forms asked the certificate's revocation %d times, want once (%v)", n, revocation, asked)
		}
		mu.Unlock()
		first := res.Items[0].Precheck
		for i, it := range res.Items {
			if it.Precheck == nil || it.Precheck.Cert != first.Cert {
				t.Fatalf("form %d: its pre-check's certificate result is not the batch's", i)
			}
			for _, line := range []flow.LineID{flow.LineCertificate, flow.LineRevocation} {
				got, ok1 := it.Precheck.Line(line, "")
				want, ok2 := first.Line(line, "")
				if !ok1 || !ok2 || got.Level != want.Level || got.Message != want.Message {
					t.Errorf("form %d: line %v %+v, want the first form's %+v", i, line, got, want)
				}
			}
			if i > 0 && it.Precheck == first {
				t.Errorf("form %d shares the first form's pre-check; want its own", i)
			}
		}
	}
}
