package pricing_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/pricing"
)

var demo = func() *catalog.Catalog {
	c, err := catalog.Load(catalog.DemoJSON, 1, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	return c
}()

var day = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func sel(code string, value ...string) catalog.Selection {
	s := catalog.Selection{Code: code}
	if len(value) > 0 {
		v := dec(value[0])
		s.Value = &v
	}
	return s
}

func configure(t testing.TB, product string, sels ...catalog.Selection) *catalog.Configuration {
	t.Helper()
	cfg := demo.Product(product).Configure(sels, "en")
	if !cfg.CanOrder {
		t.Fatalf("%s: configuration not complete: problems %+v, offers %d", product, cfg.Problems, len(cfg.Offers))
	}
	return cfg
}

func quote(t testing.TB, cfg *catalog.Configuration) *pricing.Quote {
	t.Helper()
	q, err := pricing.Price(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func dibond(amount string) []catalog.Selection {
	return []catalog.Selection{sel("width", "40"), sel("height", "20"), sel("amount", amount),
		sel("direct-to-plate"), sel("single-sided"), sel("dibond-budget"), sel("3mm"),
		sel("milling"), sel("no-drillholes"), sel("customer-supplied-file")}
}

func box(article, w, d, h, qty, material string, printing, silver bool) []catalog.Selection {
	yn := func(name string, on bool) catalog.Selection {
		if on {
			return sel(name + "-yes")
		}
		return sel(name + "-no")
	}
	return []catalog.Selection{sel("width", w), sel("depth", d), sel("height", h), sel("amount", qty),
		sel(material), yn("printing", printing), sel("gold-no"), yn("silver", silver), sel("varnish-no"),
		sel("customer-supplied-file")}
}

var dutch = pricing.Buyer{Markup: dec("2.5"), Destination: "NL"}

func rates(t testing.TB, b pricing.Buyer) pricing.Rates {
	t.Helper()
	r, err := pricing.RatesFor(demo.Commerce, b, day)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func eq(t testing.TB, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// The user guide's dibond 40x20 cm: 1.876 per piece, 4.69 sales with the
// demo reseller's 2.5 markup; five pieces 9.38 and 23.45. Every production
// time costs the same, as the guide's prices_total shows.
func TestSeedDibond(t *testing.T) {
	r := rates(t, dutch)
	for _, c := range []struct{ amount, total, sales, piece string }{
		{"1", "1.88", "4.69", "1.876"},
		{"5", "9.38", "23.45", "1.876"},
	} {
		q := quote(t, configure(t, "dibond", dibond(c.amount)...))
		if len(q.Lines) != 21 || q.Lines[0].Time.Hours != 480 || q.Lines[20].Time.Hours != 18 {
			t.Fatalf("production times: %d lines", len(q.Lines))
		}
		for _, l := range q.Lines {
			a := pricing.Of(l, dutch.Markup, r)
			total, piece := a.Rounded(), a.PerPiece(q.Measure.Amount)
			eq(t, c.amount+" total purchase", total.Purchase, c.total)
			eq(t, c.amount+" total base", total.PurchaseBase, c.total)
			eq(t, c.amount+" rush", total.PurchaseRush, "0")
			eq(t, c.amount+" total sales", total.Sales, c.sales)
			eq(t, c.amount+" piece purchase", piece.Purchase, c.piece)
			eq(t, c.amount+" piece sales", piece.Sales, "4.69")
			// pressroom computes real VAT: 21 % in the Netherlands.
			eq(t, c.amount+" total incl VAT", total.PurchaseInclVAT, pricing.Round(dec(c.total).Mul(dec("1.21"))).String())
		}
	}
}

// The accessories the guide offers with dibond, priced per piece.
func TestSeedAccessories(t *testing.T) {
	r := rates(t, dutch)
	for code, want := range map[string][2]string{
		"side-grip-spacer-2-5mm":  {"7", "17.5"},
		"mounting-plates-7x7cm":   {"3.25", "8.125"},
		"mounting-plates-10x10cm": {"6", "15"},
		"mounting-plates-10x20cm": {"7.5", "18.75"},
	} {
		q := quote(t, configure(t, code, sel("amount", "1")))
		a := pricing.Of(q.Lines[0], dutch.Markup, r).PerPiece(q.Measure.Amount)
		eq(t, code+" purchase", a.Purchase, want[0])
		eq(t, code+" sales", a.Sales, want[1])
	}
}

// The Profotonet products, whose prices are cents including Dutch VAT.
func TestSeedPhotoProducts(t *testing.T) {
	r := rates(t, dutch)
	cents := func(d decimal.Decimal) string { return pricing.Round(d).Shift(2).String() }
	for code, want := range map[string]string{"schoolfotoset-a-glans": "127", "canvas-2cm-50x50-wit": "8195"} {
		p := demo.Product(code)
		var sels []catalog.Selection
		sels = append(sels, sel("amount", "1"))
		if code == "canvas-2cm-50x50-wit" {
			sels = append(sels, sel("canvasedge-none"))
		}
		q := quote(t, configure(t, code, sels...))
		if got := cents(pricing.Of(q.Lines[0], dutch.Markup, r).PurchaseInclVAT); got != want {
			t.Errorf("%s: %s cents, want %s", code, got, want)
		}
		shipping := map[string]string{}
		for _, m := range p.Methods() {
			for _, country := range []string{"NL", "DE"} {
				s := m.Rate(country)
				price := s.Prices[0].Price.Mul(dec("1.21"))
				shipping[m.Code+"/"+country] = cents(price)
			}
		}
		wantShipping := map[string]string{"postnl-parcel/NL": "599", "postnl-parcel/DE": "899"}
		if code == "schoolfotoset-a-glans" {
			wantShipping = map[string]string{"postnl-letterbox/NL": "249", "postnl-letterbox/DE": "349",
				"postnl-letterbox-parcel/NL": "599", "postnl-letterbox-parcel/DE": "899"}
		}
		if fmt.Sprint(shipping) != fmt.Sprint(wantShipping) {
			t.Errorf("%s shipping = %v, want %v", code, shipping, wantShipping)
		}
	}
}

// The box document's amounts, excluding and including 22 % Italian VAT,
// each shown amount rounded once from the exact amount.
func TestSeedBoxes(t *testing.T) {
	italy := pricing.Buyer{Markup: dec("2.5"), Destination: "IT"}
	r := rates(t, italy)
	eq(t, "Italian VAT", r.Purchase, "0.22")
	price := func(code, timeCode string, sels []catalog.Selection) pricing.Amounts {
		t.Helper()
		q := quote(t, configure(t, code, sels...))
		l := q.Line(timeCode)
		if l == nil {
			t.Fatalf("%s has no production time %q", code, timeCode)
		}
		return pricing.Of(*l, italy.Markup, r)
	}
	a := price("s001_v0", "economy", box("s001_v0", "80", "80", "150", "25", "SBS300", true, false))
	a1 := price("s001_v1", "economy", box("s001_v1", "80", "80", "150", "25", "SBS300", true, false))
	b := price("s002_v4", "economy", box("s002_v4", "150", "100", "40", "25", "SBS300", true, false))
	c := price("s001_v0", "standard", box("s001_v0", "70.66", "80.77", "120", "3000", "FBB285", false, false))
	d := price("s001_v1", "express", box("s001_v1", "70.66", "80.77", "120", "100", "SBS300", true, true))
	for _, x := range []struct {
		name      string
		a         pricing.Amounts
		net, gros string
	}{
		{"s001_v0 80x80x150", a, "57.19", "69.77"},
		{"s001_v1 80x80x150", a1, "57.19", "69.77"},
		{"s002_v4 150x100x40", b, "54.91", "66.99"},
		{"s001_v0 3000 FBB285 standard", c, "752.65", "918.23"},
		{"s001_v1 100 silver express", d, "364.21", "444.33"},
		// The create example's order: its two items together.
		{"create example order", c.Add(d), "1116.86", "1362.56"},
		// The list example's second order: five items, whose gross is 346.08
		// from the exact amounts although the rounded items add up to 346.07.
		{"list example order", a.Add(b).Add(a).Add(a1).Add(a1), "283.67", "346.08"},
	} {
		got := x.a.Rounded()
		eq(t, x.name+" net", got.Purchase, x.net)
		eq(t, x.name+" gross", got.PurchaseInclVAT, x.gros)
	}
	if !c.PurchaseRush.IsPositive() || !d.PurchaseRush.GreaterThan(d.PurchaseBase.Mul(dec("0.29"))) {
		t.Errorf("standard and express carry rush surcharges: %v / %v", c, d)
	}
}

func TestReverseCharge(t *testing.T) {
	belgian := pricing.Buyer{Markup: dec("2"), Country: "BE", VATID: "BE0123456789", Destination: "DE"}
	r := rates(t, belgian)
	if !r.ReverseCharge || !r.Purchase.IsZero() || !r.Sales.Equal(dec("0.19")) {
		t.Errorf("Belgian business shipping to Germany: %+v", r)
	}
	q := quote(t, configure(t, "dibond", dibond("5")...))
	a := pricing.Of(q.Lines[0], belgian.Markup, r).Rounded()
	if !a.PurchaseInclVAT.Equal(a.Purchase) || !a.Sales.Equal(dec("18.76")) || !a.SalesInclVAT.Equal(dec("22.32")) {
		t.Errorf("reverse charge amounts: %v", a)
	}
	// A Dutch business pays Dutch VAT even with a VAT id; so does one without
	// an id; and so does the Belgian business for goods that stay in the
	// Netherlands (no intra-Community supply: a domestic one).
	for _, b := range []pricing.Buyer{{Country: "NL", VATID: "NL001234567B01", Destination: "NL"}, {Country: "BE", Destination: "BE"},
		{Country: "BE", VATID: "BE0123456789", Destination: "NL"}} {
		if r := rates(t, b); r.ReverseCharge || !r.Purchase.Equal(dec("0.21")) {
			t.Errorf("%+v: %+v", b, r)
		}
	}
	// VAT rates are versioned: Germany charged 16 % in the second half of 2020.
	r2020, _ := pricing.RatesFor(demo.Commerce, pricing.Buyer{Destination: "DE"}, time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC))
	eq(t, "German VAT 2020", r2020.Purchase, "0.16")
	if _, err := pricing.RatesFor(demo.Commerce, pricing.Buyer{Destination: "US"}, day); err == nil {
		t.Error("a country the company does not serve has no VAT rate")
	}
}

func TestEffectivePieces(t *testing.T) {
	breaks := []catalog.QuantityBreak{{From: 10, Discount: dec("0.1")}, {From: 20, Discount: dec("0.5")}}
	for q, want := range map[string]string{"0": "0", "1": "1", "9": "9", "10": "9.9", "19": "18", "20": "18.5", "30": "23.5"} {
		eq(t, "effective pieces of "+q, pricing.EffectivePieces(dec(q), breaks), want)
	}
	eq(t, "no breaks", pricing.EffectivePieces(dec("7"), nil), "7")
}

func TestIncompleteConfigurationHasNoPrice(t *testing.T) {
	cfg := demo.Product("dibond").Configure(dibond("1")[:5], "en")
	if _, err := pricing.Price(cfg); err == nil {
		t.Fatal("an incomplete configuration has no price")
	}
}

// randomComplete walks a product's tree with random choices and values.
func randomComplete(rt *rapid.T, p *catalog.CompiledProduct) []catalog.Selection {
	var sels []catalog.Selection
	for range 30 {
		cfg := p.Configure(sels, "en")
		if len(cfg.Problems) > 0 {
			rt.Skipf("random values broke the configuration: %v", cfg.Problems)
		}
		if cfg.CanOrder {
			return sels
		}
		offer := cfg.Offers[0]
		if offer.Choices[0].IsNumeric() {
			for _, ch := range offer.Choices {
				sels = append(sels, catalog.Selection{Code: ch.Code, Value: randomValue(rt, ch.CompiledOption)})
			}
			continue
		}
		var open []catalog.Choice
		for _, ch := range offer.Choices {
			if ch.Available {
				open = append(open, ch)
			}
		}
		if len(open) == 0 {
			rt.Skip("dead end")
		}
		sels = append(sels, catalog.Selection{Code: rapid.SampledFrom(open).Draw(rt, "choice").Code})
	}
	rt.Fatalf("%s: no complete configuration after 30 steps", p.Code)
	return nil
}

func randomValue(rt *rapid.T, o *catalog.CompiledOption) *decimal.Decimal {
	lo, hi := int64(1), int64(400)
	if o.Type == catalog.TypeAmount {
		hi = 2000
	}
	if o.Min != nil && o.Min.IntPart() > lo {
		lo = o.Min.IntPart()
	}
	if o.Max != nil && o.Max.IntPart() < hi {
		hi = o.Max.IntPart()
	}
	v := decimal.NewFromInt(rapid.Int64Range(lo, hi).Draw(rt, o.Code))
	return &v
}

func pricedProducts() []*catalog.CompiledProduct {
	var out []*catalog.CompiledProduct
	for _, p := range demo.Products() {
		if p.Pricing != nil {
			out = append(out, p)
		}
	}
	return out
}

func with(sels []catalog.Selection, code string, v decimal.Decimal) []catalog.Selection {
	out := append([]catalog.Selection(nil), sels...)
	for i := range out {
		if out[i].Code == code {
			out[i].Value = &v
		}
	}
	return out
}

func totalOf(rt *rapid.T, p *catalog.CompiledProduct, sels []catalog.Selection) *pricing.Quote {
	cfg := p.Configure(sels, "en")
	if !cfg.CanOrder {
		rt.Skipf("changed value left the configuration incomplete: %v", cfg.Problems)
	}
	q, err := pricing.Price(cfg)
	if f := pressroom.ErrorFields(err); len(f) > 0 && (f[0].Code == "min_sheets" || f[0].Code == "blank_too_large") {
		rt.Skipf("a box line that cannot be made: %v", err) // fewer sheets than the minimum, or a blank larger than the sheet
	}
	if err != nil {
		rt.Fatal(err)
	}
	return q
}

// TestPriceProperties: on random complete configurations of every priced
// demo product, more pieces never cost less in total and never more per
// piece, a larger size never costs less, and a faster production time never
// costs less.
func TestPriceProperties(t *testing.T) {
	products := pricedProducts()
	rapid.Check(t, func(rt *rapid.T) {
		p := rapid.SampledFrom(products).Draw(rt, "product")
		sels := randomComplete(rt, p)
		q := totalOf(rt, p, sels)
		for i := 1; i < len(q.Lines); i++ {
			if q.Lines[i].Total.LessThan(q.Lines[i-1].Total) {
				rt.Fatalf("%s is faster than %s but costs %s < %s", q.Lines[i].Time.Code, q.Lines[i-1].Time.Code, q.Lines[i].Total, q.Lines[i-1].Total)
			}
		}
		if !q.Lines[0].Total.IsPositive() {
			rt.Fatalf("price %s is not positive", q.Lines[0].Total)
		}
		if p.Input(catalog.TypeAmount) != nil {
			more := q.Measure.Amount.Add(decimal.NewFromInt(rapid.Int64Range(1, 500).Draw(rt, "more")))
			q2 := totalOf(rt, p, with(sels, "amount", more))
			t1, t2 := q.Lines[0].Total, q2.Lines[0].Total
			if t2.LessThan(t1) {
				rt.Fatalf("%s pieces cost %s, fewer (%s) cost %s", more, t2, q.Measure.Amount, t1)
			}
			// t2/more <= t1/amount, compared without division.
			if t2.Mul(q.Measure.Amount).GreaterThan(t1.Mul(more)) {
				rt.Fatalf("unit price rose: %s for %s, %s for %s", t2, more, t1, q.Measure.Amount)
			}
		}
		for _, typ := range []string{catalog.TypeWidth, catalog.TypeHeight, catalog.TypeDepth, catalog.TypeLength} {
			in := p.Input(typ)
			if in == nil {
				continue
			}
			cfg := p.Configure(sels, "en")
			var cur decimal.Decimal
			for _, c := range cfg.Selected {
				if c.Code == in.Code {
					cur = *c.Value
				}
			}
			bigger := cur.Add(decimal.NewFromInt(rapid.Int64Range(1, 50).Draw(rt, "grow "+typ)))
			if in.Max != nil && bigger.GreaterThan(*in.Max) {
				continue
			}
			q2 := totalOf(rt, p, with(sels, in.Code, bigger))
			if q2.Lines[0].Total.LessThan(q.Lines[0].Total) {
				rt.Fatalf("%s %s costs %s, smaller %s costs %s", typ, bigger, q2.Lines[0].Total, cur, q.Lines[0].Total)
			}
		}
	})
}

// TestRoundedOnce: a shown amount is the exact amount rounded once, so a
// shown gross may differ by a cent from shown net plus shown VAT, but never
// from the exact gross by more than half a cent.
func TestRoundedOnce(t *testing.T) {
	r := rates(t, pricing.Buyer{Destination: "IT"})
	rapid.Check(t, func(rt *rapid.T) {
		p := rapid.SampledFrom(pricedProducts()).Draw(rt, "product")
		q := totalOf(rt, p, randomComplete(rt, p))
		exact := pricing.Of(q.Lines[0], dec("2.5"), r)
		shown := exact.Rounded()
		half := dec("0.005")
		for _, pair := range [][2]decimal.Decimal{{exact.Purchase, shown.Purchase}, {exact.PurchaseInclVAT, shown.PurchaseInclVAT}, {exact.SalesInclVAT, shown.SalesInclVAT}} {
			if pair[1].Sub(pair[0]).Abs().GreaterThan(half) || pair[1].Exponent() < -2 {
				rt.Fatalf("shown %s for exact %s", pair[1], pair[0])
			}
		}
	})
}

// BenchmarkPriceDibond configures the guide's dibond and prices it at all
// 21 production times (shown rounded), without delivery.
func BenchmarkPriceDibond(b *testing.B) {
	p := demo.Product("dibond")
	sels := dibond("5")
	r := rates(b, dutch)
	b.ReportAllocs()
	for b.Loop() {
		cfg := p.Configure(sels, "en")
		q, err := pricing.Price(cfg)
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range q.Amounts(dutch.Markup, r) {
			_ = a.Rounded()
		}
	}
}

func BenchmarkPriceBox(b *testing.B) {
	p := demo.Product("s001_v1")
	sels := box("s001_v1", "70.66", "80.77", "120", "100", "SBS300", true, true)
	r := rates(b, dutch)
	b.ReportAllocs()
	for b.Loop() {
		q, err := pricing.Price(p.Configure(sels, "en"))
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range q.Amounts(dutch.Markup, r) {
			_ = a.Rounded()
		}
	}
}

// TestBoxSheets: a box line counts its press sheets; fewer than the
// product's minimum, or a blank larger than the sheet, cannot be made.
func TestBoxSheets(t *testing.T) {
	p := demo.Product("s001_v0")
	q, err := pricing.Price(p.Configure(box("s001_v0", "80", "80", "150", "25", "SBS300", true, false), "en"))
	if err != nil || q.Measure.Sheets != 5 { // a 335 x 340 mm blank: 6 on a 1020 x 720 mm sheet
		t.Fatalf("25 boxes: %v sheets, %v", q, err)
	}
	_, err = pricing.Price(p.Configure(box("s001_v0", "80", "80", "150", "6", "SBS300", true, false), "en"))
	if f := pressroom.ErrorFields(err); len(f) != 1 || f[0].Code != "min_sheets" || !strings.Contains(err.Error(), "order at least 7 boxes") {
		t.Errorf("6 boxes, one sheet: %v", err)
	}
	_, err = pricing.Price(p.Configure(box("s001_v0", "300", "300", "300", "25", "SBS300", true, false), "en"))
	if f := pressroom.ErrorFields(err); len(f) != 1 || f[0].Code != "blank_too_large" {
		t.Errorf("a 1215 x 930 mm blank: %v", err)
	}
}
