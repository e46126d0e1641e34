package diagnosis

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/buildinfo"
)

// SystemReport describes the computer and this build of Shinsei.
type SystemReport struct {
	Check
	OS   string `json:"os"`
	Arch string `json:"arch"`
	// OSRelease is the distribution's name and version (Linux
	// /etc/os-release PRETTY_NAME), when known.
	OSRelease string `json:"os_release,omitempty"`
	// Version is Shinsei's version (internal/buildinfo): the release, the
	// module version, or "(devel)".
	Version string `json:"version"`
	// Revision and RevisionTime are the version-control revision built,
	// Modified set when the tree had uncommitted changes.
	Revision     string `json:"revision,omitempty"`
	RevisionTime string `json:"revision_time,omitempty"`
	Modified     bool   `json:"modified,omitempty"`
	GoVersion    string `json:"go_version"`
	// CGO is false for a build without cgo, which cannot load PKCS#11
	// modules.
	CGO bool `json:"cgo"`
}

func (d *diagnosis) system(context.Context) {
	s := &d.r.System
	s.OS, s.Arch, s.GoVersion = runtime.GOOS, runtime.GOARCH, runtime.Version()
	build := buildinfo.Read()
	s.Version, s.Revision, s.RevisionTime, s.Modified = build.Version, build.Revision, build.RevisionTime, build.Modified
	s.CGO = true
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, kv := range bi.Settings {
			if kv.Key == "CGO_ENABLED" {
				s.CGO = kv.Value == "1"
			}
		}
	}
	if d.opts.Version != "" {
		s.Version = d.opts.Version
	}
	if runtime.GOOS == "linux" {
		s.OSRelease = osRelease("/etc/os-release")
	}
	desc := fmt.Sprintf("%s/%s, Shinsei %s", s.OS, s.Arch, s.Version)
	if s.Revision != "" {
		desc += " (" + shortRev(s.Revision)
		if s.Modified {
			desc += "+"
		}
		desc += ")"
	}
	desc += ", " + s.GoVersion
	if s.OSRelease != "" {
		desc = s.OSRelease + ", " + desc
	}
	if !s.CGO {
		s.setDetail(StatusFail, msg(desc, desc),
			msg("この Shinsei はカードを使えない形でビルドされています。配布されている Shinsei を入れ直してください。",
				"This build of Shinsei cannot use cards. Please reinstall Shinsei from the official download."),
			detail("cgo なしでビルドされています。cgo を有効にしてビルドされた配布版を入れてください。", "Built without cgo: install a release built with cgo."))
		return
	}
	s.set(StatusOK, msg(desc, desc), i18n.Text{})
}

func shortRev(r string) string {
	if len(r) > 12 {
		return r[:12]
	}
	return r
}

// osRelease returns PRETTY_NAME from an os-release file, "" when unknown.
func osRelease(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}

// envVar is one line of the bundle's environment summary.
type envVar struct{ name, value string }

// environmentNames are the variables the environment summary shows: those
// that change how cards, tokens, proxies and the keyring are found. Values
// of the ones in presenceOnly are replaced by "set".
var (
	environmentNames = []string{"LANG", "LC_ALL", "PCSCLITE_CSOCK_NAME", "SOFTHSM2_CONF", "OPENSC_CONF",
		"XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE", "DBUS_SESSION_BUS_ADDRESS",
		"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", "SHINSEI_ERROR_LOG"}
	presenceOnly = map[string]bool{"DBUS_SESSION_BUS_ADDRESS": true, "HTTPS_PROXY": true, "https_proxy": true, "HTTP_PROXY": true}
)

// environment summarises the variables that matter, redacted: proxies may
// carry credentials and the bus address a user id, so only their presence
// is shown; paths have the home directory replaced by "~".
func environment(red *redactor) []envVar {
	var env []envVar
	for _, name := range environmentNames {
		v, ok := os.LookupEnv(name)
		switch {
		case !ok:
			v = "(unset)"
		case presenceOnly[name]:
			v = "(set)"
		default:
			v = red.text(v)
		}
		env = append(env, envVar{name, v})
	}
	return env
}
