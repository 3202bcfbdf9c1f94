package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pressroom/pressroom"
)

// The native API's answers are checked against its OpenAPI document: every
// answer a test gets from /v1 has its status documented for its route, and
// a JSON body matches the schema documented for that status and media
// type. So the document cannot drift from what the server says. For the
// check, every object schema that names its properties is closed (see
// closeSchemas): a field the server sends must be documented, though the
// document itself stays open to fields added later.

type contractRoute struct {
	method, path string
	re           *regexp.Regexp
	literals     int // path segments without a parameter: the more, the better the match
}

type openAPIContract struct {
	doc      map[string]any
	routes   []contractRoute
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema
}

var (
	contractOnce sync.Once
	contract     *openAPIContract
	contractErr  error
)

func loadContract() (*openAPIContract, error) {
	contractOnce.Do(func() {
		c := &openAPIContract{schemas: map[string]*jsonschema.Schema{}}
		doc, err := os.ReadFile("../api/openapi.json") // what GET /openapi.json serves
		if err != nil {
			contractErr = err
			return
		}
		if err := json.Unmarshal(doc, &c.doc); err != nil {
			contractErr = err
			return
		}
		closeSchemas(c.doc)
		closed, err := json.Marshal(c.doc)
		if err != nil {
			contractErr = err
			return
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(closed))
		if err != nil {
			contractErr = err
			return
		}
		c.compiler = jsonschema.NewCompiler()
		c.compiler.DefaultDraft(jsonschema.Draft2020)
		if err := c.compiler.AddResource("openapi.json", inst); err != nil {
			contractErr = err
			return
		}
		for path, ops := range c.doc["paths"].(map[string]any) {
			re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(path), `[^/]+`) + "$")
			lit := 0
			for _, seg := range strings.Split(path, "/") {
				if !strings.HasPrefix(seg, "{") {
					lit++
				}
			}
			for method := range ops.(map[string]any) {
				c.routes = append(c.routes, contractRoute{strings.ToUpper(method), path, re, lit})
			}
		}
		sort.Slice(c.routes, func(i, j int) bool { return c.routes[i].literals > c.routes[j].literals })
		contract = c
	})
	return contract, contractErr
}

// checkContract reports where an answer of the native API differs from
// openapi.json: an undocumented status, or a JSON body off its schema; and
// a JSON request the server took (2xx) that its documented schema would
// refuse, such as a field it does not name.
func checkContract(t testing.TB, method, rawURL string, sent []byte, status int, header http.Header, body []byte) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil || !strings.HasPrefix(u.Path, "/v1/") {
		return
	}
	c, err := loadContract()
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	var route *contractRoute
	for i := range c.routes {
		if c.routes[i].method == method && c.routes[i].re.MatchString(u.Path) {
			route = &c.routes[i]
			break
		}
	}
	if route == nil {
		return // a route the server does not have answers 404/405; routes_test keeps the two lists equal
	}
	op := c.doc["paths"].(map[string]any)[route.path].(map[string]any)[strings.ToLower(method)].(map[string]any)
	answered.Store(method+" "+route.path+" "+strconv.Itoa(status), true)
	if status/100 == 2 && json.Valid(sent) {
		checkRequest(t, c, op, method, route.path, sent)
	}
	responses, _ := op["responses"].(map[string]any)
	code := strconv.Itoa(status)
	resp, ok := responses[code].(map[string]any)
	if !ok {
		resp, ok = responses["default"].(map[string]any)
		code = "default"
	}
	if !ok {
		contractProblem(t, "%s %s answered %d, which openapi.json does not document for %s %s: %.300s", method, u.Path, status, method, route.path, body)
		return
	}
	if len(body) == 0 || status == http.StatusNoContent {
		return
	}
	media, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if media != "application/json" && media != "application/problem+json" {
		return
	}
	content, _ := resp["content"].(map[string]any)
	if _, ok := content[media]; !ok {
		contractProblem(t, "%s %s answered %d with %s, which openapi.json does not document there (it has %v)", method, route.path, status, media, slices.Sorted(maps.Keys(content)))
		return
	}
	if _, ok := content[media].(map[string]any)["schema"]; !ok {
		return
	}
	loc := "openapi.json#/paths/" + pressroom.PointerToken(route.path) + "/" + strings.ToLower(method) + "/responses/" + code + "/content/" + pressroom.PointerToken(media) + "/schema"
	sch := c.schema(t, loc)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		contractProblem(t, "%s %s answered %d with a body that is not JSON: %.200s", method, u.Path, status, body)
		return
	}
	if err := sch.Validate(inst); err != nil {
		contractProblem(t, "%s %s answered %d off its documented schema: %#v\n%.600s", method, route.path, status, err, body)
	}
}

// answered holds "METHOD /path STATUS" of every answer the tests got from
// the native API, by its route in openapi.json.
var answered sync.Map

// unanswered lists the answers openapi.json documents for a route that no
// test got from it, but the excused: a status ("429") or a route's answer
// ("PUT /v1/orders/{number}/custom-fields 409").
func unanswered(excused map[string]string) []string {
	c, err := loadContract()
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	documented := map[string]bool{}
	for path, ops := range c.doc["paths"].(map[string]any) {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for method, op := range ops.(map[string]any) {
			responses, _ := op.(map[string]any)["responses"].(map[string]any)
			for code := range responses {
				key := strings.ToUpper(method) + " " + path + " " + code
				documented[key] = true
				_, byStatus := excused[code]
				_, byRoute := excused[key]
				if _, ok := answered.Load(key); !ok && !byStatus && !byRoute {
					out = append(out, key)
				}
			}
		}
	}
	for key := range excused {
		if !strings.Contains(key, " ") {
			continue
		}
		if !documented[key] {
			out = append(out, key+" (excused, but openapi.json does not document it)")
		} else if _, ok := answered.Load(key); ok {
			out = append(out, key+" (excused, but a test got it: the excuse can go)")
		}
	}
	sort.Strings(out)
	return out
}

// checkRequest reports a JSON request body the server took that is off
// the schema documented for it.
func checkRequest(t testing.TB, c *openAPIContract, op map[string]any, method, path string, sent []byte) {
	t.Helper()
	rb, _ := op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	if _, ok := media["schema"]; !ok {
		return // an action drains a body it does not read
	}
	loc := "openapi.json#/paths/" + pressroom.PointerToken(path) + "/" + strings.ToLower(method) + "/requestBody/content/application~1json/schema"
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(sent))
	if err != nil {
		return
	}
	if err := c.schema(t, loc).Validate(inst); err != nil {
		// A member sent as null is taken as left out, unless the document
		// says what its null does (openapi.json's description).
		if c.schema(t, loc).Validate(withoutNulls(inst)) == nil {
			return
		}
		contractProblem(t, "%s %s took a request off its documented schema: %#v\n%.600s", method, path, err, sent)
	}
}

// withoutNulls is a JSON value without the object members that are null.
func withoutNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, m := range x {
			if m != nil {
				out[k] = withoutNulls(m)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = withoutNulls(m)
		}
		return out
	}
	return v
}

// checkCallback reports a native callback's body that is off the
// document's webhook (CallbackEvent). Bodies in a compatible API's shape
// (no sequence and order) are not the native API's. It reports with
// Errorf only: a receiver's handler calls it.
func checkCallback(t testing.TB, body []byte) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(body, &probe) != nil || probe["sequence"] == nil || probe["order"] == nil {
		return
	}
	c, err := loadContract()
	if err != nil {
		t.Errorf("openapi.json: %v", err)
		return
	}
	sch, err := c.compile("openapi.json#/components/schemas/CallbackEvent")
	if err != nil {
		t.Errorf("openapi.json: %v", err)
		return
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return
	}
	if err := sch.Validate(inst); err != nil {
		contractProblem(t, "a callback is off the documented webhook: %#v\n%.600s", err, body)
	}
}

// schema compiles the schema at loc once.
func (c *openAPIContract) schema(t testing.TB, loc string) *jsonschema.Schema {
	t.Helper()
	sch, err := c.compile(loc)
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return sch
}

func (c *openAPIContract) compile(loc string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sch, ok := c.schemas[loc]; ok {
		return sch, nil
	}
	sch, err := c.compiler.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("%s does not compile: %w", loc, err)
	}
	c.schemas[loc] = sch
	return sch, nil
}

func contractProblem(t testing.TB, format string, args ...any) {
	t.Helper()
	t.Errorf("openapi.json: "+format, args...)
}

// closeSchemas makes each object schema of the document that names its
// properties refuse others (additionalProperties: false), unless it says
// what others may be. A schema made of allOf parts is closed as a whole
// (unevaluatedProperties: false) and its parts stay open, a component
// named by a part through an open copy (Name + "Open").
func closeSchemas(doc map[string]any) {
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	open := map[string]bool{} // components that allOf parts name
	var walk func(v any, part bool)
	walk = func(v any, part bool) {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				walk(e, false)
			}
		case map[string]any:
			if all, ok := v["allOf"].([]any); ok {
				for _, m := range all {
					if ref, ok := m.(map[string]any)["$ref"].(string); ok {
						name := strings.TrimPrefix(ref, "#/components/schemas/")
						open[name] = true
						m.(map[string]any)["$ref"] = ref + "Open"
						continue
					}
					walk(m, true)
				}
				if _, set := v["unevaluatedProperties"]; !set {
					v["unevaluatedProperties"] = false
				}
			}
			_, hasProps := v["properties"].(map[string]any)
			_, additional := v["additionalProperties"]
			_, unevaluated := v["unevaluatedProperties"]
			if hasProps && !part && !additional && !unevaluated {
				v["additionalProperties"] = false
			}
			for k, e := range v {
				switch k {
				case "allOf", "example", "examples", "default", "enum", "const":
				case "properties":
					for _, ps := range e.(map[string]any) {
						walk(ps, false)
					}
				default:
					walk(e, false)
				}
			}
		}
	}
	originals := map[string]any{}
	for name, sch := range schemas {
		originals[name] = deepCopy(sch)
	}
	walk(doc, false)
	for name := range open {
		cp := deepCopy(originals[name])
		walk(cp, true)
		schemas[name+"Open"] = cp
	}
}

func deepCopy(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out)
	return out
}
