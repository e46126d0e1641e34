// Package font holds the embedded Japanese font, BIZ UDPGothic Regular
// and Bold (subset to JIS X 0208 with CFF outlines by
// scripts/subset-font), and its SIL Open Font License, for what draws
// Japanese without the window: the window's theme (package assets) and
// the sandbox's PDF notices. It imports nothing, so core and sandbox
// packages may use it.
package font

import _ "embed"

var (
	// Regular and Bold are the OpenType font files.
	//
	//go:embed BIZUDPGothic-Regular.otf
	Regular []byte
	//go:embed BIZUDPGothic-Bold.otf
	Bold []byte
	// Licence is the SIL Open Font License 1.1 text, with its copyright
	// line.
	//
	//go:embed OFL.txt
	Licence string
)
