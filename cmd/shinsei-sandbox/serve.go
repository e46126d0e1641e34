package main

import (
	"context"
	"encoding/pem"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// runServe starts the outside world on this machine: a fresh sandbox kit
// (credentials and the SoftHSM token), the CRL/OCSP/VA responders and the
// reference service over HTTPS, and prints where everything is. The
// service's database in DIR/service is kept across runs; the kit is
// issued anew each time.
func runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8443", "serve the API on `HOST:PORT`")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "shinsei-sandbox"), "keep the kit and the service's data in `DIR`")
	verbose := fs.Bool("v", false, "log one line per request (never bodies, tokens or personal data)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	kitDir := filepath.Join(*dir, "kit")
	if err := os.RemoveAll(kitDir); err != nil {
		return err
	}
	logger := slog.New(slog.DiscardHandler)
	if *verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	world, err := sandbox.Start(ctx, sandbox.Options{KitDir: kitDir, Service: service.Config{
		DBPath: filepath.Join(*dir, "service", "service.db"), Addr: *addr, Logger: logger,
	}})
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
	fmt.Printf("  back office     %s/sandbox/applications[/ARRIVAL/status]  (sandbox only)\n", svc.URL())
	fmt.Printf("  CRLs, OCSP, VA  %s  (/crl/NAME.crl, /ocsp/NAME/ca, /va)\n", world.Responders.URL)
	fmt.Printf("  kit             %s   (roots/*.pem, resident.p12, corporate.p12, official.p12; .p12 password %q)\n", k.Dir, kit.P12Password)
	fmt.Printf("  resident token  export SOFTHSM2_CONF=%s   (token %q, signature password %s)\n",
		k.SoftHSMConf, kit.TokenLabel, kit.PIN)
	fmt.Printf("  service data    %s\n", filepath.Join(*dir, "service"))
	fmt.Println("Ctrl-C stops everything.")
	<-ctx.Done()
	fmt.Println("stopping")
	return nil
}

func writeCertPEM(path string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}
