package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/api"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/pricing"
	"github.com/pressroom/pressroom/store/sqlite"
)

const seedConfigure = `{"products":[{"code":"dibond","id":0,"options":[{"code":"width","value":40},{"code":"height","value":20},{"code":"amount","value":1},{"code":"direct-to-plate"},{"code":"single-sided"},{"code":"dibond-budget"},{"code":"3mm"},{"code":"milling"},{"code":"no-drillholes"},{"code":"customer-supplied-file"}]}]}`

// newHandler builds the real handler on a real SQLite store.
func newHandler(tb testing.TB) (http.Handler, string) {
	tb.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "bench.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	cat := catalog.NewService(store, logger)
	if _, err := cat.EnsureDemo(ctx); err != nil {
		tb.Fatal(err)
	}
	if _, err := cat.Load(ctx); err != nil {
		tb.Fatal(err)
	}
	_, key, err := pressroom.CreateResellerWithKey(ctx, store, &pressroom.Reseller{Name: "bench", Edition: pressroom.EditionStandard})
	if err != nil {
		tb.Fatal(err)
	}
	rec := catalog.NewRecorder(store, logger)
	go rec.Run()
	tb.Cleanup(rec.Close)
	reg := prometheus.NewRegistry()
	clock := pressroom.SystemClock{}
	s := &api.Server{Store: store, Auth: pressroom.NewAuthenticator(store), Catalog: cat,
		Pricing: &pricing.Service{Store: store, Catalog: cat, Recorder: rec, Clock: clock},
		Logger:  logger, Registry: reg, Clock: clock}
	return httpx.Observe(s.Handler(), logger, httpx.NewMetrics(reg), nil, s.PanicHandler), key
}

func benchRequest(b *testing.B, method, target, body string) {
	h, key := newHandler(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkConfigureDibondHTTP is the seed's complete dibond configure
// through the whole handler: auth, decode, configure, calculation id, encode.
func BenchmarkConfigureDibondHTTP(b *testing.B) {
	benchRequest(b, "POST", "/v1/products/configure", seedConfigure)
}

// BenchmarkListProductsHTTP is one page of the product listing.
func BenchmarkListProductsHTTP(b *testing.B) {
	benchRequest(b, "GET", "/v1/products?per_page=20", "")
}

// BenchmarkPriceDibondAllMethodsHTTP prices the guide's five dibond plates
// for every production time with every shipping method that carries them
// to Belgium (onbezorgd, DHL and pick-up): the /price call a shop makes.
func BenchmarkPriceDibondAllMethodsHTTP(b *testing.B) {
	benchRequest(b, "POST", "/v1/prices", `{"products":[{"code":"dibond","options":[{"code":"height","value":40},{"code":"width","value":20},{"code":"amount","value":5},{"code":"direct-to-plate"},{"code":"single-sided"},{"code":"dibond-budget"},{"code":"3mm"},{"code":"milling"},{"code":"no-drillholes"},{"code":"customer-supplied-file"}]}],"delivery":{"address":{"country":"BE"}}}`)
}

// BenchmarkPriceBoxHTTP prices the box document's silver express box to Italy.
func BenchmarkPriceBoxHTTP(b *testing.B) {
	benchRequest(b, "POST", "/v1/prices", `{"products":[{"code":"s001_v1","options":[{"code":"width","value":70.66},{"code":"depth","value":80.77},{"code":"height","value":120},{"code":"amount","value":100},{"code":"SBS300"},{"code":"printing-yes"},{"code":"gold-no"},{"code":"silver-yes"},{"code":"varnish-no"},{"code":"customer-supplied-file"}]}],"delivery":{"address":{"country":"IT"}}}`)
}

func TestHandlerNeverPanicsOnOddInput(t *testing.T) {
	h, key := newHandler(t)
	for _, body := range []string{"", "null", "0", `"x"`, `{"products":null}`, `{"products":[null]}`, `{"products":[{}]}`,
		`{"products":[{"code":"dibond","options":null}]}`, `{"products":[{"code":"dibond","options":[null]}]}`,
		`{"products":[{"code":"dibond","options":[{"code":"width","value":1e400}]}]}`,
		`{"products":[{"code":"dibond","options":[{"code":"width","value":"1e-99999"}]}]}`,
		`{"products":[{"code":"dibond","id":""}]}`, "\x00\x01", `{"products":[{"code":"dibond","options":[{"code":"width","value":[1]}]}]}`} {
		req := httptest.NewRequest("POST", "/v1/products/configure", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 || (w.Code != 200 && w.Code != 400 && w.Code != 422) {
			t.Errorf("body %q: status %d: %s", body, w.Code, w.Body)
		}
	}
}

// TestPriceHandlersNeverPanicOnOddInput: odd bodies on the price and API
// product endpoints answer 4xx, never 5xx.
func TestPriceHandlersNeverPanicOnOddInput(t *testing.T) {
	h, key := newHandler(t)
	bodies := []string{"", "null", "0", `"x"`, "[]", `{"products":null}`, `{"products":[null]}`, `{"products":[{}]}`,
		`{"products":[{"code":"dibond","options":null}]}`, `{"products":[{"customer_code":""}]}`, `{"products":[{"customer_code":null,"code":null}]}`,
		`{"products":[{"code":"dibond"}],"delivery":null}`, `{"products":[{"code":"dibond"}],"delivery":{"address":null}}`,
		`{"products":[{"code":"dibond"}],"delivery":{"delivery_date":"9999-99-99"}}`, `{"products":[{"code":"dibond"}],"delivery":{"delivery_date":"0001-01-01"}}`,
		`{"products":[{"code":"dibond"}],"delivery":{"shipping_date":"2999-12-31"}}`, `{"products":[{"code":"dibond","options":[{"code":"amount","value":1e400}]}]}`,
		`{"customer_code":"x","code":"dibond","options":[{"code":"width","value":"NaN"}]}`, `{"customer_code":"` + strings.Repeat("x", 300) + `","code":"dibond"}`,
		"\x00\x01", `{"products":[{"code":"dibond","id":{}}]}`}
	for _, target := range []struct{ method, path string }{{"POST", "/v1/prices"}, {"POST", "/v1/api-products"}, {"PUT", "/v1/api-products/x"}} {
		for _, body := range bodies {
			req := httptest.NewRequest(target.method, target.path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code >= 500 || w.Code < 400 && w.Code != 200 {
				t.Errorf("%s %s %q: status %d: %s", target.method, target.path, body, w.Code, w.Body)
			}
		}
	}
}
