package api

import (
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/pressroom/pressroom/internal/jsonw/jsonwtest"
)

// The price answer written by hand is what encoding/json writes for it
// (unescaped HTML, as writeJSON writes native answers), for answers whose
// every field holds random values.
func TestPriceAnswerMatchesEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var p priceResponse
		jsonwtest.Fill(t, reflect.ValueOf(&p).Elem(), "answer", 0, nil)
		jsonwtest.Check(t, p.appendJSON(nil), p, false)
	})
}

// A field the writer does not know fails the comparison above only when
// it is drawn non-zero; this guards the field lists themselves.
func TestPriceAnswerWriterKnowsEveryField(t *testing.T) {
	for typ, n := range map[reflect.Type]int{
		reflect.TypeOf(priceResponse{}): 9, reflect.TypeOf(pricedProductIn{}): 6, reflect.TypeOf(priceOptionOut{}): 8,
		reflect.TypeOf(productPriceOut{}): 3, reflect.TypeOf(deliveryOut{}): 11, reflect.TypeOf(deliveryPriceOut{}): 6,
	} {
		if typ.NumField() != n {
			t.Errorf("%s has %d fields, the writer writes %d: teach prices_json.go the new field", typ, typ.NumField(), n)
		}
	}
}
