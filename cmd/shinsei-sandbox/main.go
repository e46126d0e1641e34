// Command shinsei-sandbox is the local stand-in for the outside world:
// it issues sandbox credentials onto a SoftHSM token that behaves like a My
// Number card, and runs Shinsei's main job against them.
//
//	shinsei-sandbox demo [--dir DIR]   sign a sample application and verify it
//	shinsei-sandbox kit --dir DIR      write sandbox credentials for tests and help desks
//	shinsei-sandbox serve [--addr 127.0.0.1:8443] [--dir DIR] [--admin 127.0.0.1:PORT]
//	                                   run the reference service, its responders and a kit
//	                                   (--admin: the back office, on its own port, behind a token)
//	shinsei-sandbox card --scenario NAME [--dir DIR] | card --list
//	                                   the virtual My Number card in a scenario, behind pcscd and OpenSC
//	shinsei-sandbox archive renew --dir DIR [--before 90d] [--tsa URL]
//	                                   renew the archive time-stamps of the service's archived
//	                                   packages before their authority's certificate expires
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "demo":
		err = runDemo(ctx, os.Args[2:])
	case "kit":
		err = runKit(ctx, os.Args[2:])
	case "serve":
		err = runServe(ctx, os.Args[2:])
	case "card":
		err = runCard(ctx, os.Args[2:])
	case "archive":
		err = runArchive(ctx, os.Args[2:])
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "usage: shinsei-sandbox", ue)
			os.Exit(2)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			fmt.Fprintln(os.Stderr, "hint: start it again when the time-stamp authority can be reached (or name one with --tsa URL); packages already renewed stay renewed")
			os.Exit(3)
		}
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		fmt.Fprintln(os.Stderr, "hint: run ./scripts/setup-debian to install SoftHSM and the other parts, then try again")
		os.Exit(3)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: shinsei-sandbox demo [--dir DIR] | kit --dir DIR | serve [--addr HOST:PORT] [--dir DIR] [--admin 127.0.0.1:PORT] [-v]")
	fmt.Fprintln(os.Stderr, "       shinsei-sandbox card --scenario NAME [--dir DIR] | card --list")
	fmt.Fprintln(os.Stderr, "       shinsei-sandbox archive renew --dir DIR [--before 90d] [--tsa URL] [--at RFC3339] [--json]")
}
