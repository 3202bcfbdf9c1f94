package pressroom_test

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

// TestTheCoreSpeaksNoHTTPAndNoVendor holds the core to the layout: its
// packages import no net/http (the APIs in front and internal/outbound
// behind translate to and from HTTP) and none of the API packages (the
// compatible APIs translate onto the core, never the other way round).
func TestTheCoreSpeaksNoHTTPAndNoVendor(t *testing.T) {
	const module = "github.com/pressroom/pressroom/"
	apis := []string{"api", "probo", "profotonet", "wl3", "boxes", "app", "internal/httpx", "internal/outbound"}
	for _, dir := range []string{".", "catalog", "pricing", "delivery", "order", "orders", "artwork", "webhook", "jobs"} {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if len(pkg.GoFiles) == 0 {
			t.Fatalf("%s: no Go files", dir)
		}
		for _, imp := range pkg.Imports {
			if imp == "net/http" || strings.HasPrefix(imp, "net/http/") {
				t.Errorf("%s imports %s", dir, imp)
			}
			if slices.Contains(apis, strings.TrimPrefix(imp, module)) {
				t.Errorf("%s imports the API package %s", dir, imp)
			}
		}
	}
}
