package main

import (
	"errors"
	"flag"
	"io/fs"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/settings"
	"github.com/shinsei-app/shinsei/submit"
)

// settingsFlags name the saved settings — the window's settings file,
// or another — that a command falls back on when its flags name no
// service (and, for sign, no anchors either).
type settingsFlags struct {
	file string
	none bool
}

func (f *settingsFlags) register(set *flag.FlagSet) {
	set.StringVar(&f.file, "settings", "", "when no --service is given, use the service and trust anchors of the settings `FILE` (default: the window's, shinsei/settings.json in the user's config directory)")
	set.BoolVar(&f.none, "no-settings", false, "ignore the saved settings (for scripts)")
}

// savedSettings are settings read from a file.
type savedSettings struct {
	settings.Settings
	path string
}

// load returns the saved settings to fall back on, nil when there are
// none: --no-settings, or no settings file at the default place. A file
// named with --settings that is missing, and a file that cannot be read
// or is not the settings' JSON, are unreadable input.
func (f *settingsFlags) load(cmd string) (*savedSettings, error) {
	if f.none {
		if f.file != "" {
			return nil, usageError("use either --settings FILE or --no-settings", "%s: --settings and --no-settings given", cmd)
		}
		return nil, nil
	}
	path := f.file
	if path == "" {
		p, err := settings.DefaultPath()
		if err != nil {
			return nil, nil
		}
		path = p
	}
	s, err := settings.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && f.file == "":
		return nil, nil
	case err != nil:
		return nil, usageError("check the settings file named with --settings, or ignore the saved settings with --no-settings", "%s: settings: %w", cmd, err)
	}
	return &savedSettings{Settings: s, path: path}, nil
}

// usageErr is the usage error for something the settings name.
func (s *savedSettings) usageErr(cmd string, err error) error {
	return usageError("correct the settings file "+s.path+" (the window's Settings screen edits it), or ignore it with --no-settings", "%s: settings %s: %w", cmd, s.path, err)
}

// service sets in cfg the service the settings name, the anchors of its
// TLS (the system's roots when they name none, as --service without
// --anchor does) and the proxy. It reports whether they name a service.
func (s *savedSettings) service(cmd string, cfg *flow.Config) (bool, error) {
	if s.ServiceURL == "" {
		return false, nil
	}
	if _, err := submit.CanonicalURL(s.ServiceURL); err != nil {
		return false, s.usageErr(cmd, err)
	}
	anchors, err := settings.ReadCertificates(s.ServiceAnchors...)
	if err != nil {
		return false, s.usageErr(cmd, err)
	}
	cfg.ServiceURL, cfg.ServiceAnchors, cfg.ServiceSystemRoots = s.ServiceURL, anchors, s.SystemRoots || len(anchors) == 0
	if cfg.Proxy, err = s.ProxyFunc(); err != nil {
		return false, s.usageErr(cmd, err)
	}
	return true, nil
}

// trust sets in cfg the signer trust anchors and the validation
// authority the settings name. It reports whether they name any.
func (s *savedSettings) trust(cmd string, cfg *flow.Config) (bool, error) {
	anchors, err := settings.ReadCertificates(s.TrustAnchors...)
	if err != nil {
		return false, s.usageErr(cmd, err)
	}
	va, err := s.VA()
	if err != nil {
		return false, s.usageErr(cmd, err)
	}
	cfg.TrustAnchors, cfg.ServiceVA = anchors, va
	return len(anchors) > 0 || va != nil, nil
}
