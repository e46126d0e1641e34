package submit

import (
	"fmt"
	"os"
)

// mkdirPrivate makes dir (and its parents) readable by the user only.
func mkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	return nil
}
