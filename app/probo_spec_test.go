package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// probospec is Probo's published API description (app/testdata, a copy
// of ../shared/reference/probo-api-spec.json).
type probospec struct {
	Paths       map[string]map[string]json.RawMessage `json:"paths"`
	Definitions map[string]json.RawMessage            `json:"definitions"`
}

func loadProboSpec(t *testing.T) *probospec {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "probo-api-spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s probospec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// example is the example of a schema (following a $ref): the plain one,
// or the named one of x-amf-examples (unwrapping {"value": ...}).
func (s *probospec) example(t *testing.T, schema json.RawMessage, name string) any {
	t.Helper()
	var sc map[string]json.RawMessage
	if json.Unmarshal(schema, &sc) != nil {
		return nil
	}
	if ref, ok := sc["$ref"]; ok {
		var r string
		json.Unmarshal(ref, &r)
		return s.example(t, s.Definitions[r[strings.LastIndex(r, "/")+1:]], name)
	}
	for _, k := range []string{"example", "x-amf-examples"} {
		raw, ok := sc[k]
		if !ok {
			continue
		}
		var v any
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		dec.Decode(&v)
		if m, ok := v.(map[string]any); ok && name != "" {
			if named, ok := m[name]; ok {
				v = named
			}
		}
		if m, ok := v.(map[string]any); ok && len(m) == 1 && m["value"] != nil {
			v = m["value"]
		}
		return v
	}
	return nil
}

// request is the example body of an operation.
func (s *probospec) request(t *testing.T, method, path, name string) any {
	var op struct {
		Parameters []struct {
			In     string          `json:"in"`
			Schema json.RawMessage `json:"schema"`
		} `json:"parameters"`
	}
	json.Unmarshal(s.Paths[path][method], &op)
	for _, p := range op.Parameters {
		if p.In == "body" {
			return s.example(t, p.Schema, name)
		}
	}
	t.Fatalf("no request example for %s %s", method, path)
	return nil
}

// response is the example answer of an operation at a status.
func (s *probospec) response(t *testing.T, method, path, status, name string) any {
	var op struct {
		Responses map[string]struct {
			Schema json.RawMessage `json:"schema"`
		} `json:"responses"`
	}
	json.Unmarshal(s.Paths[path][method], &op)
	return s.example(t, op.Responses[status].Schema, name)
}

// sameShape checks that got has every field want has, recursively (the
// first element of arrays); values are not compared.
func sameShape(t *testing.T, where string, want, got any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: got %T, want an object", where, got)
			return
		}
		for k, wv := range w {
			gv, present := g[k]
			if !present {
				t.Errorf("%s.%s: missing", where, k)
				continue
			}
			if wv != nil && gv != nil {
				sameShape(t, where+"."+k, wv, gv)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			t.Errorf("%s: got %T, want an array", where, got)
			return
		}
		if len(w) > 0 && len(g) > 0 {
			sameShape(t, where+"[0]", w[0], g[0])
		}
	}
}

func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// TestProboSpecExamples replays the examples of Probo's published API
// description. Requests are sent verbatim (dates moved forward by whole
// weeks); where an example names a product the demo catalog does not have
// (beachflag, backdrop, "2748"), the answer must be Probo's
// error naming it. Answers are compared by shape (every field of the
// example present); where the example's values follow from the request
// (cancel, release), by value. Skipped, and why (docs/probo.md):
// the answers of GET /products and POST /products/configure (the seeds win:
// "data", not "products"; "code", not "api_code"; the configure answer's
// example is of another product than its request) and the tiers (no
// example). The uploader example's calculation_id is replaced by one
// pressroom generated (the seeds' README allows this for generated ids).
func TestProboSpecExamples(t *testing.T) {
	spec := loadProboSpec(t)
	srv := startServer(t, stores[0].args(t), callbackEnv())
	day := seedWeekDate(t, "2025-03-12", 10*7*24*time.Hour, "NL").String()

	// Requests naming products the demo does not have.
	for _, c := range []struct{ path, name, product string }{
		{"/order", "minimal", "beachflag"}, {"/order", "mingled-product-types", "2748"}, {"/price", "minimal", "backdrop"},
	} {
		req := spec.request(t, "post", c.path, c.name)
		if req == nil {
			t.Fatalf("%s %s: no example", c.path, c.name)
		}
		b, _ := json.Marshal(req)
		body := strings.ReplaceAll(string(b), "2020-08-12", day)
		r := do(t, "POST", srv.URL+"/probo"+c.path, demoKey, body)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"status":"error"`) || !strings.Contains(string(r.Body), c.product) {
			t.Errorf("%s (%s): %d %s", c.path, c.name, r.Status, r.Body)
		}
	}

	// The configure example's product is in the demo: its first step answers.
	r0 := do(t, "POST", srv.URL+"/probo/products/configure", demoKey, spec.request(t, "post", "/products/configure", "minimal"))
	if c := decodeNumbers(t, r0.Body); r0.Status != 200 || c["status"] != "ok" || path(t, c, "products", 0, "code") != "banner-510" ||
		path(t, c, "products", 0, "can_order") != false {
		t.Errorf("configure example: %d %s", r0.Status, r0.Body)
	}

	// The orders the status, cancel and release examples name, placed with a demo product.
	for _, id := range []string{"order-5234231", "order-5234232"} {
		if r := do(t, "POST", srv.URL+"/probo/order", demoKey, proboOrder(id, "https://files.example/plate.pdf", "https://shop.example/cb", day)); r.Status != 202 {
			t.Fatalf("order %s: %d %s", id, r.Status, r.Body)
		}
	}
	r := do(t, "POST", srv.URL+"/probo/order/status", demoKey, spec.request(t, "post", "/order/status", "minimal"))
	if r.Status != 200 {
		t.Fatalf("status example: %d %s", r.Status, r.Body)
	}
	got := decodeAny(t, r.Body)
	sameShape(t, "order/status", spec.response(t, "post", "/order/status", "200", ""), got)
	if n := len(got.(map[string]any)["orders"].([]any)); n != 2 {
		t.Errorf("status example answered %d orders, want 2", n)
	}
	for _, c := range []struct{ path, status string }{{"/order/cancel", "200"}, {"/order/release", "200"}} {
		r := do(t, "POST", srv.URL+"/probo"+c.path, demoKey, spec.request(t, "post", c.path, ""))
		want, _ := json.Marshal(spec.response(t, "post", c.path, c.status, ""))
		if fmt.Sprint(r.Status) != c.status || strings.TrimSpace(string(r.Body)) != string(want) {
			t.Errorf("%s example: %d %s, want %s", c.path, r.Status, r.Body, want)
		}
	}
	// The release example again: the id is free now, the order is not.
	if r := do(t, "POST", srv.URL+"/probo/order/cancel", demoKey, `{"id":"order-5234231"}`); r.Status != 400 || !strings.Contains(string(r.Body), "Order does not exist") && !strings.Contains(string(r.Body), "cancelled") {
		t.Errorf("cancel after release: %d %s", r.Status, r.Body)
	}

	// Answers by shape, with data to show.
	if r := do(t, "POST", srv.URL+"/v1/api-products", demoKey, `{"customer_code":"airtex_01","code":"dibond","options":`+dibondOptions+`}`); r.Status != 201 {
		t.Fatalf("API product: %d %s", r.Status, r.Body)
	}
	do(t, "POST", srv.URL+"/probo/project", demoKey, `{"name":"test","number":"123","note":"long_text_note"}`)
	list := decodeNumbers(t, do(t, "GET", srv.URL+"/probo/orders?customer_order_id=order-5234232", demoKey, nil).Body)
	o := map[string]any{"number": path(t, list, "orders", 0, "number")}
	for _, st := range []string{"in_production", "shipment_created", "shipment_delivered"} {
		do(t, "POST", operatorURL(srv, o, "/status"), operatorKey, `{"status":"`+st+`"}`)
	}
	if r := do(t, "POST", srv.URL+"/probo/ticket", demoKey, `{"id":1,"order_id":"order-5234232","reason":"damaged","suggested_solution":"reprint","products":[{"id":1,"amount":1}]}`); r.Status != 200 {
		t.Fatalf("ticket: %d %s", r.Status, r.Body)
	}
	for _, c := range []struct{ method, path, ours string }{
		{"get", "/orders", "/probo/orders"}, {"get", "/apiproducts", "/probo/apiproducts"}, {"get", "/shipping/methods", "/probo/shipping/methods"},
		{"get", "/tickets", "/probo/tickets"}, {"get", "/projects", "/probo/projects"},
	} {
		r := do(t, strings.ToUpper(c.method), srv.URL+c.ours, demoKey, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", c.ours, r.Status, r.Body)
		}
		sameShape(t, c.path, spec.response(t, c.method, c.path, "200", ""), decodeAny(t, r.Body))
	}
	// The uploader example, with a calculation of ours.
	conf := decodeNumbers(t, do(t, "POST", srv.URL+"/probo/products/configure", demoKey, seedExample(t, "probo-user-guide.txt", "Request payload (can_order iteration)")).Body)
	up := spec.request(t, "post", "/products/uploader/create", "").(map[string]any)
	up["calculation_id"] = path(t, conf, "products", 0, "calculation_id")
	if r := do(t, "POST", srv.URL+"/probo/products/uploader/create", demoKey, up); r.Status != 200 {
		t.Errorf("uploader example: %d %s", r.Status, r.Body)
	} else {
		sameShape(t, "uploader/create", spec.response(t, "post", "/products/uploader/create", "200", ""), decodeAny(t, r.Body))
	}
	for _, c := range []struct{ path, status, body string }{
		{"/drafts", "201", proboOrder("d-9", "https://files.example/plate.pdf", "https://shop.example/cb", day)},
		{"/project", "200", `{"name":"p"}`},
	} {
		r := do(t, "POST", srv.URL+"/probo"+c.path, demoKey, c.body)
		if fmt.Sprint(r.Status) != c.status {
			t.Fatalf("%s: %d %s", c.path, r.Status, r.Body)
		}
		sameShape(t, c.path, spec.response(t, "post", c.path, c.status, ""), decodeAny(t, r.Body))
	}
}
