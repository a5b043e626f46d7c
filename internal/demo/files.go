package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// pdfDocument returns a one-page PDF with a title and lines of text: small,
// but a real file that viewers open and the upload check accepts, so the
// demo's documents can be downloaded, disclosed and erased like real ones.
func pdfDocument(title string, lines ...string) []byte {
	var content bytes.Buffer
	fmt.Fprintf(&content, "BT\n/F1 16 Tf\n56 780 Td\n(%s) Tj\n/F1 11 Tf\n0 -30 Td\n", pdfString(title))
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) Tj\n0 -16 Td\n", pdfString(l))
	}
	content.WriteString("ET\n")

	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.Bytes()),
	}
	var out bytes.Buffer
	// The second line's high bytes tell tools the file is binary.
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off) // each entry exactly 20 bytes
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return out.Bytes()
}

// pdfString encodes s for a PDF literal string in WinAnsiEncoding: Latin-1
// as is, the euro sign at its code, other letters without their accent.
func pdfString(s string) string {
	var b []byte
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '€':
			b = append(b, 0x80)
		case r < 0x20:
			b = append(b, ' ')
		case r < 0x100:
			b = append(b, byte(r))
		default:
			if f := fold(r); f < 0x100 {
				b = append(b, byte(f)) // #nosec G115 -- guarded by f < 0x100 above
			} else {
				b = append(b, '?')
			}
		}
	}
	return string(b)
}

// pngImage returns a small PNG: a passport photo (a head and shoulders on a
// light background) or an identity card (a photo box on a coloured card).
// tint makes each person's picture a little different.
func pngImage(card bool, tint uint8) []byte {
	w, h := 18, 24
	if card {
		w, h = 43, 27
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bg := color.RGBA{235, 238, 242, 255}
	if card {
		bg = color.RGBA{200, 218, 236, 255}
	}
	skin := color.RGBA{224 - tint/4, 180 - tint/3, 150 - tint/3, 255}
	shirt := color.RGBA{40 + tint/2, 70, 120 - tint/4, 255}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, bg)
		}
	}
	ox, oy := 0, 0
	if card {
		ox, oy = 3, 2 // the photo sits on the left of the card
		for y := 22; y < 25; y++ {
			for x := 24; x < 40; x++ {
				img.Set(x, y, color.RGBA{30, 30, 30, 255}) // machine-readable zone
			}
		}
	}
	for y := 0; y < 24 && y+oy < h; y++ {
		for x := 0; x < 18 && x+ox < w; x++ {
			dx, dy := x-9, y-8
			switch {
			case dx*dx+dy*dy*3/4 < 22:
				img.Set(x+ox, y+oy, skin)
			case y > 15 && dx*dx < (y-10)*(y-10):
				img.Set(x+ox, y+oy, shirt)
			}
		}
	}
	var out bytes.Buffer
	_ = png.Encode(&out, img) // writing to memory cannot fail
	return out.Bytes()
}
