package pkcs11

import (
	"os"
	"path/filepath"
)

// ModuleFile is a place where a PKCS#11 module is commonly installed.
type ModuleFile struct {
	// Name says what installs it: "JPKI" (the J-LIS client software),
	// "OpenSC" or "SoftHSM".
	Name string
	Path string
}

// FindModules returns the DefaultModules present on this computer, each
// module file once even when several of the paths lead to it.
func FindModules() []ModuleFile {
	var found []ModuleFile
	seen := make(map[string]bool)
	for _, m := range DefaultModules() {
		real, err := filepath.EvalSymlinks(m.Path)
		if err != nil || seen[real] {
			continue
		}
		if fi, err := os.Stat(real); err == nil && fi.Mode().IsRegular() {
			seen[real] = true
			found = append(found, m)
		}
	}
	return found
}
