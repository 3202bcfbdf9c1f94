package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pressroom/pressroom/internal/testfiles"
)

// badBodyExempt are the endpoints that read a body but not as the check
// below sends it, each with the reason (and where another test covers
// it); the check applies to every case not named.
var badBodyExempt = map[string]struct{ malformed, tooLarge, noKey string }{
	// Actions: no body is read, a small one is drained, a large one refused.
	"POST /v1/orders/{number}/cancel":         {malformed: "an action takes no body"},
	"POST /v1/operator/orders/{number}/erase": {malformed: "an action takes no body"},
	"POST /v1/orders/{number}/release":        {malformed: "an action takes no body"},
	"POST /v1/orders/{number}/checkout":       {malformed: "an action takes no body"},
	"POST /v1/callbacks/{id}/redeliver":       {malformed: "an action takes no body"},
	"POST /wl3/api/orders/{orderId}/checkout": {malformed: "an action takes no body"},
	// Print files, as multipart bodies: their limit is the upload limit
	// (TestArtworkUploads' "too large", TestProboUploader, TestBoxesErrors).
	"PUT /boxes/v1/reseller/orders/{order_id}/products/{product_id}": {tooLarge: "a print file: the upload limit applies"},
	"PUT /v1/orders/{number}/items/{item}/artwork":                   {tooLarge: "a print file: the upload limit applies"},
	"PUT /v1/operator/orders/{number}/items/{item}/artwork":          {tooLarge: "a print file: the upload limit applies"},
	"POST /console/orders/{number}/items/{item}/artwork":             {tooLarge: "a print file: the upload limit applies"},
	"PUT /probo/uploader/{id}":                                       {tooLarge: "a print file: the upload limit applies", noKey: "the session's token in its URL authorises it"},
	"POST /probo/uploader/{id}":                                      {tooLarge: "a print file: the upload limit applies", noKey: "the session's token in its URL authorises it"},
	// A catalog may be larger than a request: 16 MB, checked below.
	"POST /v1/operator/catalog": {tooLarge: "its limit is 16 MB, checked on its own"},
	// OAuth token endpoints: the client's credentials are in the form.
	"POST /wl3/oauth/token":       {noKey: "the form carries the client's credentials"},
	"POST /boxes/v1/oauth2/token": {noKey: "the form carries the client's credentials"},
	// The console's forms: a broken JSON text is a well-formed form, so its
	// malformed case ("%zz") is TestConsoleRunsProduction's; signing in and
	// out take no key; signing out reads no body.
	"POST /console/login":                    {malformed: "a form (see above)", noKey: "the form carries the key"},
	"POST /console/logout":                   {malformed: "reads no body", tooLarge: "reads no body", noKey: "signing out needs nothing"},
	"POST /console/orders/status":            {malformed: "a form (see above)"},
	"POST /console/orders/{number}/status":   {malformed: "a form (see above)"},
	"POST /console/orders/{number}/notes":    {malformed: "a form (see above)"},
	"POST /console/callbacks/{id}/redeliver": {malformed: "a form (see above)"},
	"POST /console/reprints/{id}":            {malformed: "a form (see above)"},
}

// apiError is how each API writes an error (a substring of its body), by
// path prefix: native and operator problem documents, Probo's status
// object, Profotonet's error list, WL3's code and boxes' response.
func apiError(path string, status int) string {
	switch {
	case strings.HasPrefix(path, "/probo/"):
		return `"status":"error"`
	case strings.HasPrefix(path, "/profotonet/"):
		return `"errors":[`
	case strings.HasPrefix(path, "/wl3/oauth/"), strings.HasPrefix(path, "/boxes/v1/oauth2/"):
		return `"error":"invalid_request"`
	case strings.HasPrefix(path, "/boxes/"):
		return `"response":{"code":"`
	case strings.HasPrefix(path, "/console/"):
		return map[int]string{400: "could not be read", 401: "not signed in", 413: "larger than"}[status]
	}
	return map[int]string{400: `"code":"malformed"`, 401: `"code":"unauthorized"`, 413: `"code":"too_large"`, 422: `"code":"invalid"`}[status]
}

// TestEveryBodyEndpointRefusesBadBodies: every endpoint of every API that
// reads a body answers a body that is not JSON (nor a form, nor multipart)
// or is JSON's null with 400, one over its limit with 413 and a request without its key with
// 401, each in its API's own shape; never 5xx. The endpoints come from the
// servers' own route lists (bodyRoutes fails on one left out), and the
// exemptions name their reason.
func TestEveryBodyEndpointRefusesBadBodies(t *testing.T) {
	files := fileServer(t, map[string][]byte{"/a.pdf": testfiles.PDF(200, 400, 10), "/a.jpg": photo(t, 300, 450, 5)})
	srv := startServer(t, []string{"--data", t.TempDir()}, callbackEnv())
	routes, patterns := bodyRoutes(t, srv, files.URL)
	known := map[string]bool{}
	for _, p := range patterns {
		known[p] = true
	}
	for p := range badBodyExempt {
		if !known[p] {
			t.Errorf("the exemptions name %s, which reads no body", p)
		}
	}
	big := `{"a":"` + strings.Repeat("x", 2<<20) + `"}`
	for _, p := range patterns {
		fr, ex := routes[p], badBodyExempt[p]
		for _, c := range []struct {
			what, key, body, exempt string
			want                    int
		}{
			{"malformed", fr.key, `{"a":`, ex.malformed, 400},
			// null decodes to nothing: taken, it would succeed having said nothing.
			{"null", fr.key, `null`, ex.malformed, 400},
			{"too large", fr.key, big, ex.tooLarge, 413},
			{"no key", "", `{}`, ex.noKey, 401},
		} {
			h := map[string]string{"Content-Type": fr.ctype}
			if fr.cookie != "" && c.what != "no key" { // the console's sign-in is its key
				h["Cookie"] = fr.cookie
			}
			r := doWith(t, fr.method, srv.URL+fr.path, c.key, c.body, h)
			if r.Status >= 500 {
				t.Errorf("%s, %s: %d %.300s", p, c.what, r.Status, r.Body)
				continue
			}
			if c.exempt != "" {
				continue
			}
			if c.what == "null" && p == "POST /v1/operator/catalog" {
				c.want = 422 // JSON, but no catalog: the loader's problem at "/"
			}
			if r.Status != c.want || !strings.Contains(string(r.Body), apiError(fr.path, c.want)) {
				t.Errorf("%s, %s: %d %.300s; want %d with %s", p, c.what, r.Status, r.Body, c.want, apiError(fr.path, c.want))
			}
		}
	}
	huge := `{"a":"` + strings.Repeat("x", 17<<20) + `"}`
	if r := do(t, "POST", srv.URL+"/v1/operator/catalog", operatorKey, huge); r.Status != 413 || !strings.Contains(string(r.Body), `"code":"too_large"`) {
		t.Errorf("a catalog over 16 MB: %d %.300s", r.Status, r.Body)
	}
}

// keyExempt are the endpoints that take no API key, each with why.
var keyExempt = map[string]string{
	"GET /healthz": "public", "GET /metrics": "public", "GET /openapi.json": "public",
	"GET /track/{token}":          "the tracking page: public by an unguessable token",
	"POST /wl3/oauth/token":       "the form carries the client's credentials",
	"POST /boxes/v1/oauth2/token": "the form carries the client's credentials",
	"PUT /probo/uploader/{id}":    "the session's token in its URL authorises it",
	"POST /probo/uploader/{id}":   "the session's token in its URL authorises it",
}

// TestEveryEndpointNeedsItsKey: every endpoint of every API, from the
// servers' own route lists, answers a request without a key and one with
// a key that does not exist with 401 in its API's own shape (operator
// endpoints too), and one with the other kind of key (a reseller's, an
// operator's) as its API says, before it looks at anything else; the
// exemptions name why they need none.
func TestEveryEndpointNeedsItsKey(t *testing.T) {
	srv := startServer(t, []string{"--data", t.TempDir()}, nil)
	known, checked := map[string]bool{}, 0
	for _, p := range allPatterns() {
		known[p] = true
		if _, ok := keyExempt[p]; ok {
			continue
		}
		checked++
		method, path, _ := strings.Cut(p, " ")
		path = anyIDs(path) // the key is checked first
		var body any
		if method == "POST" || method == "PUT" || method == "PATCH" {
			body = `{}`
		}
		for name, key := range map[string]string{"no key": "", "an unknown key": "pr_unknownunknownunknownunknown0"} {
			r := do(t, method, srv.URL+path, key, body)
			if r.Status != 401 || !strings.Contains(string(r.Body), apiError(path, 401)) {
				t.Errorf("%s with %s: %d %.300s; want 401 with %s", p, name, r.Status, r.Body, apiError(path, 401))
			}
		}
		// The other kind of key: a reseller's endpoint refuses an operator key
		// (403 natively; the compatible APIs know resellers' keys only: 401),
		// and a reseller's key finds no operator endpoint (404).
		other, want, shape := operatorKey, 401, apiError(path, 401)
		if strings.HasPrefix(path, "/v1/operator/") {
			other, want, shape = demoKey, 404, `"code":"not_found"`
		} else if strings.HasPrefix(path, "/v1/") {
			want, shape = 403, `"code":"forbidden"`
		}
		if r := do(t, method, srv.URL+path, other, body); r.Status != want || !strings.Contains(string(r.Body), shape) {
			t.Errorf("%s with the other kind of key: %d %.300s; want %d with %s", p, r.Status, r.Body, want, shape)
		}
	}
	for p := range keyExempt {
		if !known[p] {
			t.Errorf("the exemptions name %s, which the server does not answer", p)
		}
	}
	t.Logf("%d endpoints need a key; %d need none", checked, len(keyExempt))
}

// anyIDs puts 1 for every {id} of a route's path.
func anyIDs(path string) string {
	for strings.Contains(path, "{") {
		open, end := strings.Index(path, "{"), strings.Index(path, "}")
		path = path[:open] + "1" + path[end+1:]
	}
	return path
}

// TestABrokenUploadIsTheClientsMistake: a multipart upload whose file part
// never closes (nor the body) fails its read half-way through the file:
// every upload endpoint answers 400 in its API's shape, not a 500, and
// keeps nothing.
func TestABrokenUploadIsTheClientsMistake(t *testing.T) {
	files := fileServer(t, map[string][]byte{"/a.pdf": testfiles.PDF(200, 400, 10), "/a.jpg": photo(t, 300, 450, 5)})
	srv := startServer(t, []string{"--data", t.TempDir()}, callbackEnv())
	routes, patterns := bodyRoutes(t, srv, files.URL)
	pdf := testfiles.PDF(200, 400, 10)
	broken := "--fuzz\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"plate.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" + string(pdf[:len(pdf)/2])
	uploads := 0
	for _, p := range patterns {
		fr := routes[p]
		if !strings.HasPrefix(fr.ctype, "multipart/form-data") || fr.cookie != "" {
			continue
		}
		uploads++
		if strings.HasSuffix(p, "/items/{item}/artwork") { // the fuzz order's file comes by URL: one awaiting its upload
			o := mustOrder(t, srv, demoKey, `{"id":"broken-upload-`+fmt.Sprint(uploads)+`","delivery":{"address":`+probonl+`},"items":[{"code":"dibond","options":`+dibondOptions+`,"upload":true}]}`)
			fr.path = strings.TrimPrefix(orderURL(srv, o, "/items/"+num(t, path(t, o, "items", 0, "id"))+"/artwork"), srv.URL)
			if strings.HasPrefix(p, "PUT /v1/operator/") {
				fr.path = strings.Replace(fr.path, "/v1/orders/", "/v1/operator/orders/", 1)
			}
		}
		for _, field := range []string{"artwork", "file"} {
			r := doWith(t, fr.method, srv.URL+fr.path, fr.key, fmt.Sprintf(broken, field), map[string]string{"Content-Type": fr.ctype})
			if r.Status != 400 {
				t.Errorf("%s, a %s part that breaks off: %d %.300s", p, field, r.Status, r.Body)
			}
		}
		if strings.HasPrefix(p, "PUT /v1/") {
			if st := path(t, decodeNumbers(t, do(t, "GET", srv.URL+fr.path, fr.key, nil).Body), "file_state"); st != "awaiting" {
				t.Errorf("after the broken uploads the item's file is %v, want still awaiting", st)
			}
		}
	}
	if uploads < 4 {
		t.Errorf("%d upload endpoints tried, want the native, Probo's two and the boxes API's", uploads)
	}
}
