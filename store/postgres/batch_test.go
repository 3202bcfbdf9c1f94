package postgres

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/pgtest"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/store/storetest"
)

// A batch of outcomes with one whose callback is gone: the statement for
// all fails, each is then written alone and only that one fails. A batch
// read answers a missing callback with not found and the others with
// theirs.
func TestBatchedDeliveries(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := storetest.MustCreateReseller(t, db, "A")
	var cbs []*order.Callback
	for range 2 {
		cb := &order.Callback{ResellerID: r.ID, URL: "https://shop.example/cb", Type: "test", Format: "native", Payload: json.RawMessage(`{}`),
			OccurredAt: time.Now().UTC(), Status: order.CallbackPending}
		if err := db.CreateCallback(ctx, cb); err != nil {
			t.Fatal(err)
		}
		cbs = append(cbs, cb)
	}
	gone := int64(1 << 40)

	got, errs := db.loadDeliverables(ctx, []int64{cbs[0].ID, gone, cbs[1].ID})
	if errs[0] != nil || got[0].cb.ID != cbs[0].ID || got[0].secrets.ID != r.ID ||
		pressroom.ErrorCode(errs[1]) != pressroom.ENOTFOUND || errs[2] != nil || got[2].cb.ID != cbs[1].ID {
		t.Errorf("batch read: %+v %v", got, errs)
	}

	now := time.Now().UTC()
	var outs []outcome
	for _, id := range []int64{cbs[0].ID, gone, cbs[1].ID} {
		outs = append(outs, outcome{&order.Callback{ID: id, Status: order.CallbackDelivered, Attempts: 1, FirstAttemptAt: &now, FinishedAt: &now},
			&order.CallbackAttempt{At: now, Status: 204}})
	}
	ids, errs := db.recordOutcomes(ctx, outs)
	if errs[0] != nil || ids[0] == 0 || errs[1] == nil || errs[2] != nil || ids[2] == 0 {
		t.Errorf("batch write: ids %v, errors %v", ids, errs)
	}
	for _, cb := range cbs {
		c, atts, err := db.FindCallback(ctx, r.ID, cb.ID)
		if err != nil || c.Status != order.CallbackDelivered || len(atts) != 1 || atts[0].Status != 204 {
			t.Errorf("callback %d: %+v %+v %v", cb.ID, c, atts, err)
		}
	}

	// Closed: calls end instead of waiting for a batch that never runs.
	db.toDeliver.close()
	if _, err := db.toDeliver.do(ctx, cbs[0].ID); err == nil {
		t.Error("a read after close succeeded")
	}
}
