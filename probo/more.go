package probo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/delivery"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/pricing"
)

type addressOut struct {
	CompanyName string  `json:"address_company_name"`
	FirstName   string  `json:"address_first_name"`
	LastName    string  `json:"address_last_name"`
	Street      string  `json:"address_street"`
	HouseNumber string  `json:"address_house_number"`
	Addition    *string `json:"address_addition"`
	PostalCode  string  `json:"address_postal_code"`
	City        string  `json:"address_city"`
	Country     string  `json:"address_country"`
	Phone       string  `json:"address_telephone_number"`
}

type listedOrder struct {
	Number             int64       `json:"number"`
	CustomerReference  string      `json:"customer_reference"`
	OrderDate          string      `json:"order_date"`
	CustomerOrderID    *string     `json:"customer_order_id"`
	TotalSalesPrice    json.Number `json:"total_sales_price"`
	TotalVAT           json.Number `json:"total_vat"`
	PreviewURL         *string     `json:"converted_preview_small_url"`
	DeliveryDate       *string     `json:"delivery_date"`
	DeliveryAddress    addressOut  `json:"delivery_address"`
	ExternalStatusCode string      `json:"external_status_code"`
}

// GET /orders: the reseller's orders, newest first, with the published
// description's filters: status, customer_order_id (your own id),
// order_date_from/to, address_company_name and address_first_name /
// address_last_name (in part), page and per_page.
func (s *Server) handleOrders(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	page, perPage, err := paging(r, 10)
	if err != nil {
		s.fail(w, err)
		return
	}
	q := r.URL.Query()
	// Drafts are not orders here; a status is Probo's (accepted is ours on
	// hold too), filtered by the store so that pages and counts hold.
	f := pressroom.OrderFilter{ResellerID: p.Reseller.ID, Stage: order.StageOrder, OwnID: q.Get("customer_order_id"),
		Offset: (page - 1) * perPage, Limit: perPage}
	for _, x := range []struct {
		name string
		dst  *string
	}{{"order_date_from", &f.From}, {"order_date_to", &f.To}} {
		if v := q.Get(x.name); v != "" {
			if _, err := delivery.ParseDate(v); err != nil {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("%s must be a date like 2021-01-15, not %q", x.name, v))
				return
			}
			*x.dst = v
		}
	}
	for _, name := range []string{"address_company_name", "address_last_name", "address_first_name"} {
		if v := q.Get(name); v != "" && f.AddressName == "" {
			f.AddressName = v
		}
	}
	if st := q.Get("status"); st != "" {
		for _, ours := range order.Statuses {
			if statusCode(ours) == st {
				f.AnyStatus = append(f.AnyStatus, ours)
			}
		}
		if len(f.AnyStatus) == 0 { // no order is ever in it
			writeJSON(w, http.StatusOK, map[string]any{"meta": meta{Page: page, PerPage: perPage}, "orders": []listedOrder{}})
			return
		}
	}
	list, total, err := s.Store.ListOrders(r.Context(), f)
	if err != nil {
		s.fail(w, err)
		return
	}
	out := []listedOrder{}
	for _, o := range list {
		a := o.Delivery.Address
		lo := listedOrder{
			Number: o.Number, CustomerReference: o.Reference, OrderDate: timeOf(o.CreatedAt),
			TotalSalesPrice: json.Number(pricing.Round(o.Totals.Total.Excl).String()),
			TotalVAT:        json.Number(pricing.Round(o.Totals.Total.Incl).Sub(pricing.Round(o.Totals.Total.Excl)).String()),
			DeliveryAddress: addressOut{CompanyName: a.CompanyName, FirstName: a.FirstName, LastName: a.LastName, Street: a.Street,
				HouseNumber: a.HouseNumber, PostalCode: a.PostalCode, City: a.City, Country: a.Country, Phone: a.Phone},
			ExternalStatusCode: statusCode(o.Status),
		}
		if a.Addition != "" {
			add := a.Addition
			lo.DeliveryAddress.Addition = &add
		}
		if o.OwnID != "" {
			id := o.OwnID
			lo.CustomerOrderID = &id
		}
		if o.Delivery.DeliveryDate != "" {
			d := o.Delivery.DeliveryDate + "T00:00:00+0000"
			lo.DeliveryDate = &d
		}
		out = append(out, lo)
	}
	writeJSON(w, http.StatusOK, map[string]any{"meta": meta{Page: page, PerPage: perPage, Items: total, Pages: (total + perPage - 1) / perPage}, "orders": out})
}

// POST /drafts: an order kept as a draft (it expires 7 days after its
// order date); it is checked out through the native API.
func (s *Server) handleDraft(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
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
		writeError(w, http.StatusBadRequest, problem)
		return
	}
	req.Draft = true
	res, err := s.Orders.Place(r.Context(), req, false, nil)
	if err != nil {
		writeError(w, http.StatusBadRequest, messageOf(err))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"status": "ok", "code": 200, "message": "Draft created", "id": res.Order.Number})
}

type ticketIn struct {
	ID                  json.RawMessage `json:"id"`
	OrderID             string          `json:"order_id"`
	SupplierOrderNumber int64           `json:"supplier_order_number"`
	Reason              string          `json:"reason"`
	Description         string          `json:"description"`
	SuggestedSolution   string          `json:"suggested_solution"`
	ContactEmail        string          `json:"contact_email"`
	Products            []struct {
		ID     json.RawMessage `json:"id"`
		Amount json.RawMessage `json:"amount"`
	} `json:"products"`
}

// reprintReason reads a ticket's free reason as one of the core's.
func reprintReason(reason string) string {
	r := strings.ToLower(reason)
	for _, k := range order.ReprintReasons {
		if strings.Contains(strings.ReplaceAll(r, " ", ""), k) {
			return k
		}
	}
	switch {
	case strings.Contains(r, "swap"), strings.Contains(r, "wrong"):
		return "swappedcompletely"
	case strings.Contains(r, "broken"), strings.Contains(r, "damage"):
		return "damaged"
	}
	return "quality"
}

// POST /ticket: a claim on a produced order, taken as a reprint request
// that staff decide.
func (s *Server) handleTicket(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var in ticketIn
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, false, &in); err != nil {
		s.fail(w, err)
		return
	}
	if in.Reason == "" || in.SuggestedSolution == "" || (in.OrderID == "" && in.SupplierOrderNumber == 0) {
		writeError(w, http.StatusBadRequest, "A ticket needs order_id (or supplier_order_number), reason and suggested_solution")
		return
	}
	o, err := s.findOrder(r, p.Reseller.ID, in.OrderID, "", in.SupplierOrderNumber)
	if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		writeError(w, http.StatusNotFound, "Order does not exist")
		return
	} else if err != nil {
		s.fail(w, err)
		return
	}
	var items []order.ReprintItem
	for _, pr := range in.Products {
		id := strings.Trim(string(pr.ID), `" `)
		var it *order.Item
		for _, x := range o.Items {
			if x.Reference == id || strconv.Itoa(x.Position) == id && x.Reference == "" {
				it = x
			}
		}
		if it == nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("The order has no product %s", id))
			return
		}
		q, err := decimal.NewFromString(strings.Trim(string(pr.Amount), `" `))
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("The amount of product %s must be a number", id))
			return
		}
		items = append(items, order.ReprintItem{ItemID: it.ID, Quantity: q})
	}
	note := strings.TrimSpace(fmt.Sprintf("Ticket %s: %s. %s Suggested solution: %s", strings.Trim(string(in.ID), `"`), in.Reason, in.Description, in.SuggestedSolution))
	if len(note) > 1000 {
		note = note[:1000]
	}
	rp, err := s.Orders.RequestReprint(r.Context(), p.Reseller, o.Number, reprintReason(in.Reason), note, items)
	if err != nil {
		writeError(w, http.StatusBadRequest, messageOf(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "code": 200, "message": "Ticket created", "id": rp.ID})
}

// GET /tickets: the reseller's tickets (reprint requests), newest first.
func (s *Server) handleTickets(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	page, perPage, err := paging(r, 20)
	if err != nil {
		s.fail(w, err)
		return
	}
	list, total, err := s.Store.ListReprints(r.Context(), pressroom.ReprintFilter{ResellerID: p.Reseller.ID, Offset: (page - 1) * perPage, Limit: perPage})
	if err != nil {
		s.fail(w, err)
		return
	}
	type ticketOut struct {
		SupplierOrderNumber int64  `json:"supplier_order_number"`
		ID                  string `json:"id"`
		Status              string `json:"status"`
		CreatedAt           string `json:"created_at"`
	}
	out := []ticketOut{}
	for _, rp := range list {
		st := "open"
		if rp.Status != order.ReprintRequested {
			st = "closed"
		}
		out = append(out, ticketOut{SupplierOrderNumber: rp.OrderNumber, ID: strconv.FormatInt(rp.ID, 10), Status: st, CreatedAt: rp.CreatedAt.UTC().Format("20060102")})
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "code": 200, "meta": meta{Page: page, PerPage: perPage, Items: total, Pages: (total + perPage - 1) / perPage}, "tickets": out})
}

// POST /project {"name","number","note"}: a group for orders
// (project_id on an order).
func (s *Server) handleProject(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var in struct {
		Name   string `json:"name"`
		Number string `json:"number"`
		Note   string `json:"note"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, false, &in); err != nil {
		s.fail(w, err)
		return
	}
	pr := &pressroom.Project{ResellerID: p.Reseller.ID, Name: in.Name, Number: in.Number, Note: in.Note}
	if err := s.Store.CreateProject(r.Context(), pr); err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "code": 200, "message": "Project created", "id": pr.ID})
}

// GET /projects: the reseller's projects, oldest first.
func (s *Server) handleProjects(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	page, perPage, err := paging(r, 20)
	if err != nil {
		s.fail(w, err)
		return
	}
	list, total, err := s.Store.ListProjects(r.Context(), p.Reseller.ID, (page-1)*perPage, perPage)
	if err != nil {
		s.fail(w, err)
		return
	}
	type projectOut struct {
		ID        int64  `json:"id"`
		Name      string `json:"name"`
		Number    string `json:"number"`
		Note      string `json:"note"`
		CreatedAt string `json:"created_at"`
		UpdatedAt string `json:"updated_at"`
	}
	out := []projectOut{}
	for _, pr := range list {
		out = append(out, projectOut{pr.ID, pr.Name, pr.Number, pr.Note, timeOf(pr.CreatedAt), timeOf(pr.UpdatedAt)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "code": 200, "meta": meta{Page: page, PerPage: perPage, Items: total, Pages: (total + perPage - 1) / perPage}, "projects": out})
}
