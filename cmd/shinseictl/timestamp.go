package main

import (
	"context"
	"fmt"

	"github.com/shinsei-app/shinsei/submit"
)

// stampView is what 'timestamp --json' prints.
type stampView struct {
	Package string `json:"package"`
	Added   int    `json:"added"`
}

// runTimestamp adds a signature time-stamp (CAdES-T) to the signatures of
// a package that have none (flow.Timestamp): what a package signed while
// the time-stamp authority could not be reached gets later. It asks --tsa,
// or the authority the service (--service, or the saved settings')
// announces.
func runTimestamp(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("timestamp")
	var serviceAnchors multiFlag
	tsaURL := fs.String("tsa", "", "the RFC 3161 time-stamp authority at `URL` (default: the one the service announces)")
	service := fs.String("service", "", "use the time-stamp authority the service at `URL` (https://host[:port]) announces")
	fs.Var(&serviceAnchors, "service-anchor", "trust this CA `CERT` for the service's server certificate (PEM or DER; repeatable)")
	asJSON := fs.Bool("json", false, "print one JSON document")
	var saved settingsFlags
	saved.register(fs)
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if len(operands) != 1 {
		return usageError("name one package", "timestamp: want 1 package, got %d", len(operands))
	}
	cfg := cliConfig()
	cfg.TSAURL = *tsaURL
	switch {
	case *tsaURL != "":
	case *service != "":
		if _, err := submit.CanonicalURL(*service); err != nil {
			return usageError("give the service as https://host[:port]", "timestamp: %w", err)
		}
		cfg.ServiceURL, cfg.ServiceSystemRoots = *service, true
		if len(serviceAnchors) > 0 {
			if cfg.ServiceAnchors, err = loadCertFiles(serviceAnchors); err != nil {
				return err
			}
			cfg.ServiceSystemRoots = false
		}
	default:
		if s, err := saved.load("timestamp"); err != nil {
			return err
		} else if s != nil {
			if _, err := s.service("timestamp", &cfg); err != nil {
				return err
			}
		}
	}
	app, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	st, err := app.Timestamp(ctx, operands[0])
	if err != nil {
		return err
	}
	if *asJSON {
		writeJSON(std.out, stampView{Package: st.Path, Added: st.Added})
		return nil
	}
	if st.Added == 0 {
		fmt.Fprintf(std.out, "%s: every signature already has a timestamp; nothing changed\n", st.Path)
		return nil
	}
	fmt.Fprintf(std.out, "%s: timestamp added to %d signature(s) (CAdES-T)\n", st.Path, st.Added)
	return nil
}
