// Package testfiles makes the print files tests need: PDFs of a page size
// with or without bleed, and PNG images of a pixel size.
package testfiles

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
)

const pt = 72 / 25.4 // points per millimetre

// PDF is a one-page PDF whose trim box is w x h mm, with bleed mm around it
// (MediaBox and BleedBox), and a correct cross-reference table.
func PDF(w, h, bleed float64) []byte {
	var buf bytes.Buffer
	var offsets []int
	obj := func(s string) {
		offsets = append(offsets, buf.Len())
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", len(offsets), s)
	}
	W, H, B := w*pt, h*pt, bleed*pt
	buf.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	page := fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [%g %g %g %g] /TrimBox [0 0 %g %g]", -B, -B, W+B, H+B, W, H)
	if bleed > 0 {
		page += fmt.Sprintf(" /BleedBox [%g %g %g %g]", -B, -B, W+B, H+B)
	}
	obj(page + " >>")
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return buf.Bytes()
}

// PNG is a grey image of w x h pixels.
func PNG(w, h int) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)))
	return buf.Bytes()
}
