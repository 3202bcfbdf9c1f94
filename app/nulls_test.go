package app_test

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/pressroom/pressroom/internal/testfiles"
)

// TestNullMembers sends each working JSON body of every endpoint of every
// API again with one member at a time set to null (at the top and one level
// down): never a 5xx; and what the native API takes (2xx) its document
// allows, a null being a member left out unless the document gives it a
// meaning (the contract check of every request). The fuzzer found
// {"reference":null} taken and ignored by a draft's PATCH, whose document
// says null clears; this sweeps every member of every body for its like.
func TestNullMembers(t *testing.T) {
	files := fileServer(t, map[string][]byte{"/a.pdf": testfiles.PDF(200, 400, 10), "/a.jpg": photo(t, 300, 450, 5)})
	env := callbackEnv()
	env["PRESSROOM_RATE_LIMIT"] = "0"
	srv := startServer(t, []string{"--data", t.TempDir()}, env)
	routes, patterns := bodyRoutes(t, srv, files.URL)
	sent := 0
	for _, p := range patterns {
		fr := routes[p]
		if fr.ctype != "application/json" {
			continue
		}
		for _, seed := range fr.seeds {
			var doc map[string]any
			if json.Unmarshal([]byte(seed), &doc) != nil {
				continue
			}
			for _, variant := range nulled(doc) {
				body, _ := json.Marshal(variant)
				r := doWith(t, fr.method, srv.URL+fr.path, fr.key, body, map[string]string{"Content-Type": fr.ctype})
				sent++
				if r.Status >= 500 {
					t.Errorf("%s %s: %d %.300s", p, body, r.Status, r.Body)
				}
			}
		}
	}
	t.Logf("%d bodies with a null member", sent)
}

// nulled answers doc once for each of its members and its objects'
// members, with that one member null.
func nulled(doc map[string]any) []map[string]any {
	var out []map[string]any
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := clone(doc)
		c[k] = nil
		out = append(out, c)
		if inner, ok := doc[k].(map[string]any); ok {
			for _, v := range nulled(inner) {
				c := clone(doc)
				c[k] = v
				out = append(out, c)
			}
		}
	}
	return out
}

func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var c map[string]any
	json.Unmarshal(b, &c)
	return c
}
