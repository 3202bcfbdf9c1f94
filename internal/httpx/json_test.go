package httpx_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/httpx"
)

// TestUnmarshalSaysWhatToSend: a body that says nothing (empty, or JSON's
// null, which decodes to no change) is malformed, naming the value the
// endpoint takes.
func TestUnmarshalSaysWhatToSend(t *testing.T) {
	var obj struct{ A string }
	var list []string
	for _, c := range []struct {
		body string
		v    any
		want string
	}{
		{"", &obj, "The request body is empty; send a JSON object."},
		{" null\n", &obj, "The request body is null; send a JSON object."},
		{"null", &list, "The request body is null; send a JSON array."},
		{`{"A":1}`, &obj, `Field "A" must be`},
		{`{"A":"x"} {}`, &obj, "more than one JSON value"},
	} {
		err := httpx.Unmarshal([]byte(c.body), false, c.v)
		if pressroom.ErrorCode(err) != pressroom.EMALFORMED || !strings.Contains(pressroom.ErrorMessage(err), c.want) {
			t.Errorf("%q: %v; want malformed, %q", c.body, err, c.want)
		}
	}
	if err := httpx.Unmarshal([]byte(`{"A":"x"}`), true, &obj); err != nil || obj.A != "x" {
		t.Errorf("a good body: %v, %+v", err, obj)
	}
}

// TestStrictNamesAreExact: encoding/json takes "Reference" for
// "reference"; a strict body refuses a member that matches a field only in
// another case, wherever it is, and names where. Map keys and what a
// type reads itself are data, not names. A lenient body keeps Go's rule.
func TestStrictNamesAreExact(t *testing.T) {
	type item struct {
		Code    string          `json:"code"`
		Options json.RawMessage `json:"options"`
	}
	type base struct {
		Country string `json:"country"`
	}
	type body struct {
		base
		Reference string `json:"reference"`
		Items     []item `json:"items"`
		Delivery  *struct {
			City string `json:"city"`
		} `json:"delivery"`
		CustomFields map[string]string `json:"custom_fields"`
		Amount       decimal.Decimal   `json:"amount"`
		Hidden       string            `json:"-"`
	}
	for in, ptr := range map[string]string{
		`{"Reference":"x"}`:                     "/Reference",
		`{"\u0052eference":"x"}`:                "/Reference",
		`{"items" : [ {"CODE" : "a"} ]}`:        "/items/0/CODE",
		`{"reference":"x","REFERENCE":"y"}`:     "/REFERENCE",
		`{"items":[{"code":"a"},{"Code":"b"}]}`: "/items/1/Code",
		`{"delivery":{"City":"Dokkum"}}`:        "/delivery/City",
		`{"Country":"NL"}`:                      "/Country",
		"{\"cu\u017ftom_fields\":{}}":           "/cu\u017ftom_fields",
		`{"custom_fieldS":{"a":"b"}}`:           "/custom_fieldS",
	} {
		var v body
		err := httpx.Unmarshal([]byte(in), true, &v)
		var e *pressroom.Error
		if !errors.As(err, &e) || e.Code != pressroom.EMALFORMED || len(e.Fields) != 1 || e.Fields[0].Pointer != ptr || !strings.Contains(e.Message, "names are exact") {
			t.Errorf("%s: %v, want malformed at %s", in, err, ptr)
		}
		if err := httpx.Unmarshal([]byte(in), false, &v); err != nil {
			t.Errorf("%s, lenient: %v", in, err)
		}
	}
	for _, in := range []string{
		`{"reference":"Dam 1 AMSTERDAM","country":"NL","delivery":{"city":"Dokkum"}}`,
		`{"custom_fields":{"Reference":"PO 7","CODE":"x"},"items":[{"code":"a","options":[{"Code":"W","Value":"X"}]}]}`,
		`{"amount":"1.5","delivery":null,"items":null}`,
	} {
		var v body
		if err := httpx.Unmarshal([]byte(in), true, &v); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
	if err := httpx.Unmarshal([]byte(`{"Hidden":"x"}`), true, &body{}); pressroom.ErrorCode(err) != pressroom.EMALFORMED {
		t.Errorf(`a field json:"-" hides: %v`, err)
	}
}
