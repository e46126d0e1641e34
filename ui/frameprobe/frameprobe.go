// Package frameprobe measures when a Fyne window draws its first frame,
// for the start-up benchmark (scripts/bench-startup). It is a 1×1 raster:
// Fyne's painter calls a raster's generator only when it paints, so the
// first call is the first frame. It imports nothing but Fyne, so the
// benchmark's minimal window and the app carry the same probe.
package frameprobe

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// EnvVar, when set in the environment, turns the probe on: at the first
// frame it prints "first-frame UNIXNANO" on standard output and, when the
// value is "quit", quits the app.
const EnvVar = "SHINSEI_FIRST_FRAME"

// New returns the probe to put anywhere in a window's content, or nil
// when EnvVar is not set (add it only when non-nil).
func New(a fyne.App) fyne.CanvasObject {
	mode := os.Getenv(EnvVar)
	if mode == "" {
		return nil
	}
	var once sync.Once
	r := canvas.NewRaster(func(w, h int) image.Image {
		once.Do(func() {
			fmt.Printf("first-frame %d\n", time.Now().UnixNano())
			if mode == "quit" {
				go fyne.Do(a.Quit)
			}
		})
		img := image.NewNRGBA(image.Rect(0, 0, 1, 1))
		img.Set(0, 0, color.Transparent)
		return img
	})
	r.SetMinSize(fyne.NewSize(1, 1))
	return r
}
