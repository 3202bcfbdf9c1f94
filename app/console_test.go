package app_test

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/console"
	"github.com/pressroom/pressroom/internal/testfiles"
)

// browser is a staff member's browser: it keeps the console's cookie and
// shows each answer as it comes, redirects included.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	cookie *http.Cookie
}

type page struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
}

func newBrowser(t *testing.T, srv *server) *browser {
	return &browser{t: t, base: srv.URL, client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) send(method, path string, body io.Reader, headers map[string]string) page {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.cookie != nil {
		req.AddCookie(b.cookie)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "pressroom_console" {
			if c.MaxAge < 0 || c.Value == "" {
				b.cookie = nil
			} else {
				b.cookie = c
			}
		}
	}
	return page{Status: resp.StatusCode, Header: resp.Header, Body: string(data), Location: resp.Header.Get("Location")}
}

func (b *browser) get(path string) page { b.t.Helper(); return b.send("GET", path, nil, nil) }

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	return b.send("POST", path, strings.NewReader(form.Encode()), nil)
}

func wantPage(t *testing.T, p page, status int, contains ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d; location %q\n%s", p.Status, status, p.Location, p.Body)
	}
	for _, c := range contains {
		if !strings.Contains(p.Body, c) {
			t.Fatalf("the page lacks %q:\n%s", c, p.Body)
		}
	}
}

// The console is the staff's: it takes the operator key only, and sends
// anyone else to sign in, wherever they meant to go on the console and
// nowhere else.
func TestConsoleSignsInTheOperatorOnly(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		o := mustOrder(t, srv, demoKey, orderBody("con-1"))
		b := newBrowser(t, srv)

		p := b.get("/console")
		if p.Status != 303 || p.Location != "/console/orders" {
			t.Fatalf("/console: %d to %q", p.Status, p.Location)
		}
		if p := b.send("HEAD", "/console/orders", nil, nil); p.Status != 303 {
			t.Fatalf("HEAD of the orders without signing in: %d", p.Status)
		}
		p = b.get("/console/orders/" + num(t, o["number"]))
		if p.Status != 303 || p.Location != "/console/login?next=%2Fconsole%2Forders%2F"+num(t, o["number"]) {
			t.Fatalf("an order's page without signing in: %d to %q", p.Status, p.Location)
		}
		wantPage(t, b.get("/console/login?next=%2Fconsole%2Forders%2F"+num(t, o["number"])), 200,
			`name="next" value="/console/orders/`+num(t, o["number"])+`"`, `type="password"`)
		// A form post without signing in changes nothing.
		wantPage(t, b.post("/console/orders/"+num(t, o["number"])+"/status", url.Values{"status": {"in_production"}}), 401, "not signed in")
		if got := do(t, "GET", orderURL(srv, o, ""), demoKey, nil).JSON(t)["status"]; got != "accepted" {
			t.Fatalf("after a post without a sign-in the order is %v", got)
		}

		for _, key := range []string{demoKey, "no-such-key", ""} {
			wantPage(t, b.post("/console/login", url.Values{"key": {key}, "next": {"/console/orders"}}), 401, "not an operator key")
			if b.cookie != nil {
				t.Fatalf("key %q signed in", key)
			}
		}
		// The sign-in goes on to the page asked for; another site is never
		// where it goes.
		for next, want := range map[string]string{
			"/console/orders/" + num(t, o["number"]): "/console/orders/" + num(t, o["number"]),
			"https://evil.example/":                  "/console/orders",
			"//evil.example/console/":                "/console/orders",
			"/v1/account":                            "/console/orders",
			"":                                       "/console/orders",
		} {
			b.cookie = nil
			p := b.post("/console/login", url.Values{"key": {operatorKey}, "next": {next}})
			if p.Status != 303 || p.Location != want {
				t.Fatalf("sign-in with next %q: %d to %q, want %q", next, p.Status, p.Location, want)
			}
		}
		c := b.cookie
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/console" {
			t.Fatalf("the sign-in cookie: %+v", c)
		}
		// Signed in, the sign-in page goes on to the page asked for.
		if p := b.get("/console/login?next=%2Fconsole%2Freprints"); p.Status != 303 || p.Location != "/console/reprints" {
			t.Fatalf("the sign-in page when signed in: %d to %q", p.Status, p.Location)
		}
		p = wantPageOf(t, b.get("/console/orders"), 200, num(t, o["number"]))
		for k, v := range map[string]string{"Content-Security-Policy": "default-src 'none'", "X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
			if !strings.Contains(p.Header.Get(k), v) {
				t.Errorf("%s: %q, want %q", k, p.Header.Get(k), v)
			}
		}
		wantPage(t, b.get("/console/static/console.css"), 200, "font")

		// Signing in again ends the browser's sign-in before.
		before := *c
		wantPage(t, b.post("/console/login", url.Values{"key": {operatorKey}}), 303)
		c = b.cookie
		b.cookie = &before
		if p := b.get("/console/orders"); p.Status != 303 {
			t.Fatalf("the sign-in before signing in again: %d", p.Status)
		}
		b.cookie = c
		// The browser holds a sign-in of its own, not the operator key, and
		// it opens no API.
		if strings.Contains(c.Value, operatorKey) || c.MaxAge != 12*3600 {
			t.Fatalf("the cookie holds %q for %d s", c.Value, c.MaxAge)
		}
		wantOK(t, do(t, "GET", srv.URL+"/v1/operator/orders", c.Value, nil), 401)

		// Signing out ends the sign-in on the server: a copy of the cookie
		// opens nothing either.
		p = b.post("/console/logout", nil)
		if p.Status != 303 || b.cookie != nil {
			t.Fatalf("sign out: %d, cookie %+v", p.Status, b.cookie)
		}
		if p := b.get("/console/orders"); p.Status != 303 {
			t.Fatalf("the list after signing out: %d", p.Status)
		}
		b.cookie = c
		if p := b.get("/console/orders"); p.Status != 303 {
			t.Fatalf("the cookie kept from before signing out: %d", p.Status)
		}
		// Neither a reseller's key nor the operator key itself in the
		// cookie is a sign-in.
		for _, key := range []string{demoKey, operatorKey} {
			b.cookie = &http.Cookie{Name: "pressroom_console", Value: key}
			if p := b.get("/console/orders"); p.Status != 303 {
				t.Fatalf("a key as the cookie: %d\n%s", p.Status, p.Body)
			}
		}
	})
}

func wantPageOf(t *testing.T, p page, status int, contains ...string) page {
	t.Helper()
	wantPage(t, p, status, contains...)
	return p
}

// Staff find the orders to produce, open one, download its print file and
// move it on; what they do is what the operator API does: checked,
// recorded as the operator's, and seen by the reseller.
func TestConsoleRunsProduction(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		b := newBrowser(t, srv)
		wantPage(t, b.post("/console/login", url.Values{"key": {operatorKey}}), 303)

		shop := mustOrder(t, srv, demoKey, strings.Replace(orderBody("con-2"), `"reference":"Reseller API test order"`, `"reference":"<script>alert(1)</script>"`, 1))
		up := mustOrder(t, srv, demoKey, `{"id":"con-3","reference":"plates","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`)
		pdf := testfiles.PDF(200, 400, 10)
		item := num(t, path(t, up, "items", 0, "id"))
		wantOK(t, do(t, "PUT", orderURL(srv, up, "/items/"+item+"/artwork"), demoKey, pdf), 202)
		n, m := num(t, shop["number"]), num(t, up["number"])

		// The list: newest first, the reference escaped, filters as production uses them.
		p := wantPageOf(t, b.get("/console/orders"), 200, "/console/orders/"+n, "/console/orders/"+m, "&lt;script&gt;alert(1)&lt;/script&gt;")
		if strings.Contains(p.Body, "<script>") {
			t.Fatal("the list shows a reseller's reference as HTML")
		}
		if strings.Index(p.Body, "/console/orders/"+m+`"`) > strings.Index(p.Body, "/console/orders/"+n+`"`) {
			t.Error("the list is not newest first")
		}
		p = wantPageOf(t, b.get("/console/orders?reference=plates"), 200, "/console/orders/"+m, "1–1 of 1 orders")
		if strings.Contains(p.Body, "/console/orders/"+n+`"`) {
			t.Error("the reference filter kept another order")
		}
		wantPage(t, b.get("/console/orders?status=in_production"), 200, "No orders match.")
		wantPage(t, b.get("/console/orders?name=probo+sign"), 200, "/console/orders/"+m, "/console/orders/"+n, "1–2 of 2 orders")
		wantPage(t, b.get("/console/orders?name=nobody"), 200, "No orders match.")
		today := time.Now().UTC().Format(time.DateOnly)
		wantPage(t, b.get("/console/orders?from=2000-01-01&to=2999-12-31"), 200, "1–2 of 2 orders", `value="2000-01-01"`)
		wantPage(t, b.get("/console/orders?from=2999-01-01"), 200, "No orders match.")
		wantPage(t, b.get("/console/orders?from="+today+"&to=12-03-2026"), 400, "?to")
		wantPage(t, b.get("/console/orders?from=2026-12-10&to=2026-12-01"), 400, "?to", "before the first")
		wantPage(t, b.get("/console/orders?status=bogus&page=0"), 400, "?status", "?page")
		if p := b.get("/console/orders?number=" + m); p.Status != 303 || p.Location != "/console/orders/"+m {
			t.Fatalf("open by number: %d to %q", p.Status, p.Location)
		}
		wantPage(t, b.get("/console/orders?number=12x"), 400, "not an order number")

		// The list as a spreadsheet: every page, oldest first; a text that a
		// spreadsheet would run as a formula is kept a text.
		formula := mustOrder(t, srv, demoKey, strings.Replace(orderBody("con-4"), `"reference":"Reseller API test order"`, `"reference":"=HYPERLINK(\"https://evil.example\")"`, 1))
		wantPage(t, b.get("/console/orders"), 200, `<a href="/console/orders.csv">download all 3 as CSV</a>`)
		wantPage(t, b.get("/console/orders?reference=plates"), 200, `<a href="/console/orders.csv?reference=plates">`)
		csvPage := b.get("/console/orders.csv")
		if csvPage.Status != 200 || !strings.HasPrefix(csvPage.Header.Get("Content-Type"), "text/csv") || !strings.Contains(csvPage.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("the export: %d %v", csvPage.Status, csvPage.Header)
		}
		rows, err := csv.NewReader(strings.NewReader(csvPage.Body)).ReadAll()
		if err != nil {
			t.Fatalf("the export is not CSV: %v\n%s", err, csvPage.Body)
		}
		if len(rows) != 4 || rows[0][0] != "number" || rows[1][0] != n || rows[2][0] != m || rows[3][0] != num(t, formula["number"]) {
			t.Fatalf("the export's rows: %q", rows)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		if r := rows[1]; r[col["reference"]] != "<script>alert(1)</script>" || r[col["reseller"]] != "demo" || r[col["status"]] != "accepted" ||
			r[col["total_excl_vat"]] != fmt.Sprint(path(t, shop, "totals", "total", "excl_vat")) || r[col["delivery_name"]] != "Probo Sign" || r[col["country"]] != "NL" {
			t.Errorf("the shop order's row: %q (order %v)", r, shop["totals"])
		}
		if got := rows[3][col["reference"]]; got != `'=HYPERLINK("https://evil.example")` {
			t.Errorf("a formula reference: %q", got)
		}
		if rows, _ := csv.NewReader(strings.NewReader(b.get("/console/orders.csv?reference=plates").Body)).ReadAll(); len(rows) != 2 || rows[1][0] != m {
			t.Errorf("the filtered export: %q", rows)
		}
		wantPage(t, b.get("/console/orders.csv?status=bogus"), 400, "?status")
		wantPage(t, b.get("/console/orders/999999999"), 404)
		wantPage(t, b.get("/console/orders/abc"), 404)
		wantPage(t, b.get("/console/nowhere"), 404)

		// The order's page: its item, its stored file, the statuses that may follow.
		p = wantPageOf(t, b.get("/console/orders/"+m), 200, "dibond", `<option value="in_production">`, `<option value="hold">`,
			"/console/orders/"+m+"/items/"+item+"/files/0")
		if strings.Contains(p.Body, `<option value="shipment_delivered">`) {
			t.Error("an accepted order offers shipment_delivered")
		}
		f := b.get("/console/orders/" + m + "/items/" + item + "/files/0")
		if f.Status != 200 || f.Body != string(pdf) {
			t.Fatalf("the file through the console: %d, %d bytes (want %d)", f.Status, len(f.Body), len(pdf))
		}
		wantPage(t, b.get("/console/orders/"+m+"/items/"+item+"/files/7"), 404)

		// Once its file passed, the order is one to print.
		for deadline := time.Now().Add(30 * time.Second); !strings.Contains(b.get("/console/orders/"+m).Body, `<span class="files f-passed">passed</span>`); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the uploaded file did not pass")
			}
		}
		wantPage(t, b.get("/console/orders"), 200, `<a href="/console/orders?status=accepted&amp;files=ready&amp;type=production"><strong>1</strong> to print</a>`)
		wantPage(t, b.get("/console/orders?status=accepted&files=ready&type=production"), 200, "/console/orders/"+m, "1–1 of 1 orders")

		// A status change: the reseller sees it, made by the operator.
		p = b.post("/console/orders/"+m+"/status", url.Values{"status": {"in_production"}})
		if p.Status != 303 || p.Location != "/console/orders/"+m+"?done=status" {
			t.Fatalf("status change: %d to %q\n%s", p.Status, p.Location, p.Body)
		}
		wantPage(t, b.get(p.Location), 200, "The status was changed", `<option value="shipment_created">`)
		if got := do(t, "GET", orderURL(srv, up, ""), demoKey, nil).JSON(t)["status"]; got != "in_production" {
			t.Fatalf("the reseller sees %v", got)
		}
		evs := string(do(t, "GET", orderURL(srv, up, "/events"), demoKey, nil).Body)
		if !strings.Contains(evs, `"actor":"operator"`) || !strings.Contains(evs, `"to":"in_production"`) {
			t.Fatalf("events: %s", evs)
		}
		wantPage(t, b.get("/console/orders?status=in_production"), 200, "/console/orders/"+m)
		wantPage(t, b.get("/console/orders"), 200, `<a href="/console/orders?status=in_production"><strong>1</strong> in production</a>`,
			`<strong>0</strong> on hold`, `<strong>0</strong> reprints to decide`)

		// Refused: production never moves back; the page says why, keeps the
		// form, and the order stays.
		wantPage(t, b.post("/console/orders/"+m+"/status", url.Values{"status": {"accepted"}}), 409, "cannot become accepted")
		wantPage(t, b.post("/console/orders/"+m+"/status", url.Values{"status": {"shipment_created"}, "tracking_url": {"javascript:alert(1)"}, "track_and_trace": {"3S1"}}),
			422, "tracking_url", `value="3S1"`)
		wantPage(t, b.post("/console/orders/"+m+"/status", url.Values{"status": {"bogus"}}), 422)
		// Another site's form changes nothing, even with the cookie.
		wantPage(t, b.send("POST", "/console/orders/"+m+"/status", strings.NewReader("status=shipment_created"),
			map[string]string{"Sec-Fetch-Site": "cross-site"}), 403, "another site")
		wantPage(t, b.send("POST", "/console/orders/"+m+"/status", strings.NewReader("status=shipment_created"),
			map[string]string{"Origin": "https://evil.example"}), 403)
		if got := do(t, "GET", orderURL(srv, up, ""), demoKey, nil).JSON(t)["status"]; got != "in_production" {
			t.Fatalf("after refused changes the order is %v", got)
		}
		// Malformed and oversized forms.
		wantPage(t, b.send("POST", "/console/orders/"+m+"/status", strings.NewReader("status=%zz"), nil), 400)
		wantPage(t, b.send("POST", "/console/orders/"+m+"/status", bytes.NewReader(append([]byte("reason="), bytes.Repeat([]byte("x"), 70<<10)...)), nil), 413)
		wantPage(t, b.post("/console/orders/999999999/status", url.Values{"status": {"in_production"}}), 404, `<a href="/console/orders">Back to the orders</a>`)

		// A shipment with its tracking, and the payment.
		p = b.post("/console/orders/"+m+"/status", url.Values{"status": {"shipment_created"}, "track_and_trace": {"3SYMFU0000001"},
			"carrier": {"postnl"}, "tracking_url": {"https://postnl.example/3SYMFU0000001"}})
		if p.Status != 303 {
			t.Fatalf("shipment: %d\n%s", p.Status, p.Body)
		}
		wantPage(t, b.get("/console/orders/"+m), 200, `<a href="https://postnl.example/3SYMFU0000001" rel="noreferrer">3SYMFU0000001</a>`)
		wantPage(t, b.post("/console/orders/"+m+"/status", url.Values{"payment": {"paid"}}), 303)
		if got := do(t, "GET", orderURL(srv, up, ""), demoKey, nil).JSON(t)["payment"]; got != "paid" {
			t.Fatalf("payment: %v", got)
		}
		wantPage(t, b.post("/console/orders/"+m+"/status", url.Values{"payment": {"later"}}), 422, "not a payment state")

		// Reprints wait for staff on their own page.
		wantOK(t, do(t, "POST", operatorURL(srv, up, "/status"), operatorKey, `{"status":"shipment_delivered"}`), 200)
		rp := decodeNumbers(t, wantOK(t, do(t, "POST", orderURL(srv, up, "/reprints"), demoKey,
			`{"reason":"damaged","note":"bent <corner>","items":[{"item_id":`+item+`,"quantity":1}]}`), 201).Body)
		id := num(t, rp["id"])
		// The approval may choose another production time: the ones the
		// product offers, the original's selected.
		orig := path(t, up, "production_time").(string)
		p = wantPageOf(t, b.get("/console/reprints"), 200, `action="/console/reprints/`+id+`"`, "bent &lt;corner&gt;",
			`<option value="`+orig+`" selected>`+orig+` (`)
		var rush string
		for _, m := range regexp.MustCompile(`<option value="([^"]+)">`).FindAllStringSubmatch(p.Body, -1) {
			if m[1] != orig {
				rush = m[1]
			}
		}
		if rush == "" {
			t.Fatalf("the reprint offers no production time but the original's (%s):\n%s", orig, p.Body)
		}
		wantPage(t, b.get("/console/orders"), 200, `<a href="/console/reprints"><strong>1</strong> reprints to decide</a>`)
		wantPage(t, b.post("/console/reprints/"+id, url.Values{"decision": {"maybe"}}), 400, "approve or reject")
		wantPage(t, b.get("/console/reprints?status=sideways"), 400)
		wantPage(t, b.post("/console/reprints/"+id, url.Values{"decision": {"approve"}, "production_time": {"someday"}}), 422,
			"no production time", `<a href="/console/reprints">Back to the reprints</a>`)
		p = b.post("/console/reprints/"+id, url.Values{"decision": {"approve"}, "note": {"on us"}, "production_time": {rush}})
		if p.Status != 303 || !strings.HasPrefix(p.Location, "/console/reprints?approved="+id+"&order=") {
			t.Fatalf("approve: %d to %q\n%s", p.Status, p.Location, p.Body)
		}
		fresh := strings.TrimPrefix(p.Location, "/console/reprints?approved="+id+"&order=")
		wantPage(t, b.get(p.Location), 200, "Reprint "+id+" was approved: order "+fresh, "No reprints wait for a decision.")
		got := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/orders/"+num(t, up["number"])+"/reprints", demoKey, nil).Body)
		if path(t, got, "reprints", 0, "status") != "approved" || num(t, path(t, got, "reprints", 0, "new_order")) != fresh {
			t.Fatalf("the reseller's reprint: %v", got)
		}
		if got := do(t, "GET", srv.URL+"/v1/orders/"+fresh, demoKey, nil).JSON(t)["production_time"]; got != rush {
			t.Errorf("the reprint is made in %v, want the %s chosen", got, rush)
		}
		wantPage(t, b.post("/console/reprints/"+id, url.Values{"decision": {"reject"}}), 409, `<a href="/console/reprints">Back to the reprints</a>`)
		// A rejection sends the form's production time too, and means none.
		again := num(t, decodeNumbers(t, wantOK(t, do(t, "POST", orderURL(srv, up, "/reprints"), demoKey, `{"reason":"quality"}`), 201).Body)["id"])
		if p := b.post("/console/reprints/"+again, url.Values{"decision": {"reject"}, "production_time": {orig}}); p.Status != 303 || p.Location != "/console/reprints?rejected="+again {
			t.Fatalf("reject: %d to %q\n%s", p.Status, p.Location, p.Body)
		}
		wantPage(t, b.post("/console/reprints/424242", url.Values{"decision": {"reject"}}), 404)
		wantPage(t, b.get("/console/orders/"+fresh), 200, fmt.Sprintf("reprint %s of order %s", id, m))
		wantPage(t, b.get("/console/orders/"+m), 200, "Reprint "+id+": approved (damaged), order <a href=\"/console/orders/"+fresh+"\">")
	})
}

// Support sees which callbacks failed and sends one again, as the reseller
// could; one still being delivered is not sent twice.
func TestConsoleSendsACallbackAgain(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		rv := newReceiver(t)
		env := callbackEnv()
		env["PRESSROOM_WEBHOOK_RETRY_WINDOW"] = "1m" // /down stays pending through the test
		srv := startServer(t, st.args(t), env)
		b := newBrowser(t, srv)
		wantPage(t, b.post("/console/login", url.Values{"key": {operatorKey}}), 303)
		gone := mustOrder(t, srv, demoKey, withCallback("con-gone", rv.URL+"/gone"))
		down := mustOrder(t, srv, demoKey, withCallback("con-down", rv.URL+"/down"))
		g, d := num(t, gone["number"]), num(t, down["number"])

		// The 410 fails the callback at once; the failed list shows it.
		var p page
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			p = b.get("/console/callbacks")
			if strings.Contains(p.Body, "/console/orders/"+g) || time.Now().After(deadline) {
				break
			}
		}
		wantPage(t, p, 200, "/console/orders/"+g, "HTTP 410", rv.URL+"/gone")
		if strings.Contains(p.Body, "/console/orders/"+d+`"`) {
			t.Fatal("the failed list shows a pending callback")
		}
		wantPage(t, b.get("/console/orders"), 200, `<a href="/console/callbacks"><strong>1</strong> callbacks failed</a>`)
		cbs := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/operator/callbacks?order="+g, operatorKey, nil).Body)["data"].([]any)
		gid := num(t, path(t, cbs[0], "id"))
		wantPage(t, b.get("/console/orders/"+g), 200, `action="/console/callbacks/`+gid+`/redeliver"`, "order.created")

		p = b.post("/console/callbacks/"+gid+"/redeliver", nil)
		if p.Status != 303 || p.Location != "/console/orders/"+g+"?done=redeliver" {
			t.Fatalf("send again: %d to %q\n%s", p.Status, p.Location, p.Body)
		}
		wantPage(t, b.get(p.Location), 200, "queued to be sent again")
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			rv.mu.Lock()
			n := rv.calls["/gone"]
			rv.mu.Unlock()
			if n >= 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the receiver was called %d times after sending again, want 2", n)
			}
		}

		// By reseller: the resellers page leads to theirs.
		demo := num(t, decodeNumbers(t, do(t, "GET", srv.URL+"/v1/account", demoKey, nil).Body)["id"])
		wantPage(t, b.get("/console/resellers"), 200, "<td>"+demo+"</td><td>demo</td>", `href="/console/callbacks?reseller=`+demo+`"`, `href="/console/orders?reseller=`+demo+`"`)
		// (all of them: the one sent again may be pending or failed again by now)
		wantPage(t, b.get("/console/callbacks?status=&reseller="+demo), 200, "/console/orders/"+g, "/console/orders/"+d)
		wantPage(t, b.get("/console/callbacks?status=&reseller=999999"), 200, "No callbacks.")
		wantPage(t, b.get("/console/callbacks?reseller=abc"), 400, "?reseller")

		// Pending: not sent twice.
		wantPage(t, b.get("/console/callbacks?status=pending"), 200, "/console/orders/"+d)
		cbs = decodeNumbers(t, do(t, "GET", srv.URL+"/v1/operator/callbacks?order="+d, operatorKey, nil).Body)["data"].([]any)
		wantPage(t, b.post("/console/callbacks/"+num(t, path(t, cbs[0], "id"))+"/redeliver", nil), 409, "still being delivered")
		wantPage(t, b.post("/console/callbacks/987654/redeliver", nil), 404)
		wantPage(t, b.post("/console/callbacks/x/redeliver", nil), 404)
		wantPage(t, b.get("/console/callbacks?status=lost"), 400)
	})
}

// Guessing the operator key at the sign-in form is slowed to a crawl: after
// ten failures from one address even the right key waits.
func TestConsoleSlowsKeyGuessing(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		b := newBrowser(t, srv)
		for i := range 10 {
			wantPage(t, b.post("/console/login", url.Values{"key": {fmt.Sprintf("guess-%d", i)}}), 401, "not an operator key")
		}
		p := b.post("/console/login", url.Values{"key": {operatorKey}})
		wantPage(t, p, 429, "Too many failed sign-ins")
		if b.cookie != nil || p.Header.Get("Retry-After") == "" {
			t.Fatalf("after ten failures: cookie %+v, Retry-After %q", b.cookie, p.Header.Get("Retry-After"))
		}
		// The API is not the form: the key still works there.
		wantOK(t, do(t, "GET", srv.URL+"/v1/operator/orders", operatorKey, nil), 200)
		// A client cannot step round the limit by naming another address:
		// X-Forwarded-For is believed from trusted proxies only.
		p = b.send("POST", "/console/login", strings.NewReader(url.Values{"key": {operatorKey}}.Encode()), map[string]string{"X-Forwarded-For": "203.0.113.9"})
		wantPage(t, p, 429, "Too many failed sign-ins")
	})
}

// Behind a reverse proxy (PRESSROOM_TRUSTED_PROXIES) every client comes
// from the proxy's address: the sign-in limit is per client that the
// proxy names, so one guesser does not lock the staff out, and the request
// log names the client.
func TestConsoleSignInLimitBehindAProxy(t *testing.T) {
	env := baseEnv()
	env["PRESSROOM_TRUSTED_PROXIES"] = "127.0.0.0/8, ::1"
	env["PRESSROOM_LOG_LEVEL"] = "info"
	srv := startServer(t, []string{"--data", t.TempDir()}, env)
	b := newBrowser(t, srv)
	login := func(key, from string) page {
		return b.send("POST", "/console/login", strings.NewReader(url.Values{"key": {key}}.Encode()), map[string]string{"X-Forwarded-For": from})
	}
	// The guesser writes an address of its own choosing first; the proxy
	// appends the one it saw.
	for i := range 10 {
		wantPage(t, login(fmt.Sprintf("guess-%d", i), fmt.Sprintf("198.51.100.%d, 203.0.113.66", i)), 401, "not an operator key")
	}
	wantPage(t, login(operatorKey, "198.51.100.200, 203.0.113.66"), 429, "Too many failed sign-ins")
	// Staff at another address sign in.
	wantPage(t, login(operatorKey, "192.0.2.10"), 303)
	if b.cookie == nil {
		t.Fatal("staff behind the proxy were not signed in")
	}
	if log := srv.Stderr.String(); !strings.Contains(log, `"client":"203.0.113.66"`) || !strings.Contains(log, `"client":"192.0.2.10"`) {
		t.Errorf("the request log does not name the clients behind the proxy:\n%s", log)
	}
}

// Production moves a batch at once: each selected order as its own page
// would, those that cannot go there staying and saying why.
func TestConsoleMovesABatch(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		b := newBrowser(t, srv)
		wantPage(t, b.post("/console/login", url.Values{"key": {operatorKey}}), 303)
		var nums []string
		for _, id := range []string{"batch-1", "batch-2", "batch-3"} {
			nums = append(nums, num(t, mustOrder(t, srv, demoKey, orderBody(id))["number"]))
		}
		wantOK(t, do(t, "POST", srv.URL+"/v1/orders/"+nums[2]+"/cancel", demoKey, nil), 200)
		wantPage(t, b.get("/console/orders"), 200, `<input type="checkbox" name="number" value="`+nums[0]+`"`)

		// The batch's status is chosen each time, not preselected.
		wantPage(t, b.get("/console/orders"), 200, `<select name="status" required><option value="" disabled selected>`)
		p := b.post("/console/orders/status", url.Values{"number": {nums[0], nums[1], nums[2], "424242", nums[0]}, "status": {"in_production"}})
		wantPage(t, p, 200, "2 moved, 2 refused.", "cannot become in_production", "424242")
		for i, want := range []string{"in_production", "in_production", "cancelled"} {
			if got := do(t, "GET", srv.URL+"/v1/orders/"+nums[i], demoKey, nil).JSON(t)["status"]; got != want {
				t.Errorf("order %s is %v, want %s", nums[i], got, want)
			}
		}
		many := url.Values{"status": {"in_production"}}
		for i := range 51 {
			many.Add("number", fmt.Sprint(1000000+i))
		}
		for name, form := range map[string]url.Values{
			"nothing selected": {"status": {"in_production"}},
			"no status":        {"number": {nums[0]}},
			"draft":            {"number": {nums[0]}, "status": {"draft"}},
			"not a number":     {"number": {"12a"}, "status": {"in_production"}},
			"too many":         many,
		} {
			if p := b.post("/console/orders/status", form); p.Status != 400 {
				t.Errorf("%s: %d\n%s", name, p.Status, p.Body)
			}
		}
		if got := do(t, "GET", srv.URL+"/v1/orders/"+nums[0], demoKey, nil).JSON(t)["status"]; got != "in_production" {
			t.Errorf("after refused batches order %s is %v", nums[0], got)
		}
	})
}

// consoleOpen are the console's pages and forms that need no sign-in, each
// with why.
var consoleOpen = map[string]string{
	"GET /console/static/": "the stylesheet",
	"GET /console/login":   "the sign-in form",
	"POST /console/login":  "the sign-in itself",
	"POST /console/logout": "signing out needs nothing",
	"GET /console/{$}":     "a redirect to the orders, which need the sign-in",
}

// Every page and form of the console, from its own route list, sends a
// browser that is not signed in to sign in (a page) or refuses it (a
// form), also with a key as the cookie; the open ones say why.
func TestConsoleEveryPageNeedsTheSignIn(t *testing.T) {
	srv := startServer(t, []string{"--data", t.TempDir()}, nil)
	checked := 0
	for p, staff := range console.Patterns() {
		why, open := consoleOpen[p]
		if staff == open {
			t.Errorf("%s: needs the sign-in %v, listed as open %v (%s)", p, staff, open, why)
			continue
		}
		if !staff {
			continue
		}
		checked++
		method, path, _ := strings.Cut(p, " ")
		path = anyIDs(path)
		for name, cookie := range map[string]*http.Cookie{"no cookie": nil, "a reseller's key": {Name: "pressroom_console", Value: demoKey},
			"the operator key": {Name: "pressroom_console", Value: operatorKey}, "an unknown key": {Name: "pressroom_console", Value: "pcs_unknown"}} {
			b := newBrowser(t, srv)
			b.cookie = cookie
			var pg page
			if method == "GET" {
				pg = b.get(path)
				if pg.Status != 303 || !strings.HasPrefix(pg.Location, "/console/login?next=") {
					t.Errorf("%s with %s: %d to %q, want the sign-in", p, name, pg.Status, pg.Location)
				}
			} else {
				pg = b.post(path, url.Values{"status": {"in_production"}, "decision": {"approve"}})
				if pg.Status != 401 || !strings.Contains(pg.Body, "not signed in") {
					t.Errorf("%s with %s: %d, want 401", p, name, pg.Status)
				}
			}
		}
	}
	for p := range consoleOpen {
		if _, ok := console.Patterns()[p]; !ok {
			t.Errorf("the open list names %s, which the console does not answer", p)
		}
	}
	if checked < 10 {
		t.Errorf("only %d pages checked", checked)
	}
}

// TestConsoleExportHoldsAtMostMaxExportOrders: an export of exactly
// console.MaxExport orders has them all, each once and oldest first (every
// page of its reads); one order more is refused with a sentence naming the
// count and how to narrow it, before any row is written. Both stores; the
// copies of one real order are written with SQL.
func TestConsoleExportHoldsAtMostMaxExportOrders(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		args := st.args(t)
		srv := startServer(t, args, nil)
		first := num(t, mustOrder(t, srv, demoKey, orderBody("export-0"))["number"])
		driver, dsn, series := "sqlite", "file:"+filepath.Join(args[1], "pressroom.db")+"?_pragma=busy_timeout(10000)",
			"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d) SELECT i FROM s) AS k"
		if len(args) > 2 {
			driver, dsn, series = "pgx", args[3], "generate_series(1, %d) AS k(i)"
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var cols []string
		q := "SELECT name FROM pragma_table_info('orders')"
		if driver == "pgx" {
			q = "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position"
		}
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			cols = append(cols, c)
		}
		if err := rows.Err(); err != nil || len(cols) < 10 {
			t.Fatalf("the orders' columns: %v %v", cols, err)
		}
		copies := func(n int, tag string) {
			t.Helper()
			var names, values []string
			for _, c := range cols {
				switch c {
				case "number":
					continue
				case "own_id", "tracking_token":
					values = append(values, c+" || '-"+tag+"-' || k.i")
				default:
					values = append(values, c)
				}
				names = append(names, c)
			}
			insert := fmt.Sprintf("INSERT INTO orders (%s) SELECT %s FROM orders, "+series+" WHERE number = %s",
				strings.Join(names, ", "), strings.Join(values, ", "), n, first)
			if res, err := db.Exec(insert); err != nil {
				t.Fatalf("%v\n%s", err, insert)
			} else if got, _ := res.RowsAffected(); got != int64(n) {
				t.Fatalf("copied %d orders, want %d", got, n)
			}
		}
		copies(console.MaxExport-1, "a")

		b := newBrowser(t, srv)
		wantPage(t, b.post("/console/login", url.Values{"key": {operatorKey}}), 303)
		p := b.get("/console/orders.csv")
		if p.Status != 200 {
			t.Fatalf("an export of %d orders: %d\n%.500s", console.MaxExport, p.Status, p.Body)
		}
		got, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
		if err != nil {
			t.Fatalf("the export is not CSV: %v", err)
		}
		if len(got) != console.MaxExport+1 || got[1][0] != first {
			t.Fatalf("the export has %d rows, the first %q; want %d orders from %s", len(got), got[1][0], console.MaxExport, first)
		}
		last := int64(0)
		for _, r := range got[1:] {
			n, err := strconv.ParseInt(r[0], 10, 64)
			if err != nil || n <= last {
				t.Fatalf("order %q after %d: not each once, oldest first", r[0], last)
			}
			last = n
		}

		copies(1, "b")
		p = b.get("/console/orders.csv")
		wantPage(t, p, 422, fmt.Sprintf("%d orders match; an export holds at most %d.", console.MaxExport+1, console.MaxExport), "Narrow it")
		if strings.HasPrefix(p.Body, "number,") {
			t.Error("the refusal is a spreadsheet")
		}
	})
}
