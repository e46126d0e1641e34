// Command minimal is the baseline of the start-up benchmark
// (scripts/bench-startup): the smallest Fyne window, built the same way
// as the app (same Fyne, same flags) and carrying the same first-frame
// probe, so the ratio measures what Shinsei adds.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/ui/frameprobe"
)

func main() {
	a := app.NewWithID("jp.shinsei.app.minimal")
	w := a.NewWindow("minimal")
	content := container.NewVBox(widget.NewLabel("Hello"))
	if p := frameprobe.New(a); p != nil {
		content.Add(p)
	}
	w.SetContent(content)
	w.Resize(fyne.NewSize(1000, 720)) // the app's size
	w.ShowAndRun()
}
