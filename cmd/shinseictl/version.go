package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/shinsei-app/shinsei/internal/buildinfo"
)

// printVersion prints "shinseictl VERSION (REVISION) OS/ARCH GO" on one
// line: what an installer check or a help desk needs to know which build
// runs (internal/buildinfo: the release's stamp, else what Go recorded).
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "shinseictl %s %s/%s %s\n", buildinfo.Read(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}
