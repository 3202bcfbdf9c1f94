package app_test

import (
	"net/url"
	"strings"
	"testing"
)

// A reseller's customers know its shop, not the print company: staff set
// the shop's name and address (operator API or CLI), the tracking pages
// name it and link to it, and the reseller's account shows it.
func TestTrackingPageNamesTheShop(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		o := mustOrder(t, srv, demoKey, orderBody("shop-1", `"language":"nl"`))
		html := map[string]string{"Accept": "text/html"}
		page := func() string {
			return string(wantOK(t, doWith(t, "GET", o["tracking_page"].(string), "", nil, html), 200).Body)
		}
		if body := page(); strings.Contains(body, `class="shop"`) {
			t.Errorf("a page names a shop before one is set:\n%s", body)
		}

		r := wantOK(t, do(t, "PATCH", srv.URL+"/v1/operator/resellers/1000001", operatorKey, `{"shop_name":" Fotoshop <Noord> ","shop_url":"https://fotoshop.example/"}`), 200).JSON(t)
		if r["shop_name"] != "Fotoshop <Noord>" || r["shop_url"] != "https://fotoshop.example/" {
			t.Errorf("the operator's view: %v", r)
		}
		if acc := do(t, "GET", srv.URL+"/v1/account", demoKey, nil).JSON(t); acc["shop_name"] != "Fotoshop <Noord>" || acc["shop_url"] != "https://fotoshop.example/" {
			t.Errorf("the reseller's account: %v", acc)
		}
		body := page()
		for _, want := range []string{`<p class="shop"><a href="https://fotoshop.example/" rel="noreferrer noopener">Fotoshop &lt;Noord&gt;</a></p>`,
			"<title>Fotoshop &lt;Noord&gt;: Uw bestelling", "Uw bestelling"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q:\n%s", want, body)
			}
		}

		for _, bad := range []struct{ body, pointer string }{
			{`{"shop_url":"javascript:alert(1)"}`, "/shop_url"},
			{`{"shop_url":"fotoshop.example"}`, "/shop_url"},
			{`{"shop_name":"` + strings.Repeat("x", 101) + `"}`, "/shop_name"},
			{`{"shop_name":"two\nlines"}`, "/shop_name"},
		} {
			r := do(t, "PATCH", srv.URL+"/v1/operator/resellers/1000001", operatorKey, bad.body)
			if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"`+bad.pointer+`"`) {
				t.Errorf("PATCH %s: %d %s", bad.body, r.Status, r.Body)
			}
		}

		// The CLI sets it too; a name alone is named without a link, and
		// the console's resellers page shows it.
		if code, out, errOut := runCLI(t, nil, append([]string{"resellers", "update", "--id", "1000001", "--shop-name", "Fotoshop Zuid", "--shop-url", ""}, srv.Args...)...); code != 0 || !strings.Contains(out, `shop "Fotoshop Zuid"`) {
			t.Fatalf("resellers update: exit %d %s%s", code, out, errOut)
		}
		if body := page(); !strings.Contains(body, `<p class="shop">Fotoshop Zuid</p>`) {
			t.Errorf("the page after the CLI's change:\n%s", body)
		}
		b := newBrowser(t, srv)
		wantPage(t, b.post("/console/login", url.Values{"key": {operatorKey}}), 303)
		wantPage(t, b.get("/console/resellers"), 200, "Fotoshop Zuid")
		if code, _, errOut := runCLI(t, nil, append([]string{"resellers", "update", "--id", "1000001", "--shop-url", "ftp://x"}, srv.Args...)...); code == 0 || !strings.Contains(errOut, "shop_url") {
			t.Errorf("a bad shop URL from the CLI: exit %d %s", code, errOut)
		}
	})
}
