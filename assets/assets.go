// Package assets holds what the desktop app embeds: the app icon, the
// Japanese UI font (BIZ UDPGothic Regular and Bold, subset to JIS X 0208
// by scripts/subset-font) with its SIL Open Font License, and the
// translations (lang/ja.json first, lang/en.json second) that package ui
// loads through Fyne's lang package.
//
// The font is embedded so that no glyph is ever drawn as a box on a
// machine without Japanese fonts; Fyne's own font has no Japanese.
package assets

import (
	"embed"

	"fyne.io/fyne/v2"

	"github.com/shinsei-app/shinsei/assets/font"
)

//go:generate go run icon_gen.go

var (
	//go:embed icon.png
	iconPNG []byte
	//go:embed window-icon.png
	windowIconPNG []byte
	// The font files are embedded once, by package font.
	fontRegular, fontBold = font.Regular, font.Bold
)

// Lang holds the translations, lang/ja.json and lang/en.json, for
// lang.AddTranslationsFS(Lang, "lang").
//
//go:embed lang/*.json
var Lang embed.FS

// Icon is the app icon (512×512 PNG, drawn by icon_gen.go).
var Icon = &fyne.StaticResource{StaticName: "icon.png", StaticContent: iconPNG}

// WindowIcon is the same drawing at 256×256, the window's icon: the
// size Fyne rasterises a window's icon at when it draws one itself. The
// window decodes its icon and hands every pixel to the window system
// before its first frame, a quarter of the work of the 512×512 one.
var WindowIcon = &fyne.StaticResource{StaticName: "window-icon.png", StaticContent: windowIconPNG}

// FontRegular and FontBold are BIZ UDPGothic, subset to JIS X 0208,
// ASCII, Latin-1, half-width katakana and the symbols the app draws, with
// CFF outlines, which Fyne reads glyph by glyph as they are drawn (the
// TrueType outlines it would decode all at once when loading the font).
var (
	FontRegular = &fyne.StaticResource{StaticName: "BIZUDPGothic-Regular.otf", StaticContent: fontRegular}
	FontBold    = &fyne.StaticResource{StaticName: "BIZUDPGothic-Bold.otf", StaticContent: fontBold}
)

// FontLicence is the SIL Open Font License 1.1 text the font ships under,
// with its copyright line; the app shows it in its About box.
var FontLicence = font.Licence
