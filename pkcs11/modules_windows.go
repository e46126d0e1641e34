package pkcs11

// DefaultModules returns the places where PKCS#11 modules usually are, the
// ones for a My Number card first: the J-LIS client software, then OpenSC.
func DefaultModules() []ModuleFile {
	return []ModuleFile{
		{"JPKI", `C:\Program Files\JPKI\JPKIPKCS11Sign64.dll`},
		{"OpenSC", `C:\Windows\System32\opensc-pkcs11.dll`},
	}
}
