package orders_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
	"github.com/pressroom/pressroom/store/sqlite"
	"github.com/pressroom/pressroom/store/storetest"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newService(tb testing.TB) (*orders.Service, *pressroom.Reseller, *clock, pressroom.Store) {
	tb.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "o.db"))
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
	c := &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	pr := &pricing.Service{Store: store, Catalog: cat, Recorder: rec, Clock: c}
	return &orders.Service{Store: store, Catalog: cat, Pricing: pr, Clock: c, Logger: logger}, r, c, store
}

func sel(code string, v ...int64) catalog.Selection {
	s := catalog.Selection{Code: code}
	if len(v) > 0 {
		d := decimal.NewFromInt(v[0])
		s.Value = &d
	}
	return s
}

func dibond(w, h, amount int64) []catalog.Selection {
	return []catalog.Selection{sel("width", w), sel("height", h), sel("amount", amount), sel("direct-to-plate"), sel("single-sided"),
		sel("dibond-budget"), sel("3mm"), sel("milling"), sel("no-drillholes"), sel("customer-supplied-file")}
}

var address = order.Address{CompanyName: "Probo Sign", LastName: "Doe", Street: "Fortuinweg", HouseNumber: "17", PostalCode: "9101PE", City: "Dokkum", Country: "NL"}

func request(r *pressroom.Reseller, id string, items ...orders.ItemRequest) orders.Request {
	return orders.Request{Reseller: r, Actor: order.ActorReseller, OwnID: id, Address: address, Items: items}
}

func plate(w, h, amount int64) orders.ItemRequest {
	return orders.ItemRequest{Item: pricing.Item{Code: "dibond", Options: dibond(w, h, amount)}, Upload: true}
}

func grips(n int64) orders.ItemRequest {
	return orders.ItemRequest{Item: pricing.Item{Code: "side-grip-spacer-2-5mm", Options: []catalog.Selection{sel("amount", n)}}}
}

// TestTotalsProperties: on random orders the totals are the exact sums of
// their parts, VAT is the rate on every part, and every shown amount is the
// exact one rounded once.
func TestTotalsProperties(t *testing.T) {
	s, r, _, _ := newService(t)
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 4).Draw(rt, "items")
		var items []orders.ItemRequest
		for i := 0; i < n; i++ {
			if rapid.Bool().Draw(rt, "plate") {
				items = append(items, plate(rapid.Int64Range(10, 150).Draw(rt, "w"), rapid.Int64Range(10, 300).Draw(rt, "h"), rapid.Int64Range(1, 200).Draw(rt, "n")))
			} else {
				items = append(items, grips(rapid.Int64Range(1, 50).Draw(rt, "grips")))
			}
		}
		req := request(r, "prop", items...)
		req.Address.Country = rapid.SampledFrom([]string{"NL", "BE", "LU"}).Draw(rt, "country")
		if req.Address.Country != "NL" {
			req.Address.HouseNumber = ""
		}
		res, err := s.Place(context.Background(), req, true, nil)
		if err != nil {
			rt.Fatalf("dry run: %v", err)
		}
		o := res.Order
		var sum order.Money
		one := decimal.NewFromInt(1)
		for _, it := range o.Items {
			sum = sum.Add(it.Price)
			if !it.Price.Incl.Equal(it.Price.Excl.Mul(one.Add(o.VATRate))) {
				rt.Fatalf("item VAT: %s incl for %s excl at %s", it.Price.Incl, it.Price.Excl, o.VATRate)
			}
			if !it.Price.Excl.Equal(it.Base.Add(it.Rush)) || it.Price.Excl.IsNegative() {
				rt.Fatalf("item price %s is not base %s + rush %s", it.Price.Excl, it.Base, it.Rush)
			}
		}
		t := o.Totals
		if !t.Subtotal.Excl.Equal(sum.Excl) || !t.Subtotal.Incl.Equal(sum.Incl) {
			rt.Fatalf("subtotal %v is not the sum %v", t.Subtotal, sum)
		}
		if want := t.Subtotal.Add(t.Shipping).Add(t.StartingCosts); !t.Total.Excl.Equal(want.Excl) || !t.Total.Incl.Equal(want.Incl) {
			rt.Fatalf("total %v is not %v", t.Total, want)
		}
		if !t.Shipping.Incl.Equal(t.Shipping.Excl.Mul(one.Add(o.VATRate))) || !t.Shipping.Excl.IsPositive() {
			rt.Fatalf("shipping %v", t.Shipping)
		}
		// Shown amounts are rounded once from the exact ones: within half a cent.
		for _, m := range []decimal.Decimal{t.Total.Excl, t.Total.Incl, t.Subtotal.Incl} {
			if pricing.Round(m).Sub(m).Abs().GreaterThan(decimal.RequireFromString("0.005")) {
				rt.Fatalf("%s rounds to %s", m, pricing.Round(m))
			}
		}
	})
}

// delivered places req and moves it on to delivered, so that a reprint
// may be asked for; it answers the order as placed (its number, items).
func delivered(t *testing.T, s *orders.Service, req orders.Request) *order.Order {
	t.Helper()
	ctx := context.Background()
	res, err := s.Place(ctx, req, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []order.Status{order.InProduction, order.ShipmentCreated, order.ShipmentDelivered} {
		if _, err := s.Advance(ctx, res.Order.Number, orders.StatusChange{Status: st}, order.Staff("test")); err != nil {
			t.Fatal(err)
		}
	}
	return res.Order
}

func TestReprintWindowAndCalculations(t *testing.T) {
	s, r, c, store := newService(t)
	ctx := context.Background()
	n := delivered(t, s, request(r, "old", plate(40, 20, 5))).Number
	c.t = c.t.Add(27 * 24 * time.Hour)
	if _, err := s.RequestReprint(ctx, r, n, "damaged", "", nil); err != nil {
		t.Errorf("27 days after: %v", err)
	}
	c.t = c.t.Add(3 * 24 * time.Hour)
	if _, err := s.RequestReprint(ctx, r, n, "damaged", "", nil); pressroom.ErrorCode(err) != pressroom.ECONFLICT || !strings.Contains(err.Error(), "28 days") {
		t.Errorf("30 days after: %v", err)
	}
	// A calculation made for another production time does not price it.
	calc := &pressroom.Calculation{ID: 555, ResellerID: r.ID, CatalogVersion: 1, ProductCode: "dibond", Options: []byte(`[]`),
		Prices:    []byte(`{"currency":"EUR","destination":"NL","items":[{"product":"dibond","options":[{"code":"width","value":"40"},{"code":"height","value":"20"},{"code":"amount","value":"5"},{"code":"direct-to-plate"},{"code":"single-sided"},{"code":"dibond-budget"},{"code":"3mm"},{"code":"milling"},{"code":"no-drillholes"},{"code":"customer-supplied-file"}],"amount":"5"}],"times":[{"code":"24","items":[{"base":"1","rush":"0","total":"1"}]}]}`),
		CreatedAt: c.t, ExpiresAt: c.t.Add(time.Hour)}
	if err := store.SaveCalculations(ctx, []*pressroom.Calculation{calc}); err != nil {
		t.Fatal(err)
	}
	req := request(r, "calc", orders.ItemRequest{CalculationID: 555, Upload: true})
	if _, err := s.Place(ctx, req, true, nil); err == nil || !strings.Contains(fmt.Sprint(pressroom.ErrorFields(err)), "calculation_lacks_time") {
		t.Errorf("calculation without the production time: %v", err)
	}
	req.ProductionTime = "24"
	res, err := s.Place(ctx, req, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Order.Items[0].Price.Excl.Equal(decimal.NewFromInt(1)) {
		t.Errorf("cited price = %s, want the calculation's 1", res.Order.Items[0].Price.Excl)
	}
}

// TestReprintsOfTwoNodesMakeAPieceOnce: two services on one store (two
// nodes: they do not take turns with each other) get ten requests at once
// for one piece each of an item of 5: five are taken, five told none is
// left. The store refuses a request checked against fewer reprints than
// the order has, and it is checked again.
func TestReprintsOfTwoNodesMakeAPieceOnce(t *testing.T) {
	s, r, _, _ := newService(t)
	other := &orders.Service{Store: s.Store, Catalog: s.Catalog, Pricing: s.Pricing, Clock: s.Clock, Logger: s.Logger}
	ctx := context.Background()
	o := delivered(t, s, request(r, "twice", plate(40, 20, 5)))
	var taken, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range 10 {
		node := []*orders.Service{s, other}[i%2]
		wg.Go(func() {
			_, err := node.RequestReprint(ctx, r, o.Number, "damaged", "", []order.ReprintItem{{ItemID: o.Items[0].ID, Quantity: decimal.NewFromInt(1)}})
			switch {
			case err == nil:
				taken.Add(1)
			case pressroom.ErrorCode(err) == pressroom.EINVALID:
				refused.Add(1)
			default:
				t.Errorf("a request: %v", err)
			}
		})
	}
	wg.Wait()
	if taken.Load() != 5 || refused.Load() != 5 {
		t.Errorf("10 requests on two nodes for 1 of 5 pieces each: %d taken, %d refused; want 5 and 5", taken.Load(), refused.Load())
	}
}

// TestReprintIsPlannedFromItsApproval: an approved reprint's order ships
// and arrives when an order of the same items placed at its approval, at
// the original's production time and by its method, would; one the
// catalog in use can no longer plan is refused with the reason, and
// nothing is made.
func TestReprintIsPlannedFromItsApproval(t *testing.T) {
	s, r, c, store := newService(t)
	ctx := context.Background()
	orig := delivered(t, s, request(r, "orig", plate(40, 20, 5), grips(4)))
	c.t = c.t.Add(9 * 24 * time.Hour)
	rp, err := s.RequestReprint(ctx, r, orig.Number, "damaged", "", []order.ReprintItem{{ItemID: orig.Items[0].ID, Quantity: decimal.NewFromInt(2)}})
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(24 * time.Hour)
	if _, err := s.DecideReprint(ctx, rp.ID, orders.Decision{Approve: true, By: "Anna"}); err != nil {
		t.Fatal(err)
	}
	rp, _ = store.FindReprint(ctx, 0, rp.ID)
	fresh, err := store.FindOrder(ctx, r.ID, rp.NewOrder)
	if err != nil {
		t.Fatal(err)
	}
	same := request(r, "today", plate(40, 20, 2))
	same.ProductionTime, same.Delivery.Method = orig.ProductionTime, orig.Delivery.ShippingMethod
	today, err := s.Place(ctx, same, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := today.Order.Delivery
	if fresh.ProductionTime != orig.ProductionTime || fresh.Delivery.ShippingMethod != orig.Delivery.ShippingMethod ||
		fresh.Delivery.ShippingDate != want.ShippingDate || fresh.Delivery.DeliveryDate != want.DeliveryDate {
		t.Errorf("the reprint: time %s by %s, ships %q arrives %q; an order placed now: time %s by %s, ships %s arrives %s",
			fresh.ProductionTime, fresh.Delivery.ShippingMethod, fresh.Delivery.ShippingDate, fresh.Delivery.DeliveryDate,
			orig.ProductionTime, want.ShippingMethod, want.ShippingDate, want.DeliveryDate)
	}
	if orig.Delivery.ShippingDate >= want.ShippingDate { // ISO dates compare as strings
		t.Errorf("planned from the approval, the reprint ships after the original (%s), not on %s", orig.Delivery.ShippingDate, want.ShippingDate)
	}

	// A catalog without the product: the next reprint cannot be planned.
	var doc map[string]any
	if err := json.Unmarshal(catalog.DemoJSON, &doc); err != nil {
		t.Fatal(err)
	}
	var kept []any
	for _, p := range doc["products"].([]any) {
		if p.(map[string]any)["code"] != "dibond" {
			kept = append(kept, p)
		}
	}
	doc["products"] = kept
	next, _ := json.Marshal(doc)
	if _, err := s.Catalog.Import(ctx, next, "no dibond"); err != nil {
		t.Fatal(err)
	}
	rp2, err := s.RequestReprint(ctx, r, orig.Number, "quality", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.DecideReprint(ctx, rp2.ID, orders.Decision{Approve: true, By: "Anna"})
	if pressroom.ErrorCode(err) != pressroom.ECONFLICT || !strings.Contains(pressroom.ErrorMessage(err), `product "dibond" does not exist`) {
		t.Errorf("approving a reprint the catalog cannot plan: %v", err)
	}
	if again, _ := store.FindReprint(ctx, 0, rp2.ID); again.Status != order.ReprintRequested || again.NewOrder != 0 {
		t.Errorf("after the refusal the reprint is %s with order %v", again.Status, again.NewOrder)
	}
}

// BenchmarkIntake places an order of three items (two configurations and
// an accessory, files by URL) on SQLite with full durability.
func BenchmarkIntake(b *testing.B) {
	s, r, _, _ := newService(b)
	files := []order.FileRef{{URL: "https://files.example/print.pdf"}}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		p1, p2 := plate(40, 20, 5), plate(100, 50, 2)
		p1.Upload, p2.Upload = false, false
		p1.Files, p2.Files = files, files
		if _, err := s.Place(context.Background(), request(r, fmt.Sprintf("bench-%d", i), p1, p2, grips(4)), false, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFileState is one file state change of an order of 3 items and
// of one of the most items: the cost of a file job's write as orders grow.
func BenchmarkFileState(b *testing.B) {
	for _, n := range []int{3, orders.MaxItems} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			s, r, _, _ := newService(b)
			items := make([]orders.ItemRequest, n)
			for i := range items {
				items[i] = plate(40, 20, int64(i+1))
			}
			res, err := s.Place(context.Background(), request(r, "bench", items...), false, nil)
			if err != nil {
				b.Fatal(err)
			}
			o := res.Order
			states := []order.FileState{order.FileChecking, order.FilePassed}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				// Back and forth between two states of the first item: each a change.
				if _, err := s.SetFileState(context.Background(), o.Number, o.Items[0].ID, states[i%2], "bench"); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkIntakeDryRun is the request side of intake alone: checking
// and pricing the same order (dry_run: nothing is stored).
func BenchmarkIntakeDryRun(b *testing.B) {
	s, r, _, _ := newService(b)
	files := []order.FileRef{{URL: "https://files.example/print.pdf"}}
	b.ReportAllocs()
	for b.Loop() {
		p1, p2 := plate(40, 20, 5), plate(100, 50, 2)
		p1.Upload, p2.Upload = false, false
		p1.Files, p2.Files = files, files
		if _, err := s.Place(context.Background(), request(r, "bench", p1, p2, grips(4)), true, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentFileStates: the files of one order finish at the same
// time; each file's state change lands, neither is lost to the other's
// write (a write that lost the race reads the order again).
func TestConcurrentFileStates(t *testing.T) {
	s, r, _, _ := newService(t)
	ctx := context.Background()
	for round := range 10 {
		res, err := s.Place(ctx, request(r, fmt.Sprintf("files-%d", round), plate(40, 20, 5), plate(60, 30, 2), plate(80, 40, 1)), false, nil)
		if err != nil {
			t.Fatal(err)
		}
		o := res.Order
		errs := make(chan error, len(o.Items))
		for _, it := range o.Items {
			go func() {
				_, err := s.SetFileState(ctx, o.Number, it.ID, order.FilePassed, "checked")
				errs <- err
			}()
		}
		for range o.Items {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		got, err := s.Get(ctx, r.ID, o.Number)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range got.Items {
			if it.FileState != order.FilePassed {
				t.Errorf("round %d: item %d is %s after all three passed", round, it.ID, it.FileState)
			}
		}
	}
}

// conflictCounter is the real store, counting the order writes it
// refuses because another write of the order came first.
type conflictCounter struct {
	pressroom.Store
	conflicts atomic.Int64
}

func (s *conflictCounter) UpdateOrder(ctx context.Context, o *order.Order, items bool, evs []*order.Event, pkgs []*order.Package, jobs ...pressroom.Job) error {
	return s.count(s.Store.UpdateOrder(ctx, o, items, evs, pkgs, jobs...))
}

func (s *conflictCounter) UpdateOrderItem(ctx context.Context, o *order.Order, it *order.Item, evs []*order.Event, jobs ...pressroom.Job) error {
	return s.count(s.Store.UpdateOrderItem(ctx, o, it, evs, jobs...))
}

func (s *conflictCounter) count(err error) error {
	if pressroom.ErrorCode(err) == pressroom.ECONFLICT {
		s.conflicts.Add(1)
	}
	return err
}

// TestFileStatesOfABigOrderTakeTurns: the files of an order of the most
// items finish all at once (a photo app's order of 100 prints). On one node
// their state changes take turns: every one lands at its first write, none
// is lost to the others, and none fails for having lost too often.
func TestFileStatesOfABigOrderTakeTurns(t *testing.T) {
	s, r, _, store := newService(t)
	counted := &conflictCounter{Store: store}
	s.Store = counted
	ctx := context.Background()
	items := make([]orders.ItemRequest, orders.MaxItems)
	for i := range items {
		items[i] = plate(40, 20, int64(i+1))
	}
	res, err := s.Place(ctx, request(r, "photo-book", items...), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := res.Order
	var wg sync.WaitGroup
	var failed atomic.Int64
	for _, it := range o.Items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, st := range []order.FileState{order.FileDownloading, order.FileChecking, order.FilePassed} {
				if _, err := s.SetFileState(ctx, o.Number, it.ID, st, "step"); err != nil {
					failed.Add(1)
					t.Errorf("item %d to %s: %v", it.ID, st, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := s.Get(ctx, r.ID, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	passed := 0
	for _, it := range got.Items {
		if it.FileState == order.FilePassed {
			passed++
		}
	}
	events, err := store.ListOrderEvents(ctx, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, ev := range events {
		if ev.Kind == "file" {
			files++
		}
	}
	t.Logf("%d items, %d state changes: %d failed, %d passed, %d file events, %d writes lost a race", len(o.Items), 3*len(o.Items), failed.Load(), passed, files, counted.conflicts.Load())
	if passed != len(o.Items) || files != 3*len(o.Items) {
		t.Errorf("%d of %d items passed, %d file events; want every item passed and %d events", passed, len(o.Items), files, 3*len(o.Items))
	}
	if n := counted.conflicts.Load(); n != 0 {
		t.Errorf("%d writes lost a race; on one node an order's changes take turns", n)
	}
}

// TestSweepForgetsEveryOldKey: a reseller sent more keyed requests in a
// minute than one batch of the sweep holds; one sweep forgets every key
// past its lifetime, not just a batch of them.
func TestSweepForgetsEveryOldKey(t *testing.T) {
	s, r, c, store := newService(t)
	ctx := context.Background()
	const keys = 2500
	storetest.Fill(t, keys, func(i int64) error {
		_, err := store.BeginIdempotency(ctx, r.ID, fmt.Sprint("key-", i), []byte("h"), time.Minute)
		return err
	})
	// A day and an hour on, every key is past its lifetime.
	c.t = time.Now().Add(orders.IdempotencyLifetime + time.Hour)
	s.Sweep(ctx)
	left, err := store.DeleteIdempotencyBefore(ctx, c.t.Add(-orders.IdempotencyLifetime), keys)
	if err != nil || left != 0 {
		t.Errorf("after one sweep %d of %d old keys were left (%v)", left, keys, err)
	}
}

// racingStore is the real store, except that the first order write it is
// given waits until race has written the same order: another write lands
// between a change's read and its write, as a file job's does when it
// marks an item while the reseller acts.
type racingStore struct {
	pressroom.Store
	race   func()
	done   bool
	always bool // every write waits for a race of its own, not the first only
}

func (s *racingStore) UpdateOrder(ctx context.Context, o *order.Order, items bool, evs []*order.Event, pkgs []*order.Package, jobs ...pressroom.Job) error {
	if !s.done {
		s.done = !s.always
		s.race()
	}
	return s.Store.UpdateOrder(ctx, o, items, evs, pkgs, jobs...)
}

// A reseller's change of an order does not fail because a file job wrote
// the order meanwhile: it applies to the order as it is then, keeping the
// job's write; one that no longer applies says why.
func TestChangesSurviveAConcurrentWrite(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		draft  bool
		race   func(s *orders.Service, o *order.Order) error
		change func(s *orders.Service, o *order.Order) error
		check  func(t *testing.T, got *order.Order, err error)
	}{
		{
			name: "custom fields while a file is checked",
			race: func(s *orders.Service, o *order.Order) error {
				_, err := s.SetFileState(ctx, o.Number, o.Items[0].ID, order.FileChecking, "checking")
				return err
			},
			change: func(s *orders.Service, o *order.Order) error {
				_, err := s.SetCustomFields(ctx, o.ResellerID, o.Number, map[string]string{"costCenter": "42"})
				return err
			},
			check: func(t *testing.T, got *order.Order, err error) {
				if err != nil || got.CustomFields["costCenter"] != "42" || got.Items[0].FileState != order.FileChecking {
					t.Errorf("err %v; custom fields %v, file %s", err, got.CustomFields, got.Items[0].FileState)
				}
			},
		},
		{
			name: "characteristics while a file is checked",
			race: func(s *orders.Service, o *order.Order) error {
				_, err := s.SetFileState(ctx, o.Number, o.Items[0].ID, order.FileChecking, "checking")
				return err
			},
			change: func(s *orders.Service, o *order.Order) error {
				_, _, err := s.SetCharacteristics(ctx, o.ResellerID, o.Number, o.Items[0].ID, map[string]string{"color": "red"})
				return err
			},
			check: func(t *testing.T, got *order.Order, err error) {
				if err != nil || got.Items[0].Characteristics["color"] != "red" || got.Items[0].FileState != order.FileChecking {
					t.Errorf("err %v; characteristics %v, file %s", err, got.Items[0].Characteristics, got.Items[0].FileState)
				}
			},
		},
		{
			name: "a cancel that production overtook",
			race: func(s *orders.Service, o *order.Order) error {
				_, err := s.Advance(ctx, o.Number, orders.StatusChange{Status: order.InProduction}, order.Staff("test"))
				return err
			},
			change: func(s *orders.Service, o *order.Order) error {
				_, err := s.Cancel(ctx, o.ResellerID, o.Number, order.ActorReseller, "changed my mind")
				return err
			},
			check: func(t *testing.T, got *order.Order, err error) {
				if pressroom.ErrorCode(err) != pressroom.ECONFLICT || !strings.Contains(pressroom.ErrorMessage(err), "because its status is: in_production") ||
					got.Status != order.InProduction {
					t.Errorf("err %v; status %s", err, got.Status)
				}
			},
		},
		{
			name:  "a draft's checkout while its file is checked",
			draft: true,
			race: func(s *orders.Service, o *order.Order) error {
				_, err := s.SetFileState(ctx, o.Number, o.Items[0].ID, order.FileChecking, "checking")
				return err
			},
			change: func(s *orders.Service, o *order.Order) error {
				_, err := s.Checkout(ctx, &pressroom.Reseller{ID: o.ResellerID, Edition: pressroom.EditionStandard}, o.Number)
				return err
			},
			check: func(t *testing.T, got *order.Order, err error) {
				if err != nil || got.Stage != order.StageOrder || got.Status != order.Accepted {
					t.Errorf("err %v; stage %s, status %s", err, got.Stage, got.Status)
				}
			},
		},
		{
			name:  "a draft's item replaced after an earlier one was removed",
			draft: true,
			race: func(s *orders.Service, o *order.Order) error {
				_, err := s.RemoveItem(ctx, &pressroom.Reseller{ID: o.ResellerID, Edition: pressroom.EditionStandard}, o.Number, o.Items[0].ID)
				return err
			},
			change: func(s *orders.Service, o *order.Order) error {
				_, err := s.ReplaceItem(ctx, &pressroom.Reseller{ID: o.ResellerID, Edition: pressroom.EditionStandard}, o.Number, o.Items[1].ID, plate(60, 30, 7))
				return err
			},
			check: func(t *testing.T, got *order.Order, err error) {
				// The replaced item is the second one, now the only one.
				if err != nil || len(got.Items) != 1 || !got.Items[0].Amount.Equal(decimal.NewFromInt(7)) {
					t.Errorf("err %v; items %+v", err, got.Items)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, r, _, store := newService(t)
			req := request(r, "race", plate(40, 20, 5), plate(50, 25, 3))
			req.Draft = tc.draft
			res, err := s.Place(ctx, req, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			o := res.Order
			// The other write comes from another node: a Service of its
			// own, which does not take turns with this one.
			racing := &orders.Service{Catalog: s.Catalog, Pricing: s.Pricing, Clock: s.Clock, Logger: s.Logger}
			racing.Store = &racingStore{Store: store, race: func() {
				if err := tc.race(s, o); err != nil {
					t.Errorf("the other write: %v", err)
				}
			}}
			err = tc.change(racing, o)
			got, gerr := s.Get(ctx, r.ID, o.Number)
			if gerr != nil {
				t.Fatal(gerr)
			}
			tc.check(t, got, err)
		})
	}
}

// A change that another node's writes overtake at every attempt gives up
// with 409, saying what the order is now, and leaves nothing half done.
func TestAChangeThatLosesEveryAttemptSaysSo(t *testing.T) {
	ctx := context.Background()
	for name, change := range map[string]func(s *orders.Service, o *order.Order) error{
		"custom fields": func(s *orders.Service, o *order.Order) error {
			_, err := s.SetCustomFields(ctx, o.ResellerID, o.Number, map[string]string{"mine": "yes"})
			return err
		},
		"characteristics": func(s *orders.Service, o *order.Order) error {
			_, _, err := s.SetCharacteristics(ctx, o.ResellerID, o.Number, o.Items[0].ID, map[string]string{"mine": "yes"})
			return err
		},
		"payment": func(s *orders.Service, o *order.Order) error {
			_, err := s.SetPayment(ctx, o.Number, order.PaymentPaid, order.Staff("test"))
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			s, r, _, store := newService(t)
			res, err := s.Place(ctx, request(r, "lost", plate(40, 20, 5)), false, nil)
			if err != nil {
				t.Fatal(err)
			}
			o := res.Order
			races := 0
			racing := &orders.Service{Catalog: s.Catalog, Pricing: s.Pricing, Clock: s.Clock, Logger: s.Logger}
			racing.Store = &racingStore{Store: store, always: true, race: func() {
				races++
				if _, err := s.SetCustomFields(ctx, r.ID, o.Number, map[string]string{"other": fmt.Sprint(races)}); err != nil {
					t.Errorf("the other node's write: %v", err)
				}
			}}
			err = change(racing, o)
			if pressroom.ErrorCode(err) != pressroom.ECONFLICT || !strings.Contains(pressroom.ErrorMessage(err), fmt.Sprintf("Order %d changed meanwhile and is now accepted; nothing was done.", o.Number)) {
				t.Errorf("after %d lost attempts: %v", races, err)
			}
			got, err := s.Get(ctx, r.ID, o.Number)
			if err != nil {
				t.Fatal(err)
			}
			if races < 2 || got.CustomFields["mine"] != "" || got.Items[0].Characteristics["mine"] != "" || got.Payment == order.PaymentPaid {
				t.Errorf("%d races; the order after: custom fields %v, characteristics %v, payment %s", races, got.CustomFields, got.Items[0].Characteristics, got.Payment)
			}
		})
	}
}

// A draft's uploaded files stay with their items when the draft changes
// and at its checkout: pricing the draft again does not make an item that
// has its file await one (nor refuse it for having no file URL).
func TestDraftKeepsItsUploadedFiles(t *testing.T) {
	ctx := context.Background()
	s, r, _, _ := newService(t)
	req := request(r, "d", plate(40, 20, 5), plate(50, 25, 3), plate(60, 30, 1))
	req.Draft = true
	res, err := s.Place(ctx, req, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := res.Order
	// Item 1's upload passed its check, item 2's is being checked.
	for _, step := range []struct {
		item  int
		state order.FileState
	}{{0, order.FileChecking}, {0, order.FilePassed}, {1, order.FileChecking}} {
		if _, err := s.SetFileState(ctx, o.Number, o.Items[step.item].ID, step.state, "uploaded"); err != nil {
			t.Fatal(err)
		}
	}
	states := func(o *order.Order) string {
		var out []string
		for _, it := range o.Items {
			out = append(out, string(it.FileState))
		}
		return strings.Join(out, ",")
	}
	got, err := s.UpdateDraft(ctx, r, o.Number, func(req *orders.Request) { req.Reference = "new reference" })
	if err != nil || states(got) != "passed,checking,awaiting" {
		t.Fatalf("update: %v; files %s", err, states(got))
	}
	if _, _, err := s.AddItem(ctx, r, o.Number, plate(70, 35, 2)); err != nil {
		t.Fatal(err)
	}
	// The third item is replaced (a new item: it awaits its file), the
	// fourth removed.
	if _, err := s.ReplaceItem(ctx, r, o.Number, o.Items[2].ID, plate(80, 40, 4)); err != nil {
		t.Fatal(err)
	}
	got, err = s.Get(ctx, r.ID, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = s.RemoveItem(ctx, r, o.Number, got.Items[3].ID); err != nil || states(got) != "passed,checking,awaiting" {
		t.Fatalf("edits: %v; files %s", err, states(got))
	}
	got, err = s.Checkout(ctx, r, o.Number)
	if err != nil || got.Status != order.Accepted || states(got) != "passed,checking,awaiting" {
		t.Fatalf("checkout: %v; files %s", err, states(got))
	}
	for i, it := range got.Items {
		if it.ID != o.Items[i].ID {
			t.Errorf("item %d has id %d, had %d", i+1, it.ID, o.Items[i].ID)
		}
	}
}
