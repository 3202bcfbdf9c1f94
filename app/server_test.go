package app_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/app"
	"github.com/pressroom/pressroom/catalog"
)

func TestHealthAndOpenAPI(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	if r := do(t, "GET", srv.URL+"/healthz", "", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"ok"`) {
		t.Errorf("healthz = %d %s", r.Status, r.Body)
	}
	r := do(t, "GET", srv.URL+"/openapi.json", "", nil)
	if r.Status != 200 {
		t.Fatalf("openapi.json = %d", r.Status)
	}
	doc := r.JSON(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1") {
		t.Errorf("openapi = %v, want 3.1.x", doc["openapi"])
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range []string{"/v1/account", "/v1/products", "/v1/products/{code}", "/v1/products/configure", "/v1/operator/resellers", "/v1/operator/resellers/{id}", "/v1/operator/resellers/{id}/customers", "/v1/operator/resellers/{id}/keys", "/v1/operator/keys/{id}", "/v1/operator/catalog", "/healthz"} {
		if paths[p] == nil {
			t.Errorf("openapi.json does not document %s", p)
		}
	}
	if !strings.Contains(srv.Stdout.String(), "demo reseller") || !strings.Contains(srv.Stdout.String(), demoKey) {
		t.Errorf("start output does not show the demo key:\n%s", srv.Stdout.String())
	}
}

func TestAuthentication(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		for _, ep := range []struct{ method, path, body string }{
			{"GET", "/v1/account", ""},
			{"GET", "/v1/products", ""},
			{"GET", "/v1/products/dibond", ""},
			{"POST", "/v1/products/configure", `{"products":[{"code":"dibond"}]}`},
			{"GET", "/v1/operator/resellers", ""},
			{"POST", "/v1/operator/resellers", `{"name":"x"}`},
			{"GET", "/v1/operator/catalog", ""},
		} {
			for _, key := range []string{"", "wrong-key-123456"} {
				var body any
				if ep.body != "" {
					body = ep.body
				}
				r := do(t, ep.method, srv.URL+ep.path, key, body)
				if r.Status != 401 || r.Header.Get("WWW-Authenticate") == "" || !strings.Contains(string(r.Body), `"code":"unauthorized"`) {
					t.Errorf("%s %s with key %q: %d %s, want 401 with WWW-Authenticate", ep.method, ep.path, key, r.Status, r.Body)
				}
			}
		}
		// Roles: an operator key is no reseller key, and resellers never see operator endpoints.
		if r := do(t, "GET", srv.URL+"/v1/account", operatorKey, nil); r.Status != 403 {
			t.Errorf("operator key on /v1/account: %d, want 403", r.Status)
		}
		if r := do(t, "GET", srv.URL+"/v1/operator/resellers", demoKey, nil); r.Status != 404 {
			t.Errorf("reseller key on operator endpoint: %d, want 404", r.Status)
		}
		// A revoked key is refused.
		created := do(t, "POST", srv.URL+"/v1/operator/resellers/1000001/keys", operatorKey, `{"name":"temp"}`)
		if created.Status != 201 {
			t.Fatalf("create key: %d %s", created.Status, created.Body)
		}
		m := created.JSON(t)
		key, id := m["key"].(string), int64(m["id"].(float64))
		if !strings.HasPrefix(key, "pr_") || m["hint"] != key[len(key)-4:] {
			t.Errorf("created key = %v", m)
		}
		if r := do(t, "DELETE", fmt.Sprintf("%s/v1/operator/keys/%d", srv.URL, id), operatorKey, nil); r.Status != 204 {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		if r := do(t, "GET", srv.URL+"/v1/account", key, nil); r.Status != 401 {
			t.Errorf("revoked key: %d, want 401", r.Status)
		}
		if r := do(t, "DELETE", srv.URL+"/v1/operator/keys/99999", operatorKey, nil); r.Status != 404 {
			t.Errorf("revoke unknown key: %d, want 404", r.Status)
		}
	})
}

func TestProductsList(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	r := do(t, "GET", srv.URL+"/v1/products?per_page=100", demoKey, nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var list struct {
		Meta struct{ Page, Pages, Items, PerPage int } `json:"meta"`
		Data []struct {
			Code         string                        `json:"code"`
			ArticleGroup string                        `json:"article_group"`
			Unit         string                        `json:"unit"`
			Active       bool                          `json:"active"`
			Translations map[string]map[string]*string `json:"translations"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatal(err)
	}
	if list.Meta.Items < 30 || len(list.Data) != list.Meta.Items || list.Meta.Pages != 1 {
		t.Fatalf("meta = %+v with %d products, want at least 30 on one page", list.Meta, len(list.Data))
	}
	groups, units, codes := map[string]int{}, map[string]int{}, map[string]bool{}
	for _, p := range list.Data {
		groups[p.ArticleGroup]++
		units[p.Unit]++
		codes[p.Code] = true
		for _, l := range []string{"en", "de", "nl", "fr"} {
			if _, ok := p.Translations[l]; !ok {
				t.Errorf("%s has no %s translation entry", p.Code, l)
			}
		}
	}
	for g := range catalog.ArticleGroups {
		if groups[g] == 0 {
			t.Errorf("no product in article group %s", g)
		}
	}
	for _, u := range []string{"m2", "rm", "piece"} {
		if units[u] == 0 {
			t.Errorf("no product with unit %s", u)
		}
	}
	for _, c := range []string{"dibond", "airtex", "s001_v0", "s001_v1", "s002_v4", "s020_v1", "schoolfotoset-a-glans", "canvas-2cm-50x50-wit", "side-grip-spacer-2-5mm"} {
		if !codes[c] {
			t.Errorf("demo catalog lacks %s", c)
		}
	}

	tests := []struct {
		query  string
		status int
		check  func(t *testing.T, m map[string]any)
	}{
		{"?page=2&per_page=10", 200, func(t *testing.T, m map[string]any) {
			if path(t, m, "meta", "page") != float64(2) || len(m["data"].([]any)) != 10 {
				t.Errorf("page 2: %v", m["meta"])
			}
		}},
		{"?page=99", 200, func(t *testing.T, m map[string]any) {
			if len(m["data"].([]any)) != 0 {
				t.Errorf("page past the end is not empty")
			}
		}},
		{"?article_group=box", 200, func(t *testing.T, m map[string]any) {
			if path(t, m, "meta", "items") != float64(4) {
				t.Errorf("boxes: %v", m["meta"])
			}
		}},
		{"?active=false", 200, func(t *testing.T, m map[string]any) {
			if path(t, m, "meta", "items") != float64(0) {
				t.Errorf("inactive: %v", m["meta"])
			}
		}},
		{"?language=de&article_group=composed_product", 200, func(t *testing.T, m map[string]any) {
			if got := path(t, m, "data", 0, "title"); got != "Aluminiumverbundplatte (Dibond®)" {
				t.Errorf("German title = %v", got)
			}
		}},
		{"?page=0", 400, nil},
		{"?per_page=101", 400, nil},
		{"?per_page=abc", 400, nil},
		{"?language=xx", 400, nil},
		{"?article_group=cheese", 400, nil},
		{"?active=maybe", 400, nil},
		{"?page=0&per_page=101&language=xx&active=maybe&article_group=cheese", 400, func(t *testing.T, m map[string]any) {
			var at []string
			for _, f := range m["errors"].([]any) {
				at = append(at, f.(map[string]any)["pointer"].(string))
			}
			if strings.Join(at, " ") != "?page ?per_page ?language ?active ?article_group" || m["detail"] != "5 query parameters are not valid." {
				t.Errorf("every bad parameter at once: %v, %v", m["detail"], at)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := do(t, "GET", srv.URL+"/v1/products"+tc.query, demoKey, nil)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if tc.check != nil {
				tc.check(t, r.JSON(t))
			}
		})
	}
}

func TestProductTree(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	r := do(t, "GET", srv.URL+"/v1/products/dibond", demoKey, nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	steps := m["steps"].([]any)
	var groups []string
	for _, s := range steps {
		for _, g := range s.([]any) {
			groups = append(groups, g.(map[string]any)["code"].(string))
		}
	}
	want := "size amount print-material print-side material-type material-thickness finishing drill-holes uploader-application"
	if strings.Join(groups, " ") != want {
		t.Errorf("dibond groups = %v, want %s", groups, want)
	}
	if path(t, m, "cross_sell", "code") != "accessories-cross-sell" || len(path(t, m, "cross_sell", "options").([]any)) != 4 {
		t.Errorf("cross_sell = %v", m["cross_sell"])
	}
	if r := do(t, "GET", srv.URL+"/v1/products/unobtainium", demoKey, nil); r.Status != 404 || !strings.Contains(string(r.Body), "unobtainium") {
		t.Errorf("unknown product: %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", srv.URL+"/v1/products/dibond?language=tlh", demoKey, nil); r.Status != 400 || !strings.Contains(string(r.Body), `"pointer":"?language"`) {
		t.Errorf("a language the catalog has not: %d %s", r.Status, r.Body)
	}
	if r := do(t, "GET", srv.URL+"/v1/nothing-here", demoKey, nil); r.Status != 404 {
		t.Errorf("unknown endpoint: %d", r.Status)
	}
}

func TestAccountsThroughOperatorAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		acc := do(t, "GET", srv.URL+"/v1/account", demoKey, nil).JSON(t)
		if acc["name"] != "demo" || acc["edition"] != "standard" || acc["id"] != float64(1000001) {
			t.Errorf("demo account = %v", acc)
		}
		r := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Fotoshop BV","edition":"free","callback_url":"https://fotoshop.example/cb"}`)
		if r.Status != 201 {
			t.Fatalf("create reseller: %d %s", r.Status, r.Body)
		}
		created := r.JSON(t)
		key, id := created["api_key"].(string), int64(created["id"].(float64))
		if key == "" || created["edition"] != "free" {
			t.Fatalf("created = %v", created)
		}
		if r := do(t, "POST", fmt.Sprintf("%s/v1/operator/resellers/%d/customers", srv.URL, id), operatorKey, `{"name":"Jansen","email":"j@jansen.example","reference":"K-1"}`); r.Status != 201 {
			t.Fatalf("add customer: %d %s", r.Status, r.Body)
		}
		own := do(t, "GET", srv.URL+"/v1/account", key, nil).JSON(t)
		if own["id"] != float64(id) || own["edition"] != "free" || path(t, own, "customers", 0, "reference") != "K-1" {
			t.Errorf("new reseller's account = %v", own)
		}
		// The demo reseller does not see the other reseller's customers.
		if cs := do(t, "GET", srv.URL+"/v1/account", demoKey, nil).JSON(t)["customers"].([]any); len(cs) != 0 {
			t.Errorf("demo sees customers %v", cs)
		}
		for _, tc := range []struct {
			method, path, body string
			status             int
		}{
			{"POST", "/v1/operator/resellers", `{"name":"Fotoshop BV"}`, 409},
			{"POST", "/v1/operator/resellers", `{"name":"","edition":"gold"}`, 422},
			{"POST", "/v1/operator/resellers", `{"name":`, 400},
			{"POST", "/v1/operator/resellers", `{"name":"x","colour":"red"}`, 400},
			{"GET", "/v1/operator/resellers/424242", "", 404},
			{"GET", "/v1/operator/resellers/abc", "", 404},
			{"POST", fmt.Sprintf("/v1/operator/resellers/%d/customers", id), `{"name":"Dup","reference":"K-1"}`, 409},
			{"POST", "/v1/operator/resellers/424242/customers", `{"name":"Nobody"}`, 404},
			{"POST", "/v1/operator/resellers/424242/keys", `{}`, 404},
			{"POST", fmt.Sprintf("/v1/operator/resellers/%d/keys", id), `{"name":"` + strings.Repeat("k", 201) + `"}`, 422},
			{"POST", "/v1/operator/resellers", `{"name":"` + strings.Repeat("x", 1<<20) + `"}`, 413},
		} {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			if r := do(t, tc.method, srv.URL+tc.path, operatorKey, body); r.Status != tc.status {
				t.Errorf("%s %s %.40s: %d, want %d: %.300s", tc.method, tc.path, tc.body, r.Status, tc.status, r.Body)
			}
		}
		list := do(t, "GET", srv.URL+"/v1/operator/resellers", operatorKey, nil).JSON(t)["data"].([]any)
		if len(list) != 2 {
			t.Errorf("%d resellers listed, want 2", len(list))
		}
		one := do(t, "GET", fmt.Sprintf("%s/v1/operator/resellers/%d", srv.URL, id), operatorKey, nil).JSON(t)
		if keys := one["keys"].([]any); len(keys) != 1 || keys[0].(map[string]any)["key"] != nil {
			t.Errorf("keys = %v, want one, without its secret", keys)
		}
	})
}

func TestCatalogHotReload(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		srv := startServer(t, st.args(t), nil)
		// Staff export the catalog, add a product and import it with the CLI
		// while the server runs.
		code, out, errOut := runCLI(t, nil, append([]string{"catalog", "export"}, srv.Args...)...)
		if code != 0 {
			t.Fatalf("export: %d %s", code, errOut)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		products := doc["products"].([]any)
		extra := map[string]any{"code": "sticker-sheet", "article_group": "material", "unit": "piece",
			"translations": map[string]any{"en": map[string]any{"title": "Sticker sheet"}}, "steps": []any{[]any{"amount"}}}
		doc["products"] = append(products, extra)
		data, _ := json.Marshal(doc)
		file := filepath.Join(t.TempDir(), "catalog.json")
		os.WriteFile(file, data, 0o644)
		code, out, errOut = runCLI(t, nil, append([]string{"catalog", "import", file, "--note", "sticker sheets"}, srv.Args...)...)
		if code != 0 || !strings.Contains(out, "imported catalog version 2") {
			t.Fatalf("import: %d %s %s", code, out, errOut)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			r := do(t, "GET", srv.URL+"/v1/products/sticker-sheet", demoKey, nil)
			if r.Status == 200 {
				if v := r.JSON(t)["catalog_version"]; v != float64(2) {
					t.Errorf("catalog_version = %v, want 2", v)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the running server did not pick up catalog version 2: %d", r.Status)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// A product without price rules is configured, not priced: no tiers.
		if r := do(t, "GET", srv.URL+"/v1/products/sticker-sheet/tiers", demoKey, nil); r.Status != 422 || !strings.Contains(string(r.Body), "has no price rules") {
			t.Errorf("tiers of an unpriced product: %d %s", r.Status, r.Body)
		}
		// The operator API validates an import and names each problem.
		r := do(t, "POST", srv.URL+"/v1/operator/catalog", operatorKey, `{"default_language":"nl","products":[{"code":"bad","article_group":"cheese","unit":"m2","translations":{"en":{"title":"Bad"}},"steps":[["nope"]]}]}`)
		if r.Status != 422 || !strings.Contains(string(r.Body), `product \"bad\"`) || !strings.Contains(string(r.Body), "article_group") {
			t.Errorf("invalid import: %d %s", r.Status, r.Body)
		}
		// A document that is not JSON is malformed (400), with where it breaks.
		r = do(t, "POST", srv.URL+"/v1/operator/catalog", operatorKey, "{\n  \"default_language\": \"nl\",\n  \"products\": [}\n")
		if r.Status != 400 || !strings.Contains(string(r.Body), `"code":"malformed"`) || !strings.Contains(string(r.Body), "line 3, column 16") {
			t.Errorf("import of a document that is not JSON: %d %s", r.Status, r.Body)
		}
		r = do(t, "POST", srv.URL+"/v1/operator/catalog?note=again", operatorKey, data)
		if r.Status != 201 || r.JSON(t)["version"] != float64(3) {
			t.Errorf("import through the operator API: %d %s", r.Status, r.Body)
		}
		if v := do(t, "GET", srv.URL+"/healthz", "", nil).JSON(t)["catalog_version"]; v != float64(3) {
			t.Errorf("after an operator import the serving node uses version %v, want 3", v)
		}
	})
}

// companyToday is now where the demo catalog's company is (its
// time_zone, Europe/Amsterdam): order dates are that company's days, which
// begin an hour or two before UTC's.
func companyToday(t *testing.T) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return time.Now().In(loc)
}

// waitForOne says Retry-After is the wait for one more request under the
// tests' limits of 3 or 4 a minute (at most 20 s), not for the whole
// bucket to refill (60 s).
func waitForOne(h http.Header) bool {
	n, err := strconv.Atoi(h.Get("Retry-After"))
	return err == nil && n >= 1 && n <= 20
}

func TestRateLimit(t *testing.T) {
	env := baseEnv()
	env["PRESSROOM_RATE_LIMIT"] = "3"
	srv := startServer(t, stores[0].args(t), env)
	for i := 0; i < 3; i++ {
		r := do(t, "GET", srv.URL+"/v1/account", demoKey, nil)
		if r.Status != 200 || r.Header.Get("RateLimit-Limit") != "3" || r.Header.Get("RateLimit-Remaining") != fmt.Sprint(2-i) {
			t.Fatalf("request %d: %d, limit %q remaining %q", i, r.Status, r.Header.Get("RateLimit-Limit"), r.Header.Get("RateLimit-Remaining"))
		}
	}
	r := do(t, "GET", srv.URL+"/v1/account", demoKey, nil)
	if r.Status != 429 || !waitForOne(r.Header) || r.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("4th request: %d, headers %v", r.Status, r.Header)
	}
	// Another key has its own bucket.
	if r := do(t, "GET", srv.URL+"/v1/operator/resellers", operatorKey, nil); r.Status != 200 {
		t.Errorf("operator key limited too: %d", r.Status)
	}

	env = baseEnv()
	env["PRESSROOM_RATE_LIMIT"] = "0"
	off := startServer(t, stores[0].args(t), env)
	for i := 0; i < 20; i++ {
		if r := do(t, "GET", off.URL+"/v1/account", demoKey, nil); r.Status != 200 || r.Header.Get("RateLimit-Limit") != "" {
			t.Fatalf("limit 0 still limits: %d %v", r.Status, r.Header)
		}
	}
}

// TestMetricsForTheAllowedNetworks: on the API's port the metrics answer
// the networks of PRESSROOM_METRICS_ALLOWED_NETWORKS only (loopback and
// private networks by default); behind a trusted proxy the client it
// names counts, and a request a proxy forwarded that nobody vouches for
// is from no one known. A bad list stops the server with its name.
func TestMetricsForTheAllowedNetworks(t *testing.T) {
	metrics := func(srv *server, headers map[string]string) response {
		return doWith(t, "GET", srv.URL+"/metrics", "", nil, headers)
	}
	// The default: the tests' loopback client is allowed, unless a proxy
	// nobody trusts forwarded the request.
	def := startServer(t, stores[0].args(t), nil)
	if r := metrics(def, nil); r.Status != 200 || !strings.Contains(string(r.Body), "pressroom_catalog_version") {
		t.Errorf("loopback, by default: %d %.200s", r.Status, r.Body)
	}
	for _, h := range []map[string]string{{"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=127.0.0.1"}} {
		if r := metrics(def, h); r.Status != 403 || !strings.Contains(string(r.Body), "PRESSROOM_METRICS_ALLOWED_NETWORKS") || !strings.Contains(string(r.Body), "forwarded by 127.0.0.1, which is not a trusted proxy") {
			t.Errorf("forwarded by an untrusted proxy %v: %d %s", h, r.Status, r.Body)
		}
	}
	// Only a network the client is not in; the loopback proxy is trusted.
	env := baseEnv()
	env["PRESSROOM_METRICS_ALLOWED_NETWORKS"] = "10.0.0.0/8, 2001:db8::/32"
	env["PRESSROOM_TRUSTED_PROXIES"] = "127.0.0.1"
	srv := startServer(t, stores[0].args(t), env)
	for _, c := range []struct {
		headers map[string]string
		status  int
	}{
		{nil, 403}, // the proxy itself
		{map[string]string{"X-Forwarded-For": "10.1.2.3"}, 200},
		{map[string]string{"X-Forwarded-For": "10.1.2.3, 203.0.113.9"}, 403}, // the nearest untrusted hop is the client
		{map[string]string{"Forwarded": `for="[2001:db8::7]:4711"`}, 200},
		{map[string]string{"X-Forwarded-For": "198.51.100.1"}, 403},
	} {
		if r := metrics(srv, c.headers); r.Status != c.status || (c.status == 403 && !strings.Contains(string(r.Body), "is not in them")) {
			t.Errorf("%v: %d, want %d: %.200s", c.headers, r.Status, c.status, r.Body)
		}
	}
	// The rest of the API does not care.
	if r := doWith(t, "GET", srv.URL+"/v1/account", demoKey, nil, map[string]string{"X-Forwarded-For": "198.51.100.1"}); r.Status != 200 {
		t.Errorf("the API behind the proxy: %d", r.Status)
	}
	bad := baseEnv()
	bad["PRESSROOM_METRICS_ALLOWED_NETWORKS"] = "10.0.0.0/8, office"
	if code, _, stderr := runCLI(t, bad, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()); code == 0 ||
		!strings.Contains(stderr, "PRESSROOM_METRICS_ALLOWED_NETWORKS") || !strings.Contains(stderr, `"office"`) {
		t.Errorf("a bad list: exit %d, %s", code, stderr)
	}
}

// TestMetricsOnTheirOwnAddress: with PRESSROOM_METRICS_ADDR the metrics
// leave the API's port for a listener of their own (one that need not face
// the resellers), and a bad address stops the server with its name.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	env := baseEnv()
	env["PRESSROOM_METRICS_ADDR"] = "127.0.0.1:0"
	srv := startServer(t, stores[0].args(t), env)
	var metricsURL string
	for _, line := range strings.Split(srv.Stdout.String(), "\n") {
		if u, ok := strings.CutPrefix(line, "metrics on "); ok {
			metricsURL = u
		}
	}
	if metricsURL == "" {
		t.Fatalf("the server did not say where its metrics are:\n%s", srv.Stdout.String())
	}
	if r := do(t, "GET", srv.URL+"/v1/products", demoKey, nil); r.Status != 200 {
		t.Fatalf("products: %d", r.Status)
	}
	if r := do(t, "GET", srv.URL+"/metrics", "", nil); r.Status != 404 {
		t.Errorf("/metrics on the API's port: %d, want 404", r.Status)
	}
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r := do(t, "GET", metricsURL, "", nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d", metricsURL, r.Status)
		}
		if body = string(r.Body); strings.Contains(body, `route="GET /v1/products"`) {
			break
		}
	}
	if !strings.Contains(body, `pressroom_http_requests_total{code="200",route="GET /v1/products"} 1`) {
		t.Errorf("the metrics address does not count the API's requests:\n%s", body)
	}
	if r := do(t, "GET", srv.URL+"/healthz", "", nil); r.Status != 200 {
		t.Errorf("healthz: %d", r.Status)
	}

	bad := baseEnv()
	bad["PRESSROOM_METRICS_ADDR"] = "127.0.0.1:not-a-port"
	code, _, stderr := runCLI(t, bad, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	if code == 0 || !strings.Contains(stderr, "PRESSROOM_METRICS_ADDR") {
		t.Errorf("a bad metrics address: exit %d, %s", code, stderr)
	}
}

func TestMetricsAndRequestID(t *testing.T) {
	srv := startServer(t, stores[0].args(t), nil)
	req, _ := http.NewRequest("GET", srv.URL+"/v1/products", nil)
	req.Header.Set("Authorization", "Bearer "+demoKey)
	req.Header.Set("X-Request-Id", "trace-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "trace-123" {
		t.Errorf("X-Request-Id = %q, want the caller's", got)
	}
	// A request is counted just after its answer is sent: wait for it.
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		body = string(do(t, "GET", srv.URL+"/metrics", "", nil).Body)
		if strings.Contains(body, `route="GET /v1/products"`) {
			break
		}
	}
	for _, want := range []string{
		`pressroom_http_requests_total{code="200",route="GET /v1/products"} 1`,
		`pressroom_http_request_duration_seconds_bucket{route="GET /v1/products"`,
		`pressroom_job_queue_depth{queue="calculations"}`,
		`pressroom_catalog_version 1`,
		`pressroom_store_commits_total `,
		`pressroom_store_committed_writes_total `,
		`pressroom_purged_total{what="files"} 0`,
		`pressroom_purged_total{what="upload_sessions"} 0`,
		`go_build_info{`, // which build each node runs
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// An order is one durable write: SQLite's group commit counts it,
	// never more commits than writes.
	if r := do(t, "POST", srv.URL+"/v1/orders", demoKey, orderBody("metrics-1")); r.Status != 201 {
		t.Fatalf("order: %d %s", r.Status, r.Body)
	}
	body = string(do(t, "GET", srv.URL+"/metrics", "", nil).Body)
	var commits, writes float64
	for _, line := range strings.Split(body, "\n") {
		fmt.Sscanf(line, "pressroom_store_commits_total %g", &commits)
		fmt.Sscanf(line, "pressroom_store_committed_writes_total %g", &writes)
	}
	if commits < 1 || writes < commits {
		t.Errorf("store commits %g, committed writes %g; want at least one commit, no more commits than writes", commits, writes)
	}
}

// A complete configuration is stored under its calculation id, visible to
// its reseller only; the server flushes pending calculations on shutdown.
func TestCalculationsStored(t *testing.T) {
	forEachStore(t, func(t *testing.T, st storeArgs) {
		args := st.args(t)
		srv := startServer(t, args, nil)
		body := seedExample(t, "probo-user-guide.txt", "Request payload (can_order iteration)")
		r := do(t, "POST", srv.URL+"/v1/products/configure", demoKey, body)
		id := int64(path(t, r.JSON(t), "products", 0, "calculation_id").(float64))
		other := do(t, "POST", srv.URL+"/v1/operator/resellers", operatorKey, `{"name":"Other"}`).JSON(t)
		if code := srv.stop(); code != 0 {
			t.Fatalf("stop: %d", code)
		}
		store, err := app.OpenStore(context.Background(), configOf(args))
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		c, err := store.FindCalculation(context.Background(), 1000001, id)
		if err != nil {
			t.Fatalf("calculation %d: %v", id, err)
		}
		var opts []map[string]string
		if err := json.Unmarshal(c.Options, &opts); err != nil {
			t.Fatal(err)
		}
		if c.ProductCode != "dibond" || c.CatalogVersion != 1 || len(opts) != 10 || opts[0]["code"] != "width" || opts[0]["value"] != "40" || opts[3]["code"] != "direct-to-plate" {
			t.Errorf("calculation = %+v %s", c, c.Options)
		}
		if _, err := store.FindCalculation(context.Background(), int64(other["id"].(float64)), id); pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
			t.Errorf("another reseller's calculation: %v, want not found", err)
		}
	})
}

// TestBadSettingsStopTheServer: a setting the server cannot use stops it
// before it listens, naming the variable; a good one starts it.
func TestBadSettingsStopTheServer(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"PRESSROOM_CALLBACK_RETENTION", "10m"},
		{"PRESSROOM_CALLBACK_RETENTION", "-1h"},
		{"PRESSROOM_CALLBACK_RETENTION", "90 days"},
		{"PRESSROOM_KEEP_DELIVERED_FILES", "168h"}, // shorter than the reprint window
		{"PRESSROOM_KEEP_DELIVERED_FILES", "-1h"},
		{"PRESSROOM_KEEP_DELIVERED_FILES", "forever"},
		{"PRESSROOM_RATE_LIMIT", "-1"},
		{"PRESSROOM_WORKERS", "many"},
		{"PRESSROOM_PUBLIC_URL", "ftp://files.example"},
		{"PRESSROOM_WEBHOOK_RETRY_INTERVAL", "0"},
		{"PRESSROOM_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"},
		{"PRESSROOM_TRUSTED_PROXIES", "10.0.0.0/33"},
	} {
		env := baseEnv()
		env[tc.name] = tc.value
		code, _, stderr := runCLI(t, env, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir())
		if code == 0 || !strings.Contains(stderr, tc.name) {
			t.Errorf("%s=%q: exit %d, %s", tc.name, tc.value, code, stderr)
		}
	}
	// 0 keeps callbacks for ever; a duration of days is taken.
	for _, v := range []string{"0", "720h"} {
		env := baseEnv()
		env["PRESSROOM_CALLBACK_RETENTION"] = v
		env["PRESSROOM_KEEP_DELIVERED_FILES"] = v
		srv := startServer(t, stores[0].args(t), env)
		if r := do(t, "GET", srv.URL+"/healthz", "", nil); r.Status != 200 {
			t.Errorf("PRESSROOM_CALLBACK_RETENTION=%s: healthz %d", v, r.Status)
		}
		// The release of delivered orders' files runs only when asked for.
		metrics := string(do(t, "GET", srv.URL+"/metrics", "", nil).Body)
		if got := strings.Contains(metrics, `pressroom_purged_total{what="delivered_files"}`); got != (v != "0") {
			t.Errorf("PRESSROOM_KEEP_DELIVERED_FILES=%s: delivered_files counted: %v", v, got)
		}
	}
}

// A node on PostgreSQL, where other nodes may share its database, says so
// in its log when it was not given the public address and the shared
// storage of print files that every such node needs alike; given them, or
// on SQLite (one node only), it says nothing.
func TestSharedStoreNamesWhatEveryNodeNeeds(t *testing.T) {
	const publicURL, blob = "PRESSROOM_PUBLIC_URL is not set", "PRESSROOM_BLOB is not set"
	forEachStore(t, func(t *testing.T, st storeArgs) {
		args := st.args(t)
		env := baseEnv()
		env["PRESSROOM_LOG_LEVEL"] = "warn"
		s := startServer(t, args, env)
		log := s.Stderr.String()
		shared := st.name == "postgres"
		if strings.Contains(log, publicURL) != shared || strings.Contains(log, blob) != shared {
			t.Errorf("log of a node on %s (warnings wanted: %v):\n%s", st.name, shared, log)
		}
		s.stop()
		env["PRESSROOM_PUBLIC_URL"] = "https://print.example"
		env["PRESSROOM_BLOB"] = t.TempDir()
		s = startServer(t, args, env)
		if log := s.Stderr.String(); strings.Contains(log, publicURL) || strings.Contains(log, blob) {
			t.Errorf("log of a node given both:\n%s", log)
		}
	})
}

// TestStartNamesResellersTheRulesNowRefuse: a reseller stored before a
// rule (a VAT number of another country) cannot be changed until staff fix
// it, so a start names it in the log, and a store without one gets no
// such warning. Both stores.
func TestStartNamesResellersTheRulesNowRefuse(t *testing.T) {
	const warning = "a reseller's stored details are no longer valid"
	forEachStore(t, func(t *testing.T, st storeArgs) {
		args := st.args(t)
		env := baseEnv()
		env["PRESSROOM_LOG_LEVEL"] = "warn"
		s := startServer(t, args, env)
		if log := s.Stderr.String(); strings.Contains(log, warning) {
			t.Errorf("a store of valid resellers warns:\n%s", log)
		}
		s.stop()
		driver, dsn, query := "sqlite", "file:"+filepath.Join(args[1], "pressroom.db"), "UPDATE resellers SET country = 'BE', vat_id = 'NL001234567B01' WHERE name = 'demo'"
		if len(args) > 2 {
			driver, dsn = "pgx", args[3]
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := db.Exec(query); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("updated %d resellers", n)
		}
		db.Close()
		s = startServer(t, args, env)
		log := s.Stderr.String()
		if !strings.Contains(log, warning) || !strings.Contains(log, `"reseller":1000001`) || !strings.Contains(log, "not a VAT number of country BE") {
			t.Errorf("the log does not name the reseller and its problem:\n%s", log)
		}
	})
}
