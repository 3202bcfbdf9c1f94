package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/pressroom/pressroom/api"
	"github.com/pressroom/pressroom/boxes"
	"github.com/pressroom/pressroom/console"
	"github.com/pressroom/pressroom/internal/testfiles"
	"github.com/pressroom/pressroom/probo"
	"github.com/pressroom/pressroom/profotonet"
	"github.com/pressroom/pressroom/wl3"
)

// bodyRoute is one endpoint that reads a body, with the ids of the demo
// reseller's own objects in its path (so that the body is read, not
// refused for an unknown id), the key it is sent with and the body's type.
type bodyRoute struct {
	method, path, key, ctype string
	seeds                    []string // the seed documents' examples and bodies that work
	// cookie is the console's sign-in, for its forms (they take no key).
	cookie string
}

// formFile is a multipart body with one file field, as the upload
// endpoints take it.
func formFile(field string, data []byte) string {
	return "--fuzz\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" +
		string(data) + "\r\n--fuzz--\r\n"
}

// allPatterns are the "METHOD /path" of every endpoint of every API, as
// the server answers them.
func allPatterns() []string {
	var out []string
	for _, a := range []struct {
		prefix   string
		patterns []string
	}{{"", api.Patterns()}, {"/probo", probo.Patterns()}, {"/profotonet/v1", profotonet.Patterns()}, {"/wl3", wl3.Patterns()}, {"/boxes", boxes.Patterns()}} {
		for _, p := range a.patterns {
			method, rest, _ := strings.Cut(p, " ")
			out = append(out, method+" "+a.prefix+rest)
		}
	}
	return out
}

// bodyPatterns are those of the endpoints that read a request body.
func bodyPatterns() []string {
	var out []string
	for _, p := range allPatterns() {
		if method, _, _ := strings.Cut(p, " "); method == "POST" || method == "PUT" || method == "PATCH" {
			out = append(out, p)
		}
	}
	return out
}

// consoleSignIn signs the operator in to srv's console and answers the
// sign-in cookie's value.
func consoleSignIn(tb testing.TB, srv *server) string {
	tb.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(srv.URL+"/console/login", url.Values{"key": {operatorKey}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == console.CookieName && c.Value != "" {
			return c.Value
		}
	}
	tb.Fatalf("the console's sign-in: %d and no cookie", resp.StatusCode)
	return ""
}

// consoleForms are the console's forms: the endpoints of the staff's pages
// that read a body.
func consoleForms() []string {
	var out []string
	for p := range console.Patterns() {
		if strings.HasPrefix(p, "POST ") {
			out = append(out, p)
		}
	}
	return out
}

// bodyRoutes makes the demo reseller's objects on srv (files serves /a.pdf
// and /a.jpg) and answers every endpoint that reads a body, by pattern,
// and the patterns in order; it fails tb when the table misses one.
func bodyRoutes(tb testing.TB, srv *server, files string) (map[string]bodyRoute, []string) {
	tb.Helper()
	ob := makeObjects(tb, srv, files, demoKey)
	// A reprint to approve or reject: of an order that was delivered.
	rp := decodeNumbers(tb, wantOK(tb, do(tb, "POST", srv.URL+"/v1/orders", demoKey, orderBody("fz-rp")), 201).Body)
	rpOrder, rpItem := fmt.Sprint(rp["number"]), fmt.Sprint(path(tb, rp, "items", 0, "id"))
	for _, s := range []string{"in_production", "shipment_created", "shipment_delivered"} {
		wantOK(tb, do(tb, "POST", srv.URL+"/v1/operator/orders/"+rpOrder+"/status", operatorKey, `{"status":"`+s+`"}`), 200)
	}
	reprint := fmt.Sprint(decodeNumbers(tb, wantOK(tb, do(tb, "POST", srv.URL+"/v1/orders/"+rpOrder+"/reprints", demoKey, `{"reason":"damaged"}`), 201).Body)["id"])
	uploader := strings.TrimPrefix(ob.uploaderURL, srv.URL)
	// Orders of their own for the changes that would end another route's
	// order (the seeds run in the routes' order): staff's status change,
	// cancel and release, checkout.
	number := func(body string) string {
		return fmt.Sprint(decodeNumbers(tb, wantOK(tb, do(tb, "POST", srv.URL+"/v1/orders", demoKey, body), 201).Body)["number"])
	}
	staffOrder, cancelOrder := number(orderBody("fz-staff")), number(orderBody("fz-cancel"))
	checkoutDraft := number(`{"id":"fz-draft","stage":"draft","delivery":{"address":` + probonl + `},"items":[` + dibondItem + `]}`)
	seedPrice := seedExample(tb, "probo-user-guide.txt", "Request payload (price)").(map[string]any)
	price := seedExample(tb, "probo-user-guide.txt", "Request payload (price)").(map[string]any)
	price["deliveries"].([]any)[0].(map[string]any)["delivery_date"] = ob.day
	nativePrice := map[string]any{"language": price["language"], "products": price["products"], "delivery": price["deliveries"].([]any)[0]}

	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	pdf := testfiles.PDF(200, 400, 10)
	const form, mp = "application/x-www-form-urlencoded", "multipart/form-data; boundary=fuzz"
	ord, draft, w := "/v1/orders/"+ob.order, "/v1/orders/"+ob.draft, "/wl3/api/orders/"+ob.wl3Draft
	r := func(method, path string, seeds ...string) bodyRoute {
		return bodyRoute{method: method, path: path, key: demoKey, ctype: "application/json", seeds: seeds}
	}
	op := func(method, path string, seeds ...string) bodyRoute {
		return bodyRoute{method: method, path: path, key: operatorKey, ctype: "application/json", seeds: seeds}
	}
	typed := func(fr bodyRoute, ctype string) bodyRoute { fr.ctype = ctype; return fr }
	// The forms take the console's sign-in; signing out ends one of its own.
	signedIn, toEnd := consoleSignIn(tb, srv), consoleSignIn(tb, srv)
	staffAs := func(session, path string, seeds ...string) bodyRoute {
		return bodyRoute{method: "POST", path: path, ctype: "application/x-www-form-urlencoded", seeds: seeds, cookie: "pressroom_console=" + session}
	}
	staff := func(path string, seeds ...string) bodyRoute { return staffAs(signedIn, path, seeds...) }
	// A callback to send again: the fuzz server's callbacks go nowhere.
	cbs := decodeNumbers(tb, wantOK(tb, do(tb, "GET", srv.URL+"/v1/operator/callbacks?order="+staffOrder, operatorKey, nil), 200).Body)["data"].([]any)
	callback := "1"
	if len(cbs) > 0 {
		callback = fmt.Sprint(path(tb, cbs[0], "id"))
	}
	routes := map[string]bodyRoute{
		"POST /v1/products/configure": r("POST", "/v1/products/configure",
			`{"products":[{"code":"dibond","options":[{"code":"width","value":40},{"code":"height","value":20},{"code":"amount","value":5}]}]}`),
		"POST /v1/prices":                                      r("POST", "/v1/prices", js(nativePrice)),
		"POST /v1/api-products":                                r("POST", "/v1/api-products", `{"customer_code":"fz-ap","code":"dibond","options":`+dibondOptions+`}`),
		"PUT /v1/api-products/{customer_code}":                 r("PUT", "/v1/api-products/iso-ap", `{"code":"dibond","options":`+dibondOptions+`}`),
		"POST /v1/orders":                                      r("POST", "/v1/orders", orderBody("fz-1")),
		"POST /v1/orders/{number}/items":                       r("POST", draft+"/items", dibondItem),
		"PUT /v1/orders/{number}/items/{item}":                 r("PUT", draft+"/items/"+ob.draftItem, dibondItem),
		"POST /v1/orders/{number}/checkout":                    r("POST", "/v1/orders/"+checkoutDraft+"/checkout", `{}`),
		"PATCH /v1/orders/{number}":                            r("PATCH", draft, `{"reference":"fz","delivery":{"address":`+probonl+`,"shipping_method_code":"onbezorgd-standard"},"billing_address":null}`),
		"POST /v1/orders/{number}/reprints":                    r("POST", "/v1/orders/"+rpOrder+"/reprints", `{"reason":"damaged","note":"bent","items":[{"item_id":`+rpItem+`,"quantity":1}]}`),
		"PUT /v1/orders/{number}/items/{item}/artwork":         typed(r("PUT", ord+"/items/"+ob.item+"/artwork", formFile("artwork", pdf)), mp),
		"PUT /v1/orders/{number}/items/{item}/characteristics": r("PUT", ord+"/items/"+ob.item+"/characteristics", `{"characteristics":{"a":"b"}}`),
		"POST /v1/orders/{number}/cancel":                      r("POST", "/v1/orders/"+cancelOrder+"/cancel", `{}`),
		"POST /v1/orders/{number}/release":                     r("POST", "/v1/orders/"+cancelOrder+"/release", `{}`),
		"PUT /v1/orders/{number}/custom-fields":                r("PUT", ord+"/custom-fields", `{"custom_fields":{"a":"b"}}`),
		"POST /v1/callbacks/{id}/redeliver":                    r("POST", "/v1/callbacks/"+ob.callback+"/redeliver", `{}`),
		"POST /v1/callbacks/test":                              r("POST", "/v1/callbacks/test", `{"url":"https://shop.example/cb"}`),
		"PUT /v1/account/callbacks":                            r("PUT", "/v1/account/callbacks", `{"callback_url":"https://shop.example/cb"}`),

		"POST /v1/operator/resellers":                           op("POST", "/v1/operator/resellers", `{"name":"Other"}`, `{"name":"Free","edition":"free"}`),
		"PATCH /v1/operator/resellers/{id}":                     op("PATCH", "/v1/operator/resellers/"+ob.account, `{"markup":2}`),
		"POST /v1/operator/resellers/{id}/customers":            op("POST", "/v1/operator/resellers/"+ob.account+"/customers", `{"name":"A's customer"}`),
		"POST /v1/operator/resellers/{id}/keys":                 op("POST", "/v1/operator/resellers/"+ob.account+"/keys", `{"name":"temp"}`),
		"POST /v1/operator/catalog":                             op("POST", "/v1/operator/catalog", `{"default_language":"nl","products":[{"code":"bad","article_group":"cheese","unit":"m2","translations":{"en":{"title":"Bad"}},"steps":[["nope"]]}]}`),
		"POST /v1/operator/orders/{number}/status":              op("POST", "/v1/operator/orders/"+staffOrder+"/status", `{"status":"in_production"}`),
		"POST /v1/operator/keys":                                op("POST", "/v1/operator/keys", `{"name":"Anna (print room)"}`),
		"POST /v1/operator/orders/{number}/notes":               op("POST", "/v1/operator/orders/"+staffOrder+"/notes", `{"note":"customer called: ship on Friday"}`),
		"POST /console/orders/{number}/notes":                   staff("/console/orders/"+staffOrder+"/notes", "note=call+back"),
		"POST /console/login":                                   staff("/console/login", "key="+operatorKey+"&next=/console/orders", "key=nope"),
		"POST /console/logout":                                  staffAs(toEnd, "/console/logout", ""),
		"POST /console/orders/status":                           staff("/console/orders/status", "number="+staffOrder+"&status=hold", "number="+cancelOrder+"&number=1&status=in_production"),
		"POST /console/orders/{number}/status":                  staff("/console/orders/"+staffOrder+"/status", "status=shipment_created&track_and_trace=3S1&carrier=postnl&tracking_url=https%3A%2F%2Fpostnl.example%2F3S1", "payment=paid"),
		"POST /console/callbacks/{id}/redeliver":                staff("/console/callbacks/"+callback+"/redeliver", ""),
		"POST /console/reprints/{id}":                           staff("/console/reprints/"+reprint, "decision=reject&note=no", "decision=approve"),
		"POST /console/orders/{number}/items/{item}/artwork":    typed(staff("/console/orders/"+ob.order+"/items/"+ob.item+"/artwork", formFile("artwork", pdf)), mp),
		"POST /v1/operator/orders/{number}/payment":             op("POST", "/v1/operator/orders/"+staffOrder+"/payment", `{"payment":"paid"}`),
		"POST /v1/operator/orders/{number}/erase":               op("POST", "/v1/operator/orders/"+cancelOrder+"/erase", `{}`),
		"POST /v1/operator/reprints/{id}/approve":               op("POST", "/v1/operator/reprints/"+reprint+"/approve", `{"note":"sorry"}`),
		"POST /v1/operator/reprints/{id}/reject":                op("POST", "/v1/operator/reprints/"+reprint+"/reject", `{"note":"no"}`),
		"PUT /v1/operator/orders/{number}/items/{item}/artwork": typed(op("PUT", "/v1/operator/orders/"+ob.order+"/items/"+ob.item+"/artwork", formFile("artwork", pdf)), mp),

		"PUT /probo/uploader/{id}":             typed(r("PUT", uploader, formFile("file", pdf)), mp),
		"POST /probo/uploader/{id}":            typed(r("POST", uploader, formFile("file", pdf)), mp),
		"POST /probo/products/configure":       r("POST", "/probo/products/configure", js(seedExample(tb, "probo-user-guide.txt", "Request payload (iteration 1):")), js(seedExample(tb, "probo-user-guide.txt", "Request payload (can_order iteration)"))),
		"POST /probo/price":                    r("POST", "/probo/price", js(seedPrice), js(price)),
		"POST /probo/order":                    r("POST", "/probo/order", proboOrder("fz-2", files+"/a.pdf", "https://shop.example/cb", ob.day)),
		"POST /probo/order/status":             r("POST", "/probo/order/status", `{"orders":[{"id":"iso-probo"}]}`),
		"POST /probo/order/cancel":             r("POST", "/probo/order/cancel", `{"id":"iso-probo"}`),
		"POST /probo/order/release":            r("POST", "/probo/order/release", `{"id":"iso-probo"}`),
		"POST /probo/drafts":                   r("POST", "/probo/drafts", proboOrder("fz-d", files+"/a.pdf", "https://shop.example/cb", ob.day)),
		"POST /probo/ticket":                   r("POST", "/probo/ticket", `{"order_id":"fz-rp","reason":"broken","suggested_solution":"reprint"}`),
		"POST /probo/project":                  r("POST", "/probo/project", `{"name":"fz"}`),
		"POST /probo/products/uploader/create": r("POST", "/probo/products/uploader/create", `{"calculation_id":`+ob.calculation+`}`),

		"POST /profotonet/v1/order": r("POST", "/profotonet/v1/order", js(jsExample(tb, "label.md5 String false Optional MD5 of the file for extra checks after the download.")), js(pfOrder("fz-pf", files+"/a.jpg"))),
		"POST /profotonet/v1/reprint": r("POST", "/profotonet/v1/reprint", js(jsExample(tb, "note String false A note can be added to the reprint to help with the evaluation.")),
			`{"referenceId":"iso-pf","entries":[{"referenceId":1}],"reason":"damaged"}`),

		"POST /wl3/oauth/token":                                          typed(r("POST", "/wl3/oauth/token", "grant_type=client_credentials&client_id=a&client_secret="+demoKey), form),
		"POST /wl3/api/orders":                                           r("POST", "/wl3/api/orders", `{"accountId":"`+ob.account+`"}`, `{"accountId":"`+ob.customerAccount+`"}`),
		"PUT /wl3/api/orders/{orderId}":                                  r("PUT", w, wl3Address, `{"reference":"x"}`),
		"POST /wl3/api/orders/{orderId}/items":                           r("POST", w+"/items", fmt.Sprintf(wl3Dibond, files+"/a.pdf"), `{"productCode":"side-grip-spacer-2-5mm","quantity":1}`),
		"POST /wl3/api/orders/{orderId}/checkout":                        r("POST", w+"/checkout", `{}`),
		"PUT /wl3/api/orders/{orderId}/customfields":                     r("PUT", w+"/customfields", `{"customFields":[{"name":"a","value":"b"}]}`),
		"PUT /wl3/api/orders/{orderId}/items/{itemId}/characteristics":   r("PUT", w+"/items/"+ob.wl3Item+"/characteristics", `{"characteristics":[{"code":"width","value":"40"}]}`),
		"POST /boxes/v1/oauth2/token":                                    typed(r("POST", "/boxes/v1/oauth2/token", "grant_type=client_credentials&scope=external&client_id=a&client_secret="+demoKey), form),
		"POST /boxes/v1/reseller/orders":                                 r("POST", "/boxes/v1/reseller/orders", js(boxExample(tb, "POST /v1/reseller/orders HTTP/1.1", 1))),
		"PUT /boxes/v1/reseller/orders/{order_id}/products/{product_id}": typed(r("PUT", "/boxes/v1/reseller/orders/"+ob.box+"/products/"+ob.box+".02", formFile("file", pdf)), mp),
	}
	served := map[string]bool{}
	for _, p := range append(bodyPatterns(), consoleForms()...) {
		served[p] = true
		if _, ok := routes[p]; !ok {
			tb.Errorf("%s reads a body and is not fuzzed", p)
		}
	}
	patterns := make([]string, 0, len(routes))
	for p := range routes {
		if !served[p] {
			tb.Errorf("the fuzz table names %s, which the server does not answer with a body", p)
		}
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	return routes, patterns
}

// FuzzAPIBodies sends arbitrary bodies to every endpoint of every API that
// reads one (native, operator, Probo, Profotonet, white-label V3, boxes,
// the staff console's forms; JSON, forms and multipart uploads): whatever
// comes in, the answer is
// never a 5xx. The seed corpus is the seed documents' request examples and
// working bodies, each on its own endpoint, and odd bodies on all of them;
// the setup fails when an endpoint that reads a body is not fuzzed.
// `go test -run '^$' -fuzz FuzzAPIBodies -fuzzminimizetime 100x ./app`
// fuzzes; the normal suite runs the corpus.
func FuzzAPIBodies(f *testing.F) {
	files := fileServer(f, map[string][]byte{"/a.pdf": testfiles.PDF(200, 400, 10), "/a.jpg": photo(f, 300, 450, 5)})
	env := callbackEnv()
	env["PRESSROOM_RATE_LIMIT"] = "0" // a fuzzer outruns any key's limit, and then fuzzes the 429
	srv := startServer(f, []string{"--data", f.TempDir()}, env)
	routes, patterns := bodyRoutes(f, srv, files.URL) // in order: the corpus's route numbers stay put
	odd := []string{"", "null", "[]", "{}", `{"items":[null]}`, "\x00", `{"a":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
		"--fuzz\r\n", "--fuzz--\r\n", "a=%zz&b"}
	for i, p := range patterns {
		for _, s := range append(routes[p].seeds, odd...) {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		fr := routes[patterns[int(route)%len(patterns)]]
		headers := map[string]string{"Content-Type": fr.ctype}
		if fr.cookie != "" {
			headers["Cookie"] = fr.cookie
		}
		resp := doWith(t, fr.method, srv.URL+fr.path, fr.key, body, headers)
		if resp.Status >= 500 || resp.Status < 200 {
			t.Fatalf("%s %s %q: %d %s", fr.method, fr.path, body, resp.Status, resp.Body)
		}
	})
}
