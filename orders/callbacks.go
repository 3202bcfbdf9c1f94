package orders

import (
	"context"
	"encoding/json"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
)

// callbackTypes are the events that send callbacks, with their types.
var callbackTypes = map[string]string{
	"created": "order.created",
	"status":  "order.status",
	"package": "order.shipment",
	"reprint": "order.reprint",
	"file":    "order.file",
}

// callbackType is the callback an event sends, if any: a file's progress
// sends one only when its check passed or failed.
func callbackType(ev *order.Event) (string, bool) {
	typ, ok := callbackTypes[ev.Kind]
	if ev.Kind == "file" && ev.To != string(order.FilePassed) && ev.To != string(order.FileFailed) {
		return "", false
	}
	return typ, ok
}

// Snapshot is an order as its callbacks show it.
type Snapshot struct {
	Number       int64             `json:"number"`
	ID           string            `json:"id"`
	Reference    string            `json:"reference"`
	OrderType    order.Type        `json:"order_type"`
	Status       order.Status      `json:"status"`
	Payment      order.Payment     `json:"payment"`
	ShippingDate string            `json:"shipping_date,omitempty"`
	DeliveryDate string            `json:"delivery_date,omitempty"`
	TrackingPage string            `json:"tracking_page,omitempty"`
	Items        []SnapshotItem    `json:"items"`
	Packages     []SnapshotPackage `json:"packages"`
	// Rejection says why the order was not accepted, if it was not.
	Rejection string `json:"rejection,omitempty"`
	// Reprint is the reprint an order.reprint callback tells of.
	Reprint *SnapshotReprint `json:"reprint,omitempty"`
}

// SnapshotReprint is a reprint decided: approved, with the order that
// makes it again, or rejected.
type SnapshotReprint struct {
	ID       int64               `json:"id"`
	Status   order.ReprintStatus `json:"status"`
	NewOrder int64               `json:"new_order,omitempty"`
}

// SnapshotItem is an item in a callback.
type SnapshotItem struct {
	ID        int64           `json:"id"`
	Reference string          `json:"reference,omitempty"`
	Code      string          `json:"code"`
	FileState order.FileState `json:"file_state"`
}

// SnapshotPackage is a shipment in a callback.
type SnapshotPackage struct {
	Carrier      string `json:"carrier"`
	TrackingCode string `json:"tracking_code"`
	TrackingURL  string `json:"tracking_url,omitempty"`
}

// withCallbacks gives the events that send callbacks one callback for each
// of the order's callback URLs, else the reseller's default URL; each
// carries the order as it is after the change (with pkgs, the packages it adds).
func (s *Service) withCallbacks(ctx context.Context, o *order.Order, evs []*order.Event, pkgs []*order.Package) error {
	return s.withCallbacksShowing(ctx, o, evs, pkgs, nil)
}

// withCallbacksShowing is withCallbacks whose payloads show, besides the
// order, what show adds when they are rendered.
func (s *Service) withCallbacksShowing(ctx context.Context, o *order.Order, evs []*order.Event, pkgs []*order.Package, show func(*Snapshot)) error {
	if o.Stage == order.StageDraft {
		return nil
	}
	sends := false
	for _, ev := range evs {
		_, ok := callbackType(ev)
		sends = sends || ok
	}
	if !sends {
		return nil
	}
	urls := o.CallbackURLs
	if len(urls) == 0 {
		r, err := s.Store.FindResellerByID(ctx, o.ResellerID)
		if err != nil {
			return err
		}
		if r.CallbackURL == "" {
			return nil
		}
		urls = []string{r.CallbackURL}
	}
	if o.Number != 0 {
		known, err := s.Store.ListOrderPackages(ctx, o.Number)
		if err != nil {
			return err
		}
		pkgs = append(known, pkgs...)
	}
	// Rendered when stored: a new order has its number and item ids by then.
	render := func() (json.RawMessage, error) {
		snap := s.snapshot(o, pkgs)
		if show != nil {
			show(&snap)
		}
		return json.Marshal(snap)
	}
	format := o.API
	if format == "" {
		format = "native"
	}
	for _, ev := range evs {
		typ, ok := callbackType(ev)
		if !ok {
			continue
		}
		types := []string{typ}
		if extra := s.CreatedCallbacks[o.API]; ev.Kind == "created" && len(extra) > 0 {
			types = extra
		}
		for _, u := range urls {
			for _, typ := range types {
				ev.Callbacks = append(ev.Callbacks, &order.Callback{ResellerID: o.ResellerID, URL: u, Type: typ, Format: format, Render: render})
			}
		}
	}
	return nil
}

// snapshot is the order as callbacks show it.
func (s *Service) snapshot(o *order.Order, pkgs []*order.Package) Snapshot {
	snap := Snapshot{Number: o.Number, ID: o.OwnID, Reference: o.Reference, OrderType: o.Type, Status: o.Status, Payment: o.Payment,
		ShippingDate: o.Delivery.ShippingDate, DeliveryDate: o.Delivery.DeliveryDate, Items: []SnapshotItem{}, Packages: []SnapshotPackage{},
		Rejection: o.Rejection}
	if s.PublicURL != "" && o.TrackingToken != "" {
		snap.TrackingPage = s.PublicURL + "/track/" + o.TrackingToken
	}
	for _, it := range o.Items {
		snap.Items = append(snap.Items, SnapshotItem{ID: it.ID, Reference: it.Reference, Code: it.Product, FileState: it.FileState})
	}
	for _, p := range pkgs {
		snap.Packages = append(snap.Packages, SnapshotPackage{Carrier: p.Carrier, TrackingCode: p.TrackingCode, TrackingURL: p.TrackingURL})
	}
	return snap
}

// TestCallback queues a sample callback to a URL, as a receiver's check.
func (s *Service) TestCallback(ctx context.Context, r *pressroom.Reseller, url string) (*order.Callback, error) {
	c := &checker{}
	c.url("/url", url)
	if len(c.fields) > 0 {
		return nil, pressroom.Invalid("The URL is not valid.", c.fields...)
	}
	payload, _ := json.Marshal(Snapshot{Number: 0, ID: "test", Reference: "test callback", OrderType: order.TypeTest, Status: order.Accepted,
		Payment: order.PaymentOnAccount, Items: []SnapshotItem{}, Packages: []SnapshotPackage{}})
	cb := &order.Callback{ResellerID: r.ID, URL: url, Type: "test", Format: "native", Payload: payload, OccurredAt: s.Clock.Now()}
	if err := s.Store.CreateCallback(ctx, cb); err != nil {
		return nil, err
	}
	return cb, nil
}
