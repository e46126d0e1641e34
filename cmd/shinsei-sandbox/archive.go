package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/signer"
)

// runArchive runs the service's archive maintenance:
//
//	archive renew --dir DIR [--before 90d] [--tsa URL] [--at RFC3339] [--json]
//
// renews the archive time-stamp of every package the reference service of
// the sandbox directory DIR ('serve --dir DIR') archived whose authority's
// certificate expires within --before (or that has none yet): a new
// ASiCArchiveManifest.xml and token over the previous ones, each package
// rewritten atomically. The time-stamps come from --tsa, or from the
// sandbox's own authority started on DIR's PKI for the run. --at moves
// the clock the expiry is judged by.
func runArchive(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "renew" {
		return usageErr("archive renew --dir DIR [--before 90d] [--tsa URL] [--at RFC3339] [--json]")
	}
	fs := flag.NewFlagSet("archive renew", flag.ContinueOnError)
	dir := fs.String("dir", "", "the sandbox directory of 'serve --dir DIR', whose service archived the packages")
	beforeText := fs.String("before", "90d", "renew what expires within this `DURATION` (e.g. 90d, 2160h)")
	tsaURL := fs.String("tsa", "", "the time-stamp authority (`URL`); default: the sandbox's, started on DIR's PKI")
	atText := fs.String("at", "", "judge expiry as at this `RFC3339` time instead of now")
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := fs.Parse(args[1:]); err != nil {
		return usageErr(err.Error())
	}
	if *dir == "" || fs.NArg() != 0 {
		return usageErr("archive renew needs --dir DIR and no other argument")
	}
	before, err := parseDays(*beforeText)
	if err != nil {
		return usageErr("--before: " + err.Error())
	}
	now := time.Now()
	if *atText != "" {
		if now, err = time.Parse(time.RFC3339, *atText); err != nil {
			return usageErr("--at: " + err.Error())
		}
	}
	archive := service.ArchiveDir(filepath.Join(*dir, "service", "service.db"))
	if _, err := os.Stat(archive); err != nil {
		return fmt.Errorf("no archive in %s (has 'serve --dir %s' received anything?): %w", *dir, *dir, err)
	}
	tsa := signer.TSA{URL: *tsaURL}
	if tsa.URL == "" {
		p, err := pki.Load(filepath.Join(*dir, "pki"), time.Now())
		if err != nil {
			return fmt.Errorf("the sandbox PKI of %s: %w", *dir, err)
		}
		r, err := responder.Start(ctx, p, pki.NewRegistry(), "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer r.Close()
		tsa.URL = r.TSAURL()
	}
	done, err := service.RenewArchives(ctx, archive, tsa, now, before)
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"archive": archive, "packages": done})
	} else {
		renewed := 0
		for _, r := range done {
			switch {
			case r.Err != "":
				fmt.Printf("  %s  NOT RENEWED: %s\n", r.Arrival, r.Err)
			case r.Renewed:
				renewed++
				fmt.Printf("  %s  renewed: %s at %s, its authority valid to %s (%s)\n", r.Arrival, r.Token,
					r.Time.UTC().Format(time.RFC3339), r.NewExpires.UTC().Format(time.DateOnly), r.Path)
				if r.Late {
					fmt.Printf("  %s  warning: renewed too late: the previous authority expired %s, so the archive proves nothing from before now\n",
						r.Arrival, r.Expires.UTC().Format(time.DateOnly))
				}
			default:
				fmt.Printf("  %s  not due: its authority is valid to %s\n", r.Arrival, r.Expires.UTC().Format(time.DateOnly))
			}
		}
		fmt.Printf("%d of %d archived packages renewed (%s)\n", renewed, len(done), archive)
	}
	return err
}

// parseDays reads a duration in days ("90d") or as Go writes one.
func parseDays(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, errors.New("want a number of days, such as 90d")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, errors.New("want a duration, such as 90d or 2160h")
	}
	return d, nil
}

// usageError is a command line that cannot be run as given (exit 2).
type usageError string

func (e usageError) Error() string { return string(e) }

func usageErr(msg string) error { return usageError(msg) }
