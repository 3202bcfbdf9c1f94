package artwork

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/pressroom/pressroom/order"
)

// DropGrace is how long a stored file stays after its row let go of it:
// a check or download that read the row before finishes reading the file.
const DropGrace = time.Hour

// UnproducedKeep is how long the stored files of an order that will never
// be produced (cancelled, or a test order) stay after its last change.
const UnproducedKeep = 7 * 24 * time.Hour

// Deleted says a file's stored bytes were let go of after it was stored
// (its order cancelled, a test order, or delivered long enough ago), as
// against never stored.
func Deleted(a *order.Artwork) bool { return a.BlobKey == "" && a.SHA256 != "" }

// DeletedWhy says why the stored files of o were deleted.
func DeletedWhy(o *order.Order) string {
	switch {
	case o.Status == order.Cancelled || o.Type == order.TypeTest:
		return fmt.Sprintf("the files of a cancelled or test order go %d days after its last change", int(UnproducedKeep.Hours()/24))
	case o.Status == order.ShipmentDelivered:
		return "the files of a delivered order are kept for a limited time after delivery"
	}
	return "the stored copy was deleted before this order was made" // a reprint of an order whose files had gone
}

// DeleteDropped deletes from storage up to limit files that no print file
// or upload session has referred to since before, and takes them off the
// store's list with those a row refers to again. It reports how many it
// took off; at a storage error it stops, and what is left waits for the
// next run.
func (s *Service) DeleteDropped(ctx context.Context, before time.Time, limit int) (int64, error) {
	free, kept, err := s.Store.DroppedBlobs(ctx, before, limit)
	if err != nil {
		return 0, err
	}
	done := kept
	var derr error
	for _, key := range free {
		if derr = s.Blobs.Delete(ctx, key); derr != nil {
			break
		}
		done = append(done, key)
	}
	if err := s.Store.ForgetBlobs(ctx, done); err != nil {
		return 0, err
	}
	return int64(len(done)), derr
}

// Discard lets go of a file taken for a row that was never written (its
// attach or its session's write failed): the purge deletes it, after the
// grace period, unless a row names it after all (an attach that failed
// half way).
func (s *Service) Discard(ctx context.Context, key string) {
	if err := s.Store.DropBlobs(context.WithoutCancel(ctx), []string{key}); err != nil && s.Logger != nil {
		s.Logger.Warn("a file taken for nothing stays in storage", "key", key, "err", err)
	}
}

// OrphanAge is how old a stored file nothing names must be before the
// sweep lists it: far past any upload or download still writing its row.
const OrphanAge = 24 * time.Hour

// ourKey matches the keys pressroom stores files under: NewKey's for an
// order's files, Probo's uploader's for a session's.
var ourKey = regexp.MustCompile(`^(orders/\d+/\d+/[0-9a-f]{24}|uploads/\d+/[0-9a-f]{16})$`)

// SweepOrphans walks storage for files stored before the time that no row
// names and the dropped list lacks (left by a crash between storing a file
// and writing its row), and lists them as dropped for DeleteDropped. It
// reports how many it listed.
func (s *Service) SweepOrphans(ctx context.Context, before time.Time) (int64, error) {
	var listed int64
	var batch []string
	flush := func() error {
		unnamed, err := s.Store.UnnamedBlobs(ctx, batch)
		if err == nil {
			err = s.Store.DropBlobs(ctx, unnamed)
		}
		if err == nil {
			listed += int64(len(unnamed))
		}
		batch = batch[:0]
		return err
	}
	err := s.Blobs.Walk(ctx, func(key string, stored time.Time) error {
		// Only keys pressroom makes: a bucket shared with other data keeps it.
		if !stored.Before(before) || !ourKey.MatchString(key) {
			return nil
		}
		if batch = append(batch, key); len(batch) == 1000 {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return listed, err
}
