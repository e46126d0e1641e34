package settings

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

// TestOnWindowsTheSettingsAreKeptUnderAPPDATA: the settings file is
// shinsei\settings.json under %APPDATA% (the roaming profile), here a
// folder whose names have Japanese characters and spaces, and it is
// written and read back there.
func TestOnWindowsTheSettingsAreKeptUnderAPPDATA(t *testing.T) {
	appdata := filepath.Join(fsxtest.TempDir(t), "申請 データ", "AppData", "Roaming")
	if err := os.MkdirAll(appdata, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("APPDATA", appdata)
	path, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(appdata, "shinsei", FileName); path != want {
		t.Fatalf("settings at %s, want %s", path, want)
	}
	want := Settings{ServiceURL: "https://申請.example.jp:8443", SystemRoots: true}
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.ServiceURL != want.ServiceURL || got.SystemRoots != want.SystemRoots {
		t.Fatalf("read back %+v, want %+v", got, want)
	}
}
