package jsonw

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/pressroom/pressroom/internal/jsonw/jsonwtest"
)

// Strings are quoted exactly as encoding/json quotes them, with and
// without HTML escaping, whatever bytes they hold.
func TestStringMatchesEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := jsonwtest.String(t, "s")
		for _, esc := range []bool{false, true} {
			jsonwtest.Check(t, String(nil, s, esc), s, esc)
		}
	})
}
