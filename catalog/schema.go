package catalog

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/pressroom/pressroom"
)

// SchemaJSON is the JSON Schema of the catalog file format.
//
//go:embed schema.json
var SchemaJSON []byte

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

func compiledSchema() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource("schema.json", doc); err != nil {
			schemaErr = err
			return
		}
		schema, schemaErr = c.Compile("schema.json")
	})
	return schema, schemaErr
}

// ValidateSchema checks doc against the catalog's JSON Schema and names, for
// each problem, the product and option it is in.
func ValidateSchema(doc []byte) []Problem {
	sch, err := compiledSchema()
	if err != nil {
		return []Problem{{Reason: "internal: catalog schema does not compile: " + err.Error()}}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return []Problem{{Reason: "not valid JSON: " + err.Error()}}
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Problem{{Reason: err.Error()}}
	}
	var raw any
	_ = json.Unmarshal(doc, &raw)
	var problems []Problem
	seen := map[string]bool{}
	for _, leaf := range leaves(ve, raw) {
		p := locate(raw, leaf.InstanceLocation)
		tokens := make([]string, len(leaf.InstanceLocation))
		for i, t := range leaf.InstanceLocation {
			tokens[i] = pressroom.PointerToken(t)
		}
		p.Path = "/" + strings.Join(tokens, "/")
		p.Reason = fmt.Sprintf("at %s: %s", p.Path, leaf.ErrorKind.LocalizedString(printer))
		if v := valueAt(raw, leaf.InstanceLocation); v != "" {
			p.Reason += " (got " + v + ")"
		}
		if !seen[p.String()] {
			seen[p.String()] = true
			problems = append(problems, p)
		}
	}
	// By product, then by place: the same list every time (the
	// validator's causes come in no fixed order).
	slices.SortStableFunc(problems, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.Product, b.Product), comparePaths(a.Path, b.Path), strings.Compare(a.Reason, b.Reason))
	})
	return problems
}

// comparePaths orders JSON Pointers step by step: array indexes as numbers
// (/products/2 before /products/10), names alphabetically.
func comparePaths(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errX := strconv.Atoi(as[i])
		y, errY := strconv.Atoi(bs[i])
		c := strings.Compare(as[i], bs[i])
		if errX == nil && errY == nil {
			c = cmp.Compare(x, y)
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

// leaves returns the innermost causes: they name the exact field.
//
// A property name's problem is checked on the name alone, and the
// validator (v6.0.3) gives its error a location it goes on to overwrite.
// Such a problem is placed at the property instead (translations/NLD):
// below the nearest cause whose location holds, as many steps down as the
// location says, at an object that has that property.
func leaves(ve *jsonschema.ValidationError, raw any) []*jsonschema.ValidationError {
	return leavesUnder(ve, raw, nil)
}

func leavesUnder(ve *jsonschema.ValidationError, raw any, known []string) []*jsonschema.ValidationError {
	pn, isName := ve.ErrorKind.(*kind.PropertyNames)
	if isName {
		at := propertyAt(raw, known, len(ve.InstanceLocation)-len(known), pn.Property, ve.SchemaURL)
		ve.InstanceLocation = at
		if len(ve.Causes) == 0 {
			return []*jsonschema.ValidationError{ve}
		}
		var out []*jsonschema.ValidationError
		for _, c := range ve.Causes {
			for _, l := range leavesUnder(c, raw, at) {
				l.InstanceLocation = at // the name's own checks have none
				out = append(out, l)
			}
		}
		return out
	}
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leavesUnder(c, raw, ve.InstanceLocation)...)
	}
	return out
}

// propertyAt is the place of property name below known, depth steps down
// at an object that has it; where several have it, the one the schema's
// keyword names (".../properties/translations/propertyNames"), else the first.
func propertyAt(raw any, known []string, depth int, name, schemaURL string) []string {
	keyword := ""
	if segs := strings.Split(schemaURL, "/"); len(segs) >= 3 && segs[len(segs)-1] == "propertyNames" && segs[len(segs)-3] == "properties" {
		keyword = segs[len(segs)-2]
	}
	var found [][]string
	var visit func(v any, path []string, left int)
	visit = func(v any, path []string, left int) {
		if left <= 0 {
			if obj, ok := v.(map[string]any); ok {
				if _, has := obj[name]; has {
					found = append(found, slices.Clone(path))
				}
			}
			return
		}
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				visit(v[k], append(path, k), left-1)
			}
		case []any:
			for i, e := range v {
				visit(e, append(path, strconv.Itoa(i)), left-1)
			}
		}
	}
	start, ok := walk(raw, known)
	if ok {
		visit(start, slices.Clone(known), depth)
	}
	if len(found) == 0 {
		return append(slices.Clone(known), name)
	}
	pick := found[0]
	for _, f := range found {
		if len(f) > 0 && f[len(f)-1] == keyword {
			pick = f
			break
		}
	}
	return append(pick, name)
}

// locate finds the product and option codes along an instance path.
func locate(raw any, path []string) Problem {
	var p Problem
	for i := 1; i < len(path); i++ {
		v, _ := walk(raw, path[:i+1])
		obj, ok := v.(map[string]any)
		if !ok {
			continue
		}
		code, _ := obj["code"].(string)
		switch path[i-1] {
		case "products":
			p.Product = code
			if code == "" {
				p.Product = "#" + path[i]
			}
		case "groups", "options", "materials":
			if code != "" {
				p.Option = code
			}
		}
	}
	return p
}

var printer = message.NewPrinter(language.English)

// valueAt returns a short rendering of the scalar at path, or "".
func valueAt(raw any, path []string) string {
	cur, ok := walk(raw, path)
	if !ok {
		return ""
	}
	switch cur.(type) {
	case string, float64, bool:
		b, _ := json.Marshal(cur)
		if len(b) > 60 {
			b = append(b[:57], "..."...)
		}
		return string(b)
	}
	return ""
}

// walk follows a JSON Pointer's segments through a decoded document.
func walk(raw any, path []string) (any, bool) {
	cur := raw
	for _, seg := range path {
		switch v := cur.(type) {
		case map[string]any:
			cur = v[seg]
		case []any:
			n, err := strconv.Atoi(seg)
			if err != nil || n < 0 || n >= len(v) {
				return nil, false
			}
			cur = v[n]
		default:
			return nil, false
		}
	}
	return cur, true
}
