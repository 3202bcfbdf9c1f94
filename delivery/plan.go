package delivery

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
)

// MaxDaysAhead is how far ahead a wished date may be.
const MaxDaysAhead = 366

// Presets choose for the caller.
const (
	PresetCheapest = "cheapest"
	PresetFastest  = "fastest"
)

// Request is what a caller wants to know about delivering an order.
type Request struct {
	Now         time.Time
	Destination string          // ISO 3166 country
	Weight      decimal.Decimal // kilograms
	// Times are the production times every product of the order offers, slowest first.
	Times []catalog.ProductionTime
	// Methods are the shipping methods that carry every product of the order.
	Methods []*catalog.Method

	// At most one of DeliveryDate and ShippingDate; with neither, the
	// earliest dates of each production time.
	DeliveryDate *Date
	ShippingDate *Date
	// DeliveryPreset keeps one production time: the cheapest (slowest) or the fastest.
	DeliveryPreset string
	// Method keeps one shipping method by code; MethodPreset the cheapest or fastest.
	Method       string
	MethodPreset string
}

// Shipping is the price of a shipping method for one shipment, excluding VAT.
type Shipping struct {
	Shipping, Packaging, Total decimal.Decimal
	Parcels                    int
}

// Delivery is one shipping method for one production time.
type Delivery struct {
	Method       *catalog.Method
	TransitDays  int
	ShippingDate Date
	DeliveryDate Date
	Price        Shipping
}

// Option is one production time that fits, with the shipping methods that do.
type Option struct {
	Time       catalog.ProductionTime
	Deliveries []Delivery
}

// ShippingDate and DeliveryDate are those of the option's first delivery.
func (o Option) ShippingDate() Date { return o.Deliveries[0].ShippingDate }

// DeliveryDate is the first delivery's date.
func (o Option) DeliveryDate() Date { return o.Deliveries[0].DeliveryDate }

// Planner plans deliveries with a catalog's company, countries and methods.
type Planner struct{ C *catalog.Commerce }

// Plan answers, per production time that fits (slowest first), the shipping
// methods that reach the destination with their dates and prices. EINVALID
// errors name the field at fault in Fields[0].Pointer relative to a
// delivery: "/delivery_date", "/shipping_date", "/shipping_method_code",
// "/address/country", and the presets.
func (p Planner) Plan(r Request) ([]Option, error) {
	cm := p.C
	if _, ok := cm.Countries[r.Destination]; !ok {
		return nil, field("/address/country", "unknown_country", "We do not deliver to country %q.", r.Destination)
	}
	if r.DeliveryDate != nil && r.ShippingDate != nil {
		return nil, field("/shipping_date", "conflicting_dates", "Give a delivery_date or a shipping_date, not both.")
	}
	switch r.DeliveryPreset {
	case "", PresetCheapest, PresetFastest:
	default:
		return nil, field("/delivery_date_preset", "invalid_preset", "delivery_date_preset %q is not %q or %q.", r.DeliveryPreset, PresetCheapest, PresetFastest)
	}
	switch r.MethodPreset {
	case "", PresetCheapest, PresetFastest:
	default:
		return nil, field("/shipping_method_preset", "invalid_preset", "shipping_method_preset %q is not %q or %q.", r.MethodPreset, PresetCheapest, PresetFastest)
	}
	methods := r.Methods
	if r.Method != "" {
		m := cm.Method(r.Method)
		if m == nil {
			return nil, field("/shipping_method_code", "unknown_shipping_method", "Shipping method %q does not exist.", r.Method)
		}
		methods = nil
		for _, x := range r.Methods {
			if x == m {
				methods = []*catalog.Method{m}
			}
		}
		if methods == nil {
			return nil, field("/shipping_method_code", "shipping_method_unavailable", "Shipping method %q does not carry these products.", r.Method)
		}
		if m.Rate(r.Destination) == nil {
			return nil, field("/shipping_method_code", "shipping_method_unavailable", "Shipping method %q does not deliver to %s.", r.Method, r.Destination)
		}
	}
	var reachable []*catalog.Method
	for _, m := range methods {
		if m.Rate(r.Destination) != nil {
			reachable = append(reachable, m)
		}
	}
	if len(reachable) == 0 {
		return nil, field("/address/country", "no_shipping_method", "No shipping method carries these products to %s.", r.Destination)
	}
	if len(r.Times) == 0 {
		return nil, pressroom.Errorf(pressroom.EINVALID, "These products have no production time in common; order them separately.")
	}
	today := DateOf(r.Now.In(cm.Location))
	horizon := today.AddDays(MaxDaysAhead)
	for _, x := range []struct {
		ptr string
		d   *Date
	}{{"/delivery_date", r.DeliveryDate}, {"/shipping_date", r.ShippingDate}} {
		if x.d != nil && horizon.Before(*x.d) {
			return nil, field(x.ptr, "date_too_far", "%s %s is more than %d days ahead; prices and dates are given up to %s.", x.ptr[1:], *x.d, MaxDaysAhead, horizon)
		}
	}
	if r.DeliveryDate != nil {
		d := *r.DeliveryDate
		if !today.Before(d) {
			return nil, field("/delivery_date", "date_in_past", "delivery_date %s is not after today (%s).", d, today)
		}
		if !IsBusinessDay(r.Destination, d) {
			return nil, field("/delivery_date", "not_a_delivery_day", "delivery_date %s is a weekend day or public holiday in %s; choose a business day.", d, r.Destination)
		}
	}
	if r.ShippingDate != nil {
		d := *r.ShippingDate
		if d.Before(today) {
			return nil, field("/shipping_date", "date_in_past", "shipping_date %s is before today (%s).", d, today)
		}
		if !IsBusinessDay(cm.Company.Country, d) {
			return nil, field("/shipping_date", "not_a_shipping_day", "shipping_date %s is a weekend day or public holiday in %s; choose a business day.", d, cm.Company.Country)
		}
	}

	earliest := Date{}
	prices := make([]Shipping, len(reachable))
	starts := make([][]Date, len(reachable)) // business days from each method's production start
	for i, m := range reachable {
		prices[i] = Price(m, m.Rate(r.Destination), r.Weight)
		start := p.productionStart(m, r.Now)
		for j := 0; j < i; j++ {
			if len(starts[j]) > 0 && starts[j][0] == start {
				starts[i] = starts[j]
			}
		}
		if starts[i] == nil {
			starts[i] = businessDays(cm.Company.Country, start, maxDays(r.Times))
		}
	}
	// Production times often share a shipping date (always, with a wished
	// delivery date): remember each method's last arrival.
	type memo struct{ ship, arrive Date }
	last := make([]memo, len(reachable))
	arrival := func(i int, ship Date) Date {
		if last[i].ship == ship {
			return last[i].arrive
		}
		m := reachable[i]
		d := p.deliveryFrom(m, m.Rate(r.Destination), r.Destination, ship)
		last[i] = memo{ship, d}
		return d
	}
	out := make([]Option, 0, len(r.Times))
	for _, t := range r.Times {
		opt := Option{Time: t, Deliveries: make([]Delivery, 0, len(reachable))}
		for i, m := range reachable {
			rate := m.Rate(r.Destination)
			first := starts[i][*t.Days]
			ship := first
			switch {
			case r.DeliveryDate != nil:
				ship = p.latestShipping(m, rate, r.Destination, *r.DeliveryDate)
			case r.ShippingDate != nil:
				ship = *r.ShippingDate
			}
			if ship.Before(first) {
				if d := arrival(i, first); earliest == (Date{}) || d.Before(earliest) {
					earliest = d
				}
				continue
			}
			opt.Deliveries = append(opt.Deliveries, Delivery{
				Method: m, TransitDays: rate.TransitDays, ShippingDate: ship,
				DeliveryDate: arrival(i, ship),
				Price:        prices[i],
			})
		}
		if len(opt.Deliveries) == 0 {
			continue
		}
		opt.Deliveries = pickMethod(opt.Deliveries, r.MethodPreset)
		out = append(out, opt)
		if r.DeliveryPreset == PresetCheapest {
			break // the slowest time that fits is the one kept: plan no other
		}
	}
	if len(out) == 0 {
		if r.ShippingDate != nil {
			return nil, field("/shipping_date", "date_unreachable", "No production time is ready by shipping_date %s; the earliest delivery is %s.", *r.ShippingDate, earliest)
		}
		return nil, field("/delivery_date", "date_unreachable", "No production time and shipping method reaches %s by delivery_date %s; the earliest delivery is %s.", r.Destination, *r.DeliveryDate, earliest)
	}
	switch r.DeliveryPreset {
	case PresetCheapest:
		out = out[:1]
	case PresetFastest:
		out = out[len(out)-1:]
	}
	return out, nil
}

func pickMethod(ds []Delivery, preset string) []Delivery {
	if preset == "" || len(ds) < 2 {
		return ds
	}
	best := ds[0]
	for _, d := range ds[1:] {
		cheaper := d.Price.Total.LessThan(best.Price.Total)
		sooner := d.DeliveryDate.Before(best.DeliveryDate)
		tiePrice := d.Price.Total.Equal(best.Price.Total)
		tieDate := d.DeliveryDate == best.DeliveryDate
		if preset == PresetCheapest && (cheaper || tiePrice && sooner) || preset == PresetFastest && (sooner || tieDate && cheaper) {
			best = d
		}
	}
	return []Delivery{best}
}

// productionStart is the day production starts: today when the order
// comes before the cut-off on a business day, else the next business day.
// A production time of n days ships n business days after it.
func (p Planner) productionStart(m *catalog.Method, now time.Time) Date {
	cm := p.C
	home := cm.Company.Country
	local := now.In(cm.Location)
	day := DateOf(local)
	if !IsBusinessDay(home, day) {
		return AddBusinessDays(home, day, 0)
	}
	if local.Hour()*60+local.Minute() >= m.CutOffMinutes {
		return AddBusinessDays(home, day, 1)
	}
	return day
}

// businessDays lists start (a business day) and the n business days after it.
func businessDays(country string, start Date, n int) []Date {
	out := make([]Date, 0, n+1)
	out = append(out, start)
	for d := start; len(out) <= n; {
		d = d.AddDays(1)
		if IsBusinessDay(country, d) {
			out = append(out, d)
		}
	}
	return out
}

func maxDays(times []catalog.ProductionTime) int {
	n := 0
	for _, t := range times {
		n = max(n, *t.Days)
	}
	return n
}

// deliveryFrom is the delivery day of a shipment that leaves on ship: the
// carrier collects after the method's handover days and delivers after its
// transit days (business days of the destination). Pick-up is at the company.
func (p Planner) deliveryFrom(m *catalog.Method, rate *catalog.ShippingRate, country string, ship Date) Date {
	home := p.C.Company.Country
	collect := AddBusinessDays(home, ship, m.HandoverDays)
	if m.Type == catalog.ShipmentTypePickup {
		country = home
	}
	return AddBusinessDays(country, collect, rate.TransitDays)
}

// latestShipping is the last shipping day that still delivers on the day.
func (p Planner) latestShipping(m *catalog.Method, rate *catalog.ShippingRate, country string, delivery Date) Date {
	home := p.C.Company.Country
	if m.Type == catalog.ShipmentTypePickup {
		country = home
	}
	collect := AddBusinessDays(country, delivery, -rate.TransitDays)
	ship := AddBusinessDays(home, collect, -m.HandoverDays)
	for !IsBusinessDay(home, ship) {
		ship = ship.AddDays(-1)
	}
	return ship
}

// Price is what a method charges for a shipment of the weight to the rate's
// countries: the weight's bracket, or full parcels of the last bracket and
// the rest, plus packaging.
func Price(m *catalog.Method, rate *catalog.ShippingRate, weight decimal.Decimal) Shipping {
	var s Shipping
	last := rate.Prices[len(rate.Prices)-1]
	if weight.GreaterThan(last.UpToKg) {
		full := weight.Div(last.UpToKg).Floor()
		weight = weight.Sub(full.Mul(last.UpToKg))
		s.Shipping = full.Mul(last.Price)
		s.Parcels = int(full.IntPart())
	}
	if weight.IsPositive() || s.Parcels == 0 {
		for _, wp := range rate.Prices {
			if weight.LessThanOrEqual(wp.UpToKg) {
				s.Shipping = s.Shipping.Add(wp.Price)
				s.Parcels++
				break
			}
		}
	}
	if m.PackagingPrice != nil {
		s.Packaging = *m.PackagingPrice
	}
	s.Total = s.Shipping.Add(s.Packaging)
	return s
}

func field(pointer, code, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return pressroom.Invalid(msg, pressroom.FieldError{Pointer: pointer, Detail: msg, Code: code})
}
