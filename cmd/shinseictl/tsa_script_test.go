package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
)

// opensslTSA is the script command "openssl-tsa CERT KEY": openssl as an
// RFC 3161 time-stamp authority ('openssl ts -reply' with CERT and KEY)
// behind a loopback HTTP handler, its URL in $TSA until the script ends;
// $TSA/garbage answers bytes that are no time-stamp reply.
func opensslTSA(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: openssl-tsa CERT KEY")
	}
	dir := ts.MkAbs(".tsa")
	ts.Check(os.MkdirAll(dir, 0o700))
	cert, key := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	cfg := filepath.Join(dir, "tsa.cnf")
	ts.Check(os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600))
	ts.Check(os.WriteFile(cfg, []byte(fmt.Sprintf("[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = %s\ncrypto_device = builtin\n"+
		"default_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\nsigner_digest = sha256\ness_cert_id_alg = sha256\naccuracy = secs:1\n",
		filepath.Join(dir, "serial"))), 0o600))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/garbage" {
			w.Write([]byte("this is not DER \x00\xff\x30\x82"))
			return
		}
		q, err := io.ReadAll(io.LimitReader(r.Body, 8<<10))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		f, err := os.CreateTemp(dir, "q*.tsq")
		if err != nil {
			http.Error(w, "no space", http.StatusInternalServerError)
			return
		}
		f.Write(q)
		f.Close()
		out := f.Name() + ".tsr"
		if o, err := exec.Command("openssl", "ts", "-reply", "-config", cfg, "-queryfile", f.Name(),
			"-signer", cert, "-inkey", key, "-out", out).CombinedOutput(); err != nil {
			http.Error(w, "openssl ts -reply: "+string(o), http.StatusInternalServerError)
			return
		}
		resp, err := os.ReadFile(out)
		if err != nil {
			http.Error(w, "no reply", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(resp)
	}))
	ts.Defer(srv.Close)
	ts.Setenv("TSA", srv.URL)
}
