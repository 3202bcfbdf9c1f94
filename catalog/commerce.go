package catalog

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// This file holds the commercial part of the catalog format: the company,
// the countries it serves with their VAT rates, production times, price
// rules and shipping methods. The pricing and delivery packages compute with
// them; here they are only described and checked.

// Company is the print company itself: where it is, its clock and its money.
type Company struct {
	// Country is the ISO 3166 code of the home country (the demo: "NL").
	Country string `json:"country"`
	// TimeZone is an IANA zone ("Europe/Amsterdam"): dates and cut-offs are local to it.
	TimeZone string `json:"time_zone"`
	// Currency is the ISO 4217 code every amount of the catalog is in.
	Currency string `json:"currency"`
	// CutOff is the local time ("15:00") after which an order counts from
	// the next business day.
	CutOff string `json:"cut_off"`
}

// Country is a country the company delivers to.
type Country struct {
	Code string `json:"code"`
	// EU countries allow reverse charge of VAT for businesses with a VAT id.
	EU       bool      `json:"eu"`
	VATRates []VATRate `json:"vat_rates"`
}

// VATRate is a standard VAT rate valid from a date (until the next one).
type VATRate struct {
	// Rate is a fraction: 0.21 is 21 %.
	Rate      decimal.Decimal `json:"rate"`
	ValidFrom string          `json:"valid_from"`
}

// ProductionProfile is a set of production times products share.
type ProductionProfile struct {
	Code  string           `json:"code"`
	Times []ProductionTime `json:"times"`
}

// ProductionTime is one speed a product can be made at.
type ProductionTime struct {
	// Code names the speed ("economy"); it defaults to the hours ("48").
	Code string `json:"code,omitempty"`
	// Hours is the speed in Probo's terms (18, 24, 48 ... 480); it defaults to Days×24.
	Hours int `json:"hours,omitempty"`
	// Days is the number of business days of production; it defaults to
	// Hours/24, so 18 hours ship on the day of the order.
	Days *int `json:"days,omitempty"`
	// Surcharge is the rush surcharge as a fraction of the base price (0.25 = +25 %).
	Surcharge decimal.Decimal `json:"surcharge"`
}

// Pricing is how a product's purchase price follows from its configuration.
type Pricing struct {
	// Production names the production profile that lists the product's speeds.
	Production string `json:"production"`
	// Components add up to the base price; each applies when every option of
	// its When is chosen (an empty When always applies).
	Components []PriceComponent `json:"components"`
	// Minimum is the least a line of this product costs before rush surcharge.
	Minimum *decimal.Decimal `json:"minimum,omitempty"`
	// QuantityBreaks lower the variable price of the pieces from a count on.
	QuantityBreaks []QuantityBreak `json:"quantity_breaks,omitempty"`
	// Blank makes the area the flat blank of a box, from its width, depth and height.
	Blank *Blank `json:"blank,omitempty"`
	// Tiers are the quantities GET .../tiers shows (default 1, 10, 25, 50, 100, 250).
	Tiers []int64 `json:"tiers,omitempty"`
}

// PriceComponent is one part of a price. Setup counts once per line; the
// other rates count per piece, each scaled by the piece's measure.
type PriceComponent struct {
	When []string `json:"when,omitempty"`
	// Setup (starting costs) counts once per order line.
	Setup *decimal.Decimal `json:"setup,omitempty"`
	// PerPiece counts for every piece.
	PerPiece *decimal.Decimal `json:"per_piece,omitempty"`
	// PerM2 counts per square metre of the piece (width × height, or the blank of a box).
	PerM2 *decimal.Decimal `json:"per_m2,omitempty"`
	// PerMetre counts per running metre of the length.
	PerMetre *decimal.Decimal `json:"per_metre,omitempty"`
	// PerPerimeterMetre counts per metre around the piece (milling, hems).
	PerPerimeterMetre *decimal.Decimal `json:"per_perimeter_metre,omitempty"`
}

// QuantityBreak gives every piece from From on a discount (a fraction) on
// the variable price. Breaks are marginal, so more pieces never cost less.
type QuantityBreak struct {
	From     int64           `json:"from"`
	Discount decimal.Decimal `json:"discount"`
}

// Blank is the flat shape a box is cut from: its two sides as linear
// functions of the box's width, depth and height, in millimetres.
type Blank struct {
	Length Linear `json:"length"`
	Width  Linear `json:"width"`
	// Sheet is the press sheet blanks are cut from (nil: not limited).
	Sheet *Sheet `json:"sheet,omitempty"`
	// Dieline is the box's cutting die (nil: none is drawn).
	Dieline *Dieline `json:"dieline,omitempty"`
}

// Sheet is a press sheet in millimetres and the fewest a line may take.
type Sheet struct {
	Length    decimal.Decimal `json:"length"`
	Width     decimal.Decimal `json:"width"`
	MinSheets int64           `json:"min_sheets,omitempty"`
}

// PerSheet is how many blanks of l x w mm a sheet holds, in either orientation.
func (s *Sheet) PerSheet(l, w decimal.Decimal) int64 {
	if !l.IsPositive() || !w.IsPositive() {
		return 0
	}
	fit := func(a, b decimal.Decimal) int64 {
		return s.Length.Div(a).Floor().IntPart() * s.Width.Div(b).Floor().IntPart()
	}
	return max(fit(l, w), fit(w, l))
}

// Linear is Width·w + Depth·d + Height·h + Constant.
type Linear struct {
	Width    decimal.Decimal `json:"width"`
	Depth    decimal.Decimal `json:"depth"`
	Height   decimal.Decimal `json:"height"`
	Constant decimal.Decimal `json:"constant"`
}

// Eval computes the linear function.
func (l Linear) Eval(w, d, h decimal.Decimal) decimal.Decimal {
	return l.Width.Mul(w).Add(l.Depth.Mul(d)).Add(l.Height.Mul(h)).Add(l.Constant)
}

// Shipping method types.
const (
	ShipmentTypeShipment = "shipment"
	ShipmentTypePickup   = "pickup"
)

// ShippingMethod is a way an order reaches its address.
type ShippingMethod struct {
	Code             string `json:"code"`
	Name             Text   `json:"name"`
	Description      Text   `json:"description,omitempty"`
	ShortDescription Text   `json:"short_description,omitempty"`
	Icon             string `json:"icon,omitempty"`
	Carrier          string `json:"carrier,omitempty"`
	// Type is "shipment" or "pickup".
	Type string `json:"type"`
	// ArticleGroups are the kinds of product the method carries (all when empty).
	ArticleGroups []string `json:"article_groups,omitempty"`
	// CutOff overrides the company's cut-off for this method.
	CutOff string `json:"cut_off,omitempty"`
	// HandoverDays are business days between the shipping date (the end of
	// production) and the carrier's collection.
	HandoverDays   int              `json:"handover_days"`
	PackagingPrice *decimal.Decimal `json:"packaging_price,omitempty"`
	Rates          []ShippingRate   `json:"rates"`
}

// ShippingRate is the transit time and price of a method to some countries;
// the country "*" stands for every other country the company serves.
type ShippingRate struct {
	Countries   []string      `json:"countries"`
	TransitDays int           `json:"transit_days"`
	Prices      []WeightPrice `json:"prices"`
}

// WeightPrice is the price of a parcel up to a weight in kilograms. A
// shipment heavier than the last bracket goes as several parcels.
type WeightPrice struct {
	UpToKg decimal.Decimal `json:"up_to_kg"`
	Price  decimal.Decimal `json:"price"`
}

// Commerce is the compiled commercial part of a catalog.
type Commerce struct {
	Company  Company
	Location *time.Location
	// CutOffMinutes is the company's cut-off as minutes after local midnight.
	CutOffMinutes int
	Countries     map[string]*Country
	Methods       []*Method
	methodByCode  map[string]*Method
}

// Method is a compiled shipping method.
type Method struct {
	*ShippingMethod
	CutOffMinutes int
	groups        map[string]bool
	byCountry     map[string]*ShippingRate
	other         *ShippingRate
}

// Method returns the shipping method with the code, or nil.
func (c *Commerce) Method(code string) *Method { return c.methodByCode[code] }

// Rate returns the method's rate to a country, or nil when it does not go there.
func (m *Method) Rate(country string) *ShippingRate {
	if r := m.byCountry[country]; r != nil {
		return r
	}
	return m.other
}

// Carries reports whether the method carries products of the article group.
func (m *Method) Carries(group string) bool { return len(m.groups) == 0 || m.groups[group] }

// VATRate returns the country's standard rate on a date; ok is false for a
// country the company does not serve.
func (c *Commerce) VATRate(country string, on time.Time) (rate decimal.Decimal, ok bool) {
	ct := c.Countries[country]
	if ct == nil {
		return decimal.Zero, false
	}
	day := on.Format(time.DateOnly)
	for i := len(ct.VATRates) - 1; i >= 0; i-- {
		if ct.VATRates[i].ValidFrom <= day {
			return ct.VATRates[i].Rate, true
		}
	}
	return decimal.Zero, true
}

func parseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

var defaultTiers = []int64{1, 10, 25, 50, 100, 250}

// TierQuantities are the quantities the product's tiers show.
func (p *CompiledProduct) TierQuantities() []int64 {
	if p.Pricing != nil && len(p.Pricing.Tiers) > 0 {
		return p.Pricing.Tiers
	}
	return defaultTiers
}

// compileCommerce checks and indexes the commercial sections.
func compileCommerce(f *File, add func(product, option, format string, args ...any)) *Commerce {
	c := &Commerce{Company: f.Company, Countries: map[string]*Country{}, methodByCode: map[string]*Method{}}
	if c.Company.Currency == "" {
		c.Company.Currency = "EUR"
	}
	if c.Company.TimeZone == "" {
		c.Company.TimeZone = "UTC"
	}
	loc, err := time.LoadLocation(c.Company.TimeZone)
	if err != nil {
		add("", "", "company time_zone %q is not a known time zone", c.Company.TimeZone)
		loc = time.UTC
	}
	c.Location = loc
	c.CutOffMinutes = 24 * 60
	if c.Company.CutOff != "" {
		if m, ok := parseClock(c.Company.CutOff); ok {
			c.CutOffMinutes = m
		} else {
			add("", "", "company cut_off %q is not a time like 15:00", c.Company.CutOff)
		}
	}
	for i := range f.Countries {
		ct := &f.Countries[i]
		if _, dup := c.Countries[ct.Code]; dup {
			add("", ct.Code, "country is listed twice")
		}
		sort.SliceStable(ct.VATRates, func(a, b int) bool { return ct.VATRates[a].ValidFrom < ct.VATRates[b].ValidFrom })
		for _, r := range ct.VATRates {
			if r.Rate.IsNegative() || r.Rate.GreaterThanOrEqual(decimal.NewFromInt(1)) {
				add("", ct.Code, "VAT rate %s must be a fraction from 0 to below 1 (0.21 is 21 %%)", r.Rate)
			}
			if _, err := time.Parse(time.DateOnly, r.ValidFrom); err != nil {
				add("", ct.Code, "VAT rate valid_from %q is not a date like 2024-01-01", r.ValidFrom)
			}
		}
		c.Countries[ct.Code] = ct
	}
	if len(f.Countries) > 0 && c.Company.Country != "" && c.Countries[c.Company.Country] == nil {
		add("", c.Company.Country, "the company's country is not among the countries served")
	}
	for i := range f.ShippingMethods {
		sm := &f.ShippingMethods[i]
		if _, dup := c.methodByCode[sm.Code]; dup {
			add("", sm.Code, "shipping method code is defined twice")
		}
		m := &Method{ShippingMethod: sm, CutOffMinutes: c.CutOffMinutes, groups: map[string]bool{}, byCountry: map[string]*ShippingRate{}}
		if sm.CutOff != "" {
			if v, ok := parseClock(sm.CutOff); ok {
				m.CutOffMinutes = v
			} else {
				add("", sm.Code, "cut_off %q is not a time like 15:00", sm.CutOff)
			}
		}
		for _, g := range sm.ArticleGroups {
			m.groups[g] = true
		}
		if sm.PackagingPrice != nil && sm.PackagingPrice.IsNegative() {
			add("", sm.Code, "packaging_price must not be negative")
		}
		for j := range sm.Rates {
			r := &sm.Rates[j]
			for _, cc := range r.Countries {
				switch {
				case cc == "*":
					if m.other != nil {
						add("", sm.Code, `shipping method lists the country "*" twice`)
					}
					m.other = r
				case c.Countries[cc] == nil:
					add("", sm.Code, "shipping method goes to %q, which is not among the countries served", cc)
				case m.byCountry[cc] != nil:
					add("", sm.Code, "shipping method lists country %q twice", cc)
				default:
					m.byCountry[cc] = r
				}
			}
			if len(r.Prices) == 0 {
				add("", sm.Code, "every rate needs at least one price")
			}
			for k, wp := range r.Prices {
				if !wp.UpToKg.IsPositive() || wp.Price.IsNegative() {
					add("", sm.Code, "weight prices need up_to_kg above 0 and a price not below 0")
				}
				if k > 0 && (wp.UpToKg.LessThanOrEqual(r.Prices[k-1].UpToKg) || wp.Price.LessThan(r.Prices[k-1].Price)) {
					add("", sm.Code, "weight prices must rise: up_to_kg and price grow from one bracket to the next")
				}
			}
		}
		c.methodByCode[sm.Code] = m
		c.Methods = append(c.Methods, m)
	}
	return c
}

// compileProduction resolves the profiles' defaults and checks that a
// faster time never carries a smaller surcharge.
func compileProduction(f *File, add func(product, option, format string, args ...any)) map[string][]ProductionTime {
	out := make(map[string][]ProductionTime, len(f.ProductionProfiles))
	for _, pp := range f.ProductionProfiles {
		if _, dup := out[pp.Code]; dup {
			add("", pp.Code, "production profile is defined twice")
		}
		times := make([]ProductionTime, len(pp.Times))
		seen := map[string]bool{}
		for i, t := range pp.Times {
			if t.Days == nil {
				d := t.Hours / 24
				t.Days = &d
			}
			if t.Hours == 0 {
				t.Hours = *t.Days * 24
			}
			if t.Code == "" {
				t.Code = strconv.Itoa(t.Hours)
			}
			if *t.Days < 0 || t.Hours < 0 {
				add("", pp.Code, "production time %q has negative days or hours", t.Code)
			}
			if t.Surcharge.IsNegative() {
				add("", pp.Code, "production time %q has a negative surcharge", t.Code)
			}
			if seen[t.Code] {
				add("", pp.Code, "production time %q is listed twice", t.Code)
			}
			seen[t.Code] = true
			times[i] = t
		}
		// Slowest first, the order every answer lists them in.
		sort.SliceStable(times, func(a, b int) bool { return times[a].Hours > times[b].Hours })
		for i := 1; i < len(times); i++ {
			if times[i].Surcharge.LessThan(times[i-1].Surcharge) {
				add("", pp.Code, "production time %q is faster than %q but has a smaller surcharge", times[i].Code, times[i-1].Code)
			}
		}
		out[pp.Code] = times
	}
	return out
}

// compilePricing checks a product's price rules against its options.
func compilePricing(cp *CompiledProduct, profiles map[string][]ProductionTime, add func(option, format string, args ...any)) {
	pr := cp.Pricing
	if pr == nil {
		return
	}
	times, ok := profiles[pr.Production]
	if !ok {
		add("", "production profile %q does not exist", pr.Production)
	}
	cp.Production = times
	byCode := make([]int, len(times))
	for i := range times {
		byCode[i] = i
	}
	slices.SortStableFunc(byCode, func(a, b int) int { return strings.Compare(times[a].Code, times[b].Code) })
	cp.ProductionRank = make([]int, len(times))
	for rank, i := range byCode {
		cp.ProductionRank[i] = rank
	}
	for i, c := range pr.Components {
		for _, code := range c.When {
			if cp.options[code] == nil {
				add(code, "price component %d applies when option %q is chosen, which the product does not have", i, code)
			}
		}
		for _, v := range []*decimal.Decimal{c.Setup, c.PerPiece, c.PerM2, c.PerMetre, c.PerPerimeterMetre} {
			if v != nil && v.IsNegative() {
				add("", "price component %d has a negative amount", i)
			}
		}
	}
	if pr.Minimum != nil && pr.Minimum.IsNegative() {
		add("", "minimum price must not be negative")
	}
	for i, b := range pr.QuantityBreaks {
		if b.From < 2 || b.Discount.IsNegative() || b.Discount.GreaterThanOrEqual(decimal.NewFromInt(1)) {
			add("", "quantity break from %d: from must be at least 2 and the discount a fraction below 1", b.From)
		}
		if i > 0 && (b.From <= pr.QuantityBreaks[i-1].From || b.Discount.LessThan(pr.QuantityBreaks[i-1].Discount)) {
			add("", "quantity breaks must rise: from and discount grow from one break to the next")
		}
	}
	if pr.Blank != nil && (cp.inputs[TypeWidth] == nil || cp.inputs[TypeDepth] == nil || cp.inputs[TypeHeight] == nil) {
		add("", "a blank needs width, depth and height inputs")
	}
	if pr.Blank != nil && pr.Blank.Dieline != nil {
		if err := pr.Blank.Dieline.check(); err != nil {
			add("", "%v", err)
		} else {
			// The die's outer size is the blank's, at any size: compare at two.
			for _, v := range []int64{50, 137} {
				x := decimal.NewFromInt(v)
				die := pr.Blank.Dieline.Draw(x, x.Add(decimal.NewFromInt(11)), x.Add(decimal.NewFromInt(23)))
				l, w := pr.Blank.Length.Eval(x, x.Add(decimal.NewFromInt(11)), x.Add(decimal.NewFromInt(23))), pr.Blank.Width.Eval(x, x.Add(decimal.NewFromInt(11)), x.Add(decimal.NewFromInt(23)))
				if !die.Length.Equal(l) || !die.Width.Equal(w) {
					add("", "the dieline's columns and rows must add up to the blank's length and width")
					break
				}
			}
		}
	}
	for _, q := range pr.Tiers {
		if q < 1 {
			add("", "tiers must be positive quantities")
		}
	}
}

// ProductionTime returns the product's production time with the code, or nil.
func (p *CompiledProduct) ProductionTime(code string) *ProductionTime {
	for i := range p.Production {
		if p.Production[i].Code == code {
			return &p.Production[i]
		}
	}
	return nil
}

// Methods returns the shipping methods that carry the product, in catalog order.
func (p *CompiledProduct) Methods() []*Method {
	var out []*Method
	for _, m := range p.Catalog.Commerce.Methods {
		if len(p.ShippingMethods) > 0 {
			for _, code := range p.ShippingMethods {
				if code == m.Code {
					out = append(out, m)
				}
			}
			continue
		}
		if m.Carries(p.ArticleGroup) {
			out = append(out, m)
		}
	}
	return out
}

func checkProductMethods(cp *CompiledProduct, add func(option, format string, args ...any)) {
	for _, code := range cp.ShippingMethods {
		if cp.Catalog.Commerce.Method(code) == nil {
			add("", "shipping method %q does not exist", code)
		}
	}
	if cp.Weight != nil && cp.Weight.IsNegative() {
		add("", "weight must not be negative")
	}
}
