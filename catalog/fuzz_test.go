package catalog_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom/catalog"
)

// FuzzLoad: whatever a staff member imports, the loader answers a catalog
// or problems, and never panics; a loaded catalog configures its products.
// The seed corpus is the demo catalog and pieces of it.
func FuzzLoad(f *testing.F) {
	demo := string(catalog.DemoJSON)
	f.Add(demo)
	f.Add(`{}`)
	f.Add(`{"default_language":"nl","products":[]}`)
	f.Add(strings.Replace(demo, `"steps"`, `"stepz"`, 1))
	f.Add(strings.Replace(demo, `"min": 20`, `"min": -20`, 1))
	f.Add(strings.Replace(demo, `"per_m2": "5.40"`, `"per_m2": "x"`, 1))
	f.Add(demo[:len(demo)/2])
	f.Fuzz(func(t *testing.T, doc string) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			catalog.ValidateSchema([]byte(doc))
			c, err := catalog.Load([]byte(doc), 1, time.Unix(0, 0))
			if err != nil {
				return
			}
			for _, p := range c.Products() {
				p.Configure(nil, "en")
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("loading took more than 10 s (%d bytes)", len(doc))
		}
	})
}
