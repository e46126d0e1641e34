package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestTheBuildIsNamedByTheStampThenByWhatGoRecorded(t *testing.T) {
	recorded := &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261205030808-f20d03b30d97"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "f20d03b30d976d7a9ba1a95f52e6bf5b83350036"},
		{Key: "vcs.time", Value: "2026-12-05T03:08:08Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	tests := []struct {
		name                              string
		bi                                *debug.BuildInfo
		version, revision, time, modified string
		want                              string
		wantTime                          string
	}{
		{name: "a build with nothing recorded is (devel)", want: "(devel)"},
		{name: "go build without VCS information names the module version", bi: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, want: "(devel)"},
		{name: "go build in a checkout names what Go recorded", bi: recorded,
			want: "v0.0.0-20261205030808-f20d03b30d97 (f20d03b30d97+)", wantTime: "2026-12-05T03:08:08Z"},
		{name: "a release build names its stamped version and commit, over what Go recorded", bi: recorded,
			version: "0.1.0", revision: "953465e4a1b2c3d4e5f60718293a4b5c6d7e8f90", time: "2026-12-05T03:07:00Z", modified: "false",
			want: "0.1.0 (953465e4a1b2)", wantTime: "2026-12-05T03:07:00Z"},
		{name: "a release build from a modified tree says so", bi: nil,
			version: "0.1.0", revision: "953465e4a1b2c3d4e5f60718293a4b5c6d7e8f90", time: "2026-12-05T03:07:00Z", modified: "true",
			want: "0.1.0 (953465e4a1b2+)", wantTime: "2026-12-05T03:07:00Z"},
		{name: "a stamped version without a commit keeps the commit Go recorded", bi: recorded, version: "0.1.0",
			want: "0.1.0 (f20d03b30d97+)", wantTime: "2026-12-05T03:08:08Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := read(tt.bi, tt.version, tt.revision, tt.time, tt.modified)
			if got := info.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if info.RevisionTime != tt.wantTime {
				t.Errorf("RevisionTime = %q, want %q", info.RevisionTime, tt.wantTime)
			}
		})
	}
}
