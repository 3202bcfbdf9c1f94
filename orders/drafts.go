package orders

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/delivery"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/pricing"
)

// requestOf rebuilds the request an order came from, to price it again.
// Items keep their resolved configuration (a saved API product's options
// as they were when added), their files and any calculation they cite.
func requestOf(o *order.Order, r *pressroom.Reseller) Request {
	req := Request{
		Reseller: r, Actor: order.ActorReseller, OwnID: o.OwnID, Reference: o.Reference, PurchaseOrder: o.PurchaseOrder,
		ContactEmail: o.ContactEmail, ErrorEmails: o.ErrorEmails, CustomerID: o.CustomerID, Language: o.Language, Type: o.Type,
		CallbackURLs: o.CallbackURLs, Address: o.Delivery.Address, Billing: o.Billing, PackingSlip: o.PackingSlip,
		ShippingLabel: o.ShippingLabel, CustomFields: o.CustomFields,
	}
	if w := o.Delivery.Wish; w != nil {
		req.Delivery = pricing.DeliveryRequest{DeliveryPreset: w.DeliveryPreset, Method: w.Method, MethodPreset: w.MethodPreset}
		req.ProductionTime = w.ProductionTime
		if d, err := delivery.ParseDate(w.DeliveryDate); err == nil {
			req.Delivery.DeliveryDate = &d
		}
		if d, err := delivery.ParseDate(w.ShippingDate); err == nil {
			req.Delivery.ShippingDate = &d
		}
	}
	for _, it := range o.Items {
		req.Items = append(req.Items, itemRequestOf(it))
		req.MixedTimes = req.MixedTimes || it.ProductionTime != ""
	}
	return req
}

func itemRequestOf(it *order.Item) ItemRequest {
	// An item with no file URLs takes an upload: awaiting it, or holding
	// one (checked or being checked), whose state keepIDs carries over.
	ir := ItemRequest{Reference: it.Reference, Files: it.Files, Upload: it.FileState == order.FileAwaiting || (len(it.Files) == 0 && it.FileState != order.FileNone), Note: it.Note,
		Backprint: it.Backprint, Characteristics: it.Characteristics, CalculationID: it.CalculationID, CalculationItem: it.CalculationItem,
		ProductionTime: it.ProductionTime}
	if it.CalculationID == 0 {
		sels, _ := pricing.ParseOptions(it.Options)
		ir.Item = pricing.Item{Code: it.Product, Options: sels}
	}
	return ir
}

// draft reads a reseller's draft for a change.
func (s *Service) draft(ctx context.Context, resellerID, number int64) (*order.Order, error) {
	o, err := s.Store.FindOrder(ctx, resellerID, number)
	if err != nil {
		return nil, err
	}
	if o.Stage != order.StageDraft {
		return nil, pressroom.Errorf(pressroom.ECONFLICT, "Order %d is not a draft (its status is %s); its items cannot change.", number, o.Status)
	}
	if o.ExpiresAt != nil && !s.Clock.Now().Before(*o.ExpiresAt) {
		return nil, pressroom.Errorf(pressroom.ECONFLICT, "Draft %d expired on %s and is being deleted; create a new one.", number, o.ExpiresAt.UTC().Format(time.DateOnly))
	}
	return o, nil
}

// UpdateDraft changes what a draft says besides its items (its address,
// delivery wishes, reference) and prices it again.
func (s *Service) UpdateDraft(ctx context.Context, r *pressroom.Reseller, number int64, change func(req *Request)) (*order.Order, error) {
	return s.again(ctx, r.ID, number, func() (*order.Order, bool, error) {
		o, err := s.draft(ctx, r.ID, number)
		if err != nil {
			return nil, false, err
		}
		req := requestOf(o, r)
		change(&req)
		req.Draft, req.OrderDate = true, o.OrderDate
		built, err := s.build(ctx, req)
		if err != nil {
			return nil, false, err
		}
		keepIDs(o.Items, built.Items, -1, false)
		takePricing(o, built)
		o.Reference, o.PurchaseOrder, o.ContactEmail, o.CallbackURLs = built.Reference, built.PurchaseOrder, built.ContactEmail, built.CallbackURLs
		o.Billing = built.Billing
		if err := s.Store.UpdateOrder(ctx, o, true, []*order.Event{{Actor: order.ActorReseller, Kind: "draft", Reason: "draft updated"}}, nil); err != nil {
			return lostRace(err)
		}
		return o, false, nil
	})
}

// EditItems changes a draft's items with edit and prices the draft again.
// Errors about the item at index focus point at the item itself ("/options/2/value").
func (s *Service) EditItems(ctx context.Context, r *pressroom.Reseller, number int64, focus int, edit func(items []ItemRequest) ([]ItemRequest, error)) (*order.Order, error) {
	return s.again(ctx, r.ID, number, func() (*order.Order, bool, error) {
		return s.editItems(ctx, r, number, focus, 0, func(items []ItemRequest, _ int) ([]ItemRequest, error) { return edit(items) })
	})
}

// editItem changes the draft's item itemID with edit, which gets the
// item's index, and prices the draft again; errors point at the item.
func (s *Service) editItem(ctx context.Context, r *pressroom.Reseller, number, itemID int64, edit func(items []ItemRequest, idx int) []ItemRequest) (*order.Order, error) {
	return s.again(ctx, r.ID, number, func() (*order.Order, bool, error) {
		return s.editItems(ctx, r, number, -1, itemID, func(items []ItemRequest, idx int) ([]ItemRequest, error) { return edit(items, idx), nil })
	})
}

// editItems is one attempt of EditItems and editItem: itemID, if not 0,
// is the item to focus on, found in the draft as read.
func (s *Service) editItems(ctx context.Context, r *pressroom.Reseller, number int64, focus int, itemID int64, edit func(items []ItemRequest, focus int) ([]ItemRequest, error)) (*order.Order, bool, error) {
	o, err := s.draft(ctx, r.ID, number)
	if err != nil {
		return nil, false, err
	}
	if itemID != 0 {
		if focus = itemIndex(o, itemID); focus < 0 {
			return nil, false, pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %d.", number, itemID)
		}
	}
	req := requestOf(o, r)
	if req.Items, err = edit(req.Items, focus); err != nil {
		return nil, false, err
	}
	req.Draft, req.OrderDate = true, o.OrderDate
	built, err := s.build(ctx, req)
	if err != nil {
		return nil, false, focusFields(err, focus)
	}
	keepIDs(o.Items, built.Items, focus, len(req.Items) < len(o.Items))
	takePricing(o, built)
	if err := s.Store.UpdateOrder(ctx, o, true, []*order.Event{{Actor: order.ActorReseller, Kind: "items", Reason: fmt.Sprintf("%d item(s)", len(o.Items))}}, nil); err != nil {
		return lostRace(err)
	}
	if itemID != 0 {
		// The replaced (or removed) item's files are no longer its own: a
		// file uploaded for what it was must not be printed for what it is.
		if err := s.Store.ReplaceArtwork(ctx, number, itemID, nil); err != nil {
			return nil, false, err
		}
	}
	return o, false, nil
}

// takePricing gives a draft what pricing it again (built) decided: its
// items, totals, production time, delivery, VAT and catalog version.
func takePricing(o, built *order.Order) {
	o.Items, o.Totals, o.ProductionTime = built.Items, built.Totals, built.ProductionTime
	o.Delivery, o.VATRate, o.ReverseCharge, o.CatalogVersion = built.Delivery, built.VATRate, built.ReverseCharge, built.CatalogVersion
}

// keepIDs gives re-priced items the ids they had: items before the edited
// one keep theirs; after a removal the later ones shift down by one. An
// item that was not the one replaced keeps its uploaded file: pricing it
// again makes it awaiting an upload, which it has had.
func keepIDs(old, fresh []*order.Item, focus int, removed bool) {
	for i, it := range fresh {
		j := i
		if removed && i >= focus {
			j = i + 1
		} else if !removed && i == focus && focus >= len(old) {
			continue // a new item
		}
		if j >= len(old) {
			continue
		}
		it.ID = old[j].ID
		replaced := !removed && i == focus
		if was := old[j]; !replaced && it.FileState == order.FileAwaiting && len(was.Files) == 0 && uploaded(was.FileState) {
			it.FileState = was.FileState
		}
	}
}

// uploaded says an item in this state holds a file (checked or being
// checked), as against awaiting one or needing none.
func uploaded(s order.FileState) bool {
	return s == order.FileChecking || s == order.FilePassed || s == order.FileFailed
}

// focusFields makes the edited item's errors relative to the item's body.
func focusFields(err error, focus int) error {
	fields := pressroom.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	prefix := fmt.Sprintf("/items/%d", focus)
	out := make([]pressroom.FieldError, len(fields))
	for i, f := range fields {
		if f.Pointer == prefix || strings.HasPrefix(f.Pointer, prefix+"/") {
			f.Pointer = strings.TrimPrefix(f.Pointer, prefix)
			if f.Pointer == "" {
				f.Pointer = "/"
			}
		}
		out[i] = f
	}
	return pressroom.Invalid(pressroom.ErrorMessage(err), out...)
}

// lostRace answers a write of an order that the store refused: lost when
// another write of the order came first (ECONFLICT), for again to try
// once more.
func lostRace(err error) (*order.Order, bool, error) {
	return nil, pressroom.ErrorCode(err) == pressroom.ECONFLICT, err
}

// changedMeanwhile is the answer to a change that lost every attempt:
// what the order is now.
func (s *Service) changedMeanwhile(ctx context.Context, resellerID, number int64, err error) error {
	if pressroom.ErrorCode(err) != pressroom.ECONFLICT {
		return err
	}
	if now, ferr := s.Store.FindOrder(ctx, resellerID, number); ferr == nil {
		return pressroom.Errorf(pressroom.ECONFLICT, "Order %d changed meanwhile and is now %s; nothing was done.", number, now.Status)
	}
	return err
}

// AddItem adds an item to a draft.
func (s *Service) AddItem(ctx context.Context, r *pressroom.Reseller, number int64, it ItemRequest) (*order.Order, *order.Item, error) {
	var focus int
	o, err := s.EditItems(ctx, r, number, -1, func(items []ItemRequest) ([]ItemRequest, error) {
		if len(items) >= MaxItems {
			return nil, pressroom.Errorf(pressroom.ECONFLICT, "The draft has %d items, the most an order takes.", MaxItems)
		}
		focus = len(items)
		return append(items, it), nil
	})
	if err != nil {
		return nil, nil, focusFields(err, focus)
	}
	return o, o.Items[len(o.Items)-1], nil
}

// ReplaceItem replaces a draft's item.
func (s *Service) ReplaceItem(ctx context.Context, r *pressroom.Reseller, number, itemID int64, it ItemRequest) (*order.Order, error) {
	return s.editItem(ctx, r, number, itemID, func(items []ItemRequest, idx int) []ItemRequest {
		items[idx] = it
		return items
	})
}

// RemoveItem removes a draft's item.
func (s *Service) RemoveItem(ctx context.Context, r *pressroom.Reseller, number, itemID int64) (*order.Order, error) {
	return s.editItem(ctx, r, number, itemID, func(items []ItemRequest, idx int) []ItemRequest {
		return append(items[:idx:idx], items[idx+1:]...)
	})
}

func itemIndex(o *order.Order, id int64) int {
	for i, it := range o.Items {
		if it.ID == id {
			return i
		}
	}
	return -1
}

// Checkout turns a draft into an accepted order: prices recomputed (items
// citing a valid calculation keep its price), full validation. Two
// checkouts at once: one wins, the other is ECONFLICT.
func (s *Service) Checkout(ctx context.Context, r *pressroom.Reseller, number int64) (*order.Order, error) {
	return s.again(ctx, r.ID, number, func() (*order.Order, bool, error) {
		o, err := s.draft(ctx, r.ID, number)
		if err != nil {
			return nil, false, err
		}
		if len(o.Items) == 0 {
			return nil, false, pressroom.Invalid("The draft has no items.", pressroom.FieldError{Pointer: "/items", Code: "required", Detail: "add at least one item before the checkout"})
		}
		// Items still awaiting their file carry upload: true, which an order allows.
		built, err := s.build(ctx, requestOf(o, r))
		if err != nil {
			return nil, false, err
		}
		keepIDs(o.Items, built.Items, -1, false)
		takePricing(o, built)
		o.CalculationID = built.CalculationID
		o.Stage, o.ExpiresAt = order.StageOrder, nil
		ev, err := move(o, order.Accepted, order.ActorReseller, "checkout")
		if err != nil {
			return nil, false, err
		}
		if err := s.withCallbacks(ctx, o, []*order.Event{ev}, nil); err != nil {
			return nil, false, err
		}
		if err := s.Store.UpdateOrder(ctx, o, true, []*order.Event{ev}, nil, s.jobsFor(o)...); err != nil {
			return lostRace(err)
		}
		return o, false, nil
	})
}

// DeleteDraft drops a draft: it is cancelled and its own id released.
func (s *Service) DeleteDraft(ctx context.Context, r *pressroom.Reseller, number int64) error {
	_, err := s.change(ctx, r.ID, number, func(o *order.Order) ([]*order.Event, []*order.Package, error) {
		if o.Stage != order.StageDraft {
			return nil, nil, pressroom.Errorf(pressroom.ECONFLICT, "Order %d is not a draft; cancel it instead.", number)
		}
		ev, err := move(o, order.Cancelled, order.ActorReseller, "draft deleted")
		o.Released = true
		return []*order.Event{ev}, nil, err
	})
	return err
}

// SetCharacteristics replaces an item's characteristics.
func (s *Service) SetCharacteristics(ctx context.Context, resellerID, number, itemID int64, ch map[string]string) (*order.Order, *order.Item, error) {
	c := &checker{}
	c.keyValues("/characteristics", "characteristics", ch)
	if len(c.fields) > 0 {
		return nil, nil, pressroom.Invalid("The characteristics are not valid.", c.fields...)
	}
	var idx int
	o, err := s.changeItems(ctx, resellerID, number, true, func(o *order.Order) ([]*order.Event, []*order.Package, error) {
		if idx = itemIndex(o, itemID); idx < 0 {
			return nil, nil, pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %d.", number, itemID)
		}
		o.Items[idx].Characteristics = ch
		return []*order.Event{{Actor: order.ActorReseller, Kind: "characteristics", Reason: fmt.Sprintf("item %d", itemID)}}, nil, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return o, o.Items[idx], nil
}
