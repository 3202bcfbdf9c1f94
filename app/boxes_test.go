package app_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/internal/testfiles"
)

// boxExample is the JSON value after the n-th occurrence of marker in the
// box document (its examples are JSON).
func boxExample(t testing.TB, marker string, n int) any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "boxes-api.txt"))
	if err != nil {
		t.Fatal(err)
	}
	at := 0
	for k := 0; k < n; k++ {
		i := bytes.Index(data[at:], []byte(marker))
		if i < 0 {
			t.Fatalf("marker %q (%d) not in the box document", marker, n)
		}
		at += i + len(marker)
	}
	rest := data[at:]
	dec := json.NewDecoder(bytes.NewReader(rest[bytes.IndexByte(rest, '{'):]))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// boxToken gets an access token as the document's clients do.
func boxToken(t *testing.T, srv *server, clientID, secret string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+"/boxes/v1/oauth2/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"external"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok map[string]any
	json.NewDecoder(resp.Body).Decode(&tok)
	if resp.StatusCode != 200 || tok["token_type"] != "Bearer" {
		t.Fatalf("token: %d %v", resp.StatusCode, tok)
	}
	return tok["access_token"].(string)
}

// artworkForm is a multipart body with the given parts (name -> content;
// a name starting with "file:" is a file part).
func artworkForm(parts [][2]string) (string, []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		if name, ok := strings.CutPrefix(p[0], "file:"); ok {
			fw, _ := mw.CreateFormFile(name, "file_to_upload.pdf")
			fw.Write([]byte(p[1]))
		} else {
			mw.WriteField(p[0], p[1])
		}
	}
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

func boxUpload(t *testing.T, srv *server, token, path string, parts [][2]string) response {
	t.Helper()
	ctype, body := artworkForm(parts)
	return doWith(t, "PUT", srv.URL+"/boxes"+path, token, body, map[string]string{"Content-Type": ctype})
}

// streamed PUTs body chunked: the server learns its length only at its end.
func streamed(t *testing.T, url, token, ctype string, body []byte) response {
	t.Helper()
	req, err := http.NewRequest("PUT", url, io.MultiReader(bytes.NewReader(body))) // a reader of no known length
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: b, Header: resp.Header}
}

// TestBoxesSeedExamples replays the box document's examples: the create
// example verbatim, answered with its amounts to the cent and its states;
// the order and product lookups and the upload of the example's ids (the
// ids pressroom generated, as the seeds' README allows); the list example
// (page 1 is the second page: the README's decision) over the orders it
// shows, created first, and paid by staff.
func TestBoxesSeedExamples(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		account := fmt.Sprint(decodeNumbers(t, do(t, "GET", srv.URL+"/v1/account", demoKey, nil).Body)["id"])
		token := boxToken(t, srv, account, demoKey)
		ids := func(where string) bool {
			return strings.HasSuffix(where, ".id") || strings.HasSuffix(where, "orderId") || strings.HasSuffix(where, "productId") || strings.HasSuffix(where, ".uri")
		}

		req := boxExample(t, "POST /v1/reseller/orders HTTP/1.1", 1)
		want := boxExample(t, "Response\n\nHTTP status code: 200", 2) // the create example's answer
		r := do(t, "POST", srv.URL+"/boxes/v1/reseller/orders", token, req)
		if r.Status != 200 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		got := decodeNumbers(t, r.Body)
		matchSubset(t, "create", want, got, ids)
		id := fmt.Sprint(path(t, got, "response", "id"))
		if !regexp.MustCompile(`^\d{4}-`+account+`-\d+$`).MatchString(id) || path(t, got, "response", "items", 1, "id") != id+".02" {
			t.Errorf("ids: %s, %v", id, path(t, got, "response", "items", 1, "id"))
		}

		// The lookups of the example, with our ids.
		wantGet := boxExample(t, "GET /v1/reseller/orders/2024-1724415-8887275 HTTP/1.1", 1)
		g := decodeNumbers(t, do(t, "GET", srv.URL+"/boxes/v1/reseller/orders/"+id, token, nil).Body)
		matchSubset(t, "get", wantGet, g, ids)
		if path(t, g, "request", "params", "orderId") != id || path(t, g, "request", "uri") != "/v1/reseller/orders/"+id {
			t.Errorf("get request echo: %v", g["request"])
		}
		wantProduct := boxExample(t, "GET /v1/reseller/orders/2024-1724415-8887275/products/2024-1724415-8887275.01 HTTP/1.1", 1)
		pr := decodeNumbers(t, do(t, "GET", srv.URL+"/boxes/v1/reseller/orders/"+id+"/products/"+id+".01", token, nil).Body)
		matchSubset(t, "product", wantProduct, pr, ids)

		// The upload example: the printed product's artwork, a PDF.
		wantUp := boxExample(t, "PUT /v1/reseller/orders/2024-1724415-8887275/products/2024-1724415-8887275.02 HTTP/1.1", 1)
		up := boxUpload(t, srv, token, "/v1/reseller/orders/"+id+"/products/"+id+".02", [][2]string{{"file:artwork", string(testfiles.PDF(317.86, 311.54, 3))}})
		if up.Status != 200 {
			t.Fatalf("upload: %d %s", up.Status, up.Body)
		}
		matchSubset(t, "upload", wantUp, decodeNumbers(t, up.Body), ids)
		// The preflight checks the PDF against the die's flat size (317.86 x
		// 311.54 mm at this size) with 3 mm bleed: it passes, and the box
		// goes on; an A4 page sends its product back to waiting_upload.
		productState := func(p string) string {
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				st := fmt.Sprint(path(t, decodeNumbers(t, do(t, "GET", srv.URL+"/boxes/v1/reseller/orders/"+id+"/products/"+p, token, nil).Body), "response", "status"))
				if st != "waiting_file_check" || time.Now().After(deadline) {
					return st
				}
			}
		}
		if st := productState(id + ".02"); st != "in_processing" {
			t.Errorf("after a PDF of the die's size: %s", st)
		}
		// The die this API hands out is the size its preflight asks for:
		// its trim box is the blank, its bleed box 3 mm more around.
		q := "article=s001_v1&material=SBS300&width=70.66&depth=80.77&height=120"
		die := do(t, "GET", srv.URL+"/boxes/v1/reseller/dieline?"+q, token, nil)
		if die.Status != 200 {
			t.Fatalf("dieline: %d %s", die.Status, die.Body)
		}
		if up := boxUpload(t, srv, token, "/v1/reseller/orders/"+id+"/products/"+id+".02", [][2]string{{"file:artwork", string(die.Body)}}); up.Status != 200 {
			t.Fatalf("upload of the die: %d %s", up.Status, up.Body)
		}
		if st := productState(id + ".02"); st != "in_processing" {
			t.Errorf("after the die itself: %s", st)
		}

		// The list example: its two orders, created first (the five-item one
		// oldest), then two newer ones; staff mark the two paid.
		list := boxExample(t, "GET /v1/reseller/orders HTTP/1.1", 1).(map[string]any)
		orders := list["response"].([]any)
		var numbers []string
		for k := len(orders) - 1; k >= 0; k-- {
			o := orders[k].(map[string]any)
			body := map[string]any{"items": []any{}, "shipping": o["shipping"], "billing": o["billing"]}
			for _, x := range o["items"].([]any) {
				it := map[string]any{}
				for _, f := range []string{"article", "width", "depth", "height", "material", "references", "printing", "gold", "silver", "varnish", "manufacturing_time"} {
					it[f] = x.(map[string]any)[f]
				}
				body["items"] = append(body["items"].([]any), it)
			}
			r := decodeNumbers(t, do(t, "POST", srv.URL+"/boxes/v1/reseller/orders", token, body).Body)
			oid := fmt.Sprint(path(t, r, "response", "id"))
			numbers = append(numbers, oid[strings.LastIndex(oid, "-")+1:])
		}
		for _, n := range numbers {
			if r := do(t, "POST", srv.URL+"/v1/operator/orders/"+n+"/payment", operatorKey, `{"payment":"paid"}`); r.Status != 200 {
				t.Fatalf("payment: %d %s", r.Status, r.Body)
			}
		}
		for range 2 {
			do(t, "POST", srv.URL+"/boxes/v1/reseller/orders", token, req)
		}
		l := decodeNumbers(t, do(t, "GET", srv.URL+"/boxes/v1/reseller/orders?page=1&limit=2", token, nil).Body)
		matchSubset(t, "list", list, l, ids)
	})
}

// TestBoxesDieline: the die of an article at a size, as PDF and as JSON
// with the PDF in a base64 buffer, its blank the catalog's; a size the
// article is not made in, or an unknown article, refused.
func TestBoxesDieline(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	q := "/boxes/v1/reseller/dieline?article=s001_v0&material=SBS300&width=80&depth=80&height=150"
	r := do(t, "GET", srv.URL+q, demoKey, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		t.Fatalf("pdf: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	j := decodeNumbers(t, do(t, "GET", srv.URL+q+"&type=json", demoKey, nil).Body)
	buf, err := base64.StdEncoding.DecodeString(fmt.Sprint(path(t, j, "response", "buffer")))
	// The same drawing (a PDF's id and dates differ from file to file).
	if err != nil || !bytes.HasPrefix(buf, []byte("%PDF-")) || !bytes.Contains(buf[len(buf)-10:], []byte("%%EOF")) || len(buf) < len(r.Body)-100 || len(buf) > len(r.Body)+100 || fmt.Sprint(path(t, j, "response", "blank_length")) != "335" || fmt.Sprint(path(t, j, "response", "blank_width")) != "340" ||
		path(t, j, "request", "query", "article") != "s001_v0" {
		t.Errorf("json: %.300v", j)
	}
	for _, c := range []struct{ q, code, path string }{
		{"article=s999&material=SBS300&width=80&depth=80&height=150", "ORD_1105", "article"},
		{"article=s001_v0&material=GOLDLEAF&width=80&depth=80&height=150", "ORD_1106", "material"},
		{"article=s001_v0&material=SBS300&width=80.123&depth=80&height=150", "ORD_1107", "width"},
		{"article=s001_v0&material=SBS300&width=80&height=150", "ORD_1108", "depth"},
		{"article=s001_v0&material=SBS300&width=80&depth=80&height=0", "ORD_1109", "height"},
		{"article=s001_v0&material=SBS300&width=5&depth=80&height=150", "BOX_ERROR", "width"},
		{"article=s001_v0&material=SBS300&width=80&depth=80&height=150&type=svg", "VALIDATION_ERROR", "type"},
	} {
		r := do(t, "GET", srv.URL+"/boxes/v1/reseller/dieline?"+c.q, demoKey, nil)
		e := decodeNumbers(t, r.Body)
		if r.Status != 400 || path(t, e, "response", "errors", 0, "code") != c.code || path(t, e, "response", "errors", 0, "path") != c.path {
			t.Errorf("%s: %d %s", c.q, r.Status, r.Body)
		}
	}
}

// TestBoxesErrors provokes every ORD_ code of the document, each at its
// field's path, in the document's envelope; and the other errors: a key,
// another reseller's order, a malformed body.
func TestBoxesErrors(t *testing.T) {
	env := baseEnv()
	env["PRESSROOM_MAX_FILE_MB"] = "1"
	srv := startServer(t, stores[0].args(t), env)
	account := fmt.Sprint(decodeNumbers(t, do(t, "GET", srv.URL+"/v1/account", demoKey, nil).Body)["id"])
	token := boxToken(t, srv, account, demoKey)
	base := func() map[string]any {
		var m map[string]any
		b, _ := json.Marshal(boxExample(t, "POST /v1/reseller/orders HTTP/1.1", 1))
		json.Unmarshal(b, &m)
		return m
	}
	item := func(m map[string]any, i int) map[string]any { return m["items"].([]any)[i].(map[string]any) }
	ship := func(m map[string]any) map[string]any { return m["shipping"].(map[string]any) }
	check := func(what string, r response, status int, typ, code, path string) {
		t.Helper()
		var env struct {
			Request  map[string]any
			Response struct {
				Code           string
				Message        string
				HTTPStatusCode int `json:"http_status_code"`
				Errors         []struct{ Code, Path, Message string }
			}
		}
		if err := json.Unmarshal(r.Body, &env); err != nil || env.Request == nil {
			t.Errorf("%s: not the envelope: %d %s", what, r.Status, r.Body)
			return
		}
		e := env.Response
		if r.Status != status || e.Code != typ || e.HTTPStatusCode != status || (code != "" && (len(e.Errors) != 1 || e.Errors[0].Code != code || e.Errors[0].Path != path)) {
			t.Errorf("%s: %d %s, want %d %s %s at %s", what, r.Status, r.Body, status, typ, code, path)
		}
	}
	create := func(what string, edit func(m map[string]any), typ, code, path string) {
		t.Helper()
		m := base()
		edit(m)
		check(what, do(t, "POST", srv.URL+"/boxes/v1/reseller/orders", token, m), 400, typ, code, path)
	}
	v := "VALIDATION_ERROR"
	create("empty purchase_order", func(m map[string]any) { m["purchase_order"] = "" }, v, "ORD_1103", "purchase_order")
	create("no items", func(m map[string]any) { delete(m, "items") }, v, "ORD_1104", "items")
	create("bad article", func(m map[string]any) { item(m, 1)["article"] = "s999" }, v, "ORD_1105", "items[1].article")
	create("bad material", func(m map[string]any) { item(m, 0)["material"] = "CARDBOARD" }, v, "ORD_1106", "items[0].material")
	create("three decimals", func(m map[string]any) { item(m, 0)["width"] = 70.666 }, v, "ORD_1107", "items[0].width")
	create("no depth", func(m map[string]any) { delete(item(m, 0), "depth") }, v, "ORD_1108", "items[0].depth")
	create("negative height", func(m map[string]any) { item(m, 1)["height"] = -5 }, v, "ORD_1109", "items[1].height")
	create("no references", func(m map[string]any) { item(m, 0)["references"] = []any{} }, v, "ORD_1110", "items[0].references")
	create("fractional quantity", func(m map[string]any) { item(m, 0)["references"] = []any{map[string]any{"quantity": 2.5}} }, v, "ORD_1111", "items[0].references[0].quantity")
	create("printing as text", func(m map[string]any) { item(m, 0)["printing"] = "yes" }, v, "ORD_1112", "items[0].printing")
	create("gold on FBB285", func(m map[string]any) { item(m, 0)["gold"] = true }, v, "ORD_1113", "items[0].gold")
	create("silver with gold", func(m map[string]any) { item(m, 1)["gold"] = true }, v, "ORD_1114", "items[1].silver")
	create("varnish unprinted", func(m map[string]any) { item(m, 0)["varnish"] = true }, v, "ORD_1115", "items[0].varnish")
	create("bad manufacturing time", func(m map[string]any) { item(m, 0)["manufacturing_time"] = "overnight" }, v, "ORD_1116", "items[0].manufacturing_time")
	create("no shipping", func(m map[string]any) { delete(m, "shipping") }, v, "ORD_1117", "shipping")
	for _, f := range []struct{ field, code string }{{"first_name", "ORD_1118"}, {"last_name", "ORD_1119"}, {"company", "ORD_1120"}, {"co", "ORD_1121"},
		{"phone", "ORD_1122"}, {"country_code", "ORD_1123"}, {"province", "ORD_1124"}, {"city", "ORD_1125"}, {"zip_code", "ORD_1126"}, {"address", "ORD_1127"}} {
		create(f.field+" a number", func(m map[string]any) { ship(m)[f.field] = 42 }, v, f.code, "shipping."+f.field)
	}
	create("country XX", func(m map[string]any) { ship(m)["country_code"] = "XX" }, v, "ORD_1123", "shipping.country_code")
	create("one box", func(m map[string]any) { item(m, 1)["references"] = []any{map[string]any{"quantity": 1}} }, "QUANTITY_ERROR", "ORD_1134", "items[1].references")
	create("larger than the sheet", func(m map[string]any) { item(m, 0)["width"] = 450; item(m, 0)["depth"] = 450 }, "BOX_ERROR", "BOX_ERROR", "items[0]")

	// The list's parameters.
	list := func(q string) response { return do(t, "GET", srv.URL+"/boxes/v1/reseller/orders"+q, token, nil) }
	check("no page", list("?limit=2"), 400, v, "ORD_1100", "page")
	check("no limit", list("?page=0"), 400, v, "ORD_1101", "limit")
	check("bad sort", list("?page=0&limit=2&sort=sideways"), 400, v, "ORD_1102", "sort")
	if r := list("?page=0&limit=2&sort=asc"); r.Status != 200 {
		t.Errorf("sort asc: %d %s", r.Status, r.Body)
	}

	// The upload's.
	o := decodeNumbers(t, do(t, "POST", srv.URL+"/boxes/v1/reseller/orders", token, base()).Body)
	id := fmt.Sprint(path(t, o, "response", "id"))
	product := "/v1/reseller/orders/" + id + "/products/" + id + ".02"
	pdf := string(testfiles.PDF(321.86, 311.54, 3))
	check("no artwork", boxUpload(t, srv, token, product, [][2]string{{"note", "x"}}), 400, v, "ORD_1128", "artwork")
	check("not multipart", do(t, "PUT", srv.URL+"/boxes"+product, token, []byte(pdf)), 400, v, "ORD_1128", "artwork")
	var many [][2]string
	for k := range 11 {
		many = append(many, [2]string{fmt.Sprintf("f%d", k), "x"})
	}
	check("eleven fields", boxUpload(t, srv, token, product, append(many, [2]string{"file:artwork", pdf})), 400, v, "ORD_1130", "artwork")
	check("two files", boxUpload(t, srv, token, product, [][2]string{{"file:artwork", pdf}, {"file:artwork", pdf}}), 400, v, "ORD_1132", "artwork")
	check("a PNG", boxUpload(t, srv, token, product, [][2]string{{"file:artwork", string(testfiles.PNG(100, 100))}}), 400, v, "ORD_1133", "artwork")
	// A file over the limit (1 MB here), whether the body says its length or
	// streams (chunked, the length unknown until the end): nothing is kept.
	big := append(testfiles.PDF(321.86, 311.54, 3), bytes.Repeat([]byte("%"), 3<<20)...)
	ctype, body := artworkForm([][2]string{{"file:artwork", string(big)}})
	check("too large", doWith(t, "PUT", srv.URL+"/boxes"+product, token, body, map[string]string{"Content-Type": ctype}), 413, v, "ORD_1131", "artwork")
	check("too large, streamed", streamed(t, srv.URL+"/boxes"+product, token, ctype, body), 413, v, "ORD_1131", "artwork")
	if st := path(t, decodeNumbers(t, do(t, "GET", srv.URL+"/boxes"+product, token, nil).Body), "response", "status"); st != "waiting_upload" {
		t.Errorf("after the refused uploads: product %v", st)
	}
	check("cut off", doWith(t, "PUT", srv.URL+"/boxes"+product, token, []byte("--x\r\nContent-Disposition: form-data; name=\"artwork\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.7 trunc"),
		map[string]string{"Content-Type": "multipart/form-data; boundary=x"}), 400, v, "ORD_1129", "artwork")
	// A PDF of another size fails the check: the product waits for a new upload.
	if r := boxUpload(t, srv, token, product, [][2]string{{"file:artwork", string(testfiles.PDF(210, 297, 3))}}); r.Status != 200 {
		t.Fatalf("A4 upload: %d %s", r.Status, r.Body)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st := fmt.Sprint(path(t, decodeNumbers(t, do(t, "GET", srv.URL+"/boxes"+product, token, nil).Body), "response", "status"))
		if st == "waiting_upload" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("an A4 page for a 317.86 x 311.54 mm die: product %s", st)
		}
	}
	// The unprinted product needs no artwork.
	if r := boxUpload(t, srv, token, "/v1/reseller/orders/"+id+"/products/"+id+".01", [][2]string{{"file:artwork", pdf}}); r.Status < 400 {
		t.Errorf("artwork for an unprinted box: %d %s", r.Status, r.Body)
	}

	// A Dutch address: its house number is the end of the address line.
	nl := base()
	nl["shipping"] = map[string]any{"first_name": "Mr.", "last_name": "Print", "company": "Probo", "co": "", "phone": "31612345678",
		"country_code": "NL", "province": "Friesland", "city": "Dokkum", "zip_code": "9101PE", "address": "Fortuinweg 17"}
	if r := do(t, "POST", srv.URL+"/boxes/v1/reseller/orders", token, nl); r.Status != 200 || path(t, decodeNumbers(t, r.Body), "response", "shipping", "address") != "Fortuinweg 17" {
		t.Errorf("Dutch address: %d %.300s", r.Status, r.Body)
	}
	free := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Free","edition":"free"}`).JSON(t)["api_key"].(string)
	check("free edition", do(t, "POST", srv.URL+"/boxes/v1/reseller/orders", free, base()), 403, "ORDER_ERROR", "", "")

	// Keys, other resellers, odd bodies.
	check("no token", do(t, "GET", srv.URL+"/boxes/v1/reseller/orders?page=0&limit=1", "", nil), 401, "UNAUTHORIZED", "", "")
	other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)["api_key"].(string)
	check("other's order", do(t, "GET", srv.URL+"/boxes/v1/reseller/orders/"+id, other, nil), 404, "NOT_FOUND", "", "")
	check("other's product", do(t, "GET", srv.URL+"/boxes"+product, other, nil), 404, "NOT_FOUND", "", "")
	check("other's upload", boxUpload(t, srv, other, product, [][2]string{{"file:artwork", pdf}}), 404, "NOT_FOUND", "", "")
	check("unknown product", do(t, "GET", srv.URL+"/boxes/v1/reseller/orders/"+id+"/products/"+id+".09", token, nil), 404, "NOT_FOUND", "", "")
	check("odd id", do(t, "GET", srv.URL+"/boxes/v1/reseller/orders/nonsense", token, nil), 404, "NOT_FOUND", "", "")
	check("not JSON", do(t, "POST", srv.URL+"/boxes/v1/reseller/orders", token, `{"items":`), 400, v, "ORD_1104", "items")
	if r := do(t, "POST", srv.URL+"/boxes/v1/reseller/orders", token, `{"purchase_order":"`+strings.Repeat("x", 2<<20)+`"}`); r.Status != 413 {
		t.Errorf("oversized: %d %.200s", r.Status, r.Body)
	}
}
