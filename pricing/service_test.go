package pricing_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/pricing"
	"github.com/pressroom/pressroom/store/sqlite"
)

func newService(tb testing.TB) (*pricing.Service, *pressroom.Reseller) {
	tb.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "p.db"))
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
	rec := catalog.NewRecorder(store, logger)
	go rec.Run()
	tb.Cleanup(rec.Close)
	r := &pressroom.Reseller{Name: "r", Edition: pressroom.EditionStandard}
	if err := store.CreateReseller(ctx, r); err != nil {
		tb.Fatal(err)
	}
	return &pricing.Service{Store: store, Catalog: cat, Recorder: rec, Clock: pressroom.SystemClock{}}, r
}

// BenchmarkServicePriceAllMethods is the core of a /price call: the guide's
// five dibond plates to Belgium, every production time, every method that
// carries them, with its calculation recorded; no HTTP and no JSON.
func BenchmarkServicePriceAllMethods(b *testing.B) {
	s, r := newService(b)
	req := pricing.Request{Reseller: r, Items: []pricing.Item{{Code: "dibond", Options: dibond("5")}}, Delivery: pricing.DeliveryRequest{Country: "BE"}}
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.Price(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Options) != 21 || len(res.Options[0].Deliveries) != 3 {
			b.Fatalf("%d options, %d deliveries", len(res.Options), len(res.Options[0].Deliveries))
		}
	}
}

// BenchmarkServicePriceBox prices the box document's silver express box to Italy.
func BenchmarkServicePriceBox(b *testing.B) {
	s, r := newService(b)
	req := pricing.Request{Reseller: r, Items: []pricing.Item{{Code: "s001_v1", Options: box("s001_v1", "70.66", "80.77", "120", "100", "SBS300", true, true)}},
		Delivery: pricing.DeliveryRequest{Country: "IT"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Price(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAnyCarrier: a school photo set (letterbox methods) and a canvas
// (parcel only) share no method; named with AnyCarrier, the parcel carries
// both, at the price of the whole weight; a method that does not take an
// item's article group still cannot.
func TestAnyCarrier(t *testing.T) {
	s, r := newService(t)
	one := decimal.NewFromInt(1)
	items := []pricing.Item{
		{Code: "schoolfotoset-a-glans", Options: []catalog.Selection{{Code: "amount", Value: &one}}},
		{Code: "canvas-2cm-50x50-wit", Options: []catalog.Selection{{Code: "amount", Value: &one}}},
	}
	ctx := context.Background()
	if _, err := s.Price(ctx, pricing.Request{Reseller: r, Items: items, Delivery: pricing.DeliveryRequest{Country: "NL", Method: "postnl-parcel"}, NoRecord: true}); err == nil {
		t.Error("the parcel carried a product that does not list it without AnyCarrier")
	}
	res, err := s.Price(ctx, pricing.Request{Reseller: r, Items: items, Delivery: pricing.DeliveryRequest{Country: "NL", Method: "postnl-parcel", AnyCarrier: true}, NoRecord: true})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Options[0].Deliveries
	if len(d) != 1 || d[0].Method.Code != "postnl-parcel" || !d[0].Purchase.Equal(decimal.RequireFromString("4.9504")) {
		t.Errorf("deliveries: %+v", d)
	}
	if _, err := s.Price(ctx, pricing.Request{Reseller: r, Items: items, Delivery: pricing.DeliveryRequest{Country: "NL", Method: "ups-express", AnyCarrier: true}, NoRecord: true}); err == nil {
		t.Error("a box carrier took photo products")
	}
}
