package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/outbound"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/store/sqlite"
	"github.com/pressroom/pressroom/store/storetest"
	"github.com/pressroom/pressroom/webhook"
)

// BenchmarkDeliver: callbacks delivered by 16 concurrent workers to a
// loopback receiver that answers 204: each read from a real SQLite store
// with its reseller's secrets, signed, sent, and its attempt and new state
// written (in the store's commit groups). ns/op is wall time per callback.
func BenchmarkDeliver(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "pressroom.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var got atomic.Int64
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer sink.Close()
	r := storetest.MustCreateReseller(b, db, "A")
	// Callbacks of orders of 500 each, each to its own URL: none waits for
	// an earlier one (a URL's callbacks of an order go in sequence).
	var ids []int64
	for len(ids) < b.N {
		o := &order.Order{ResellerID: r.ID, OwnID: fmt.Sprint("cb-", len(ids)), TrackingToken: fmt.Sprint("t-", len(ids)), Type: order.TypeProduction,
			Stage: order.StageOrder, Status: order.Accepted, OrderDate: "2026-12-07"}
		ev := &order.Event{Actor: order.ActorReseller, Kind: "created", To: string(order.Accepted)}
		for i := len(ids); i < min(b.N, len(ids)+500); i++ {
			ev.Callbacks = append(ev.Callbacks, &order.Callback{ResellerID: r.ID, URL: fmt.Sprintf("%s/cb/%d", sink.URL, i), Type: "order.created", Format: "native",
				Render: func() (json.RawMessage, error) { return json.RawMessage(`{"number":1,"status":"accepted"}`), nil }})
		}
		if err := db.CreateOrder(ctx, o, ev, nil); err != nil {
			b.Fatal(err)
		}
		for _, cb := range ev.Callbacks {
			ids = append(ids, cb.ID)
		}
	}
	d := webhook.NewDeliverer(db, pressroom.SystemClock{}, slog.New(slog.DiscardHandler), outbound.NewPoster(true, 10*time.Second), webhook.Config{Interval: time.Hour, Window: 72 * time.Hour, Timeout: 10 * time.Second})
	var next atomic.Int64
	b.SetParallelism(8) // 16 workers on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[next.Add(1)-1]
			if again, err := d.Deliver(ctx, id); err != nil || again != 0 {
				b.Errorf("callback %d: again in %v, %v", id, again, err)
				return
			}
		}
	})
	b.StopTimer()
	if got.Load() != int64(b.N) {
		b.Errorf("%d callbacks arrived, want %d", got.Load(), b.N)
	}
}
