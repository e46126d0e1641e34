//go:build ignore

// icon_gen draws the app icon, assets/icon.png (512×512): a white
// application form with text lines and a red seal (申) on a blue rounded
// square; and the same drawing at 256×256, assets/window-icon.png, the
// window's icon (see assets.WindowIcon). Run with `go generate ./assets`
// after changing it; the PNGs are committed.
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const (
	size = 512
	ss   = 4 // supersampling per axis
)

var (
	blue  = color.NRGBA{0x1d, 0x5f, 0xa8, 0xff}
	white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	line  = color.NRGBA{0x9d, 0xb4, 0xcc, 0xff}
	red   = color.NRGBA{0xc8, 0x2a, 0x2a, 0xff}
)

// at returns the colour of the icon at (x, y) in [0,size)², or transparent.
func at(x, y float64) color.NRGBA {
	c := color.NRGBA{}
	if roundRect(x, y, 16, 16, 496, 496, 96) {
		c = blue
	}
	if roundRect(x, y, 132, 84, 380, 428, 18) {
		c = white
	}
	for i := 0; i < 5; i++ {
		y0 := 150 + float64(i)*44
		x1 := 340.0
		if i == 4 {
			x1 = 250
		}
		if roundRect(x, y, 170, y0, x1, y0+14, 7) {
			c = line
		}
	}
	// The seal: a red ring around 申 (the first character of 申請),
	// bottom right of the form.
	dx, dy := x-318, y-362
	d := math.Hypot(dx, dy)
	if d <= 50 && d >= 40 {
		c = red
	}
	box := math.Abs(dx) <= 20 && math.Abs(dy) <= 16
	inner := math.Abs(dx) < 14 && math.Abs(dy) < 10
	if box && !inner {
		c = red
	}
	if math.Abs(dx) <= 20 && math.Abs(dy) <= 3 {
		c = red
	}
	if math.Abs(dx) <= 3 && math.Abs(dy) <= 31 {
		c = red
	}
	return c
}

func roundRect(x, y, x0, y0, x1, y1, r float64) bool {
	if x < x0 || x >= x1 || y < y0 || y >= y1 {
		return false
	}
	cx := math.Max(x0+r, math.Min(x, x1-r))
	cy := math.Max(y0+r, math.Min(y, y1-r))
	return math.Hypot(x-cx, y-cy) <= r
}

func main() {
	for _, f := range []struct {
		name string
		px   int
	}{{"icon.png", size}, {"window-icon.png", 256}} {
		write(f.name, draw(f.px))
	}
}

// draw renders the icon at px×px pixels, supersampled.
func draw(px int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, px, px))
	k := float64(size) / float64(px) // the drawing's units per pixel
	for py := 0; py < px; py++ {
		for qx := 0; qx < px; qx++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					c := at((float64(qx)+(float64(sx)+0.5)/ss)*k, (float64(py)+(float64(sy)+0.5)/ss)*k)
					fa := float64(c.A) / 255
					r, g, b, a = r+float64(c.R)*fa, g+float64(c.G)*fa, b+float64(c.B)*fa, a+fa
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(qx, py, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(255 * a / ss / ss)})
		}
	}
	return img
}

func write(name string, img image.Image) {
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
