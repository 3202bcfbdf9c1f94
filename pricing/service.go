package pricing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/delivery"
	"github.com/pressroom/pressroom/internal/jsonw"
)

// Service prices configurations and saved API products with deliveries, on
// the current compiled catalog, and records each answer as a calculation.
// Every API dialect prices through it.
type Service struct {
	Store    pressroom.Store
	Catalog  *catalog.Service
	Recorder *catalog.Recorder
	Clock    pressroom.Clock

	accessoryMu sync.Mutex
	accessories map[accessoryKey]accessoryPrice
}

type accessoryKey struct {
	version                     int64
	product, quantity           string
	markup, country, vatID, day string
}

type accessoryPrice struct {
	amounts Amounts
	found   bool
}

// FindCalculation returns a reseller's calculation, also one answered a
// moment ago and not yet written (calculations are written in batches).
func (s *Service) FindCalculation(ctx context.Context, resellerID, id int64) (*pressroom.Calculation, error) {
	if s.Recorder != nil {
		if c, ok := s.Recorder.Lookup(resellerID, id); ok {
			return c, nil
		}
	}
	return s.Store.FindCalculation(ctx, resellerID, id)
}

// Accessory is AccessoryPrice remembered per catalog version, reseller
// profile and day: the same accessories are offered on every complete
// configuration.
func (s *Service) Accessory(cat *catalog.Catalog, product string, quantity decimal.Decimal, r *pressroom.Reseller, on time.Time) (Amounts, bool) {
	k := accessoryKey{cat.Version, product, quantity.String(), r.Markup.String(), r.Country, r.VATID, on.Format(time.DateOnly)}
	s.accessoryMu.Lock()
	v, ok := s.accessories[k]
	s.accessoryMu.Unlock()
	if ok {
		return v.amounts, v.found
	}
	v.amounts, v.found = AccessoryPrice(cat.Product(product), quantity, r, on)
	s.accessoryMu.Lock()
	if s.accessories == nil || len(s.accessories) > 10_000 {
		s.accessories = map[accessoryKey]accessoryPrice{}
	}
	s.accessories[k] = v
	s.accessoryMu.Unlock()
	return v.amounts, v.found
}

// Item is one product to price: a configuration by product code and
// options, or a saved API product's customer code with overrides of its
// amount, width and height.
type Item struct {
	Code         string
	CustomerCode string
	Options      []catalog.Selection
}

// DeliveryRequest is where and when the order should go.
type DeliveryRequest struct {
	// Country is the destination; empty is the reseller's own country.
	Country        string
	DeliveryDate   *delivery.Date
	ShippingDate   *delivery.Date
	DeliveryPreset string
	Method         string
	MethodPreset   string
	// AnyCarrier lets the named Method carry every item whose article
	// group it takes, even an item whose product lists other methods: an
	// API that ships an order by the method of its most demanding item
	// (a parcel carries a letterbox product too).
	AnyCarrier bool
}

// Request is a price request of a reseller.
type Request struct {
	Reseller *pressroom.Reseller
	Language string
	Items    []Item
	Delivery DeliveryRequest
	// NoRecord prices without recording a calculation (orders keep their own prices).
	NoRecord bool
}

// Priced is one item of an answer: its configuration and purchase quote.
type Priced struct {
	Config *catalog.Configuration
	Quote  *Quote
}

// Shipment is the price of one shipping method, exact and excluding VAT
// in Purchase; Sales is zero (resellers set their own shipping price).
type Shipment struct {
	delivery.Delivery
	Shipping, Packaging, Purchase, PurchaseInclVAT decimal.Decimal
}

// TimeOption is one production time of an answer.
type TimeOption struct {
	Time  catalog.ProductionTime
	Items []Amounts // per item, exact
	Total Amounts   // all items, exact
	// Deliveries are the shipping methods that fit, in catalog order.
	Deliveries []Shipment
}

// Result is a priced request.
type Result struct {
	CalculationID int64
	ExpiresAt     time.Time
	Catalog       *catalog.Catalog
	Currency      string
	Rates         Rates
	Destination   string
	Items         []Priced
	Options       []TimeOption // slowest first
}

// Price prices every item at every production time that fits the delivery.
// Problems come back as one EINVALID error whose fields point into the
// request: /products/{i}/..., /delivery/....
func (s *Service) Price(ctx context.Context, req Request) (*Result, error) {
	cat := s.Catalog.Current()
	res := &Result{Catalog: cat, Currency: cat.Commerce.Company.Currency, Items: make([]Priced, len(req.Items))}
	var fields []pressroom.FieldError
	for i, it := range req.Items {
		p, fs := s.resolve(ctx, cat, req.Reseller, req.Language, i, it)
		fields = append(fields, fs...)
		res.Items[i] = p
	}
	country := req.Delivery.Country
	if country == "" {
		country = homeCountry(cat, req.Reseller)
	}
	res.Destination = country
	rates, err := RatesFor(cat.Commerce, buyer(req.Reseller, country), s.Clock.Now())
	if err != nil {
		fields = append(fields, pressroom.FieldError{Pointer: "/delivery/address/country", Detail: pressroom.ErrorMessage(err), Code: "unknown_country"})
	}
	if len(fields) > 0 {
		return nil, pressroom.Invalid(fmt.Sprintf("The price request has %d problem(s).", len(fields)), fields...)
	}
	res.Rates = rates

	times := commonTimes(res.Items)
	methods := commonMethods(res.Items)
	if req.Delivery.AnyCarrier && req.Delivery.Method != "" {
		methods = carrying(cat, req.Delivery.Method, res.Items)
	}
	var weight decimal.Decimal
	for _, it := range res.Items {
		weight = weight.Add(it.Quote.Weight)
	}
	plan, err := delivery.Planner{C: cat.Commerce}.Plan(delivery.Request{
		Now: s.Clock.Now(), Destination: country, Weight: weight, Times: times, Methods: methods,
		DeliveryDate: req.Delivery.DeliveryDate, ShippingDate: req.Delivery.ShippingDate,
		DeliveryPreset: req.Delivery.DeliveryPreset, Method: req.Delivery.Method, MethodPreset: req.Delivery.MethodPreset,
	})
	if err != nil {
		return nil, prefixFields(err, "/delivery")
	}
	markup := req.Reseller.Markup
	// Production times without a surcharge share their amounts, and a
	// method's price does not depend on the production time: compute each once.
	perItem := make([][]Amounts, len(res.Items))
	for i, it := range res.Items {
		perItem[i] = it.Quote.Amounts(markup, rates)
	}
	inclVAT := map[*catalog.Method]decimal.Decimal{}
	var prev *TimeOption
	res.Options = make([]TimeOption, 0, len(plan))
	for _, o := range plan {
		opt := TimeOption{Time: o.Time, Items: make([]Amounts, len(res.Items)), Deliveries: make([]Shipment, 0, len(o.Deliveries))}
		for i, it := range res.Items {
			opt.Items[i] = perItem[i][it.Quote.lineIndex(o.Time.Code)]
		}
		if prev != nil && prev.Time.Surcharge.Equal(o.Time.Surcharge) && sameItems(prev.Items, opt.Items) {
			opt.Total = prev.Total
		} else {
			for _, a := range opt.Items {
				opt.Total = opt.Total.Add(a)
			}
		}
		for _, d := range o.Deliveries {
			incl, ok := inclVAT[d.Method]
			if !ok {
				incl = d.Price.Total.Mul(one.Add(rates.Purchase))
				inclVAT[d.Method] = incl
			}
			opt.Deliveries = append(opt.Deliveries, Shipment{
				Delivery: d, Shipping: d.Price.Shipping, Packaging: d.Price.Packaging, Purchase: d.Price.Total, PurchaseInclVAT: incl,
			})
		}
		res.Options = append(res.Options, opt)
		prev = &res.Options[len(res.Options)-1]
	}
	if !req.NoRecord {
		if err := s.record(ctx, req.Reseller, cat, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// ConfigurePrices are the prices of a complete configuration for the
// reseller at home, per production time, as configure answers them.
func ConfigurePrices(cfg *catalog.Configuration, r *pressroom.Reseller, on time.Time) (*Quote, []Amounts, error) {
	q, err := Price(cfg)
	if err != nil {
		return nil, nil, err
	}
	rates, err := HomeRates(cfg.Product.Catalog, r, on)
	if err != nil {
		return nil, nil, err
	}
	return q, q.Amounts(r.Markup, rates), nil
}

// HomeRates are the VAT rates of the reseller buying at home (its own
// country, else the company's): the rates of configure answers and lists.
func HomeRates(cat *catalog.Catalog, r *pressroom.Reseller, on time.Time) (Rates, error) {
	return RatesFor(cat.Commerce, buyer(r, homeCountry(cat, r)), on)
}

// AccessoryPrice is the per-piece price of an accessory product at a
// quantity, for the reseller at home (the cross-sell options of configure).
func AccessoryPrice(p *catalog.CompiledProduct, quantity decimal.Decimal, r *pressroom.Reseller, on time.Time) (Amounts, bool) {
	if p == nil || p.Pricing == nil || len(p.Production) == 0 || !quantity.IsPositive() {
		return Amounts{}, false
	}
	cfg := &catalog.Configuration{Product: p, CanOrder: true, Amount: quantity}
	q, err := Price(cfg)
	if err != nil {
		return Amounts{}, false
	}
	rates, err := HomeRates(p.Catalog, r, on)
	if err != nil {
		return Amounts{}, false
	}
	return Of(q.Lines[0], r.Markup, rates).PerPiece(quantity), true
}

func homeCountry(cat *catalog.Catalog, r *pressroom.Reseller) string {
	if r.Country != "" {
		return r.Country
	}
	return cat.Commerce.Company.Country
}

func buyer(r *pressroom.Reseller, destination string) Buyer {
	return Buyer{Markup: r.Markup, Country: r.Country, VATID: r.VATID, Destination: destination}
}

// overridable are the inputs a saved API product lets a price or order change.
var overridable = map[string]bool{catalog.TypeAmount: true, catalog.TypeWidth: true, catalog.TypeHeight: true}

// resolve configures one item and prices it; fields point at /products/{i}.
func (s *Service) resolve(ctx context.Context, cat *catalog.Catalog, r *pressroom.Reseller, lang string, i int, it Item) (Priced, []pressroom.FieldError) {
	ptr := fmt.Sprintf("/products/%d", i)
	fail := func(suffix, code, format string, args ...any) (Priced, []pressroom.FieldError) {
		return Priced{}, []pressroom.FieldError{{Pointer: ptr + suffix, Detail: fmt.Sprintf(format, args...), Code: code}}
	}
	sels := it.Options
	code := it.Code
	saved := it.CustomerCode != ""
	if saved {
		if it.Code != "" {
			return fail("/code", "conflicting_product", "give code or customer_code, not both")
		}
		ap, err := s.Store.FindAPIProduct(ctx, r.ID, it.CustomerCode)
		if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
			return fail("/customer_code", "unknown_customer_code", "API product %q does not exist", it.CustomerCode)
		} else if err != nil {
			return Priced{}, []pressroom.FieldError{{Pointer: ptr, Detail: "the API product could not be read", Code: "internal"}}
		}
		base, err := ParseOptions(ap.Options)
		if err != nil {
			return fail("/customer_code", "invalid_api_product", "API product %q cannot be read: %v", it.CustomerCode, err)
		}
		code = ap.ProductCode
		prod := cat.Product(code)
		if prod == nil {
			return fail("/customer_code", "unknown_product", "API product %q is of product %q, which the catalog no longer has", it.CustomerCode, code)
		}
		var fields []pressroom.FieldError
		for j, o := range it.Options {
			opt := prod.Option(o.Code)
			if opt == nil || !overridable[opt.Type] {
				fields = append(fields, pressroom.FieldError{Pointer: fmt.Sprintf("%s/options/%d", ptr, j), Code: "not_overridable",
					Detail: fmt.Sprintf("option %q cannot be overridden: a saved API product takes only amount, width and height", o.Code)})
				continue
			}
			replaced := false
			for k := range base {
				if base[k].Code == o.Code {
					base[k].Value, base[k].ValueErr, replaced = o.Value, o.ValueErr, true
				}
			}
			if !replaced {
				base = append(base, o)
			}
		}
		if len(fields) > 0 {
			return Priced{}, fields
		}
		sels = base
	}
	prod := cat.Product(code)
	if prod == nil {
		if code == "" {
			return fail("/code", "unknown_product", "code or customer_code is required: the product to price")
		}
		return fail("/code", "unknown_product", "product %q does not exist", code)
	}
	if !prod.IsActive() {
		return fail("/code", "inactive_product", "product %q is not active and cannot be ordered", code)
	}
	cfg := prod.Configure(sels, lang)
	if len(cfg.Problems) > 0 {
		fields := cfg.Fields(ptr)
		if saved {
			// Point overridden values at the override, the rest at the code.
			for k, pr := range cfg.Problems {
				fields[k].Pointer = ptr + "/customer_code"
				for j, o := range it.Options {
					if pr.Option == o.Code {
						fields[k].Pointer = fmt.Sprintf("%s/options/%d/value", ptr, j)
					}
				}
			}
		}
		return Priced{}, fields
	}
	if !cfg.CanOrder {
		return fail("/options", "incomplete_configuration", "the configuration of %q is not complete; choose %s", code, cfg.Next())
	}
	q, err := Price(cfg)
	if err != nil {
		if f := pressroom.ErrorFields(err); len(f) > 0 && f[0].Code != "" {
			return fail(f[0].Pointer, f[0].Code, "%s", pressroom.ErrorMessage(err))
		}
		return fail("/code", "not_priced", "%s", pressroom.ErrorMessage(err))
	}
	return Priced{Config: cfg, Quote: q}, nil
}

// commonTimes are the production times every item offers, in the first's order.
func commonTimes(items []Priced) []catalog.ProductionTime {
	out := make([]catalog.ProductionTime, 0, len(items[0].Config.Product.Production))
	for _, t := range items[0].Config.Product.Production {
		all := true
		for _, it := range items[1:] {
			if it.Config.Product.ProductionTime(t.Code) == nil {
				all = false
			}
		}
		if all {
			out = append(out, t)
		}
	}
	return out
}

// commonMethods are the shipping methods that carry every item.
func commonMethods(items []Priced) []*catalog.Method {
	var out []*catalog.Method
	for _, m := range items[0].Config.Product.Methods() {
		all := true
		for _, it := range items[1:] {
			found := false
			for _, x := range it.Config.Product.Methods() {
				found = found || x == m
			}
			all = all && found
		}
		if all {
			out = append(out, m)
		}
	}
	return out
}

// carrying is the named method alone when it takes every item's article
// group, else none (the planner then says the method cannot deliver).
func carrying(cat *catalog.Catalog, code string, items []Priced) []*catalog.Method {
	m := cat.Commerce.Method(code)
	if m == nil {
		return nil
	}
	for _, it := range items {
		if !m.Carries(it.Config.Product.ArticleGroup) {
			return nil
		}
	}
	return []*catalog.Method{m}
}

func prefixFields(err error, prefix string) error {
	var e *pressroom.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]pressroom.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		f.Pointer = prefix + f.Pointer
		out.Fields[i] = f
	}
	return &out
}

// Option is a chosen option as saved and snapshotted: a code and, for
// numeric inputs and accessories, a value.
type Option struct {
	Code  string `json:"code"`
	Value string `json:"value,omitempty"`
}

// Options lists the accepted selections of a configuration in tree order.
func Options(cfg *catalog.Configuration) []Option {
	out := make([]Option, len(cfg.Selected))
	for i, c := range cfg.Selected {
		out[i].Code = c.Code
		if c.Value != nil {
			out[i].Value = c.Value.String()
		}
	}
	return out
}

// ParseSnapshot reads a calculation's stored prices. A production time
// stored without items has the previous time's (see SnapshotTime).
func ParseSnapshot(raw []byte) (*Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	for i := 1; i < len(s.Times); i++ {
		if s.Times[i].Items == nil {
			s.Times[i].Items = s.Times[i-1].Items
		}
	}
	return &s, nil
}

// Line returns an item's exact purchase line at a production time.
func (s *Snapshot) Line(item int, time string) (Line, bool) {
	for _, t := range s.Times {
		if t.Code == time && item < len(t.Items) {
			l := t.Items[item]
			base, err1 := decimal.NewFromString(l.Base)
			rush, err2 := decimal.NewFromString(l.Rush)
			total, err3 := decimal.NewFromString(l.Total)
			if err1 != nil || err2 != nil || err3 != nil {
				return Line{}, false
			}
			return Line{Base: base, Rush: rush, Total: total}, true
		}
	}
	return Line{}, false
}

// ParseOptions reads saved options back into selections.
func ParseOptions(raw []byte) ([]catalog.Selection, error) {
	var opts []Option
	if err := json.Unmarshal(raw, &opts); err != nil {
		return nil, err
	}
	out := make([]catalog.Selection, len(opts))
	for i, o := range opts {
		out[i].Code = o.Code
		if o.Value != "" {
			v, err := decimal.NewFromString(o.Value)
			if err != nil {
				return nil, fmt.Errorf("option %q: %w", o.Code, err)
			}
			out[i].Value = &v
		}
	}
	return out, nil
}

// Snapshot is what a calculation keeps: the exact purchase prices of each
// item per production time and of each shipping method, so that an order
// citing the calculation is charged exactly these.
type Snapshot struct {
	Currency    string         `json:"currency"`
	Destination string         `json:"destination"`
	Items       []SnapshotItem `json:"items"`
	Times       []SnapshotTime `json:"times"`
}

// SnapshotItem is one priced item.
type SnapshotItem struct {
	Product string   `json:"product"`
	Options []Option `json:"options"`
	Amount  string   `json:"amount"`
}

// SnapshotTime is one production time with the exact purchase prices.
// Items is left out when it equals the previous time's: most production
// times share their price, and a calculation is written for every
// configure answer (21 identical lines were 70 % of a dibond's row).
// ParseSnapshot fills it back in; rows written before keep every list.
type SnapshotTime struct {
	Code      string             `json:"code"`
	Items     []SnapshotLine     `json:"items,omitempty"`
	Shipments []SnapshotShipment `json:"shipments,omitempty"`
}

// SnapshotShipment is a shipping method's exact purchase price excluding VAT.
type SnapshotShipment struct {
	Method   string `json:"method"`
	Purchase string `json:"purchase"`
}

// SnapshotLine is an item's exact purchase price at one production time.
type SnapshotLine struct {
	Base  string `json:"base"`
	Rush  string `json:"rush"`
	Total string `json:"total"`
}

func snapshotOf(res *Result) Snapshot {
	snap := Snapshot{Currency: res.Currency, Destination: res.Destination, Times: make([]SnapshotTime, 0, len(res.Options))}
	for _, it := range res.Items {
		snap.Items = append(snap.Items, SnapshotItem{Product: it.Config.Product.Code, Options: Options(it.Config), Amount: it.Quote.Measure.Amount.String()})
	}
	shipments := map[string]string{}
	var prev []SnapshotLine // the previous time's lines
	for oi, o := range res.Options {
		st := SnapshotTime{Code: o.Time.Code, Items: make([]SnapshotLine, len(o.Items))}
		for i, a := range o.Items {
			if oi > 0 && sameItems(res.Options[oi-1].Items[i:i+1], o.Items[i:i+1]) {
				st.Items[i] = prev[i]
				continue
			}
			st.Items[i] = SnapshotLine{Base: a.PurchaseBase.String(), Rush: a.PurchaseRush.String(), Total: a.Purchase.String()}
		}
		lines := st.Items
		if oi > 0 && slices.Equal(lines, prev) {
			st.Items = nil // the previous time's
		}
		prev = lines
		st.Shipments = make([]SnapshotShipment, len(o.Deliveries))
		for i, d := range o.Deliveries {
			v, ok := shipments[d.Method.Code]
			if !ok {
				v = d.Purchase.String()
				shipments[d.Method.Code] = v
			}
			st.Shipments[i] = SnapshotShipment{Method: d.Method.Code, Purchase: v}
		}
		snap.Times = append(snap.Times, st)
	}
	return snap
}

// record gives the answer its calculation id.
func (s *Service) record(ctx context.Context, r *pressroom.Reseller, cat *catalog.Catalog, res *Result) error {
	snap := snapshotOf(res)
	prices, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	opts, err := json.Marshal(snap.Items)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	c := &pressroom.Calculation{ResellerID: r.ID, CatalogVersion: cat.Version, ProductCode: snap.Items[0].Product,
		Options: opts, Prices: prices, CreatedAt: now, ExpiresAt: now.Add(pressroom.CalculationLifetime)}
	if err := s.Recorder.Record(ctx, c); err != nil {
		return err
	}
	res.CalculationID, res.ExpiresAt = c.ID, c.ExpiresAt
	return nil
}

// RecordConfiguration gives a complete configuration its calculation id,
// with its prices per production time at home.
func (s *Service) RecordConfiguration(ctx context.Context, r *pressroom.Reseller, cfg *catalog.Configuration, q *Quote) (*pressroom.Calculation, error) {
	options := Options(cfg)
	// Written by hand (a calculation for every configure answer): the
	// same JSON as json.Marshal of the Snapshot, see TestConfigurationSnapshotJSON.
	prices := appendConfigurationSnapshot(make([]byte, 0, 512), cfg.Product.Catalog.Commerce.Company.Currency,
		homeCountry(cfg.Product.Catalog, r), cfg.Product.Code, options, cfg.Amount.String(), q)
	opts := appendOptions(make([]byte, 0, 32*len(options)), options)
	now := s.Clock.Now()
	c := &pressroom.Calculation{ResellerID: r.ID, CatalogVersion: cfg.Product.Catalog.Version, ProductCode: cfg.Product.Code,
		Options: opts, Prices: prices, CreatedAt: now, ExpiresAt: now.Add(pressroom.CalculationLifetime)}
	return c, s.Recorder.Record(ctx, c)
}

// appendConfigurationSnapshot writes the Snapshot of one configured item
// priced by q (times null when q is nil), each production time's line
// only where it differs from the previous time's (see SnapshotTime).
func appendConfigurationSnapshot(b []byte, currency, destination, product string, options []Option, amount string, q *Quote) []byte {
	b = append(b, `{"currency":`...)
	b = jsonw.String(b, currency, true)
	b = append(b, `,"destination":`...)
	b = jsonw.String(b, destination, true)
	b = append(b, `,"items":[{"product":`...)
	b = jsonw.String(b, product, true)
	b = append(b, `,"options":`...)
	b = appendOptions(b, options)
	b = append(b, `,"amount":`...)
	b = jsonw.String(b, amount, true)
	b = append(b, `}],"times":`...)
	if q == nil {
		return append(b, "null}"...)
	}
	lines := q.Lines
	b = append(b, '[')
	for i, l := range lines {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = jsonw.String(b, l.Time.Code, true)
		if i == 0 || !l.Base.Equal(lines[i-1].Base) || !l.Rush.Equal(lines[i-1].Rush) || !l.Total.Equal(lines[i-1].Total) {
			b = append(b, `,"items":[{"base":`...)
			b = jsonw.String(b, l.Base.String(), true)
			b = append(b, `,"rush":`...)
			b = jsonw.String(b, l.Rush.String(), true)
			b = append(b, `,"total":`...)
			b = jsonw.String(b, l.Total.String(), true)
			b = append(b, "}]"...)
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendOptions writes options as json.Marshal does.
func appendOptions(b []byte, opts []Option) []byte { return jsonw.Slice(b, opts, true, AppendOption) }

// AppendOption writes an option as encoding/json does, HTML escaped or not.
func AppendOption(o *Option, b []byte, esc bool) []byte {
	b = append(b, `{"code":`...)
	b = jsonw.String(b, o.Code, esc)
	if o.Value != "" {
		b = append(b, `,"value":`...)
		b = jsonw.String(b, o.Value, esc)
	}
	return append(b, '}')
}

// sameItems reports whether two lists hold the same amounts (shared, not recomputed).
func sameItems(a, b []Amounts) bool {
	for i := range a {
		if !a[i].Purchase.Equal(b[i].Purchase) || !a[i].PurchaseRush.Equal(b[i].PurchaseRush) {
			return false
		}
	}
	return true
}

// Tier is the price of a product's reference configuration at one
// quantity: a line per production time (slowest first, as in Quote).
type Tier struct {
	Amount  decimal.Decimal
	Quote   *Quote
	Amounts []Amounts
}

// Tiers prices a product's reference configuration at each of its tier
// quantities, for a reseller on a day. Configuration is that reference
// (without the amount). A product without price rules is EINVALID.
func Tiers(prod *catalog.CompiledProduct, r *pressroom.Reseller, on time.Time) (tiers []Tier, configuration []Option, err error) {
	if prod.Pricing == nil {
		return nil, nil, pressroom.Errorf(pressroom.EINVALID, "Product %q has no price rules, so no tiers.", prod.Code)
	}
	for _, q := range prod.TierQuantities() {
		amount := decimal.NewFromInt(q)
		sels := prod.Reference(amount)
		if sels == nil {
			continue // the quantity is outside the amount's range
		}
		cfg := prod.Configure(sels, "")
		quote, amounts, err := ConfigurePrices(cfg, r, on)
		if err != nil {
			return nil, nil, err
		}
		if configuration == nil {
			for _, o := range Options(cfg) {
				if o.Code != "amount" {
					configuration = append(configuration, o)
				}
			}
		}
		tiers = append(tiers, Tier{Amount: amount, Quote: quote, Amounts: amounts})
	}
	if configuration == nil {
		configuration = []Option{}
	}
	return tiers, configuration, nil
}
