// Package testfiles makes the print files tests need: PDFs of a page size
// with or without bleed, and PNG images of a pixel size.
package testfiles

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"fmt"
	"image"
	"image/png"
	"io"
	"strings"
)

const pt = 72 / 25.4 // points per millimetre

// PDF is a one-page PDF whose trim box is w x h mm, with bleed mm around it
// (MediaBox and BleedBox), and a correct cross-reference table.
func PDF(w, h, bleed float64) []byte {
	return Doc{W: w, H: h, Bleed: bleed}.PDF()
}

// Doc describes a PDF to make.
type Doc struct {
	W, H, Bleed float64 // trim size and bleed in mm
	Pages       int     // 0: one
	// Font, when set, is a standard font each page writes with, not
	// embedded.
	Font string
	// Pad, when set, is the length of a comment after the header: a PDF of
	// any size that stays cheap to read (Reader makes it without holding it).
	Pad int64
	// ImageW x ImageH, when set, is a grey image each page draws over its
	// trim box.
	ImageW, ImageH int
}

// PDF makes the document.
func (d Doc) PDF() []byte {
	b, _ := io.ReadAll(d.Reader())
	return b
}

// Size is the length of the document in bytes.
func (d Doc) Size() int64 {
	head, tail := d.parts()
	return int64(len(head)) + d.padLen() + int64(len(tail))
}

// Reader streams the document.
func (d Doc) Reader() io.Reader {
	head, tail := d.parts()
	return io.MultiReader(bytes.NewReader(head), io.LimitReader(&padding{}, d.padLen()), bytes.NewReader(tail))
}

// padLen is the pad rounded to whole comment lines.
func (d Doc) padLen() int64 {
	if d.Pad <= 0 {
		return 0
	}
	return (d.Pad + padLine - 1) / padLine * padLine
}

const padLine = 1024

// padding is endless comment lines of padLine bytes.
type padding struct{ off int64 }

var padPattern = func() []byte {
	b := bytes.Repeat([]byte{'x'}, padLine)
	b[0], b[padLine-1] = '%', '\n'
	return b
}()

func (p *padding) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		c := copy(b[n:], padPattern[(p.off+int64(n))%padLine:])
		n += c
	}
	p.off += int64(n)
	return n, nil
}

// parts are the bytes before and after the padding.
func (d Doc) parts() (head, tail []byte) {
	n := max(d.Pages, 1)
	W, H, B := d.W*pt, d.H*pt, d.Bleed*pt
	// Objects: 1 catalog, 2 page tree, 3 font, 4 image, then per page its
	// page and content stream.
	pageObj := func(i int) int { return 5 + 2*i }
	objs := map[int]string{}
	kids := make([]string, n)
	for i := range n {
		kids[i] = fmt.Sprintf("%d 0 R", pageObj(i))
	}
	objs[1] = "<< /Type /Catalog /Pages 2 0 R >>"
	objs[2] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n)
	objs[3] = fmt.Sprintf("<< /Type /Font /Subtype /Type1 /BaseFont /%s >>", cmp.Or(d.Font, "Helvetica"))
	if d.ImageW > 0 {
		data := bytes.Repeat([]byte{0x80}, d.ImageW*d.ImageH)
		objs[4] = fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream",
			d.ImageW, d.ImageH, len(data), data)
	} else {
		objs[4] = "null"
	}
	for i := range n {
		var content, res []string
		if d.Font != "" {
			content = append(content, fmt.Sprintf("BT /F1 12 Tf 20 20 Td (page %d) Tj ET", i+1))
			res = append(res, "/Font << /F1 3 0 R >>")
		}
		if d.ImageW > 0 {
			content = append(content, fmt.Sprintf("q %g 0 0 %g 0 0 cm /Im1 Do Q", W, H))
			res = append(res, "/XObject << /Im1 4 0 R >>")
		}
		page := fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [%g %g %g %g] /TrimBox [0 0 %g %g]", -B, -B, W+B, H+B, W, H)
		if d.Bleed > 0 {
			page += fmt.Sprintf(" /BleedBox [%g %g %g %g]", -B, -B, W+B, H+B)
		}
		if len(content) > 0 {
			c := strings.Join(content, "\n")
			page += fmt.Sprintf(" /Contents %d 0 R /Resources << %s >>", pageObj(i)+1, strings.Join(res, " "))
			objs[pageObj(i)+1] = fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(c), c)
		} else {
			objs[pageObj(i)+1] = "null"
		}
		objs[pageObj(i)] = page + " >>"
	}
	size := pageObj(n)
	head = []byte("%PDF-1.4\n")
	base := int64(len(head)) + d.padLen()
	var buf bytes.Buffer
	offsets := make([]int64, size)
	for k := 1; k < size; k++ {
		offsets[k] = base + int64(buf.Len())
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", k, objs[k])
	}
	xref := base + int64(buf.Len())
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", size)
	for _, o := range offsets[1:] {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", size, xref)
	return head, buf.Bytes()
}

// PNG is a grey image of w x h pixels.
func PNG(w, h int) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)))
	return buf.Bytes()
}

// PDFBomb is a small PDF whose only page lives in a compressed object
// stream that inflates to more than inflated bytes: reading the page's
// boxes means inflating all of it.
func PDFBomb(inflated int64) []byte {
	var stream bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&stream, zlib.BestSpeed)
	fmt.Fprintf(zw, "3 0 << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\n")
	pad := bytes.Repeat([]byte{' '}, 1<<20)
	for n := int64(0); n < inflated; n += int64(len(pad)) {
		zw.Write(pad)
	}
	zw.Close()
	var buf bytes.Buffer
	offsets := map[int]int{}
	obj := func(n int, dict string, data []byte) {
		offsets[n] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\n", n, dict)
		if data != nil {
			buf.WriteString("stream\n")
			buf.Write(data)
			buf.WriteString("\nendstream\n")
		}
		buf.WriteString("endobj\n")
	}
	buf.WriteString("%PDF-1.5\n")
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	obj(4, fmt.Sprintf("<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>", stream.Len()), stream.Bytes())
	// The cross-reference stream: W [1 4 2], object 3 is entry 0 of
	// object stream 4.
	xref := buf.Len()
	var rows bytes.Buffer
	row := func(typ byte, a uint32, b uint16) {
		rows.Write([]byte{typ, byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a), byte(b >> 8), byte(b)})
	}
	row(0, 0, 65535)
	row(1, uint32(offsets[1]), 0)
	row(1, uint32(offsets[2]), 0)
	row(2, 4, 0)
	row(1, uint32(offsets[4]), 0)
	row(1, uint32(xref), 0)
	obj(5, fmt.Sprintf("<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>", rows.Len()), rows.Bytes())
	fmt.Fprintf(&buf, "startxref\n%d\n%%%%EOF\n", xref)
	return buf.Bytes()
}
