package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/delivery"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
)

// draftPatchIn is what PATCH /v1/orders/{number} changes of a draft
// besides its items: a member present replaces what the draft says (an
// empty string, or null for an address, clears it), a member absent keeps
// it. The delivery's members are each their own.
type draftPatchIn struct {
	Reference      *string          `json:"reference"`
	PurchaseOrder  *string          `json:"purchase_order"`
	ContactEmail   *string          `json:"contact_email"`
	CallbackURLs   *[]string        `json:"callback_urls"`
	BillingAddress json.RawMessage  `json:"billing_address"`
	ProductionTime *string          `json:"production_time"`
	Delivery       *deliveryPatchIn `json:"delivery"`
}

type deliveryPatchIn struct {
	Address              json.RawMessage `json:"address"`
	DeliveryDate         *string         `json:"delivery_date"`
	ShippingDate         *string         `json:"shipping_date"`
	DeliveryDatePreset   *string         `json:"delivery_date_preset"`
	ShippingMethodCode   *string         `json:"shipping_method_code"`
	ShippingMethodPreset *string         `json:"shipping_method_preset"`
}

// fixedOnDraft names the order's members a draft's PATCH does not take,
// and where they change instead.
var fixedOnDraft = map[string]string{
	"id":                    "set when the draft is created",
	"order_type":            "set when the draft is created",
	"stage":                 "a draft becomes an order by POST /v1/orders/{number}/checkout",
	"order_date":            "set when the draft is created",
	"customer_id":           "set when the draft is created",
	"language":              "set when the draft is created",
	"error_email_addresses": "set when the draft is created",
	"packing_slip":          "set when the draft is created",
	"shipping_label":        "set when the draft is created",
	"dry_run":               "a change of a draft is made or refused, not tried",
	"items":                 "items change through /v1/orders/{number}/items",
	"custom_fields":         "custom fields change through PUT /v1/orders/{number}/custom-fields",
}

// PATCH /v1/orders/{number}: changes a draft's delivery (its address when
// the draft was made without one), billing address, references or
// production time, and prices it again.
func (s *Server) handleUpdateDraft(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, ok := s.orderToChange(w, r, p)
	if !ok {
		return
	}
	body, err := httpx.ReadBody(w, r, MaxBodyBytes)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var members map[string]json.RawMessage
	if err := httpx.Unmarshal(body, false, &members); err != nil {
		s.Error(w, r, err)
		return
	}
	var fields []pressroom.FieldError
	for _, k := range slices.Sorted(maps.Keys(members)) {
		if why, ok := fixedOnDraft[k]; ok {
			fields = append(fields, pressroom.FieldError{Pointer: "/" + k, Code: "cannot_change", Detail: why})
		}
	}
	if len(fields) > 0 {
		s.Error(w, r, pressroom.Invalid(fmt.Sprintf("A draft's PATCH cannot change %d of its members.", len(fields)), fields...))
		return
	}
	var in draftPatchIn
	if err := httpx.Unmarshal(body, true, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	if fields = in.nulls(members); len(fields) > 0 {
		s.Error(w, r, pressroom.Invalid("A draft keeps its delivery.", fields...))
		return
	}
	change, fields := in.apply()
	if len(fields) > 0 {
		s.Error(w, r, pressroom.Invalid(fmt.Sprintf("The change has %d problem(s); each names its field.", len(fields)), fields...))
		return
	}
	o, err := s.Orders.UpdateDraft(r.Context(), p.Reseller, n, change)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.writeOrder(w, r, http.StatusOK, o)
}

// nulls reads the members sent as null: null clears a member as "" (or
// [], for callback_urls) does, as JSON Merge Patch (RFC 7396) removes one,
// and as null removes an address. The delivery itself cannot go: its
// problem is answered.
func (in *draftPatchIn) nulls(members map[string]json.RawMessage) []pressroom.FieldError {
	isNull := func(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }
	clear := func(ms map[string]json.RawMessage, ptrs map[string]**string) {
		for name, p := range ptrs {
			if raw, ok := ms[name]; ok && isNull(raw) {
				*p = new(string)
			}
		}
	}
	clear(members, map[string]**string{"reference": &in.Reference, "purchase_order": &in.PurchaseOrder,
		"contact_email": &in.ContactEmail, "production_time": &in.ProductionTime})
	if raw, ok := members["callback_urls"]; ok && isNull(raw) {
		in.CallbackURLs = &[]string{}
	}
	raw, ok := members["delivery"]
	if !ok {
		return nil
	}
	if isNull(raw) {
		return []pressroom.FieldError{{Pointer: "/delivery", Code: "cannot_remove",
			Detail: `send the members to change instead ("address": null removes the address)`}}
	}
	var dm map[string]json.RawMessage
	if json.Unmarshal(raw, &dm) == nil && in.Delivery != nil {
		d := in.Delivery
		clear(dm, map[string]**string{"delivery_date": &d.DeliveryDate, "shipping_date": &d.ShippingDate,
			"delivery_date_preset": &d.DeliveryDatePreset, "shipping_method_code": &d.ShippingMethodCode, "shipping_method_preset": &d.ShippingMethodPreset})
	}
	return nil
}

// apply translates the patch into a change of the draft's request, with
// the problems of what it says (a date that is none).
func (in draftPatchIn) apply() (func(*orders.Request), []pressroom.FieldError) {
	var fields []pressroom.FieldError
	d := in.Delivery
	if d == nil {
		d = &deliveryPatchIn{}
	}
	billing, fields := addressField(fields, "/billing_address", in.BillingAddress)
	address, fields := addressField(fields, "/delivery/address", d.Address)
	// A date sent replaces (an empty one clears); one that is none is a problem.
	day := func(ptr string, v *string) (set bool, d *delivery.Date) {
		if v == nil {
			return false, nil
		}
		before := len(fields)
		d, fields = dayField(fields, ptr, *v)
		return len(fields) == before, d
	}
	setDelivery, deliveryDate := day("/delivery/delivery_date", d.DeliveryDate)
	setShipping, shippingDate := day("/delivery/shipping_date", d.ShippingDate)
	return func(req *orders.Request) {
		set(&req.Reference, in.Reference)
		set(&req.PurchaseOrder, in.PurchaseOrder)
		set(&req.ContactEmail, in.ContactEmail)
		set(&req.CallbackURLs, in.CallbackURLs)
		set(&req.ProductionTime, in.ProductionTime)
		if billing.sent {
			req.Billing = billing.a
		}
		if address.sent {
			req.Address = order.Address{}
			if address.a != nil {
				req.Address = *address.a
			}
		}
		set(&req.Delivery.DeliveryPreset, d.DeliveryDatePreset)
		set(&req.Delivery.Method, d.ShippingMethodCode)
		set(&req.Delivery.MethodPreset, d.ShippingMethodPreset)
		if setDelivery {
			req.Delivery.DeliveryDate = deliveryDate
		}
		if setShipping {
			req.Delivery.ShippingDate = shippingDate
		}
	}, fields
}

// addressPatch is an address member of a PATCH: sent with an address,
// sent as null (a is nil: remove it), or not sent.
type addressPatch struct {
	sent bool
	a    *order.Address
}

// addressField reads the address member at ptr, adding its problem to fields.
func addressField(fields []pressroom.FieldError, ptr string, raw json.RawMessage) (addressPatch, []pressroom.FieldError) {
	if len(raw) == 0 {
		return addressPatch{}, fields
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return addressPatch{sent: true}, fields
	}
	a := new(order.Address)
	if err := httpx.Unmarshal(raw, true, a); err != nil {
		return addressPatch{}, append(fields, pressroom.FieldError{Pointer: ptr, Code: "invalid_address", Detail: "an address object, or null to remove it"})
	}
	if *a == (order.Address{}) { // {} is no address: null removes one
		return addressPatch{}, append(fields, pressroom.FieldError{Pointer: ptr + "/country", Code: "required", Detail: "an address has at least its country; null removes the address"})
	}
	return addressPatch{sent: true, a: a}, fields
}

// set replaces *dst with *v when the member was sent.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
