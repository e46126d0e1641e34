package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"time"

	"github.com/shinsei-app/shinsei/sandbox/kit"
)

// runKit writes sandbox credentials and a provisioned SoftHSM token into a
// directory, for tests, scripts and help desks.
func runKit(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("kit", flag.ContinueOnError)
	dir := fs.String("dir", "", "write the kit into `DIR`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("kit: give --dir DIR")
	}
	// Windows has no SoftHSM of its own: there the .p12 files are the
	// practice credentials, as in the window's embedded sandbox.
	k, err := kit.NewWith(ctx, *dir, time.Now(), kit.Options{SoftHSMOptional: runtime.GOOS == "windows"})
	if err != nil {
		return err
	}
	fmt.Printf("sandbox kit written to %s\n", k.Dir)
	if !k.HasToken() {
		fmt.Printf("  no SoftHSM token (%v); .p12 password %s\n", k.TokenErr, kit.P12Password)
		return nil
	}
	fmt.Printf("  export SOFTHSM2_CONF=%s\n", k.SoftHSMConf)
	fmt.Printf("  token %q, signature password %s; .p12 password %s\n", kit.TokenLabel, kit.PIN, kit.P12Password)
	return nil
}
