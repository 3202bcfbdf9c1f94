package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/pressroom/pressroom/internal/render"
)

// The configure answer written by hand is the answer encoding/json writes
// (the products' own fields are proven in internal/render).
func TestConfigureAnswerMatchesEncodingJSON(t *testing.T) {
	name, yes := "Dibond <3 & more", true
	for _, out := range []configureResponse{
		{CatalogVersion: 7, Products: []render.Product{{ID: json.RawMessage(`"a<b"`), Code: "dibond", Upload: &yes,
			AvailableOptions: []render.Group{{Name: &name, Code: "size", Children: []render.Child{}}}, SelectedOptions: []render.Selected{}}}},
		{CatalogVersion: 0, Products: []render.Product{}},
		{},
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			t.Fatal(err)
		}
		if got := out.appendJSON(nil); !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("got  %s\nwant %s", got, want.Bytes())
		}
	}
}
