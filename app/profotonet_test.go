package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/testfiles"
)

const pfFile = "profotonet-api.txt"

// pf calls the Profotonet API with the key in the "key" header, as its
// document says.
func pf(t testing.TB, srv *server, method, p, key string, body any) response {
	t.Helper()
	h := map[string]string{}
	if key != "" {
		h["key"] = key
	}
	return doWith(t, method, srv.URL+"/profotonet/v1"+p, "", body, h)
}

var (
	jsSingleQuoted = regexp.MustCompile(`'([^'\n]*)'`)
	jsBareKey      = regexp.MustCompile(`(?m)^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:`)
	jsMissingComma = regexp.MustCompile(`([^,{\[\s])(\s*\n\s*"[A-Za-z_]+"\s*:)`)
)

// jsExample reads the example after marker in the Profotonet document: its
// examples are JavaScript object notation (bare keys, single quotes, a
// missing comma), which the seeds' README lets a replay send as the JSON
// they mean. Consecutive objects separated by commas come as a list.
func jsExample(t testing.TB, marker string) any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", pfFile))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte(marker))
	if i < 0 {
		t.Fatalf("marker %q not in %s", marker, pfFile)
	}
	rest := data[i+len(marker):]
	rest = rest[bytes.IndexByte(rest, '{'):]
	var objs []string
	for {
		depth, end := 0, -1
		for k, c := range rest {
			if c == '{' {
				depth++
			} else if c == '}' {
				if depth--; depth == 0 {
					end = k + 1
					break
				}
			}
		}
		objs = append(objs, string(rest[:end]))
		rest = bytes.TrimSpace(rest[end:])
		if len(rest) == 0 || rest[0] != ',' {
			break
		}
		rest = bytes.TrimSpace(rest[1:])
	}
	text := strings.Join(objs, ",\n")
	if len(objs) > 1 {
		text = "[" + text + "]"
	}
	text = jsSingleQuoted.ReplaceAllString(text, `"$1"`)
	text = jsBareKey.ReplaceAllString(text, `$1"$2":`)
	text = jsMissingComma.ReplaceAllString(text, `$1,$2`)
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("example after %q: %v\n%s", marker, err, text)
	}
	return v
}

// photo is a JPEG of w×h pixels.
func photo(t testing.TB, w, h int, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{shade, uint8(x), uint8(y), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var objectIDPattern = regexp.MustCompile(`^[0-9a-f]{24}$`)

// TestProfotonetProducts: the document's two products appear exactly as
// it shows them, each product's options and per-country shipping prices;
// the key is required.
func TestProfotonetProducts(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	want := jsExample(t, "the shipping price for the order.").([]any)
	r := pf(t, srv, "GET", "/products", demoKey, nil)
	if r.Status != 200 {
		t.Fatalf("products: %d %s", r.Status, r.Body)
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var got []any
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	byID := map[string]any{}
	for _, p := range got {
		m := p.(map[string]any)
		byID[fmt.Sprint(m["productId"])] = m
		if opts, ok := m["options"].([]any); !ok || opts == nil {
			t.Errorf("product %v: options = %v, want a list", m["productId"], m["options"])
		}
	}
	for _, w := range want {
		id := fmt.Sprint(w.(map[string]any)["productId"])
		if !reflect.DeepEqual(byID[id], w) {
			t.Errorf("product %s:\n got %v\nwant %v", id, byID[id], w)
		}
	}
	if len(got) < 4 {
		t.Errorf("%d products, want every photo product of the demo catalog", len(got))
	}
	if _, dibond := byID["0"]; dibond {
		t.Error("a product without a productId is listed")
	}
	// The key: in the "key" header, or as a bearer token; else 401.
	if r := do(t, "GET", srv.URL+"/profotonet/v1/products", demoKey, nil); r.Status != 200 {
		t.Errorf("bearer key: %d", r.Status)
	}
	for _, k := range []string{"", "wrong-key-123456"} {
		r := pf(t, srv, "GET", "/products", k, nil)
		if r.Status != 401 || !strings.Contains(string(r.Body), `{"errors":[{"field":"key","message":`) {
			t.Errorf("key %q: %d %s", k, r.Status, r.Body)
		}
	}
	if r := pf(t, srv, "GET", "/nothing", demoKey, nil); r.Status != 404 || !strings.Contains(string(r.Body), `"errors"`) {
		t.Errorf("unknown path: %d %s", r.Status, r.Body)
	}
}

// pfFiles serves the example's print files, packing slip and label, and
// points the example at them with their real md5s.
func pfFiles(t *testing.T, ex map[string]any) {
	t.Helper()
	files := map[string][]byte{
		"/testimage1.jpg": photo(t, 600, 900, 10),
		"/testimage2.jpg": photo(t, 1000, 1000, 200),
		"/slip.pdf":       testfiles.PDF(210, 297, 0),
		"/label.pdf":      testfiles.PDF(100, 150, 0),
	}
	fs := fileServer(t, files)
	for i, e := range ex["entries"].([]any) {
		f := e.(map[string]any)["file"].(map[string]any)
		name := fmt.Sprintf("/testimage%d.jpg", i+1)
		f["url"], f["md5"] = fs.URL+name, md5hex(files[name])
	}
	for k, name := range map[string]string{"packingSlip": "/slip.pdf", "label": "/label.pdf"} {
		d := ex[k].(map[string]any)
		d["url"], d["md5"] = fs.URL+name, md5hex(files[name])
	}
}

func cent(t *testing.T, v any) int64 {
	t.Helper()
	n, err := v.(json.Number).Int64()
	if err != nil {
		t.Fatalf("%v is not a whole number of cents", v)
	}
	return n
}

// checkTotals: total = subTotal + shippingTotal + startingCostsTotal, the
// tax is the sum of its parts, each part is 21 % Dutch VAT included.
func checkTotals(t *testing.T, d map[string]any) {
	t.Helper()
	c := func(k string) int64 { return cent(t, d[k]) }
	if c("total") != c("subTotal")+c("shippingTotal")+c("startingCostsTotal") {
		t.Errorf("total %d != subTotal %d + shippingTotal %d + startingCostsTotal %d", c("total"), c("subTotal"), c("shippingTotal"), c("startingCostsTotal"))
	}
	var sub, tax int64
	for _, e := range d["entryTotals"].([]any) {
		m := e.(map[string]any)
		sub += cent(t, m["total"])
		tax += cent(t, m["taxTotal"])
		vatIncluded(t, "entry", cent(t, m["total"]), cent(t, m["taxTotal"]))
	}
	if sub != c("subTotal") {
		t.Errorf("subTotal %d, entries sum to %d", c("subTotal"), sub)
	}
	if c("taxTotal") != tax+c("shippingTaxTotal")+c("startingCostsTaxTotal") {
		t.Errorf("taxTotal %d != entries %d + shipping %d + starting costs %d", c("taxTotal"), tax, c("shippingTaxTotal"), c("startingCostsTaxTotal"))
	}
	vatIncluded(t, "shipping", c("shippingTotal"), c("shippingTaxTotal"))
}

// vatIncluded: tax is 21/121 of an amount including it, to the cent.
func vatIncluded(t *testing.T, what string, total, tax int64) {
	t.Helper()
	want := float64(total) * 21 / 121
	if d := float64(tax) - want; d > 1 || d < -1 {
		t.Errorf("%s: tax %d of %d, want about %.0f (21 %% included)", what, tax, total, want)
	}
}

// TestProfotonetSeedFlow replays the document's examples in order: the
// insert (a test, then the same order for real, against files this test
// serves with their real md5s), the lookup, the status callbacks up to the
// shipped one with its track and trace code, and the reprint. Named
// normalisations: the examples are sent as the JSON they mean; the file,
// packing slip and label URLs and md5s are this test's; the callback URLs
// point at this test's receiver; the lookup's referenceId=1000000 is the
// inserted 10000000 (the README's decision); ids pressroom generates
// (id, orderId) are compared by shape and to the ones it answered before.
func TestProfotonetSeedFlow(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		rv := newReceiver(t)
		srv := startServer(t, st.args(t), callbackEnv())
		listing := pf(t, srv, "GET", "/products", demoKey, nil)

		ex := jsExample(t, "label.md5 String false Optional MD5 of the file for extra checks after the download.").(map[string]any)
		pfFiles(t, ex)
		ex["testNotificationUrl"] = rv.URL + "/test"
		ex["notificationUrl"] = rv.URL + "/status"
		wantAnswer := jsExample(t, "entryTotals[].taxTotal Integer Total tax of the cartentries ordered under the productId. Returns 0 in test.").(map[string]any)["data"].(map[string]any)

		// The example as it is: a test. Checked, totals 0, nothing stored,
		// a test callback fired.
		r := pf(t, srv, "POST", "/order", demoKey, ex)
		if r.Status != 200 {
			t.Fatalf("test insert: %d %s", r.Status, r.Body)
		}
		d := path(t, decodeNumbers(t, r.Body), "data").(map[string]any)
		for _, k := range []string{"total", "taxTotal", "subTotal", "shippingTotal", "shippingTaxTotal", "startingCostsTotal", "startingCostsTaxTotal"} {
			if cent(t, d[k]) != 0 {
				t.Errorf("test insert %s = %v, want 0", k, d[k])
			}
		}
		matchSubset(t, "test answer", wantAnswer, d, func(where string) bool {
			return where == "test answer.id" || strings.HasSuffix(where, "otal") // totals 0 in a test: the field table wins
		})
		if !objectIDPattern.MatchString(fmt.Sprint(d["id"])) {
			t.Errorf("id %v is not an ObjectId", d["id"])
		}
		tc := rv.wait(t, "/test", 1)
		if cb := decodeNumbers(t, tc[0].Body); cb["referenceId"] != "10000000" || cb["status"] != "accepted" || cb["id"] != d["id"] {
			t.Errorf("test callback: %s", tc[0].Body)
		}
		verify(t, demoSecret, tc[0])
		if r := pf(t, srv, "GET", "/order?referenceId=10000000", demoKey, nil); r.Status != 404 {
			t.Errorf("a test insert stored an order: %d %s", r.Status, r.Body)
		}

		// The same order for real.
		ex["test"] = false
		r = pf(t, srv, "POST", "/order", demoKey, ex)
		if r.Status != 200 {
			t.Fatalf("insert: %d %s", r.Status, r.Body)
		}
		ins := path(t, decodeNumbers(t, r.Body), "data").(map[string]any)
		matchSubset(t, "answer", wantAnswer, ins, func(where string) bool {
			// Generated, or values of the example's inconsistent totals
			// (the README: checked for consistency, not value).
			return where == "answer.id" || strings.HasSuffix(where, "otal")
		})
		checkTotals(t, ins)
		id := fmt.Sprint(ins["id"])
		if !objectIDPattern.MatchString(id) || ins["status"] != "accepted" || ins["orderId"] != nil {
			t.Errorf("insert answer: %s", r.Body)
		}
		// Values the demo catalog decides: the school photo set as listed;
		// the canvas as listed plus the mirrored edge; shipping the highest
		// of the entries' prices to NL (the canvas's parcel).
		var prices []any
		json.Unmarshal(listing.Body, &prices)
		listed := map[string]map[string]any{}
		for _, p := range prices {
			m := p.(map[string]any)
			listed[fmt.Sprintf("%.0f", m["productId"])] = m
		}
		entries := ins["entryTotals"].([]any)
		if got, want := cent(t, entries[0].(map[string]any)["total"]), int64(listed["1002201300190001"]["price"].(float64)); got != want {
			t.Errorf("school photo set: %d, listed %d", got, want)
		}
		if got := cent(t, entries[1].(map[string]any)["total"]); got != 8195+250 {
			t.Errorf("canvas with mirrored edges: %d, want 8195 + 250 (2.0661 + 21 %%)", got)
		}
		if got := cent(t, ins["shippingTotal"]); got != 599 {
			t.Errorf("shippingTotal %d, want 599: the canvas's parcel to NL, the highest of the entries", got)
		}
		if r := pf(t, srv, "POST", "/order", demoKey, ex); r.Status != 409 || !strings.Contains(string(r.Body), `"field":"referenceId"`) {
			t.Errorf("the same referenceId again: %d %s", r.Status, r.Body)
		}

		// Accepted, then both files in: prepare, with the orderId.
		got := rv.wait(t, "/status", 3)
		first := decodeNumbers(t, got[0].Body)
		if first["status"] != "accepted" || first["id"] != id || first["referenceId"] != "10000000" || first["orderId"] != nil {
			t.Errorf("first callback: %s", got[0].Body)
		}
		last := decodeNumbers(t, got[2].Body)
		if last["status"] != "prepare" || last["orderId"] == nil {
			t.Errorf("callback once the files are in: %s", got[2].Body)
		}
		verify(t, demoSecret, got[2])
		number := fmt.Sprint(last["orderId"])
		// The packing slip and label were fetched and their md5s verified.
		docs := fmt.Sprintf("%s/v1/orders/%s/documents", srv.URL, number)
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			d := decodeNumbers(t, do(t, "GET", docs, demoKey, nil).Body)
			ps, lb := path(t, d, "packing_slip", "state"), path(t, d, "shipping_label", "state")
			if ps == "passed" && lb == "passed" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("packing slip and label: %v", d)
			}
		}

		wantGet := jsExample(t, "trackAndTrace[].code String Track and trace code of the order (or a part of it).").(map[string]any)["data"].(map[string]any)
		g := path(t, decodeNumbers(t, pf(t, srv, "GET", "/order?referenceId=10000000", demoKey, nil).Body), "data").(map[string]any)
		if g["status"] != "prepare" || fmt.Sprint(g["orderId"]) != number || g["id"] != id {
			t.Errorf("lookup: %v", g)
		}
		for _, k := range []string{"total", "taxTotal", "subTotal", "shippingTotal", "shippingTaxTotal"} {
			if fmt.Sprint(g[k]) != fmt.Sprint(ins[k]) {
				t.Errorf("lookup %s = %v, insert answered %v", k, g[k], ins[k])
			}
		}

		// Produced and shipped: the document's callback.
		o := map[string]any{"number": json.Number(number)}
		for _, step := range []string{`{"status":"in_production"}`, `{"status":"shipment_created","track_and_trace":"3SYMFU0000001","carrier":"postnl","tracking_url":"https://jouw.postnl.nl/?lang=nl#!/track-en-trace/3SYMFU0000001/NL/1234AA"}`} {
			if r := do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, step); r.Status != 200 {
				t.Fatalf("%s: %d %s", step, r.Status, r.Body)
			}
		}
		all := rv.wait(t, "/status", 6)
		var trail []string
		for _, c := range all {
			trail = append(trail, fmt.Sprint(decodeNumbers(t, c.Body)["status"]))
		}
		if strings.Join(trail, " ") != "accepted downloading prepare production shipped shipped" && strings.Join(trail, " ") != "accepted prepare prepare production shipped shipped" {
			t.Errorf("callbacks: %v", trail)
		}
		wantCB := jsExample(t, "https://jouw.postnl.nl/?lang=nl#!/track-en-trace/3SYMFU0000001/NL/1234AA").(map[string]any)
		cb := decodeNumbers(t, all[5].Body)
		if len(cb) != len(wantCB) {
			t.Errorf("callback fields %v, want those of %v", cb, wantCB)
		}
		matchSubset(t, "callback", wantCB, cb, func(where string) bool { return where == "callback.id" || where == "callback.orderId" })
		if cb["id"] != id || fmt.Sprint(cb["orderId"]) != number {
			t.Errorf("callback ids: %v", cb)
		}
		g = path(t, decodeNumbers(t, pf(t, srv, "GET", "/order?referenceId=10000000", demoKey, nil).Body), "data").(map[string]any)
		matchSubset(t, "lookup", wantGet, g, func(where string) bool {
			return where == "lookup.id" || where == "lookup.orderId" || where == "lookup.status" || strings.HasSuffix(where, "otal")
		})
		if g["status"] != "shipped" {
			t.Errorf("lookup after shipping: %v", g)
		}

		// The reprint example (a test): checked against the order, nothing stored.
		rp := jsExample(t, "note String false A note can be added to the reprint to help with the evaluation.")
		wantRP := jsExample(t, "orderId Integer The orderId of the order the reprint was requested for.").(map[string]any)["data"].(map[string]any)
		r = pf(t, srv, "POST", "/reprint", demoKey, rp)
		if r.Status != 200 {
			t.Fatalf("reprint: %d %s", r.Status, r.Body)
		}
		rd := path(t, decodeNumbers(t, r.Body), "data").(map[string]any)
		matchSubset(t, "reprint", wantRP, rd, func(where string) bool { return where == "reprint.id" || where == "reprint.orderId" })
		if !objectIDPattern.MatchString(fmt.Sprint(rd["id"])) || fmt.Sprint(rd["orderId"]) != number {
			t.Errorf("reprint answer: %s", r.Body)
		}
		if g := pf(t, srv, "GET", "/order?referenceId=10000000", demoKey, nil); !strings.Contains(string(g.Body), `"status":"shipped"`) {
			t.Errorf("a test reprint was stored: %s", g.Body)
		}
		rp.(map[string]any)["test"] = false
		if r := pf(t, srv, "POST", "/reprint", demoKey, rp); r.Status != 200 {
			t.Fatalf("reprint for real: %d %s", r.Status, r.Body)
		}
		if g := pf(t, srv, "GET", "/order?referenceId=10000000", demoKey, nil); !strings.Contains(string(g.Body), `"status":"repint"`) {
			t.Errorf("after a reprint request: %s", g.Body)
		}
		// Approved, the reprint is a new order that reports itself in
		// this API's shape, as an order inserted here does.
		waiting := decodeNumbers(t, do(t, "GET", srv.URL+"/v1/operator/reprints?status=requested", operatorKey, nil).Body)
		rpID := num(t, path(t, waiting, "reprints", 0, "id"))
		wantOK(t, do(t, "POST", srv.URL+"/v1/operator/reprints/"+rpID+"/approve", operatorKey, nil), 200)
		made := rv.waitBody(t, "/status", `"referenceId":"10000000-R`+rpID+`"`)
		if !strings.Contains(string(made.Body), `"status":"accepted"`) || strings.Contains(string(made.Body), `"type":`) {
			t.Errorf("the reprint's order reports itself as %s", made.Body)
		}
		// A piece is made again once: the example's second entry (all of
		// it) is in the approved reprint, even for a test.
		rp.(map[string]any)["test"] = true
		if r := pf(t, srv, "POST", "/reprint", demoKey, rp); r.Status != 422 || !strings.Contains(string(r.Body), `"field":"entries[1].quantity"`) ||
			!strings.Contains(string(r.Body), "in an earlier reprint") {
			t.Errorf("the same reprint again: %d %s", r.Status, r.Body)
		}
		// The sample of a test lookup, for any referenceId.
		if r := pf(t, srv, "GET", "/order?referenceId=whatever&test=true", demoKey, nil); r.Status != 200 || !strings.Contains(string(r.Body), `"trackAndTrace":[{"code":`) {
			t.Errorf("test lookup: %d %s", r.Status, r.Body)
		} else {
			checkTotals(t, path(t, decodeNumbers(t, r.Body), "data").(map[string]any))
		}

		// Another reseller finds none of it.
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
		if r := pf(t, srv, "GET", "/order?referenceId=10000000", other, nil); r.Status != 404 || !strings.Contains(string(r.Body), `"field":"referenceId"`) {
			t.Errorf("other reseller's lookup: %d %s", r.Status, r.Body)
		}
		if r := pf(t, srv, "POST", "/reprint", other, rp); r.Status != 404 {
			t.Errorf("other reseller's reprint: %d %s", r.Status, r.Body)
		}
	})
}

// TestProfotonetRateLimit: past the key's limit, 429 in the document's
// error shape with Retry-After.
func TestProfotonetRateLimit(t *testing.T) {
	env := baseEnv()
	env["PRESSROOM_RATE_LIMIT"] = "3"
	srv := startServer(t, stores[0].args(t), env)
	var last response
	for i := 0; i < 4; i++ {
		last = pf(t, srv, "GET", "/products", demoKey, nil)
	}
	if last.Status != 429 || !waitForOne(last.Header) || !strings.HasPrefix(string(last.Body), `{"errors":[{"field":"key"`) {
		t.Errorf("past the limit: %d %v %s", last.Status, last.Header, last.Body)
	}
}

// pfOrder is a small valid order of one school photo set.
func pfOrder(ref, fileURL string) map[string]any {
	return map[string]any{
		"referenceId": ref, "firstName": "John", "lastName": "Doe", "street": "Street", "houseNumber": "1A",
		"zipCode": "1234AA", "city": "Rotterdam", "country": "NL", "shippingMethod": "send",
		"entries": []any{map[string]any{"referenceId": 1, "productId": 1002201300190001, "quantity": 2,
			"file": map[string]any{"name": "a.jpg", "url": fileURL}}},
	}
}

// TestProfotonetOrderRules: the document's required fields and rules, each
// answered in its error shape with its code; the shipping methods; the
// product id exceptions; a file whose md5 differs holds the order.
func TestProfotonetOrderRules(t *testing.T) {
	img := photo(t, 400, 600, 90)
	fs := fileServer(t, map[string][]byte{"/a.jpg": img, "/book.pdf": testfiles.PDF(300, 210, 0)})
	rv := newReceiver(t)
	srv := startServer(t, stores[0].args(t), callbackEnv())
	url := fs.URL + "/a.jpg"
	edit := func(f func(m map[string]any)) map[string]any {
		m := pfOrder("r1", url)
		m["test"] = true
		f(m)
		return m
	}
	entry := func(m map[string]any) map[string]any { return m["entries"].([]any)[0].(map[string]any) }
	for _, c := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"not JSON", `{"referenceId":`, 400, "body"},
		{"empty", ``, 400, "body"},
		{"a number of the wrong type", edit(func(m map[string]any) { entry(m)["quantity"] = "two" }), 400, "entries.quantity"},
		{"no firstName", edit(func(m map[string]any) { delete(m, "firstName") }), 400, "firstName"},
		{"no zipCode", edit(func(m map[string]any) { m["zipCode"] = "" }), 400, "zipCode"},
		{"no entries", edit(func(m map[string]any) { m["entries"] = []any{} }), 400, "entries"},
		{"no file", edit(func(m map[string]any) { delete(entry(m), "file") }), 400, "entries[0].file"},
		{"no entry referenceId", edit(func(m map[string]any) { delete(entry(m), "referenceId") }), 400, "entries[0].referenceId"},
		{"no quantity", edit(func(m map[string]any) { delete(entry(m), "quantity") }), 400, "entries[0].quantity"},
		{"no file name", edit(func(m map[string]any) { entry(m)["file"].(map[string]any)["name"] = "" }), 400, "entries[0].file.name"},
		{"unknown product", edit(func(m map[string]any) { entry(m)["productId"] = 1999999999999999 }), 422, "entries[0].productId"},
		{"a PDF for a photo", edit(func(m map[string]any) { entry(m)["file"].(map[string]any)["name"] = "a.pdf" }), 422, "entries[0].file.name"},
		{"a JPEG for a book", edit(func(m map[string]any) { entry(m)["productId"] = 1100002100300001 }), 422, "entries[0].file.name"},
		{"unknown option", edit(func(m map[string]any) {
			entry(m)["options"] = []any{map[string]any{"code": "gold", "value": "checked"}}
		}), 422, "entries[0].options[0]"},
		{"unknown attribute", edit(func(m map[string]any) {
			entry(m)["options"] = []any{map[string]any{"code": "whiteborder", "value": "wide"}}
		}), 422, "entries[0].options[0]"},
		{"zero quantity", edit(func(m map[string]any) { entry(m)["quantity"] = 0 }), 422, "entries[0].quantity"},
		{"unknown shipping method", edit(func(m map[string]any) { m["shippingMethod"] = "drone" }), 422, "shippingMethod"},
		{"unknown country", edit(func(m map[string]any) { m["country"] = "XX" }), 422, "country"},
		{"bad Dutch zip code", edit(func(m map[string]any) { m["zipCode"] = "ABC" }), 422, "zipCode"},
		{"backprint of 61", edit(func(m map[string]any) { entry(m)["backprint"] = strings.Repeat("b", 61) }), 422, "entries[0].backprint"},
		{"note of 61", edit(func(m map[string]any) { entry(m)["note"] = strings.Repeat("n", 61) }), 422, "entries[0].note"},
		{"bad md5", edit(func(m map[string]any) { entry(m)["file"].(map[string]any)["md5"] = "xyz" }), 422, "entries[0].file.md5"},
		{"bad file URL", edit(func(m map[string]any) { entry(m)["file"].(map[string]any)["url"] = "ftp://x/a.jpg" }), 422, "entries[0].file.url"},
		{"bad referenceId", edit(func(m map[string]any) { m["referenceId"] = "has spaces in it" }), 422, "referenceId"},
		{"bad notificationUrl", edit(func(m map[string]any) { m["notificationUrl"] = "nope" }), 422, "notificationUrl"},
		{"bad testNotificationUrl", edit(func(m map[string]any) { m["testNotificationUrl"] = "nope" }), 422, "testNotificationUrl"},
		{"packing slip without url", edit(func(m map[string]any) { m["packingSlip"] = map[string]any{"md5": ""} }), 400, "packingSlip.url"},
		{"too large", `{"referenceId":"` + strings.Repeat("x", 2<<20) + `"}`, 413, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := pf(t, srv, "POST", "/order", demoKey, c.body)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			var body struct {
				Errors []struct{ Field, Message string }
			}
			if err := json.Unmarshal(r.Body, &body); err != nil || len(body.Errors) == 0 {
				t.Fatalf("not the document's error body: %s", r.Body)
			}
			found := c.field == ""
			for _, e := range body.Errors {
				found = found || e.Field == c.field
				if e.Message == "" {
					t.Errorf("an error without a message: %s", r.Body)
				}
			}
			if !found {
				t.Errorf("no error on %s: %s", c.field, r.Body)
			}
		})
	}

	// The exceptions: a 12000 product needs no file and no entry
	// referenceId; an 11000 product takes a PDF.
	flyer := edit(func(m map[string]any) {
		m["entries"] = append(m["entries"].([]any), map[string]any{"productId": 1200000100000001, "quantity": 1, "note": "Thank you!"})
	})
	if r := pf(t, srv, "POST", "/order", demoKey, flyer); r.Status != 200 {
		t.Errorf("a flyer without a file: %d %s", r.Status, r.Body)
	}
	book := edit(func(m map[string]any) {
		entry(m)["productId"] = 1100002100300001
		entry(m)["file"] = map[string]any{"name": "book.pdf", "url": fs.URL + "/book.pdf"}
	})
	if r := pf(t, srv, "POST", "/order", demoKey, book); r.Status != 200 {
		t.Errorf("a book from a PDF: %d %s", r.Status, r.Body)
	}

	// Shipping: a school photo set alone goes by letter, as a package when
	// asked, or is picked up; totals stay consistent.
	for how, want := range map[string]int64{"send": 249, "sendaspackage": 599, "pickup": 0} {
		m := edit(func(m map[string]any) { m["shippingMethod"] = how; m["test"] = false; m["referenceId"] = "ship-" + how })
		r := pf(t, srv, "POST", "/order", demoKey, m)
		if r.Status != 200 {
			t.Errorf("%s: %d %s", how, r.Status, r.Body)
			continue
		}
		d := path(t, decodeNumbers(t, r.Body), "data").(map[string]any)
		if cent(t, d["shippingTotal"]) != want {
			t.Errorf("%s: shippingTotal %v, want %d", how, d["shippingTotal"], want)
		}
		checkTotals(t, d)
	}

	// A file whose md5 differs: the order holds, and says so by callback.
	bad := pfOrder("md5-mismatch", url)
	bad["notificationUrl"] = rv.URL + "/md5"
	bad["entries"].([]any)[0].(map[string]any)["file"].(map[string]any)["md5"] = strings.Repeat("0", 32)
	if r := pf(t, srv, "POST", "/order", demoKey, bad); r.Status != 200 {
		t.Fatalf("md5 order: %d %s", r.Status, r.Body)
	}
	cbs := rv.wait(t, "/md5", 2)
	if cb := decodeNumbers(t, cbs[1].Body); cb["status"] != "hold" {
		t.Errorf("md5 mismatch callback: %s", cbs[1].Body)
	}
	if g := pf(t, srv, "GET", "/order?referenceId=md5-mismatch", demoKey, nil); !strings.Contains(string(g.Body), `"status":"hold"`) {
		t.Errorf("md5 mismatch lookup: %s", g.Body)
	}

	// Without notificationUrl the account's URL hears the order, in this API's shape.
	if r := do(t, "PUT", srv.URL+"/v1/account/callbacks", demoKey, `{"callback_url":"`+rv.URL+`/account"}`); r.Status != 200 {
		t.Fatalf("account callback URL: %d %s", r.Status, r.Body)
	}
	if r := pf(t, srv, "POST", "/order", demoKey, pfOrder("to-account", url)); r.Status != 200 {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	var acc map[string]any
	for n := 1; acc == nil || acc["referenceId"] != "to-account"; n++ { // earlier orders report there too now
		acc = decodeNumbers(t, rv.wait(t, "/account", n)[n-1].Body)
	}
	if acc["status"] != "accepted" || len(acc) != 3 {
		t.Errorf("account callback: %v", acc)
	}

	// Lookups and reprints that cannot be.
	for _, c := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/order", nil, 400},
		{"GET", "/order?referenceId=nope", nil, 404},
		{"POST", "/reprint", `{"referenceId":"ship-send","entries":[{"referenceId":1}]}`, 400},
		{"POST", "/reprint", `{"referenceId":"ship-send","reason":"damaged"}`, 400},
		{"POST", "/reprint", `{"referenceId":"nope","reason":"damaged","entries":[{"referenceId":1}]}`, 404},
		{"POST", "/reprint", `{"referenceId":"ship-send","reason":"bored","entries":[{"referenceId":1}]}`, 422},
		{"POST", "/reprint", `{"referenceId":"ship-send","reason":"damaged","entries":[{"referenceId":7}]}`, 422},
		{"POST", "/reprint", `{"referenceId":"ship-send","reason":"damaged","entries":[{"referenceId":1,"quantity":5}]}`, 422},
		{"POST", "/reprint", `{"referenceId":"ship-send","reason":"damaged","entries":[{"referenceId":1}]}`, 403}, // not produced yet
		{"POST", "/reprint", `{"referenceId":`, 400},
		{"POST", "/reprint", `{"referenceId":"ship-send","reason":"damaged","entries":[{"referenceId":1}],"note":"` + strings.Repeat("x", 2<<20) + `"}`, 413},
	} {
		r := pf(t, srv, c.method, c.path, demoKey, c.body)
		if r.Status != c.status || !strings.HasPrefix(string(r.Body), `{"errors":[{"field":`) {
			t.Errorf("%s %s %.80v: %d %s, want %d", c.method, c.path, c.body, r.Status, r.Body, c.status)
		}
	}

	// The free edition may read, not order.
	free := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Free","edition":"free"}`).JSON(t)["api_key"].(string)
	real := pfOrder("free-1", url)
	if r := pf(t, srv, "POST", "/order", free, real); r.Status != 403 {
		t.Errorf("free edition order: %d %s", r.Status, r.Body)
	}
	if r := pf(t, srv, "GET", "/products", free, nil); r.Status != 200 {
		t.Errorf("free edition products: %d", r.Status)
	}
}
