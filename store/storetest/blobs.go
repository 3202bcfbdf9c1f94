package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
)

// testDroppedBlobs: every way a print file or an upload session lets go
// of its stored file lists the file as dropped, whatever the path (the
// store's triggers); a file a row refers to again is kept; old upload
// sessions no order cites are deleted, the cited ones stay.
func testDroppedBlobs(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	dropped := func() (free, kept []string) {
		t.Helper()
		free, kept, err := s.DroppedBlobs(ctx, time.Now().Add(time.Minute), 100)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(free)
		slices.Sort(kept)
		return free, kept
	}
	if free, kept := dropped(); len(free)+len(kept) != 0 {
		t.Fatalf("a new store drops %v %v", free, kept)
	}
	o := NewOrder(a.ID, "blobs")
	if err := s.CreateOrder(ctx, o, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	item := o.Items[0].ID
	file := func(idx int, key string) *order.Artwork {
		return &order.Artwork{OrderNumber: o.Number, ItemID: item, Index: idx, Source: "url", URL: "https://f.example/a.pdf", BlobKey: key, State: order.FileChecking}
	}
	// Two URL files; a fetch again at index 1 names another blob.
	for _, f := range []*order.Artwork{file(0, "b/url0"), file(1, "b/url1"), file(1, "b/url1-again")} {
		if err := s.SaveArtwork(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	// A row still without a file, and the same file saved again, drop nothing.
	for _, f := range []*order.Artwork{file(2, ""), file(0, "b/url0")} {
		if err := s.SaveArtwork(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if free, kept := dropped(); !slices.Equal(free, []string{"b/url1"}) || len(kept) != 0 {
		t.Errorf("after a fetch again: free %v, kept %v", free, kept)
	}
	// An upload replaces the item's files.
	if err := s.ReplaceArtwork(ctx, o.Number, item, &order.Artwork{OrderNumber: o.Number, ItemID: item, Source: "upload", BlobKey: "b/up", State: order.FileChecking}); err != nil {
		t.Fatal(err)
	}
	if free, _ := dropped(); !slices.Equal(free, []string{"b/url0", "b/url1", "b/url1-again"}) {
		t.Errorf("after the upload: free %v", free)
	}
	// Nothing dropped since the time asked for is listed.
	if free, kept, err := s.DroppedBlobs(ctx, time.Now().Add(-time.Hour), 100); err != nil || len(free)+len(kept) != 0 {
		t.Errorf("dropped an hour ago: %v %v, %v", free, kept, err)
	}
	if err := s.ForgetBlobs(ctx, []string{"b/url0", "b/url1", "b/url1-again"}); err != nil {
		t.Fatal(err)
	}

	// An upload session's file: replaced by a second upload while an
	// order's file still names the first (it is kept), then the session
	// is cited by the order and survives the purge of old sessions.
	ss := []*pressroom.UploadSession{{ResellerID: a.ID, CalculationID: 1, Position: 1, TokenHash: "h1"}, {ResellerID: a.ID, CalculationID: 1, Position: 2, TokenHash: "h2"}}
	if err := s.CreateUploadSessions(ctx, ss); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	ss[0].State, ss[0].BlobKey, ss[0].UploadedAt = pressroom.UploadUploaded, "b/s1", &now
	ss[1].State, ss[1].BlobKey, ss[1].UploadedAt = pressroom.UploadUploaded, "b/s2", &now
	for _, x := range ss {
		if err := s.SaveUploadSession(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ReplaceArtwork(ctx, o.Number, item, &order.Artwork{OrderNumber: o.Number, ItemID: item, Source: "upload", BlobKey: "b/s1", State: order.FileChecking}); err != nil {
		t.Fatal(err)
	}
	ss[0].BlobKey, ss[0].OrderNumber, ss[0].ItemID = "b/s1-again", o.Number, item
	if err := s.SaveUploadSession(ctx, ss[0]); err != nil {
		t.Fatal(err)
	}
	if free, kept := dropped(); !slices.Equal(free, []string{"b/up"}) || !slices.Equal(kept, []string{"b/s1"}) {
		t.Errorf("after the session's second upload: free %v, kept %v", free, kept)
	}
	if err := s.ForgetBlobs(ctx, []string{"b/up", "b/s1"}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteOldUploadSessions(ctx, time.Now().Add(-time.Hour), 100); err != nil || n != 0 {
		t.Errorf("sessions older than an hour: %d, %v", n, err)
	}
	if n, err := s.DeleteOldUploadSessions(ctx, time.Now().Add(time.Minute), 100); err != nil || n != 1 {
		t.Errorf("old sessions no order cites: %d, %v", n, err)
	}
	if _, err := s.FindUploadSession(ctx, a.ID, ss[1].ID); pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
		t.Errorf("the uncited session: %v", err)
	}
	if got, err := s.FindUploadSession(ctx, a.ID, ss[0].ID); err != nil || got.BlobKey != "b/s1-again" {
		t.Errorf("the cited session: %+v, %v", got, err)
	}
	if free, kept := dropped(); !slices.Equal(free, []string{"b/s2"}) || len(kept) != 0 {
		t.Errorf("after the purge of sessions: free %v, kept %v", free, kept)
	}

	// An expired draft's files are dropped with it (a little later than
	// the session's: SQLite's clock in the trigger counts milliseconds).
	time.Sleep(2 * time.Millisecond)
	d := NewOrder(a.ID, "draft")
	d.Stage, d.Status = order.StageDraft, order.Draft
	exp := time.Now().Add(-time.Hour).UTC()
	d.ExpiresAt = &exp
	if err := s.CreateOrder(ctx, d, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveArtwork(ctx, &order.Artwork{OrderNumber: d.Number, ItemID: d.Items[0].ID, Source: "upload", BlobKey: "b/draft", State: order.FilePassed}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpiredDrafts(ctx, time.Now(), 10); err != nil || n != 1 {
		t.Fatalf("expired drafts: %d, %v", n, err)
	}
	if free, _ := dropped(); !slices.Equal(free, []string{"b/draft", "b/s2"}) {
		t.Errorf("after the draft expired: free %v", free)
	}
	// The limit holds, oldest first.
	if free, kept, err := s.DroppedBlobs(ctx, time.Now().Add(time.Minute), 1); err != nil || len(free)+len(kept) != 1 || free[0] != "b/s2" {
		t.Errorf("one at a time: %v %v, %v", free, kept, err)
	}
	if err := s.ForgetBlobs(ctx, []string{"b/draft", "b/s2"}); err != nil {
		t.Fatal(err)
	}
	if free, kept := dropped(); len(free)+len(kept) != 0 {
		t.Errorf("after forgetting all: %v %v", free, kept)
	}
	// Files listed by hand (taken for a row never written): free unless a
	// row names them; listing one again is no error.
	if err := s.DropBlobs(ctx, []string{"b/taken", "b/s1-again"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DropBlobs(ctx, []string{"b/taken"}); err != nil {
		t.Fatal(err)
	}
	if free, kept := dropped(); !slices.Equal(free, []string{"b/taken"}) || !slices.Equal(kept, []string{"b/s1-again"}) {
		t.Errorf("listed by hand: free %v, kept %v", free, kept)
	}
	if err := s.ForgetBlobs(ctx, []string{"b/taken", "b/s1-again"}); err != nil {
		t.Fatal(err)
	}

	// Orders never to be produced let go of their files: a cancelled one
	// (with the upload session it cites) and a test order; a live one keeps
	// its file. The rows stay, without a blob key.
	withFile := func(ownID string, edit func(*order.Order)) *order.Order {
		t.Helper()
		x := NewOrder(a.ID, ownID)
		edit(x)
		if err := s.CreateOrder(ctx, x, created(order.ActorReseller), nil); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveArtwork(ctx, &order.Artwork{OrderNumber: x.Number, ItemID: x.Items[0].ID, Source: "upload", BlobKey: "b/" + ownID,
			SHA256: "abc", State: order.FilePassed}); err != nil {
			t.Fatal(err)
		}
		return x
	}
	cancelled := withFile("cancelled", func(x *order.Order) { x.Status = order.Cancelled })
	withFile("test", func(x *order.Order) { x.Type = order.TypeTest })
	live := withFile("live", func(*order.Order) {})
	delivered := withFile("delivered", func(x *order.Order) { x.Status = order.ShipmentDelivered })
	cited := []*pressroom.UploadSession{{ResellerID: a.ID, CalculationID: 1, Position: 1, TokenHash: "h3"}}
	if err := s.CreateUploadSessions(ctx, cited); err != nil {
		t.Fatal(err)
	}
	cited[0].State, cited[0].BlobKey, cited[0].OrderNumber, cited[0].ItemID = pressroom.UploadUploaded, "b/cancelled", cancelled.Number, cancelled.Items[0].ID
	if err := s.SaveUploadSession(ctx, cited[0]); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DropUnproducedFiles(ctx, time.Now().Add(-time.Hour), 100); err != nil || n != 0 {
		t.Errorf("orders changed within the hour: %d, %v", n, err)
	}
	if n, err := s.DropUnproducedFiles(ctx, time.Now().Add(time.Minute), 100); err != nil || n != 3 {
		t.Errorf("cancelled and test orders: %d, %v", n, err)
	}
	if free, kept := dropped(); !slices.Equal(free, []string{"b/cancelled", "b/test"}) || len(kept) != 0 {
		t.Errorf("after dropping the unproduced orders' files: free %v, kept %v", free, kept)
	}
	if files, _ := s.ListArtwork(ctx, cancelled.Number, 0); len(files) != 1 || files[0].BlobKey != "" || files[0].SHA256 != "abc" {
		t.Errorf("the cancelled order's file row: %+v", files)
	}
	if files, _ := s.ListArtwork(ctx, live.Number, 0); len(files) != 1 || files[0].BlobKey != "b/live" {
		t.Errorf("the live order's file: %+v", files)
	}
	if n, err := s.DropUnproducedFiles(ctx, time.Now().Add(time.Minute), 100); err != nil || n != 0 {
		t.Errorf("once more: %d, %v", n, err)
	}
	// Delivered orders keep theirs until the company's time is up.
	if n, err := s.DropDeliveredFiles(ctx, time.Now().Add(-time.Hour), 100); err != nil || n != 0 {
		t.Errorf("delivered within the hour: %d, %v", n, err)
	}
	if n, err := s.DropDeliveredFiles(ctx, time.Now().Add(time.Minute), 100); err != nil || n != 1 {
		t.Errorf("delivered orders: %d, %v", n, err)
	}
	if free, _ := dropped(); !slices.Equal(free, []string{"b/cancelled", "b/delivered", "b/test"}) {
		t.Errorf("after dropping the delivered order's files: free %v", free)
	}
	if files, _ := s.ListArtwork(ctx, delivered.Number, 0); len(files) != 1 || files[0].BlobKey != "" || files[0].SHA256 != "abc" {
		t.Errorf("the delivered order's file row: %+v", files)
	}
	if files, _ := s.ListArtwork(ctx, live.Number, 0); len(files) != 1 || files[0].BlobKey != "b/live" {
		t.Errorf("the live order keeps its file: %+v", files)
	}

	// Of stored keys, those nothing knows of: not a file's, not a
	// session's, not on the dropped list.
	if err := s.DropBlobs(ctx, []string{"b/listed"}); err != nil {
		t.Fatal(err)
	}
	unnamed, err := s.UnnamedBlobs(ctx, []string{"b/live", "b/s1-again", "b/listed", "b/orphan", "b/cancelled"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(unnamed, []string{"b/orphan"}) {
		t.Errorf("unnamed: %v, want [b/orphan] (b/cancelled is on the dropped list)", unnamed)
	}
}
