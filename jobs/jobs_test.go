package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/internal/outbound"
	"github.com/pressroom/pressroom/internal/pgtest"
	"github.com/pressroom/pressroom/jobs"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/store/teststores"
	"github.com/pressroom/pressroom/webhook"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestCleanupsRunOncePerIntervalWhateverTheRestarts: the queue's leader
// runs each clean-up when it starts, so a cluster restarted more often
// than a clean-up's interval still runs it; a restart within the same
// interval does not run it again. The walk of the storage for files
// nothing names, one of them, lists an old orphan as dropped. Both stores.
func TestCleanupsRunOncePerIntervalWhateverTheRestarts(t *testing.T) {
	teststores.Each(t, func(t *testing.T, s pressroom.Store) {
		ctx := context.Background()
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		blobs := artwork.Folder{Dir: t.TempDir()}
		orphan := artwork.NewKey(7, 7)
		if _, err := blobs.Put(ctx, orphan, strings.NewReader("%PDF-1.7")); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-2 * artwork.OrphanAge)
		if err := os.Chtimes(filepath.Join(blobs.Dir, orphan), old, old); err != nil {
			t.Fatal(err)
		}
		svc := &orders.Service{Store: s, Clock: pressroom.SystemClock{}, Logger: logger}
		art := &artwork.Service{Store: s, Orders: svc, Blobs: blobs, Logger: logger}
		deliverer := webhook.NewDeliverer(s, pressroom.SystemClock{}, logger, outbound.NewPoster(true, 10*time.Second), webhook.Config{})

		var mu sync.Mutex
		runs := map[string]int{}      // by clean-up
		cleaned := map[string]int64{} // what Cleaned heard
		ran := make(chan string, 10)
		count := func(name string, run func(ctx context.Context) (int64, error)) jobs.Cleanup {
			return jobs.Cleanup{Name: name, What: name, Every: time.Hour, Run: func(ctx context.Context) (int64, error) {
				n, err := run(ctx)
				mu.Lock()
				runs[name]++
				mu.Unlock()
				ran <- name
				return n, err
			}}
		}
		orphans := count("orphans", func(ctx context.Context) (int64, error) {
			return art.SweepOrphans(ctx, time.Now().Add(-artwork.OrphanAge))
		})
		failing := count("failing", func(context.Context) (int64, error) { return 0, errors.New("store away") })
		late := count("late", func(context.Context) (int64, error) { return 0, nil })
		start := func(cs ...jobs.Cleanup) jobs.Runner {
			q, err := jobs.New(s, svc, deliverer, art, jobs.Config{Workers: 10, Poll: 50 * time.Millisecond, Logger: logger,
				Cleanups: cs, Cleaned: func(name string, n int64) { mu.Lock(); cleaned[name] += n; mu.Unlock() }})
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			return q
		}
		await := func(want ...string) {
			t.Helper()
			for len(want) > 0 {
				select {
				case name := <-ran:
					want = slices.DeleteFunc(want, func(w string) bool { return w == name })
				case <-time.After(30 * time.Second):
					t.Fatalf("no run of %v within 30 s of the start", want)
				}
			}
		}

		hour := time.Now().UTC().Truncate(time.Hour)
		q := start(orphans, failing)
		await("orphans", "failing")
		if err := q.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		free, _, err := s.DroppedBlobs(ctx, time.Now().Add(time.Minute), 10)
		if err != nil || len(free) != 1 || free[0] != orphan {
			t.Errorf("dropped %v, %v; want the orphan", free, err)
		}

		// A restart: the leader queues its clean-ups again, in one batch;
		// once the new one has run, the workers have fetched the others
		// if they were queued.
		q = start(orphans, failing, late)
		await("late")
		if err := q.Stop(ctx); err != nil { // lets the jobs it fetched finish
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if again := time.Now().UTC().Truncate(time.Hour); again != hour {
			t.Logf("the hour turned during the test (%v, %v): not checking that the restart ran nothing again", hour, again)
		} else if runs["orphans"] != 1 || runs["failing"] != 2 || runs["late"] != 1 {
			// The failed run is not kept, so the next start runs it.
			t.Errorf("runs %v; want orphans once, the failing clean-up twice, the new one once", runs)
		}
		if cleaned["orphans"] != 1 || cleaned["failing"] != 0 || cleaned["late"] != 0 {
			t.Errorf("counted %v; want the orphan", cleaned)
		}
	})
}
