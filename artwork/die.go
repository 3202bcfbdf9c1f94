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
// cut lines solid red, creases dashed blue (the usual die colours). Its
// TrimBox is the blank and its BleedBox the blank with bleedMM around it,
// which is what the preflight measures (SpecOf): a design made on the die
// keeps the size its check asks for. pdfcpu writes the file; only the
// drawing operators are ours.
func DiePDF(die catalog.Die, bleedMM float64) ([]byte, error) {
	pt := func(mm float64) float64 { return mm * 72 / 25.4 }
	l, _ := die.Length.Float64()
	w, _ := die.Width.Float64()
	bleedMM = max(0, min(bleedMM, DieMarginMM))
	media := types.RectForDim(pt(l+2*DieMarginMM), pt(w+2*DieMarginMM))
	trim := types.NewRectangle(pt(DieMarginMM), pt(DieMarginMM), pt(DieMarginMM+l), pt(DieMarginMM+w))
	bleed := types.NewRectangle(pt(DieMarginMM-bleedMM), pt(DieMarginMM-bleedMM), pt(DieMarginMM+l+bleedMM), pt(DieMarginMM+w+bleedMM))
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
	pages, err := xrt.DereferenceDict(root["Pages"])
	if err != nil || pages == nil || len(pages.ArrayEntry("Kids")) != 1 {
		return nil, fmt.Errorf("the die's page tree: %v", err)
	}
	d, err := xrt.DereferenceDict(pages.ArrayEntry("Kids")[0])
	if err != nil || d == nil {
		return nil, fmt.Errorf("the die's page: %v", err)
	}
	d["TrimBox"], d["BleedBox"] = trim.Array(), bleed.Array()
	ctx := pdfcpu.CreateContext(xrt, model.NewDefaultConfiguration())
	var out bytes.Buffer
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
