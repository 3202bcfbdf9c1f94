package app_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/testfiles"
)

// TestProboSeedConfigure replays the user guide's configure requests
// verbatim against /probo and compares every field of the guide's answers,
// the envelope (status, code, message) included. Normalisations: amounts
// including VAT are not compared (the guide shows them equal to the
// excluding ones; pressroom computes 21 % Dutch VAT, as the seeds' README
// decides), and calculation_id is generated (its presence is checked).
func TestProboSeedConfigure(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		skip := func(where string) bool {
			return strings.HasSuffix(where, "_incl_vat") || strings.HasSuffix(where, ".calculation_id")
		}
		for _, it := range []struct{ name, request, response string }{
			{"iteration 1", "Request payload (iteration 1):", "Response (iteration 1):"},
			{"iteration 2", "Request payload (iteration 2):", "Response (iteration 2):"},
			{"can_order iteration", "Request payload (can_order iteration)", "Response (can_order iteration):"},
		} {
			t.Run(it.name, func(t *testing.T) {
				req := seedExample(t, "probo-user-guide.txt", it.request)
				want := seedExample(t, "probo-user-guide.txt", it.response)
				resp := do(t, "POST", srv.URL+"/probo/products/configure", demoKey, req)
				if resp.Status != http.StatusOK {
					t.Fatalf("status %d: %s", resp.Status, resp.Body)
				}
				got := decodeNumbers(t, resp.Body)
				matchSubset(t, "answer", want, got, skip)
				if _, native := got["catalog_version"]; native {
					t.Error("the native catalog_version leaks into the Probo answer")
				}
				gp := path(t, got, "products", 0).(map[string]any)
				if _, native := gp["catalog_version"]; native {
					t.Error("the native catalog_version leaks into the Probo product")
				}
				if _, complete := path(t, want, "products", 0).(map[string]any)["uploaders"]; complete {
					if id, ok := gp["calculation_id"].(json.Number); !ok || id.String() == "0" {
						t.Errorf("calculation_id = %v, want a positive id", gp["calculation_id"])
					}
				}
			})
		}
	})
}

// TestProboProducts: the product listing as the guide shows it (the
// dibond entry field for field), one product's option tree, and Probo's
// not-found.
func TestProboProducts(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	r := do(t, "GET", srv.URL+"/probo/products?per_page=100", demoKey, nil)
	if r.Status != 200 {
		t.Fatalf("products: %d %s", r.Status, r.Body)
	}
	got := decodeNumbers(t, r.Body)
	if m := got["meta"].(map[string]any); m["page"].(json.Number) != "1" || m["per_page"].(json.Number) != "100" || m["items"].(json.Number) == "0" {
		t.Errorf("meta = %v", m)
	}
	var dibond map[string]any
	for _, p := range got["data"].([]any) {
		if p.(map[string]any)["code"] == "dibond" {
			dibond = p.(map[string]any)
		}
	}
	// The guide's dibond entry (the example's "..." elides the others).
	want := map[string]any{
		"active": true, "code": "dibond", "article_group_name": "Composed product", "unit_code": json.Number("1"),
		"translations": map[string]any{
			"en": map[string]any{"title": "Dibond®", "description": "Dibond"},
			"de": map[string]any{"title": "Aluminiumverbundplatte (Dibond®)", "description": "Aluminiumverbundplatte"},
			"nl": map[string]any{"title": "Dibond®", "description": nil},
			"fr": map[string]any{"title": nil, "description": nil},
		},
		"created_at": "2018-01-23T08:31:03+0000", "updated_at": "2024-11-06T11:36:34+0000",
	}
	if dibond == nil {
		t.Fatal("no dibond in the listing")
	}
	matchSubset(t, "dibond", want, dibond, nil)
	if len(dibond) != len(want) {
		t.Errorf("dibond has fields beyond the guide's: %v", dibond)
	}

	one := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/products/product/dibond", demoKey, nil).Body)
	if one["code"] != "dibond" || path(t, one, "options", 0, "code") != "size" || path(t, one, "options", 0, "is_parent") != true ||
		path(t, one, "options", 0, "children", 0, "code") != "width" || path(t, one, "options", 0, "translations", "nl", "name") != "Afmeting" {
		t.Errorf("product = %v", one)
	}
	if r := do(t, "GET", srv.URL+"/probo/products/product/unobtainium", demoKey, nil); r.Status != 404 ||
		!strings.Contains(string(r.Body), `"status":"error"`) || !strings.Contains(string(r.Body), `"code":404`) {
		t.Errorf("unknown product: %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", srv.URL+"/probo/products?page=0", demoKey, nil); r.Status != 400 || !strings.Contains(string(r.Body), `"status":"error"`) {
		t.Errorf("page 0: %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", srv.URL+"/probo/no/such/thing", demoKey, nil); r.Status != 404 || !strings.Contains(string(r.Body), `"status":"error"`) {
		t.Errorf("unknown endpoint: %d %s", r.Status, r.Body)
	}
}

// TestProboAuth: what real Probo clients send works (Bearer, Basic with
// the key verbatim, Basic as base64 of user:password); anything else is
// Probo's 401, and the rate limit answers in Probo's shape with its headers.
func TestProboAuth(t *testing.T) {
	env := baseEnv()
	env["PRESSROOM_RATE_LIMIT"] = "4"
	srv := startServer(t, stores[0].args(t), env)
	get := func(auth string) response {
		return doWith(t, "GET", srv.URL+"/probo/products?per_page=1", "", nil, map[string]string{"Authorization": auth})
	}
	for _, auth := range []string{"Bearer " + demoKey, "Basic " + demoKey, "Basic " + base64.StdEncoding.EncodeToString([]byte(demoKey+":"))} {
		if r := get(auth); r.Status != 200 || r.Header.Get("x-ratelimit-limits") != "4" || r.Header.Get("x-ratelimit-remaining") == "" || r.Header.Get("x-ratelimit-reset") == "" {
			t.Errorf("%q: %d %v", auth[:8], r.Status, r.Header)
		}
	}
	for _, auth := range []string{"", "Bearer wrong-key-123", "Basic d3Jvbmc6", "Token " + demoKey, "Bearer " + operatorKey} {
		r := get(auth)
		if r.Status != 401 || !strings.Contains(string(r.Body), `"message":"Unauthorized or invalid client application credentials"`) {
			t.Errorf("%q: %d %s", auth, r.Status, r.Body)
		}
	}
	// The fourth call of the minute is allowed, the fifth is not.
	get("Bearer " + demoKey)
	r := get("Bearer " + demoKey)
	if r.Status != 429 || strings.TrimSpace(string(r.Body)) != `{"error":"Quota has been exceeded"}` || r.Header.Get("x-ratelimit-remaining") != "0" || !waitForOne(r.Header) {
		t.Errorf("over the limit: %d %s %v", r.Status, r.Body, r.Header)
	}
}

// TestProboConfigureErrors: an invalid path answers 400 with status
// "error", a message naming the option and the options available; bodies
// that are not JSON or too large are refused, never a 500.
func TestProboConfigureErrors(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	r := do(t, "POST", srv.URL+"/probo/products/configure", demoKey,
		`{"products":[{"code":"dibond","id":7,"options":[{"code":"width","value":"30"},{"code":"height","value":30},{"code":"amount","value":1},{"code":"gold-leaf"}]}]}`)
	got := decodeNumbers(t, r.Body)
	if r.Status != 400 || got["status"] != "error" || got["code"].(json.Number) != "400" || !strings.Contains(got["message"].(string), "gold-leaf") ||
		path(t, got, "products", 0, "available_options", 0, "code") != "print-material" || path(t, got, "products", 0, "id").(json.Number) != "7" {
		t.Errorf("invalid path: %d %s", r.Status, r.Body)
	}
	for name, c := range map[string]struct {
		body   string
		status int
	}{
		"not JSON":        {`{"products": [`, 400},
		"no products":     {`{"products": []}`, 400},
		"unknown product": {`{"products":[{"code":"unobtainium"}]}`, 400},
		"too large":       {`{"products":[{"code":"` + strings.Repeat("x", 2<<20) + `"}]}`, 413},
		"wrong types":     {`{"products":[{"code":1,"options":"x"}]}`, 400},
	} {
		r := do(t, "POST", srv.URL+"/probo/products/configure", demoKey, c.body)
		if r.Status != c.status || !strings.Contains(string(r.Body), `"status":"error"`) {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
}

// TestProboSeedPrice replays the guide's /price example verbatim but for
// its delivery date, moved forward by whole weeks (seedWeekDate). With a
// wished date every production time that reaches it is answered, slowest
// first; the first is the guide's single entry and is compared field by
// field, amounts including VAT excepted (real 21 % VAT, as the seeds'
// README decides) and the generated calculation_id.
func TestProboSeedPrice(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		req := seedExample(t, "probo-user-guide.txt", "Request payload (price)").(map[string]any)
		want := seedExample(t, "probo-user-guide.txt", "Response (Price)").(map[string]any)
		day := seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL")
		req["deliveries"].([]any)[0].(map[string]any)["delivery_date"] = day.String()
		r := do(t, "POST", srv.URL+"/probo/price", demoKey, req)
		if r.Status != 200 {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		got := decodeNumbers(t, r.Body)
		wantFirst := want["prices"].([]any)[0].(map[string]any)
		wantFirst["delivery_date"] = day.String() + "T00:00:00+0000"
		wantFirst["shipping_date"] = day.AddDays(-2).String() + "T23:59:00+0000"
		want["prices"] = []any{wantFirst}
		got["prices"] = got["prices"].([]any)[:1]
		skip := func(where string) bool {
			return strings.HasSuffix(where, "_incl_vat") || where == "answer.calculation_id"
		}
		matchSubset(t, "answer", want, got, skip)
		if id, ok := got["calculation_id"].(json.Number); !ok || id.String() == "0" {
			t.Errorf("calculation_id = %v", got["calculation_id"])
		}
		if v := path(t, got, "prices", 0, "products_purchase_price_incl_vat"); fmt.Sprint(v) != "11.35" {
			t.Errorf("products_purchase_price_incl_vat = %v, want 11.35 (9.38 + 21 %% VAT)", v)
		}
	})
}

// TestProboPriceErrors: what a caller can get wrong answers 400 in
// Probo's shape, never a 500.
func TestProboPriceErrors(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	for name, c := range map[string]struct {
		body, inMessage string
		status          int
	}{
		"no products":     {`{"products":[]}`, "No products", 400},
		"two deliveries":  {`{"products":[{"code":"dibond"}],"deliveries":[{},{}]}`, "One delivery", 400},
		"bad date":        {`{"products":[{"code":"dibond","options":` + dibondOptions + `}],"deliveries":[{"delivery_date":"soon"}]}`, "not a date", 400},
		"duplicate ids":   {`{"products":[{"id":1,"code":"dibond"},{"id":1,"code":"dibond"}]}`, "twice", 400},
		"unknown product": {`{"products":[{"code":"unobtainium"}]}`, "unobtainium", 400},
		"incomplete":      {`{"products":[{"code":"dibond","options":[{"code":"width","value":20}]}]}`, "", 400},
		"not JSON":        {`{`, "", 400},
	} {
		r := do(t, "POST", srv.URL+"/probo/price", demoKey, c.body)
		if r.Status != c.status || !strings.Contains(string(r.Body), `"status":"error"`) || !strings.Contains(string(r.Body), c.inMessage) {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
}

// TestProboCatalogEndpoints: tiers, saved API products and shipping
// methods in the shapes of Probo's published description, with their
// values checked against the native API's.
func TestProboCatalogEndpoints(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	// Tiers: the per-piece sales price of the slowest production time, and
	// faster times as rush_hours, the same amounts as the native tiers.
	pt := decodeNumbers(t, []byte(`{"a":`+string(do(t, "GET", srv.URL+"/probo/products/product/dibond/tiers", demoKey, nil).Body)+`}`))["a"].([]any)
	nt := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/products/dibond/tiers", demoKey, nil).Body)
	if len(pt) != 1 || path(t, pt, 0, "api_code") != "dibond" || path(t, pt, 0, "unit_code") != "m2" {
		t.Fatalf("tiers = %v", pt)
	}
	tiers := path(t, pt, 0, "tiers").([]any)
	if len(tiers) != len(nt["tiers"].([]any)) || len(tiers) == 0 {
		t.Fatalf("%d Probo tiers, %d native", len(tiers), len(nt["tiers"].([]any)))
	}
	for i := range tiers {
		prices := path(t, nt, "tiers", i, "prices").([]any)
		slowest := prices[len(prices)-1] // native lists fastest first
		if fmt.Sprint(path(t, tiers, i, "tier")) != fmt.Sprint(path(t, nt, "tiers", i, "amount")) ||
			fmt.Sprint(path(t, tiers, i, "sales_price")) != fmt.Sprint(path(t, slowest, "prices_per_product", "sales_price")) ||
			len(path(t, tiers, i, "rush_hours").([]any)) != len(prices)-1 {
			t.Errorf("tier %d = %v; native %v", i, tiers[i], path(t, nt, "tiers", i))
		}
	}
	if r := do(t, "GET", srv.URL+"/probo/products/product/unobtainium/tiers", demoKey, nil); r.Status != 404 {
		t.Errorf("tiers of an unknown product: %d", r.Status)
	}

	// API products: saved natively, read the Probo way; another reseller's is not found.
	if r := do(t, "POST", srv.URL+"/v1/api-products", demoKey, `{"customer_code":"sign-40x20","code":"dibond","options":`+dibondOptions+`}`); r.Status != 201 {
		t.Fatalf("save API product: %d %s", r.Status, r.Body)
	}
	list := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/apiproducts", demoKey, nil).Body)
	if path(t, list, "meta", "items").(json.Number) != "1" || path(t, list, "products", 0, "customer_code") != "sign-40x20" ||
		path(t, list, "products", 0, "unit_code") != "m2" || !strings.HasSuffix(path(t, list, "products", 0, "created_at").(string), "+0000") {
		t.Errorf("API products = %v", list)
	}
	one := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/apiproducts/product/sign-40x20", demoKey, nil).Body)
	if one["code"] != "dibond" || fmt.Sprint(one["amount"]) != "5" || fmt.Sprint(one["width"]) != "20" || path(t, one, "options", 0, "parent_name") == nil ||
		fmt.Sprint(path(t, one, "prices_total_v2", 0, "production_hours")) == "" || fmt.Sprint(path(t, one, "prices_total_v2", 0, "prices", "purchase_price")) != "9.38" {
		t.Errorf("API product = %v", one)
	}
	other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
	if r := do(t, "GET", srv.URL+"/probo/apiproducts/product/sign-40x20", other, nil); r.Status != 404 || !strings.Contains(string(r.Body), `"status":"error"`) {
		t.Errorf("another reseller's API product: %d %s", r.Status, r.Body)
	}
	if l := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/apiproducts", other, nil).Body); path(t, l, "meta", "items").(json.Number) != "0" {
		t.Errorf("another reseller lists %v", l)
	}

	// Shipping methods with their translations.
	ms := decodeNumbers(t, []byte(`{"a":`+string(do(t, "GET", srv.URL+"/probo/shipping/methods", demoKey, nil).Body)+`}`))["a"].([]any)
	found := false
	for _, m := range ms {
		if path(t, m, "code") == "onbezorgd-standard" {
			found = path(t, m, "translations", "en", "title") == "ONB - Standard"
		}
	}
	if !found {
		t.Errorf("shipping methods = %v", ms)
	}
}

// proboOrder is the user guide's order: five dibond plates of 20 x 40 cm
// to Fortuinweg 17, Dokkum, with a print file, as a Probo client sends it.
func proboOrder(id, fileURL, callback string, day string) string {
	return `{"id":"` + id + `","reference":"Reseller API test order","contact_email":"customer@test.com","order_type":"live",
  "callback_url":"` + callback + `",
  "deliveries":[{"address":{"company_name":"Probo","first_name":"Mr.","last_name":"Print","street":"Fortuinweg","house_number":"17",
     "addition":"","postal_code":"9101PE","city":"Dokkum","country":"NL","phone":"31612345678","email":""},
     "delivery_date":"` + day + `","shipping_method_code":"onbezorgd-standard"}],
  "products":[{"id":1,"code":"dibond","options":[{"code":"height","value":"40"},{"code":"width","value":20},{"code":"amount","value":5},
     {"code":"direct-to-plate"},{"code":"single-sided"},{"code":"dibond-budget"},{"code":"3mm"},{"code":"milling"},
     {"code":"no-drillholes"},{"code":"customer-supplied-file"}],
     "files":[{"uri":"` + fileURL + `"}]}]}`
}

// TestProboOrderFlow runs the user guide's flow end to end after configure
// and price: order with a print file (202 order_queued), the file is
// fetched and checked, staff produce and ship it, and the reseller follows
// it by callbacks in Probo's shape and by /order/status; a cancel in
// production is refused in Probo's words; a repeated id is reported
// not_accepted by callback; another reseller finds none of it.
func TestProboOrderFlow(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		good := testfiles.PDF(200, 400, 10)
		files := fileServer(t, map[string][]byte{"/plate.pdf": good})
		rv := newReceiver(t)
		srv := startServer(t, st.args(t), callbackEnv())
		day := seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL").String()
		// The guide's configure (complete) and price steps come first.
		c := do(t, "POST", srv.URL+"/probo/products/configure", demoKey, seedExample(t, "probo-user-guide.txt", "Request payload (can_order iteration)"))
		if c.Status != 200 || path(t, decodeNumbers(t, c.Body), "products", 0, "can_order") != true {
			t.Fatalf("configure: %d %s", c.Status, c.Body)
		}
		pr := seedExample(t, "probo-user-guide.txt", "Request payload (price)").(map[string]any)
		pr["deliveries"].([]any)[0].(map[string]any)["delivery_date"] = day
		p := do(t, "POST", srv.URL+"/probo/price", demoKey, pr)
		if p.Status != 200 || !strings.Contains(string(p.Body), `"onbezorgd-standard"`) {
			t.Fatalf("price: %d %s", p.Status, p.Body)
		}
		r := do(t, "POST", srv.URL+"/probo/order", demoKey, proboOrder("1112", files.URL+"/plate.pdf", rv.URL+"/probo", day))
		if r.Status != 202 || strings.TrimSpace(string(r.Body)) != `{"message":"Order queued","order":{"id":"1112","reference":"Reseller API test order"},"status":"order_queued"}` {
			t.Fatalf("order: %d %s", r.Status, r.Body)
		}
		// Queued, accepted with the supplier order number, then the file passed.
		got := rv.wait(t, "/probo", 3)
		if q := decodeNumbers(t, got[0].Body); q["status"] != "queued" || q["id"] != "1112" || q["supplier_order_number"] != nil {
			t.Errorf("first callback: %s", got[0].Body)
		}
		first := decodeNumbers(t, got[1].Body)
		if first["status"] != "accepted" || first["id"] != "1112" || first["supplier_order_number"] == nil || first["event"] != "order.created" {
			t.Errorf("second callback: %s", got[1].Body)
		}
		verify(t, demoSecret, got[1])
		number := fmt.Sprint(first["supplier_order_number"])
		status := func() map[string]any {
			t.Helper()
			r := do(t, "POST", srv.URL+"/probo/order/status", demoKey, `{"orders":[{"id":"1112"}]}`)
			if r.Status != 200 {
				t.Fatalf("status: %d %s", r.Status, r.Body)
			}
			return decodeNumbers(t, r.Body)
		}
		s := status()
		if path(t, s, "orders", 0, "status_code") != "accepted" || fmt.Sprint(path(t, s, "orders", 0, "supplier_order_number")) != number ||
			path(t, s, "orders", 0, "delivery_date") != day || path(t, s, "orders", 0, "shipping_method_code") != "onbezorgd-standard" ||
			fmt.Sprint(path(t, s, "orders", 0, "products", 0, "id")) != "1" {
			t.Errorf("status = %v", s)
		}
		// Staff produce and ship it.
		o := map[string]any{"number": json.Number(number)}
		for _, step := range []string{`{"status":"in_production"}`, `{"status":"shipment_created","track_and_trace":"3SYMFU0000001","carrier":"postnl","tracking_url":"https://postnl.example/3SYMFU0000001"}`} {
			if r := do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, step); r.Status != 200 {
				t.Fatalf("%s: %d %s", step, r.Status, r.Body)
			}
		}
		if r := do(t, "POST", srv.URL+"/probo/order/cancel", demoKey, `{"id":"1112"}`); r.Status != 400 ||
			strings.TrimSpace(string(r.Body)) != `{"id":"1112","message":"Could not cancel order, because order status is: shipment_created","status":"error"}` {
			t.Errorf("cancel after shipping: %d %s", r.Status, r.Body)
		}
		all := rv.wait(t, "/probo", 6)
		last := decodeNumbers(t, all[5].Body)
		pkgs, _ := last["packages"].([]any)
		if last["status"] != "shipment_created" || len(pkgs) != 1 || pkgs[0].(map[string]any)["tracking_url"] != "https://postnl.example/3SYMFU0000001" {
			t.Errorf("shipment callback: %s", all[5].Body)
		}
		var trail []string
		for _, c := range all {
			m := decodeNumbers(t, c.Body)
			trail = append(trail, fmt.Sprint(m["event"], ":", m["status"]))
		}
		if strings.Join(trail, " ") != "order.queued:queued order.created:accepted order.file:accepted order.status:in_production order.status:shipment_created order.shipment:shipment_created" {
			t.Errorf("callbacks: %v", trail)
		}
		if s := status(); path(t, s, "orders", 0, "status_code") != "shipment_created" || path(t, s, "orders", 0, "packages", 0, "tracking_url") != "https://postnl.example/3SYMFU0000001" {
			t.Errorf("status after shipping = %v", s)
		}
		// The same id again: queued, nothing created, reported not_accepted.
		if r := do(t, "POST", srv.URL+"/probo/order", demoKey, proboOrder("1112", files.URL+"/plate.pdf", rv.URL+"/again", day)); r.Status != 202 {
			t.Errorf("repeated id: %d %s", r.Status, r.Body)
		}
		again := rv.wait(t, "/again", 1)
		if !strings.Contains(string(again[0].Body), `"status":"not_accepted"`) || !strings.Contains(string(again[0].Body), "1112") {
			t.Errorf("repeated id callback: %s", again[0].Body)
		}
		// Another reseller finds nothing.
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		if r := do(t, "POST", srv.URL+"/probo/order/status", other, `{"orders":[{"id":"1112"}]}`); r.Status != 404 {
			t.Errorf("other reseller's status: %d %s", r.Status, r.Body)
		}
		if r := do(t, "POST", srv.URL+"/probo/order/cancel", other, `{"id":"1112"}`); r.Status != 400 || !strings.Contains(string(r.Body), "Order does not exist") {
			t.Errorf("other reseller's cancel: %d %s", r.Status, r.Body)
		}
	})
}

// TestProboOrderCancelRelease: a test order is taken; an order is cancelled
// while accepted, its id released and used again.
func TestProboOrderCancelRelease(t *testing.T) {
	srv := startServer(t, stores[0].args(t), callbackEnv())
	day := seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL").String()
	body := strings.Replace(proboOrder("c-1", "https://files.example/plate.pdf", "https://shop.example/cb", day), `"order_type":"live"`, `"order_type":"production"`, 1)
	if r := do(t, "POST", srv.URL+"/probo/order", demoKey, body); r.Status != 202 {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	if r := do(t, "POST", srv.URL+"/probo/order/cancel", demoKey, `{"id":"c-1"}`); r.Status != 200 ||
		strings.TrimSpace(string(r.Body)) != `{"id":"c-1","message":"Order cancelled","status":"cancelled"}` {
		t.Errorf("cancel: %d %s", r.Status, r.Body)
	}
	if r := do(t, "POST", srv.URL+"/probo/order/release", demoKey, `{"id":"c-1"}`); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"released"`) {
		t.Errorf("release: %d %s", r.Status, r.Body)
	}
	if r := do(t, "POST", srv.URL+"/probo/order", demoKey, body); r.Status != 202 {
		t.Errorf("the released id again: %d %s", r.Status, r.Body)
	}
	if s := decodeNumbers(t, do(t, "POST", srv.URL+"/probo/order/status", demoKey, `{"orders":[{"id":"c-1"}]}`).Body); path(t, s, "orders", 0, "status_code") != "accepted" {
		t.Errorf("the new order = %v", s)
	}
	// A test order is accepted, then cancelled by itself, and says so by callback.
	rv := newReceiver(t)
	test := strings.Replace(proboOrder("t-1", "https://files.example/plate.pdf", rv.URL+"/test", day), `"order_type":"live"`, `"order_type":"test"`, 1)
	if r := do(t, "POST", srv.URL+"/probo/order", demoKey, test); r.Status != 202 {
		t.Fatalf("test order: %d %s", r.Status, r.Body)
	}
	var trail []string
	for _, c := range rv.wait(t, "/test", 3) {
		m := decodeNumbers(t, c.Body)
		trail = append(trail, fmt.Sprint(m["order_type"], ":", m["status"]))
	}
	if strings.Join(trail, " ") != "test:queued test:accepted test:cancelled" {
		t.Errorf("test order callbacks: %v", trail)
	}
	for name, c := range map[string]struct {
		path, body string
		status     int
	}{
		"order without products":   {"/probo/order", `{"id":"x-1","deliveries":[{"address":{"country":"NL"}}]}`, 400},
		"order without a delivery": {"/probo/order", `{"id":"x-2","products":[{"code":"dibond"}]}`, 400},
		"bad order type":           {"/probo/order", `{"id":"x-3","order_type":"maybe"}`, 400},
		"not JSON":                 {"/probo/order", `{`, 400},
		"too many statuses":        {"/probo/order/status", `{"orders":[{},{},{},{},{},{}]}`, 400},
		"unknown order":            {"/probo/order/status", `{"orders":[{"id":"nope"}]}`, 404},
		"cancel unknown":           {"/probo/order/cancel", `{"id":"nope"}`, 400},
	} {
		if r := do(t, "POST", srv.URL+c.path, demoKey, c.body); r.Status != c.status || !strings.Contains(string(r.Body), `"status":"error"`) {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
}

// TestProboOrdersDraftsTickets: the order list with its filters, a draft,
// and a ticket on a delivered order, which staff see as a reprint request.
func TestProboOrdersDraftsTickets(t *testing.T) {
	rv := newReceiver(t)
	srv := startServer(t, stores[0].args(t), callbackEnv())
	day := seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL").String()
	for _, id := range []string{"l-1", "l-2"} {
		if r := do(t, "POST", srv.URL+"/probo/order", demoKey, proboOrder(id, "https://files.example/plate.pdf", rv.URL+"/ok", day)); r.Status != 202 {
			t.Fatalf("order %s: %d %s", id, r.Status, r.Body)
		}
	}
	r := do(t, "POST", srv.URL+"/probo/drafts", demoKey, proboOrder("d-1", "https://files.example/plate.pdf", "https://shop.example/cb", day))
	draft := decodeNumbers(t, r.Body)
	if r.Status != 201 || draft["message"] != "Draft created" || draft["id"] == nil {
		t.Fatalf("draft: %d %s", r.Status, r.Body)
	}
	list := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/orders", demoKey, nil).Body)
	orders := list["orders"].([]any)
	if len(orders) != 2 || path(t, orders, 0, "customer_order_id") != "l-2" || path(t, orders, 0, "external_status_code") != "accepted" ||
		path(t, orders, 0, "delivery_address", "address_city") != "Dokkum" || path(t, orders, 0, "delivery_date") != day+"T00:00:00+0000" ||
		fmt.Sprint(path(t, orders, 0, "total_sales_price")) == "0" || !strings.HasSuffix(path(t, orders, 0, "order_date").(string), "+0000") {
		t.Errorf("orders = %v", list)
	}
	one := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/orders?customer_order_id=l-1", demoKey, nil).Body)
	if len(one["orders"].([]any)) != 1 || path(t, one, "orders", 0, "customer_order_id") != "l-1" {
		t.Errorf("filtered by id = %v", one)
	}
	// By the company or by the person, though the address has both.
	for _, q := range []string{"address_company_name=probo", "address_last_name=Print", "address_first_name=mr."} {
		if l := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/orders?"+q, demoKey, nil).Body); len(l["orders"].([]any)) != 2 {
			t.Errorf("?%s: %d orders, want 2", q, len(l["orders"].([]any)))
		}
	}
	if l := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/orders?address_last_name=Jansen", demoKey, nil).Body); len(l["orders"].([]any)) != 0 {
		t.Errorf("?address_last_name=Jansen: %d orders, want none", len(l["orders"].([]any)))
	}
	// A bad date is refused whatever the status asks for, one no order shows too.
	for _, q := range []string{"order_date_from=yesterday", "status=hold&order_date_from=yesterday"} {
		if r := do(t, "GET", srv.URL+"/probo/orders?"+q, demoKey, nil); r.Status != 400 {
			t.Errorf("bad date filter ?%s: %d", q, r.Status)
		}
	}
	// A draft is no order here, and a held order is accepted in Probo's
	// words: pages and counts are of what the list shows.
	held := map[string]any{"number": path(t, orders, 0, "number")}
	wantOK(t, do(t, "POST", operatorURL(srv, held, "/status"), operatorKey, `{"status":"hold"}`), 200)
	for q, want := range map[string]string{
		"":                                  "2 of 2 on 1 page(s)",
		"status=accepted":                   "2 of 2 on 1 page(s)",
		"status=accepted&per_page=1&page=2": "1 of 2 on 2 page(s)",
		"status=hold":                       "0 of 0 on 0 page(s)",
		"status=draft":                      "0 of 0 on 0 page(s)",
		"status=in_production":              "0 of 0 on 0 page(s)",
	} {
		l := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/orders?"+q, demoKey, nil).Body)
		if got := fmt.Sprintf("%d of %v on %v page(s)", len(l["orders"].([]any)), path(t, l, "meta", "items"), path(t, l, "meta", "pages")); got != want {
			t.Errorf("?%s: %s, want %s\n%v", q, got, want, l)
		}
	}
	// A ticket on a delivered order.
	number := path(t, one, "orders", 0, "number")
	o := map[string]any{"number": number}
	for _, st := range []string{"in_production", "shipment_created", "shipment_delivered"} {
		if r := do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"`+st+`"}`); r.Status != 200 {
			t.Fatalf("%s: %d %s", st, r.Status, r.Body)
		}
	}
	r = do(t, "POST", srv.URL+"/probo/ticket", demoKey, `{"id":"T-9","order_id":"l-1","reason":"Plates arrived damaged","description":"two bent corners",
		"suggested_solution":"reprint two","products":[{"id":1,"amount":"2"}]}`)
	ticket := decodeNumbers(t, r.Body)
	if r.Status != 200 || ticket["message"] != "Ticket created" {
		t.Fatalf("ticket: %d %s", r.Status, r.Body)
	}
	tickets := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/tickets", demoKey, nil).Body)
	if path(t, tickets, "tickets", 0, "status") != "open" || fmt.Sprint(path(t, tickets, "tickets", 0, "supplier_order_number")) != fmt.Sprint(number) {
		t.Errorf("tickets = %v", tickets)
	}
	staff := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/operator/reprints?status=requested", operatorKey, nil).Body)
	if s := fmt.Sprint(staff); !strings.Contains(s, "damaged") || !strings.Contains(s, "Ticket T-9") {
		t.Errorf("staff see %v", staff)
	}
	// Staff approve it: the ticket is closed, and the callback says so in
	// Probo's shape, naming the reprint's order.
	rpID := num(t, path(t, staff, "reprints", 0, "id"))
	approved := decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/v1/operator/reprints/"+rpID+"/approve", operatorKey, nil), 200).Body)
	tickets = decodeNumbers(t, do(t, "GET", srv.URL+"/probo/tickets", demoKey, nil).Body)
	if path(t, tickets, "tickets", 0, "status") != "closed" {
		t.Errorf("tickets after the approval = %v", tickets)
	}
	want := fmt.Sprintf(`"event":"order.reprint","message":"Ticket %s approved: the reprint is order %s"`, rpID, num(t, approved["new_order"]))
	rv.waitBody(t, "/ok", want)
	other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
	if r := do(t, "POST", srv.URL+"/probo/ticket", other, `{"id":1,"order_id":"l-1","reason":"x","suggested_solution":"y"}`); r.Status != 404 {
		t.Errorf("another reseller's ticket: %d %s", r.Status, r.Body)
	}
	if l := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/orders", other, nil).Body); len(l["orders"].([]any)) != 0 {
		t.Errorf("another reseller lists %v", l)
	}
	if r := do(t, "POST", srv.URL+"/probo/ticket", demoKey, `{"id":1,"order_id":"l-1"}`); r.Status != 400 {
		t.Errorf("ticket without reason: %d %s", r.Status, r.Body)
	}
}

// TestProboEveryEndpointRefusesBadInput: every endpoint of /probo answers
// 401 without a key; every POST answers 400 to a body that is not JSON and
// 413 to one over 1 MB, in Probo's shape, never a 500.
func TestProboEveryEndpointRefusesBadInput(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	routes := []struct{ method, path string }{
		{"GET", "/probo/products"}, {"GET", "/probo/products/product/dibond"}, {"GET", "/probo/products/product/dibond/tiers"},
		{"POST", "/probo/products/configure"}, {"POST", "/probo/price"}, {"GET", "/probo/apiproducts"},
		{"GET", "/probo/apiproducts/product/x"}, {"GET", "/probo/shipping/methods"}, {"POST", "/probo/order"},
		{"POST", "/probo/order/status"}, {"POST", "/probo/order/cancel"}, {"POST", "/probo/order/release"},
		{"GET", "/probo/orders"}, {"POST", "/probo/drafts"}, {"POST", "/probo/ticket"}, {"GET", "/probo/tickets"}, {"POST", "/probo/project"}, {"GET", "/probo/projects"},
	}
	big := `{"x":"` + strings.Repeat("x", 1<<20+10) + `"}`
	for _, rt := range routes {
		if r := do(t, rt.method, srv.URL+rt.path, "", nil); r.Status != 401 || !strings.Contains(string(r.Body), `"status":"error"`) {
			t.Errorf("%s %s without a key: %d %s", rt.method, rt.path, r.Status, r.Body)
		}
		if rt.method != "POST" {
			continue
		}
		for body, want := range map[string]int{`{"products": [`: 400, `[1,2]`: 400, big: 413, `{"products":"x","orders":"x","deliveries":"x"}`: 400} {
			r := do(t, rt.method, srv.URL+rt.path, demoKey, body)
			if r.Status != want || !strings.Contains(string(r.Body), `"status":"error"`) {
				t.Errorf("%s %s with %.20q: %d %.200s", rt.method, rt.path, body, r.Status, r.Body)
			}
		}
	}
}

// TestProboProjects: a project groups orders; another reseller's project
// cannot be used.
func TestProboProjects(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	r := do(t, "POST", srv.URL+"/probo/project", demoKey, `{"name":"Spring fair","number":"P-17","note":"stands and banners"}`)
	pr := decodeNumbers(t, r.Body)
	if r.Status != 200 || pr["message"] != "Project created" || pr["id"] == nil {
		t.Fatalf("project: %d %s", r.Status, r.Body)
	}
	id := fmt.Sprint(pr["id"])
	day := seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL").String()
	body := strings.Replace(proboOrder("p-1", "https://files.example/plate.pdf", "https://shop.example/cb", day), `"id":"p-1",`, `"id":"p-1","project_id":`+id+`,`, 1)
	if r := do(t, "POST", srv.URL+"/probo/order", demoKey, body); r.Status != 202 {
		t.Fatalf("order in project: %d %s", r.Status, r.Body)
	}
	if s := decodeNumbers(t, do(t, "POST", srv.URL+"/probo/order/status", demoKey, `{"orders":[{"id":"p-1"}]}`).Body); fmt.Sprint(path(t, s, "orders", 0, "project_id")) != id {
		t.Errorf("status = %v", s)
	}
	list := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/projects", demoKey, nil).Body)
	if fmt.Sprint(path(t, list, "meta", "items")) != "1" || path(t, list, "projects", 0, "name") != "Spring fair" || path(t, list, "projects", 0, "number") != "P-17" {
		t.Errorf("projects = %v", list)
	}
	other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
	if r := do(t, "POST", srv.URL+"/probo/order", other, strings.Replace(body, `"id":"p-1"`, `"id":"p-2"`, 1)); r.Status != 400 || !strings.Contains(string(r.Body), "not one of your projects") {
		t.Errorf("another reseller's project: %d %s", r.Status, r.Body)
	}
	if l := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/projects", other, nil).Body); fmt.Sprint(path(t, l, "meta", "items")) != "0" {
		t.Errorf("another reseller lists %v", l)
	}
	if r := do(t, "POST", srv.URL+"/probo/project", demoKey, `{"name":""}`); r.Status != 400 || !strings.Contains(string(r.Body), "name is required") {
		t.Errorf("project without a name: %d %s", r.Status, r.Body)
	}
}

// TestProboUploader: upload sessions for a calculation's products; a file
// uploaded before the order goes to its item when the order cites the
// session, one uploaded after goes there on arrival; both are checked.
func TestProboUploader(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		rv := newReceiver(t)
		srv := startServer(t, st.args(t), callbackEnv())
		day := seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL").String()
		calc := func() string {
			c := decodeNumbers(t, do(t, "POST", srv.URL+"/probo/products/configure", demoKey, seedExample(t, "probo-user-guide.txt", "Request payload (can_order iteration)")).Body)
			return fmt.Sprint(path(t, c, "products", 0, "calculation_id"))
		}
		create := func(calcID string) (id, url string) {
			t.Helper()
			r := do(t, "POST", srv.URL+"/probo/products/uploader/create", demoKey, `{"calculation_id":`+calcID+`,"callback_url":"`+rv.URL+`/up"}`)
			m := decodeNumbers(t, r.Body)
			if r.Status != 200 || m["message"] != "Uploaders created" || fmt.Sprint(path(t, m, "uploaders", 0, "product_id")) != "1" {
				t.Fatalf("uploader: %d %s", r.Status, r.Body)
			}
			return fmt.Sprint(path(t, m, "uploaders", 0, "id")), path(t, m, "uploaders", 0, "url").(string)
		}
		pdf := testfiles.PDF(200, 400, 10) // the guide's plate is 40 x 20 cm, either way round
		order := func(id, uploader string) map[string]any {
			t.Helper()
			body := strings.Replace(proboOrder(id, "x", rv.URL+"/cb-"+id, day), `"files":[{"uri":"x"}]`, `"uploaders":[{"id":`+uploader+`,"external_id":1}]`, 1)
			body = strings.Replace(body, `{"code":"amount","value":5}`, `{"code":"amount","value":1}`, 1)
			body = strings.Replace(body, `{"code":"height","value":"40"},{"code":"width","value":20}`, `{"code":"width","value":40},{"code":"height","value":20}`, 1)
			if r := do(t, "POST", srv.URL+"/probo/order", demoKey, body); r.Status != 202 {
				t.Fatalf("order: %d %s", r.Status, r.Body)
			}
			created := decodeNumbers(t, rv.wait(t, "/cb-"+id, 2)[1].Body) // queued, then accepted
			o := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/orders/"+fmt.Sprint(created["supplier_order_number"]), demoKey, nil).Body)
			return o
		}
		state := func(o map[string]any) string {
			st, _ := fileState(t, srv.URL, o)
			return st
		}

		// Uploaded first, then ordered.
		id, url := create(calc())
		if r := doWith(t, "PUT", url+"x", "", pdf, nil); r.Status != 404 {
			t.Errorf("wrong token: %d %s", r.Status, r.Body)
		}
		if r := doWith(t, "PUT", url, "", pdf, nil); r.Status != 200 || !strings.Contains(string(r.Body), md5hex(pdf)) {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		if up := decodeNumbers(t, rv.wait(t, "/up", 1)[0].Body); up["status"] != "uploaded" || fmt.Sprint(up["uploader_id"]) != id {
			t.Errorf("uploader callback: %v", up)
		}
		if st := state(order("up-1", id)); st != "passed" {
			t.Errorf("file uploaded before the order: %s", st)
		}

		// Ordered first, then uploaded (as a form field).
		id2, url2 := create(calc())
		o := order("up-2", id2)
		if r := upload(t, url2, pdf, "file"); r.Status != 200 {
			t.Fatalf("upload after the order: %d %s", r.Status, r.Body)
		}
		if st := state(o); st != "passed" {
			t.Errorf("file uploaded after the order: %s", st)
		}

		// Refusals.
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		if r := do(t, "POST", srv.URL+"/probo/products/uploader/create", other, `{"calculation_id":`+calc()+`,"callback_url":"https://x.example"}`); r.Status != 404 {
			t.Errorf("another reseller's calculation: %d %s", r.Status, r.Body)
		}
		id3, url3 := create(calc())
		if r := doWith(t, "PUT", url3, "", []byte("hello"), nil); r.Status != 400 || !strings.Contains(string(r.Body), "not a PDF") {
			t.Errorf("not a print file: %d %s", r.Status, r.Body)
		}
		body := strings.Replace(proboOrder("up-3", "x", "https://shop.example/cb", day), `"files":[{"uri":"x"}]`, `"uploaders":[{"id":`+id3+`}]`, 1)
		if r := do(t, "POST", srv.URL+"/probo/order", other, body); r.Status != 400 || !strings.Contains(string(r.Body), "Uploader") {
			t.Errorf("another reseller's uploader: %d %s", r.Status, r.Body)
		}
		if r := doWith(t, "PUT", srv.URL+"/probo/uploader/424242?token=abc", "", pdf, nil); r.Status != 404 {
			t.Errorf("unknown uploader: %d", r.Status)
		}
	})
}

// TestProboPriceVariants: every delivery and shipping variant of the
// published description prices through /probo/price, and a saved API
// product with an overriding amount.
func TestProboPriceVariants(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	day := seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL")
	addr := `"address":{"company_name":"Probo","last_name":"Print","street":"Fortuinweg","house_number":"17","postal_code":"9101PE","city":"Dokkum","country":"NL"}`
	product := `{"code":"dibond","options":` + dibondOptions + `}`
	for name, c := range map[string]struct{ delivery, product string }{
		"delivery_date + shipping_method_code":          {`"delivery_date":"` + day.String() + `","shipping_method_code":"onbezorgd-standard"`, product},
		"delivery_date + shipping_method_preset":        {`"delivery_date":"` + day.String() + `","shipping_method_preset":"cheapest"`, product},
		"delivery_date_preset + shipping_method_code":   {`"delivery_date_preset":"fastest","shipping_method_code":"onbezorgd-standard"`, product},
		"delivery_date_preset + shipping_method_preset": {`"delivery_date_preset":"cheapest","shipping_method_preset":"fastest"`, product},
		"shipping_date + shipping_method_code":          {`"shipping_date":"` + day.AddDays(-2).String() + `","shipping_method_code":"onbezorgd-standard"`, product},
		"shipping_date + shipping_method_preset":        {`"shipping_date":"` + day.AddDays(-2).String() + `","shipping_method_preset":"cheapest"`, product},
		"customer_code with an overriding amount":       {`"delivery_date_preset":"cheapest"`, `{"customer_code":"sign-40x20","options":[{"code":"amount","value":10}]}`},
	} {
		if strings.HasPrefix(name, "customer_code") {
			if r := do(t, "POST", srv.URL+"/v1/api-products", demoKey, `{"customer_code":"sign-40x20","code":"dibond","options":`+dibondOptions+`}`); r.Status != 201 {
				t.Fatalf("API product: %d %s", r.Status, r.Body)
			}
		}
		r := do(t, "POST", srv.URL+"/probo/price", demoKey, `{"deliveries":[{`+addr+`,`+c.delivery+`}],"products":[`+c.product+`]}`)
		if r.Status != 200 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
			continue
		}
		got := decodeNumbers(t, r.Body)
		prices := got["prices"].([]any)
		if len(prices) == 0 || len(path(t, prices, 0, "deliveries").([]any)) == 0 || !strings.HasSuffix(path(t, prices, 0, "delivery_date").(string), "T00:00:00+0000") {
			t.Errorf("%s: %v", name, got)
		}
		if strings.Contains(c.delivery, "shipping_date") && path(t, prices, 0, "shipping_date") != day.AddDays(-2).String()+"T23:59:00+0000" {
			t.Errorf("%s: shipping date %v", name, path(t, prices, 0, "shipping_date"))
		}
		if strings.HasPrefix(name, "customer_code") {
			// The same as the native API's price of ten of the saved plate.
			n := decodeNumbers(t, do(t, "POST", srv.URL+"/v1/prices", demoKey, `{"products":[`+c.product+`],"delivery":{"address":{"country":"NL"},"delivery_date_preset":"cheapest"}}`).Body)
			if got, want := fmt.Sprint(path(t, prices, 0, "products", 0, "prices_total", "purchase_price")), fmt.Sprint(path(t, n, "prices", 0, "products", 0, "prices_total", "purchase_price")); got != want || got == "" || got == "9.38" {
				t.Errorf("%s: total %s, native %s", name, got, want)
			}
		}
	}
}

// TestProboAllStatuses: each of the order-flows document's 14 statuses
// shows in status_code, per product and per package, and in the callbacks.
func TestProboAllStatuses(t *testing.T) {
	rv := newReceiver(t)
	srv := startServer(t, stores[0].args(t), callbackEnv())
	day := seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL").String()
	if r := do(t, "POST", srv.URL+"/probo/order", demoKey, proboOrder("s-1", "https://files.example/p.pdf", rv.URL+"/s", day)); r.Status != 202 {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	created := decodeNumbers(t, rv.wait(t, "/s", 2)[1].Body) // queued, then accepted
	o := map[string]any{"number": created["supplier_order_number"]}
	seen := map[string]bool{"accepted": true}
	check := func(want string) {
		t.Helper()
		s := decodeNumbers(t, do(t, "POST", srv.URL+"/probo/order/status", demoKey, `{"orders":[{"id":"s-1"}]}`).Body)
		if path(t, s, "orders", 0, "status_code") != want || path(t, s, "orders", 0, "products", 0, "status_code") != want {
			t.Errorf("after %s: %v", want, s)
		}
		if pk := path(t, s, "orders", 0, "packages").([]any); len(pk) > 0 && path(t, pk, 0, "status_code") != want {
			t.Errorf("package after %s: %v", want, pk)
		}
		seen[want] = true
	}
	check("accepted")
	for _, st := range []string{"in_production", "logistics", "shipment_created", "shipment_scanned_by_carrier", "shipment_in_transit",
		"shipment_delayed", "shipment_exception", "shipment_not_at_home", "shipment_available_at_pickup_point", "shipment_picked_up",
		"shipment_returned", "shipment_delivered"} {
		body := `{"status":"` + st + `"}`
		if st == "shipment_created" {
			body = `{"status":"shipment_created","track_and_trace":"3SYMFU0000001","carrier":"postnl","tracking_url":"https://postnl.example/3SYMFU0000001"}`
		}
		if r := do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, body); r.Status != 200 {
			t.Fatalf("%s: %d %s", st, r.Status, r.Body)
		}
		check(st)
	}
	// The fourteenth: a second order, cancelled while accepted.
	if r := do(t, "POST", srv.URL+"/probo/order", demoKey, proboOrder("s-2", "https://files.example/p.pdf", rv.URL+"/s2", day)); r.Status != 202 {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	do(t, "POST", srv.URL+"/probo/order/cancel", demoKey, `{"id":"s-2"}`)
	if s := decodeNumbers(t, do(t, "POST", srv.URL+"/probo/order/status", demoKey, `{"orders":[{"id":"s-2"}]}`).Body); path(t, s, "orders", 0, "status_code") != "cancelled" {
		t.Errorf("cancelled: %v", s)
	} else {
		seen["cancelled"] = true
	}
	if len(seen) != 14 {
		t.Errorf("%d statuses seen, want the document's 14: %v", len(seen), seen)
	}
	// Every status reached the receiver, in order.
	got := rv.wait(t, "/s", 15) // queued, accepted, 12 status changes, 1 shipment
	var trail []string
	for _, c := range got {
		m := decodeNumbers(t, c.Body)
		if m["event"] == "order.status" {
			trail = append(trail, m["status"].(string))
		}
	}
	if len(trail) != 12 || trail[0] != "in_production" || trail[11] != "shipment_delivered" {
		t.Errorf("status callbacks: %v", trail)
	}
}

// TestProboFileFailureNotAccepted: as Probo does, an order whose print file
// fails its download or check is reported not_accepted, naming the file;
// the order is cancelled and its id free, so the corrected order can be
// sent again with the same id.
func TestProboFileFailureNotAccepted(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		files := fileServer(t, map[string][]byte{"/a4.pdf": testfiles.PDF(210, 297, 0), "/plate.pdf": testfiles.PDF(200, 400, 10)})
		rv := newReceiver(t)
		srv := startServer(t, st.args(t), callbackEnv())
		day := seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL").String()
		if r := do(t, "POST", srv.URL+"/probo/order", demoKey, proboOrder("f-1", files.URL+"/a4.pdf", rv.URL+"/f", day)); r.Status != 202 {
			t.Fatalf("order: %d %s", r.Status, r.Body)
		}
		got := rv.wait(t, "/f", 3)
		last := decodeNumbers(t, got[2].Body)
		if last["status"] != "not_accepted" || !strings.Contains(last["message"].(string), "product 1 (dibond)") || !strings.Contains(last["message"].(string), "page") {
			t.Errorf("callback: %s", got[2].Body)
		}
		if s := decodeNumbers(t, do(t, "POST", srv.URL+"/probo/order/status", demoKey, `{"orders":[{"id":"f-1"}]}`).Body); path(t, s, "orders", 0, "status_code") != "cancelled" {
			t.Errorf("status = %v", s)
		}
		// The corrected order, same id.
		if r := do(t, "POST", srv.URL+"/probo/order", demoKey, proboOrder("f-1", files.URL+"/plate.pdf", rv.URL+"/f2", day)); r.Status != 202 {
			t.Fatalf("again: %d %s", r.Status, r.Body)
		}
		again := rv.wait(t, "/f2", 3)
		var trail []string
		for _, c := range again {
			m := decodeNumbers(t, c.Body)
			trail = append(trail, fmt.Sprint(m["event"], ":", m["status"]))
		}
		if strings.Join(trail, " ") != "order.queued:queued order.created:accepted order.file:accepted" {
			t.Errorf("the corrected order: %v", trail)
		}
	})
}
