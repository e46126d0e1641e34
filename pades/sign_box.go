package pades

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	jfont "github.com/shinsei-app/shinsei/assets/font"
)

// boxScale is the pixels per point of a drawn signature box.
const boxScale = 4

// boxImage draws the appearance of a visible signature: lines of text in
// the embedded Japanese font (BIZ UDPGothic), dark blue on a transparent
// ground with a thin frame, sized for a box of w×h points. The PDF
// library's own appearance writes text in Times-Roman, which has no
// Japanese.
func boxImage(lines []string, w, h float64) ([]byte, error) {
	wp, hp := int(w*boxScale), int(h*boxScale)
	if wp < 8 || hp < 8 || wp > 4000 || hp > 4000 {
		return nil, fmt.Errorf("%w: a box of %.0f×%.0f points cannot be drawn", ErrBox, w, h)
	}
	f, err := opentype.Parse(jfont.Regular)
	if err != nil {
		return nil, fmt.Errorf("pades: signature box font: %w", err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, wp, hp))
	ink := color.NRGBA{R: 0x1a, G: 0x2a, B: 0x6c, A: 0xff}
	// The frame.
	for x := 0; x < wp; x++ {
		for _, y := range []int{0, 1, hp - 2, hp - 1} {
			img.SetNRGBA(x, y, ink)
		}
	}
	for y := 0; y < hp; y++ {
		for _, x := range []int{0, 1, wp - 2, wp - 1} {
			img.SetNRGBA(x, y, ink)
		}
	}
	pad := float64(hp) * 0.08
	size := (float64(hp) - 2*pad) / (float64(len(lines)) * 1.25)
	face, err := fitFace(f, lines, size, float64(wp)-2*pad)
	if err != nil {
		return nil, err
	}
	defer face.Close()
	m := face.Metrics()
	step := float64(m.Height) / 64 * 1.1
	d := font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: face}
	y := pad + float64(m.Ascent)/64
	for _, l := range lines {
		d.Dot = fixed.Point26_6{X: fixed.Int26_6(pad * 64), Y: fixed.Int26_6(y * 64)}
		d.DrawString(l)
		y += step
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, fmt.Errorf("pades: signature box: %w", err)
	}
	return out.Bytes(), nil
}

// fitFace is f at size pixels, smaller when the widest line would not fit
// width.
func fitFace(f *opentype.Font, lines []string, size, width float64) (font.Face, error) {
	for {
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			return nil, fmt.Errorf("pades: signature box font: %w", err)
		}
		widest := 0.0
		for _, l := range lines {
			widest = max(widest, float64(font.MeasureString(face, l))/64)
		}
		if widest <= width || size < 6 {
			return face, nil
		}
		face.Close()
		size *= width / widest * 0.98
	}
}
