package pkcs11

import "runtime"

// DefaultModules returns the places where PKCS#11 modules usually are, the
// ones for a My Number card first. On Linux the card is read through
// OpenSC; only the directories of this program's architecture are listed,
// since a module of another architecture cannot be loaded.
func DefaultModules() []ModuleFile {
	dirs := []string{"/usr/lib64", "/usr/lib"}
	if triplet, ok := multiarch[runtime.GOARCH]; ok {
		dirs = append([]string{"/usr/lib/" + triplet}, dirs...)
	}
	var mods []ModuleFile
	for _, d := range dirs {
		mods = append(mods, ModuleFile{"OpenSC", d + "/opensc-pkcs11.so"})
	}
	mods = append(mods, ModuleFile{"SoftHSM", "/usr/lib/softhsm/libsofthsm2.so"})
	for _, d := range dirs {
		mods = append(mods, ModuleFile{"SoftHSM", d + "/softhsm/libsofthsm2.so"})
	}
	return mods
}

// multiarch maps GOARCH to the Debian multiarch directory name.
var multiarch = map[string]string{
	"amd64":   "x86_64-linux-gnu",
	"arm64":   "aarch64-linux-gnu",
	"386":     "i386-linux-gnu",
	"arm":     "arm-linux-gnueabihf",
	"ppc64le": "powerpc64le-linux-gnu",
	"riscv64": "riscv64-linux-gnu",
	"s390x":   "s390x-linux-gnu",
	"loong64": "loongarch64-linux-gnu",
}
