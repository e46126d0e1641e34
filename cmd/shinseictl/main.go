// Command shinseictl is Shinsei's command line for help desks, corporate
// batch filers and scripts: list tokens, sign and verify application
// packages. It only parses flags and wires the library packages together.
//
// Exit codes: 0 good/valid/done, 1 a definite negative (invalid signature,
// untrusted, expired, wrong PIN, rejected), 2 usage error or unreadable
// input, 3 environment failure (module, token, network, keyring),
// 4 indeterminate.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], &stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}
