package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// printVersion prints "shinseictl VERSION (REVISION) OS/ARCH GO" on one
// line: what an installer check or a help desk needs to know which build
// runs.
func printVersion(w io.Writer) {
	v, rev, modified := "(unknown)", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				modified = kv.Value == "true"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		if modified {
			rev += "+"
		}
		v += " (" + rev + ")"
	}
	fmt.Fprintf(w, "shinseictl %s %s/%s %s\n", v, runtime.GOOS, runtime.GOARCH, runtime.Version())
}
