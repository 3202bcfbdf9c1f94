package httpx_test

import (
	"strings"
	"testing"

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
