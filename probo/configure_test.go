package probo

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/pressroom/pressroom/internal/render"
)

// The configure answer written by hand is the answer writeJSON (encoding/json,
// HTML escaped) writes, for a success and for a refusal naming options.
func TestConfigureAnswerMatchesEncodingJSON(t *testing.T) {
	name := "Dibond <3 & more"
	for _, out := range []configureAnswer{
		{Status: "ok", Code: 200, Message: "Options calculated", Products: []render.Product{{ID: json.RawMessage(`"a<b"`), Code: "dibond",
			AvailableOptions: []render.Group{{Name: &name, Code: "size", Children: []render.Child{}}}, SelectedOptions: []render.Selected{}}}},
		{Status: "error", Code: 400, Message: `Option "x<y" does not exist; "é\u2028"`, Products: []render.Product{}},
		{},
	} {
		want, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		if got := out.appendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}
