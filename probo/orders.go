package probo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/delivery"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/internal/render"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
)

// Format names this API's callbacks.
const Format = "probo"

// CreatedCallbacks are the callbacks a new order sends here: Probo's
// clients hear "queued", then "accepted" with the supplier order number.
var CreatedCallbacks = []string{"order.queued", "order.created"}

// fileIn is a print file of an ordered product.
type fileIn struct {
	URI      string `json:"uri"`
	Page     int    `json:"page"`
	Side     string `json:"side"`
	Rotation int    `json:"rotation"`
	Fill     bool   `json:"fill"`
	Tiling   bool   `json:"tiling"`
	Mirror   bool   `json:"mirror"`
}

type orderProductIn struct {
	ID           json.RawMessage   `json:"id"`
	Reference    string            `json:"reference"`
	Code         string            `json:"code"`
	CustomerCode string            `json:"customer_code"`
	Options      []render.OptionIn `json:"options"`
	Files        []fileIn          `json:"files"`
	Uploader     bool              `json:"uploader"`
	Uploaders    []struct {
		ID         int64           `json:"id"`
		ExternalID json.RawMessage `json:"external_id"`
	} `json:"uploaders"`
}

type orderDeliveryIn struct {
	deliveryIn
	ShippingLabelURL string   `json:"shipping_label_url"`
	PackingSlipURLs  []string `json:"packing_slip_urls"`
}

type orderIn struct {
	ID                  string            `json:"id"`
	Reference           string            `json:"reference"`
	ContactEmail        string            `json:"contact_email"`
	ErrorEmailAddresses []string          `json:"error_email_addresses"`
	CallbackURLs        []string          `json:"callback_urls"`
	CallbackURL         json.RawMessage   `json:"callback_url"` // what real clients send: a string or an array
	OrderType           string            `json:"order_type"`
	Language            string            `json:"language"`
	Deliveries          []orderDeliveryIn `json:"deliveries"`
	Products            []orderProductIn  `json:"products"`
	ProjectID           int64             `json:"project_id"`
}

// callbackURLs merges callback_urls and callback_url.
func (in orderIn) callbackURLs() ([]string, string) {
	urls := append([]string{}, in.CallbackURLs...)
	if raw := strings.TrimSpace(string(in.CallbackURL)); raw != "" && raw != "null" {
		var one string
		var many []string
		switch {
		case json.Unmarshal(in.CallbackURL, &one) == nil:
			if one != "" {
				urls = append(urls, one)
			}
		case json.Unmarshal(in.CallbackURL, &many) == nil:
			urls = append(urls, many...)
		default:
			return nil, "callback_url must be a URL or a list of URLs"
		}
	}
	return urls, ""
}

// request translates a Probo order for the core.
func orderRequest(p *pressroom.Principal, in orderIn) (orders.Request, string) {
	req := orders.Request{
		Reseller: p.Reseller, Actor: order.ActorReseller, OwnID: in.ID, Reference: in.Reference, ContactEmail: in.ContactEmail,
		ErrorEmails: in.ErrorEmailAddresses, Language: in.Language, API: Format, ProjectID: in.ProjectID,
		// Probo reports an order whose file failed not_accepted.
		RejectOnFileFailure: true,
	}
	switch in.OrderType {
	case "", "production", "live": // "live" is what real clients send
		req.Type = order.TypeProduction
	case "test":
		req.Type = order.TypeTest
	default:
		return req, fmt.Sprintf("order_type must be production or test, not %q", in.OrderType)
	}
	urls, problem := in.callbackURLs()
	if problem != "" {
		return req, problem
	}
	req.CallbackURLs = urls
	switch {
	case len(in.Deliveries) == 0 || in.Deliveries[0].Address == nil:
		return req, "A delivery with an address is required"
	case len(in.Deliveries) > 1:
		return req, "One delivery per order: every product of an order goes to one address"
	}
	d := in.Deliveries[0]
	req.Address = *d.Address
	req.Delivery = pricing.DeliveryRequest{DeliveryPreset: d.DeliveryDatePreset, Method: d.ShippingMethodCode, MethodPreset: d.ShippingMethodPreset}
	for _, x := range []struct {
		name, value string
		dst         **delivery.Date
	}{{"delivery_date", d.DeliveryDate, &req.Delivery.DeliveryDate}, {"shipping_date", d.ShippingDate, &req.Delivery.ShippingDate}} {
		if x.value == "" {
			continue
		}
		v := x.value
		if len(v) > 10 && v[10] == 'T' {
			v = v[:10]
		}
		day, err := delivery.ParseDate(v)
		if err != nil {
			return req, fmt.Sprintf("%s %q is not a date like 2025-03-12", x.name, x.value)
		}
		*x.dst = &day
	}
	if d.ShippingLabelURL != "" {
		req.ShippingLabel = &order.FileRef{URL: d.ShippingLabelURL}
	}
	switch len(d.PackingSlipURLs) {
	case 0:
	case 1:
		req.PackingSlip = &order.FileRef{URL: d.PackingSlipURLs[0]}
	default:
		return req, "One packing slip per order"
	}
	if len(in.Products) > orders.MaxItems {
		return req, fmt.Sprintf("At most %d products per order", orders.MaxItems)
	}
	for i, pr := range in.Products {
		if len(pr.Options) > 500 {
			return req, fmt.Sprintf("Product %d has too many options", i+1)
		}
		it := orders.ItemRequest{Item: pricing.Item{Code: pr.Code, CustomerCode: pr.CustomerCode, Options: render.Selections(pr.Options)},
			Reference: pr.Reference, Upload: (pr.Uploader || len(pr.Uploaders) > 0) && len(pr.Files) == 0}
		if it.Reference == "" {
			it.Reference = strings.Trim(string(pr.ID), `"`)
		}
		for _, f := range pr.Files {
			it.Files = append(it.Files, order.FileRef{URL: f.URI, Page: f.Page, Side: f.Side, Rotation: f.Rotation, Fill: f.Fill, Tiling: f.Tiling, Mirror: f.Mirror})
		}
		req.Items = append(req.Items, it)
	}
	return req, ""
}

// POST /order: the order is taken (validated, priced, stored) and answered
// 202 order_queued, as Probo does; its progress follows by callbacks. A
// repeated id creates nothing and is reported not_accepted by callback.
func (s *Server) handleOrder(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if p.Reseller.Edition == pressroom.EditionFree {
		writeError(w, http.StatusForbidden, "The free edition cannot place orders")
		return
	}
	var in orderIn
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, false, &in); err != nil {
		s.fail(w, err)
		return
	}
	req, problem := orderRequest(p, in)
	if problem != "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": "error", "code": 400, "message": problem, "id": in.ID})
		return
	}
	// The upload sessions the products cite must be the reseller's.
	sessions := make([][]int64, len(in.Products))
	for i, pr := range in.Products {
		if len(pr.Uploaders) > 0 && len(pr.Files) > 0 {
			writeJSON(w, http.StatusBadRequest, map[string]any{"status": "error", "code": 400, "message": fmt.Sprintf("Product %d gives files and uploaders; give one", i+1), "id": in.ID})
			return
		}
		for _, u := range pr.Uploaders {
			if _, err := s.Store.FindUploadSession(r.Context(), p.Reseller.ID, u.ID); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"status": "error", "code": 400, "message": fmt.Sprintf("Uploader %d does not exist", u.ID), "id": in.ID})
				return
			}
			sessions[i] = append(sessions[i], u.ID)
		}
	}
	res, err := s.Orders.Place(r.Context(), req, false, nil)
	if err == nil {
		ids := make([]int64, len(res.Order.Items))
		for i, it := range res.Order.Items {
			ids[i] = it.ID
		}
		if err := s.attachUploads(r, p.Reseller.ID, res.Order.Number, ids, sessions); err != nil {
			s.Logger.Error("probo: uploads not attached", "order", res.Order.Number, "err", err)
		}
	}
	switch {
	case pressroom.ErrorCode(err) == pressroom.ECONFLICT && len(req.CallbackURLs) > 0:
		// Probo reports a repeated id after queueing it, by callback.
		if err := s.notAccepted(r, p, in, req.CallbackURLs, pressroom.ErrorMessage(err)); err != nil {
			s.fail(w, err)
			return
		}
	case err != nil:
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": "error", "code": 400, "message": messageOf(err), "id": in.ID})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"status": "order_queued", "message": "Order queued",
		"order": map[string]string{"id": in.ID, "reference": in.Reference}})
}

// notAccepted queues the not_accepted callback of an order that was not taken.
func (s *Server) notAccepted(r *http.Request, p *pressroom.Principal, in orderIn, urls []string, reason string) error {
	body, _ := json.Marshal(map[string]any{"id": in.ID, "reference": in.Reference, "status": "not_accepted", "message": reason})
	for _, u := range urls {
		cb := &order.Callback{ResellerID: p.Reseller.ID, URL: u, Type: "order.not_accepted", Format: Format, Payload: body, OccurredAt: s.Clock.Now()}
		if err := s.Store.CreateCallback(r.Context(), cb); err != nil {
			return err
		}
	}
	return nil
}

// statusCode is a native status as Probo names it: Probo has no hold, and
// a held order is still accepted to its reseller.
func statusCode(st order.Status) string {
	if st == order.Hold {
		return string(order.Accepted)
	}
	return string(st)
}

// findOrder finds a reseller's order by Probo's keys: its id (the
// reseller's own), supplier_order_number or reference.
func (s *Server) findOrder(r *http.Request, resellerID int64, id, reference string, number int64) (*order.Order, error) {
	if number != 0 {
		return s.Orders.Get(r.Context(), resellerID, number)
	}
	f := pressroom.OrderFilter{ResellerID: resellerID, OwnID: id, Reference: reference, Limit: 10}
	if id == "" && reference == "" {
		return nil, pressroom.Errorf(pressroom.ENOTFOUND, "Order does not exist")
	}
	list, _, err := s.Store.ListOrders(r.Context(), f)
	if err != nil {
		return nil, err
	}
	for _, o := range list { // newest first; an unreleased one wins
		if !o.Released {
			return s.Orders.Get(r.Context(), resellerID, o.Number)
		}
	}
	if len(list) > 0 {
		return s.Orders.Get(r.Context(), resellerID, list[0].Number)
	}
	return nil, pressroom.Errorf(pressroom.ENOTFOUND, "Order does not exist")
}

type orderKey struct {
	ID                  string          `json:"id"`
	Reference           string          `json:"reference"`
	SupplierOrderNumber json.RawMessage `json:"supplier_order_number"`
}

func (k orderKey) number() int64 {
	n, _ := strconv.ParseInt(strings.Trim(string(k.SupplierOrderNumber), `" `), 10, 64)
	return n
}

type statusProduct struct {
	ID         json.RawMessage `json:"id"`
	StatusCode string          `json:"status_code"`
}

type statusPackage struct {
	ID           int    `json:"id"`
	StatusCode   string `json:"status_code"`
	Carrier      string `json:"carrier,omitempty"`
	TrackingCode string `json:"tracking_code,omitempty"`
	TrackingURL  string `json:"tracking_url"`
}

type orderStatus struct {
	ID                  string          `json:"id"`
	Reference           string          `json:"reference"`
	SupplierOrderNumber int64           `json:"supplier_order_number"`
	StatusCode          string          `json:"status_code"`
	OrderType           string          `json:"order_type"`
	ProjectID           *int64          `json:"project_id,omitempty"`
	DeliveryDate        string          `json:"delivery_date"`
	ShippingMethodCode  string          `json:"shipping_method_code"`
	TrackingPage        string          `json:"tracking_page,omitempty"`
	Products            []statusProduct `json:"products"`
	Packages            []statusPackage `json:"packages"`
}

func itemID(it *order.Item) json.RawMessage {
	if it.Reference != "" {
		if _, err := strconv.Atoi(it.Reference); err == nil {
			return json.RawMessage(it.Reference)
		}
		b, _ := json.Marshal(it.Reference)
		return b
	}
	return json.RawMessage(strconv.Itoa(it.Position))
}

func (s *Server) statusOf(o *order.Order, pkgs []*order.Package) orderStatus {
	st := statusCode(o.Status)
	out := orderStatus{ID: o.OwnID, Reference: o.Reference, SupplierOrderNumber: o.Number, StatusCode: st, OrderType: string(o.Type),
		DeliveryDate: o.Delivery.DeliveryDate, ShippingMethodCode: o.Delivery.ShippingMethod, Products: []statusProduct{}, Packages: []statusPackage{}}
	if o.ProjectID != 0 {
		id := o.ProjectID
		out.ProjectID = &id
	}
	if s.PublicURL != "" && o.TrackingToken != "" && o.Status != order.Draft {
		out.TrackingPage = s.PublicURL + "/track/" + o.TrackingToken
	}
	for _, it := range o.Items {
		out.Products = append(out.Products, statusProduct{ID: itemID(it), StatusCode: st})
	}
	for i, p := range pkgs {
		out.Packages = append(out.Packages, statusPackage{ID: i + 1, StatusCode: st, Carrier: p.Carrier, TrackingCode: p.TrackingCode, TrackingURL: p.TrackingURL})
	}
	return out
}

// POST /order/status: up to 5 orders by id, supplier_order_number or reference.
func (s *Server) handleOrderStatus(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var in struct {
		Orders []orderKey `json:"orders"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, false, &in); err != nil {
		s.fail(w, err)
		return
	}
	switch {
	case len(in.Orders) == 0:
		writeError(w, http.StatusBadRequest, "No orders given")
		return
	case len(in.Orders) > 5:
		writeError(w, http.StatusBadRequest, "At most 5 orders per call")
		return
	}
	out := []orderStatus{}
	for _, k := range in.Orders {
		o, err := s.findOrder(r, p.Reseller.ID, k.ID, k.Reference, k.number())
		if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
			writeJSON(w, http.StatusNotFound, map[string]any{"status": "error", "code": 404, "message": "Order does not exist", "id": k.ID})
			return
		} else if err != nil {
			s.fail(w, err)
			return
		}
		pkgs, err := s.Store.ListOrderPackages(r.Context(), o.Number)
		if err != nil {
			s.fail(w, err)
			return
		}
		out = append(out, s.statusOf(o, pkgs))
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "message": "Status retrieved", "orders": out})
}

// POST /order/cancel {"id"}: only while accepted.
func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	s.idAction(w, r, p, "cancel", "cancelled", func(o *order.Order) (*order.Order, error) {
		return s.Orders.Cancel(r.Context(), p.Reseller.ID, o.Number, order.ActorReseller, "cancelled by the reseller (Probo API)")
	})
}

// POST /order/release {"id"}: frees a cancelled order's id for reuse.
func (s *Server) handleRelease(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	s.idAction(w, r, p, "release", "released", func(o *order.Order) (*order.Order, error) {
		return s.Orders.Release(r.Context(), p.Reseller.ID, o.Number)
	})
}

// idAction finds the order of {"id"} and applies a change, answering in
// the published description's words.
func (s *Server) idAction(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, verb, done string, change func(*order.Order) (*order.Order, error)) {
	var in orderKey
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, false, &in); err != nil {
		s.fail(w, err)
		return
	}
	answer := func(status int, st, msg string) {
		writeJSON(w, status, map[string]any{"status": st, "message": msg, "id": in.ID})
	}
	o, err := s.findOrder(r, p.Reseller.ID, in.ID, in.Reference, in.number())
	if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		answer(http.StatusBadRequest, "error", "Order does not exist")
		return
	} else if err != nil {
		s.fail(w, err)
		return
	}
	if _, err := change(o); err != nil {
		switch pressroom.ErrorCode(err) {
		case pressroom.ECONFLICT, pressroom.EINVALID:
			now, _ := s.Orders.Get(r.Context(), p.Reseller.ID, o.Number)
			if now == nil {
				now = o
			}
			answer(http.StatusBadRequest, "error", fmt.Sprintf("Could not %s order, because order status is: %s", verb, statusCode(now.Status)))
		default:
			s.Logger.Error("probo: "+verb, "err", err)
			answer(http.StatusBadRequest, "error", fmt.Sprintf("Failed to %s order, please contact us", verb))
		}
		return
	}
	answer(http.StatusOK, done, "Order "+done)
}

// CallbackBody renders a callback of an order placed through this API, as
// a Probo client expects it: the order's status as /order/status shows it
// (its own id, supplier_order_number, status_code, products and packages
// with tracking), the status under "status" too, and what happened.
func CallbackBody(cb *order.Callback) []byte {
	if cb.Type == "order.not_accepted" || strings.HasPrefix(cb.Type, "uploader.") {
		return cb.Payload // made whole when it was queued
	}
	var snap orders.Snapshot
	if err := json.Unmarshal(cb.Payload, &snap); err != nil {
		return cb.Payload
	}
	st := statusCode(snap.Status)
	out := struct {
		ID                  string          `json:"id"`
		Reference           string          `json:"reference"`
		SupplierOrderNumber *int64          `json:"supplier_order_number,omitempty"`
		Status              string          `json:"status"`
		StatusCode          string          `json:"status_code"`
		OrderType           string          `json:"order_type"`
		Event               string          `json:"event"`
		Message             string          `json:"message,omitempty"`
		OccurredAt          string          `json:"occurred_at"`
		DeliveryDate        string          `json:"delivery_date,omitempty"`
		TrackingPage        string          `json:"tracking_page,omitempty"`
		Products            []statusProduct `json:"products"`
		Packages            []statusPackage `json:"packages"`
	}{ID: snap.ID, Reference: snap.Reference, SupplierOrderNumber: &snap.Number, Status: st, StatusCode: st, OrderType: string(snap.OrderType),
		Event: cb.Type, OccurredAt: timeOf(cb.OccurredAt), DeliveryDate: snap.DeliveryDate, TrackingPage: snap.TrackingPage,
		Products: []statusProduct{}, Packages: []statusPackage{}}
	if cb.Type == "order.queued" {
		// Queued: the order is known by its id; its number comes with "accepted".
		st, out.SupplierOrderNumber, out.TrackingPage, out.DeliveryDate = "queued", nil, "", ""
		out.Status, out.StatusCode = st, st
	}
	if rp := snap.Reprint; cb.Type == "order.reprint" && rp != nil {
		// A ticket is a reprint request here: say how staff decided it.
		out.Message = fmt.Sprintf("Ticket %d %s", rp.ID, rp.Status)
		if rp.NewOrder != 0 {
			out.Message += fmt.Sprintf(": the reprint is order %d", rp.NewOrder)
		}
	}
	if snap.Rejection != "" && snap.Status == order.Cancelled {
		st = "not_accepted"
		out.Status, out.StatusCode, out.Message = st, st, "Order not accepted: "+snap.Rejection
	}
	for i, it := range snap.Items {
		out.Products = append(out.Products, statusProduct{ID: itemID(&order.Item{Reference: it.Reference, Position: i + 1}), StatusCode: st})
		if cb.Type == "order.file" && it.FileState == order.FileFailed {
			out.Message = fmt.Sprintf("The file of product %d (%s) failed its download or check; upload a new one or contact us", i+1, it.Code)
		}
	}
	for i, p := range snap.Packages {
		out.Packages = append(out.Packages, statusPackage{ID: i + 1, StatusCode: st, Carrier: p.Carrier, TrackingCode: p.TrackingCode, TrackingURL: p.TrackingURL})
	}
	b, _ := json.Marshal(out)
	return b
}
