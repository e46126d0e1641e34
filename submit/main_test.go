package submit_test

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	if os.Getenv(partialChildEnv) != "" {
		os.Exit(partialChild())
	}
	os.Exit(m.Run())
}
