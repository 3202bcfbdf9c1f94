// Package pricing computes exact prices of complete configurations from the
// catalog's price rules: purchase prices per production time, sales prices
// from a reseller's markup, and VAT by destination and VAT profile.
//
// Every amount here is exact; rounding happens once, when an amount is shown
// (Round for totals, RoundPiece for per-piece prices).
package pricing

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
)

var (
	one        = decimal.NewFromInt(1)
	hundred    = decimal.NewFromInt(100)
	thousand   = decimal.NewFromInt(1000)
	million    = decimal.NewFromInt(1_000_000)
	pieceScale = int32(4)
)

// Round rounds a total to cents, half up (amounts are never negative).
func Round(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

// RoundPiece rounds a per-piece price to four decimals, half up.
func RoundPiece(d decimal.Decimal) decimal.Decimal { return d.Round(pieceScale) }

// Measure is what a piece of a configuration measures, for price rules and
// shipping weight.
type Measure struct {
	Amount    decimal.Decimal // pieces
	Area      decimal.Decimal // m² per piece (the blank for boxes)
	Length    decimal.Decimal // running metres per piece
	Perimeter decimal.Decimal // metres around a piece
	Sheets    int64           // press sheets of a box line (0: not counted)
}

// Measures computes the measures of a complete configuration.
func Measures(cfg *catalog.Configuration) Measure {
	p := cfg.Product
	m := Measure{Amount: cfg.Amount}
	if m.Amount.IsZero() && p.Input(catalog.TypeAmount) == nil {
		m.Amount = one
	}
	if p.Pricing != nil && p.Pricing.Blank != nil {
		b := p.Pricing.Blank
		w, d, h := mm(cfg.Width, p.Input(catalog.TypeWidth)), mm(cfg.Depth, p.Input(catalog.TypeDepth)), mm(cfg.Height, p.Input(catalog.TypeHeight))
		m.Area = b.Length.Eval(w, d, h).Mul(b.Width.Eval(w, d, h)).Div(million)
		return m
	}
	if wi, hi := p.Input(catalog.TypeWidth), p.Input(catalog.TypeHeight); wi != nil && hi != nil {
		w, h := metres(cfg.Width, wi), metres(cfg.Height, hi)
		m.Area = w.Mul(h)
		m.Perimeter = w.Add(h).Mul(decimal.NewFromInt(2))
	}
	if li := p.Input(catalog.TypeLength); li != nil {
		m.Length = metres(cfg.Length, li)
	}
	return m
}

func metres(v decimal.Decimal, o *catalog.CompiledOption) decimal.Decimal {
	switch o.Unit {
	case "mm":
		return v.Div(thousand)
	case "cm":
		return v.Div(hundred)
	}
	return v
}

func mm(v decimal.Decimal, o *catalog.CompiledOption) decimal.Decimal {
	return metres(v, o).Mul(thousand)
}

// Line is the purchase price of one configuration at one production time,
// excluding VAT and exact.
type Line struct {
	Time *catalog.ProductionTime
	// Base is the price before rush surcharge; Rush the surcharge; Total both.
	Base, Rush, Total decimal.Decimal
}

// Quote is the purchase price of a configuration at each production time.
type Quote struct {
	Product *catalog.CompiledProduct
	Measure Measure
	// Weight is the shipping weight of the whole line in kilograms.
	Weight decimal.Decimal
	Lines  []Line // one per production time of Product, in its order (slowest first)
}

// Line returns the quote's line for a production time code, or nil.
func (q *Quote) Line(code string) *Line {
	if i := q.lineIndex(code); i >= 0 {
		return &q.Lines[i]
	}
	return nil
}

func (q *Quote) lineIndex(code string) int {
	for i := range q.Lines {
		if q.Lines[i].Time.Code == code {
			return i
		}
	}
	return -1
}

// Price computes the purchase price of a complete configuration at every
// production time of its product. It fails with EINVALID for a configuration
// that is not complete or a product without price rules.
func Price(cfg *catalog.Configuration) (*Quote, error) {
	p := cfg.Product
	if !cfg.CanOrder {
		return nil, pressroom.Errorf(pressroom.EINVALID, "The configuration of %q is not complete, so it has no price yet.", p.Code)
	}
	if p.Pricing == nil || len(p.Production) == 0 {
		return nil, pressroom.Errorf(pressroom.EINVALID, "Product %q has no price rules; it cannot be priced.", p.Code)
	}
	m := Measures(cfg)
	if !m.Amount.IsPositive() {
		return nil, pressroom.Errorf(pressroom.EINVALID, "The amount of %q must be at least 1.", p.Code)
	}
	if b := p.Pricing.Blank; b != nil && b.Sheet != nil {
		if err := sheets(cfg, b, &m); err != nil {
			return nil, err
		}
	}
	base := basePrice(p.Pricing, m, cfg.Has)
	q := &Quote{Product: p, Measure: m, Weight: weight(cfg, m), Lines: make([]Line, len(p.Production))}
	for i := range p.Production {
		t := &p.Production[i]
		if i > 0 && t.Surcharge.Equal(p.Production[i-1].Surcharge) {
			// Most times share a surcharge (often none): same line.
			q.Lines[i] = q.Lines[i-1]
			q.Lines[i].Time = t
			continue
		}
		rush := base.Mul(t.Surcharge)
		q.Lines[i] = Line{Time: t, Base: base, Rush: rush, Total: base.Add(rush)}
	}
	return q, nil
}

// sheets counts the press sheets a box line takes: a blank larger than
// the sheet, or fewer sheets than the product's minimum, cannot be made.
func sheets(cfg *catalog.Configuration, b *catalog.Blank, m *Measure) error {
	p := cfg.Product
	w, d, h := mm(cfg.Width, p.Input(catalog.TypeWidth)), mm(cfg.Depth, p.Input(catalog.TypeDepth)), mm(cfg.Height, p.Input(catalog.TypeHeight))
	l, wd := b.Length.Eval(w, d, h), b.Width.Eval(w, d, h)
	per := b.Sheet.PerSheet(l, wd)
	if per == 0 {
		return &pressroom.Error{Code: pressroom.EINVALID, Message: fmt.Sprintf("The blank of this box, %s x %s mm, is larger than the %s x %s mm press sheet.", l.Round(1), wd.Round(1), b.Sheet.Length, b.Sheet.Width),
			Fields: []pressroom.FieldError{{Pointer: "/options", Code: "blank_too_large"}}}
	}
	m.Sheets = m.Amount.Div(decimal.NewFromInt(per)).Ceil().IntPart()
	if m.Sheets < b.Sheet.MinSheets {
		return &pressroom.Error{Code: pressroom.EINVALID, Message: fmt.Sprintf("%s boxes take %d press sheet(s) (%d per sheet); at least %d are made: order at least %d boxes.", m.Amount, m.Sheets, per, b.Sheet.MinSheets, (b.Sheet.MinSheets-1)*per+1),
			Fields: []pressroom.FieldError{{Pointer: "/options", Code: "min_sheets"}}}
	}
	return nil
}

// basePrice is setup plus the variable price of every piece, with quantity
// breaks, and at least the minimum.
func basePrice(pr *catalog.Pricing, m Measure, chosen func(string) bool) decimal.Decimal {
	var setup, perPiece decimal.Decimal
	for _, c := range pr.Components {
		applies := true
		for _, code := range c.When {
			if !chosen(code) {
				applies = false
				break
			}
		}
		if !applies {
			continue
		}
		if c.Setup != nil {
			setup = setup.Add(*c.Setup)
		}
		if c.PerPiece != nil {
			perPiece = perPiece.Add(*c.PerPiece)
		}
		if c.PerM2 != nil {
			perPiece = perPiece.Add(c.PerM2.Mul(m.Area))
		}
		if c.PerMetre != nil {
			perPiece = perPiece.Add(c.PerMetre.Mul(m.Length))
		}
		if c.PerPerimeterMetre != nil {
			perPiece = perPiece.Add(c.PerPerimeterMetre.Mul(m.Perimeter))
		}
	}
	total := setup.Add(perPiece.Mul(EffectivePieces(m.Amount, pr.QuantityBreaks)))
	if pr.Minimum != nil && total.LessThan(*pr.Minimum) {
		total = *pr.Minimum
	}
	return total
}

// EffectivePieces counts pieces with their break discounts: each piece from
// a break's From on counts for (1 - discount). Marginal breaks make the total
// grow with the amount while the price per piece never rises.
func EffectivePieces(amount decimal.Decimal, breaks []catalog.QuantityBreak) decimal.Decimal {
	var eff decimal.Decimal
	start, discount := one, decimal.Zero // the segment's first piece and its discount
	for i := 0; i <= len(breaks); i++ {
		end := amount // the segment's last piece
		if i < len(breaks) {
			if next := decimal.NewFromInt(breaks[i].From).Sub(one); next.LessThan(end) {
				end = next
			}
		}
		if n := end.Sub(start).Add(one); n.IsPositive() {
			eff = eff.Add(n.Mul(one.Sub(discount)))
		}
		if i == len(breaks) || !amount.GreaterThan(end) {
			break
		}
		start, discount = decimal.NewFromInt(breaks[i].From), breaks[i].Discount
	}
	return eff
}

func weight(cfg *catalog.Configuration, m Measure) decimal.Decimal {
	var perPiece decimal.Decimal
	if w := cfg.Product.Weight; w != nil {
		perPiece = *w
	}
	for _, l := range cfg.Linked {
		switch l.Unit {
		case catalog.UnitSquareMetre:
			perPiece = perPiece.Add(l.ShippingWeight.Mul(m.Area))
		case catalog.UnitRunningMetre:
			perPiece = perPiece.Add(l.ShippingWeight.Mul(m.Length))
		default:
			perPiece = perPiece.Add(l.ShippingWeight)
		}
	}
	return perPiece.Mul(m.Amount)
}

// Buyer is who pays and where the goods go: it decides the markup and VAT.
type Buyer struct {
	// Markup is the factor from purchase to suggested sales price (2.5).
	Markup decimal.Decimal
	// Country is the reseller's own country; VATID its VAT number, if any.
	Country, VATID string
	// Destination is the delivery country.
	Destination string
}

// Rates are the VAT rates that apply to a buyer: purchase (zero under
// reverse charge) and sales (the destination's, for the end customer).
type Rates struct {
	Purchase, Sales decimal.Decimal
	ReverseCharge   bool
}

// RatesFor returns the VAT rates for the buyer on a day. Reverse charge
// applies to a business with a VAT id in another EU country than the
// company, for goods that leave the company's country (an intra-Community
// supply): delivered within that country they are a domestic supply, taxed
// there whoever buys them. EINVALID names an unknown destination.
func RatesFor(cm *catalog.Commerce, b Buyer, on time.Time) (Rates, error) {
	rate, ok := cm.VATRate(b.Destination, on)
	if !ok {
		return Rates{}, pressroom.Errorf(pressroom.EINVALID, "We do not deliver to country %q.", b.Destination)
	}
	r := Rates{Purchase: rate, Sales: rate}
	home := b.Country
	if home == "" {
		home = cm.Company.Country
	}
	if b.VATID != "" && home != cm.Company.Country && b.Destination != cm.Company.Country {
		if c := cm.Countries[home]; c != nil && c.EU {
			r.Purchase, r.ReverseCharge = decimal.Zero, true
		}
	}
	return r, nil
}

// Amounts is a price as every API shows it, exact until rounded.
type Amounts struct {
	PurchaseBase, PurchaseRush, Purchase, PurchaseInclVAT decimal.Decimal
	Sales, SalesInclVAT                                   decimal.Decimal
}

// Of builds the amounts of a purchase line for a buyer.
func Of(l Line, markup decimal.Decimal, r Rates) Amounts {
	sales := l.Total.Mul(markup)
	return Amounts{
		PurchaseBase: l.Base, PurchaseRush: l.Rush, Purchase: l.Total,
		PurchaseInclVAT: l.Total.Mul(one.Add(r.Purchase)),
		Sales:           sales, SalesInclVAT: sales.Mul(one.Add(r.Sales)),
	}
}

// Amounts prices every line of the quote for a buyer; lines with the same
// surcharge share one computation.
func (q *Quote) Amounts(markup decimal.Decimal, r Rates) []Amounts {
	out := make([]Amounts, len(q.Lines))
	for i, l := range q.Lines {
		if i > 0 && l.Time.Surcharge.Equal(q.Lines[i-1].Time.Surcharge) {
			out[i] = out[i-1]
			continue
		}
		out[i] = Of(l, markup, r)
	}
	return out
}

// Add sums two amounts.
func (a Amounts) Add(b Amounts) Amounts {
	return Amounts{
		PurchaseBase: a.PurchaseBase.Add(b.PurchaseBase), PurchaseRush: a.PurchaseRush.Add(b.PurchaseRush),
		Purchase: a.Purchase.Add(b.Purchase), PurchaseInclVAT: a.PurchaseInclVAT.Add(b.PurchaseInclVAT),
		Sales: a.Sales.Add(b.Sales), SalesInclVAT: a.SalesInclVAT.Add(b.SalesInclVAT),
	}
}

// Rounded rounds each amount to cents on its own.
func (a Amounts) Rounded() Amounts { return a.apply(Round) }

// PerPiece divides by the amount and rounds to four decimals.
func (a Amounts) PerPiece(n decimal.Decimal) Amounts {
	return a.apply(func(d decimal.Decimal) decimal.Decimal { return RoundPiece(d.DivRound(n, 16)) })
}

func (a Amounts) apply(f func(decimal.Decimal) decimal.Decimal) Amounts {
	return Amounts{
		PurchaseBase: f(a.PurchaseBase), PurchaseRush: f(a.PurchaseRush), Purchase: f(a.Purchase),
		PurchaseInclVAT: f(a.PurchaseInclVAT), Sales: f(a.Sales), SalesInclVAT: f(a.SalesInclVAT),
	}
}

// String is for logs and test failures.
func (a Amounts) String() string {
	return fmt.Sprintf("purchase %s (+%s rush = %s, %s incl) sales %s (%s incl)",
		a.PurchaseBase, a.PurchaseRush, a.Purchase, a.PurchaseInclVAT, a.Sales, a.SalesInclVAT)
}
