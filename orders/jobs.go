package orders

import (
	"context"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
)

// TestOrderArgs is the job of a test order: cancel it (it is never
// produced) or, in the sandbox, walk it through its lifecycle.
type TestOrderArgs struct {
	Number int64 `json:"number"`
}

// Kind names the job's worker.
func (TestOrderArgs) Kind() string { return "test_order" }

// SetOrder names the order once it has its number.
func (a *TestOrderArgs) SetOrder(n int64) { a.Number = n }

// ExpireDraftArgs is the job that deletes a draft once it expires.
type ExpireDraftArgs struct {
	Number int64 `json:"number"`
}

// Kind names the job's worker.
func (ExpireDraftArgs) Kind() string { return "expire_draft" }

// SetOrder names the order once it has its number.
func (a *ExpireDraftArgs) SetOrder(n int64) { a.Number = n }

// jobsFor are the jobs a new or checked-out order needs.
func (s *Service) jobsFor(o *order.Order) []pressroom.Job {
	if o.Stage == order.StageDraft {
		if o.ExpiresAt != nil {
			return []pressroom.Job{{Args: &ExpireDraftArgs{Number: o.Number}, RunAt: *o.ExpiresAt}}
		}
		return nil
	}
	var jobs []pressroom.Job
	for i, it := range o.Items {
		if it.FileState == order.FileDownloading {
			jobs = append(jobs, pressroom.Job{Args: &DownloadArgs{Number: o.Number, Position: i + 1}})
		}
	}
	if (o.PackingSlip != nil && o.PackingSlip.URL != "") || (o.ShippingLabel != nil && o.ShippingLabel.URL != "") {
		jobs = append(jobs, pressroom.Job{Args: &DocumentsArgs{Number: o.Number}})
	}
	return append(jobs, testJobs(o)...)
}

// testJobs is a test order's own job (none for others): it is cancelled, or
// walked through its lifecycle in the sandbox. Every way a test order comes
// to be (intake, checkout, a reprint) queues it.
func testJobs(o *order.Order) []pressroom.Job {
	if o.Type != order.TypeTest {
		return nil
	}
	return []pressroom.Job{{Args: &TestOrderArgs{Number: o.Number}}}
}

// RunTestOrder does a test order's next step. It returns how long until
// the job should run again (0: done).
func (s *Service) RunTestOrder(ctx context.Context, number int64) (time.Duration, error) {
	o, err := s.Store.FindOrder(ctx, 0, number)
	if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	if o.Type != order.TypeTest || o.Stage != order.StageOrder || o.Status.Final() {
		return 0, nil
	}
	if !s.Sandbox {
		if _, err := s.Cancel(ctx, 0, number, order.ActorSystem, "test order: never produced"); err != nil && pressroom.ErrorCode(err) != pressroom.ECONFLICT {
			return 0, err
		}
		return 0, nil
	}
	if wait := s.SandboxStep - s.Clock.Now().Sub(o.UpdatedAt); wait > 0 {
		return wait, nil
	}
	for i, st := range sandboxPath[:len(sandboxPath)-1] {
		if st != o.Status {
			continue
		}
		ch := StatusChange{Status: sandboxPath[i+1], Reason: "sandbox"}
		if ch.Status == order.ShipmentCreated {
			ch.Carrier, ch.TrackingCode = "sandbox", "SANDBOX"+itoa(o.Number)
			ch.TrackingURL = "https://tracking.example/" + ch.TrackingCode
		}
		if _, err := s.Advance(ctx, number, ch, order.Who{Actor: order.ActorSystem}); err != nil && pressroom.ErrorCode(err) != pressroom.ECONFLICT {
			return 0, err
		}
		if ch.Status == order.ShipmentDelivered {
			return 0, nil
		}
		return s.SandboxStep, nil
	}
	return 0, nil // staff moved it off the sandbox path
}

// ExpireDraft deletes a draft whose time is up; it returns how long until
// the job should run again when the draft has not expired yet.
func (s *Service) ExpireDraft(ctx context.Context, number int64) (time.Duration, error) {
	o, err := s.Store.FindOrder(ctx, 0, number)
	if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	if o.Stage != order.StageDraft || o.ExpiresAt == nil {
		return 0, nil
	}
	if wait := o.ExpiresAt.Sub(s.Clock.Now()); wait > 0 {
		return wait, nil
	}
	_, err = s.Store.DeleteExpiredDrafts(ctx, s.Clock.Now(), 100)
	return 0, err
}

func itoa(n int64) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = digits[n%10]
		n /= 10
	}
	return string(b[i:])
}

// DownloadArgs is the job that downloads an item's files (by position, as
// the item has no id yet when the job is queued with its order).
type DownloadArgs struct {
	Number   int64 `json:"number"`
	Position int   `json:"position"`
}

// Kind names the job's worker.
func (DownloadArgs) Kind() string { return "download" }

// SetOrder names the order once it has its number.
func (a *DownloadArgs) SetOrder(n int64) { a.Number = n }

// Queue is the files queue.
func (DownloadArgs) Queue() string { return pressroom.QueueFiles }

// DocumentsArgs is the job that downloads an order's packing slip and
// shipping label.
type DocumentsArgs struct {
	Number int64 `json:"number"`
}

// Kind names the job's worker.
func (DocumentsArgs) Kind() string { return "documents" }

// SetOrder names the order once it has its number.
func (a *DocumentsArgs) SetOrder(n int64) { a.Number = n }

// Queue is the files queue.
func (DocumentsArgs) Queue() string { return pressroom.QueueFiles }

// PreflightArgs is the job that checks an item's files.
type PreflightArgs struct {
	Number int64 `json:"number"`
	ItemID int64 `json:"item_id"`
}

// Kind names the job's worker.
func (PreflightArgs) Kind() string { return "preflight" }

// Queue is the files queue.
func (PreflightArgs) Queue() string { return pressroom.QueueFiles }
