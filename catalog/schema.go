package catalog

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
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
	for _, leaf := range leaves(ve) {
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
func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
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
