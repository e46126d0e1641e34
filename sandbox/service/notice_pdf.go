package service

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	jfont "github.com/shinsei-app/shinsei/assets/font"
	"github.com/shinsei-app/shinsei/pades"
	"github.com/shinsei-app/shinsei/signer"
)

// noticeLine is one line of a notice's page: Japanese drawn in the
// embedded font, or Latin text in the PDF's standard Helvetica.
type noticeLine struct {
	text  string
	size  float64 // in points
	latin bool
}

// noticePDF lays a notice out on one A4 page with fpdf. Japanese is
// drawn with the glyph outlines of the embedded BIZ UDPGothic (its CFF
// outlines, which fpdf cannot embed as a font, are filled as paths);
// the English lines are text in Helvetica, which a reader can select
// and search.
func noticePDF(lines []noticeLine, title string, issued time.Time) ([]byte, error) {
	f, err := sfnt.Parse(jfont.Regular)
	if err != nil {
		return nil, fmt.Errorf("service: notice PDF: font: %w", err)
	}
	pdf := fpdf.New("P", "pt", "A4", "")
	pdf.SetCompression(true)
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetTitle(title, true)
	pdf.SetCreator("Shinsei sandbox service", false)
	pdf.SetLang("ja")
	pdf.SetFillColor(0, 0, 0)
	pdf.AddPage()
	var buf sfnt.Buffer
	y := 90.0
	for _, l := range lines {
		if l.latin {
			pdf.SetFont("Helvetica", "", l.size)
			pdf.Text(60, y, l.text)
		} else {
			for _, line := range wrap(f, &buf, l.text, l.size, 475) {
				if err := drawOutlined(pdf, f, &buf, 60, y, l.size, line); err != nil {
					return nil, err
				}
				y += l.size * 1.5
			}
			y -= l.size * 1.5
		}
		y += l.size * 1.8
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("service: notice PDF: %w", err)
	}
	return out.Bytes(), nil
}

// advance is the width of r at size points, and its glyph.
func advance(f *sfnt.Font, buf *sfnt.Buffer, r rune, size float64) (sfnt.GlyphIndex, float64) {
	ppem := fixed.Int26_6(size * 64)
	gi, err := f.GlyphIndex(buf, r)
	if err != nil || gi == 0 {
		gi, _ = f.GlyphIndex(buf, '〓')
	}
	adv, err := f.GlyphAdvance(buf, gi, ppem, font.HintingNone)
	if err != nil {
		return gi, size
	}
	return gi, float64(adv) / 64
}

// noLineStart are the characters a Japanese line must not start with
// (JIS X 4051 禁則): wrap lets them hang past the width instead.
const noLineStart = "、。，．）」』】〕〉》！？ー・：；々ぁぃぅぇぉっゃゅょァィゥェォッャュョ"

// wrap breaks text into lines no wider than width points (between any
// two characters, as Japanese allows, but never before a character of
// noLineStart), keeping its own line breaks.
func wrap(f *sfnt.Font, buf *sfnt.Buffer, text string, size, width float64) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		var cur []rune
		w := 0.0
		for _, r := range para {
			_, a := advance(f, buf, r, size)
			if w+a > width && len(cur) > 0 && !strings.ContainsRune(noLineStart, r) {
				lines = append(lines, string(cur))
				cur, w = nil, 0
			}
			cur = append(cur, r)
			w += a
		}
		lines = append(lines, string(cur))
	}
	return lines
}

// drawOutlined fills the glyph outlines of text at (x, baseline y), size
// points, on the current page.
func drawOutlined(pdf *fpdf.Fpdf, f *sfnt.Font, buf *sfnt.Buffer, x, y, size float64, text string) error {
	ppem := fixed.Int26_6(size * 64)
	pt := func(p fixed.Point26_6) (float64, float64) {
		return x + float64(p.X)/64, y + float64(p.Y)/64
	}
	for _, r := range text {
		gi, adv := advance(f, buf, r, size)
		segs, err := f.LoadGlyph(buf, gi, ppem, nil)
		if err != nil {
			return fmt.Errorf("service: notice PDF: glyph %U: %w", r, err)
		}
		if len(segs) > 0 {
			var cx, cy float64
			open := false
			for _, s := range segs {
				switch s.Op {
				case sfnt.SegmentOpMoveTo:
					if open {
						pdf.ClosePath()
					}
					open = true
					cx, cy = pt(s.Args[0])
					pdf.MoveTo(cx, cy)
				case sfnt.SegmentOpLineTo:
					cx, cy = pt(s.Args[0])
					pdf.LineTo(cx, cy)
				case sfnt.SegmentOpQuadTo:
					qx, qy := pt(s.Args[0])
					ex, ey := pt(s.Args[1])
					pdf.CurveBezierCubicTo(cx+2*(qx-cx)/3, cy+2*(qy-cy)/3, ex+2*(qx-ex)/3, ey+2*(qy-ey)/3, ex, ey)
					cx, cy = ex, ey
				case sfnt.SegmentOpCubeTo:
					ax, ay := pt(s.Args[0])
					bx, by := pt(s.Args[1])
					cx, cy = pt(s.Args[2])
					pdf.CurveBezierCubicTo(ax, ay, bx, by, cx, cy)
				}
			}
			pdf.ClosePath()
			pdf.DrawPath("F")
		}
		x += adv
	}
	return nil
}

// noticeLines is what a notice's page says: the municipality's notice in
// Japanese (title, body, the application, the date, the issuer), and its
// English title.
func noticeLines(n SandboxNotice, a *applicationRow, id string, issued time.Time, issuer string) []noticeLine {
	date := fmt.Sprintf("%d年%d月%d日", issued.Year(), int(issued.Month()), issued.Day())
	lines := []noticeLine{
		{text: n.TitleJA, size: 20},
		{text: n.TitleEN, size: 12, latin: true},
	}
	if n.BodyJA != "" {
		lines = append(lines, noticeLine{text: n.BodyJA, size: 12})
	}
	return append(lines,
		noticeLine{text: "到達番号：" + a.Arrival, size: 11},
		noticeLine{text: "通知番号：" + id, size: 11},
		noticeLine{text: "発行日：" + date, size: 11},
		noticeLine{text: "発行者：" + issuer, size: 11},
		noticeLine{text: "この通知書には、発行者の職責証明書による電子署名が付いています。", size: 10},
		noticeLine{text: "Arrival " + a.Arrival + " / notice " + id + " / issued " + issued.Format("2006-01-02"), size: 9, latin: true},
	)
}

// issueNoticePDF writes the notice as a PDF in dir and signs it
// (PAdES-B-B) with cred, the 職責 certificate; it returns the signed
// file.
func issueNoticePDF(ctx context.Context, dir string, cred signer.Credential, lines []noticeLine, title string, issued time.Time) (string, error) {
	data, err := noticePDF(lines, title, issued)
	if err != nil {
		return "", err
	}
	plain := filepath.Join(dir, "notice-unsigned.pdf")
	if err := os.WriteFile(plain, data, 0o600); err != nil {
		return "", fmt.Errorf("service: notice PDF: %w", err)
	}
	out := filepath.Join(dir, "notice.pdf")
	if _, err := pades.Sign(ctx, plain, out, cred, pades.SignOptions{Reason: "通知書", Now: func() time.Time { return issued }}); err != nil {
		return "", fmt.Errorf("service: notice PDF: %w", err)
	}
	return out, nil
}
