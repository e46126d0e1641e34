package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/settings"
	"github.com/shinsei-app/shinsei/ui"
)

// run parses the flags, loads the settings from the user's config
// directory and runs the app: against the configured service, or, when
// nothing is configured (or -sandbox is given), against the sandbox
// started in this process. A file argument (an .asice file opened from
// the desktop) opens the window on the notice screen, verifying it.
func run(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("shinsei", flag.ContinueOnError)
	confDir, _ := os.UserConfigDir()
	defaultSettings, _ := settings.DefaultPath()
	settingsPath := fl.String("settings", defaultSettings, "the settings `FILE`")
	sandboxMode := fl.Bool("sandbox", false, "use the embedded sandbox even when a service is configured")
	lang := fl.String("lang", "", "the language, ja or en (default: the settings', else ja)")
	fl.Usage = func() {
		fmt.Fprintln(fl.Output(), "usage: shinsei [-lang ja|en] [-sandbox] [-settings FILE] [PACKAGE.asice]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return err
	}
	notice, err := noticeArg(fl.Args())
	if err != nil {
		return err
	}
	set, err := settings.Load(*settingsPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if *lang != "" {
		set.Lang = i18n.Lang(*lang)
	}
	if set.DataDir == "" {
		set.DataDir = filepath.Join(confDir, "shinsei", "data")
	}
	opts := ui.Options{Settings: set, SettingsPath: *settingsPath, Open: openApp, Modules: modulePaths(),
		OpenNotice: notice}
	if *sandboxMode || set.ServiceURL == "" {
		sb, err := newSandboxWorld(set.Lang)
		if err != nil {
			return err
		}
		defer sb.close()
		opts.Sandbox, opts.Open, opts.SandboxNote = true, sb.open, sb.note
		opts.Diag.Anchors = []string{sb.caFile()}
	}
	if log, err := errorLog(); err == nil {
		opts.Diag.Errors = log
	}
	if f := os.Getenv("SHINSEI_EVENTS_FILE"); f != "" {
		// For scripts/screenshots: a line per step the window reaches,
		// then one per button it shows (tab-separated).
		ev, err := os.OpenFile(f, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("SHINSEI_EVENTS_FILE: %w", err)
		}
		defer ev.Close()
		opts.OnEvent = func(step string, buttons []ui.Target) {
			_, _ = fmt.Fprintln(ev, "step", step)
			for _, b := range buttons {
				_, _ = fmt.Fprintf(ev, "button\t%.0f\t%.0f\t%s\t%s\n", b.X, b.Y, b.Label, b.Context)
			}
		}
	}
	return ui.Run(ctx, opts)
}

// errManyFiles: the app opens one package at a time.
var errManyFiles = errors.New("give one package file at most")

// noticeArg returns the package file among the arguments, as an absolute
// path ("" when none).
func noticeArg(args []string) (string, error) {
	switch len(args) {
	case 0:
		return "", nil
	case 1:
		return filepath.Abs(args[0])
	}
	return "", fmt.Errorf("%w (%d given)", errManyFiles, len(args))
}

// openApp opens the flow.App for the settings.
func openApp(ctx context.Context, s ui.Settings) (*flow.App, error) {
	cfg := flow.Config{ServiceURL: s.ServiceURL, ServiceSystemRoots: s.SystemRoots, Module: s.Module,
		DataDir: s.DataDir, Lang: s.Lang}
	var err error
	if cfg.ServiceAnchors, err = settings.ReadCertificates(s.ServiceAnchors...); err != nil {
		return nil, err
	}
	if cfg.ServiceVA, err = s.VA(); err != nil {
		return nil, err
	}
	if cfg.TrustAnchors, err = settings.ReadCertificates(s.TrustAnchors...); err != nil {
		return nil, err
	}
	if cfg.Proxy, err = s.ProxyFunc(); err != nil {
		return nil, err
	}
	return flow.Open(ctx, cfg)
}

func modulePaths() []string {
	var out []string
	for _, m := range pkcs11.FindModules() {
		out = append(out, m.Path)
	}
	return out
}

func errorLog() (*diagnosis.ErrorLog, error) {
	p, err := diagnosis.DefaultErrorLogPath()
	if err != nil {
		return nil, err
	}
	return diagnosis.OpenErrorLog(p, 0)
}
