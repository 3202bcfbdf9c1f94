package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/batch"
	"github.com/pressroom/pressroom/order"
)

// Get returns a reseller's order (resellerID 0: any, for operators).
func (s *Service) Get(ctx context.Context, resellerID, number int64) (*order.Order, error) {
	return s.Store.FindOrder(ctx, resellerID, number)
}

// History is an order's events, oldest first, as its reader may see them:
// a reseller's (resellerID set, its own orders only) leaves out the staff
// notes and who of the staff made each change; staff (0) see everything.
func (s *Service) History(ctx context.Context, resellerID, number int64) ([]*order.Event, error) {
	if _, err := s.Store.FindOrder(ctx, resellerID, number); err != nil {
		return nil, err
	}
	evs, err := s.Store.ListOrderEvents(ctx, number)
	if err != nil || resellerID == 0 {
		return evs, err
	}
	out := evs[:0]
	for _, e := range evs {
		if !e.StaffOnly() {
			e.By = ""
			out = append(out, e)
		}
	}
	return out, nil
}

// change reads an order, applies fn and stores it with its events, all at
// the version read, never half-done. A write that lost the race to another
// (a file job marking an item checked, a second status report) reads the
// order again and applies fn to what it finds: fn sees the order as it is,
// so it refuses what no longer applies ("cannot be cancelled, because its
// status is: shipped") and a change the caller could not have seen does
// not fail the request.
func (s *Service) change(ctx context.Context, resellerID, number int64, fn func(o *order.Order) ([]*order.Event, []*order.Package, error)) (*order.Order, error) {
	return s.changeItems(ctx, resellerID, number, false, fn)
}

// changeItems is change for an fn that may change the items too.
func (s *Service) changeItems(ctx context.Context, resellerID, number int64, items bool, fn func(o *order.Order) ([]*order.Event, []*order.Package, error)) (*order.Order, error) {
	return s.again(ctx, resellerID, number, func() (*order.Order, bool, error) { return s.changeOnce(ctx, resellerID, number, items, fn) })
}

// again runs attempt, which reads an order afresh and writes it at the
// version read, until it does not lose the race to another write of the
// order (lost), at most changeAttempts times. The changes of one order on
// this node take turns, so only another node's write can make an attempt
// lose; then a short random wait lets the two part.
func (s *Service) again(ctx context.Context, resellerID, number int64, attempt func() (o *order.Order, lost bool, err error)) (*order.Order, error) {
	return s.retry(ctx, resellerID, number, 0, attempt)
}

// retry is again, going on past changeAttempts lost attempts until
// patience has passed since the first: a file job's change may meet
// another node working the same order's other files for a while, write
// after write.
func (s *Service) retry(ctx context.Context, resellerID, number int64, patience time.Duration, attempt func() (o *order.Order, lost bool, err error)) (*order.Order, error) {
	done, err := s.turns.take(ctx, number)
	if err != nil {
		return nil, err
	}
	defer done()
	start := time.Now()
	for n := 1; ; n++ {
		o, lost, err := attempt()
		if !lost {
			return o, err
		}
		if (n >= changeAttempts && time.Since(start) >= patience) || !pause(ctx, n) {
			return nil, s.changedMeanwhile(ctx, resellerID, number, err)
		}
	}
}

// changeAttempts bounds how often a change reads an order again; a file's
// state change goes on past them until filePatience after its first attempt.
const (
	changeAttempts = 8
	filePatience   = time.Minute
)

// pause waits a random time of up to 2^n ms (at most 64 ms) before the
// attempt after the n-th, false if ctx ends first.
func pause(ctx context.Context, n int) bool {
	t := time.NewTimer(rand.N(time.Duration(1<<min(n, 6)) * time.Millisecond))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// changeOnce is one attempt of change; lost says another write of the
// order came between its read and its write.
func (s *Service) changeOnce(ctx context.Context, resellerID, number int64, items bool, fn func(o *order.Order) ([]*order.Event, []*order.Package, error)) (*order.Order, bool, error) {
	o, err := s.Store.FindOrder(ctx, resellerID, number)
	if err != nil {
		return nil, false, err
	}
	evs, pkgs, err := fn(o)
	if err != nil {
		return nil, false, err
	}
	if len(evs) == 0 && len(pkgs) == 0 {
		return o, false, nil // nothing changed
	}
	if err := s.withCallbacks(ctx, o, evs, pkgs); err != nil {
		return nil, false, err
	}
	if err := s.Store.UpdateOrder(ctx, o, items, evs, pkgs); err != nil {
		return lostRace(err)
	}
	return o, false, nil
}

// move checks a status change and records it.
func move(o *order.Order, to order.Status, actor order.Actor, reason string) (*order.Event, error) {
	if !order.CanMove(o.Status, to) {
		return nil, pressroom.Errorf(pressroom.ECONFLICT, "Order %d is %s and cannot become %s: %s.", o.Number, o.Status, to, order.ErrTransition(o.Status, to))
	}
	ev := &order.Event{Actor: actor, Kind: "status", From: string(o.Status), To: string(to), Reason: reason}
	o.Status = to
	return ev, nil
}

// Cancel cancels an order that is still accepted (or held); anything later
// is ECONFLICT naming the current status.
func (s *Service) Cancel(ctx context.Context, resellerID, number int64, actor order.Actor, reason string) (*order.Order, error) {
	return s.change(ctx, resellerID, number, func(o *order.Order) ([]*order.Event, []*order.Package, error) {
		if o.Stage == order.StageDraft && actor == order.ActorReseller {
			return nil, nil, pressroom.Errorf(pressroom.ECONFLICT, "Order %d is a draft; delete it instead.", number)
		}
		if o.Status != order.Accepted && o.Status != order.Hold {
			return nil, nil, pressroom.Errorf(pressroom.ECONFLICT, "Order %d cannot be cancelled, because its status is: %s.", number, o.Status)
		}
		ev, err := move(o, order.Cancelled, actor, reason)
		return []*order.Event{ev}, nil, err
	})
}

// Release frees a cancelled order's own id for reuse.
func (s *Service) Release(ctx context.Context, resellerID, number int64) (*order.Order, error) {
	return s.change(ctx, resellerID, number, func(o *order.Order) ([]*order.Event, []*order.Package, error) {
		if o.Status != order.Cancelled {
			return nil, nil, pressroom.Errorf(pressroom.ECONFLICT, "Order %d is %s; only a cancelled order's id can be released.", number, o.Status)
		}
		if o.Released {
			return nil, nil, nil
		}
		o.Released = true
		return []*order.Event{{Actor: order.ActorReseller, Kind: "released", Reason: fmt.Sprintf("id %q may be used again", o.OwnID)}}, nil, nil
	})
}

// StatusChange is what staff (or the sandbox) report about an order.
type StatusChange struct {
	Status       order.Status
	Carrier      string
	TrackingCode string
	TrackingURL  string
	Reason       string
}

// Advance moves an order to a new status as staff report it. A shipment
// status with a tracking code the order does not have yet adds a package;
// the same status again with nothing new changes nothing.
func (s *Service) Advance(ctx context.Context, number int64, ch StatusChange, who order.Who) (*order.Order, error) {
	if !ch.Status.Valid() {
		return nil, pressroom.Invalid(fmt.Sprintf("%q is not a status.", ch.Status),
			pressroom.FieldError{Pointer: "/status", Code: "invalid_status", Detail: "one of the canonical statuses: " + statusList()})
	}
	if len(ch.TrackingCode) > 100 || len(ch.Carrier) > 100 || len(ch.TrackingURL) > MaxURL || len(ch.Reason) > 1000 {
		return nil, pressroom.Invalid("A field is too long.", pressroom.FieldError{Pointer: "/track_and_trace", Code: "too_long", Detail: "tracking code and carrier at most 100 characters, tracking URL 2000, reason 1000"})
	}
	if ch.TrackingURL != "" {
		c := &checker{}
		c.url("/tracking_url", ch.TrackingURL)
		if len(c.fields) > 0 {
			return nil, pressroom.Invalid("The tracking URL is not valid.", c.fields...)
		}
	}
	return s.change(ctx, 0, number, func(o *order.Order) ([]*order.Event, []*order.Package, error) {
		var evs []*order.Event
		var pkgs []*order.Package
		if ch.TrackingCode != "" {
			known, err := s.Store.ListOrderPackages(ctx, number)
			if err != nil {
				return nil, nil, err
			}
			fresh := true
			for _, p := range known {
				fresh = fresh && p.TrackingCode != ch.TrackingCode
			}
			if fresh {
				if !ch.Status.IsShipment() && ch.Status != order.Logistics {
					return nil, nil, pressroom.Invalid("A tracking code comes with a shipment status.",
						pressroom.FieldError{Pointer: "/track_and_trace", Code: "not_a_shipment", Detail: "give a tracking code with shipment_created or a later shipment status"})
				}
				p := &order.Package{Carrier: ch.Carrier, TrackingCode: ch.TrackingCode, TrackingURL: ch.TrackingURL}
				pkgs = append(pkgs, p)
				data, _ := json.Marshal(map[string]string{"carrier": p.Carrier, "tracking_code": p.TrackingCode, "tracking_url": p.TrackingURL})
				evs = append(evs, &order.Event{Actor: who.Actor, By: who.Name, Kind: "package", Reason: "package " + ch.TrackingCode, Data: data})
			}
		}
		if ch.Status == o.Status {
			if len(pkgs) > 0 && o.Status.IsShipment() {
				return evs, pkgs, nil
			}
			return nil, nil, nil // a repeated report changes nothing
		}
		if o.Stage == order.StageDraft {
			return nil, nil, pressroom.Errorf(pressroom.ECONFLICT, "Order %d is a draft; it is checked out by its reseller.", number)
		}
		ev, err := move(o, ch.Status, who.Actor, ch.Reason)
		if err != nil {
			return nil, nil, err
		}
		ev.By = who.Name
		return append([]*order.Event{ev}, evs...), pkgs, nil
	})
}

// SetPayment records the payment state.
func (s *Service) SetPayment(ctx context.Context, number int64, p order.Payment, who order.Who) (*order.Order, error) {
	if !p.Valid() {
		return nil, pressroom.Invalid(fmt.Sprintf("%q is not a payment state.", p),
			pressroom.FieldError{Pointer: "/payment", Code: "invalid_payment", Detail: `"pending", "paid" or "on_account"`})
	}
	return s.change(ctx, 0, number, func(o *order.Order) ([]*order.Event, []*order.Package, error) {
		if o.Payment == p {
			return nil, nil, nil
		}
		ev := &order.Event{Actor: who.Actor, By: who.Name, Kind: "payment", From: string(o.Payment), To: string(p)}
		o.Payment = p
		return []*order.Event{ev}, nil, nil
	})
}

// ErasePersonalData removes the personal data of a delivered or
// cancelled order (order.ErasePersonalData), when its reseller, the
// controller of that data, asks for it: for an order still to be made or
// shipped it is ECONFLICT. The event names who; no callback is sent. An
// order with nothing left to erase is answered as it is.
func (s *Service) ErasePersonalData(ctx context.Context, number int64, who order.Who) (*order.Order, error) {
	return s.change(ctx, 0, number, func(o *order.Order) ([]*order.Event, []*order.Package, error) {
		if o.Status != order.ShipmentDelivered && o.Status != order.Cancelled {
			return nil, nil, pressroom.Errorf(pressroom.ECONFLICT, "Order %d is %s: its addresses are needed until it is delivered or cancelled.", number, o.Status)
		}
		if !o.ErasePersonalData() {
			return nil, nil, nil
		}
		return []*order.Event{{Actor: who.Actor, By: who.Name, Kind: order.EventErased,
			Reason: "personal data erased: the addresses (but their country) and the e-mail addresses"}}, nil, nil
	})
}

// MaxStaffNote is the longest staff note, in characters.
const MaxStaffNote = 2000

// AddNote writes a staff note into an order's history ("customer called:
// ship on Friday"): seen by staff only, and no callback.
func (s *Service) AddNote(ctx context.Context, number int64, note string, who order.Who) (*order.Event, error) {
	note = strings.TrimSpace(note)
	switch n := utf8.RuneCountInString(note); {
	case n == 0:
		return nil, pressroom.Invalid("The note is empty.", pressroom.FieldError{Pointer: "/note", Code: "required", Detail: "what staff should know"})
	case n > MaxStaffNote:
		return nil, pressroom.Invalid("The note is too long.", pressroom.FieldError{Pointer: "/note", Code: "too_long", Detail: fmt.Sprintf("at most %d characters", MaxStaffNote)})
	}
	// The order itself does not change: its reseller sees no new
	// updated_at, and a delivered order's files are kept no longer.
	ev := &order.Event{OrderNumber: number, Actor: who.Actor, By: who.Name, Kind: order.EventNote, Reason: note}
	if err := s.Store.AddOrderEvent(ctx, ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// SetCustomFields replaces an order's custom fields.
func (s *Service) SetCustomFields(ctx context.Context, resellerID, number int64, fields map[string]string) (*order.Order, error) {
	c := &checker{}
	c.keyValues("/custom_fields", "custom fields", fields)
	if len(c.fields) > 0 {
		return nil, pressroom.Invalid("The custom fields are not valid.", c.fields...)
	}
	return s.change(ctx, resellerID, number, func(o *order.Order) ([]*order.Event, []*order.Package, error) {
		o.CustomFields = fields
		return []*order.Event{{Actor: order.ActorReseller, Kind: "custom_fields"}}, nil, nil
	})
}

func statusList() string {
	names := make([]string, len(order.Statuses))
	for i, s := range order.Statuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// Sweep forgets idempotency keys older than a day and access tokens that
// expired; every node may run it.
func (s *Service) Sweep(ctx context.Context) {
	// Every key older than its lifetime goes, a batch at a time: a reseller
	// sending more keyed requests a minute than one batch holds would
	// otherwise outgrow the sweep.
	before := s.Clock.Now().Add(-IdempotencyLifetime)
	if _, err := batch.DeleteAll(func(limit int) (int64, error) {
		return s.Store.DeleteIdempotencyBefore(ctx, before, limit)
	}); err != nil && ctx.Err() == nil {
		s.Logger.Warn("forgetting idempotency keys", "err", err)
	}
	if _, err := s.Store.DeleteExpiredKeys(ctx, s.Clock.Now()); err != nil && ctx.Err() == nil {
		s.Logger.Warn("deleting expired access tokens", "err", err)
	}
}

// sandboxPath is the lifecycle a sandbox test order walks.
var sandboxPath = []order.Status{order.Accepted, order.InProduction, order.Logistics, order.ShipmentCreated,
	order.ShipmentInTransit, order.ShipmentDelivered}

// IdempotencyLifetime is how long a retried request gets its first answer.
const IdempotencyLifetime = 24 * time.Hour

// SetFileState records what happened to an item's files (downloading,
// checking, passed, failed) with an event, and the jobs that follow.
func (s *Service) SetFileState(ctx context.Context, number, itemID int64, state order.FileState, reason string, jobs ...pressroom.Job) (*order.Order, error) {
	return s.SetFileStateBy(ctx, number, itemID, state, reason, order.Who{Actor: order.ActorSystem}, jobs...)
}

// SetFileStateBy is SetFileState for a change that who made (staff who
// sent an item's file), which its event names.
func (s *Service) SetFileStateBy(ctx context.Context, number, itemID int64, state order.FileState, reason string, who order.Who, jobs ...pressroom.Job) (*order.Order, error) {
	// The files of one order are fetched and checked at the same time:
	// their state changes take turns (see again), and keep trying against
	// another node's (see retry).
	return s.retry(ctx, 0, number, filePatience, func() (*order.Order, bool, error) {
		return s.setFileState(ctx, number, itemID, state, reason, who, jobs...)
	})
}

func (s *Service) setFileState(ctx context.Context, number, itemID int64, state order.FileState, reason string, who order.Who, jobs ...pressroom.Job) (*order.Order, bool, error) {
	o, err := s.Store.FindOrder(ctx, 0, number)
	if err != nil {
		return nil, false, err
	}
	idx := itemIndex(o, itemID)
	if idx < 0 {
		return nil, false, pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %d.", number, itemID)
	}
	it := o.Items[idx]
	if it.FileState == state && len(jobs) == 0 {
		return o, false, nil
	}
	ev := &order.Event{Actor: who.Actor, By: who.Name, Kind: "file", From: string(it.FileState), To: string(state),
		Reason: fmt.Sprintf("item %d: %s", itemID, reason)}
	it.FileState = state
	evs := []*order.Event{ev}
	told := evs
	if state == order.FileFailed && o.RejectOnFileFailure && (o.Status == order.Accepted || o.Status == order.Hold) {
		// Not accepted: cancelled, its id free for the order sent again.
		o.Rejection = fmt.Sprintf("the print file of product %d (%s) failed: %s", idx+1, it.Product, reason)
		cancel := &order.Event{Actor: order.ActorSystem, Kind: "status", From: string(o.Status), To: string(order.Cancelled),
			Reason: "not accepted: " + o.Rejection}
		o.Status, o.Released = order.Cancelled, true
		evs = append(evs, cancel)
		told = []*order.Event{cancel} // one callback says it all
	}
	if err := s.withCallbacks(ctx, o, told, nil); err != nil {
		return nil, false, err
	}
	// Only this item's row is written: an order of 100 items does not
	// rewrite them all for each of its files.
	if err := s.Store.UpdateOrderItem(ctx, o, it, evs, jobs...); err != nil {
		return lostRace(err)
	}
	return o, false, nil
}
