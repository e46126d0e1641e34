//go:build !linux && !darwin && !windows

package pkcs11

// DefaultModules returns the places where PKCS#11 modules usually are, the
// ones for a My Number card first. On the BSDs the card is read through
// OpenSC from ports or packages.
func DefaultModules() []ModuleFile {
	return []ModuleFile{
		{"OpenSC", "/usr/local/lib/opensc-pkcs11.so"},
		{"SoftHSM", "/usr/local/lib/softhsm/libsofthsm2.so"},
	}
}
