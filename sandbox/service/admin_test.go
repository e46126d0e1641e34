package service

import (
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/submit"
)

// raw sends a request to url with the test client and returns the status
// and body.
func (e *testEnv) raw(method, url, token, body string) (int, string) {
	e.tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		e.tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", submit.MediaJSON)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTheBackOfficeIsServedOnlyOnItsOwnListenerWithItsToken(t *testing.T) {
	e := newSvcEnv(t, func(c *Config) { c.AdminAddr = "127.0.0.1:0" })
	r := e.submitApp(ProcBulkyWaste, newKey(), "", submit.MediaJSON, mustJSON(t, sampleForm(ProcBulkyWaste, nil)))
	var rec submit.Receipt
	r.decode(t, &rec)
	if r.status != http.StatusCreated {
		t.Fatalf("%d %s", r.status, r.body)
	}
	admin, token := e.svc.AdminURL(), e.svc.AdminToken()
	if admin == "" || admin == e.svc.URL() || len(token) < 40 {
		t.Fatalf("admin %q beside %q, a token of %d characters", admin, e.svc.URL(), len(token))
	}
	list, status := "/sandbox/applications", "/sandbox/applications/"+rec.ArrivalNumber+"/status"
	advance := `{"status": "completed", "notice": {"title_ja": "収集日のお知らせ", "title_en": "Collection date"}}`

	tests := []struct {
		name, method, url, token, body string
		want                           int
	}{
		{"the API port does not know the list", http.MethodGet, e.svc.URL() + list, "", "", http.StatusNotFound},
		{"the API port does not know the list, even with the token", http.MethodGet, e.svc.URL() + list, token, "", http.StatusNotFound},
		{"the API port does not set a status, even with the token", http.MethodPost, e.svc.URL() + status, token, advance, http.StatusNotFound},
		{"the back office refuses a request without the token", http.MethodGet, admin + list, "", "", http.StatusUnauthorized},
		{"the back office refuses a wrong token", http.MethodGet, admin + list, token[:len(token)-1] + "x", "", http.StatusUnauthorized},
		{"the back office refuses a session token of the API", http.MethodPost, admin + status, e.residentToken(e.creds.resident), advance, http.StatusUnauthorized},
		{"the back office does not serve the API", http.MethodGet, admin + submit.APIPrefix + "/procedures", token, "", http.StatusNotFound},
		{"the back office lists the applications with the token", http.MethodGet, admin + list, token, "", http.StatusOK},
		{"the back office issues a notice with the token", http.MethodPost, admin + status, token, advance, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, body := e.raw(tc.method, tc.url, tc.token, tc.body)
			if got != tc.want {
				t.Fatalf("%d %s, want %d", got, body, tc.want)
			}
			if got != http.StatusOK && strings.Contains(body, rec.ArrivalNumber) {
				t.Errorf("a refusal named the arrival number: %s", body)
			}
		})
	}
	st, err := e.svc.Advance(t.Context(), rec.ArrivalNumber, SandboxAdvance{Status: submit.StatusCompleted})
	if err != nil || len(st.Notices) != 1 {
		t.Errorf("after the back office's notice: %+v, %v", st, err)
	}
}

func TestTheBackOfficeIsOffUnlessAskedForAndOnlyOnLoopback(t *testing.T) {
	e := newSvcEnv(t)
	if e.svc.AdminURL() != "" || e.svc.AdminToken() != "" {
		t.Errorf("a back office without Config.AdminAddr: %q", e.svc.AdminURL())
	}
	if got, body := e.raw(http.MethodGet, e.svc.URL()+"/sandbox/applications", "", ""); got != http.StatusNotFound {
		t.Errorf("the API port: %d %s", got, body)
	}
	_, err := Start(t.Context(), Config{PKI: e.creds.pki, Registry: e.reg, DBPath: filepath.Join(fsxtest.TempDir(t), "s.db"), AdminAddr: "0.0.0.0:0"})
	if !errors.Is(err, errAdminNotLoopback) {
		t.Errorf("a back office on every interface started: %v", err)
	}
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0", "example.com:0"} {
		if err := adminLoopback(addr); !errors.Is(err, errAdminNotLoopback) {
			t.Errorf("%s: %v, want refused", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		if err := adminLoopback(addr); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
}
