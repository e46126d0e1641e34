package submit_test

import (
	"context"
	"fmt"
	"os"

	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/submit/submittest"
)

// partialChildEnv runs this test binary as a client that adds
// $CHILD_FORM to the outbox in $CHILD_DATA and is killed mid-copy (the
// form is a FIFO the parent never finishes writing).
const partialChildEnv = "SUBMIT_TEST_PARTIAL_CHILD"

func partialChild() int {
	ob, err := submit.OpenOutbox(os.Getenv("CHILD_DATA"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "partial child:", err)
		return 1
	}
	_, err = ob.Add(context.Background(), submit.Draft{Service: "https://127.0.0.1:1", Procedure: submittest.ProcNone,
		Level: submit.LevelNone, MediaType: submit.MediaJSON, Path: os.Getenv("CHILD_FORM")})
	fmt.Fprintln(os.Stderr, "partial child: the copy ended:", err)
	return 1
}
