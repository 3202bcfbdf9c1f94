package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
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

// TestTheQueueWalksTheStorageForOrphans: the walk for files nothing names
// is the job queue's periodic job (one node of a cluster runs it, River's
// leader): with the queue running, an old file no row names is listed as
// dropped and counted, on both stores.
func TestTheQueueWalksTheStorageForOrphans(t *testing.T) {
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
		var listed atomic.Int64
		q, err := jobs.New(s, svc, webhook.NewDeliverer(s, pressroom.SystemClock{}, logger, outbound.NewPoster(true, 10*time.Second), webhook.Config{}), art, jobs.Config{
			Workers: 2, Poll: 50 * time.Millisecond, Logger: logger, OrphanSweep: 300 * time.Millisecond, Orphans: func(n int64) { listed.Add(n) }})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(ctx)
		for deadline := time.Now().Add(30 * time.Second); listed.Load() == 0; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("no walk listed the orphan within 30 s")
			}
		}
		free, _, err := s.DroppedBlobs(ctx, time.Now().Add(time.Minute), 10)
		if err != nil || len(free) != 1 || free[0] != orphan || listed.Load() != 1 {
			t.Errorf("dropped %v, %v; counted %d", free, err, listed.Load())
		}
	})
}
