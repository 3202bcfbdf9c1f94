package app_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/testfiles"
)

// isolationExempt are the endpoints that take no id of a reseller's
// object, each with the reason; everything else is in the matrix.
var isolationExempt = map[string]string{
	"GET /healthz": "public", "GET /metrics": "public", "GET /openapi.json": "public",
	"GET /track/{token}": "public by an unguessable token, on purpose (the reseller's customer follows it)",
	"GET /v1/account":    "the caller's own", "GET /v1/products": "the shared catalog", "GET /v1/products/{code}": "the shared catalog",
	"POST /v1/products/configure": "the shared catalog", "GET /v1/products/{code}/tiers": "the shared catalog",
	"POST /v1/prices": "the shared catalog", "GET /v1/shipping/methods": "the shared catalog",
	"GET /v1/api-products": "a list of the caller's own", "POST /v1/api-products": "creates the caller's own",
	"POST /v1/orders": "creates the caller's own", "GET /v1/orders": "a list of the caller's own",
	"GET /v1/callbacks": "a list of the caller's own", "POST /v1/callbacks/test": "to a URL the caller gives",
	"GET /v1/account/callbacks": "the caller's own", "PUT /v1/account/callbacks": "the caller's own",

	"GET /probo/products": "the shared catalog", "GET /probo/products/product/{code}": "the shared catalog",
	"POST /probo/products/configure": "the shared catalog", "POST /probo/price": "the shared catalog",
	"GET /probo/products/product/{code}/tiers": "the shared catalog", "GET /probo/apiproducts": "a list of the caller's own",
	"GET /probo/shipping/methods": "the shared catalog", "GET /probo/orders": "a list of the caller's own",
	"POST /probo/drafts": "creates the caller's own", "GET /probo/tickets": "a list of the caller's own",
	"POST /probo/project": "creates the caller's own", "GET /probo/projects": "a list of the caller's own",

	"GET /profotonet/v1/products": "the shared catalog",

	"POST /boxes/v1/oauth2/token": "the caller's own key", "GET /boxes/v1/reseller/orders": "a list of the caller's own",
	"POST /boxes/v1/reseller/orders": "creates the caller's own", "GET /boxes/v1/reseller/dieline": "the shared catalog",
	"POST /wl3/oauth/token": "the caller's own key", "GET /wl3/api/accounts": "a list of the caller's own",
	"GET /wl3/api/orders": "a list of the caller's own",
}

// TestTenantIsolationMatrix: for every endpoint of every API that takes an
// id (in the path, the query or the body), another reseller's id answers
// as if it did not exist, in that API's own way; and the matrix covers
// every endpoint the server answers (operator endpoints see every
// reseller by design, and the ones without an id are listed with why).
func TestTenantIsolationMatrix(t *testing.T) {
	forEachStore(t, testIsolation)
}

func testIsolation(t *testing.T, st storeArgs) {
	files := fileServer(t, map[string][]byte{"/a.pdf": testfiles.PDF(200, 400, 10), "/a.jpg": photo(t, 300, 450, 5)})
	srv := startServer(t, st.args(t), callbackEnv())
	a := demoKey
	ob := makeObjects(t, srv, files.URL, a)
	day, n, item, draft, draftItem, cb := ob.day, ob.order, ob.item, ob.draft, ob.draftItem, ob.callback
	calc, session, project, w, wItem, custAccount, bx := ob.calculation, ob.uploader, ob.project, ob.wl3Draft, ob.wl3Item, ob.customerAccount, ob.box

	b := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"B"}`).JSON(t)["api_key"].(string)

	type probe struct {
		method, path string // the request B sends, with A's ids
		body         any
		status       int
		says         string // in the answer
	}
	nf := `"not_found"`
	ord := "/v1/orders/" + n
	probes := map[string]probe{
		"GET /v1/api-products/{customer_code}":                           {"GET", "/v1/api-products/iso-ap", nil, 404, nf},
		"PUT /v1/api-products/{customer_code}":                           {"PUT", "/v1/api-products/iso-ap", `{"code":"dibond","options":` + dibondOptions + `}`, 404, nf},
		"DELETE /v1/api-products/{customer_code}":                        {"DELETE", "/v1/api-products/iso-ap", nil, 404, nf},
		"GET /v1/orders/{number}":                                        {"GET", ord, nil, 404, nf},
		"GET /v1/orders/{number}/items":                                  {"GET", ord + "/items", nil, 404, nf},
		"GET /v1/orders/{number}/items/{item}":                           {"GET", ord + "/items/" + item, nil, 404, nf},
		"GET /v1/orders/{number}/events":                                 {"GET", ord + "/events", nil, 404, nf},
		"DELETE /v1/orders/{number}":                                     {"DELETE", "/v1/orders/" + draft, nil, 404, nf},
		"POST /v1/orders/{number}/items":                                 {"POST", "/v1/orders/" + draft + "/items", dibondItem, 404, nf},
		"PUT /v1/orders/{number}/items/{item}":                           {"PUT", "/v1/orders/" + draft + "/items/" + draftItem, dibondItem, 404, nf},
		"DELETE /v1/orders/{number}/items/{item}":                        {"DELETE", "/v1/orders/" + draft + "/items/" + draftItem, nil, 404, nf},
		"POST /v1/orders/{number}/checkout":                              {"POST", "/v1/orders/" + draft + "/checkout", nil, 404, nf},
		"PATCH /v1/orders/{number}":                                      {"PATCH", "/v1/orders/" + draft, `{"reference":"taken over"}`, 404, nf},
		"POST /v1/orders/{number}/reprints":                              {"POST", ord + "/reprints", `{"reason":"damaged"}`, 404, nf},
		"GET /v1/orders/{number}/items/{item}/artwork":                   {"GET", ord + "/items/" + item + "/artwork", nil, 404, nf},
		"GET /v1/orders/{number}/documents":                              {"GET", ord + "/documents", nil, 404, nf},
		"GET /v1/orders/{number}/items/{item}/artwork/{index}/file":      {"GET", ord + "/items/" + item + "/artwork/0/file", nil, 404, nf},
		"GET /v1/orders/{number}/documents/{kind}/file":                  {"GET", ord + "/documents/packing_slip/file", nil, 404, nf},
		"PUT /v1/orders/{number}/items/{item}/artwork":                   {"PUT", ord + "/items/" + item + "/artwork", testfiles.PDF(200, 400, 10), 404, nf},
		"GET /v1/orders/{number}/reprints":                               {"GET", ord + "/reprints", nil, 404, nf},
		"GET /v1/orders/{number}/items/{item}/characteristics":           {"GET", ord + "/items/" + item + "/characteristics", nil, 404, nf},
		"PUT /v1/orders/{number}/items/{item}/characteristics":           {"PUT", ord + "/items/" + item + "/characteristics", `{"characteristics":{"a":"b"}}`, 404, nf},
		"POST /v1/orders/{number}/cancel":                                {"POST", ord + "/cancel", nil, 404, nf},
		"POST /v1/orders/{number}/release":                               {"POST", ord + "/release", nil, 404, nf},
		"GET /v1/orders/{number}/custom-fields":                          {"GET", ord + "/custom-fields", nil, 404, nf},
		"PUT /v1/orders/{number}/custom-fields":                          {"PUT", ord + "/custom-fields", `{"custom_fields":{"a":"b"}}`, 404, nf},
		"GET /v1/callbacks/{id}":                                         {"GET", "/v1/callbacks/" + cb, nil, 404, nf},
		"POST /v1/callbacks/{id}/redeliver":                              {"POST", "/v1/callbacks/" + cb + "/redeliver", nil, 404, nf},
		"GET /probo/apiproducts/product/{customer_code}":                 {"GET", "/probo/apiproducts/product/iso-ap", nil, 404, ""},
		"POST /probo/order":                                              {"POST", "/probo/order", strings.Replace(proboOrder("iso-b", files.URL+"/a.pdf", "https://shop.example/p", day), `"products":[{`, `"project_id":`+project+`,"products":[{`, 1), 400, "project"},
		"POST /probo/order/status":                                       {"POST", "/probo/order/status", `{"orders":[{"id":"iso-probo"}]}`, 404, "Order does not exist"},
		"POST /probo/order/cancel":                                       {"POST", "/probo/order/cancel", `{"id":"iso-probo"}`, 400, "Order does not exist"},
		"POST /probo/order/release":                                      {"POST", "/probo/order/release", `{"id":"iso-probo"}`, 400, "Order does not exist"},
		"POST /probo/ticket":                                             {"POST", "/probo/ticket", `{"order_id":"iso-probo","reason":"broken","suggested_solution":"reprint"}`, 404, "Order does not exist"},
		"POST /probo/products/uploader/create":                           {"POST", "/probo/products/uploader/create", `{"calculation_id":` + calc + `}`, 404, "does not exist"},
		"PUT /probo/uploader/{id}":                                       {"PUT", "/probo/uploader/" + session + "?token=guess", testfiles.PDF(200, 400, 10), 404, "Uploader not found"},
		"POST /probo/uploader/{id}":                                      {"POST", "/probo/uploader/" + session + "?token=guess", testfiles.PDF(200, 400, 10), 404, "Uploader not found"},
		"GET /profotonet/v1/order":                                       {"GET", "/profotonet/v1/order?referenceId=iso-pf", nil, 404, `"field":"referenceId"`},
		"POST /profotonet/v1/reprint":                                    {"POST", "/profotonet/v1/reprint", `{"referenceId":"iso-pf","entries":[{"referenceId":1}],"reason":"damaged"}`, 404, `"field":"referenceId"`},
		"POST /wl3/api/orders":                                           {"POST", "/wl3/api/orders", `{"accountId":"` + custAccount + `"}`, 404, nf},
		"GET /wl3/api/orders/{orderId}":                                  {"GET", "/wl3/api/orders/" + w, nil, 404, nf},
		"GET /boxes/v1/reseller/orders/{order_id}":                       {"GET", "/boxes/v1/reseller/orders/" + bx, nil, 404, `"NOT_FOUND"`},
		"GET /boxes/v1/reseller/orders/{order_id}/products/{product_id}": {"GET", "/boxes/v1/reseller/orders/" + bx + "/products/" + bx + ".02", nil, 404, `"NOT_FOUND"`},
		"PUT /boxes/v1/reseller/orders/{order_id}/products/{product_id}": {"PUT", "/boxes/v1/reseller/orders/" + bx + "/products/" + bx + ".02", testfiles.PDF(200, 400, 10), 404, `"NOT_FOUND"`},
		"PUT /wl3/api/orders/{orderId}":                                  {"PUT", "/wl3/api/orders/" + w, `{"reference":"x"}`, 404, nf},
		"POST /wl3/api/orders/{orderId}/items":                           {"POST", "/wl3/api/orders/" + w + "/items", `{"productCode":"side-grip-spacer-2-5mm","quantity":1}`, 404, nf},
		"GET /wl3/api/orders/{orderId}/items":                            {"GET", "/wl3/api/orders/" + w + "/items", nil, 404, nf},
		"GET /wl3/api/orders/{orderId}/items/{itemId}":                   {"GET", "/wl3/api/orders/" + w + "/items/" + wItem, nil, 404, nf},
		"DELETE /wl3/api/orders/{orderId}/items/{itemId}":                {"DELETE", "/wl3/api/orders/" + w + "/items/" + wItem, nil, 404, nf},
		"POST /wl3/api/orders/{orderId}/checkout":                        {"POST", "/wl3/api/orders/" + w + "/checkout", nil, 404, nf},
		"GET /wl3/api/orders/{orderId}/execute/status":                   {"GET", "/wl3/api/orders/" + w + "/execute/status", nil, 404, nf},
		"GET /wl3/api/orders/{orderId}/customfields":                     {"GET", "/wl3/api/orders/" + w + "/customfields", nil, 404, nf},
		"PUT /wl3/api/orders/{orderId}/customfields":                     {"PUT", "/wl3/api/orders/" + w + "/customfields", `{"customFields":[]}`, 404, nf},
		"GET /wl3/api/orders/{orderId}/items/{itemId}/characteristics":   {"GET", "/wl3/api/orders/" + w + "/items/" + wItem + "/characteristics", nil, 404, nf},
		"PUT /wl3/api/orders/{orderId}/items/{itemId}/characteristics":   {"PUT", "/wl3/api/orders/" + w + "/items/" + wItem + "/characteristics", `{"characteristics":[]}`, 404, nf},
	}
	// Profotonet's order takes no id of another's object; its probe checks
	// that a referenceId in use by A is free for B (ids are per reseller).
	probes["POST /profotonet/v1/order"] = probe{"POST", "/profotonet/v1/order", pfOrder("iso-pf", files.URL+"/a.jpg"), 200, `"status":"accepted"`}

	// The matrix covers every endpoint.
	known := map[string]bool{}
	for _, p := range allPatterns() {
		known[p] = true
		_, probed := probes[p]
		_, exempt := isolationExempt[p]
		operator := strings.Contains(p, "/v1/operator/")
		if !probed && !exempt && !operator {
			t.Errorf("%s is in neither the isolation matrix nor its exemptions", p)
		}
	}
	for p := range probes {
		if !known[p] {
			t.Errorf("the matrix probes %s, which the server does not answer", p)
		}
	}
	for p := range isolationExempt {
		if !known[p] {
			t.Errorf("the exemptions name %s, which the server does not answer", p)
		}
	}

	patterns := make([]string, 0, len(probes))
	for p := range probes {
		if p != "POST /profotonet/v1/order" {
			patterns = append(patterns, p)
		}
	}
	sort.Strings(patterns)
	// Last: B placing an order under the referenceId A uses, which is B's to use.
	patterns = append(patterns, "POST /profotonet/v1/order")
	for _, pattern := range patterns {
		pr := probes[pattern]
		r := do(t, pr.method, srv.URL+pr.path, b, pr.body)
		if r.Status != pr.status || !strings.Contains(string(r.Body), pr.says) {
			t.Errorf("%s as reseller B: %d %.300s, want %d with %q", pattern, r.Status, r.Body, pr.status, pr.says)
		}
	}

	// A's objects are untouched by all of that.
	if o2 := decodeNumbers(t, do(t, "GET", srv.URL+ord, a, nil).Body); o2["status"] != "accepted" {
		t.Errorf("A's order after B's attempts: %v", o2["status"])
	}
	if r := do(t, "GET", srv.URL+"/v1/api-products/iso-ap", a, nil); r.Status != 200 {
		t.Errorf("A's API product after B's attempts: %d", r.Status)
	}
	if r := wl(t, srv, "GET", "/orders/"+w+"/items", a, nil); !strings.Contains(string(r.Body), `"total":1`) {
		t.Errorf("A's WL3 draft after B's attempts: %s", r.Body)
	}
}

func wantOK(t testing.TB, r response, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("setup: %d %s, want %d", r.Status, r.Body, status)
	}
	return r
}

// objects are one of each kind of object a reseller has, made through the
// APIs by the reseller (and its customer account by the operator): the
// ids that the endpoints taking one are tried with.
type objects struct {
	account, customerAccount string // the reseller's own and a customer's WL3 account
	day                      string // a seed weekday far enough ahead to order for
	order, item              string // an accepted native order and its first item
	draft, draftItem         string // a native draft and its item
	callback                 string // a callback event of the order
	calculation, uploader    string // a Probo price calculation and its upload session
	uploaderURL              string // where the session takes the file, with its token
	project                  string // a Probo project
	wl3Draft, wl3Item        string // a WL3 draft and its item
	box                      string // a packaging-box order
}

// makeObjects makes them for the reseller of key; files serves /a.pdf and
// /a.jpg.
func makeObjects(t testing.TB, srv *server, files, key string) objects {
	t.Helper()
	a := key
	var ob objects
	ob.account = fmt.Sprint(decodeNumbers(t, do(t, "GET", srv.URL+"/v1/account", a, nil).Body)["id"])
	ob.day = seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL").String()
	o := decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/v1/orders", a, orderBody("iso-1")), 201).Body)
	ob.order, ob.item = fmt.Sprint(o["number"]), fmt.Sprint(path(t, o, "items", 0, "id"))
	dr := decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/v1/orders", a, `{"id":"iso-draft","stage":"draft","delivery":{"address":`+probonl+`},"items":[`+dibondItem+`]}`), 201).Body)
	ob.draft, ob.draftItem = fmt.Sprint(dr["number"]), fmt.Sprint(path(t, dr, "items", 0, "id"))
	wantOK(t, do(t, "POST", srv.URL+"/v1/api-products", a, `{"customer_code":"iso-ap","code":"dibond","options":`+dibondOptions+`}`), 201)
	for _, c := range decodeNumbers(t, do(t, "GET", srv.URL+"/v1/callbacks", a, nil).Body)["data"].([]any) {
		ob.callback = fmt.Sprint(c.(map[string]any)["id"])
	}
	if ob.callback == "" {
		t.Fatal("no callback of the reseller")
	}
	wantOK(t, do(t, "POST", srv.URL+"/probo/order", a, proboOrder("iso-probo", files+"/a.pdf", "https://shop.example/p", ob.day)), 202)
	price := seedExample(t, "probo-user-guide.txt", "Request payload (price)").(map[string]any)
	delete(price["deliveries"].([]any)[0].(map[string]any), "delivery_date")
	ob.calculation = fmt.Sprint(decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/probo/price", a, price), 200).Body)["calculation_id"])
	up := decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/probo/products/uploader/create", a, `{"calculation_id":`+ob.calculation+`}`), 200).Body)
	ob.uploader = fmt.Sprint(path(t, up, "uploaders", 0, "id"))
	ob.uploaderURL = fmt.Sprint(path(t, up, "uploaders", 0, "url"))
	ob.project = fmt.Sprint(decodeNumbers(t, do(t, "POST", srv.URL+"/probo/project", a, `{"name":"iso"}`).Body)["id"])
	wantOK(t, pf(t, srv, "POST", "/order", a, pfOrder("iso-pf", files+"/a.jpg")), 200)
	ob.wl3Draft = fmt.Sprint(decodeNumbers(t, wantOK(t, wl(t, srv, "POST", "/orders", a, `{"accountId":"`+ob.account+`"}`), 201).Body)["orderId"])
	ob.wl3Item = fmt.Sprint(decodeNumbers(t, wantOK(t, wl(t, srv, "POST", "/orders/"+ob.wl3Draft+"/items", a, `{"productCode":"side-grip-spacer-2-5mm","quantity":1}`), 201).Body)["itemId"])
	cust := decodeNumbers(t, do(t, "POST", srv.URL+"/v1/operator/resellers/"+ob.account+"/customers", operatorKey, `{"name":"A's customer"}`).Body)
	ob.customerAccount = ob.account + "-" + fmt.Sprint(cust["id"])
	boxReq := boxExample(t, "POST /v1/reseller/orders HTTP/1.1", 1)
	ob.box = fmt.Sprint(path(t, decodeNumbers(t, wantOK(t, do(t, "POST", srv.URL+"/boxes/v1/reseller/orders", a, boxReq), 200).Body), "response", "id"))
	return ob
}
