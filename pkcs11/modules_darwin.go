package pkcs11

// DefaultModules returns the places where PKCS#11 modules usually are, the
// ones for a My Number card first: the J-LIS client software, then OpenSC.
func DefaultModules() []ModuleFile {
	return []ModuleFile{
		{"JPKI", "/Applications/JPKI.app/Contents/Resources/JPKIPKCS11Sign.dylib"},
		{"JPKI", "/usr/local/lib/JPKIPKCS11Sign.dylib"},
		{"OpenSC", "/Library/OpenSC/lib/opensc-pkcs11.so"},
	}
}
