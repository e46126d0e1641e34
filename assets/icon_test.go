package assets

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// The window's icon is the app icon's drawing at 256×256 (icon_gen.go
// draws both): a window-icon.png left behind when the drawing changes
// is caught by comparing it with the 512×512 icon scaled down.
func TestTheWindowIconIsTheAppIconAtHalfItsSize(t *testing.T) {
	big, small := decode(t, Icon.StaticContent), decode(t, WindowIcon.StaticContent)
	if b := big.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Fatalf("the app icon is %v, want 512×512", b)
	}
	if b := small.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Fatalf("the window icon is %v, want 256×256", b)
	}
	var sum, worst float64
	for y := 0; y < 256; y++ {
		for x := 0; x < 256; x++ {
			// The 2×2 pixels of the big icon under this one, premultiplied.
			var want [4]float64
			for dy := 0; dy < 2; dy++ {
				for dx := 0; dx < 2; dx++ {
					r, g, b, a := big.At(2*x+dx, 2*y+dy).RGBA()
					for i, v := range []uint32{r, g, b, a} {
						want[i] += float64(v>>8) / 4
					}
				}
			}
			r, g, b, a := small.At(x, y).RGBA()
			for i, v := range []uint32{r, g, b, a} {
				d := float64(v>>8) - want[i]
				if d < 0 {
					d = -d
				}
				sum += d
				worst = max(worst, d)
			}
		}
	}
	if mean := sum / (256 * 256 * 4); mean > 2 || worst > 96 {
		t.Errorf("the window icon differs from the app icon scaled down: mean %.2f, worst %.0f per channel (of 255)", mean, worst)
	}
}
