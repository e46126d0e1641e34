package service

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/submit"
)

func TestTheApplicantDownloadsTheArchivedPackageOfTheirOwnApplication(t *testing.T) {
	tsa := newTestTSA(t, "Service Test TSA", time.Now().Add(-time.Hour), time.Now().Add(3*365*24*time.Hour), time.Now)
	e := newSvcEnv(t, func(c *Config) { c.TSAURL = tsa.url })
	rec := e.moveOut(t)
	doc := sampleForm(ProcMoveOut, nil)
	doc.Fields["members"] = json.Number("3") // another application
	r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, makePackage(t, e.creds.resident, doc))
	var other submit.Receipt
	r.decode(t, &other)
	kept, err := os.ReadFile(e.archived(rec))
	if err != nil {
		t.Fatal(err)
	}
	get := func(arrival string, header map[string]string) response {
		return e.do(testRequest{method: http.MethodGet, path: "/applications/" + arrival + "/archive", header: header})
	}
	tests := []struct {
		name    string
		arrival string
		header  map[string]string
		status  int
		reason  submit.Reason
	}{
		{"with the application's inquiry number, the archived package as kept", rec.ArrivalNumber, map[string]string{submit.HeaderInquiry: rec.InquiryNumber}, http.StatusOK, ""},
		{"without credentials, login-required", rec.ArrivalNumber, nil, http.StatusUnauthorized, submit.ReasonLoginRequired},
		{"with another application's inquiry number, not found", rec.ArrivalNumber, map[string]string{submit.HeaderInquiry: other.InquiryNumber}, http.StatusNotFound, submit.ReasonNotFound},
		{"an arrival number that does not exist, not found", "0000000000000000", map[string]string{submit.HeaderInquiry: rec.InquiryNumber}, http.StatusNotFound, submit.ReasonNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(tt.arrival, tt.header)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status != http.StatusOK {
				if p := r.problem(t); p.Reason != tt.reason {
					t.Fatalf("reason %q, want %q", p.Reason, tt.reason)
				}
				return
			}
			if !bytes.Equal(r.body, kept) || r.header.Get("Content-Type") != submit.MediaASiCE {
				t.Fatalf("got %d bytes (%s), want the %d archived", len(r.body), r.header.Get("Content-Type"), len(kept))
			}
			if sha256Bytes(r.body) != rec.ArchivedSHA256 {
				t.Fatal("the download is not the package the receipt names")
			}
		})
	}

	t.Run("an application whose package is not archived is not found", func(t *testing.T) {
		if err := os.Remove(e.archived(other)); err != nil {
			t.Fatal(err)
		}
		r := get(other.ArrivalNumber, map[string]string{submit.HeaderInquiry: other.InquiryNumber})
		if r.status != http.StatusNotFound || r.problem(t).Reason != submit.ReasonNotFound {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	})
}

func sha256Bytes(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
