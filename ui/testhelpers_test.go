package ui

import (
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

type (
	canvasText = canvas.Text
	entryT     = widget.Entry
	selectT    = widget.Select
)

func langL(s string) string { return lang.L(s) }
