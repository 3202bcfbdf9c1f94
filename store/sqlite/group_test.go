package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/store/storetest"
)

// openTemp opens a store in a temporary directory, closed after the test.
func openTemp(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "pressroom.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

type groupProbe struct {
	N int `json:"n"`
}

func (groupProbe) Kind() string { return "group_probe" }

// Writes that commit in one group keep the jobs they queued only if they
// succeed: a write that fails after queueing its jobs takes them with it,
// and the others' jobs are committed.
func TestGroupCommitJobs(t *testing.T) {
	db := openTemp(t)
	failed := errors.New("refused after queueing")
	const n = 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.tx(context.Background(), func(tx *sql.Tx) error {
				if err := db.insertJobs(context.Background(), tx, []pressroom.Job{{Args: groupProbe{N: i}}, {Args: groupProbe{N: i}}}); err != nil {
					return err
				}
				if i%2 == 1 {
					return failed
				}
				return nil
			})
			switch {
			case err == nil:
				mu.Lock()
				ok++
				mu.Unlock()
			case !errors.Is(err, failed):
				t.Errorf("write %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	var jobs, odd int
	if err := db.read.QueryRow(`SELECT COUNT(*), COALESCE(SUM(json_extract(args, '$.n') % 2), 0) FROM river_job WHERE kind = 'group_probe'`).Scan(&jobs, &odd); err != nil {
		t.Fatal(err)
	}
	if ok != n/2 || jobs != 2*ok || odd != 0 {
		t.Errorf("%d writes committed, %d jobs queued (%d of failed writes); want %d, %d, 0", ok, jobs, odd, n/2, n)
	}
	// Only the writes that succeeded count, in as many commits as groups
	// ran (at least one, at most one per write).
	commits, committed := db.CommitStats()
	if committed != uint64(ok) || commits < 1 || commits > uint64(n) {
		t.Errorf("CommitStats = %d commits of %d writes; want %d writes in 1 to %d commits", commits, committed, ok, n)
	}
	t.Logf("%d writes in %d commits", committed, commits)
}

// The job path's writes (a downloaded file's row) and an idempotency
// answer commit in groups, sharing the fsync of the orders beside them;
// a refused write in a group still answers as the store's own error.
func TestJobPathWritesCommitInGroups(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	r := storetest.MustCreateReseller(t, db, "A")
	o := &order.Order{ResellerID: r.ID, OwnID: "g-1", TrackingToken: "t-g-1", Type: order.TypeProduction, Stage: order.StageOrder,
		Status: order.Accepted, OrderDate: "2026-12-06", Items: []*order.Item{{Product: "dibond", Options: json.RawMessage(`[]`), FileState: order.FileAwaiting}}}
	if err := db.CreateOrder(ctx, o, &order.Event{Actor: order.ActorReseller, Kind: "created", To: string(order.Accepted)}, nil); err != nil {
		t.Fatal(err)
	}
	_, before := db.CommitStats()
	if err := db.SaveArtwork(ctx, &order.Artwork{OrderNumber: o.Number, ItemID: o.Items[0].ID, Source: "url", URL: "https://f.example/a.pdf", State: order.FileDownloading}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.BeginIdempotency(ctx, r.ID, "k-1", []byte("hash"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishIdempotency(ctx, r.ID, "k-1", pressroom.IdempotencyAnswer{Status: 422, ContentType: "application/json", Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if _, after := db.CommitStats(); after-before != 3 {
		t.Errorf("group commits carried %d writes, want 3 (the file, the key, its answer)", after-before)
	}
	err := db.SaveArtwork(ctx, &order.Artwork{OrderNumber: o.Number + 1000, ItemID: 1, Source: "url", State: order.FileDownloading})
	if pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
		t.Errorf("a file of no order: %v, want not found", err)
	}
}

// openStore is openTemp as the store the shared benchmarks take.
func openStore(tb testing.TB) pressroom.Store { return openTemp(tb) }

// BenchmarkCreateOrder: see storetest.BenchmarkCreateOrder; it reports
// the writes each durable commit carried.
func BenchmarkCreateOrder(b *testing.B) {
	storetest.BenchmarkCreateOrder(b, openStore, func(b *testing.B, s pressroom.Store) {
		commits, writes := s.(*DB).CommitStats()
		b.ReportMetric(float64(writes)/float64(max(commits, 1)), "writes/commit")
	})
}

// BenchmarkFindOrders: see storetest.BenchmarkFindOrders.
func BenchmarkFindOrders(b *testing.B) {
	storetest.BenchmarkFindOrders(b, openStore)
}

// BenchmarkListCallbacks: see storetest.BenchmarkListCallbacks.
func BenchmarkListCallbacks(b *testing.B) {
	storetest.BenchmarkListCallbacks(b, openStore)
}

// BenchmarkPurges: see storetest.BenchmarkPurges.
func BenchmarkPurges(b *testing.B) {
	storetest.BenchmarkPurges(b, openStore)
}
