package main

import (
	"fmt"

	"github.com/shinsei-app/shinsei/flow"
)

// alreadyFiled says that the service already holds the package: nothing
// was stored twice (exit 0). The arrival number is shown when the service
// told it, to the account that filed the package.
func alreadyFiled(std *stdio, asJSON bool, file string, af *flow.AlreadyFiledError) error {
	if asJSON {
		writeJSON(std.out, map[string]any{"already_filed": true, "stored": false, "arrival_number": af.ArrivalNumber,
			"outbox_id": af.Item.ID})
		return nil
	}
	fmt.Fprintf(std.out, "already filed / 申請済みです: the service already holds %s; it was not stored again.\n", file)
	if af.ArrivalNumber != "" {
		fmt.Fprintf(std.out, "  到達番号   Arrival number:   %s\n", af.ArrivalNumber)
	} else {
		fmt.Fprintln(std.out, "  (filed by another account or without a session: the service does not tell its numbers)")
	}
	fmt.Fprintf(std.out, "  The outbox item %s is kept among the refused items; it is not sent again.\n", af.Item.ID)
	fmt.Fprintln(std.err, "hint:", explainErr(af).hint)
	return nil
}
