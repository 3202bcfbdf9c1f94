// Package jsonwtest draws random values for the tests that prove a
// hand-written JSON writer writes what encoding/json writes.
package jsonwtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"pgregory.net/rapid"
)

var (
	numberType = reflect.TypeOf(json.Number(""))
	rawType    = reflect.TypeOf(json.RawMessage(nil))
)

// String draws strings that JSON must escape: quotes, backslashes, control
// characters, HTML, U+2028/U+2029, non-ASCII and invalid UTF-8.
func String(t *rapid.T, label string) string {
	return rapid.OneOf(
		rapid.StringOf(rapid.SampledFrom([]rune{'a', 'Z', '0', ' ', '<', '>', '&', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', 0, 0x1f, 0x7f, 'é', '€', '\u2028', '\u2029', '😀'})),
		rapid.String(),
		rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) }), // any bytes, invalid UTF-8 too
	).Draw(t, label)
}

// Number draws valid JSON numbers, and the empty number (written as 0).
func Number(t *rapid.T, label string) json.Number {
	return json.Number(rapid.SampledFrom([]string{"", "0", "-0", "1", "12.5", "-3.25", "0.0001", "1e5", "2.5E-3", "123456789012345678901234567890"}).Draw(t, label))
}

// Special fills the values of types Fill does not know (interfaces, types
// kept in a particular order); it reports whether it did.
type Special func(t *rapid.T, v reflect.Value, label string, depth int) bool

// Fill sets v, and everything it holds, to random values: every field of
// every struct (a field added later is covered without changing a test),
// nil and empty slices, pointers and maps.
func Fill(t *rapid.T, v reflect.Value, label string, depth int, special Special) {
	if special != nil && special(t, v, label, depth) {
		return
	}
	switch v.Type() {
	case numberType:
		v.Set(reflect.ValueOf(Number(t, label)))
		return
	case rawType:
		raw := rapid.SampledFrom([]string{"", "null", "0", "-12", "3.5", `"abc"`, `"a<b>&c"`, `"\u00e9"`, `{ "a" : [1, 2] }`, `true`}).Draw(t, label)
		if raw != "" {
			v.SetBytes([]byte(raw))
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(String(t, label))
	case reflect.Bool:
		v.SetBool(rapid.Bool().Draw(t, label))
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(rapid.Int64Range(-1<<31, 1<<31-1).Draw(t, label))
	case reflect.Pointer:
		if rapid.Bool().Draw(t, label+" set") {
			p := reflect.New(v.Type().Elem())
			Fill(t, p.Elem(), label, depth+1, special)
			v.Set(p)
		}
	case reflect.Slice:
		if depth > 3 || rapid.IntRange(0, 3).Draw(t, label+" nil") == 0 {
			return
		}
		n := rapid.IntRange(0, 3).Draw(t, label+" len")
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			Fill(t, s.Index(i), fmt.Sprintf("%s[%d]", label, i), depth+1, special)
		}
		v.Set(s)
	case reflect.Map:
		if rapid.IntRange(0, 3).Draw(t, label+" nil") == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range rapid.IntRange(0, 4).Draw(t, label+" len") {
			k := reflect.New(v.Type().Key()).Elem()
			Fill(t, k, label+" key", depth+1, special)
			e := reflect.New(v.Type().Elem()).Elem()
			Fill(t, e, label+" value", depth+1, special)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			Fill(t, v.Field(i), label+"."+v.Type().Field(i).Name, depth, special)
		}
	default:
		t.Fatalf("%s: no generator for %s", label, v.Type())
	}
}

// Check fails t unless got is what encoding/json writes for v (without
// its newline), with HTML escaping as given.
func Check(t *rapid.T, got []byte, v any, escapeHTML bool) {
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
		t.Fatalf("escapeHTML %v:\n got %s\nwant %s", escapeHTML, got, w)
	}
}
