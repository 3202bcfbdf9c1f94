package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/app"
)

const probonl = `{"company_name":"Probo Sign","first_name":"John","last_name":"Doe","street":"Fortuinweg","house_number":"17","addition":"A","postal_code":"9101PE","city":"Dokkum","country":"NL","phone":"0031880223200","email":"test@test.nl"}`

const dibondItem = `{"reference":"line-1","code":"dibond","options":` + dibondOptions + `,"files":[{"url":"https://files.example/print.pdf","md5":"e2c0c4781074792afbaf73c6af5eae87","page":1}]}`

// dropRequestID is an answer without its request id, which differs on
// every request.
func dropRequestID(body []byte) []byte {
	return requestID.ReplaceAll(body, nil)
}

var requestID = regexp.MustCompile(`"request_id":"[^"]*"`)

func orderBody(id string, extra ...string) string {
	b := `{"id":"` + id + `","reference":"Reseller API test order","contact_email":"customer@test.com","callback_urls":["https://shop.example/status"],` +
		`"delivery":{"address":` + probonl + `,"shipping_method_code":"onbezorgd-standard"},` +
		`"items":[` + dibondItem + `,{"code":"side-grip-spacer-2-5mm","options":[{"code":"amount","value":2}]}]`
	for _, e := range extra {
		b += "," + e
	}
	return b + "}"
}

func mustOrder(t *testing.T, srv *server, key, body string) map[string]any {
	t.Helper()
	r := do(t, "POST", srv.URL+"/v1/orders", key, body)
	if r.Status != 201 {
		t.Fatalf("create order: %d %s", r.Status, r.Body)
	}
	return decodeNumbers(t, r.Body)
}

func orderURL(srv *server, o map[string]any, suffix string) string {
	return fmt.Sprintf("%s/v1/orders/%s%s", srv.URL, o["number"].(json.Number), suffix)
}

func operatorURL(srv *server, o map[string]any, suffix string) string {
	return fmt.Sprintf("%s/v1/operator/orders/%s%s", srv.URL, o["number"].(json.Number), suffix)
}

func TestOrderIntake(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		r := do(t, "POST", srv.URL+"/v1/orders", demoKey, orderBody("1112"))
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		o := decodeNumbers(t, r.Body)
		if r.Header.Get("Location") != fmt.Sprintf("/v1/orders/%s", o["number"]) || num(t, o["number"]) < "1000001" {
			t.Errorf("location %q for number %v", r.Header.Get("Location"), o["number"])
		}
		for k, v := range map[string]string{"id": "1112", "status": "accepted", "stage": "order", "order_type": "production", "payment": "on_account", "production_time": "480"} {
			if fmt.Sprint(o[k]) != v {
				t.Errorf("%s = %v, want %s", k, o[k], v)
			}
		}
		// 9.38 + 14.00 accessories; 11.95 shipping; 21 % VAT.
		for path, want := range map[string]string{"subtotal.excl_vat": "23.38", "shipping.excl_vat": "11.95", "total.excl_vat": "35.33", "total.incl_vat": "42.75", "tax": "7.42"} {
			parts := strings.Split(path, ".")
			var v any = o["totals"]
			for _, p := range parts {
				v = v.(map[string]any)[p]
			}
			if num(t, v) != want {
				t.Errorf("totals.%s = %v, want %s", path, v, want)
			}
		}
		items := o["items"].([]any)
		it0 := items[0].(map[string]any)
		if len(items) != 2 || it0["file_state"] != "downloading" || it0["reference"] != "line-1" || num(t, path(t, it0, "prices", "purchase_price_per_piece")) != "1.876" ||
			items[1].(map[string]any)["file_state"] != "none" {
			t.Errorf("items = %v", items)
		}
		if !strings.HasPrefix(o["tracking_page"].(string), srv.URL+"/track/") {
			t.Errorf("tracking page = %v", o["tracking_page"])
		}
		got := decodeNumbers(t, do(t, "GET", orderURL(srv, o, ""), demoKey, nil).Body)
		if got["number"] != o["number"] || len(got["items"].([]any)) != 2 {
			t.Errorf("GET = %v", got)
		}
		itemID := num(t, it0["id"])
		if r := do(t, "GET", orderURL(srv, o, "/items/"+itemID), demoKey, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"code":"dibond"`) {
			t.Errorf("item: %d %s", r.Status, r.Body)
		}
		if r := do(t, "GET", orderURL(srv, o, "/items"), demoKey, nil); r.Status != 200 || strings.Count(string(r.Body), `"position"`) != 2 {
			t.Errorf("items: %d %s", r.Status, r.Body)
		}
		if r := do(t, "GET", orderURL(srv, o, "/items/999999"), demoKey, nil); r.Status != 404 {
			t.Errorf("unknown item: %d", r.Status)
		}
		evs := decodeNumbers(t, do(t, "GET", orderURL(srv, o, "/events"), demoKey, nil).Body)["events"].([]any)
		if len(evs) != 1 || path(t, evs[0], "kind") != "created" || path(t, evs[0], "to") != "accepted" || path(t, evs[0], "actor") != "reseller" {
			t.Errorf("events = %v", evs)
		}
		// The same own id again creates nothing and names the order.
		r = do(t, "POST", srv.URL+"/v1/orders", demoKey, orderBody("1112"))
		if r.Status != 409 || !strings.Contains(string(r.Body), num(t, o["number"])) {
			t.Errorf("repeat: %d %s", r.Status, r.Body)
		}
		// Another reseller sees none of it.
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		for _, u := range []string{"", "/items", "/items/" + itemID, "/events", "/custom-fields"} {
			if r := do(t, "GET", orderURL(srv, o, u), other, nil); r.Status != 404 {
				t.Errorf("other reseller GET %s: %d", u, r.Status)
			}
		}
		for _, u := range []string{"/cancel", "/release"} {
			if r := do(t, "POST", orderURL(srv, o, u), other, nil); r.Status != 404 {
				t.Errorf("other reseller POST %s: %d", u, r.Status)
			}
		}
		if r := do(t, "PUT", orderURL(srv, o, "/custom-fields"), other, `{"custom_fields":{"a":"b"}}`); r.Status != 404 {
			t.Errorf("other reseller PUT custom fields: %d", r.Status)
		}
		if l := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/orders", other, nil).Body); num(t, path(t, l, "meta", "items")) != "0" {
			t.Errorf("other reseller's list: %v", l)
		}
		// The other reseller may use the same own id.
		mustOrder(t, srv, other, orderBody("1112"))
		// Operators see both.
		if l := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/operator/orders", operatorKey, nil).Body); num(t, path(t, l, "meta", "items")) != "2" {
			t.Errorf("operator list: %v", l)
		}
		if r := do(t, "GET", srv.URL+"/v1/operator/orders?reseller_id=me&status=lost", operatorKey, nil); r.Status != 400 || len(r.JSON(t)["errors"].([]any)) != 2 {
			t.Errorf("operator list with two bad filters: %d %s", r.Status, r.Body)
		}
	})
}

func TestOrderValidation(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	bad := `{"id":"bad id!","contact_email":"not-an-email","callback_urls":["ftp://x"],"order_type":"live-ish",
	  "delivery":{"address":{"first_name":"John","street":"","postal_code":"ABCDEF","city":"Dokkum","country":"NL"},"shipping_method_code":"zeppelin"},
	  "items":[{"code":"dibond","options":[{"code":"width","value":40},{"code":"height","value":20},{"code":"amount","value":0}]},
	           {"code":"unobtainium"},
	           {"code":"dibond","options":` + dibondOptions + `,"backprint":"` + strings.Repeat("x", 61) + `"},
	           {"code":"dibond","options":` + dibondOptions + `,"files":[{"url":"https://f.example/a.pdf","md5":"xyz","rotation":45}]}]}`
	r := do(t, "POST", srv.URL+"/v1/orders", demoKey, bad)
	if r.Status != 422 {
		t.Fatalf("bad order: %d %s", r.Status, r.Body)
	}
	for _, p := range []string{"/id", "/contact_email", "/callback_urls/0", "/order_type", "/delivery/address/last_name", "/delivery/address/street",
		"/delivery/address/house_number", "/delivery/address/postal_code", "/items/0/options/2/value", "/items/1/code",
		"/items/2/backprint", "/items/3/files/0/md5", "/items/3/files/0/rotation"} {
		if !strings.Contains(string(r.Body), `"pointer":"`+p+`"`) {
			t.Errorf("no error at %s: %s", p, r.Body)
		}
	}
	// The rest is checked once the items price: the method, a missing file.
	r = do(t, "POST", srv.URL+"/v1/orders", demoKey, `{"id":"x1","delivery":{"address":`+probonl+`,"shipping_method_code":"zeppelin"},"items":[`+dibondItem+`]}`)
	if r.Status != 422 || !strings.Contains(string(r.Body), `"/delivery/shipping_method_code"`) {
		t.Errorf("unknown method: %d %s", r.Status, r.Body)
	}
	// A country we do not deliver to is one problem, not one from the
	// address's checks and another from the delivery planner.
	xx := strings.Replace(probonl, `"country":"NL"`, `"country":"XX"`, 1)
	r = do(t, "POST", srv.URL+"/v1/orders", demoKey, `{"id":"x1","delivery":{"address":`+xx+`},"items":[`+dibondItem+`]}`)
	if r.Status != 422 || strings.Count(string(r.Body), `"/delivery/address/country"`) != 1 {
		t.Errorf("unknown country: %d %s", r.Status, r.Body)
	}
	r = do(t, "POST", srv.URL+"/v1/orders", demoKey, `{"id":"x2","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`}]}`)
	if r.Status != 422 || !strings.Contains(string(r.Body), `"code":"file_required"`) {
		t.Errorf("missing file: %d %s", r.Status, r.Body)
	}
	r = do(t, "POST", srv.URL+"/v1/orders", demoKey, `{"id":"x3","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}],"production_time":"7"}`)
	if r.Status != 422 || !strings.Contains(string(r.Body), `"/production_time"`) {
		t.Errorf("unknown production time: %d %s", r.Status, r.Body)
	}
	for name, body := range map[string]string{
		"no items":   `{"id":"x4","delivery":{"address":` + probonl + `},"items":[]}`,
		"no address": `{"id":"x5","items":[` + dibondItem + `]}`,
		"bad stage":  `{"id":"x6","stage":"maybe","delivery":{"address":` + probonl + `},"items":[` + dibondItem + `]}`,
	} {
		if r := do(t, "POST", srv.URL+"/v1/orders", demoKey, body); r.Status != 422 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	// The box document's placeholder address ("ZIP code") is accepted.
	boxAddr := `{"first_name":"First Name","last_name":"Last Name","company_name":"Company name","phone":"123456789","country":"IT","province":"Province name","city":"City name","postal_code":"ZIP code","street":"Address name"}`
	box := `{"code":"s001_v0","options":[{"code":"width","value":80},{"code":"depth","value":80},{"code":"height","value":150},{"code":"amount","value":25},{"code":"SBS300"},{"code":"printing-yes"},{"code":"gold-no"},{"code":"silver-no"},{"code":"varnish-no"},{"code":"customer-supplied-file"}],"upload":true}`
	if r := do(t, "POST", srv.URL+"/v1/orders", demoKey, `{"id":"box-1","delivery":{"address":`+boxAddr+`},"production_time":"economy","items":[`+box+`]}`); r.Status != 201 ||
		!strings.Contains(string(r.Body), `"subtotal":{"excl_vat":57.19,"incl_vat":69.77}`) {
		t.Errorf("box order: %d %s", r.Status, r.Body)
	}
	// Nothing was stored by the refused requests.
	if l := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/orders", demoKey, nil).Body); num(t, path(t, l, "meta", "items")) != "1" {
		t.Errorf("orders stored: %v", path(t, l, "meta", "items"))
	}
	for _, tc := range []struct {
		body   string
		status int
	}{{`{"id":`, 400}, {`{"id":"x","colour":"red"}`, 400}, {`{"id":"` + strings.Repeat("x", 1<<20) + `"}`, 413}} {
		if r := do(t, "POST", srv.URL+"/v1/orders", demoKey, tc.body); r.Status != tc.status {
			t.Errorf("%.30s: %d, want %d", tc.body, r.Status, tc.status)
		}
	}
}

func TestOrderIdempotency(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		post := func(key, body string) response {
			return doWith(t, "POST", srv.URL+"/v1/orders", demoKey, body, map[string]string{"Idempotency-Key": key})
		}
		first := post("key-1", orderBody("idem-1"))
		again := post("key-1", orderBody("idem-1"))
		if first.Status != 201 || again.Status != 201 || string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay: %d/%d, same body %v\n%s\n%s", first.Status, again.Status, string(first.Body) == string(again.Body), first.Body, again.Body)
		}
		if loc := first.Header.Get("Location"); loc == "" || again.Header.Get("Location") != loc {
			t.Errorf("Location %q, replayed %q: want the created order's, both times", loc, again.Header.Get("Location"))
		}
		if l := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/orders", demoKey, nil).Body); num(t, path(t, l, "meta", "items")) != "1" {
			t.Errorf("a replay created an order: %v", path(t, l, "meta", "items"))
		}
		if r := post("key-1", orderBody("idem-2")); r.Status != 422 || !strings.Contains(string(r.Body), "idempotency_key_reused") {
			t.Errorf("same key, other body: %d %s", r.Status, r.Body)
		}
		// An error is an answer too, replayed byte for byte.
		e1 := post("key-2", `{"id":"bad id!"}`)
		e2 := post("key-2", `{"id":"bad id!"}`)
		if e1.Status != 422 || e2.Status != 422 || string(e1.Body) != string(e2.Body) {
			t.Errorf("error replay: %d/%d", e1.Status, e2.Status)
		}
		// Without a key a retry is a duplicate own id: 409.
		if r := do(t, "POST", srv.URL+"/v1/orders", demoKey, orderBody("idem-1")); r.Status != 409 {
			t.Errorf("retry without key: %d", r.Status)
		}
		// The answer writes text as the order's other answers do: "&", "<"
		// and ">" as they are, not as \u0026 and the like.
		amp := strings.Replace(orderBody("idem-3"), `"reference":"Reseller API test order"`, `"reference":"Smith & Sons <NL>"`, 1)
		created, replayed := post("key-3", amp), post("key-3", amp)
		read := do(t, "GET", srv.URL+created.Header.Get("Location"), demoKey, nil)
		for name, r := range map[string]response{"created": created, "replayed": replayed, "read": read} {
			if !strings.Contains(string(r.Body), `"reference":"Smith & Sons <NL>"`) {
				t.Errorf("%s: %d %.300s", name, r.Status, r.Body)
			}
		}
	})
}

// TestOrderFromCalculation: an item citing a calculation is charged its
// stored price, whatever the catalog does meanwhile.
func TestOrderFromCalculation(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		args := st.args(t)
		srv := startServer(t, args, nil)
		cfg := do(t, "POST", srv.URL+"/v1/products/configure", demoKey, `{"products":[{"code":"dibond","options":`+dibondOptions+`}]}`)
		calc := num(t, path(t, decodeNumbers(t, cfg.Body), "products", 0, "calculation_id"))
		// Staff double the dibond milling price.
		doc := do(t, "GET", srv.URL+"/v1/operator/catalog", operatorKey, nil).Body
		changed := strings.Replace(string(doc), `"per_perimeter_metre": "0.18"`, `"per_perimeter_metre": "0.36"`, 1)
		if changed == string(doc) {
			t.Fatal("the milling price was not found in the catalog")
		}
		if r := do(t, "POST", srv.URL+"/v1/operator/catalog?note=dearer", operatorKey, changed); r.Status != 201 && r.Status != 200 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		time.Sleep(300 * time.Millisecond) // the calculation is written in the background
		files := `,"files":[{"url":"https://files.example/print.pdf"}]`
		o := mustOrder(t, srv, demoKey, `{"id":"calc-1","delivery":{"address":`+probonl+`},"items":[{"calculation_id":`+calc+files+`}]}`)
		if got := num(t, path(t, o, "items", 0, "prices", "purchase_price")); got != "9.38" {
			t.Errorf("ordered by calculation: %s, want the quoted 9.38", got)
		}
		if num(t, o["calculation_id"]) != calc {
			t.Errorf("calculation_id = %v", o["calculation_id"])
		}
		fresh := mustOrder(t, srv, demoKey, `{"id":"calc-2","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+files+`}]}`)
		if got := num(t, path(t, fresh, "items", 0, "prices", "purchase_price")); got != "10.46" {
			t.Errorf("ordered anew: %s, want 10.46 at the new milling price", got)
		}
		for body, code := range map[string]string{
			`{"id":"calc-3","delivery":{"address":` + probonl + `},"items":[{"calculation_id":987654321` + files + `}]}`:                         "unknown_calculation",
			`{"id":"calc-4","delivery":{"address":` + probonl + `},"items":[{"calculation_id":` + calc + `,"code":"dibond"` + files + `}]}`:      "conflicting_product",
			`{"id":"calc-5","delivery":{"address":` + probonl + `},"items":[{"calculation_id":` + calc + `,"calculation_item":3` + files + `}]}`: "unknown_calculation_item",
		} {
			if r := do(t, "POST", srv.URL+"/v1/orders", demoKey, body); r.Status != 422 || !strings.Contains(string(r.Body), code) {
				t.Errorf("%s: %d %s", code, r.Status, r.Body)
			}
		}
		// An expired calculation is refused with the date it expired.
		if code := srv.stop(); code != 0 {
			t.Fatalf("stop: %d", code)
		}
		store, err := app.OpenStore(context.Background(), configOf(args))
		if err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-40 * 24 * time.Hour)
		c, err := store.FindCalculation(context.Background(), 1000001, mustInt(t, calc))
		if err != nil {
			t.Fatal(err)
		}
		c.ID, c.CreatedAt, c.ExpiresAt = 99_999_999, old, old.Add(pressroom.CalculationLifetime)
		if err := store.SaveCalculations(context.Background(), []*pressroom.Calculation{c}); err != nil {
			t.Fatal(err)
		}
		store.Close()
		srv2 := startServer(t, args, nil)
		if r := do(t, "POST", srv2.URL+"/v1/orders", demoKey, `{"id":"calc-6","delivery":{"address":`+probonl+`},"items":[{"calculation_id":99999999`+files+`}]}`); r.Status != 422 || !strings.Contains(string(r.Body), "expired_calculation") {
			t.Errorf("expired: %d %s", r.Status, r.Body)
		}
	})
}

func mustInt(t *testing.T, s string) int64 {
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOrderLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		status := func(o map[string]any, body string) response {
			return do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, body)
		}
		// Cancel while accepted; again is 409 naming the status; the id is released for reuse.
		o := mustOrder(t, srv, demoKey, orderBody("c-1"))
		if r := do(t, "POST", orderURL(srv, o, "/cancel"), demoKey, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"cancelled"`) {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
		if r := do(t, "POST", orderURL(srv, o, "/cancel"), demoKey, nil); r.Status != 409 || !strings.Contains(string(r.Body), "status is: cancelled") {
			t.Errorf("cancel again: %d %s", r.Status, r.Body)
		}
		if r := do(t, "POST", srv.URL+"/v1/orders", demoKey, orderBody("c-1")); r.Status != 409 {
			t.Errorf("reuse before release: %d", r.Status)
		}
		if r := do(t, "POST", orderURL(srv, o, "/release"), demoKey, nil); r.Status != 200 {
			t.Errorf("release: %d %s", r.Status, r.Body)
		}
		mustOrder(t, srv, demoKey, orderBody("c-1"))

		// Staff walk an order through production and shipping.
		o = mustOrder(t, srv, demoKey, orderBody("walk-1"))
		if r := do(t, "POST", orderURL(srv, o, "/release"), demoKey, nil); r.Status != 409 {
			t.Errorf("release of a live order: %d", r.Status)
		}
		if r := status(o, `{"status":"shipment_delivered"}`); r.Status != 409 {
			t.Errorf("accepted -> delivered: %d %s", r.Status, r.Body)
		}
		for _, step := range []string{
			`{"status":"in_production"}`, `{"status":"logistics"}`,
			`{"status":"shipment_created","track_and_trace":"3SYMFU0000001","carrier":"postnl","tracking_url":"https://jouw.postnl.nl/#!/track-en-trace/3SYMFU0000001/NL/9101PE"}`,
			`{"status":"shipment_created","track_and_trace":"3SYMFU0000002","carrier":"postnl"}`,
			`{"status":"shipment_in_transit"}`, `{"status":"shipment_delayed"}`, `{"status":"shipment_in_transit"}`,
			`{"status":"shipment_delivered"}`, `{"status":"shipment_delivered"}`,
		} {
			if r := status(o, step); r.Status != 200 {
				t.Fatalf("%s: %d %s", step, r.Status, r.Body)
			}
		}
		if r := do(t, "POST", orderURL(srv, o, "/cancel"), demoKey, nil); r.Status != 409 || !strings.Contains(string(r.Body), "shipment_delivered") {
			t.Errorf("cancel delivered: %d %s", r.Status, r.Body)
		}
		// A late carrier update does not move a delivered order back.
		if r := status(o, `{"status":"shipment_in_transit"}`); r.Status != 409 {
			t.Errorf("delivered -> in transit: %d", r.Status)
		}
		got := decodeNumbers(t, do(t, "GET", orderURL(srv, o, ""), demoKey, nil).Body)
		if got["status"] != "shipment_delivered" || len(got["packages"].([]any)) != 2 || path(t, got, "packages", 0, "tracking_code") != "3SYMFU0000001" {
			t.Errorf("delivered order = %v / %v", got["status"], got["packages"])
		}
		evs := decodeNumbers(t, do(t, "GET", orderURL(srv, o, "/events"), demoKey, nil).Body)["events"].([]any)
		var trail []string
		for _, e := range evs {
			m := e.(map[string]any)
			if m["kind"] == "status" {
				trail = append(trail, m["to"].(string))
			}
		}
		if strings.Join(trail, ",") != "in_production,logistics,shipment_created,shipment_in_transit,shipment_delayed,shipment_in_transit,shipment_delivered" {
			t.Errorf("status events = %v", trail)
		}
		// The tracking page is public.
		page := do(t, "GET", got["tracking_page"].(string), "", nil)
		if page.Status != 200 || !strings.Contains(string(page.Body), `"status":"shipment_delivered"`) || !strings.Contains(string(page.Body), "3SYMFU0000002") {
			t.Errorf("tracking page: %d %s", page.Status, page.Body)
		}
		if r := do(t, "GET", srv.URL+"/track/nope", "", nil); r.Status != 404 {
			t.Errorf("unknown tracking page: %d", r.Status)
		}
		// Payment is its own dimension.
		if r := do(t, "POST", operatorURL(srv, o, "/payment"), operatorKey, `{"payment":"paid"}`); r.Status != 200 || !strings.Contains(string(r.Body), `"payment":"paid"`) {
			t.Errorf("payment: %d %s", r.Status, r.Body)
		}
		for _, tc := range []struct {
			url, key, body string
			status         int
		}{
			{operatorURL(srv, o, "/payment"), operatorKey, `{"payment":"maybe"}`, 422},
			{srv.URL + "/v1/operator/orders/424242/payment", operatorKey, `{"payment":"paid"}`, 404},
			{operatorURL(srv, o, "/status"), operatorKey, `{"status":"teleported"}`, 422},
			{srv.URL + "/v1/operator/orders/424242/status", operatorKey, `{"status":"in_production"}`, 404},
			{operatorURL(srv, o, "/status"), demoKey, `{"status":"in_production"}`, 404},
			{operatorURL(srv, o, "/status"), operatorKey, `{"status":`, 400},
			{operatorURL(srv, o, "/status"), "", `{"status":"in_production"}`, 401},
		} {
			if r := do(t, "POST", tc.url, tc.key, tc.body); r.Status != tc.status {
				t.Errorf("%s %s: %d, want %d", tc.url, tc.body, r.Status, tc.status)
			}
		}
		// Staff read any reseller's order as the reseller does.
		staffView := decodeNumbers(t, wantOK(t, do(t, "GET", operatorURL(srv, o, ""), operatorKey, nil), 200).Body)
		for _, k := range []string{"number", "id", "status", "tracking_page"} {
			if fmt.Sprint(staffView[k]) != fmt.Sprint(got[k]) {
				t.Errorf("staff's %s %v, the reseller's %v", k, staffView[k], got[k])
			}
		}
		if staffView["payment"] != "paid" {
			t.Errorf("staff's view after the payment: %v", staffView["payment"])
		}
		for _, u := range []string{"/v1/operator/orders/424242", "/v1/operator/orders/424242/events", "/v1/operator/orders/424242/documents",
			"/v1/operator/orders/424242/items/1/artwork", "/v1/operator/orders/424242/documents/packing_slip/file"} {
			if r := do(t, "GET", srv.URL+u, operatorKey, nil); r.Status != 404 || !strings.Contains(string(r.Body), "424242") {
				t.Errorf("staff's %s: %d %s", u, r.Status, r.Body)
			}
		}
		// A free reseller reads but places nothing.
		free := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Free","edition":"free"}`).JSON(t)["api_key"].(string)
		if r := do(t, "POST", srv.URL+"/v1/orders", free, orderBody("f-1")); r.Status != 403 {
			t.Errorf("free edition order: %d", r.Status)
		}
		if r := do(t, "GET", srv.URL+"/v1/orders", free, nil); r.Status != 200 {
			t.Errorf("free edition list: %d", r.Status)
		}
	})
}

// TestCancelRacesAdvance: a reseller's cancel and staff starting production
// at the same moment: exactly one wins, the other sees 409.
func TestCancelRacesAdvance(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		for round := 0; round < 5; round++ {
			o := mustOrder(t, srv, demoKey, orderBody(fmt.Sprintf("race-%d", round)))
			var wg sync.WaitGroup
			codes := make([]int, 2)
			wg.Add(2)
			go func() { defer wg.Done(); codes[0] = do(t, "POST", orderURL(srv, o, "/cancel"), demoKey, nil).Status }()
			go func() {
				defer wg.Done()
				codes[1] = do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"in_production"}`).Status
			}()
			wg.Wait()
			final := decodeNumbers(t, do(t, "GET", orderURL(srv, o, ""), demoKey, nil).Body)["status"]
			switch {
			case codes[0] == 200 && codes[1] == 409 && final == "cancelled":
			case codes[0] == 409 && codes[1] == 200 && final == "in_production":
			default:
				t.Errorf("round %d: cancel %d, advance %d, final %v", round, codes[0], codes[1], final)
			}
		}
	})
}

func TestTestOrdersDryRunsAndDrafts(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) { testTestOrdersDryRunsAndDrafts(t, st) })
}

func testTestOrdersDryRunsAndDrafts(t *testing.T, st storeArgs) {
	srv := startServer(t, st.args(t), nil)
	// A test order is stored, visible, and cancelled automatically.
	o := mustOrder(t, srv, demoKey, orderBody("test-1", `"order_type":"test"`))
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := decodeNumbers(t, do(t, "GET", orderURL(srv, o, ""), demoKey, nil).Body)
		if got["status"] == "cancelled" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("test order still %v", got["status"])
		}
		time.Sleep(200 * time.Millisecond)
	}
	evs := decodeNumbers(t, do(t, "GET", orderURL(srv, o, "/events"), demoKey, nil).Body)["events"].([]any)
	if last := evs[len(evs)-1].(map[string]any); last["actor"] != "system" || last["to"] != "cancelled" {
		t.Errorf("last event = %v", last)
	}
	// A dry run prices and stores nothing.
	r := do(t, "POST", srv.URL+"/v1/orders", demoKey, orderBody("dry-1", `"dry_run":true`))
	if r.Status != 200 || !strings.Contains(string(r.Body), `"dry_run":true`) || !strings.Contains(string(r.Body), `"total":{"excl_vat":35.33`) {
		t.Errorf("dry run: %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", srv.URL+"/v1/orders?id=dry-1", demoKey, nil); !strings.Contains(string(r.Body), `"items":0`) {
		t.Errorf("a dry run stored an order: %s", r.Body)
	}
	// A draft has a number, an expiry 7 days after its order date, no tracking page.
	d := mustOrder(t, srv, demoKey, `{"id":"draft-1","stage":"draft","order_date":"`+companyToday(t).Format(time.DateOnly)+`","delivery":{"address":`+probonl+`},"items":[]}`)
	exp, _ := time.Parse(time.RFC3339, d["expires_at"].(string))
	if d["status"] != "draft" || d["stage"] != "draft" || d["tracking_page"] != nil || exp.Sub(time.Now()) < 6*24*time.Hour {
		t.Errorf("draft = %v %v %v %v", d["status"], d["stage"], d["tracking_page"], d["expires_at"])
	}
	if r := do(t, "POST", orderURL(srv, d, "/cancel"), demoKey, nil); r.Status != 409 {
		t.Errorf("cancel a draft: %d", r.Status)
	}
	if r := do(t, "POST", srv.URL+"/v1/orders", demoKey, orderBody("od-1", `"order_date":"2026-01-01"`)); r.Status != 422 {
		t.Errorf("an order date on an order: %d", r.Status)
	}
	// Custom fields.
	if r := do(t, "PUT", orderURL(srv, o, "/custom-fields"), demoKey, `{"custom_fields":{"cost_centre":"42"}}`); r.Status != 200 || !strings.Contains(string(r.Body), "cost_centre") {
		t.Errorf("custom fields: %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", orderURL(srv, o, "/custom-fields"), demoKey, nil); !strings.Contains(string(r.Body), `"cost_centre":"42"`) {
		t.Errorf("custom fields read: %s", r.Body)
	}
	// Refused fields are pointed at by name, escaped as JSON Pointer
	// wants, in the names' order, the same on every try.
	long := strings.Repeat("x", 1001)
	bad := `{"custom_fields":{"z":"` + long + `","a/b~c":"` + long + `","m":"` + long + `"}}`
	first := do(t, "PUT", orderURL(srv, o, "/custom-fields"), demoKey, bad)
	var pointers []string
	for _, e := range first.JSON(t)["errors"].([]any) {
		pointers = append(pointers, e.(map[string]any)["pointer"].(string))
	}
	if first.Status != 422 || strings.Join(pointers, " ") != "/custom_fields/a~1b~0c /custom_fields/m /custom_fields/z" {
		t.Errorf("refused custom fields: %d %v", first.Status, pointers)
	}
	for range 5 {
		if again := do(t, "PUT", orderURL(srv, o, "/custom-fields"), demoKey, bad); !bytes.Equal(dropRequestID(again.Body), dropRequestID(first.Body)) {
			t.Fatalf("another answer to the same fields:\n%s\n%s", first.Body, again.Body)
		}
	}
	// Listing filters.
	for q, n := range map[string]string{"status=cancelled": "1", "stage=draft": "1", "id=test-1": "1", "address_name=probo": "2", "address_name=Doe": "2", "address_name=jansen": "0", "sort=asc&per_page=1": "2"} {
		l := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/orders?"+q, demoKey, nil).Body)
		if num(t, path(t, l, "meta", "items")) != n {
			t.Errorf("?%s: %v orders, want %s", q, path(t, l, "meta", "items"), n)
		}
	}
	for q, msg := range map[string]string{
		"status=lost": "status", "stage=x": "stage", "sort=up": "sort", "per_page=0": "per_page",
		"from=yesterday":                `"detail":"from must be a date like 2026-03-12."`,
		"from=2026-12-10&to=2026-12-01": `"detail":"to must be 2026-12-10 or later, not 2026-12-01: the last day can't be before the first."`,
	} {
		if r := do(t, "GET", srv.URL+"/v1/orders?"+q, demoKey, nil); r.Status != 400 || !strings.Contains(string(r.Body), msg) {
			t.Errorf("?%s: %d, want 400 with %s\n%s", q, r.Status, msg, r.Body)
		}
	}
	// Every parameter's problem in one answer, the paging's too.
	many := do(t, "GET", srv.URL+"/v1/orders?page=0&per_page=500&status=lost&sort=up&from=2026-12-10&to=2026-12-01", demoKey, nil)
	var at []string
	for _, f := range decodeNumbers(t, many.Body)["errors"].([]any) {
		at = append(at, f.(map[string]any)["pointer"].(string))
	}
	if many.Status != 400 || strings.Join(at, " ") != "?page ?per_page ?status ?to ?sort" {
		t.Errorf("five bad parameters: %d, problems at %v\n%s", many.Status, at, many.Body)
	}
}

func TestOrderEndpointsNeedKeys(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	for _, key := range []string{"", "wrong-key-123456"} {
		for _, ep := range []struct{ method, path string }{
			{"POST", "/v1/orders"}, {"GET", "/v1/orders"}, {"GET", "/v1/orders/1000001"}, {"GET", "/v1/orders/1000001/items"},
			{"GET", "/v1/orders/1000001/items/1"}, {"GET", "/v1/orders/1000001/events"}, {"POST", "/v1/orders/1000001/cancel"}, {"PATCH", "/v1/orders/1000001"},
			{"POST", "/v1/orders/1000001/release"}, {"GET", "/v1/orders/1000001/custom-fields"}, {"PUT", "/v1/orders/1000001/custom-fields"},
			{"GET", "/v1/operator/orders"}, {"GET", "/v1/operator/orders/1000001"}, {"GET", "/v1/operator/orders/1000001/events"},
			{"POST", "/v1/operator/orders/1000001/status"}, {"POST", "/v1/operator/orders/1000001/payment"},
		} {
			if r := do(t, ep.method, srv.URL+ep.path, key, nil); r.Status != 401 {
				t.Errorf("%s %s with key %q: %d", ep.method, ep.path, key, r.Status)
			}
		}
	}
}

func TestDrafts(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		d := mustOrder(t, srv, demoKey, `{"id":"draft-1","stage":"draft","delivery":{"address":`+probonl+`,"shipping_method_code":"onbezorgd-standard"},"items":[]}`)
		upload := `{"code":"dibond","options":` + dibondOptions + `,"upload":true}`
		r := do(t, "POST", orderURL(srv, d, "/items"), demoKey, upload)
		if r.Status != 201 || !strings.HasPrefix(r.Header.Get("Location"), fmt.Sprintf("/v1/orders/%s/items/", d["number"])) {
			t.Fatalf("add item: %d %s", r.Status, r.Body)
		}
		first := decodeNumbers(t, r.Body)
		firstID := num(t, path(t, first, "items", 0, "id"))
		if path(t, first, "items", 0, "file_state") != "awaiting" || num(t, path(t, first, "totals", "subtotal", "excl_vat")) != "9.38" {
			t.Errorf("after add: %v", first["items"])
		}
		r = do(t, "POST", orderURL(srv, d, "/items"), demoKey, `{"code":"side-grip-spacer-2-5mm","options":[{"code":"amount","value":3}]}`)
		if r.Status != 201 {
			t.Fatalf("add second: %d %s", r.Status, r.Body)
		}
		second := num(t, path(t, decodeNumbers(t, r.Body), "items", 1, "id"))
		// A bad item answers with pointers into the item's own body.
		r = do(t, "POST", orderURL(srv, d, "/items"), demoKey, `{"code":"dibond","options":[{"code":"width","value":40},{"code":"height","value":20},{"code":"amount","value":-1}]}`)
		if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/options/2/value"`) {
			t.Errorf("bad item: %d %s", r.Status, r.Body)
		}
		r = do(t, "PUT", orderURL(srv, d, "/items/"+second), demoKey, `{"code":"side-grip-spacer-2-5mm","options":[{"code":"amount","value":1}]}`)
		if r.Status != 200 || num(t, path(t, decodeNumbers(t, r.Body), "items", 1, "amount")) != "1" || num(t, path(t, decodeNumbers(t, r.Body), "items", 1, "id")) != second {
			t.Errorf("replace: %d %s", r.Status, r.Body)
		}
		r = do(t, "DELETE", orderURL(srv, d, "/items/"+firstID), demoKey, nil)
		if r.Status != 200 || len(decodeNumbers(t, r.Body)["items"].([]any)) != 1 || num(t, path(t, decodeNumbers(t, r.Body), "items", 0, "id")) != second {
			t.Errorf("remove: %d %s", r.Status, r.Body)
		}
		if r := do(t, "DELETE", orderURL(srv, d, "/items/999999"), demoKey, nil); r.Status != 404 {
			t.Errorf("remove unknown item: %d", r.Status)
		}
		do(t, "POST", orderURL(srv, d, "/items"), demoKey, upload)
		// Two checkouts at once: one wins.
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range codes {
			wg.Add(1)
			go func() { defer wg.Done(); codes[i] = do(t, "POST", orderURL(srv, d, "/checkout"), demoKey, nil).Status }()
		}
		wg.Wait()
		if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
			t.Errorf("double checkout: %v", codes)
		}
		got := decodeNumbers(t, do(t, "GET", orderURL(srv, d, ""), demoKey, nil).Body)
		if got["status"] != "accepted" || got["stage"] != "order" || got["expires_at"] != nil || got["tracking_page"] == nil || len(got["items"].([]any)) != 2 {
			t.Errorf("checked out = %v %v %v", got["status"], got["stage"], got["items"])
		}
		evs := decodeNumbers(t, do(t, "GET", orderURL(srv, d, "/events"), demoKey, nil).Body)["events"].([]any)
		checkouts := 0
		for _, e := range evs {
			if m := e.(map[string]any); m["from"] == "draft" && m["to"] == "accepted" {
				checkouts++
			}
		}
		if checkouts != 1 {
			t.Errorf("%d checkout events", checkouts)
		}
		// Items of an order that is no draft do not change.
		if r := do(t, "POST", orderURL(srv, d, "/items"), demoKey, upload); r.Status != 409 {
			t.Errorf("add to an order: %d", r.Status)
		}
		if r := do(t, "DELETE", orderURL(srv, d, "/items/"+second), demoKey, nil); r.Status != 409 {
			t.Errorf("remove from an order: %d", r.Status)
		}
		if r := do(t, "PUT", orderURL(srv, d, "/items/"+second), demoKey, upload); r.Status != 409 || !strings.Contains(string(r.Body), "is not a draft") {
			t.Errorf("replace an order's item: %d %s", r.Status, r.Body)
		}
		if r := do(t, "DELETE", orderURL(srv, d, ""), demoKey, nil); r.Status != 409 {
			t.Errorf("delete an order: %d", r.Status)
		}
		// Characteristics are readable and writable on any order.
		if r := do(t, "PUT", orderURL(srv, d, "/items/"+second+"/characteristics"), demoKey, `{"characteristics":{"colour":"red"}}`); r.Status != 200 {
			t.Errorf("characteristics: %d %s", r.Status, r.Body)
		}
		if r := do(t, "GET", orderURL(srv, d, "/items/"+second+"/characteristics"), demoKey, nil); !strings.Contains(string(r.Body), `"colour":"red"`) {
			t.Errorf("characteristics read: %s", r.Body)
		}
		if r := do(t, "GET", orderURL(srv, d, "/items/424242/characteristics"), demoKey, nil); r.Status != 404 {
			t.Errorf("characteristics of no item: %d", r.Status)
		}
		if r := do(t, "PUT", orderURL(srv, d, "/items/"+second+"/characteristics"), demoKey, `{"characteristics":{"":"red"}}`); r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/characteristics/"`) {
			t.Errorf("a characteristic without a name: %d %s", r.Status, r.Body)
		}
		// An empty draft cannot be checked out; a draft can be deleted, freeing its id.
		e := mustOrder(t, srv, demoKey, `{"id":"draft-2","stage":"draft","delivery":{"address":`+probonl+`},"items":[]}`)
		if r := do(t, "POST", orderURL(srv, e, "/checkout"), demoKey, nil); r.Status != 422 {
			t.Errorf("empty checkout: %d %s", r.Status, r.Body)
		}
		if r := do(t, "DELETE", orderURL(srv, e, ""), demoKey, nil); r.Status != 204 {
			t.Errorf("delete draft: %d %s", r.Status, r.Body)
		}
		mustOrder(t, srv, demoKey, `{"id":"draft-2","stage":"draft","delivery":{"address":`+probonl+`},"items":[]}`)
		// Another reseller's draft is not found.
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		if r := do(t, "POST", orderURL(srv, e, "/items"), other, upload); r.Status != 404 {
			t.Errorf("other reseller adds: %d", r.Status)
		}
		// A draft whose order date is more than 7 days ago expires and is deleted.
		old := time.Now().AddDate(0, 0, -8).Format(time.DateOnly)
		x := mustOrder(t, srv, demoKey, `{"id":"draft-old","stage":"draft","order_date":"`+old+`","delivery":{"address":`+probonl+`},"items":[]}`)
		deadline := time.Now().Add(15 * time.Second)
		for do(t, "GET", orderURL(srv, x, ""), demoKey, nil).Status != 404 {
			if time.Now().After(deadline) {
				t.Fatal("the expired draft was not deleted")
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
}

// TestADraftTakesItsAddressAndDeliveryLater: a cart is a draft made before
// the buyer says where it goes. PATCH gives it the address, the billing
// address, another shipping method and reference, each member alone (an
// absent one stays, an empty one clears), prices it again, and refuses
// what it does not change, naming where that changes; the checkout
// needs the address. Both stores.
func TestADraftTakesItsAddressAndDeliveryLater(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		d := mustOrder(t, srv, demoKey, `{"id":"cart-1","stage":"draft","reference":"cart","items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`)
		if path(t, d, "delivery", "address") != nil || d["status"] != "draft" {
			t.Fatalf("a draft without an address: %v %v", d["status"], d["delivery"])
		}
		b := newBrowser(t, srv)
		wantPage(t, b.post("/console/login", url.Values{"key": {operatorKey}}), 303)
		staffPage := "/console/orders/" + num(t, d["number"])
		wantPage(t, b.get(staffPage), 200, "None yet: a draft is given its address before its checkout.")
		// The staff's list holds orders; the status draft lists the carts.
		if p := b.get("/console/orders"); p.Status != 200 || strings.Contains(p.Body, staffPage+`"`) {
			t.Errorf("the orders list shows a draft: %d", p.Status)
		}
		wantPage(t, b.get("/console/orders?status=draft"), 200, staffPage+`"`, "1–1 of 1 orders", `<option value="draft" selected>`)
		if r := do(t, "POST", srv.URL+"/v1/orders", demoKey, `{"id":"no-address","items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`); r.Status != 422 ||
			!strings.Contains(string(r.Body), `"pointer":"/delivery/address"`) {
			t.Errorf("an order without an address: %d %s", r.Status, r.Body)
		}
		if r := do(t, "POST", orderURL(srv, d, "/checkout"), demoKey, nil); r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/delivery/address/country"`) {
			t.Errorf("the checkout of a draft without an address: %d %s", r.Status, r.Body)
		}
		patch := func(body string) response { return do(t, "PATCH", orderURL(srv, d, ""), demoKey, body) }
		for body, want := range map[string][]string{
			`{"items":[],"stage":"order","reference":"x"}`:               {"422", `"pointer":"/items"`, `"pointer":"/stage"`, "cannot_change", "/checkout"},
			`{"order_date":"2026-12-01"}`:                                {"422", `"pointer":"/order_date"`, "set when the draft is created"},
			`{"referense":"typo"}`:                                       {"400", "unknown field"},
			`{"delivery":{"delivery_date":"soon"}}`:                      {"422", `"pointer":"/delivery/delivery_date"`, "invalid_date"},
			`{"delivery":{"address":{"country":"XX","city":"Nowhere"}}}`: {"422", `"pointer":"/delivery/address/country"`},
			`{"billing_address":"Dam 1"}`:                                {"422", `"pointer":"/billing_address"`},
			`{"delivery":{"address":"Dam 1"}}`:                           {"422", `"pointer":"/delivery/address"`, "invalid_address"},
			`{"delivery":{"shipping_method_code":"by-pigeon"}}`:          {"422", `"pointer":"/delivery/shipping_method_code"`},
			`{"delivery":null}`:                                          {"422", `"pointer":"/delivery"`, "cannot_remove"},
			`{"delivery":{"address":{}},"billing_address":{}}`:           {"422", `"pointer":"/delivery/address/country"`, `"pointer":"/billing_address/country"`, "null removes the address"},
		} {
			r := patch(body)
			if fmt.Sprint(r.Status) != want[0] {
				t.Errorf("%s: %d, want %s\n%s", body, r.Status, want[0], r.Body)
				continue
			}
			for _, w := range want[1:] {
				if !strings.Contains(string(r.Body), w) {
					t.Errorf("%s: the answer lacks %s\n%s", body, w, r.Body)
				}
			}
		}
		r := patch(`{"reference":"Cart of Jan","delivery":{"address":` + probonl + `,"shipping_method_code":"onbezorgd-standard"},"billing_address":{"first_name":"Jan","last_name":"Jansen","street":"Dam","house_number":"1","postal_code":"1012JS","city":"Amsterdam","country":"NL"}}`)
		if r.Status != 200 {
			t.Fatalf("the address given: %d %s", r.Status, r.Body)
		}
		got := decodeNumbers(t, r.Body)
		if got["reference"] != "Cart of Jan" || path(t, got, "delivery", "address", "company_name") != "Probo Sign" ||
			path(t, got, "delivery", "shipping_method") != "onbezorgd-standard" || path(t, got, "billing_address", "last_name") != "Jansen" ||
			got["status"] != "draft" || len(got["items"].([]any)) != 1 {
			t.Fatalf("after the address: %v", got)
		}
		if p := b.get(staffPage); p.Status != 200 || !strings.Contains(p.Body, "Fortuinweg 17 A") || strings.Contains(p.Body, "None yet") {
			t.Errorf("the staff's page of the draft given its address: %d\n%s", p.Status, p.Body)
		}
		// An absent member stays; an empty one clears; null removes the billing address.
		got = decodeNumbers(t, patch(`{"purchase_order":"PO-7","billing_address":null}`).Body)
		if got["reference"] != "Cart of Jan" || got["purchase_order"] != "PO-7" || got["billing_address"] != nil || path(t, got, "delivery", "address", "city") != "Dokkum" {
			t.Errorf("after a second change: %v", got)
		}
		got = decodeNumbers(t, patch(`{"reference":""}`).Body)
		if got["reference"] != "" || got["purchase_order"] != "PO-7" {
			t.Errorf("a cleared reference: %q, purchase order %q", got["reference"], got["purchase_order"])
		}
		// A change is priced again: a faster method costs what it costs.
		before := num(t, path(t, got, "totals", "shipping", "excl_vat"))
		got = decodeNumbers(t, patch(`{"delivery":{"shipping_method_code":"pickup-dokkum"}}`).Body)
		if path(t, got, "delivery", "shipping_method") != "pickup-dokkum" || num(t, path(t, got, "totals", "shipping", "excl_vat")) == before {
			t.Errorf("another method: %v, shipping %v (was %s)", path(t, got, "delivery", "shipping_method"), path(t, got, "totals", "shipping"), before)
		}
		// Another production time: made sooner, shipped sooner.
		slow := path(t, got, "delivery", "shipping_date").(string)
		got = decodeNumbers(t, patch(`{"production_time":"24"}`).Body)
		if got["production_time"] != "24" || path(t, got, "delivery", "shipping_date").(string) >= slow {
			t.Errorf("made in 24 hours: production time %v, ships %v (at 480: %s)", got["production_time"], path(t, got, "delivery", "shipping_date"), slow)
		}
		if r := patch(`{"production_time":"7"}`); r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/production_time"`) {
			t.Errorf("a production time the product has not: %d %s", r.Status, r.Body)
		}
		// null removes the address: the buyer went back to the cart.
		got = decodeNumbers(t, patch(`{"delivery":{"address":null}}`).Body)
		if path(t, got, "delivery", "address") != nil || got["status"] != "draft" || got["production_time"] != "24" {
			t.Errorf("the address removed: %v", got)
		}
		if r := do(t, "POST", orderURL(srv, d, "/checkout"), demoKey, nil); r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/delivery/address/country"`) {
			t.Errorf("the checkout of a draft whose address was removed: %d %s", r.Status, r.Body)
		}
		wantOK(t, patch(`{"delivery":{"address":`+probonl+`}}`), 200)
		evs := string(do(t, "GET", orderURL(srv, d, "/events"), demoKey, nil).Body)
		if strings.Count(evs, "draft updated") != 7 {
			t.Errorf("want 7 draft updates among the events: %s", evs)
		}
		// null clears a member as "" does (JSON Merge Patch): the reference,
		// the purchase order, the production time (back to the slowest that
		// fits), the callback URLs, the delivery's presets and method.
		got = decodeNumbers(t, wantOK(t, patch(`{"reference":"R","purchase_order":"PO","callback_urls":["https://shop.example/cb"]}`), 200).Body)
		got = decodeNumbers(t, wantOK(t, patch(`{"reference":null,"purchase_order":null,"production_time":null,"callback_urls":null,`+
			`"delivery":{"shipping_method_code":null,"delivery_date_preset":null,"delivery_date":null}}`), 200).Body)
		if got["reference"] != "" || got["purchase_order"] != "" || got["production_time"] == "24" || len(got["callback_urls"].([]any)) != 0 ||
			path(t, got, "delivery", "shipping_method") == "pickup-dokkum" || path(t, got, "delivery", "address", "postal_code") != "9101PE" {
			t.Errorf("after the nulls: %v", got)
		}
		c := do(t, "POST", orderURL(srv, d, "/checkout"), demoKey, nil)
		if c.Status != 200 || path(t, decodeNumbers(t, c.Body), "delivery", "address", "postal_code") != "9101PE" {
			t.Fatalf("the checkout: %d %s", c.Status, c.Body)
		}
		if r := patch(`{"reference":"too late"}`); r.Status != 409 {
			t.Errorf("a PATCH of an order: %d %s", r.Status, r.Body)
		}
		if r := do(t, "PATCH", srv.URL+"/v1/orders/999999999", demoKey, `{"reference":"x"}`); r.Status != 404 {
			t.Errorf("a PATCH of no order: %d %s", r.Status, r.Body)
		}
	})
}

// TestReprintsAtOnceMakeAPieceOnce: ten requests at once for one piece
// each of an item of 5: five are taken, five told none is left. Both stores.
func TestReprintsAtOnceMakeAPieceOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		o := mustOrder(t, srv, demoKey, orderBody("rp-once"))
		item := num(t, path(t, o, "items", 0, "id"))
		for _, s := range []string{"in_production", "shipment_created", "shipment_delivered"} {
			wantOK(t, do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"`+s+`"}`), 200)
		}
		statuses := make(chan int, 10)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				statuses <- do(t, "POST", orderURL(srv, o, "/reprints"), demoKey, `{"reason":"damaged","items":[{"item_id":`+item+`,"quantity":1}]}`).Status
			})
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for s := range statuses {
			count[s]++
		}
		if count[201] != 5 || count[422] != 5 {
			t.Errorf("10 requests at once for 1 of 5 pieces each: %v, want 5 201 and 5 422", count)
		}
	})
}

func TestReprints(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		rv := newReceiver(t)
		srv := startServer(t, st.args(t), callbackEnv())
		o := mustOrder(t, srv, demoKey, withCallback("rp-1", rv.URL+"/ok"))
		item := num(t, path(t, o, "items", 0, "id"))
		ask := func(body string) response { return do(t, "POST", orderURL(srv, o, "/reprints"), demoKey, body) }
		// Not before the order was produced.
		if r := ask(`{"reason":"damaged"}`); r.Status != 409 {
			t.Errorf("reprint of an accepted order: %d %s", r.Status, r.Body)
		}
		for _, s := range []string{"in_production", "shipment_created", "shipment_delivered"} {
			if r := do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"`+s+`"}`); r.Status != 200 {
				t.Fatalf("%s: %d %s", s, r.Status, r.Body)
			}
		}
		for body, ptr := range map[string]string{
			`{"reason":"bored"}`: "/reason",
			`{"reason":"damaged","items":[{"item_id":424242,"quantity":1}]}`:       "/items/0/item_id",
			`{"reason":"damaged","items":[{"item_id":` + item + `,"quantity":6}]}`: "/items/0/quantity",
			`{"reason":"damaged","items":[{"item_id":` + item + `,"quantity":0}]}`: "/items/0/quantity",
		} {
			if r := ask(body); r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"`+ptr+`"`) {
				t.Errorf("%s: %d %s", body, r.Status, r.Body)
			}
		}
		r := ask(`{"reason":"damaged","note":"Two plates arrived bent.","items":[{"item_id":` + item + `,"quantity":2}]}`)
		if r.Status != 201 {
			t.Fatalf("reprint: %d %s", r.Status, r.Body)
		}
		rp := decodeNumbers(t, r.Body)
		if rp["status"] != "requested" || num(t, path(t, rp, "items", 0, "quantity")) != "2" {
			t.Errorf("reprint = %v", rp)
		}
		id := num(t, rp["id"])
		if l := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/operator/reprints?status=requested", operatorKey, nil).Body)["reprints"].([]any); len(l) != 1 {
			t.Errorf("requested reprints: %v", l)
		}
		// Staff approve: a new linked order at no charge, with the chosen quantity.
		r = do(t, "POST", srv.URL+"/v1/operator/reprints/"+id+"/approve", operatorKey, `{"note":"sorry"}`)
		if r.Status != 200 {
			t.Fatalf("approve: %d %s", r.Status, r.Body)
		}
		approved := decodeNumbers(t, r.Body)
		if r := do(t, "POST", srv.URL+"/v1/operator/reprints/"+id+"/reject", operatorKey, nil); r.Status != 409 {
			t.Errorf("decide twice: %d", r.Status)
		}
		fresh := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders/%s", srv.URL, approved["new_order"]), demoKey, nil).Body)
		if fresh["status"] != "accepted" || num(t, path(t, fresh, "totals", "total", "incl_vat")) != "0" || len(fresh["items"].([]any)) != 1 ||
			num(t, path(t, fresh, "items", 0, "amount")) != "2" || path(t, fresh, "custom_fields", "reprint_of") != num(t, o["number"]) {
			t.Errorf("reprint order = %v", fresh)
		}
		// Planned from its approval, at the original's time and by its method.
		today := time.Now().UTC().Format(time.DateOnly)
		if d := fresh["delivery"].(map[string]any); d["shipping_date"].(string) < today || d["delivery_date"].(string) <= d["shipping_date"].(string) ||
			d["shipping_method"] != path(t, o, "delivery", "shipping_method") || fresh["production_time"] != o["production_time"] {
			t.Errorf("the reprint's delivery %v at %v; the original's %v at %v", d, fresh["production_time"], o["delivery"], o["production_time"])
		}
		// The reseller hears of both: the original's callback names the
		// reprint, how it was decided and the new order, which then says it
		// was created, as an order the reseller placed would.
		told := rv.waitFor(t, "/ok", "order.reprint", 1)[0].Payload.Order
		if fmt.Sprint(told.Number) != num(t, o["number"]) || told.Reprint == nil || fmt.Sprint(told.Reprint.ID) != id ||
			told.Reprint.Status != "approved" || fmt.Sprint(told.Reprint.NewOrder) != num(t, approved["new_order"]) {
			t.Errorf("the original's reprint callback: %+v", told)
		}
		var made *received // callbacks of different orders come in any order
		for _, c := range rv.waitFor(t, "/ok", "order.created", 2) {
			if fmt.Sprint(c.Payload.Order.Number) == num(t, approved["new_order"]) {
				made = &c
			}
		}
		if made == nil || made.Payload.Order.Status != "accepted" || made.Payload.Order.Reprint != nil || made.Payload.Sequence != 1 {
			t.Errorf("the new order's callback: %+v", made)
		}
		list := decodeNumbers(t, do(t, "GET", orderURL(srv, o, "/reprints"), demoKey, nil).Body)["reprints"].([]any)
		if len(list) != 1 || path(t, list[0], "status") != "approved" {
			t.Errorf("order's reprints = %v", list)
		}
		// A piece is made again once: 2 of the 5 are, so 3 are left.
		if r := ask(`{"reason":"damaged","items":[{"item_id":` + item + `,"quantity":4}]}`); r.Status != 422 ||
			!strings.Contains(string(r.Body), `"pointer":"/items/0/quantity"`) || !strings.Contains(string(r.Body), "at most 3: 2 of the 5 ordered are in an earlier reprint") {
			t.Errorf("a reprint of more than is left: %d %s", r.Status, r.Body)
		}
		// Another reprint of everything (what is left of it), rejected.
		r = ask(`{"reason":"quality"}`)
		if q := path(t, decodeNumbers(t, r.Body), "items", 0, "quantity"); fmt.Sprint(q) != "3" {
			t.Errorf("a reprint of everything after 2 of 5 were reprinted: %d %s", r.Status, r.Body)
		}
		id2 := num(t, decodeNumbers(t, r.Body)["id"])
		if r := do(t, "POST", srv.URL+"/v1/operator/reprints/"+id2+"/reject", operatorKey, `{"production_time":"24"}`); r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/production_time"`) {
			t.Errorf("a rejection with a production time: %d %s", r.Status, r.Body)
		}
		if r := do(t, "POST", srv.URL+"/v1/operator/reprints/"+id2+"/reject", operatorKey, `{"note":"looks fine"}`); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"rejected"`) {
			t.Errorf("reject: %d %s", r.Status, r.Body)
		}
		if told := rv.waitFor(t, "/ok", "order.reprint", 2)[1].Payload.Order; told.Reprint == nil || fmt.Sprint(told.Reprint.ID) != id2 ||
			told.Reprint.Status != "rejected" || told.Reprint.NewOrder != 0 {
			t.Errorf("the rejection's callback: %+v", told)
		}
		// A third, approved in a rush: made at the production time staff
		// chose, one the product offers, and so shipped sooner.
		id3 := num(t, decodeNumbers(t, wantOK(t, ask(`{"reason":"missing"}`), 201).Body)["id"])
		if r := do(t, "POST", srv.URL+"/v1/operator/reprints/"+id3+"/approve", operatorKey, `{"production_time":"7"}`); r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/production_time"`) {
			t.Errorf("an approval at a time the product lacks: %d %s", r.Status, r.Body)
		}
		rush := decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/v1/operator/reprints/"+id3+"/approve", operatorKey, `{"production_time":"24"}`), 200).Body)
		fast := decodeNumbers(t, do(t, "GET", fmt.Sprintf("%s/v1/orders/%s", srv.URL, rush["new_order"]), demoKey, nil).Body)
		slowShip, fastShip := path(t, fresh, "delivery", "shipping_date").(string), path(t, fast, "delivery", "shipping_date").(string)
		if fast["production_time"] != "24" || fastShip >= slowShip {
			t.Errorf("the rush reprint: time %v, ships %s; the one at the original's time ships %s", fast["production_time"], fastShip, slowShip)
		}
		// Staff's list and Probo's tickets, a page at a time, newest first.
		for q, want := range map[string]string{
			"?per_page=2":                          "3 2 " + id3 + " " + id2,
			"?per_page=2&page=2":                   "3 2 " + id,
			"?status=approved":                     "2 1 " + id3 + " " + id,
			"?status=rejected&reseller_id=1000001": "1 1 " + id2,
			"?reseller_id=424242":                  "0 0",
		} {
			l := decodeNumbers(t, wantOK(t, do(t, "GET", srv.URL+"/v1/operator/reprints"+q, operatorKey, nil), 200).Body)
			got := []string{num(t, path(t, l, "meta", "items")), num(t, path(t, l, "meta", "pages"))}
			for _, rp := range l["reprints"].([]any) {
				got = append(got, num(t, path(t, rp, "id")))
			}
			if strings.Join(got, " ") != want {
				t.Errorf("operator reprints%s: %s, want %s (items, pages, ids)", q, strings.Join(got, " "), want)
			}
		}
		for _, q := range []string{"?per_page=101", "?page=0", "?status=open", "?reseller_id=x"} {
			if r := do(t, "GET", srv.URL+"/v1/operator/reprints"+q, operatorKey, nil); r.Status != 400 {
				t.Errorf("operator reprints%s: %d %s", q, r.Status, r.Body)
			}
		}
		tickets := decodeNumbers(t, wantOK(t, do(t, "GET", srv.URL+"/probo/tickets?per_page=2&page=2", demoKey, nil), 200).Body)
		if num(t, path(t, tickets, "meta", "items")) != "3" || len(tickets["tickets"].([]any)) != 1 || path(t, tickets, "tickets", 0, "id") != id {
			t.Errorf("Probo's tickets, page 2 of 2: %v", tickets)
		}
		// A rejected reprint took nothing; now all 5 are made again.
		if num(t, path(t, fast, "items", 0, "amount")) != "3" {
			t.Errorf("the third reprint's amount: %v", path(t, fast, "items", 0, "amount"))
		}
		if r := ask(`{"reason":"damaged"}`); r.Status != 409 || !strings.Contains(string(r.Body), "Every piece of order "+num(t, o["number"])+" is in an earlier reprint ("+id3+", "+id+")") {
			t.Errorf("a reprint of an order made again in full: %d %s", r.Status, r.Body)
		}
		if r := ask(`{"reason":"damaged","items":[{"item_id":` + item + `,"quantity":1}]}`); r.Status != 422 || !strings.Contains(string(r.Body), "all 5 ordered are in an earlier reprint") {
			t.Errorf("a reprint of a piece made again: %d %s", r.Status, r.Body)
		}
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		if r := do(t, "POST", orderURL(srv, o, "/reprints"), other, `{"reason":"damaged"}`); r.Status != 404 {
			t.Errorf("other reseller's reprint: %d", r.Status)
		}
		if r := do(t, "GET", orderURL(srv, o, "/reprints"), other, nil); r.Status != 404 {
			t.Errorf("other reseller's reprints: %d", r.Status)
		}
		for _, decision := range []string{"approve", "reject"} {
			if r := do(t, "POST", srv.URL+"/v1/operator/reprints/424242/"+decision, operatorKey, nil); r.Status != 404 || !strings.Contains(string(r.Body), "424242") {
				t.Errorf("%s an unknown reprint: %d %s", decision, r.Status, r.Body)
			}
		}
		if r := do(t, "POST", srv.URL+"/v1/operator/reprints/"+id+"/approve", demoKey, nil); r.Status != 404 {
			t.Errorf("a reseller deciding: %d", r.Status)
		}
	})
}

// TestSandbox: with PRESSROOM_SANDBOX=1 a test order walks its whole
// lifecycle on a timer instead of being cancelled.
func TestSandbox(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) { testSandbox(t, st) })
}

func testSandbox(t *testing.T, st storeArgs) {
	env := baseEnv()
	env["PRESSROOM_SANDBOX"] = "1"
	env["PRESSROOM_SANDBOX_STEP"] = "100ms"
	srv := startServer(t, st.args(t), env)
	o := mustOrder(t, srv, demoKey, orderBody("sandbox-1", `"order_type":"test"`))
	live := mustOrder(t, srv, demoKey, orderBody("sandbox-live"))
	deadline := time.Now().Add(20 * time.Second)
	for decodeNumbers(t, do(t, "GET", orderURL(srv, o, ""), demoKey, nil).Body)["status"] != "shipment_delivered" {
		if time.Now().After(deadline) {
			t.Fatal("the sandbox order did not reach shipment_delivered")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var trail []string
	for _, e := range decodeNumbers(t, do(t, "GET", orderURL(srv, o, "/events"), demoKey, nil).Body)["events"].([]any) {
		if m := e.(map[string]any); m["kind"] == "status" {
			trail = append(trail, m["to"].(string))
		}
	}
	if strings.Join(trail, ",") != "in_production,logistics,shipment_created,shipment_in_transit,shipment_delivered" {
		t.Errorf("sandbox trail = %v", trail)
	}
	got := decodeNumbers(t, do(t, "GET", orderURL(srv, o, ""), demoKey, nil).Body)
	if len(got["packages"].([]any)) != 1 {
		t.Errorf("sandbox packages = %v", got["packages"])
	}
	// A production order is left alone.
	if st := decodeNumbers(t, do(t, "GET", orderURL(srv, live, ""), demoKey, nil).Body)["status"]; st != "accepted" {
		t.Errorf("a production order moved to %v in the sandbox", st)
	}
	// A reprint of a test order is a test order too, and walks as well
	// (it used to stay accepted for ever, among the orders to print).
	rp := decodeNumbers(t, wantOK(t, do(t, "POST", orderURL(srv, o, "/reprints"), demoKey, `{"reason":"damaged"}`), 201).Body)
	ap := decodeNumbers(t, wantOK(t, do(t, "POST", fmt.Sprintf("%s/v1/operator/reprints/%v/approve", srv.URL, rp["id"]), operatorKey, `{}`), 200).Body)
	again := fmt.Sprintf("%s/v1/orders/%v", srv.URL, ap["new_order"])
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		got := decodeNumbers(t, do(t, "GET", again, demoKey, nil).Body)
		if got["status"] == "shipment_delivered" && got["order_type"] == "test" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the test order's reprint is %v (%v)", got["status"], got["order_type"])
		}
	}
}

// TestOrdersCLI: staff list, show and advance orders from the command line,
// beside the running server.
func TestOrdersCLI(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		o := mustOrder(t, srv, demoKey, orderBody("cli-1"))
		n := num(t, o["number"])
		cli := func(want int, a ...string) string {
			t.Helper()
			code, out, errOut := runCLI(t, nil, append(a, srv.Args...)...)
			if code != want {
				t.Fatalf("pressroom %s: exit %d, want %d\n%s%s", strings.Join(a, " "), code, want, out, errOut)
			}
			return out + errOut
		}
		if out := cli(0, "orders", "list"); !strings.Contains(out, n) || !strings.Contains(out, "cli-1") || !strings.Contains(out, "accepted") || !strings.Contains(out, "42.75 EUR") {
			t.Errorf("orders list:\n%s", out)
		}
		cli(0, "orders", "advance", n, "--status", "in_production")
		cli(0, "orders", "advance", n, "--status", "shipment_created", "--track-and-trace", "3SYMFU0000009", "--carrier", "postnl")
		if out := cli(1, "orders", "advance", n, "--status", "accepted"); !strings.Contains(out, "cannot become accepted") {
			t.Errorf("backwards: %s", out)
		}
		out := cli(0, "orders", "show", n)
		for _, want := range []string{"status shipment_created", "package postnl 3SYMFU0000009", "operator (command line) status in_production→shipment_created", "item "} {
			if !strings.Contains(out, want) {
				t.Errorf("orders show lacks %q:\n%s", want, out)
			}
		}
		// The server sees what the CLI did.
		if st := decodeNumbers(t, do(t, "GET", orderURL(srv, o, ""), demoKey, nil).Body)["status"]; st != "shipment_created" {
			t.Errorf("server sees %v", st)
		}
		if out := cli(0, "orders", "list", "--status", "accepted"); !strings.Contains(out, "0 of 0") {
			t.Errorf("filtered list:\n%s", out)
		}
		// The order's reprints, oldest first; a draft without its address says so.
		item := num(t, path(t, o, "items", 0, "id"))
		first := num(t, decodeNumbers(t, wantOK(t, do(t, "POST", orderURL(srv, o, "/reprints"), demoKey, `{"reason":"damaged","items":[{"item_id":`+item+`,"quantity":2}]}`), 201).Body)["id"])
		second := num(t, decodeNumbers(t, wantOK(t, do(t, "POST", orderURL(srv, o, "/reprints"), demoKey, `{"reason":"missing"}`), 201).Body)["id"])
		made := num(t, decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/v1/operator/reprints/"+first+"/approve", operatorKey, nil), 200).Body)["new_order"])
		out = cli(0, "orders", "show", n)
		one, two := "reprint "+first+": approved (damaged), item "+item+" × 2, made as order "+made, "reprint "+second+": requested (missing), item "+item+" × 3"
		if i, j := strings.Index(out, one), strings.Index(out, two); i < 0 || j < i {
			t.Errorf("orders show lacks, in this order, %q and %q:\n%s", one, two, out)
		}
		if !strings.Contains(out, "operator (PRESSROOM_OPERATOR_KEY) reprint - reprint "+first+" approved") {
			t.Errorf("orders show: the approval's event:\n%s", out)
		}
		// Staff decide reprints from the command line too.
		if out := cli(0, "reprints", "list"); !strings.Contains(out, second+"  ") || strings.Contains(out, "\n"+first+"  ") || !strings.Contains(out, "1 of 1 reprint(s)") {
			t.Errorf("reprints list (waiting for a decision):\n%s", out)
		}
		if out := cli(1, "reprints", "approve", second, "--production-time", "7"); !strings.Contains(out, "production time") {
			t.Errorf("an approval at a time the product lacks:\n%s", out)
		}
		out = cli(0, "reprints", "approve", second, "--production-time", "24", "--note", "on its way", "--by", "Bram")
		var rush string
		if _, err := fmt.Sscanf(out, "reprint "+second+" of order "+n+" is approved: order %s will print it", &rush); err != nil {
			t.Fatalf("reprints approve: %v\n%s", err, out)
		}
		got := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/orders/"+rush, demoKey, nil).Body)
		if got["production_time"] != "24" || path(t, got, "totals", "total", "incl_vat") != json.Number("0") || num(t, path(t, got, "items", 0, "amount")) != "3" {
			t.Errorf("the reprint approved from the command line: %v", got)
		}
		if out := cli(1, "reprints", "reject", first); !strings.Contains(out, "approved already") {
			t.Errorf("a decided reprint rejected:\n%s", out)
		}
		if out := cli(0, "reprints", "list", "--status", "all"); !strings.Contains(out, "2 of 2 reprint(s)") || !strings.Contains(out, rush) {
			t.Errorf("reprints list --status all:\n%s", out)
		}
		if evs := string(do(t, "GET", operatorURL(srv, o, "/events"), operatorKey, nil).Body); !strings.Contains(evs, `"by":"Bram"`) {
			t.Errorf("the approval's event does not name who decided: %s", evs)
		}
		d := mustOrder(t, srv, demoKey, `{"id":"cli-cart","stage":"draft","items":[]}`)
		if out := cli(0, "orders", "show", num(t, d["number"])); !strings.Contains(out, "to no delivery address yet") {
			t.Errorf("orders show of a draft without its address:\n%s", out)
		}
		cli(1, "orders", "show", "424242")
		cli(2, "orders", "show")
		cli(2, "orders", "advance", n)
		cli(2, "orders", "list", "--status", "lost")
		cli(2, "orders")
	})
}

// TestOrderTenantIsolation: every order endpoint answers another reseller's
// order as if it did not exist, and changes nothing.
func TestOrderTenantIsolation(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		o := mustOrder(t, srv, demoKey, orderBody("iso-1"))
		d := mustOrder(t, srv, demoKey, `{"id":"iso-draft","stage":"draft","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`)
		item := num(t, path(t, o, "items", 0, "id"))
		ditem := num(t, path(t, d, "items", 0, "id"))
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		upload := `{"code":"dibond","options":` + dibondOptions + `,"upload":true}`
		for _, ep := range []struct{ method, url, body string }{
			{"GET", orderURL(srv, o, ""), ""}, {"GET", orderURL(srv, o, "/items"), ""}, {"GET", orderURL(srv, o, "/items/"+item), ""},
			{"GET", orderURL(srv, o, "/events"), ""}, {"GET", orderURL(srv, o, "/reprints"), ""}, {"GET", orderURL(srv, o, "/custom-fields"), ""},
			{"PUT", orderURL(srv, o, "/custom-fields"), `{"custom_fields":{"a":"b"}}`},
			{"GET", orderURL(srv, o, "/items/"+item+"/characteristics"), ""},
			{"PUT", orderURL(srv, o, "/items/"+item+"/characteristics"), `{"characteristics":{"a":"b"}}`},
			{"POST", orderURL(srv, o, "/cancel"), ""}, {"POST", orderURL(srv, o, "/release"), ""},
			{"POST", orderURL(srv, o, "/reprints"), `{"reason":"damaged"}`},
			{"POST", orderURL(srv, d, "/items"), upload}, {"PUT", orderURL(srv, d, "/items/"+ditem), upload},
			{"DELETE", orderURL(srv, d, "/items/"+ditem), ""}, {"POST", orderURL(srv, d, "/checkout"), ""}, {"DELETE", orderURL(srv, d, ""), ""},
			{"PATCH", orderURL(srv, d, ""), `{"reference":"taken over"}`},
		} {
			var body any
			if ep.body != "" {
				body = ep.body
			}
			if r := do(t, ep.method, ep.url, other, body); r.Status != 404 {
				t.Errorf("other reseller %s %s: %d %s", ep.method, strings.TrimPrefix(ep.url, srv.URL), r.Status, r.Body)
			}
		}
		// Nothing changed.
		if got := decodeNumbers(t, do(t, "GET", orderURL(srv, o, ""), demoKey, nil).Body); got["status"] != "accepted" || len(got["custom_fields"].(map[string]any)) != 0 {
			t.Errorf("order after the other reseller's tries: %v %v", got["status"], got["custom_fields"])
		}
		if got := decodeNumbers(t, do(t, "GET", orderURL(srv, d, ""), demoKey, nil).Body); got["status"] != "draft" || len(got["items"].([]any)) != 1 || got["reference"] != "" {
			t.Errorf("draft after the other reseller's tries: %v", got["status"])
		}
	})
}

// TestErasePersonalData: on a reseller's request staff erase the personal
// data of a delivered or cancelled order (operator API, command line): its
// addresses but their country and its e-mail addresses go from every view
// and search; products, amounts and dates stay; the history names who. An
// order still to be made or shipped keeps its addresses.
func TestErasePersonalData(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		anna := decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/v1/operator/keys", operatorKey, `{"name":"Anna"}`), 201).Body)["key"].(string)
		o := mustOrder(t, srv, demoKey, orderBody("gdpr-1", `"billing_address":{"first_name":"Jan","last_name":"Jansen","street":"Dam","house_number":"1","postal_code":"1012JS","city":"Amsterdam","country":"NL"}`,
			`"error_email_addresses":["ops@shop.example"]`))
		erase := func(o map[string]any, key string) response {
			return do(t, "POST", operatorURL(srv, o, "/erase"), key, nil)
		}
		if r := erase(o, anna); r.Status != 409 || !strings.Contains(string(r.Body), "its addresses are needed until it is delivered or cancelled") {
			t.Fatalf("erasing an accepted order: %d %s", r.Status, r.Body)
		}
		for _, s := range []string{"in_production", "shipment_created", "shipment_delivered"} {
			wantOK(t, do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"`+s+`"}`), 200)
		}
		before := decodeNumbers(t, do(t, "GET", orderURL(srv, o, ""), demoKey, nil).Body)
		got := decodeNumbers(t, wantOK(t, erase(o, anna), 200).Body)
		if a := fmt.Sprint(path(t, got, "delivery", "address")); a != "map[country:NL]" {
			t.Errorf("the delivery address after: %s", a)
		}
		if a := fmt.Sprint(got["billing_address"]); a != "map[country:NL]" || got["contact_email"] != "" || len(got["error_email_addresses"].([]any)) != 0 {
			t.Errorf("after: billing %s, contact %v, error addresses %v", a, got["contact_email"], got["error_email_addresses"])
		}
		for _, k := range []string{"number", "status", "order_date", "reference"} {
			if fmt.Sprint(got[k]) != fmt.Sprint(before[k]) {
				t.Errorf("%s changed: %v, was %v", k, got[k], before[k])
			}
		}
		if fmt.Sprint(path(t, got, "totals", "total")) != fmt.Sprint(path(t, before, "totals", "total")) || len(got["items"].([]any)) != 2 {
			t.Errorf("the amounts or items changed: %v / %v", got["totals"], got["items"])
		}
		// Nothing finds the order by the names any more; the reseller sees it so.
		if l := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/operator/orders?address_name=Probo", operatorKey, nil).Body); num(t, path(t, l, "meta", "items")) != "0" {
			t.Errorf("the erased order is found by its address's name: %v", l)
		}
		if body := string(do(t, "GET", orderURL(srv, o, ""), demoKey, nil).Body); strings.Contains(body, "Fortuinweg") || strings.Contains(body, "customer@test.com") {
			t.Errorf("the reseller's view keeps personal data: %s", body)
		}
		if body := string(do(t, "POST", srv.URL+"/probo/order/status", demoKey, `{"orders":[{"id":"gdpr-1"}]}`).Body); strings.Contains(body, "Fortuinweg") {
			t.Errorf("Probo's view keeps personal data: %s", body)
		}
		b := newBrowser(t, srv)
		wantPage(t, b.post("/console/login", url.Values{"key": {operatorKey}}), 303)
		if p := b.get(fmt.Sprintf("/console/orders/%s", o["number"])); p.Status != 200 || strings.Contains(p.Body, "Fortuinweg") || !strings.Contains(p.Body, "In NL; its personal data was erased.") {
			t.Errorf("the staff's page after: %d %s", p.Status, p.Body)
		}
		// Once: again answers the order, and writes no second event.
		wantOK(t, erase(o, anna), 200)
		evs := string(do(t, "GET", operatorURL(srv, o, "/events"), operatorKey, nil).Body)
		if strings.Count(evs, `"kind":"erased"`) != 1 || !strings.Contains(evs, `"by":"Anna"`) {
			t.Errorf("the history: %s", evs)
		}
		if r := do(t, "POST", srv.URL+"/v1/operator/orders/424242/erase", operatorKey, nil); r.Status != 404 {
			t.Errorf("erasing no order: %d %s", r.Status, r.Body)
		}
		// From the command line: a cancelled order's go; an accepted one's stay.
		c := mustOrder(t, srv, demoKey, orderBody("gdpr-2"))
		live := mustOrder(t, srv, demoKey, orderBody("gdpr-3"))
		wantOK(t, do(t, "POST", orderURL(srv, c, "/cancel"), demoKey, nil), 200)
		code, out, errOut := runCLI(t, nil, append([]string{"orders", "erase", num(t, c["number"]), "--by", "Bram"}, srv.Args...)...)
		if code != 0 || !strings.Contains(out, "keeps no personal data") {
			t.Errorf("the command line's erase: %d %s %s", code, out, errOut)
		}
		if code, out, _ := runCLI(t, nil, append([]string{"orders", "show", num(t, c["number"])}, srv.Args...)...); code != 0 || !strings.Contains(out, "to an address in NL (its personal data erased)") {
			t.Errorf("orders show of the erased order: %d %s", code, out)
		}
		if a := fmt.Sprint(path(t, decodeNumbers(t, do(t, "GET", orderURL(srv, c, ""), demoKey, nil).Body), "delivery", "address")); a != "map[country:NL]" {
			t.Errorf("the cancelled order's address after the command line: %s", a)
		}
		code, _, errOut = runCLI(t, nil, append([]string{"orders", "erase", num(t, live["number"])}, srv.Args...)...)
		if code == 0 || !strings.Contains(errOut, "is accepted: its addresses are needed") {
			t.Errorf("the command line's erase of an accepted order: %d %s", code, errOut)
		}
	})
}
