package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom/app"
	"github.com/pressroom/pressroom/delivery"
)

const dibondOptions = `[{"code":"height","value":40},{"code":"width","value":20},{"code":"amount","value":5},{"code":"direct-to-plate"},{"code":"single-sided"},{"code":"dibond-budget"},{"code":"3mm"},{"code":"milling"},{"code":"no-drillholes"},{"code":"customer-supplied-file"}]`

// seedWeekDate moves a seed date forward by whole weeks (the weekday stays)
// until it is at least minAhead from now and its Monday-to-Friday week has
// no public holiday in the countries: the seeds' README allows this.
func seedWeekDate(t testing.TB, seed string, minAhead time.Duration, countries ...string) delivery.Date {
	t.Helper()
	d, err := delivery.ParseDate(seed)
	if err != nil {
		t.Fatal(err)
	}
	earliest := delivery.DateOf(time.Now().Add(minAhead))
	for i := 0; i < 520; i++ {
		if !d.Before(earliest) {
			monday := d.AddDays(-int(d.Weekday()) + 1)
			free := true
			for day := 0; day < 5; day++ {
				for _, c := range countries {
					free = free && delivery.IsBusinessDay(c, monday.AddDays(day))
				}
			}
			if free {
				return d
			}
		}
		d = d.AddDays(7)
	}
	t.Fatal("no holiday-free week found")
	return d
}

func dec(t *testing.T, v any) decimal.Decimal {
	t.Helper()
	return decimal.RequireFromString(num(t, v))
}

func num(t *testing.T, v any) string {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	return n.String()
}

// TestSeedPrice sends the user guide's /price example to the native API:
// the same products and delivery, with the delivery date moved forward by
// whole weeks (see seedWeekDate) and the delivery under "delivery" as the
// native API takes it. The first answer is the guide's: 480 production
// hours, shipped two business days before the Wednesday delivery, 9.38 and
// 23.45 for five plates, 1.876 and 4.69 each, 11.95 shipping.
func TestSeedPrice(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		seed := seedExample(t, "probo-user-guide.txt", "Request payload (price)").(map[string]any)
		want := seedExample(t, "probo-user-guide.txt", "Response (Price)").(map[string]any)
		day := seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL")
		dlv := seed["deliveries"].([]any)[0].(map[string]any)
		dlv["delivery_date"] = day.String()
		body := map[string]any{"language": seed["language"], "products": seed["products"], "delivery": dlv}
		r := do(t, "POST", srv.URL+"/v1/prices", demoKey, body)
		if r.Status != 200 {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		got := decodeNumbers(t, r.Body)
		prices := got["prices"].([]any)
		if len(prices) != 21 {
			t.Errorf("%d production times reach the date, want all 21", len(prices))
		}
		first := prices[0].(map[string]any)
		wantFirst := want["prices"].([]any)[0].(map[string]any)
		if num(t, first["production_hours"]) != num(t, wantFirst["production_hours"]) {
			t.Errorf("first production_hours = %v, want %v", first["production_hours"], wantFirst["production_hours"])
		}
		if first["delivery_date"] != day.String() || first["shipping_date"] != day.AddDays(-2).String() {
			t.Errorf("dates: shipping %v delivery %v, want %s and %s", first["shipping_date"], first["delivery_date"], day.AddDays(-2), day)
		}
		excl := func(where string) bool { return strings.HasSuffix(where, "_incl_vat") }
		gp := first["products"].([]any)[0].(map[string]any)
		wp := wantFirst["products"].([]any)[0].(map[string]any)
		matchSubset(t, "prices_total", wp["prices_total"], gp["prices_total"], excl)
		matchSubset(t, "prices_per_product", wp["prices_per_product"], gp["prices_per_product"], excl)
		if num(t, gp["id"]) != "1" {
			t.Errorf("product id = %v, want 1 (assigned by position)", gp["id"])
		}
		// The Probo envelope names them products_*; natively they are products_total.
		pt := first["products_total"].(map[string]any)
		for k, v := range map[string]string{"purchase_price": "9.38", "purchase_price_incl_vat": "11.35", "sales_price": "23.45", "sales_price_incl_vat": "28.37"} {
			if num(t, pt[k]) != v {
				t.Errorf("products_total.%s = %v, want %s", k, pt[k], v)
			}
		}
		gd := first["deliveries"].([]any)[0].(map[string]any)
		wd := wantFirst["deliveries"].([]any)[0].(map[string]any)
		for native, seedName := range map[string]string{"shipping_method_code": "shipping_method_api_code", "name": "shipping_method_name",
			"description": "shipping_method_description", "short_description": "shipping_method_short_description", "icon": "shipping_method_icon", "transit_days": "transit_days"} {
			if fmt.Sprint(gd[native]) != fmt.Sprint(wd[seedName]) {
				t.Errorf("delivery %s = %v, want %v", native, gd[native], wd[seedName])
			}
		}
		gdp, wdp := gd["prices"].(map[string]any), wd["prices"].(map[string]any)
		for _, k := range []string{"purchase_shipping_price", "purchase_packaging_price", "purchase_price", "sales_price"} {
			if fmt.Sprint(gdp[k]) != fmt.Sprint(wdp[k]) {
				t.Errorf("delivery prices.%s = %v, want %v", k, gdp[k], wdp[k])
			}
		}
		if id, ok := got["calculation_id"].(json.Number); !ok || id.String() == "0" {
			t.Errorf("calculation_id = %v", got["calculation_id"])
		}
		// Slowest first, and a faster time never costs less.
		for i := 1; i < len(prices); i++ {
			a, b := prices[i-1].(map[string]any), prices[i].(map[string]any)
			if dec(t, a["production_hours"]).LessThanOrEqual(dec(t, b["production_hours"])) {
				t.Errorf("production times not slowest first: %v then %v", a["production_hours"], b["production_hours"])
			}
			pa, pb := dec(t, path(t, a, "products_total", "purchase_price")), dec(t, path(t, b, "products_total", "purchase_price"))
			if pb.LessThan(pa) {
				t.Errorf("%v hours cost %s, less than %v hours at %s", b["production_hours"], pb, a["production_hours"], pa)
			}
		}
	})
}

func TestPriceVariants(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	post := func(body string) (int, map[string]any) {
		r := do(t, "POST", srv.URL+"/v1/prices", demoKey, body)
		return r.Status, decodeNumbers(t, r.Body)
	}
	// Without a delivery: every production time with its earliest dates,
	// every method that carries dibond to the reseller's country.
	status, m := post(`{"products":[{"code":"dibond","options":` + dibondOptions + `}]}`)
	if status != 200 {
		t.Fatalf("no delivery: %d %v", status, m)
	}
	prices := m["prices"].([]any)
	if len(prices) != 21 || m["country"] != "NL" {
		t.Errorf("no delivery: %d times to %v", len(prices), m["country"])
	}
	methods := map[string]bool{}
	for _, d := range prices[0].(map[string]any)["deliveries"].([]any) {
		methods[d.(map[string]any)["shipping_method_code"].(string)] = true
	}
	if !methods["onbezorgd-standard"] || !methods["pickup-dokkum"] || methods["dhl-europe"] || methods["postnl-parcel"] {
		t.Errorf("methods to NL: %v", methods)
	}
	fast := prices[20].(map[string]any)
	slow := prices[0].(map[string]any)
	if fast["production_time"] != "18" || fast["shipping_date"].(string) > slow["shipping_date"].(string) {
		t.Errorf("fastest %v ships %v, slowest ships %v", fast["production_time"], fast["shipping_date"], slow["shipping_date"])
	}

	// Presets keep one production time and one method.
	status, m = post(`{"products":[{"code":"dibond","options":` + dibondOptions + `}],"delivery":{"address":{"country":"BE"},"delivery_date_preset":"fastest","shipping_method_preset":"cheapest"}}`)
	if status != 200 {
		t.Fatalf("presets: %d %v", status, m)
	}
	if p := m["prices"].([]any); len(p) != 1 || p[0].(map[string]any)["production_time"] != "18" || len(p[0].(map[string]any)["deliveries"].([]any)) != 1 {
		t.Errorf("fastest+cheapest: %v", p)
	}
	if m["vat_rate"].(json.Number).String() != "0.21" || m["country"] != "BE" {
		t.Errorf("Belgian VAT: %v %v", m["vat_rate"], m["country"])
	}

	// A box to Italy: the box document's amounts at 22 % VAT, with the express carrier.
	box := `{"code":"s001_v0","options":[{"code":"width","value":80},{"code":"depth","value":80},{"code":"height","value":150},{"code":"amount","value":25},{"code":"SBS300"},{"code":"printing-yes"},{"code":"gold-no"},{"code":"silver-no"},{"code":"varnish-no"},{"code":"customer-supplied-file"}]}`
	status, m = post(`{"products":[` + box + `],"delivery":{"address":{"country":"IT"},"shipping_method_code":"ups-express"}}`)
	if status != 200 {
		t.Fatalf("box: %d %v", status, m)
	}
	byTime := map[string]map[string]any{}
	for _, p := range m["prices"].([]any) {
		byTime[p.(map[string]any)["production_time"].(string)] = p.(map[string]any)
	}
	eco := byTime["economy"]["products_total"].(map[string]any)
	if num(t, eco["purchase_price"]) != "57.19" || num(t, eco["purchase_price_incl_vat"]) != "69.77" || len(byTime) != 3 {
		t.Errorf("box economy = %v (of %d times)", eco, len(byTime))
	}
	if d := byTime["express"]["deliveries"].([]any)[0].(map[string]any); d["shipping_method_code"] != "ups-express" || num(t, d["transit_days"]) != "2" {
		t.Errorf("box delivery = %v", d)
	}

	// Two products: dibond and an accessory share production times and methods.
	status, m = post(`{"products":[{"id":"plate","code":"dibond","options":` + dibondOptions + `},{"id":"grips","code":"side-grip-spacer-2-5mm","options":[{"code":"amount","value":"2"}]}],"delivery":{"shipping_method_code":"onbezorgd-standard"}}`)
	if status != 200 {
		t.Fatalf("two products: %d %v", status, m)
	}
	p0 := m["prices"].([]any)[0].(map[string]any)
	if num(t, p0["products_total"].(map[string]any)["purchase_price"]) != "23.38" || p0["products"].([]any)[1].(map[string]any)["id"] != "grips" {
		t.Errorf("two products total = %v", p0["products_total"])
	}

	// A shipping date instead of a delivery date.
	ship := seedWeekDate(t, "2025-03-10", 10*7*24*time.Hour, "NL")
	status, m = post(`{"products":[{"code":"dibond","options":` + dibondOptions + `}],"delivery":{"shipping_date":"` + ship.String() + `","shipping_method_code":"onbezorgd-standard"}}`)
	if status != 200 {
		t.Fatalf("shipping date: %d %v", status, m)
	}
	if p := m["prices"].([]any)[0].(map[string]any); p["shipping_date"] != ship.String() || p["delivery_date"] != ship.AddDays(2).String() {
		t.Errorf("shipping date %s: %v / %v", ship, p["shipping_date"], p["delivery_date"])
	}
}

func TestPriceErrors(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	sunday := seedWeekDate(t, "2025-03-16", 14*24*time.Hour, "NL")
	past := time.Now().AddDate(0, 0, -3).Format(time.DateOnly)
	for _, tc := range []struct {
		name, body string
		status     int
		want       []string
	}{
		{"malformed", `{"products":[`, 400, []string{"not valid JSON"}},
		{"unknown field", `{"products":[],"shipping":{}}`, 400, []string{`unknown field \"shipping\"`}},
		{"no products", `{"products":[]}`, 422, []string{`"/products"`}},
		{"unknown product", `{"products":[{"code":"unobtainium"}]}`, 422, []string{`"/products/0/code"`, "does not exist"}},
		{"incomplete", `{"products":[{"code":"dibond","options":[{"code":"width","value":40},{"code":"height","value":20},{"code":"amount","value":1}]}]}`, 422,
			[]string{`"/products/0/options"`, "not complete", "print-material"}},
		{"height missing", `{"products":[{"code":"dibond","options":[{"code":"width","value":40}]}]}`, 422,
			[]string{`"/products/0/options"`, `choose \"Afmeting\" (size): height"`}},
		{"amount zero", `{"products":[{"code":"dibond","options":` + strings.Replace(dibondOptions, `"value":5`, `"value":0`, 1) + `}]}`, 422, []string{`"/products/0/options/2/value"`}},
		{"amount negative", `{"products":[{"code":"dibond","options":` + strings.Replace(dibondOptions, `"value":5`, `"value":-3`, 1) + `}]}`, 422, []string{`"/products/0/options/2/value"`}},
		{"unknown country", `{"products":[{"code":"dibond","options":` + dibondOptions + `}],"delivery":{"address":{"country":"ZZ"}}}`, 422, []string{`"/delivery/address/country"`, "ZZ"}},
		{"past date", `{"products":[{"code":"dibond","options":` + dibondOptions + `}],"delivery":{"delivery_date":"` + past + `"}}`, 422, []string{`"/delivery/delivery_date"`, "date_in_past"}},
		{"a Sunday", `{"products":[{"code":"dibond","options":` + dibondOptions + `}],"delivery":{"delivery_date":"` + sunday.String() + `"}}`, 422, []string{`"/delivery/delivery_date"`, "not_a_delivery_day"}},
		{"not a date", `{"products":[{"code":"dibond","options":` + dibondOptions + `}],"delivery":{"delivery_date":"next tuesday"}}`, 422, []string{`"/delivery/delivery_date"`, "invalid_date"}},
		{"unknown method", `{"products":[{"code":"dibond","options":` + dibondOptions + `}],"delivery":{"shipping_method_code":"zeppelin"}}`, 422, []string{`"/delivery/shipping_method_code"`, "zeppelin"}},
		{"method for photos", `{"products":[{"code":"dibond","options":` + dibondOptions + `}],"delivery":{"shipping_method_code":"postnl-parcel"}}`, 422, []string{`"/delivery/shipping_method_code"`}},
		{"bad preset", `{"products":[{"code":"dibond","options":` + dibondOptions + `}],"delivery":{"delivery_date_preset":"whenever"}}`, 422, []string{`"/delivery/delivery_date_preset"`}},
		{"unknown customer code", `{"products":[{"customer_code":"nope"}]}`, 422, []string{`"/products/0/customer_code"`, "does not exist"}},
		{"duplicate ids", `{"products":[{"id":1,"code":"dibond","options":` + dibondOptions + `},{"id":1,"code":"dibond","options":` + dibondOptions + `}]}`, 422, []string{`"/products/1/id"`}},
		{"too large", `{"products":[{"code":"` + strings.Repeat("x", 1<<20) + `"}]}`, 413, []string{"too_large"}},
	} {
		r := do(t, "POST", srv.URL+"/v1/prices", demoKey, tc.body)
		if r.Status != tc.status {
			t.Errorf("%s: %d, want %d: %.400s", tc.name, r.Status, tc.status, r.Body)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(string(r.Body), w) {
				t.Errorf("%s: body lacks %s: %.600s", tc.name, w, r.Body)
			}
		}
	}
	for _, key := range []string{"", "wrong-key-123456"} {
		for _, ep := range []struct{ method, path, body string }{
			{"POST", "/v1/prices", `{"products":[]}`}, {"GET", "/v1/products/dibond/tiers", ""}, {"GET", "/v1/shipping/methods", ""},
			{"GET", "/v1/api-products", ""}, {"POST", "/v1/api-products", `{}`}, {"GET", "/v1/api-products/x", ""},
			{"PUT", "/v1/api-products/x", `{}`}, {"DELETE", "/v1/api-products/x", ""}, {"PATCH", "/v1/operator/resellers/1000001", `{}`},
		} {
			var body any
			if ep.body != "" {
				body = ep.body
			}
			if r := do(t, ep.method, srv.URL+ep.path, key, body); r.Status != 401 {
				t.Errorf("%s %s with key %q: %d, want 401", ep.method, ep.path, key, r.Status)
			}
		}
	}
}

func TestAPIProducts(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		create := `{"customer_code":"sign-40x20","code":"dibond","options":` + dibondOptions + `}`
		r := do(t, "POST", srv.URL+"/v1/api-products", demoKey, create)
		if r.Status != 201 || r.Header.Get("Location") != "/v1/api-products/sign-40x20" {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		m := decodeNumbers(t, r.Body)
		if m["code"] != "dibond" || num(t, m["amount"]) != "5" || num(t, path(t, m, "prices_total", "480", "purchase_price")) != "9.38" {
			t.Errorf("created = %v", m)
		}
		if r := do(t, "POST", srv.URL+"/v1/api-products", demoKey, create); r.Status != 409 {
			t.Errorf("duplicate: %d %s", r.Status, r.Body)
		}
		// Priced by customer code with overrides of amount and size.
		r = do(t, "POST", srv.URL+"/v1/prices", demoKey, `{"products":[{"customer_code":"sign-40x20","options":[{"code":"amount","value":10},{"code":"width","value":40}]}]}`)
		if r.Status != 200 {
			t.Fatalf("price by customer code: %d %s", r.Status, r.Body)
		}
		pm := decodeNumbers(t, r.Body)
		// 40x40 cm: 0.16 m2 x 20.75 + 1.6 m x 0.18 = 3.608 per plate; ten plates, the tenth 5 % off: 9.95 x 3.608 = 35.8996.
		if got := num(t, path(t, pm, "prices", 0, "products", 0, "prices_total", "purchase_price")); got != "35.9" {
			t.Errorf("overridden price = %s, want 35.9", got)
		}
		if path(t, pm, "products", 0, "customer_code") != "sign-40x20" || num(t, path(t, pm, "products", 0, "amount")) != "10" {
			t.Errorf("echo = %v", pm["products"])
		}
		for _, tc := range []struct{ body, pointer string }{
			{`{"products":[{"customer_code":"sign-40x20","options":[{"code":"milling"}]}]}`, "/products/0/options/0"},
			{`{"products":[{"customer_code":"sign-40x20","options":[{"code":"width","value":100000}]}]}`, "/products/0/options/0/value"},
			{`{"products":[{"customer_code":"sign-40x20","code":"dibond"}]}`, "/products/0/code"},
		} {
			r := do(t, "POST", srv.URL+"/v1/prices", demoKey, tc.body)
			if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"`+tc.pointer+`"`) {
				t.Errorf("%s: %d %s, want 422 at %s", tc.body, r.Status, r.Body, tc.pointer)
			}
		}
		// Update, list, get, delete.
		upd := `{"code":"dibond","options":` + strings.Replace(dibondOptions, `"value":5`, `"value":2`, 1) + `}`
		if r := do(t, "PUT", srv.URL+"/v1/api-products/sign-40x20", demoKey, upd); r.Status != 200 || !strings.Contains(string(r.Body), `"amount":2`) {
			t.Errorf("update: %d %s", r.Status, r.Body)
		}
		if r := do(t, "PUT", srv.URL+"/v1/api-products/sign-40x20", demoKey, `{"customer_code":"other","code":"dibond","options":`+dibondOptions+`}`); r.Status != 422 {
			t.Errorf("renaming by PUT: %d", r.Status)
		}
		for _, bad := range []string{
			`{"customer_code":"half","code":"dibond","options":[{"code":"width","value":40}]}`,
			`{"customer_code":"bad code!","code":"dibond","options":` + dibondOptions + `}`,
			`{"customer_code":"ghost","code":"unobtainium"}`,
		} {
			if r := do(t, "POST", srv.URL+"/v1/api-products", demoKey, bad); r.Status != 422 {
				t.Errorf("%s: %d %s, want 422", bad, r.Status, r.Body)
			}
		}
		// Every problem at once: the code's and the configuration's.
		r = do(t, "POST", srv.URL+"/v1/api-products", demoKey, `{"customer_code":"bad code!","code":"dibond","options":[{"code":"width","value":40}]}`)
		if p := decodeNumbers(t, r.Body); r.Status != 422 || p["detail"] != "The API product is not valid: 2 problem(s)." ||
			path(t, p, "errors", 0, "code") != "invalid_customer_code" || path(t, p, "errors", 1, "code") != "incomplete_configuration" {
			t.Errorf("a bad code and an incomplete configuration: %d %s", r.Status, r.Body)
		}
		do(t, "POST", srv.URL+"/v1/api-products", demoKey, `{"customer_code":"grips","code":"side-grip-spacer-2-5mm","options":[{"code":"amount","value":4}]}`)
		list := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/api-products?per_page=1&page=2", demoKey, nil).Body)
		if num(t, path(t, list, "meta", "items")) != "2" || path(t, list, "api_products", 0, "customer_code") != "sign-40x20" {
			t.Errorf("list page 2 = %v", list)
		}
		if r := do(t, "GET", srv.URL+"/v1/api-products?per_page=500", demoKey, nil); r.Status != 400 {
			t.Errorf("per_page 500: %d", r.Status)
		}

		// Another reseller sees none of it, and a free reseller changes nothing.
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other","edition":"free"}`).JSON(t)
		okey := other["api_key"].(string)
		for _, ep := range []struct{ method, path, body string }{
			{"GET", "/v1/api-products/sign-40x20", ""}, {"PUT", "/v1/api-products/sign-40x20", upd}, {"DELETE", "/v1/api-products/sign-40x20", ""},
		} {
			var body any
			if ep.body != "" {
				body = ep.body
			}
			want := 404
			if ep.method != "GET" {
				want = 403 // the free edition is refused before the lookup
			}
			if r := do(t, ep.method, srv.URL+ep.path, okey, body); r.Status != want {
				t.Errorf("other reseller %s %s: %d, want %d", ep.method, ep.path, r.Status, want)
			}
		}
		if r := do(t, "POST", srv.URL+"/v1/prices", okey, `{"products":[{"customer_code":"sign-40x20"}]}`); r.Status != 422 || !strings.Contains(string(r.Body), "does not exist") {
			t.Errorf("other reseller prices by our code: %d %s", r.Status, r.Body)
		}
		if r := do(t, "POST", srv.URL+"/v1/api-products", okey, create); r.Status != 403 {
			t.Errorf("free edition create: %d", r.Status)
		}
		if r := do(t, "GET", srv.URL+"/v1/api-products", okey, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"api_products":[]`) {
			t.Errorf("other reseller's list: %d %s", r.Status, r.Body)
		}
		// A standard reseller that is not the owner gets 404 on every verb.
		std := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Standard other"}`).JSON(t)["api_key"].(string)
		for _, method := range []string{"GET", "PUT", "DELETE"} {
			var body any
			if method == "PUT" {
				body = upd
			}
			if r := do(t, method, srv.URL+"/v1/api-products/sign-40x20", std, body); r.Status != 404 {
				t.Errorf("standard other %s: %d, want 404", method, r.Status)
			}
		}
		if r := do(t, "DELETE", srv.URL+"/v1/api-products/sign-40x20", demoKey, nil); r.Status != 204 {
			t.Errorf("delete: %d", r.Status)
		}
		if r := do(t, "GET", srv.URL+"/v1/api-products/sign-40x20", demoKey, nil); r.Status != 404 {
			t.Errorf("after delete: %d", r.Status)
		}
	})
}

func TestTiersAndShippingMethods(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	r := do(t, "GET", srv.URL+"/v1/products/dibond/tiers", demoKey, nil)
	if r.Status != 200 {
		t.Fatalf("tiers: %d %s", r.Status, r.Body)
	}
	m := decodeNumbers(t, r.Body)
	tiers := m["tiers"].([]any)
	if len(tiers) != 7 || m["unit"] != "m2" {
		t.Fatalf("tiers = %v", m)
	}
	var prev decimal.Decimal
	for i, tr := range tiers {
		per := dec(t, path(t, tr, "prices", 0, "prices_per_product", "purchase_price"))
		if i > 0 && per.GreaterThan(prev) {
			t.Errorf("tier %v costs %s per piece, more than the tier before (%s)", path(t, tr, "amount"), per, prev)
		}
		prev = per
	}
	// The reference configuration is the defaults: 100 x 100 cm.
	if cfg := fmt.Sprint(m["configuration"]); !strings.Contains(cfg, "map[code:width value:100] map[code:height value:100]") {
		t.Errorf("reference configuration = %s", cfg)
	}
	if r := do(t, "GET", srv.URL+"/v1/products/unobtainium/tiers", demoKey, nil); r.Status != 404 {
		t.Errorf("unknown product tiers: %d", r.Status)
	}

	r = do(t, "GET", srv.URL+"/v1/shipping/methods?country=IT&language=de", demoKey, nil)
	if r.Status != 200 {
		t.Fatalf("methods: %d %s", r.Status, r.Body)
	}
	codes := []string{}
	for _, x := range decodeNumbers(t, r.Body)["shipping_methods"].([]any) {
		codes = append(codes, x.(map[string]any)["code"].(string))
	}
	if fmt.Sprint(codes) != "[dhl-europe pickup-dokkum postnl-letterbox postnl-letterbox-parcel postnl-parcel box-freight ups-express]" {
		t.Errorf("methods to Italy = %v", codes)
	}
	if !strings.Contains(string(r.Body), `"name":"Briefkastenpost über PostNL"`) {
		t.Errorf("German names missing: %.300s", r.Body)
	}
	if r := do(t, "GET", srv.URL+"/v1/shipping/methods?country=ZZ", demoKey, nil); r.Status != 422 {
		t.Errorf("unknown country: %d", r.Status)
	}
	if r := do(t, "GET", srv.URL+"/v1/shipping/methods?language=xx", demoKey, nil); r.Status != 400 {
		t.Errorf("unknown language: %d", r.Status)
	}
}

// TestResellerProfilePricing: an operator sets a reseller's markup and VAT
// profile, and its prices follow at once.
func TestResellerProfilePricing(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	created := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Gent Print","markup":2,"country":"BE","vat_id":"BE0123456789"}`)
	if created.Status != 201 {
		t.Fatalf("create: %d %s", created.Status, created.Body)
	}
	acc := created.JSON(t)
	key, id := acc["api_key"].(string), int64(acc["id"].(float64))
	if acc["markup"] != float64(2) || acc["country"] != "BE" {
		t.Errorf("created = %v", acc)
	}
	price := func() map[string]any {
		r := do(t, "POST", srv.URL+"/v1/prices", key, `{"products":[{"code":"dibond","options":`+dibondOptions+`}],"delivery":{"address":{"country":"DE"},"delivery_date_preset":"cheapest"}}`)
		if r.Status != 200 {
			t.Fatalf("price: %d %s", r.Status, r.Body)
		}
		return decodeNumbers(t, r.Body)
	}
	m := price()
	tot := path(t, m, "prices", 0, "products_total").(map[string]any)
	// Reverse charge: a Belgian business with a VAT id pays no VAT; its German customer pays 19 %.
	if m["reverse_charge"] != true || num(t, tot["purchase_price_incl_vat"]) != "9.38" || num(t, tot["sales_price"]) != "18.76" || num(t, tot["sales_price_incl_vat"]) != "22.32" {
		t.Errorf("reverse charge prices = %v", tot)
	}
	// Goods it has delivered in the Netherlands stay there: Dutch VAT, no reverse charge.
	nl := decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/v1/prices", key, `{"products":[{"code":"dibond","options":`+dibondOptions+`}],"delivery":{"address":{"country":"NL"},"delivery_date_preset":"cheapest"}}`), 200).Body)
	if tot := path(t, nl, "prices", 0, "products_total").(map[string]any); nl["reverse_charge"] != false || num(t, tot["purchase_price_incl_vat"]) != "11.35" {
		t.Errorf("a Belgian business's goods delivered in the Netherlands: reverse charge %v, %v", nl["reverse_charge"], tot)
	}
	r := do(t, "PATCH", fmt.Sprintf("%s/v1/operator/resellers/%d", srv.URL, id), operatorKey, `{"markup":"3","vat_id":""}`)
	if r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	m = price()
	tot = path(t, m, "prices", 0, "products_total").(map[string]any)
	if m["reverse_charge"] != false || num(t, tot["purchase_price_incl_vat"]) != "11.16" || num(t, tot["sales_price"]) != "28.14" {
		t.Errorf("after patch = %v", tot)
	}
	// A Dutch VAT number for a Belgian reseller would reverse-charge its purchases wrongly.
	for bad, pointer := range map[string]string{`{"vat_id":"NL001234567B01"}`: "/vat_id", `{"vat_id":"nonsense"}`: "/vat_id",
		`{"country":"XX"}`: "/country", `{"callback_url":"ftp://shop.example/cb"}`: "/callback_url"} {
		r := do(t, "PATCH", fmt.Sprintf("%s/v1/operator/resellers/%d", srv.URL, id), operatorKey, bad)
		if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"`+pointer+`"`) {
			t.Errorf("patch %s: %d %s, want 422 at %s", bad, r.Status, r.Body, pointer)
		}
	}
	if r := do(t, "PATCH", fmt.Sprintf("%s/v1/operator/resellers/%d", srv.URL, id), operatorKey, `{"vat_id":"be 0123.456.789"}`); r.Status != 200 || r.JSON(t)["vat_id"] != "BE0123456789" {
		t.Errorf("a VAT number as people type it: %d %s", r.Status, r.Body)
	}
	for _, bad := range []string{`{"markup":0.5}`, `{"country":"belgium"}`, `{"edition":"gold"}`, `{"markup":"abc"}`} {
		if r := do(t, "PATCH", fmt.Sprintf("%s/v1/operator/resellers/%d", srv.URL, id), operatorKey, bad); r.Status != 422 && r.Status != 400 {
			t.Errorf("patch %s: %d", bad, r.Status)
		}
	}
	if r := do(t, "PATCH", srv.URL+"/v1/operator/resellers/424242", operatorKey, `{"markup":2}`); r.Status != 404 {
		t.Errorf("patch unknown: %d", r.Status)
	}
	if r := do(t, "PATCH", fmt.Sprintf("%s/v1/operator/resellers/%d", srv.URL, id), key, `{"markup":2}`); r.Status != 404 {
		t.Errorf("patch with a reseller key: %d, want 404", r.Status)
	}
}

// TestPriceCalculationStored: the answer's calculation keeps the exact
// purchase prices per production time and method, for 30 days.
func TestPriceCalculationStored(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		args := st.args(t)
		srv := startServer(t, args, nil)
		r := do(t, "POST", srv.URL+"/v1/prices", demoKey, `{"products":[{"code":"dibond","options":`+dibondOptions+`}],"delivery":{"shipping_method_code":"onbezorgd-standard"}}`)
		if r.Status != 200 {
			t.Fatalf("price: %d %s", r.Status, r.Body)
		}
		id := int64(r.JSON(t)["calculation_id"].(float64))
		if code := srv.stop(); code != 0 {
			t.Fatalf("stop: %d", code)
		}
		store, err := app.OpenStore(context.Background(), configOf(args))
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		c, err := store.FindCalculation(context.Background(), 1000001, id)
		if err != nil {
			t.Fatalf("calculation %d: %v", id, err)
		}
		var snap struct {
			Destination string
			Items       []struct{ Product, Amount string }
			Times       []struct {
				Code      string
				Items     []struct{ Total string }
				Shipments []struct{ Method, Purchase string }
			}
		}
		if err := json.Unmarshal(c.Prices, &snap); err != nil {
			t.Fatalf("%v: %s", err, c.Prices)
		}
		if snap.Destination != "NL" || len(snap.Items) != 1 || snap.Items[0].Amount != "5" || len(snap.Times) != 21 ||
			snap.Times[0].Code != "480" || snap.Times[0].Items[0].Total != "9.38" || len(snap.Times[0].Shipments) != 1 || snap.Times[0].Shipments[0].Method != "onbezorgd-standard" || snap.Times[0].Shipments[0].Purchase != "11.95" {
			t.Errorf("snapshot = %s", c.Prices)
		}
		if d := c.ExpiresAt.Sub(c.CreatedAt); d != 30*24*time.Hour {
			t.Errorf("kept for %v, want 30 days", d)
		}
	})
}

func configOf(args []string) *app.Config {
	cfg := &app.Config{}
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "--data":
			cfg.Data = args[i+1]
		case "--db":
			cfg.DB = args[i+1]
		}
	}
	return cfg
}

// TestNewEndpointsRefuseBadBodies: malformed JSON answers 400 and a body
// over 1 MB answers 413 on every new endpoint that takes a body.
func TestNewEndpointsRefuseBadBodies(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	big := `{"customer_code":"` + strings.Repeat("x", 1<<20) + `"}`
	for _, ep := range []struct{ method, path, key string }{
		{"POST", "/v1/prices", demoKey}, {"POST", "/v1/api-products", demoKey}, {"PUT", "/v1/api-products/x", demoKey},
		{"PATCH", "/v1/operator/resellers/1000001", operatorKey},
	} {
		if r := do(t, ep.method, srv.URL+ep.path, ep.key, `{"products":`); r.Status != 400 {
			t.Errorf("%s %s malformed: %d %s", ep.method, ep.path, r.Status, r.Body)
		}
		if r := do(t, ep.method, srv.URL+ep.path, ep.key, `{"unknown_field":1}`); r.Status != 400 {
			t.Errorf("%s %s unknown field: %d %s", ep.method, ep.path, r.Status, r.Body)
		}
		if r := do(t, ep.method, srv.URL+ep.path, ep.key, big); r.Status != 413 {
			t.Errorf("%s %s oversized: %d", ep.method, ep.path, r.Status)
		}
	}
	if r := do(t, "PATCH", srv.URL+"/v1/operator/resellers/1000001", operatorKey, `{"markup":"abc"}`); r.Status != 400 {
		t.Errorf("markup abc: %d %s", r.Status, r.Body)
	}
}
