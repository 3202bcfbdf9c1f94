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
// the blank's size plus the margin.
func TestDiePDF(t *testing.T) {
	c, err := catalog.Load(catalog.DemoJSON, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	d := func(v int64) decimal.Decimal { return decimal.NewFromInt(v) }
	die := c.Product("s001_v0").Pricing.Blank.Dieline.Draw(d(80), d(80), d(150))
	pdf, err := artwork.DiePDF(die)
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
	if !bytes.Contains(pdf, []byte("%PDF-")) {
		t.Error("no PDF header")
	}
}
