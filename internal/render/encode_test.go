package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/jsonw/jsonwtest"
	"github.com/pressroom/pressroom/pricing"
)

// The appenders write exactly what encoding/json writes, with and without
// HTML escaping, for products whose every field (found by reflection, so a
// field added later is covered without touching this test) holds random
// values: strings with quotes, control characters, HTML, U+2028 and
// invalid UTF-8; nil and empty slices, pointers and maps; and each kind
// of value the untyped fields can hold.
func TestAppendMatchesEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 2).Draw(t, "products")
		var ps []Product
		if n > 0 || rapid.Bool().Draw(t, "empty not nil") {
			ps = make([]Product, n)
		}
		for i := range ps {
			fill(t, reflect.ValueOf(&ps[i]).Elem(), fmt.Sprintf("products[%d]", i), 0)
		}
		for _, esc := range []bool{false, true} {
			jsonwtest.Check(t, AppendProducts(nil, ps, esc), ps, esc)
		}
	})
}

var (
	anyType    = reflect.TypeOf((*any)(nil)).Elem()
	pricesType = reflect.TypeOf(PricesByTime(nil))
)

func fill(t *rapid.T, v reflect.Value, label string, depth int) {
	jsonwtest.Fill(t, v, label, depth, special)
}

// special fills what the answers hold beyond plain values: prices by time
// (kept sorted) and the untyped fields, with each kind of value they take.
func special(t *rapid.T, v reflect.Value, label string, depth int) bool {
	switch v.Type() {
	case pricesType:
		if rapid.IntRange(0, 3).Draw(t, label+" nil") == 0 {
			return true
		}
		m := PricesByTime{}
		for range rapid.IntRange(0, 4).Draw(t, label+" len") {
			var p *Price
			fill(t, reflect.ValueOf(&p).Elem(), label+" price", depth+1)
			m = append(m, TimePrice{Code: jsonwtest.String(t, label+" code"), Price: p})
		}
		v.Set(reflect.ValueOf(m.sorted()))
		return true
	case anyType:
		var x any
		switch rapid.IntRange(0, 7).Draw(t, label+" kind") {
		case 1:
			x = jsonwtest.Number(t, label)
		case 2:
			var p Price
			fill(t, reflect.ValueOf(&p).Elem(), label, depth+1)
			x = p
		case 3:
			var p *Price
			if rapid.Bool().Draw(t, label+" set") {
				p = new(Price)
				fill(t, reflect.ValueOf(p).Elem(), label, depth+1)
			}
			x = p
		case 4:
			x = jsonwtest.String(t, label)
		case 5:
			x = rapid.Int().Draw(t, label)
		case 6:
			x = map[string]any{jsonwtest.String(t, label+" key"): []any{1.5, "x<y", nil, true}}
		case 7:
			x = rapid.Bool().Draw(t, label)
		}
		if x != nil {
			v.Set(reflect.ValueOf(&x).Elem())
		}
		return true
	}
	return false
}

// Prices by production time, kept as a sorted list, are the JSON object
// encoding/json writes for the same prices in a map, however the codes
// come (repeated ones keep the last price, as in a map).
func TestPricesByTimeIsTheMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := PricesByTime{}
		want := map[string]*Price{}
		for range rapid.IntRange(0, 25).Draw(t, "len") {
			code := rapid.OneOf(rapid.SampledFrom([]string{"480", "24", "18", "240", "96"}), rapid.Just(jsonwtest.String(t, "code"))).Draw(t, "code")
			p := &Price{PurchasePrice: jsonwtest.Number(t, "price"), SalesPrice: jsonwtest.Number(t, "sales")}
			if rapid.IntRange(0, 9).Draw(t, "nil price") == 0 {
				p = nil
			}
			m, want[code] = append(m, TimePrice{Code: code, Price: p}), p
		}
		m = m.sorted()
		for _, esc := range []bool{false, true} {
			jsonwtest.Check(t, m.appendJSON(nil, esc), want, esc)
			// encoding/json through MarshalJSON writes the map too.
			var through bytes.Buffer
			enc := json.NewEncoder(&through)
			enc.SetEscapeHTML(esc)
			if err := enc.Encode(m); err != nil {
				t.Fatal(err)
			}
			jsonwtest.Check(t, bytes.TrimSuffix(through.Bytes(), []byte("\n")), want, esc)
		}
	})
}

// A field the appenders do not know fails the comparison above only if it
// is drawn non-zero; this guards the field lists themselves.
func TestAppendKnowsEveryField(t *testing.T) {
	for typ, n := range map[reflect.Type]int{
		reflect.TypeOf(Product{}): 17, reflect.TypeOf(Group{}): 13, reflect.TypeOf(OptionCore{}): 12,
		reflect.TypeOf(Child{}): 8, reflect.TypeOf(Selected{}): 5, reflect.TypeOf(Image{}): 2,
		reflect.TypeOf(Uploader{}): 24, reflect.TypeOf(LinkedProduct{}): 6, reflect.TypeOf(Price{}): 6,
	} {
		if typ.NumField() != n {
			t.Errorf("%s has %d fields, the appenders write %d: teach encode.go the new field", typ, typ.NumField(), n)
		}
	}
}

// BenchmarkAppendConfigure writes the seed's full dibond configuration
// (offered and selected options, uploader, prices for every production time).
func BenchmarkAppendConfigure(b *testing.B) {
	cat, err := catalog.Load(catalog.DemoJSON, 1, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	var opts []OptionIn
	if err := json.Unmarshal([]byte(`[{"code":"width","value":40},{"code":"height","value":20},{"code":"amount","value":1},{"code":"direct-to-plate"},{"code":"single-sided"},{"code":"dibond-budget"},{"code":"3mm"},{"code":"milling"},{"code":"no-drillholes"},{"code":"customer-supplied-file"}]`), &opts); err != nil {
		b.Fatal(err)
	}
	cfg := cat.Product("dibond").Configure(Selections(opts), "")
	ps := []Product{{ID: json.RawMessage("0"), Code: "dibond"}}
	Configuration(cfg, &ps[0], nil)
	q, amounts, err := pricing.ConfigurePrices(cfg, &pressroom.Reseller{ID: 1}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	total, per := ConfigurePrices(q, amounts)
	ps[0].PricesTotal, ps[0].PricesPerProduct = &total, &per
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = AppendProducts(buf[:0], ps, false)
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.Encode(ps)
		}
		b.SetBytes(int64(buf.Len()))
	})
}

// Every demo product's prices by time come out in code order (the order
// of a JSON object's keys from encoding/json), through the product's
// known order of its production times.
func TestConfigurePricesInCodeOrder(t *testing.T) {
	cat, err := catalog.Load(catalog.DemoJSON, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, p := range cat.Products() {
		if len(p.Production) < 2 {
			continue
		}
		q := &pricing.Quote{Product: p, Lines: make([]pricing.Line, len(p.Production))}
		amounts := make([]pricing.Amounts, len(q.Lines))
		for i := range q.Lines {
			q.Lines[i] = pricing.Line{Time: &p.Production[i]}
			amounts[i].Purchase = decimal.NewFromInt(int64(i))
		}
		q.Measure.Amount = decimal.NewFromInt(1)
		total, per := ConfigurePrices(q, amounts)
		for _, m := range []PricesByTime{total, per} {
			if len(m) != len(p.Production) || !slices.IsSortedFunc(m, func(a, b TimePrice) int { return strings.Compare(a.Code, b.Code) }) {
				t.Fatalf("%s: %d prices, not in code order: %v", p.Code, len(m), m)
			}
			for _, e := range m { // each code keeps its own time's price
				i := slices.IndexFunc(p.Production, func(pt catalog.ProductionTime) bool { return pt.Code == e.Code })
				if e.Price.PurchasePrice != json.Number(fmt.Sprint(i)) {
					t.Fatalf("%s: time %s has price %s, want %d", p.Code, e.Code, e.Price.PurchasePrice, i)
				}
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no demo product has production times")
	}
}

// sorted puts the entries in code order, as encoding/json orders a map's keys; of a code given twice the last
// entry stays, as in a map.
func (m PricesByTime) sorted() PricesByTime {
	slices.SortStableFunc(m, func(a, b TimePrice) int { return strings.Compare(a.Code, b.Code) })
	out := m[:0]
	for i := range m {
		if i+1 < len(m) && m[i+1].Code == m[i].Code {
			continue
		}
		out = append(out, m[i])
	}
	return out
}
