package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// FuzzAPIBodies sends arbitrary bodies to the JSON endpoints of every API
// (native, Probo, Profotonet, white-label V3): whatever comes in, the
// answer is never a 5xx. The seed corpus is the seed documents' request
// examples, each on its own endpoint, and odd bodies on all of them.
// `go test -run '^$' -fuzz FuzzAPIBodies -fuzzminimizetime 100x ./app`
// fuzzes; the normal suite runs the corpus.
func FuzzAPIBodies(f *testing.F) {
	srv := startServer(f, []string{"--data", f.TempDir()}, nil)
	draft := fmt.Sprint(decodeNumbers(f, do(f, "POST", srv.URL+"/v1/orders", demoKey, `{"id":"fuzz-draft","stage":"draft","delivery":{"address":`+probonl+`},"items":[]}`).Body)["number"])
	account := fmt.Sprint(decodeNumbers(f, do(f, "GET", srv.URL+"/v1/account", demoKey, nil).Body)["id"])
	wlDraft := fmt.Sprint(decodeNumbers(f, do(f, "POST", srv.URL+"/wl3/api/orders", demoKey, `{"accountId":"`+account+`"}`).Body)["orderId"])
	routes := []struct{ method, path string }{
		{"POST", "/v1/orders"}, {"POST", "/v1/products/configure"}, {"POST", "/v1/prices"}, {"POST", "/v1/orders/" + draft + "/items"},
		{"POST", "/probo/order"}, {"POST", "/probo/products/configure"}, {"POST", "/probo/price"}, {"POST", "/probo/order/status"},
		{"POST", "/profotonet/v1/order"}, {"POST", "/profotonet/v1/reprint"},
		{"POST", "/wl3/api/orders"}, {"POST", "/wl3/api/orders/" + wlDraft + "/items"}, {"PUT", "/wl3/api/orders/" + wlDraft},
		{"POST", "/probo/ticket"}, {"PUT", "/v1/account/callbacks"}, {"PUT", "/wl3/api/orders/" + wlDraft + "/customfields"},
		{"POST", "/boxes/v1/reseller/orders"},
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	seeds := map[int][]string{
		0:  {orderBody("fz-1")},
		1:  {js(seedExample(f, "probo-user-guide.txt", "Request payload (iteration 1):"))},
		2:  {`{"products":[{"code":"dibond","options":[{"code":"width","value":40},{"code":"height","value":20},{"code":"amount","value":5}]}],"delivery":{"address":{"country":"NL"}}}`},
		3:  {dibondItem},
		4:  {proboOrder("fz-2", "https://files.example/a.pdf", "https://shop.example/cb", "2030-01-02")},
		5:  {js(seedExample(f, "probo-user-guide.txt", "Request payload (can_order iteration)"))},
		6:  {js(seedExample(f, "probo-user-guide.txt", "Request payload (price)"))},
		7:  {`{"orders":[{"id":"fz-2"}]}`},
		8:  {js(jsExample(f, "label.md5 String false Optional MD5 of the file for extra checks after the download."))},
		9:  {js(jsExample(f, "note String false A note can be added to the reprint to help with the evaluation."))},
		10: {`{"accountId":"` + account + `"}`},
		11: {fmt.Sprintf(wl3Dibond, "https://files.example/a.pdf")},
		12: {wl3Address},
		13: {`{"order_id":"fz-2","reason":"damaged","description":"bent"}`},
		14: {`{"callback_url":"https://shop.example/cb"}`},
		15: {`{"customFields":[{"name":"a","value":"b"}]}`},
		16: {js(boxExample(f, "POST /v1/reseller/orders HTTP/1.1", 1))},
	}
	for i := range routes {
		for _, s := range seeds[i] {
			f.Add(uint8(i), []byte(s))
		}
		for _, odd := range []string{"", "null", "[]", "{}", `{"items":[null]}`, "\x00", `{"a":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`} {
			f.Add(uint8(i), []byte(odd))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := routes[int(route)%len(routes)]
		resp := do(t, r.method, srv.URL+r.path, demoKey, body)
		if resp.Status >= 500 || resp.Status < 200 {
			t.Fatalf("%s %s %q: %d %s", r.method, r.path, body, resp.Status, resp.Body)
		}
	})
}
