package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
)

// BenchmarkCreateOrder: orders of 3 items written by concurrent callers, as
// intake writes them, with the order's 3 jobs and without: the difference
// is what the job queue's insert costs. ns/op is wall time per order. open
// gives each run a store of its own; report, if not nil, adds the store's
// own metrics at the end of a run.
func BenchmarkCreateOrder(b *testing.B, open func(testing.TB) pressroom.Store, report func(*testing.B, pressroom.Store)) {
	for _, jobs := range []int{0, 3} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			ctx := context.Background()
			s := open(b)
			r := MustCreateReseller(b, s, "A")
			var n atomic.Int64
			b.SetParallelism(16) // intake's many requests at once
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					o := &order.Order{ResellerID: r.ID, OwnID: fmt.Sprint("b-", i), TrackingToken: fmt.Sprint("t-", i), Type: order.TypeProduction,
						Stage: order.StageOrder, Status: order.Accepted, OrderDate: "2026-12-06"}
					var js []pressroom.Job
					for k := range 3 {
						o.Items = append(o.Items, &order.Item{Product: "dibond", Options: json.RawMessage(`[{"code":"width","value":"40"}]`), FileState: order.FileDownloading})
						if k < jobs {
							js = append(js, pressroom.Job{Args: &groupJob{}})
						}
					}
					if err := s.CreateOrder(ctx, o, &order.Event{Actor: order.ActorReseller, Kind: "created", To: string(order.Accepted)}, nil, js...); err != nil {
						b.Error(err)
						return
					}
				}
			})
			if report != nil {
				report(b, s)
			}
		})
	}
}

// BenchmarkFindOrders: a reseller with 20,000 orders looks one up by its
// own id (the Probo and Profotonet status calls), by its reference, and
// lists those of a status, the drafts, and those of a later date, where it
// has none: each should cost what one order's lookup does, not a read of
// all 20,000. The pages of its newest confirmed orders (the white-label
// API's default list) and of its orders of a month count all 20,000, from
// an index alone.
func BenchmarkFindOrders(b *testing.B, open func(testing.TB) pressroom.Store) {
	const orders = 20_000
	ctx := context.Background()
	s := open(b)
	r := MustCreateReseller(b, s, "A")
	Fill(b, orders, func(i int64) error {
		o := &order.Order{ResellerID: r.ID, OwnID: fmt.Sprint("own-", i), Reference: fmt.Sprint("ref ", i), TrackingToken: fmt.Sprint("t-", i),
			Type: order.TypeProduction, Stage: order.StageOrder, Status: order.Accepted, OrderDate: "2026-12-07",
			Items: []*order.Item{{Product: "dibond", Options: json.RawMessage(`[{"code":"width","value":"40"}]`), FileState: order.FileDownloading}}}
		return s.CreateOrder(ctx, o, &order.Event{Actor: order.ActorReseller, Kind: "created", To: string(order.Accepted)}, nil)
	})
	// One order by its number, with its items: every order's page and change.
	first, _, err := s.ListOrders(ctx, pressroom.OrderFilter{ResellerID: r.ID, Ascending: true, Limit: 1})
	if err != nil || len(first) != 1 {
		b.Fatalf("the first order: %v", err)
	}
	b.Run("by_number", func(b *testing.B) {
		i := int64(0)
		for b.Loop() {
			i++
			o, err := s.FindOrder(ctx, r.ID, first[0].Number+i%orders)
			if err != nil || len(o.Items) != 1 {
				b.Fatalf("order %d: %v", first[0].Number+i%orders, err)
			}
		}
	})
	for _, c := range []struct {
		name        string
		filter      pressroom.OrderFilter
		page, total int // what the listing must answer
	}{
		{"own_id", pressroom.OrderFilter{OwnID: "own-"}, 1, 1},
		{"reference", pressroom.OrderFilter{Reference: "ref "}, 1, 1},
		{"status_none", pressroom.OrderFilter{Status: order.ShipmentDelivered}, 0, 0},
		{"drafts_none", pressroom.OrderFilter{Stage: order.StageDraft}, 0, 0},
		{"dates_none", pressroom.OrderFilter{From: "2027-01-01"}, 0, 0},
		{"dates_page", pressroom.OrderFilter{From: "2026-12-01", To: "2026-12-31"}, 10, orders},
		{"confirmed_page", pressroom.OrderFilter{Stage: order.StageOrder, ExcludeStatus: order.Cancelled}, 10, orders},
		// The console's and the white-label list's page: the orders' items in one more read.
		{"confirmed_page_items", pressroom.OrderFilter{Stage: order.StageOrder, ExcludeStatus: order.Cancelled, WithItems: true}, 10, orders},
		// Probo's ?status=accepted: accepted or on hold.
		{"any_status_page", pressroom.OrderFilter{Stage: order.StageOrder, AnyStatus: []order.Status{order.Accepted, order.Hold}}, 10, orders},
	} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				f := c.filter
				f.ResellerID, f.Limit = r.ID, 10
				// A different order each time for the lookups by id and reference.
				if f.OwnID != "" {
					f.OwnID += fmt.Sprint(1 + i%orders)
				}
				if f.Reference != "" {
					f.Reference += fmt.Sprint(1 + i%orders)
				}
				list, total, err := s.ListOrders(ctx, f)
				if err != nil || len(list) != c.page || total != c.total {
					b.Fatalf("%+v: %d orders of %d, %v", f, len(list), total, err)
				}
				if f.WithItems && len(list[0].Items) != 1 {
					b.Fatalf("%+v: the first order's items %v", f, list[0].Items)
				}
			}
		})
	}
}

// BenchmarkListCallbacks: a reseller sent 20,000 callbacks lists its
// failed ones (none) and its newest page, and staff list every reseller's
// failed ones (none; the console's callbacks page): each should cost a
// page's read, not one of all 20,000.
func BenchmarkListCallbacks(b *testing.B, open func(testing.TB) pressroom.Store) {
	const callbacks = 20_000
	ctx := context.Background()
	s := open(b)
	r := MustCreateReseller(b, s, "A")
	Fill(b, callbacks, func(int64) error {
		return s.CreateCallback(ctx, &order.Callback{ResellerID: r.ID, URL: "https://shop.example/cb", Type: "test", Format: "native",
			Payload: json.RawMessage(`{"test":true}`), OccurredAt: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)})
	})
	for _, c := range []struct {
		name        string
		filter      pressroom.CallbackFilter
		page, total int
		everyone    bool
	}{
		{"failed_none", pressroom.CallbackFilter{Status: order.CallbackFailed}, 0, 0, false},
		{"pending_page", pressroom.CallbackFilter{Status: order.CallbackPending}, 10, callbacks, false},
		{"staff_failed_none", pressroom.CallbackFilter{Status: order.CallbackFailed}, 0, 0, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				f := c.filter
				f.Limit = 10
				if !c.everyone {
					f.ResellerID = r.ID
				}
				list, total, err := s.ListCallbacks(ctx, f)
				if err != nil || len(list) != c.page || total != c.total {
					b.Fatalf("%+v: %d callbacks of %d, %v", f, len(list), total, err)
				}
			}
		})
	}
}

// Fill calls write for 1 to n from 16 goroutines at once (a store's writes
// group as under load), stopping the test or benchmark at the first error.
func Fill(tb testing.TB, n int64, write func(i int64) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= n; i = next.Add(1) {
				if err := write(i); err != nil {
					tb.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if tb.Failed() {
		tb.FailNow()
	}
}

// BenchmarkPurges measures what the hourly purges of stored files cost a
// store of 20,000 orders with a stored file each, 1 % of them cancelled
// and their files already let go of (the steady state every hour meets):
// looking for unproduced orders' files, and for dropped files to delete.
// A third run asks which of 1,000 walked keys nothing names (the daily
// storage walk's batch).
func BenchmarkPurges(b *testing.B, open func(testing.TB) pressroom.Store) {
	const orders = 20_000
	ctx := context.Background()
	s := open(b)
	r := MustCreateReseller(b, s, "A")
	Fill(b, orders, func(i int64) error {
		o := &order.Order{ResellerID: r.ID, OwnID: fmt.Sprint("own-", i), TrackingToken: fmt.Sprint("t-", i),
			Type: order.TypeProduction, Stage: order.StageOrder, Status: order.ShipmentDelivered, OrderDate: "2026-12-07",
			Items: []*order.Item{{Product: "dibond", Options: json.RawMessage(`[{"code":"width","value":"40"}]`), FileState: order.FilePassed}}}
		if i%100 == 0 {
			o.Status = order.Cancelled
		}
		if err := s.CreateOrder(ctx, o, &order.Event{Actor: order.ActorReseller, Kind: "created", To: string(o.Status)}, nil); err != nil {
			return err
		}
		return s.SaveArtwork(ctx, &order.Artwork{OrderNumber: o.Number, ItemID: o.Items[0].ID, Source: "upload",
			BlobKey: fmt.Sprint("orders/", o.Number, "/file"), SHA256: "abc", State: order.FilePassed})
	})
	later := time.Now().Add(time.Minute)
	if n, err := s.DropUnproducedFiles(ctx, later, orders); err != nil || n != orders/100 {
		b.Fatalf("the first purge let go of %d, %v; want %d", n, err, orders/100)
	}
	free, kept, err := s.DroppedBlobs(ctx, later, orders)
	if err != nil || len(free) != orders/100 || len(kept) != 0 {
		b.Fatalf("dropped: %d free, %d kept, %v", len(free), len(kept), err)
	}
	if err := s.ForgetBlobs(ctx, free); err != nil {
		b.Fatal(err)
	}
	b.Run("unproduced_files", func(b *testing.B) {
		for b.Loop() {
			if n, err := s.DropUnproducedFiles(ctx, later, 1000); err != nil || n != 0 {
				b.Fatalf("%d, %v", n, err)
			}
		}
	})
	b.Run("dropped_files", func(b *testing.B) {
		for b.Loop() {
			if free, kept, err := s.DroppedBlobs(ctx, later, 1000); err != nil || len(free)+len(kept) != 0 {
				b.Fatalf("%d %d, %v", len(free), len(kept), err)
			}
		}
	})
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprint("orders/", 1000001+i*7, "/file") // named ones, mostly
	}
	b.Run("unnamed_1000_keys", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.UnnamedBlobs(ctx, keys); err != nil {
				b.Fatal(err)
			}
		}
	})
}
