package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/shinsei-app/shinsei/assets"
	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx"
)

// AppID is the app's unique ID (also in FyneApp.toml).
const AppID = "jp.shinsei.app"

// Settings are what the Settings screen edits and the app keeps in its
// configuration file (JSON). Certificates are named by file, never
// copied into it; no secret is ever in it.
type Settings struct {
	// ServiceURL is the shared service, "https://host[:port]".
	ServiceURL string `json:"service_url,omitempty"`
	// ServiceAnchors are PEM or DER files of the authorities trusted for
	// the service's TLS certificate; SystemRoots adds the system's.
	ServiceAnchors []string `json:"service_anchors,omitempty"`
	SystemRoots    bool     `json:"system_roots,omitempty"`
	// ServiceVA is the service's validation authority's certificate file.
	ServiceVA string `json:"service_va,omitempty"`
	// Module is the PKCS#11 module; empty detects the known ones.
	Module string `json:"module,omitempty"`
	// TrustAnchors are files or directories of the roots signers'
	// certificates are checked against (JPKI, registrars, LGPKI, …).
	TrustAnchors []string `json:"trust_anchors,omitempty"`
	// Proxy is an http(s) proxy URL; empty uses HTTPS_PROXY.
	Proxy string `json:"proxy,omitempty"`
	// Lang is "ja" (the default) or "en".
	Lang i18n.Lang `json:"lang,omitempty"`
	// DataDir keeps receipts, the outbox and signed packages.
	DataDir string `json:"data_dir,omitempty"`
}

// LoadSettings reads the settings file; a missing file gives zero
// Settings and os.ErrNotExist.
func LoadSettings(path string) (Settings, error) {
	var s Settings
	data, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("ui: settings %s: %w", path, err)
	}
	return s, nil
}

// SaveSettings writes the settings file atomically (mode 0600).
func SaveSettings(path string, s Settings) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return fsx.WriteFile(path, append(data, '\n'), 0o600)
}

// Options are what cmd/shinsei wires into the app.
type Options struct {
	// Settings are the settings in force; SettingsPath is where the
	// Settings screen saves them.
	Settings     Settings
	SettingsPath string
	// Open makes the flow.App for settings. Run calls it in the
	// background after the window is shown, and again when the settings
	// change. In the sandbox it also starts the sandbox (once).
	Open func(ctx context.Context, s Settings) (*flow.App, error)
	// Sandbox shows the "サンドボックス（練習用）" banner: everything
	// runs against the embedded sandbox on this computer.
	Sandbox bool
	// SandboxNote, when set, gives the lines shown under the banner
	// (separated by "\n"): which credential the practice signs with and
	// its password, public on purpose. Run asks it when the window is
	// built and again each time Open returns, so the note can follow what
	// the started sandbox offers (a SoftHSM card, or a .p12 file where
	// SoftHSM is missing). It is called on the UI thread.
	SandboxNote func() string
	// Modules are the PKCS#11 modules found on this computer, offered in
	// the Settings screen.
	Modules []string
	// Diag are the options of the help desk's diagnosis (anchors,
	// service, error log); Run fills in the rest.
	Diag diagnosis.Options
	// OnEvent, when set, is called on the UI thread with the name of
	// each step the window reaches: "ready", "catalogue", "credential",
	// "credentials", "form", "form-loaded", "pin", "precheck", "progress",
	// "receipt", "status", "error", … with the buttons then shown. Names
	// and button texts only, never what the resident entered; the
	// screenshot run follows the flow and clicks with it.
	OnEvent func(step string, buttons []Target)
}

// ErrNoOpen is returned by Run when Options.Open is missing.
var ErrNoOpen = errors.New("ui: Options.Open is required")

// Run shows the main window and blocks until it is closed.
func Run(ctx context.Context, opts Options) error {
	if opts.Open == nil {
		return ErrNoOpen
	}
	gc := debug.SetGCPercent(800) // fewer collections while the fonts load
	a := app.NewWithID(AppID)
	a.SetIcon(assets.Icon)
	a.Settings().SetTheme(Theme{})
	s := newShell(ctx, a, opts, loadFonts())
	s.win.Resize(fyne.NewSize(1000, 720))
	s.win.CenterOnScreen()
	s.startAfterFirstFrame(func() { debug.SetGCPercent(gc) })
	s.win.ShowAndRun()
	s.close()
	return nil
}
