// Package buildinfo says which build of Shinsei runs: its release version
// and the commit it was built from, as `shinseictl --version` and the
// help-desk diagnosis show them.
//
// The release builds (scripts/package-deb, scripts/cross-windows and the
// installer, scripts/package-linux) stamp them at link time with the flags
// `scripts/version ldflags` prints, from one place: the version is
// FyneApp.toml's, the commit git's. A build without them (go build, go
// run) falls back to what Go recorded (debug.ReadBuildInfo: the module
// version and vcs.revision, vcs.time, vcs.modified), and to "(devel)".
package buildinfo

import (
	"runtime/debug"
)

// Set with -ldflags "-X github.com/shinsei-app/shinsei/internal/buildinfo.version=…"
// (scripts/version ldflags).
var (
	version      string
	revision     string
	revisionTime string
	modified     string
)

// Info is one build's identity.
type Info struct {
	// Version is the release version (FyneApp.toml's, e.g. "0.1.0"), else
	// the module version Go recorded, else "(devel)".
	Version string
	// Revision is the full commit hash, "" when unknown.
	Revision string
	// RevisionTime is the commit's time (RFC 3339), "" when unknown.
	RevisionTime string
	// Modified is set when tracked files differed from the commit.
	Modified bool
}

// Read returns this build's Info.
func Read() Info {
	var bi *debug.BuildInfo
	if b, ok := debug.ReadBuildInfo(); ok {
		bi = b
	}
	return read(bi, version, revision, revisionTime, modified)
}

func read(bi *debug.BuildInfo, version, revision, revisionTime, modified string) Info {
	info := Info{Version: "(devel)"}
	if bi != nil {
		if bi.Main.Version != "" {
			info.Version = bi.Main.Version
		}
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				info.Revision = kv.Value
			case "vcs.time":
				info.RevisionTime = kv.Value
			case "vcs.modified":
				info.Modified = kv.Value == "true"
			}
		}
	}
	// The link-time stamp wins: it is what the release was built as.
	if version != "" {
		info.Version = version
	}
	if revision != "" {
		info.Revision, info.RevisionTime, info.Modified = revision, revisionTime, modified == "true"
	}
	return info
}

// ShortRevision is the first 12 characters of the commit hash, with "+"
// when the tree was modified; "" when the commit is unknown.
func (i Info) ShortRevision() string {
	if i.Revision == "" {
		return ""
	}
	r := i.Revision
	if len(r) > 12 {
		r = r[:12]
	}
	if i.Modified {
		r += "+"
	}
	return r
}

// String is "VERSION (REVISION)", or VERSION alone when the commit is
// unknown: "0.1.0 (953465e4a1b2)".
func (i Info) String() string {
	if r := i.ShortRevision(); r != "" {
		return i.Version + " (" + r + ")"
	}
	return i.Version
}
