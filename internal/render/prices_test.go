package render

import (
	"bytes"
	"encoding/json"
	"testing"

	"pgregory.net/rapid"
)

// PricesByTime writes exactly what encoding/json writes for the plain map,
// with and without HTML escaping, whatever the codes and amounts.
func TestPricesByTimeJSON(t *testing.T) {
	num := rapid.OneOf(rapid.Just(json.Number("")), rapid.Map(rapid.Float64Range(-1e6, 1e6), func(f float64) json.Number {
		b, _ := json.Marshal(f)
		return json.Number(b)
	}))
	rapid.Check(t, func(t *rapid.T) {
		p := PricesByTime{}
		for range rapid.IntRange(0, 25).Draw(t, "n") {
			code := rapid.OneOf(rapid.StringMatching(`[0-9]{1,3}`), rapid.String()).Draw(t, "code")
			p[code] = Price{num.Draw(t, "a"), num.Draw(t, "b"), num.Draw(t, "c"), num.Draw(t, "d"), num.Draw(t, "e"), num.Draw(t, "f")}
		}
		for _, escape := range []bool{false, true} {
			var got, want bytes.Buffer
			g, w := json.NewEncoder(&got), json.NewEncoder(&want)
			g.SetEscapeHTML(escape)
			w.SetEscapeHTML(escape)
			if err := g.Encode(struct{ P *PricesByTime }{&p}); err != nil {
				t.Fatal(err)
			}
			if err := w.Encode(struct{ P map[string]Price }{map[string]Price(p)}); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Fatalf("escape %v:\n got %s\nwant %s", escape, got.String(), want.String())
			}
		}
	})
	var nilMap PricesByTime
	if b, _ := json.Marshal(struct{ P PricesByTime }{nilMap}); string(b) != `{"P":null}` {
		t.Errorf("nil: %s", b)
	}
}
