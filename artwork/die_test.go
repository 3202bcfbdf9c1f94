package artwork_test

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/catalog"
)

// TestDiePDF: the drawn die is a PDF that pdfcpu reads back, one page of
// the blank's size plus the margin, its trim box the blank and its bleed
// box the blank with the bleed around it.
func TestDiePDF(t *testing.T) {
	c, err := catalog.Load(catalog.DemoJSON, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	d := func(v int64) decimal.Decimal { return decimal.NewFromInt(v) }
	die := c.Product("s001_v0").Pricing.Blank.Dieline.Draw(d(80), d(80), d(150))
	pdf, err := artwork.DiePDF(die, 3)
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := api.ReadContext(bytes.NewReader(pdf), model.NewDefaultConfiguration())
	if err != nil {
		t.Fatalf("not a PDF pdfcpu reads: %v", err)
	}
	if err := api.ValidateContext(ctx); err != nil {
		t.Fatalf("invalid PDF: %v", err)
	}
	dims, err := ctx.PageDims()
	if err != nil || len(dims) != 1 {
		t.Fatalf("pages: %v %v", dims, err)
	}
	mm := func(pt float64) float64 { return pt * 25.4 / 72 }
	if math.Abs(mm(dims[0].Width)-355) > 0.01 || math.Abs(mm(dims[0].Height)-360) > 0.01 {
		t.Errorf("page %.2f x %.2f mm, want 355 x 360 (335 x 340 and 10 mm around)", mm(dims[0].Width), mm(dims[0].Height))
	}
	boxes, err := ctx.PageBoundaries(nil)
	if err != nil || len(boxes) != 1 {
		t.Fatalf("page boxes: %v %v", boxes, err)
	}
	trim, bleed := boxes[0].TrimBox(), boxes[0].BleedBox()
	if math.Abs(mm(trim.Width())-335) > 0.01 || math.Abs(mm(trim.Height())-340) > 0.01 || math.Abs(mm(trim.LL.X)-10) > 0.01 {
		t.Errorf("trim box %v (%.2f x %.2f mm), want the 335 x 340 mm blank 10 mm in", trim, mm(trim.Width()), mm(trim.Height()))
	}
	if math.Abs(mm(bleed.Width())-341) > 0.01 || math.Abs(mm(bleed.Height())-346) > 0.01 || math.Abs(mm(bleed.LL.X)-7) > 0.01 {
		t.Errorf("bleed box %v (%.2f x %.2f mm), want the blank and 3 mm around", bleed, mm(bleed.Width()), mm(bleed.Height()))
	}
	if !bytes.Contains(pdf, []byte("%PDF-")) {
		t.Error("no PDF header")
	}
}
