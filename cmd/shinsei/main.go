// Command shinsei is the desktop app: it reads the settings (or, with
// none, starts the embedded sandbox) and shows the window. Wiring only;
// the screens are package ui, the use cases package flow.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "shinsei:", err)
		os.Exit(2)
	}
}
