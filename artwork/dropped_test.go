package artwork_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/store/storetest"
	"github.com/pressroom/pressroom/store/teststores"
)

// failingDeletes is a folder whose deletes fail while broken is set.
type failingDeletes struct {
	artwork.Folder
	broken bool
}

func (f *failingDeletes) Delete(ctx context.Context, key string) error {
	if f.broken {
		return errors.New("storage unreachable")
	}
	return f.Folder.Delete(ctx, key)
}

// TestDeleteDroppedFiles: a replaced print file's stored file is deleted
// from the folder once the grace period has passed, not before; a file a
// row still refers to stays; a storage error stops the run and the file
// waits for the next one.
func TestDeleteDroppedFiles(t *testing.T) {
	teststores.Each(t, func(t *testing.T, s pressroom.Store) {
		ctx := context.Background()
		blobs := &failingDeletes{Folder: artwork.Folder{Dir: t.TempDir()}}
		svc := &artwork.Service{Store: s, Blobs: blobs}
		put := func(key string) {
			if _, err := blobs.Put(ctx, key, strings.NewReader("%PDF-1.7 "+key)); err != nil {
				t.Fatal(err)
			}
		}
		exists := func(key string) bool {
			_, err := os.Stat(filepath.Join(blobs.Dir, key))
			return err == nil
		}
		r := storetest.MustCreateReseller(t, s, "A")
		o := storetest.NewOrder(r.ID, "dropped")
		if err := s.CreateOrder(ctx, o, &order.Event{Actor: order.ActorReseller, Kind: "created", To: string(order.Accepted)}, nil); err != nil {
			t.Fatal(err)
		}
		item := o.Items[0].ID
		attach := func(key string) {
			put(key)
			if err := s.ReplaceArtwork(ctx, o.Number, item, &order.Artwork{OrderNumber: o.Number, ItemID: item, Source: "upload", BlobKey: key, State: order.FileChecking}); err != nil {
				t.Fatal(err)
			}
		}
		attach("orders/1/first")
		attach("orders/1/second") // drops the first
		// Within the grace period nothing goes.
		if n, err := svc.DeleteDropped(ctx, time.Now().Add(-artwork.DropGrace), 100); err != nil || n != 0 || !exists("orders/1/first") {
			t.Fatalf("within the grace period: %d, %v", n, err)
		}
		// Past it, the storage fails: the file stays listed.
		blobs.broken = true
		later := time.Now().Add(time.Minute)
		if n, err := svc.DeleteDropped(ctx, later, 100); err == nil || n != 0 || !exists("orders/1/first") {
			t.Fatalf("storage failing: %d, %v", n, err)
		}
		blobs.broken = false
		if n, err := svc.DeleteDropped(ctx, later, 100); err != nil || n != 1 || exists("orders/1/first") || !exists("orders/1/second") {
			t.Fatalf("past the grace period: %d, %v; first there %v, second there %v", n, err, exists("orders/1/first"), exists("orders/1/second"))
		}
		if n, err := svc.DeleteDropped(ctx, later, 100); err != nil || n != 0 {
			t.Errorf("once more: %d, %v", n, err)
		}
		// An upload session's file, replaced in the session while the
		// order's file still names it, stays.
		put("uploads/1/a")
		ss := []*pressroom.UploadSession{{ResellerID: r.ID, CalculationID: 1, Position: 1, TokenHash: "h"}}
		if err := s.CreateUploadSessions(ctx, ss); err != nil {
			t.Fatal(err)
		}
		ss[0].State, ss[0].BlobKey = pressroom.UploadUploaded, "uploads/1/a"
		if err := s.SaveUploadSession(ctx, ss[0]); err != nil {
			t.Fatal(err)
		}
		attach("uploads/1/a") // drops orders/1/second
		ss[0].BlobKey = "uploads/1/b"
		put("uploads/1/b")
		if err := s.SaveUploadSession(ctx, ss[0]); err != nil {
			t.Fatal(err)
		}
		later = time.Now().Add(time.Minute)
		if n, err := svc.DeleteDropped(ctx, later, 100); err != nil || n != 2 || !exists("uploads/1/a") || !exists("uploads/1/b") || exists("orders/1/second") {
			t.Errorf("a file still named: %d, %v", n, err)
		}
		// Files nothing knows of (a crash between storing and the row):
		// the sweep lists the old one, not the young one (its row may be
		// on its way), nor the named ones, nor a file that is not
		// pressroom's (a shared bucket); then it is deleted.
		orphan, young, foreign := artwork.NewKey(9, 9), artwork.NewKey(9, 9), "reports/2026/q4.pdf"
		put(orphan)
		put(young)
		put(foreign)
		old := time.Now().Add(-2 * artwork.OrphanAge)
		for _, key := range []string{orphan, foreign} {
			if err := os.Chtimes(filepath.Join(blobs.Dir, key), old, old); err != nil {
				t.Fatal(err)
			}
		}
		for _, key := range []string{"uploads/1/a", "uploads/1/b"} {
			if err := os.Chtimes(filepath.Join(blobs.Dir, key), old, old); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := svc.SweepOrphans(ctx, time.Now().Add(-artwork.OrphanAge)); err != nil || n != 1 {
			t.Fatalf("the sweep listed %d, %v; want the one orphan", n, err)
		}
		if n, err := svc.SweepOrphans(ctx, time.Now().Add(-artwork.OrphanAge)); err != nil || n != 0 {
			t.Errorf("a second sweep listed %d, %v", n, err)
		}
		if n, err := svc.DeleteDropped(ctx, time.Now().Add(time.Minute), 100); err != nil || n != 1 || exists(orphan) ||
			!exists(young) || !exists(foreign) || !exists("uploads/1/a") || !exists("uploads/1/b") {
			t.Errorf("after the sweep: %d, %v", n, err)
		}
	})
}
