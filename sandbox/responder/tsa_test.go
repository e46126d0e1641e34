package responder

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/digitorus/timestamp"

	"github.com/shinsei-app/shinsei/internal/testenv/tool"
)

// TestOpenSSLAcceptsTheSandboxTimestamps has openssl make a time-stamp
// request, posts it to the sandbox authority, and has openssl verify the
// reply against the request, the private root and the authority's
// certificate.
func TestOpenSSLAcceptsTheSandboxTimestamps(t *testing.T) {
	openssl := tool.OpenSSL(t)
	rs := respStart(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "signature-value.bin")
	if err := os.WriteFile(data, []byte("the signature value"), 0o600); err != nil {
		t.Fatal(err)
	}
	query := filepath.Join(dir, "request.tsq")
	if out, err := exec.Command(openssl, "ts", "-query", "-data", data, "-sha256", "-cert", "-out", query).CombinedOutput(); err != nil {
		t.Fatalf("openssl ts -query: %v\n%s", err, out)
	}
	tsq, err := os.ReadFile(query)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(rs.TSAURL(), "application/timestamp-query", bytes.NewReader(tsq))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reply bytes.Buffer
	if _, err := reply.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/timestamp-reply" {
		t.Fatalf("HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, err := timestamp.ParseResponse(reply.Bytes()); err != nil {
		t.Fatalf("the reply does not parse: %v", err)
	}
	replyFile := filepath.Join(dir, "reply.tsr")
	if err := os.WriteFile(replyFile, reply.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(openssl, "ts", "-verify", "-queryfile", query, "-in", replyFile,
		"-CAfile", respWritePEM(t, dir, "root.pem", rs.PKI.Private.Cert),
		"-untrusted", respWritePEM(t, dir, "tsa.pem", rs.TSA.Cert)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}

	t.Run("a request that is not a time-stamp request is rejected with a TimeStampResp", func(t *testing.T) {
		resp, err := http.Post(rs.TSAURL(), "application/timestamp-query", strings.NewReader("not DER"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		if _, err := timestamp.ParseResponse(b.Bytes()); err == nil || !strings.Contains(err.Error(), "wrong format") {
			t.Fatalf("want a rejection, got %v", err)
		}
	})
}
