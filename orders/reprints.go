package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/delivery"
	"github.com/pressroom/pressroom/order"
)

// RequestReprint asks for (part of) an order to be made again: within 28
// days of its order date, with a reason; staff then approve or reject it.
// No items means every item, as much of it as no earlier reprint (unless
// rejected) asked for: a piece is made again once.
func (s *Service) RequestReprint(ctx context.Context, r *pressroom.Reseller, number int64, reason, note string, items []order.ReprintItem) (*order.Reprint, error) {
	// Requests at once take turns on this node, so each counts the pieces
	// of the one before; across nodes the store refuses a request checked
	// against reprints another one followed, and it is checked again.
	var rp *order.Reprint
	_, err := s.again(ctx, r.ID, number, func() (*order.Order, bool, error) {
		var after int64
		var err error
		if rp, after, err = s.checkReprint(ctx, r, number, reason, note, items); err != nil {
			return nil, false, err
		}
		if err := s.Store.CreateReprint(ctx, rp, after); err != nil {
			return lostRace(err)
		}
		return nil, false, nil
	})
	if err != nil {
		return nil, err
	}
	return rp, nil
}

// CheckReprint validates a reprint request as RequestReprint does and
// answers the reprint it would store, storing nothing (a test request).
func (s *Service) CheckReprint(ctx context.Context, r *pressroom.Reseller, number int64, reason, note string, items []order.ReprintItem) (*order.Reprint, error) {
	rp, _, err := s.checkReprint(ctx, r, number, reason, note, items)
	return rp, err
}

// checkReprint is CheckReprint, with the newest of the order's earlier
// reprints it counted (0: none).
func (s *Service) checkReprint(ctx context.Context, r *pressroom.Reseller, number int64, reason, note string, items []order.ReprintItem) (*order.Reprint, int64, error) {
	o, err := s.Store.FindOrder(ctx, r.ID, number)
	if err != nil {
		return nil, 0, err
	}
	c := &checker{}
	if !slices.Contains(order.ReprintReasons, reason) {
		c.add("/reason", "invalid_reason", "reason is one of: damaged, incomplete, missing, swappedpartially, swappedcompletely, quality")
	}
	c.maxLen("/note", note, 1000)
	if len(items) > MaxItems {
		c.add("/items", "too_many", "at most %d items", MaxItems)
	}
	// A piece is made again once: what earlier reprints asked for (not
	// rejected) is not asked for again.
	earlier, _, err := s.Store.ListReprints(ctx, pressroom.ReprintFilter{ResellerID: r.ID, OrderNumber: number})
	if err != nil {
		return nil, 0, err
	}
	taken := map[int64]decimal.Decimal{}
	var takers []string
	for _, rp := range earlier {
		if rp.Status == order.ReprintRejected {
			continue
		}
		takers = append(takers, fmt.Sprint(rp.ID))
		for _, it := range rp.Items {
			taken[it.ItemID] = taken[it.ItemID].Add(it.Quantity)
		}
	}
	items = slices.Clone(items)
	for i, ri := range items {
		idx := itemIndex(o, ri.ItemID)
		if idx < 0 {
			c.add(fmt.Sprintf("/items/%d/item_id", i), "unknown_item", "order %d has no item %d", number, ri.ItemID)
			continue
		}
		amount := o.Items[idx].Amount
		left := amount.Sub(taken[ri.ItemID])
		if ri.Left {
			ri.Quantity = left
			items[i] = ri
		}
		switch {
		case !left.IsPositive():
			c.add(fmt.Sprintf("/items/%d/quantity", i), "reprinted", "all %s ordered are in an earlier reprint", amount)
		case !ri.Quantity.IsPositive() || !ri.Quantity.IsInteger() || ri.Quantity.GreaterThan(amount):
			c.add(fmt.Sprintf("/items/%d/quantity", i), "invalid_quantity", "quantity is a whole number from 1 to %s, the amount ordered", amount)
		case ri.Quantity.GreaterThan(left):
			c.add(fmt.Sprintf("/items/%d/quantity", i), "reprinted", "quantity is at most %s: %s of the %s ordered are in an earlier reprint", left, amount.Sub(left), amount)
		default:
			taken[ri.ItemID] = taken[ri.ItemID].Add(ri.Quantity)
		}
	}
	if len(c.fields) > 0 {
		return nil, 0, pressroom.Invalid(fmt.Sprintf("The reprint request has %d problem(s).", len(c.fields)), c.fields...)
	}
	if o.Stage == order.StageDraft || o.Status == order.Cancelled || o.Status == order.Accepted || o.Status == order.Hold {
		return nil, 0, pressroom.Errorf(pressroom.ECONFLICT, "Order %d is %s; a reprint is for an order that was produced.", number, o.Status)
	}
	day, err := delivery.ParseDate(o.OrderDate)
	if err == nil && s.Clock.Now().After(day.Time().Add(ReprintWindow+24*time.Hour)) {
		return nil, 0, pressroom.Errorf(pressroom.ECONFLICT, "Order %d was ordered on %s; reprints are asked within 28 days of the order date.", number, o.OrderDate)
	}
	if len(items) == 0 { // what is left of every item
		for _, it := range o.Items {
			if left := it.Amount.Sub(taken[it.ID]); left.IsPositive() {
				items = append(items, order.ReprintItem{ItemID: it.ID, Quantity: left})
			}
		}
		if len(items) == 0 {
			return nil, 0, pressroom.Errorf(pressroom.ECONFLICT, "Every piece of order %d is in an earlier reprint (%s).", number, strings.Join(takers, ", "))
		}
	}
	var newest int64
	if len(earlier) > 0 {
		newest = earlier[0].ID
	}
	return &order.Reprint{OrderNumber: number, ResellerID: r.ID, Status: order.ReprintRequested, Reason: reason, Note: note, Items: items}, newest, nil
}

// Decision is staff's answer to a requested reprint.
type Decision struct {
	Approve bool
	Note    string // to the reseller, at most 1000 characters
	By      string // the staff member, for the order's history
	// ProductionTime makes an approved reprint at another time than the
	// original's ("24": damaged goods replaced in a rush), one every item
	// of it offers. A rejection takes none.
	ProductionTime string
}

// DecideReprint approves (a new linked order at no charge) or rejects a
// requested reprint. Deciding twice is ECONFLICT.
func (s *Service) DecideReprint(ctx context.Context, id int64, d Decision) (*order.Reprint, error) {
	if len(d.Note) > 1000 {
		return nil, pressroom.Invalid("The note is too long.", pressroom.FieldError{Pointer: "/note", Code: "too_long", Detail: "at most 1000 characters"})
	}
	if d.ProductionTime != "" && !d.Approve {
		return nil, pressroom.Invalid("A rejection makes nothing.", pressroom.FieldError{Pointer: "/production_time", Code: "not_allowed",
			Detail: "a production time goes with an approval"})
	}
	rp, err := s.Store.FindReprint(ctx, 0, id)
	if err != nil {
		return nil, err
	}
	if rp.Status != order.ReprintRequested {
		return nil, pressroom.Errorf(pressroom.ECONFLICT, "Reprint %d is %s already.", id, rp.Status)
	}
	rp.Decision = d.Note
	ev := &order.Event{Actor: order.ActorOperator, By: d.By, Kind: "reprint", Reason: fmt.Sprintf("reprint %d rejected", id)}
	orig, err := s.Store.FindOrder(ctx, 0, rp.OrderNumber)
	if err != nil {
		return nil, err
	}
	var fresh *order.Order
	var created *order.Event
	if d.Approve {
		fresh = reprintOrder(orig, rp, s.Clock.Now())
		if err := s.planReprint(fresh, d.ProductionTime); err != nil {
			return nil, err
		}
		rp.Status = order.ReprintApproved
		ev.Reason = fmt.Sprintf("reprint %d approved", id)
		// The new order is the reseller's like any other: it hears of it
		// as of one it placed, and then of its progress.
		created = &order.Event{Actor: order.ActorOperator, By: d.By, Kind: "created", To: string(fresh.Status),
			Reason: fmt.Sprintf("reprint %d of order %d", rp.ID, rp.OrderNumber)}
		if err := s.withCallbacks(ctx, fresh, []*order.Event{created}, nil); err != nil {
			return nil, err
		}
	} else {
		rp.Status = order.ReprintRejected
	}
	ev.Data, _ = json.Marshal(map[string]any{"reprint": rp.ID, "status": rp.Status})
	// The original's callback says which reprint was decided, how, and
	// the new order (rendered when stored, so it has its number).
	if err := s.withCallbacksShowing(ctx, orig, []*order.Event{ev}, nil, func(snap *Snapshot) {
		snap.Reprint = &SnapshotReprint{ID: rp.ID, Status: rp.Status, NewOrder: rp.NewOrder}
	}); err != nil {
		return nil, err
	}
	var jobs []pressroom.Job
	if fresh != nil { // a test order's reprint is a test order too
		jobs = testJobs(fresh)
	}
	if err := s.Store.DecideReprint(ctx, rp, fresh, created, ev, jobs...); err != nil {
		return nil, err
	}
	return rp, nil
}

// ReprintTimes are the production times an approval of rp may choose:
// those every product it reprints offers in the catalog in use, slowest
// first; and the original order's time, which an approval without one
// keeps.
func (s *Service) ReprintTimes(ctx context.Context, rp *order.Reprint) (times []catalog.ProductionTime, original string, err error) {
	orig, err := s.Store.FindOrder(ctx, 0, rp.OrderNumber)
	if err != nil {
		return nil, "", err
	}
	cat := s.Catalog.Current()
	first := true
	for _, ri := range rp.Items {
		idx := itemIndex(orig, ri.ItemID)
		if idx < 0 {
			continue
		}
		p := cat.Product(orig.Items[idx].Product)
		if p == nil {
			return nil, orig.ProductionTime, nil // gone: the approval says so
		}
		if first {
			times, first = slices.Clone(p.Production), false
			continue
		}
		times = slices.DeleteFunc(times, func(t catalog.ProductionTime) bool { return p.ProductionTime(t.Code) == nil })
	}
	return times, orig.ProductionTime, nil
}

// planReprint gives a reprint's order its shipping and delivery dates:
// made at the original's production time (or the one staff chose) and sent
// by its method, from now, as an order placed today would be. A reprint
// the catalog in use cannot plan (its product, production time or method is gone, or the
// method no longer reaches the address) is ECONFLICT saying why.
func (s *Service) planReprint(o *order.Order, productionTime string) error {
	cat := s.Catalog.Current()
	cannot := func(format string, args ...any) error {
		return pressroom.Errorf(pressroom.ECONFLICT, "The reprint cannot be planned with the catalog in use: %s. Reject it, or place it as a new order.", fmt.Sprintf(format, args...))
	}
	if productionTime != "" {
		o.ProductionTime = productionTime
	}
	var slowest *catalog.ProductionTime
	for _, it := range o.Items {
		p := cat.Product(it.Product)
		if p == nil {
			return cannot("product %q does not exist", it.Product)
		}
		t := p.ProductionTime(o.ProductionTime)
		if t == nil && productionTime != "" {
			return pressroom.Invalid("The reprint cannot be made at that production time.", pressroom.FieldError{Pointer: "/production_time",
				Code: "unavailable_production_time", Detail: fmt.Sprintf("product %q has no production time %q", it.Product, productionTime)})
		}
		if t == nil {
			return cannot("product %q has no production time %q", it.Product, o.ProductionTime)
		}
		if slowest == nil || *t.Days > *slowest.Days {
			slowest = t
		}
	}
	if slowest == nil {
		return cannot("it has no items")
	}
	m := cat.Commerce.Method(o.Delivery.ShippingMethod)
	if m == nil {
		return cannot("shipping method %q does not exist", o.Delivery.ShippingMethod)
	}
	plan, err := delivery.Planner{C: cat.Commerce}.Plan(delivery.Request{Now: s.Clock.Now(), Destination: o.Delivery.Address.Country,
		Times: []catalog.ProductionTime{*slowest}, Methods: []*catalog.Method{m}, Method: m.Code})
	if err != nil {
		return cannot("%s", strings.TrimSuffix(pressroom.ErrorMessage(err), "."))
	}
	o.Delivery.ShippingDate, o.Delivery.DeliveryDate = plan[0].ShippingDate().String(), plan[0].DeliveryDate().String()
	return nil
}

// reprintOrder is the new order an approved reprint makes: the chosen
// items and quantities of the original, at no charge.
func reprintOrder(orig *order.Order, rp *order.Reprint, now time.Time) *order.Order {
	own := fmt.Sprintf("%s-R%d", orig.OwnID, rp.ID)
	if len(own) > 64 {
		own = fmt.Sprintf("R%d-%d", rp.ID, orig.Number)
	}
	o := &order.Order{
		ResellerID: orig.ResellerID, CustomerID: orig.CustomerID, OwnID: own, Reference: orig.Reference, PurchaseOrder: orig.PurchaseOrder,
		ContactEmail: orig.ContactEmail, ErrorEmails: orig.ErrorEmails, Language: orig.Language, Type: orig.Type, API: orig.API,
		Stage: order.StageOrder, Status: order.Accepted, Payment: order.PaymentOnAccount, CallbackURLs: orig.CallbackURLs,
		Delivery: order.Delivery{Address: orig.Delivery.Address, ShippingMethod: orig.Delivery.ShippingMethod}, Billing: orig.Billing,
		PackingSlip: orig.PackingSlip, ShippingLabel: orig.ShippingLabel, ProductionTime: orig.ProductionTime,
		Currency: orig.Currency, VATRate: orig.VATRate, ReverseCharge: orig.ReverseCharge, CatalogVersion: orig.CatalogVersion,
		OrderDate: now.Format(time.DateOnly), TrackingToken: newToken(),
		CustomFields: map[string]string{"reprint_of": fmt.Sprint(orig.Number), "reprint": fmt.Sprint(rp.ID)},
	}
	for _, ri := range rp.Items {
		for _, it := range orig.Items {
			if it.ID != ri.ItemID {
				continue
			}
			cp := *it
			cp.ID, cp.OrderNumber, cp.Amount = 0, 0, ri.Quantity
			cp.Base, cp.Rush, cp.Sales = decimal.Zero, decimal.Zero, decimal.Zero
			cp.Price = order.Money{}
			if it.Amount.IsPositive() {
				cp.Weight = it.Weight.Div(it.Amount).Mul(ri.Quantity)
			}
			cp.CalculationID = 0
			o.Items = append(o.Items, &cp)
		}
	}
	return o
}
