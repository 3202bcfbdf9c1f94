package httpx

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/pressroom/pressroom"
)

// encoding/json matches a member to a field whatever its case: "Reference"
// and "deliverY" are taken as "reference" and "delivery", though a strict
// API documents exact names (and additionalProperties false). exactNames
// refuses such a member where the type has a field of that name in
// another case, as DisallowUnknownFields refuses one with no field at all.

// shape is what a JSON value of a Go type may hold, for exactNames.
type shape struct {
	fields map[string]*shape // a struct's members by exact name: checked
	folded map[string]string // lower-cased name: the exact name
	elem   *shape            // an array's elements, a map's values
	list   bool              // elem is an array's (else a map's)
}

var (
	shapes     sync.Map // reflect.Type: *shape
	opaque     = &shape{}
	unmarshals = reflect.TypeFor[json.Unmarshaler]()
	texts      = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func shapeOf(t reflect.Type) *shape {
	if s, ok := shapes.Load(t); ok {
		return s.(*shape)
	}
	s := buildShape(t, map[reflect.Type]*shape{})
	shapes.Store(t, s)
	return s
}

func buildShape(t reflect.Type, seen map[reflect.Type]*shape) *shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := seen[t]; ok {
		return s
	}
	if reflect.PointerTo(t).Implements(unmarshals) || reflect.PointerTo(t).Implements(texts) {
		return opaque // it reads itself (json.RawMessage, decimals, dates)
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		s := &shape{list: t.Kind() != reflect.Map}
		seen[t] = s
		s.elem = buildShape(t.Elem(), seen)
		return s
	case reflect.Struct:
		s := &shape{fields: map[string]*shape{}, folded: map[string]string{}}
		seen[t] = s
		addFields(s, t, seen)
		return s
	}
	return opaque
}

// addFields adds t's JSON fields to s, those of embedded structs too.
func addFields(s *shape, t reflect.Type, seen map[reflect.Type]*shape) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(s, ft, seen)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s.fields[name] = buildShape(f.Type, seen)
		s.folded[strings.ToLower(name)] = name
	}
}

// exactNames checks data, which decoded into v, for a member whose name
// matched a field of v's type only in another case.
func exactNames(data []byte, v any) error {
	if !mayFold(data) {
		return nil
	}
	return shapeOf(reflect.TypeOf(v)).check(data, "")
}

// mayFold reports whether data may have a member name that matched a
// field in another case: a name with an upper-case letter, the first
// byte of the long s (which encoding/json takes for s) or an escape. A
// scan of the bytes, so that the bodies of every day (names in lower
// case) skip the check; the JSON itself was read by encoding/json.
func mayFold(data []byte) bool {
	in, esc, odd := false, false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !in {
			if c == '"' {
				in, odd = true, false
			}
			continue
		}
		switch {
		case esc:
			esc = false
		case c == '\\':
			esc, odd = true, true
		case c == '"':
			in = false
			if odd { // a name when a colon follows
				j := i + 1
				for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
					j++
				}
				if j < len(data) && data[j] == ':' {
					return true
				}
			}
		case 'A' <= c && c <= 'Z' || c == 0xC5:
			odd = true
		}
	}
	return false
}

func (s *shape) check(data []byte, at string) error {
	switch {
	case s.list:
		var a []json.RawMessage
		if json.Unmarshal(data, &a) != nil {
			return nil // null, or what the decoder refused already
		}
		for i, v := range a {
			if err := s.elem.check(v, fmt.Sprintf("%s/%d", at, i)); err != nil {
				return err
			}
		}
	case s.fields != nil || s.elem != nil: // a struct's members, a map's values
		var m map[string]json.RawMessage
		if json.Unmarshal(data, &m) != nil {
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(m)) { // the first, the same each time
			f, ok := s.fields[k]
			if s.elem != nil {
				f, ok = s.elem, true // a map's key is data
			}
			if ok {
				if err := f.check(m[k], at+"/"+k); err != nil {
					return err
				}
				continue
			}
			if exact, ok := s.folded[folder.Replace(strings.ToLower(k))]; ok {
				return &pressroom.Error{Code: pressroom.EMALFORMED,
					Message: fmt.Sprintf("The request body has an unknown field %q: names are exact, and this one is %q.", k, exact),
					Fields:  []pressroom.FieldError{{Pointer: at + "/" + k, Detail: fmt.Sprintf("unknown field; the field is %q", exact)}}}
			}
		}
	}
	return nil
}

// folder folds a lower-cased name further as encoding/json compares
// names: the long s is s.
var folder = strings.NewReplacer("\u017f", "s")
