package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
)

type fileIn struct {
	URL      string `json:"url"`
	MD5      string `json:"md5"`
	Page     int    `json:"page"`
	Side     string `json:"side"`
	Rotation int    `json:"rotation"`
	Fill     bool   `json:"fill"`
	Tiling   bool   `json:"tiling"`
	Mirror   bool   `json:"mirror"`
}

func (f *fileIn) ref() *order.FileRef {
	if f == nil {
		return nil
	}
	return &order.FileRef{URL: f.URL, MD5: f.MD5, Page: f.Page, Side: f.Side, Rotation: f.Rotation, Fill: f.Fill, Tiling: f.Tiling, Mirror: f.Mirror}
}

type orderItemIn struct {
	Reference       string            `json:"reference"`
	Code            string            `json:"code"`
	CustomerCode    string            `json:"customer_code"`
	CalculationID   int64             `json:"calculation_id"`
	CalculationItem int               `json:"calculation_item"`
	Options         []optionIn        `json:"options"`
	Files           []fileIn          `json:"files"`
	Upload          bool              `json:"upload"`
	Note            string            `json:"note"`
	Backprint       string            `json:"backprint"`
	ProductionTime  string            `json:"production_time"`
	Characteristics map[string]string `json:"characteristics"`
}

type orderIn struct {
	ID                  string            `json:"id"`
	Reference           string            `json:"reference"`
	PurchaseOrder       string            `json:"purchase_order"`
	ContactEmail        string            `json:"contact_email"`
	ErrorEmailAddresses []string          `json:"error_email_addresses"`
	CustomerID          int64             `json:"customer_id"`
	Language            string            `json:"language"`
	OrderType           string            `json:"order_type"`
	Stage               string            `json:"stage"`
	OrderDate           string            `json:"order_date"`
	DryRun              bool              `json:"dry_run"`
	CallbackURLs        []string          `json:"callback_urls"`
	Delivery            *deliveryIn       `json:"delivery"`
	BillingAddress      *order.Address    `json:"billing_address"`
	PackingSlip         *fileIn           `json:"packing_slip"`
	ShippingLabel       *fileIn           `json:"shipping_label"`
	CustomFields        map[string]string `json:"custom_fields"`
	ProductionTime      string            `json:"production_time"`
	Items               []orderItemIn     `json:"items"`
}

type moneyOut struct {
	Excl json.Number `json:"excl_vat"`
	Incl json.Number `json:"incl_vat"`
}

func money(m order.Money) moneyOut {
	return moneyOut{Excl: dnum(pricing.Round(m.Excl)), Incl: dnum(pricing.Round(m.Incl))}
}

type totalsOut struct {
	Subtotal      moneyOut    `json:"subtotal"`
	Shipping      moneyOut    `json:"shipping"`
	StartingCosts moneyOut    `json:"starting_costs"`
	Tax           json.Number `json:"tax"`
	Total         moneyOut    `json:"total"`
}

type itemOut struct {
	ID              int64             `json:"id"`
	Position        int               `json:"position"`
	Reference       string            `json:"reference"`
	Code            string            `json:"code"`
	CustomerCode    string            `json:"customer_code,omitempty"`
	Options         json.RawMessage   `json:"options"`
	Amount          json.Number       `json:"amount"`
	Prices          itemPricesOut     `json:"prices"`
	Weight          json.Number       `json:"weight"`
	FileState       order.FileState   `json:"file_state"`
	Files           []order.FileRef   `json:"files"`
	Note            string            `json:"note,omitempty"`
	Backprint       string            `json:"backprint,omitempty"`
	Characteristics map[string]string `json:"characteristics"`
}

type itemPricesOut struct {
	PurchaseBasePrice     json.Number `json:"purchase_base_price"`
	PurchaseRushSurcharge json.Number `json:"purchase_rush_surcharge"`
	PurchasePrice         json.Number `json:"purchase_price"`
	PurchasePriceInclVAT  json.Number `json:"purchase_price_incl_vat"`
	SalesPrice            json.Number `json:"sales_price"`
	PurchasePricePerPiece json.Number `json:"purchase_price_per_piece"`
}

type packageOut struct {
	Carrier      string `json:"carrier"`
	TrackingCode string `json:"tracking_code"`
	TrackingURL  string `json:"tracking_url"`
	CreatedAt    string `json:"created_at"`
}

type orderOut struct {
	Number              int64             `json:"number"`
	ID                  string            `json:"id"`
	Released            bool              `json:"released,omitempty"`
	Reference           string            `json:"reference"`
	PurchaseOrder       string            `json:"purchase_order"`
	ContactEmail        string            `json:"contact_email"`
	ErrorEmailAddresses []string          `json:"error_email_addresses"`
	CustomerID          *int64            `json:"customer_id"`
	ResellerID          int64             `json:"reseller_id,omitempty"`
	Language            string            `json:"language,omitempty"`
	OrderType           order.Type        `json:"order_type"`
	Stage               order.Stage       `json:"stage"`
	Status              order.Status      `json:"status"`
	Payment             order.Payment     `json:"payment"`
	OrderDate           string            `json:"order_date"`
	ExpiresAt           *string           `json:"expires_at,omitempty"`
	CallbackURLs        []string          `json:"callback_urls"`
	Delivery            orderDeliveryOut  `json:"delivery"`
	BillingAddress      *order.Address    `json:"billing_address"`
	PackingSlip         *order.FileRef    `json:"packing_slip"`
	ShippingLabel       *order.FileRef    `json:"shipping_label"`
	CustomFields        map[string]string `json:"custom_fields"`
	ProductionTime      string            `json:"production_time"`
	CalculationID       *int64            `json:"calculation_id"`
	CatalogVersion      int64             `json:"catalog_version"`
	Currency            string            `json:"currency"`
	VATRate             json.Number       `json:"vat_rate"`
	ReverseCharge       bool              `json:"reverse_charge"`
	Totals              totalsOut         `json:"totals"`
	TrackingPage        string            `json:"tracking_page,omitempty"`
	Packages            []packageOut      `json:"packages,omitempty"`
	Items               []itemOut         `json:"items,omitempty"`
	CreatedAt           string            `json:"created_at"`
	UpdatedAt           string            `json:"updated_at"`
	DryRun              bool              `json:"dry_run,omitempty"`
}

// orderDeliveryOut is where and when an order goes (what the reseller wished
// for, kept to price a draft again, stays in the core). A draft made
// without an address has null until it is given one.
type orderDeliveryOut struct {
	Address        *order.Address `json:"address"`
	ShippingMethod string         `json:"shipping_method"`
	ShippingDate   string         `json:"shipping_date"`
	DeliveryDate   string         `json:"delivery_date"`
}

func deliveryView(d order.Delivery) orderDeliveryOut {
	out := orderDeliveryOut{ShippingMethod: d.ShippingMethod, ShippingDate: d.ShippingDate, DeliveryDate: d.DeliveryDate}
	if d.Address != (order.Address{}) {
		out.Address = &d.Address
	}
	return out
}

func itemView(it *order.Item) itemOut {
	out := itemOut{
		ID: it.ID, Position: it.Position, Reference: it.Reference, Code: it.Product, CustomerCode: it.CustomerCode, Options: it.Options,
		Amount: dnum(it.Amount), Weight: dnum(it.Weight.Round(3)), FileState: it.FileState, Files: it.Files,
		Note: it.Note, Backprint: it.Backprint, Characteristics: it.Characteristics,
		Prices: itemPricesOut{
			PurchaseBasePrice: dnum(pricing.Round(it.Base)), PurchaseRushSurcharge: dnum(pricing.Round(it.Rush)),
			PurchasePrice: dnum(pricing.Round(it.Price.Excl)), PurchasePriceInclVAT: dnum(pricing.Round(it.Price.Incl)),
			SalesPrice: dnum(pricing.Round(it.Sales)), PurchasePricePerPiece: "0",
		},
	}
	if it.Amount.IsPositive() {
		out.Prices.PurchasePricePerPiece = dnum(pricing.RoundPiece(it.Price.Excl.DivRound(it.Amount, 16)))
	}
	if out.Files == nil {
		out.Files = []order.FileRef{}
	}
	if out.Characteristics == nil {
		out.Characteristics = map[string]string{}
	}
	if len(out.Options) == 0 {
		out.Options = json.RawMessage("[]")
	}
	return out
}

func (s *Server) orderView(o *order.Order, pkgs []*order.Package, withItems bool) orderOut {
	t := o.Totals
	out := orderOut{
		Number: o.Number, ID: o.OwnID, Released: o.Released, Reference: o.Reference, PurchaseOrder: o.PurchaseOrder,
		ContactEmail: o.ContactEmail, ErrorEmailAddresses: nonNil(o.ErrorEmails), Language: o.Language,
		OrderType: o.Type, Stage: o.Stage, Status: o.Status, Payment: o.Payment, OrderDate: o.OrderDate,
		CallbackURLs: nonNil(o.CallbackURLs), Delivery: deliveryView(o.Delivery), BillingAddress: o.Billing, PackingSlip: o.PackingSlip,
		ShippingLabel: o.ShippingLabel, CustomFields: o.CustomFields, ProductionTime: o.ProductionTime,
		CatalogVersion: o.CatalogVersion, Currency: o.Currency, VATRate: dnum(o.VATRate), ReverseCharge: o.ReverseCharge,
		Totals: totalsOut{
			Subtotal: money(t.Subtotal), Shipping: money(t.Shipping), StartingCosts: money(t.StartingCosts),
			Tax: dnum(pricing.Round(t.Total.Incl.Sub(t.Total.Excl))), Total: money(t.Total),
		},
		CreatedAt: rfc3339(o.CreatedAt), UpdatedAt: rfc3339(o.UpdatedAt),
	}
	if o.CustomerID != 0 {
		id := o.CustomerID
		out.CustomerID = &id
	}
	if o.CalculationID != 0 {
		id := o.CalculationID
		out.CalculationID = &id
	}
	if o.ExpiresAt != nil {
		e := rfc3339(*o.ExpiresAt)
		out.ExpiresAt = &e
	}
	if out.CustomFields == nil {
		out.CustomFields = map[string]string{}
	}
	if o.Stage == order.StageOrder && o.TrackingToken != "" {
		out.TrackingPage = s.PublicURL + "/track/" + o.TrackingToken
	}
	for _, p := range pkgs {
		out.Packages = append(out.Packages, packageOut{Carrier: p.Carrier, TrackingCode: p.TrackingCode, TrackingURL: p.TrackingURL, CreatedAt: rfc3339(p.CreatedAt)})
	}
	if withItems {
		out.Items = make([]itemOut, len(o.Items))
		for i, it := range o.Items {
			out.Items[i] = itemView(it)
		}
	}
	return out
}

// orderRequest translates the native body for the core.
func orderRequest(p *pressroom.Principal, in orderIn) (orders.Request, []pressroom.FieldError) {
	var fields []pressroom.FieldError
	req := orders.Request{
		Reseller: p.Reseller, Actor: order.ActorReseller, OwnID: in.ID, Reference: in.Reference, PurchaseOrder: in.PurchaseOrder,
		ContactEmail: in.ContactEmail, ErrorEmails: in.ErrorEmailAddresses, CustomerID: in.CustomerID, Language: in.Language,
		Type: order.Type(in.OrderType), OrderDate: in.OrderDate, CallbackURLs: in.CallbackURLs, Billing: in.BillingAddress,
		PackingSlip: in.PackingSlip.ref(), ShippingLabel: in.ShippingLabel.ref(), CustomFields: in.CustomFields,
		ProductionTime: in.ProductionTime,
	}
	switch in.Stage {
	case "", string(order.StageOrder):
	case string(order.StageDraft):
		req.Draft = true
	default:
		fields = append(fields, pressroom.FieldError{Pointer: "/stage", Code: "invalid_stage", Detail: `stage is "order" (default) or "draft"`})
	}
	// A draft may take its address later (PATCH /v1/orders/{number}).
	if (in.Delivery == nil || in.Delivery.Address == nil) && !req.Draft {
		fields = append(fields, pressroom.FieldError{Pointer: "/delivery/address", Code: "required", Detail: "the delivery address is required"})
	}
	if in.Delivery != nil {
		if in.Delivery.Address != nil {
			req.Address = *in.Delivery.Address
		}
		var fs []pressroom.FieldError
		req.Delivery, fs = in.Delivery.request()
		fields = append(fields, fs...)
	}
	if len(in.Items) > orders.MaxItems {
		return req, append(fields, pressroom.FieldError{Pointer: "/items", Code: "too_many", Detail: fmt.Sprintf("at most %d items", orders.MaxItems)})
	}
	for i, it := range in.Items {
		if len(it.Options) > 500 {
			fields = append(fields, pressroom.FieldError{Pointer: fmt.Sprintf("/items/%d/options", i), Code: "too_many_options", Detail: "at most 500 options"})
			continue
		}
		req.Items = append(req.Items, itemRequest(it))
	}
	return req, fields
}

// IdempotencyStale is how long a first request may run before a retry with
// the same key takes over (it died without an answer).
const IdempotencyStale = time.Minute

// POST /v1/orders
func (s *Server) handleCreateOrder(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if err := requireWrite(p); err != nil {
		s.Error(w, r, err)
		return
	}
	body, err := httpx.ReadBody(w, r, MaxBodyBytes)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key != "" {
		if len(key) > 255 {
			s.Error(w, r, pressroom.Invalid("The Idempotency-Key is too long.", pressroom.FieldError{Pointer: "Idempotency-Key", Code: "too_long", Detail: "at most 255 characters"}))
			return
		}
		sum := sha256.Sum256(body)
		prev, err := s.Store.BeginIdempotency(r.Context(), p.Reseller.ID, key, sum[:], IdempotencyStale)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if prev != nil {
			switch {
			case !bytes.Equal(prev.RequestHash, sum[:]):
				s.Error(w, r, pressroom.Invalid("This Idempotency-Key was used with another request body.",
					pressroom.FieldError{Pointer: "Idempotency-Key", Code: "idempotency_key_reused", Detail: "use a new key for a new request"}))
			case !prev.Done:
				s.Error(w, r, pressroom.Errorf(pressroom.ECONFLICT, "The first request with this Idempotency-Key is still running; retry in a moment."))
			default:
				w.Header().Set("Content-Type", prev.Answer.ContentType)
				w.Header().Set("Idempotent-Replayed", "true")
				if prev.Answer.Status == http.StatusCreated {
					var v struct{ Number int64 }
					if json.Unmarshal(prev.Answer.Body, &v) == nil && v.Number != 0 {
						w.Header().Set("Location", fmt.Sprintf("/v1/orders/%d", v.Number))
					}
				}
				w.WriteHeader(prev.Answer.Status)
				w.Write(prev.Answer.Body)
			}
			return
		}
	}
	status, ctype, out, number := s.createOrder(r, p, body, key)
	if key != "" && status != http.StatusCreated {
		// Errors are answers too; the created order's answer is stored with it.
		if err := s.Store.FinishIdempotency(r.Context(), p.Reseller.ID, key, pressroom.IdempotencyAnswer{Status: status, ContentType: ctype, Body: out}); err != nil {
			s.Logger.Error("idempotency answer not stored", "err", err)
		}
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if status == http.StatusCreated {
		w.Header().Set("Location", fmt.Sprintf("/v1/orders/%d", number))
	}
	w.WriteHeader(status)
	w.Write(out)
}

// createOrder runs the intake and renders its answer (status, type, body),
// with the new order's number (0 when none was created).
func (s *Server) createOrder(r *http.Request, p *pressroom.Principal, body []byte, key string) (int, string, []byte, int64) {
	var in orderIn
	if err := httpx.Unmarshal(body, true, &in); err != nil {
		return s.orderProblem(r, err)
	}
	req, fields := orderRequest(p, in)
	if len(fields) > 0 {
		return s.orderProblem(r, pressroom.Invalid(fmt.Sprintf("The order has %d problem(s); each names its field.", len(fields)), fields...))
	}
	var idem *pressroom.IdempotencyAnswer
	render := func(o *order.Order) (int, string, []byte, error) {
		data, err := httpx.Marshal(s.orderView(o, nil, true), false)
		return http.StatusCreated, "application/json", data, err
	}
	if key != "" && !in.DryRun {
		idem = &pressroom.IdempotencyAnswer{Key: key, Render: render}
	}
	res, err := s.Orders.Place(r.Context(), req, in.DryRun, idem)
	if err != nil {
		return s.orderProblem(r, err)
	}
	if res.DryRun {
		v := s.orderView(res.Order, nil, true)
		v.DryRun = true
		data, _ := httpx.Marshal(v, false)
		return http.StatusOK, "application/json", data, 0
	}
	status, ctype, data, _ := render(res.Order)
	return status, ctype, data, res.Order.Number
}

// orderProblem is createOrder's answer to an error (no order: number 0).
func (s *Server) orderProblem(r *http.Request, err error) (int, string, []byte, int64) {
	p := s.problem(r, err)
	data, _ := httpx.Marshal(p, false)
	return p.Status, "application/problem+json", data, 0
}

// orderToChange is the number of the order a request changes, once the
// key may change orders; false when the refusal is answered.
func (s *Server) orderToChange(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) (int64, bool) {
	if err := requireWrite(p); err != nil {
		s.Error(w, r, err)
		return 0, false
	}
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return 0, false
	}
	return n, true
}

func orderNumber(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || n < 1 {
		return 0, pressroom.Errorf(pressroom.ENOTFOUND, "Order %q not found.", r.PathValue("number"))
	}
	return n, nil
}

// resellerOf is the reseller whose orders a principal sees (0: every, for operators).
func resellerOf(p *pressroom.Principal) int64 {
	if p.Reseller == nil {
		return 0
	}
	return p.Reseller.ID
}

func (s *Server) writeOrder(w http.ResponseWriter, r *http.Request, status int, o *order.Order) {
	pkgs, err := s.Store.ListOrderPackages(r.Context(), o.Number)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := s.orderView(o, pkgs, true)
	if resellerOf(pressroom.PrincipalFromContext(r.Context())) == 0 {
		v.ResellerID = o.ResellerID
	}
	writeJSON(w, status, v)
}

// GET /v1/orders/{number}
func (s *Server) handleGetOrder(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, err := orderNumber(r)
	if err == nil {
		var o *order.Order
		if o, err = s.Orders.Get(r.Context(), resellerOf(p), n); err == nil {
			s.writeOrder(w, r, http.StatusOK, o)
			return
		}
	}
	s.Error(w, r, err)
}

// GET /v1/orders/{number}/items and /items/{itemId}
func (s *Server) handleOrderItems(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	o, err := s.pathOrder(r, p)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if id := r.PathValue("item"); id != "" {
		for _, it := range o.Items {
			if strconv.FormatInt(it.ID, 10) == id {
				writeJSON(w, http.StatusOK, itemView(it))
				return
			}
		}
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %q.", o.Number, id))
		return
	}
	out := make([]itemOut, len(o.Items))
	for i, it := range o.Items {
		out[i] = itemView(it)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

type eventOut struct {
	ID     int64       `json:"id"`
	At     string      `json:"at"`
	Actor  order.Actor `json:"actor"`
	Kind   string      `json:"kind"`
	From   string      `json:"from,omitempty"`
	To     string      `json:"to,omitempty"`
	Reason string      `json:"reason,omitempty"`
	// By names the staff member (the operator key's name); operators see it,
	// resellers do not.
	By   string          `json:"by,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
}

// eventView is an event as the API shows it.
func eventView(e *order.Event) eventOut {
	return eventOut{ID: e.ID, At: rfc3339(e.At), Actor: e.Actor, Kind: e.Kind, From: e.From, To: e.To, Reason: e.Reason, By: e.By, Data: e.Data}
}

// GET /v1/orders/{number}/events
func (s *Server) handleOrderEvents(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	evs, err := s.Orders.History(r.Context(), resellerOf(p), n)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := make([]eventOut, len(evs))
	for i, e := range evs {
		out[i] = eventView(e)
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out})
}

// GET /v1/orders
func (s *Server) handleListOrders(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	q := paramsOf(r) // every parameter's problem at once
	pg := q.page()
	f := pressroom.OrderFilter{ResellerID: resellerOf(p), Status: order.Status(q.get("status")), Stage: order.Stage(q.get("stage")),
		OwnID: q.get("id"), Reference: q.get("reference"), AddressName: q.get("address_name"), From: q.get("from"), To: q.get("to"),
		Offset: pg.offset(), Limit: pg.perPage}
	if f.Status != "" && !f.Status.Valid() {
		q.bad("status", "invalid_status", "one of: "+strings.Join(statusNames(), ", "), fmt.Sprintf("status %q is not an order status.", f.Status))
	}
	if f.Stage != "" && f.Stage != order.StageDraft && f.Stage != order.StageOrder {
		q.bad("stage", "invalid_stage", `"draft" or "order"`, fmt.Sprintf("stage is draft or order, not %q.", f.Stage))
	}
	switch f.Files = order.FilesSummary(q.get("files")); f.Files {
	case "", order.FilesReady, order.FilesWaiting, order.FilesFailed:
	default:
		q.bad("files", "invalid_files", `"ready" (every item's file passed, or it needs none), "waiting" or "failed"`,
			fmt.Sprintf("files is ready, waiting or failed, not %q.", f.Files))
	}
	q.add(f.DateProblems()...)
	f.CustomerID = q.id("customer_id", "customer id")
	switch q.get("sort") {
	case "", "desc":
	case "asc":
		f.Ascending = true
	default:
		q.bad("sort", "invalid_sort", `"asc" or "desc" (by order number)`, fmt.Sprintf("sort is asc or desc, not %q.", q.get("sort")))
	}
	if p.Reseller == nil { // an operator's
		f.ResellerID = q.id("reseller_id", "reseller id")
	}
	if err := q.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	list, total, err := s.Store.ListOrders(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := make([]orderOut, len(list))
	for i, o := range list {
		out[i] = s.orderView(o, nil, false)
		if p.Reseller == nil {
			out[i].ResellerID = o.ResellerID
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"meta": pg.meta(total), "data": out})
}

func statusNames() []string {
	out := make([]string, len(order.Statuses))
	for i, s := range order.Statuses {
		out[i] = string(s)
	}
	return out
}

// itemRequest translates one native item body for the core.
func itemRequest(it orderItemIn) orders.ItemRequest {
	ir := orders.ItemRequest{
		Reference: it.Reference, Item: pricing.Item{Code: it.Code, CustomerCode: it.CustomerCode, Options: selections(it.Options)},
		CalculationID: it.CalculationID, CalculationItem: it.CalculationItem, Upload: it.Upload, Note: it.Note,
		Backprint: it.Backprint, ProductionTime: it.ProductionTime, Characteristics: it.Characteristics,
	}
	for _, f := range it.Files {
		ir.Files = append(ir.Files, *f.ref())
	}
	return ir
}

func itemID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("item"), 10, 64)
	if err != nil || id < 1 {
		return 0, pressroom.Errorf(pressroom.ENOTFOUND, "No item %q.", r.PathValue("item"))
	}
	return id, nil
}

// draftItem decodes an item body for a draft change.
func (s *Server) draftItem(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) (int64, orders.ItemRequest, bool) {
	n, ok := s.orderToChange(w, r, p)
	if !ok {
		return 0, orders.ItemRequest{}, false
	}
	var in orderItemIn
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return 0, orders.ItemRequest{}, false
	}
	if len(in.Options) > 500 {
		s.Error(w, r, pressroom.Invalid("Too many options.", pressroom.FieldError{Pointer: "/options", Code: "too_many_options", Detail: "at most 500 options"}))
		return 0, orders.ItemRequest{}, false
	}
	return n, itemRequest(in), true
}

// POST /v1/orders/{number}/items: adds an item to a draft.
func (s *Server) handleAddItem(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, ir, ok := s.draftItem(w, r, p)
	if !ok {
		return
	}
	o, it, err := s.Orders.AddItem(r.Context(), p.Reseller, n, ir)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/v1/orders/%d/items/%d", o.Number, it.ID))
	s.writeOrder(w, r, http.StatusCreated, o)
}

// PUT /v1/orders/{number}/items/{item}: replaces a draft's item.
func (s *Server) handleReplaceItem(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, ir, ok := s.draftItem(w, r, p)
	if !ok {
		return
	}
	id, err := itemID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	o, err := s.Orders.ReplaceItem(r.Context(), p.Reseller, n, id, ir)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeOrder(w, r, http.StatusOK, o)
}

// DELETE /v1/orders/{number}/items/{item}: removes a draft's item.
func (s *Server) handleRemoveItem(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	s.orderAction(w, r, p, func(n int64) (*order.Order, error) {
		id, err := itemID(r)
		if err != nil {
			return nil, err
		}
		return s.Orders.RemoveItem(r.Context(), p.Reseller, n, id)
	})
}

// POST /v1/orders/{number}/checkout
func (s *Server) handleCheckout(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	s.orderAction(w, r, p, func(n int64) (*order.Order, error) { return s.Orders.Checkout(r.Context(), p.Reseller, n) })
}

// DELETE /v1/orders/{number}: deletes a draft.
func (s *Server) handleDeleteDraft(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, ok := s.orderToChange(w, r, p)
	if !ok {
		return
	}
	if err := s.Orders.DeleteDraft(r.Context(), p.Reseller, n); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// GET and PUT /v1/orders/{number}/items/{item}/characteristics
func (s *Server) handleCharacteristics(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := itemID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var it *order.Item
	if r.Method == http.MethodPut {
		if err := requireWrite(p); err != nil {
			s.Error(w, r, err)
			return
		}
		var in struct {
			Characteristics map[string]string `json:"characteristics"`
		}
		if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
			s.Error(w, r, err)
			return
		}
		_, it, err = s.Orders.SetCharacteristics(r.Context(), p.Reseller.ID, n, id, in.Characteristics)
	} else {
		var o *order.Order
		if o, err = s.Orders.Get(r.Context(), p.Reseller.ID, n); err == nil {
			err = pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %d.", n, id)
			for _, x := range o.Items {
				if x.ID == id {
					it, err = x, nil
				}
			}
		}
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ch := it.Characteristics
	if ch == nil {
		ch = map[string]string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"characteristics": ch})
}

// POST /v1/orders/{number}/cancel
func (s *Server) handleCancelOrder(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	s.orderAction(w, r, p, func(n int64) (*order.Order, error) {
		return s.Orders.Cancel(r.Context(), p.Reseller.ID, n, order.ActorReseller, "cancelled by the reseller")
	})
}

// POST /v1/orders/{number}/release
func (s *Server) handleReleaseOrder(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	s.orderAction(w, r, p, func(n int64) (*order.Order, error) { return s.Orders.Release(r.Context(), p.Reseller.ID, n) })
}

func (s *Server) orderAction(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, fn func(n int64) (*order.Order, error)) {
	n, ok := s.orderToChange(w, r, p)
	if !ok {
		return
	}
	// An action takes no body; drain a small one, refuse a large one.
	if err := httpx.NoBody(w, r, MaxBodyBytes); err != nil {
		s.Error(w, r, err)
		return
	}
	o, err := fn(n)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeOrder(w, r, http.StatusOK, o)
}

// GET and PUT /v1/orders/{number}/custom-fields
func (s *Server) handleCustomFields(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var o *order.Order
	if r.Method == http.MethodPut {
		if err := requireWrite(p); err != nil {
			s.Error(w, r, err)
			return
		}
		var in struct {
			CustomFields map[string]string `json:"custom_fields"`
		}
		if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
			s.Error(w, r, err)
			return
		}
		o, err = s.Orders.SetCustomFields(r.Context(), p.Reseller.ID, n, in.CustomFields)
	} else {
		o, err = s.Orders.Get(r.Context(), p.Reseller.ID, n)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	cf := o.CustomFields
	if cf == nil {
		cf = map[string]string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"custom_fields": cf})
}

// POST /v1/operator/orders/{number}/status
func (s *Server) handleOperatorStatus(w http.ResponseWriter, r *http.Request) {
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var in struct {
		Status        string `json:"status"`
		TrackAndTrace string `json:"track_and_trace"`
		Carrier       string `json:"carrier"`
		TrackingURL   string `json:"tracking_url"`
		Reason        string `json:"reason"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	o, err := s.Orders.Advance(r.Context(), n, orders.StatusChange{Status: order.Status(in.Status), Carrier: in.Carrier,
		TrackingCode: in.TrackAndTrace, TrackingURL: in.TrackingURL, Reason: in.Reason}, staff(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeOrder(w, r, http.StatusOK, o)
}

// POST /v1/operator/orders/{number}/erase: the personal data of a
// delivered or cancelled order goes (its reseller asked for it); the order
// is answered as it is now.
func (s *Server) handleOperatorErase(w http.ResponseWriter, r *http.Request) {
	n, err := orderNumber(r)
	if err == nil {
		err = httpx.NoBody(w, r, MaxBodyBytes) // an action takes no body
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	o, err := s.Orders.ErasePersonalData(r.Context(), n, staff(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeOrder(w, r, http.StatusOK, o)
}

// POST /v1/operator/orders/{number}/payment
func (s *Server) handleOperatorPayment(w http.ResponseWriter, r *http.Request) {
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var in struct {
		Payment string `json:"payment"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	o, err := s.Orders.SetPayment(r.Context(), n, order.Payment(in.Payment), staff(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeOrder(w, r, http.StatusOK, o)
}

// staff is who the operator key of the request names.
func staff(r *http.Request) order.Who {
	var name string
	if p := pressroom.PrincipalFromContext(r.Context()); p != nil {
		name = p.KeyName
	}
	return order.Staff(name)
}

// POST /v1/operator/orders/{number}/notes {"note"}: a note in the order's
// history for staff only (resellers' /events leave it out; no callback).
func (s *Server) handleOperatorNote(w http.ResponseWriter, r *http.Request) {
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	ev, err := s.Orders.AddNote(r.Context(), n, in.Note, staff(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, eventView(ev))
}

// operatorOrders adapts reseller-style handlers for operators (every reseller's orders).
func (s *Server) operatorOrders(h func(http.ResponseWriter, *http.Request, *pressroom.Principal)) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		h(w, r, pressroom.PrincipalFromContext(r.Context()))
	}
}

// GET /track/{token}: the public tracking page of an order: a page for a
// browser (Accept: text/html), else JSON.
func (s *Server) handleTracking(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept, Accept-Language")
	o, err := s.Store.FindOrderByTrackingToken(r.Context(), r.PathValue("token"))
	if err != nil && pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
		s.Error(w, r, err)
		return
	}
	if err != nil || o.Stage != order.StageOrder {
		if wantsHTML(r) { // the customer followed a link: a page that says so
			s.writeUnknownTrackingPage(w, r)
			return
		}
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "No such tracking page."))
		return
	}
	pkgs, err := s.Store.ListOrderPackages(r.Context(), o.Number)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if wantsHTML(r) {
		res, err := s.Store.FindResellerByID(r.Context(), o.ResellerID)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		s.writeTrackingPage(w, r, o, pkgs, res)
		return
	}
	out := map[string]any{"number": o.Number, "reference": o.Reference, "status": o.Status,
		"shipping_date": o.Delivery.ShippingDate, "delivery_date": o.Delivery.DeliveryDate, "packages": []packageOut{}}
	var ps []packageOut
	for _, p := range pkgs {
		ps = append(ps, packageOut{Carrier: p.Carrier, TrackingCode: p.TrackingCode, TrackingURL: p.TrackingURL, CreatedAt: rfc3339(p.CreatedAt)})
	}
	if ps != nil {
		out["packages"] = ps
	}
	writeJSON(w, http.StatusOK, out)
}

type reprintItemIn struct {
	ItemID   int64           `json:"item_id"`
	Quantity decimal.Decimal `json:"quantity"`
}

type reprintOut struct {
	ID        int64               `json:"id"`
	Order     int64               `json:"order"`
	Status    order.ReprintStatus `json:"status"`
	Reason    string              `json:"reason"`
	Note      string              `json:"note"`
	Items     []reprintItemOut    `json:"items"`
	NewOrder  *int64              `json:"new_order"`
	Decision  string              `json:"decision,omitempty"`
	CreatedAt string              `json:"created_at"`
	DecidedAt *string             `json:"decided_at"`
}

type reprintItemOut struct {
	ItemID   int64       `json:"item_id"`
	Quantity json.Number `json:"quantity"`
}

func reprintView(rp *order.Reprint) reprintOut {
	out := reprintOut{ID: rp.ID, Order: rp.OrderNumber, Status: rp.Status, Reason: rp.Reason, Note: rp.Note, Decision: rp.Decision,
		CreatedAt: rfc3339(rp.CreatedAt), Items: []reprintItemOut{}}
	for _, it := range rp.Items {
		out.Items = append(out.Items, reprintItemOut{ItemID: it.ItemID, Quantity: dnum(it.Quantity)})
	}
	if rp.NewOrder != 0 {
		n := rp.NewOrder
		out.NewOrder = &n
	}
	if rp.DecidedAt != nil {
		d := rfc3339(*rp.DecidedAt)
		out.DecidedAt = &d
	}
	return out
}

// POST /v1/orders/{number}/reprints
func (s *Server) handleRequestReprint(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, ok := s.orderToChange(w, r, p)
	if !ok {
		return
	}
	var in struct {
		Reason string          `json:"reason"`
		Note   string          `json:"note"`
		Items  []reprintItemIn `json:"items"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	items := make([]order.ReprintItem, len(in.Items))
	for i, it := range in.Items {
		items[i] = order.ReprintItem{ItemID: it.ItemID, Quantity: it.Quantity}
	}
	rp, err := s.Orders.RequestReprint(r.Context(), p.Reseller, n, in.Reason, in.Note, items)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, reprintView(rp))
}

// GET /v1/orders/{number}/reprints
func (s *Server) handleListReprints(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if _, err := s.Orders.Get(r.Context(), resellerOf(p), n); err != nil {
		s.Error(w, r, err)
		return
	}
	list, _, err := s.Store.ListReprints(r.Context(), pressroom.ReprintFilter{ResellerID: resellerOf(p), OrderNumber: n})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"reprints": reprintViews(list)})
}

func reprintViews(list []*order.Reprint) []reprintOut {
	out := make([]reprintOut, len(list))
	for i, rp := range list {
		out[i] = reprintView(rp)
	}
	return out
}

// GET /v1/operator/reprints?status=&reseller_id=&page=&per_page=
func (s *Server) handleOperatorReprints(w http.ResponseWriter, r *http.Request) {
	q := paramsOf(r)
	f := pressroom.ReprintFilter{Status: order.ReprintStatus(q.oneOf("status", string(order.ReprintRequested), string(order.ReprintApproved), string(order.ReprintRejected)))}
	f.ResellerID = q.id("reseller_id", "reseller id")
	pg := q.page()
	if err := q.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	f.Offset, f.Limit = pg.offset(), pg.perPage
	list, total, err := s.Store.ListReprints(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"meta": pg.meta(total), "reprints": reprintViews(list)})
}

// POST /v1/operator/reprints/{id}/approve and /reject
func (s *Server) handleDecideReprint(approve bool) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "Reprint")
		if err != nil {
			s.Error(w, r, err)
			return
		}
		var in struct {
			Note           string `json:"note"`
			ProductionTime string `json:"production_time"` // an approval's, when not the original's
		}
		if body, err := httpx.ReadBody(w, r, MaxBodyBytes); err != nil {
			s.Error(w, r, err)
			return
		} else if len(bytes.TrimSpace(body)) > 0 {
			if err := httpx.Unmarshal(body, true, &in); err != nil {
				s.Error(w, r, err)
				return
			}
		}
		rp, err := s.Orders.DecideReprint(r.Context(), id, orders.Decision{Approve: approve, Note: in.Note, By: staff(r).Name, ProductionTime: in.ProductionTime})
		if err != nil {
			s.Error(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, reprintView(rp))
	}
}
