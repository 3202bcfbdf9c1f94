package jsonw

import (
	"bytes"
	"encoding/json"
	"testing"

	"pgregory.net/rapid"
)

// Strings are quoted exactly as encoding/json quotes them, with and
// without HTML escaping, whatever bytes they hold.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.OneOf(
			rapid.StringOf(rapid.SampledFrom([]rune{'a', ' ', '<', '>', '&', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', 0, 0x1f, 0x7f, 'é', '\u2028', '\u2029', '😀'})),
			rapid.String(),
			rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) }),
		).Draw(t, "s")
		for _, esc := range []bool{false, true} {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(esc)
			if err := enc.Encode(s); err != nil {
				t.Fatal(err)
			}
			if got, w := String(nil, s, esc), bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
				t.Fatalf("%q escapeHTML %v: got %s, want %s", s, esc, got, w)
			}
		}
	})
}
