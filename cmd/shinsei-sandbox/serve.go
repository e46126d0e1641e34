package main

import (
	"context"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// runServe starts the outside world on this machine: the sandbox kit
// (credentials and the SoftHSM token), the CRL/OCSP/VA responders and the
// reference service over HTTPS, and prints where everything is. Kept
// across runs on the same DIR: the sandbox PKI (DIR/pki, keys 0600), the
// kit's credentials it issued (DIR/kit) and the service's database
// (DIR/service), so that what was signed or filed before a restart is
// still trusted and known. Remove DIR for a fresh sandbox.
func runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8443", "serve the API on `HOST:PORT`")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "shinsei-sandbox"), "keep the kit and the service's data in `DIR`")
	verbose := fs.Bool("v", false, "log one line per request (never bodies, tokens or personal data)")
	admin := fs.String("admin", "", "serve the back office (/sandbox/*: every application, statuses, notices) on its own loopback `HOST:PORT`, behind a token written to DIR/admin-token; without it there is none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.DiscardHandler)
	if *verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	// Windows has no SoftHSM of its own: there the .p12 files are the
	// practice credentials, as with 'kit'.
	world, err := sandbox.Start(ctx, sandbox.InDir(*dir, sandbox.Options{Service: service.Config{
		Addr: *addr, Logger: logger, AdminAddr: *admin,
	}, Kit: kit.Options{SoftHSMOptional: runtime.GOOS == "windows"}}))
	if err != nil {
		return err
	}
	defer world.Close()
	k, svc := world.Kit, world.Service

	caFile := filepath.Join(*dir, "service-ca.pem")
	vaFile := filepath.Join(*dir, "service-va.pem")
	if err := writeCertPEM(caFile, svc.CACert().Raw); err != nil {
		return err
	}
	if err := writeCertPEM(vaFile, svc.VACert().Raw); err != nil {
		return err
	}

	api := svc.URL() + submit.APIPrefix
	fmt.Println("Shinsei サンドボックス / sandbox: the reference service is running")
	fmt.Printf("  service API     %s\n", api)
	fmt.Printf("  API description %s/openapi.yaml\n", api)
	fmt.Printf("  trust this CA   %s   (sandbox LGPKI root: the service's TLS anchor)\n", caFile)
	fmt.Printf("  OCSP (VA)       %s/ocsp, signed by %s (trust it directly)\n", api, vaFile)
	fmt.Printf("  validation      %s/validation\n", api)
	tokenFile := filepath.Join(*dir, "admin-token")
	if err := os.Remove(tokenFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if svc.AdminURL() != "" {
		if err := writePrivate(tokenFile, []byte(svc.AdminToken()+"\n")); err != nil {
			return err
		}
		fmt.Printf("  back office     %s/sandbox/applications[/ARRIVAL/status]   (this listener only; header\n", svc.AdminURL())
		fmt.Printf("                  \"Authorization: Bearer TOKEN\", the token in %s, new at each start)\n", tokenFile)
	} else {
		fmt.Println("  back office     off (start with --admin 127.0.0.1:PORT to have one, on its own port)")
	}
	fmt.Printf("  CRLs, OCSP, VA  %s  (/crl/NAME.crl, /ocsp/NAME/ca, /va)\n", world.Responders.URL)
	fmt.Printf("  time-stamps     %s  (RFC 3161, announced by the service's catalogue)\n", world.Responders.TSAURL())
	fmt.Printf("  kit             %s   (roots/*.pem, resident.p12, corporate.p12, official.p12; .p12 password %q)\n", k.Dir, kit.P12Password)
	if k.HasToken() {
		fmt.Printf("  resident token  export SOFTHSM2_CONF=%s   (module %s, token %q, signature password %s)\n",
			k.SoftHSMConf, k.SoftHSMModule, kit.TokenLabel, kit.PIN)
	} else {
		fmt.Printf("  resident token  none (%v); the resident's practice credential is resident.p12\n", k.TokenErr)
	}
	fmt.Printf("  service data    %s\n", filepath.Join(*dir, "service"))
	fmt.Printf("  archive         %s   (ARRIVAL.asice, with the service's archive time-stamp;\n", service.ArchiveDir(filepath.Join(*dir, "service", "service.db")))
	fmt.Printf("                  'shinsei-sandbox archive renew --dir %s' renews them before their authority expires)\n", *dir)
	fmt.Println("Ctrl-C stops everything.")
	<-ctx.Done()
	fmt.Println("stopping")
	return nil
}

// writePrivate writes a new file at path that only its owner can read.
func writePrivate(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeCertPEM(path string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}
