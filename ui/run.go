package ui

import (
	"context"
	"errors"
	"runtime/debug"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/shinsei-app/shinsei/assets"
	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/flow"
	usersettings "github.com/shinsei-app/shinsei/settings"
)

// AppID is the app's unique ID (also in FyneApp.toml).
const AppID = "jp.shinsei.app"

// Settings are what the Settings screen edits and the app keeps in its
// configuration file: the settings model of package settings (its JSON,
// Load, Save and DefaultPath), which the command line reads too.
type Settings = usersettings.Settings

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
	// OpenNotice, when set, is a package file to verify as an official
	// notice (an .asice file the resident opened, e.g. from Explorer): the
	// window opens on 通知の確認 and verifies it once the app is ready.
	OpenNotice string
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
	a.Settings().SetTheme(Theme{})
	s := newShell(ctx, a, opts, loadFonts())
	setIcons(a, s.win)
	s.win.CenterOnScreen()
	s.startAfterFirstFrame(func() { debug.SetGCPercent(gc) })
	s.win.ShowAndRun()
	s.close()
	return nil
}

// iconSetter is what has an icon: the app and its window.
type iconSetter interface{ SetIcon(fyne.Resource) }

// setIcons gives the window its icon, assets.WindowIcon, and the app
// its own, assets.Icon, in that order, once the window is made: a
// window made while the app has an icon takes the app's, and would
// decode it (512×512) as it opens; this one decodes the smaller one
// only, once.
func setIcons(a, w iconSetter) {
	w.SetIcon(assets.WindowIcon)
	a.SetIcon(assets.Icon)
}
