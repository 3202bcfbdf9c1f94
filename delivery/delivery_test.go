package delivery_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/delivery"
)

var demo = func() *catalog.Catalog {
	c, err := catalog.Load(catalog.DemoJSON, 1, time.Now())
	if err != nil {
		panic(err)
	}
	return c
}()

func date(s string) delivery.Date {
	d, err := delivery.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestEaster(t *testing.T) {
	for year, want := range map[int]string{2019: "2019-04-21", 2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25"} {
		if got := delivery.EasterSunday(year).String(); got != want {
			t.Errorf("Easter %d = %s, want %s", year, got, want)
		}
	}
}

func TestHolidays(t *testing.T) {
	for _, c := range []struct {
		country, day string
		business     bool
	}{
		{"NL", "2026-04-06", false}, // Easter Monday
		{"NL", "2026-04-03", true},  // Good Friday is a working day in the Netherlands
		{"DE", "2026-04-03", false}, // but not in Germany
		{"NL", "2026-04-27", false}, // King's Day
		{"NL", "2025-04-26", false}, // King's Day moves to Saturday when the 27th is a Sunday
		{"NL", "2025-05-05", false}, // Liberation Day, every fifth year
		{"NL", "2026-05-05", true},
		{"NL", "2026-05-14", false}, // Ascension
		{"NL", "2026-05-25", false}, // Whit Monday
		{"BE", "2026-07-21", false},
		{"FR", "2026-07-14", false},
		{"IT", "2026-06-02", false},
		{"IT", "2026-04-25", false},
		{"DE", "2026-10-03", false},
		{"AT", "2026-06-04", false}, // Corpus Christi
		{"NL", "2026-11-23", true},
		{"NL", "2026-11-28", false}, // a Saturday
		{"US", "2026-07-03", true},  // a country without holiday rules has weekends only
	} {
		if got := delivery.IsBusinessDay(c.country, date(c.day)); got != c.business {
			t.Errorf("%s %s business day = %v, want %v", c.country, c.day, got, c.business)
		}
	}
	if got := delivery.AddBusinessDays("NL", date("2026-12-24"), 1).String(); got != "2026-12-28" {
		t.Errorf("the business day after Christmas Eve = %s", got)
	}
	if got := delivery.AddBusinessDays("NL", date("2026-12-28"), -1).String(); got != "2026-12-24" {
		t.Errorf("the business day before 28 December = %s", got)
	}
}

func dibondRequest(now time.Time) delivery.Request {
	p := demo.Product("dibond")
	return delivery.Request{Now: now, Destination: "NL", Weight: decimal.RequireFromString("1.728"), Times: p.Production, Methods: p.Methods()}
}

// The user guide's /price example: delivered on Wednesday 12 March by
// onbezorgd-standard (1 transit day, 11.95 to NL), shipped Monday 10 March,
// with the 480-hour production time first.
func TestSeedDeliveryDate(t *testing.T) {
	r := dibondRequest(time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC))
	wish := date("2025-03-12")
	r.DeliveryDate, r.Method = &wish, "onbezorgd-standard"
	opts, err := delivery.Planner{C: demo.Commerce}.Plan(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) != 21 {
		t.Errorf("%d production times reach the date, want all 21", len(opts))
	}
	first := opts[0]
	if first.Time.Hours != 480 || first.ShippingDate().String() != "2025-03-10" || first.DeliveryDate().String() != "2025-03-12" {
		t.Errorf("first option: %d hours, ships %s, delivered %s", first.Time.Hours, first.ShippingDate(), first.DeliveryDate())
	}
	d := first.Deliveries[0]
	if d.Method.Code != "onbezorgd-standard" || d.TransitDays != 1 || !d.Price.Total.Equal(decimal.RequireFromString("11.95")) || !d.Price.Packaging.IsZero() {
		t.Errorf("delivery = %+v", d)
	}
	// Close to the date only the faster times still make it.
	r.Now = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)
	opts, err = delivery.Planner{C: demo.Commerce}.Plan(r)
	if err != nil {
		t.Fatal(err)
	}
	if opts[0].Time.Hours != 96 || opts[len(opts)-1].Time.Hours != 18 {
		t.Errorf("from 4 March: %d to %d hours", opts[0].Time.Hours, opts[len(opts)-1].Time.Hours)
	}
}

func TestEarliestDates(t *testing.T) {
	p := delivery.Planner{C: demo.Commerce}
	for _, c := range []struct {
		name, hours string
		now         time.Time
		ship, deliv string
	}{
		// 11:00 in Amsterdam, before the 16:00 cut-off: 18 hours ship today.
		{"before cut-off", "18", time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), "2026-11-23", "2026-11-25"},
		{"before cut-off", "24", time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), "2026-11-24", "2026-11-26"},
		// 16:30 in Amsterdam: production starts tomorrow.
		{"after cut-off", "18", time.Date(2026, 11, 23, 15, 30, 0, 0, time.UTC), "2026-11-24", "2026-11-26"},
		// Saturday: production starts Monday.
		{"weekend", "48", time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), "2026-12-02", "2026-12-04"},
		// Christmas: the 25th and 26th are no business days.
		{"christmas", "24", time.Date(2026, 12, 24, 8, 0, 0, 0, time.UTC), "2026-12-28", "2026-12-30"},
	} {
		r := dibondRequest(c.now)
		r.Method = "onbezorgd-standard"
		opts, err := p.Plan(r)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, o := range opts {
			if o.Time.Code == c.hours {
				found = true
				if o.ShippingDate().String() != c.ship || o.DeliveryDate().String() != c.deliv {
					t.Errorf("%s, %s hours: ships %s delivered %s, want %s and %s", c.name, c.hours, o.ShippingDate(), o.DeliveryDate(), c.ship, c.deliv)
				}
			}
		}
		if !found {
			t.Errorf("%s: no %s-hour option", c.name, c.hours)
		}
	}
}

func TestPresetsAndMethods(t *testing.T) {
	p := delivery.Planner{C: demo.Commerce}
	r := dibondRequest(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	r.Destination = "BE"
	opts, err := p.Plan(r)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, d := range opts[0].Deliveries {
		codes[d.Method.Code] = true
	}
	if !codes["onbezorgd-standard"] || !codes["dhl-europe"] || !codes["pickup-dokkum"] || codes["postnl-parcel"] || codes["ups-express"] {
		t.Errorf("methods for dibond to Belgium: %v", codes)
	}
	r.DeliveryPreset, r.MethodPreset = delivery.PresetCheapest, delivery.PresetCheapest
	opts, err = p.Plan(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) != 1 || opts[0].Time.Hours != 480 || len(opts[0].Deliveries) != 1 || opts[0].Deliveries[0].Method.Code != "pickup-dokkum" {
		t.Errorf("cheapest: %+v", opts)
	}
	r.DeliveryPreset, r.MethodPreset = delivery.PresetFastest, delivery.PresetFastest
	opts, _ = p.Plan(r)
	if len(opts) != 1 || opts[0].Time.Hours != 18 || opts[0].Deliveries[0].Method.Code != "pickup-dokkum" {
		t.Errorf("fastest: %d hours by %s", opts[0].Time.Hours, opts[0].Deliveries[0].Method.Code)
	}
}

func TestWeightPrices(t *testing.T) {
	m := demo.Commerce.Method("onbezorgd-standard")
	for kg, want := range map[string]string{"0": "11.95", "30": "11.95", "30.1": "24.95", "500": "59.95", "530": "71.90", "600": "84.90"} {
		got := delivery.Price(m, m.Rate("NL"), decimal.RequireFromString(kg))
		if !got.Total.Equal(decimal.RequireFromString(want)) {
			t.Errorf("%s kg: %s, want %s", kg, got.Total, want)
		}
	}
}

func TestPlanErrors(t *testing.T) {
	p := delivery.Planner{C: demo.Commerce}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	d := func(s string) *delivery.Date { x := date(s); return &x }
	for _, c := range []struct {
		name    string
		edit    func(*delivery.Request)
		pointer string
		code    string
	}{
		{"unknown country", func(r *delivery.Request) { r.Destination = "XX" }, "/address/country", "unknown_country"},
		{"no method goes there", func(r *delivery.Request) { r.Destination = "IT"; r.Method = "onbezorgd-standard" }, "/shipping_method_code", "shipping_method_unavailable"},
		{"unknown method", func(r *delivery.Request) { r.Method = "zeppelin" }, "/shipping_method_code", "unknown_shipping_method"},
		{"method for other products", func(r *delivery.Request) { r.Method = "postnl-parcel" }, "/shipping_method_code", "shipping_method_unavailable"},
		{"past date", func(r *delivery.Request) { r.DeliveryDate = d("2026-11-20") }, "/delivery_date", "date_in_past"},
		{"today", func(r *delivery.Request) { r.DeliveryDate = d("2026-11-23") }, "/delivery_date", "date_in_past"},
		{"a Sunday", func(r *delivery.Request) { r.DeliveryDate = d("2026-11-29") }, "/delivery_date", "not_a_delivery_day"},
		{"too soon", func(r *delivery.Request) { r.DeliveryDate = d("2026-11-24"); r.Method = "onbezorgd-standard" }, "/delivery_date", "date_unreachable"},
		{"shipping on Christmas", func(r *delivery.Request) { r.ShippingDate = d("2026-12-25") }, "/shipping_date", "not_a_shipping_day"},
		{"both dates", func(r *delivery.Request) { r.ShippingDate = d("2026-12-01"); r.DeliveryDate = d("2026-12-03") }, "/shipping_date", "conflicting_dates"},
		{"bad preset", func(r *delivery.Request) { r.DeliveryPreset = "slowest" }, "/delivery_date_preset", "invalid_preset"},
		{"next year and more", func(r *delivery.Request) { r.DeliveryDate = d("2027-12-01") }, "/delivery_date", "date_too_far"},
		{"shipping in 2999", func(r *delivery.Request) { r.ShippingDate = d("2999-12-02") }, "/shipping_date", "date_too_far"},
		{"bad method preset", func(r *delivery.Request) { r.MethodPreset = "prettiest" }, "/shipping_method_preset", "invalid_preset"},
	} {
		r := dibondRequest(now)
		c.edit(&r)
		_, err := p.Plan(r)
		var e *pressroom.Error
		if !errors.As(err, &e) || e.Code != pressroom.EINVALID || len(e.Fields) != 1 || e.Fields[0].Pointer != c.pointer || e.Fields[0].Code != c.code {
			t.Errorf("%s: %v (%+v)", c.name, err, e)
		}
	}
}

// The cheapest preset keeps the slowest production time that fits, and
// planning stops there: whatever the moment, destination, wished date and
// method preset, it answers the first option of the whole plan (or the
// same error).
func TestCheapestPresetIsTheFirstOption(t *testing.T) {
	p := delivery.Planner{C: demo.Commerce}
	var countries []string
	for c := range demo.Commerce.Countries {
		countries = append(countries, c)
	}
	slices.Sort(countries)
	rapid.Check(t, func(t *rapid.T) {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rapid.Int64Range(0, 2*365*24*60).Draw(t, "minutes")) * time.Minute)
		r := dibondRequest(now)
		r.Destination = rapid.SampledFrom(countries).Draw(t, "destination")
		r.MethodPreset = rapid.SampledFrom([]string{"", delivery.PresetCheapest, delivery.PresetFastest}).Draw(t, "method preset")
		switch rapid.IntRange(0, 2).Draw(t, "wish") {
		case 1:
			d := delivery.DateOf(now).AddDays(rapid.IntRange(0, 45).Draw(t, "delivery in"))
			r.DeliveryDate = &d
		case 2:
			d := delivery.DateOf(now).AddDays(rapid.IntRange(0, 45).Draw(t, "shipping in"))
			r.ShippingDate = &d
		}
		all, allErr := p.Plan(r)
		r.DeliveryPreset = delivery.PresetCheapest
		cheapest, err := p.Plan(r)
		if allErr != nil || err != nil {
			if fmt.Sprint(allErr) != fmt.Sprint(err) {
				t.Fatalf("errors differ: whole plan %v, cheapest %v", allErr, err)
			}
			return
		}
		if len(cheapest) != 1 || !reflect.DeepEqual(cheapest[0], all[0]) {
			t.Fatalf("cheapest = %+v, want the plan's first option %+v", cheapest, all[0])
		}
	})
}
