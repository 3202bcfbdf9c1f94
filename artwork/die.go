package artwork

import (
	"bufio"
	"bytes"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/pressroom/pressroom/catalog"
)

// DieMarginMM is the white space around a drawn die.
const DieMarginMM = 10

// DiePDF draws a box's die as a one-page PDF at full size, with a margin:
// cut lines solid red, creases dashed blue (the usual die colours), and the
// blank's size in the trim box. pdfcpu writes the file; only the drawing
// operators are ours.
func DiePDF(die catalog.Die) ([]byte, error) {
	pt := func(mm float64) float64 { return mm * 72 / 25.4 }
	l, _ := die.Length.Float64()
	w, _ := die.Width.Float64()
	media := types.RectForDim(pt(l+2*DieMarginMM), pt(w+2*DieMarginMM))
	page := model.NewPage(media, media)
	var b bytes.Buffer
	line := func(s catalog.Segment) {
		x1, _ := s.X1.Float64()
		y1, _ := s.Y1.Float64()
		x2, _ := s.X2.Float64()
		y2, _ := s.Y2.Float64()
		fmt.Fprintf(&b, "%.3f %.3f m %.3f %.3f l S\n", pt(x1+DieMarginMM), pt(y1+DieMarginMM), pt(x2+DieMarginMM), pt(y2+DieMarginMM))
	}
	b.WriteString("0.5 w 1 0 0 RG [] 0 d\n")
	for _, s := range die.Cut {
		line(s)
	}
	b.WriteString("0 0 1 RG [3 2] 0 d\n")
	for _, s := range die.Crease {
		line(s)
	}
	page.Buf = &b
	xrt, err := pdfcpu.CreateXRefTableWithRootDict()
	if err != nil {
		return nil, err
	}
	root, err := xrt.Catalog()
	if err != nil {
		return nil, err
	}
	if err := pdfcpu.AddPageTreeWithSamplePage(xrt, root, page); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	ctx := pdfcpu.CreateContext(xrt, model.NewDefaultConfiguration())
	bw := bufio.NewWriter(&out)
	ctx.Write.Writer = bw
	if err := pdfcpu.WriteContext(ctx); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
