package wl3

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/internal/render"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
)

// Accounts: the reseller's own account is its id ("7"); an end customer's
// is the reseller's id and the customer's ("7-12").

func accountID(resellerID, customerID int64) string {
	if customerID == 0 {
		return strconv.FormatInt(resellerID, 10)
	}
	return fmt.Sprintf("%d-%d", resellerID, customerID)
}

// customerOf reads an accountId: 0 for the reseller itself, else one of
// its end customers; ENOTFOUND for anything else.
func (s *Server) customerOf(ctx context.Context, r *pressroom.Reseller, id string) (int64, error) {
	notFound := pressroom.Errorf(pressroom.ENOTFOUND, "Account %q is not yours nor one of your end customers' (GET /wl3/api/accounts lists them).", id)
	head, tail, isCustomer := strings.Cut(strings.TrimSpace(id), "-")
	rid, err := strconv.ParseInt(head, 10, 64)
	if err != nil || rid != r.ID {
		return 0, notFound
	}
	if !isCustomer {
		return 0, nil
	}
	cid, err := strconv.ParseInt(tail, 10, 64)
	if err != nil {
		return 0, notFound
	}
	ok, err := s.Orders.CustomerOf(ctx, r.ID, cid)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, notFound
	}
	return cid, nil
}

type accountOut struct {
	AccountID string `json:"accountId"`
	Type      string `json:"type"` // "reseller" or "endCustomer"
	Name      string `json:"name"`
	Reference string `json:"reference,omitempty"`
}

type page[T any] struct {
	Data     []T `json:"data"`
	Page     int `json:"page"`
	PageSize int `json:"pageSize"`
	Total    int `json:"total"`
}

// GET /api/accounts: the accounts the caller may order for.
func (s *Server) handleAccounts(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	cs, err := s.Store.ListCustomers(r.Context(), p.Reseller.ID)
	if err != nil {
		s.fail(w, err, plain)
		return
	}
	out := []accountOut{{AccountID: accountID(p.Reseller.ID, 0), Type: "reseller", Name: p.Reseller.Name}}
	for _, c := range cs {
		out = append(out, accountOut{AccountID: accountID(p.Reseller.ID, c.ID), Type: "endCustomer", Name: c.Name, Reference: c.Reference})
	}
	writeJSON(w, http.StatusOK, page[accountOut]{Data: out, Page: 1, PageSize: len(out), Total: len(out)})
}

// flexString is a JSON string or number, read as text (accountId).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("accountId must be a string or a number")
	}
	*f = flexString(n.String())
	return nil
}

type addressIO struct {
	CompanyName string `json:"companyName,omitempty"`
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	Street      string `json:"street,omitempty"`
	HouseNumber string `json:"houseNumber,omitempty"`
	PostalCode  string `json:"postalCode,omitempty"`
	City        string `json:"city,omitempty"`
	Country     string `json:"country,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Email       string `json:"email,omitempty"`
}

func (a addressIO) core() order.Address {
	return order.Address{CompanyName: a.CompanyName, FirstName: a.FirstName, LastName: a.LastName, Street: a.Street, HouseNumber: a.HouseNumber,
		PostalCode: a.PostalCode, City: a.City, Country: a.Country, Phone: a.Phone, Email: a.Email}
}

func addressOut(a order.Address) *addressIO {
	if a == (order.Address{}) {
		return nil
	}
	return &addressIO{CompanyName: a.CompanyName, FirstName: a.FirstName, LastName: a.LastName, Street: a.Street,
		HouseNumber: strings.TrimSpace(a.HouseNumber + " " + a.Addition), PostalCode: a.PostalCode, City: a.City,
		Country: a.Country, Phone: a.Phone, Email: a.Email}
}

type orderIn struct {
	AccountID       *flexString `json:"accountId"`
	OrderDate       string      `json:"orderDate"`
	Reference       *string     `json:"reference"`
	PurchaseOrder   *string     `json:"purchaseOrder"`
	DeliveryAddress *addressIO  `json:"deliveryAddress"`
	ShippingMethod  *string     `json:"shippingMethod"`
	CallbackURL     *string     `json:"callbackUrl"`
}

// AccountID is the field as the document spells it; the same field.
type orderInDoc struct {
	orderIn
	AccountIDDoc *flexString `json:"AccountID"`
}

type moneyOut struct {
	ExclVAT json.Number `json:"exclVat"`
	InclVAT json.Number `json:"inclVat"`
}

func money(m order.Money) moneyOut {
	return moneyOut{ExclVAT: json.Number(pricing.Round(m.Excl).StringFixed(2)), InclVAT: json.Number(pricing.Round(m.Incl).StringFixed(2))}
}

type totalsOut struct {
	Items         moneyOut `json:"items"`
	Shipping      moneyOut `json:"shipping"`
	StartingCosts moneyOut `json:"startingCosts"`
	Total         moneyOut `json:"total"`
	Currency      string   `json:"currency"`
}

type characteristic struct {
	Code  string          `json:"code"`
	Value json.RawMessage `json:"value,omitempty"`
}

type fileIO struct {
	URL string `json:"url"`
	MD5 string `json:"md5,omitempty"`
}

type itemOut struct {
	ItemID          int64            `json:"itemId"`
	OrderID         int64            `json:"orderId"`
	ProductCode     string           `json:"productCode"`
	Quantity        json.Number      `json:"quantity"`
	Characteristics []characteristic `json:"characteristics"`
	Files           []fileIO         `json:"files"`
	FileState       string           `json:"fileState"`
	Price           moneyOut         `json:"price"`
}

type orderOut struct {
	OrderID         int64      `json:"orderId"`
	AccountID       string     `json:"accountId"`
	Status          string     `json:"status"`
	Stage           string     `json:"stage"`
	Reference       string     `json:"reference"`
	PurchaseOrder   string     `json:"purchaseOrder,omitempty"`
	OrderDate       string     `json:"orderDate"`
	ExpirationDate  *string    `json:"expirationDate"`
	DeliveryAddress *addressIO `json:"deliveryAddress"`
	ShippingMethod  string     `json:"shippingMethod"`
	ProductionTime  string     `json:"productionTime,omitempty"`
	ShippingDate    string     `json:"shippingDate,omitempty"`
	DeliveryDate    string     `json:"deliveryDate,omitempty"`
	CallbackURL     string     `json:"callbackUrl,omitempty"`
	Items           []itemOut  `json:"items"`
	Totals          totalsOut  `json:"totals"`
	CreatedAt       string     `json:"createdAt"`
}

// statusName is an order's status as this API names it.
func statusName(st order.Status) string {
	switch st {
	case order.Draft:
		return "Draft"
	case order.Accepted:
		return "Confirmed"
	case order.Hold:
		return "On Hold"
	case order.InProduction:
		return "In Production"
	case order.Logistics:
		return "Ready for Shipping"
	case order.ShipmentDelivered:
		return "Delivered"
	case order.Cancelled:
		return "Cancelled"
	}
	return "Shipped"
}

func stageName(o *order.Order) string {
	switch {
	case o.Stage == order.StageDraft:
		return "Draft"
	case o.Status == order.Cancelled:
		return "Cancelled"
	}
	return "Confirmed"
}

func item(o *order.Order, it *order.Item) itemOut {
	out := itemOut{ItemID: it.ID, OrderID: o.Number, ProductCode: it.Product, Quantity: json.Number(it.Amount.String()),
		Characteristics: characteristics(it), Files: []fileIO{}, FileState: string(it.FileState), Price: money(it.Price)}
	if it.CustomerCode != "" {
		out.ProductCode = it.CustomerCode
	}
	for _, f := range it.Files {
		out.Files = append(out.Files, fileIO{URL: f.URL, MD5: f.MD5})
	}
	return out
}

// characteristics are an item's chosen options besides the quantity.
func characteristics(it *order.Item) []characteristic {
	out := []characteristic{}
	var opts []pricing.Option
	json.Unmarshal(it.Options, &opts)
	for _, o := range opts {
		if o.Code == catalog.TypeAmount {
			continue
		}
		c := characteristic{Code: o.Code}
		if o.Value != "" {
			if _, err := decimal.NewFromString(o.Value); err == nil {
				c.Value = json.RawMessage(o.Value)
			} else {
				c.Value, _ = json.Marshal(o.Value)
			}
		}
		out = append(out, c)
	}
	return out
}

func orderOf(o *order.Order) orderOut {
	out := orderOut{OrderID: o.Number, AccountID: accountID(o.ResellerID, o.CustomerID), Status: statusName(o.Status), Stage: stageName(o),
		Reference: o.Reference, PurchaseOrder: o.PurchaseOrder, OrderDate: o.OrderDate, DeliveryAddress: addressOut(o.Delivery.Address),
		ShippingMethod: o.Delivery.ShippingMethod, ProductionTime: o.ProductionTime, Items: []itemOut{}, CreatedAt: o.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00"),
		Totals: totalsOut{Items: money(o.Totals.Subtotal), Shipping: money(o.Totals.Shipping), StartingCosts: money(o.Totals.StartingCosts),
			Total: money(o.Totals.Total), Currency: o.Currency}}
	if w := o.Delivery.Wish; w != nil && w.Method != "" {
		out.ShippingMethod = w.Method
	}
	if o.Stage == order.StageDraft {
		if o.ExpiresAt != nil {
			d := o.ExpiresAt.UTC().Format("2006-01-02")
			out.ExpirationDate = &d
		}
	} else {
		out.ShippingDate, out.DeliveryDate = o.Delivery.ShippingDate, o.Delivery.DeliveryDate
	}
	if len(o.CallbackURLs) > 0 {
		out.CallbackURL = o.CallbackURLs[0]
	}
	for _, it := range o.Items {
		out.Items = append(out.Items, item(o, it))
	}
	return out
}

func wishMethod(o *order.Order) string {
	if o.Delivery.Wish != nil {
		return o.Delivery.Wish.Method
	}
	return ""
}

// addressFields name the core's address fields as this API does.
var addressFields = map[string]string{"company_name": "companyName", "first_name": "firstName", "last_name": "lastName",
	"house_number": "houseNumber", "addition": "houseNumber", "postal_code": "postalCode", "province": "country"}

// orderField names a core field pointer the way this API names its fields.
func orderField(ptr string) string {
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	switch parts[0] {
	case "delivery":
		if len(parts) >= 3 && parts[1] == "address" {
			if f, ok := addressFields[parts[2]]; ok {
				return "deliveryAddress." + f
			}
			return "deliveryAddress." + parts[2]
		}
		return "shippingMethod"
	case "items":
		if len(parts) >= 2 {
			return "items[" + parts[1] + "]" + dotted(parts[2:])
		}
		return "items"
	case "order_date":
		return "orderDate"
	case "customer_id":
		return "accountId"
	case "callback_urls":
		return "callbackUrl"
	case "purchase_order":
		return "purchaseOrder"
	case "custom_fields":
		return "customFields" + dotted(parts[1:])
	}
	return strings.TrimPrefix(dotted(parts), ".")
}

func dotted(parts []string) string {
	out := ""
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err == nil {
			out += "[" + p + "]"
		} else if p != "" {
			out += "." + p
		}
	}
	return out
}

func plain(ptr string) string { return strings.TrimPrefix(dotted(strings.Split(ptr, "/")), ".") }

func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return httpx.DecodeJSON(w, r, MaxBodyBytes, false, v)
}

func newOwnID() string {
	var b [8]byte
	rand.Read(b[:])
	return "wl3-" + hex.EncodeToString(b[:])
}

// POST /api/orders: a draft for the reseller or one of its end customers.
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var in orderInDoc
	if err := decode(w, r, &in); err != nil {
		s.fail(w, err, plain)
		return
	}
	account := in.AccountID
	if account == nil {
		account = in.AccountIDDoc
	}
	if account == nil || strings.TrimSpace(string(*account)) == "" {
		writeError(w, http.StatusUnprocessableEntity, pressroom.EINVALID, "accountId is required: your account id (GET /v1/account) or one of your end customers' (GET /wl3/api/accounts)",
			fieldError{"accountId", "required"})
		return
	}
	customer, err := s.customerOf(r.Context(), p.Reseller, string(*account))
	if err != nil {
		s.fail(w, err, plain)
		return
	}
	req := orders.Request{Reseller: p.Reseller, Actor: order.ActorReseller, OwnID: newOwnID(), CustomerID: customer, Draft: true,
		OrderDate: in.OrderDate, Type: order.TypeProduction}
	apply(&req, in.orderIn)
	res, err := s.Orders.Place(r.Context(), req, false, nil)
	if err != nil {
		s.fail(w, err, orderField)
		return
	}
	writeJSON(w, http.StatusCreated, orderOf(res.Order))
}

// apply puts what a create or update body says onto the core's request.
func apply(req *orders.Request, in orderIn) {
	if in.Reference != nil {
		req.Reference = *in.Reference
	}
	if in.PurchaseOrder != nil {
		req.PurchaseOrder = *in.PurchaseOrder
	}
	if in.DeliveryAddress != nil {
		req.Address = in.DeliveryAddress.core()
	}
	if in.ShippingMethod != nil {
		req.Delivery.Method = *in.ShippingMethod
	}
	if in.CallbackURL != nil {
		req.CallbackURLs = nil
		if *in.CallbackURL != "" {
			req.CallbackURLs = []string{*in.CallbackURL}
		}
	}
}

// orderID reads {orderId} of the path; a number that is not an order of
// the caller is ENOTFOUND.
func orderID(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("orderId"), 10, 64)
	if err != nil || n <= 0 {
		return 0, pressroom.Errorf(pressroom.ENOTFOUND, "Order %q does not exist.", r.PathValue("orderId"))
	}
	return n, nil
}

func itemID(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("itemId"), 10, 64)
	if err != nil || n <= 0 {
		return 0, pressroom.Errorf(pressroom.ENOTFOUND, "Item %q does not exist.", r.PathValue("itemId"))
	}
	return n, nil
}

// load finds the caller's order of the path.
func (s *Server) load(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) (*order.Order, bool) {
	n, err := orderID(r)
	if err == nil {
		var o *order.Order
		if o, err = s.Orders.Get(r.Context(), p.Reseller.ID, n); err == nil && !(o.Released && o.Status == order.Cancelled && o.Stage == order.StageDraft) {
			return o, true
		} else if err == nil {
			err = pressroom.Errorf(pressroom.ENOTFOUND, "Order %d does not exist.", n)
		}
	}
	s.fail(w, err, plain)
	return nil, false
}

// GET /api/orders/{orderId}: a draft or a confirmed order.
func (s *Server) handleGet(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if o, ok := s.load(w, r, p); ok {
		writeJSON(w, http.StatusOK, orderOf(o))
	}
}

// PUT /api/orders/{orderId}: a draft's address, shipping method, reference.
func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, err := orderID(r)
	if err != nil {
		s.fail(w, err, plain)
		return
	}
	body, err := httpx.ReadBody(w, r, MaxBodyBytes)
	if err != nil {
		s.fail(w, err, plain)
		return
	}
	var in orderIn
	var null struct { // "deliveryAddress": null removes the address
		DeliveryAddress json.RawMessage `json:"deliveryAddress"`
	}
	if err := httpx.Unmarshal(body, false, &in); err != nil {
		s.fail(w, err, plain)
		return
	}
	httpx.Unmarshal(body, false, &null) // it read as in did
	noAddress := bytes.Equal(null.DeliveryAddress, []byte("null"))
	if in.AccountID != nil || in.OrderDate != "" {
		writeError(w, http.StatusUnprocessableEntity, pressroom.EINVALID, "A draft's account and order date are set when it is created", fieldError{"accountId", "cannot change"})
		return
	}
	o, err := s.Orders.UpdateDraft(r.Context(), p.Reseller, n, func(req *orders.Request) {
		apply(req, in)
		if noAddress {
			req.Address = order.Address{}
		}
	})
	if err != nil {
		s.fail(w, err, orderField)
		return
	}
	writeJSON(w, http.StatusOK, orderOf(o))
}

// stages maps ?stage= onto the store's filter.
func stageFilter(stage string, f *pressroom.OrderFilter) bool {
	switch strings.ToLower(stage) {
	case "", "confirmed":
		f.Stage, f.ExcludeStatus = order.StageOrder, order.Cancelled
	case "draft":
		f.Stage, f.Status = order.StageDraft, order.Draft
	case "all":
		f.ExcludeStatus = order.Cancelled
	default:
		return false
	}
	return true
}

// MaxPageSize bounds a page of a listing.
const MaxPageSize = 100

func paging(r *http.Request) (pg, size int, ok bool) {
	pg, size = 1, 20
	q := r.URL.Query()
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, false
		}
		pg = n
	}
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			return 0, 0, false
		}
		size = n
	}
	return pg, size, pg <= 1_000_000
}

// GET /api/orders?stage=Confirmed|Draft|All&page=&pageSize=
func (s *Server) handleList(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	f := pressroom.OrderFilter{ResellerID: p.Reseller.ID}
	if !stageFilter(r.URL.Query().Get("stage"), &f) {
		writeError(w, http.StatusBadRequest, pressroom.EMALFORMED, "stage is Confirmed (the default), Draft or All", fieldError{"stage", "unknown stage " + strconv.Quote(r.URL.Query().Get("stage"))})
		return
	}
	pg, size, ok := paging(r)
	if !ok {
		writeError(w, http.StatusBadRequest, pressroom.EMALFORMED, fmt.Sprintf("page starts at 1; pageSize is 1 to %d", MaxPageSize), fieldError{"page", "invalid paging"})
		return
	}
	f.Offset, f.Limit, f.WithItems = (pg-1)*size, size, true // each order as GET /api/orders/{orderId} has it
	list, total, err := s.Store.ListOrders(r.Context(), f)
	if err != nil {
		s.fail(w, err, plain)
		return
	}
	out := page[orderOut]{Data: []orderOut{}, Page: pg, PageSize: size, Total: total}
	for _, o := range list {
		out.Data = append(out.Data, orderOf(o))
	}
	writeJSON(w, http.StatusOK, out)
}

type itemIn struct {
	ProductCode     string            `json:"productCode"`
	Quantity        json.RawMessage   `json:"quantity"`
	Characteristics []render.OptionIn `json:"characteristics"`
	Files           []fileIO          `json:"files"`
}

// MaxCharacteristics bounds an item's characteristics.
const MaxCharacteristics = 200

// itemRequest builds the core's item; problems are 422 fields.
func itemRequest(in itemIn) (orders.ItemRequest, []fieldError) {
	var bad []fieldError
	if strings.TrimSpace(in.ProductCode) == "" {
		bad = append(bad, fieldError{"productCode", "required: a product code (GET /v1/products lists them)"})
	}
	if len(in.Characteristics) > MaxCharacteristics {
		bad = append(bad, fieldError{"characteristics", fmt.Sprintf("at most %d", MaxCharacteristics)})
	}
	it := orders.ItemRequest{Item: pricing.Item{Code: in.ProductCode, Options: render.Selections(in.Characteristics)}}
	qty, problem := render.ParseValue("quantity", in.Quantity)
	switch {
	case problem != "":
		bad = append(bad, fieldError{"quantity", problem})
	case qty == nil:
		bad = append(bad, fieldError{"quantity", "required: how many pieces"})
	default:
		it.Options = append(it.Options, catalog.Selection{Code: catalog.TypeAmount, Value: qty})
	}
	for _, f := range in.Files {
		it.Files = append(it.Files, order.FileRef{URL: f.URL, MD5: f.MD5})
	}
	it.Upload = len(it.Files) == 0
	return it, bad
}

// itemField names the core's item field pointers; the quantity is the
// last option the core is given.
func itemField(n int) func(string) string {
	return func(ptr string) string {
		var i int
		if _, err := fmt.Sscanf(ptr, "/options/%d", &i); err == nil {
			if i >= n {
				return "quantity"
			}
			return fmt.Sprintf("characteristics[%d]", i)
		}
		if strings.HasPrefix(ptr, "/files") {
			return "files" + dotted(strings.Split(strings.TrimPrefix(ptr, "/files"), "/"))
		}
		switch ptr {
		case "/", "/code", "":
			return "productCode"
		case "/options":
			return "characteristics"
		}
		return orderField(ptr)
	}
}

// POST /api/orders/{orderId}/items: only to a draft.
func (s *Server) handleAddItem(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, err := orderID(r)
	if err != nil {
		s.fail(w, err, plain)
		return
	}
	var in itemIn
	if err := decode(w, r, &in); err != nil {
		s.fail(w, err, plain)
		return
	}
	it, bad := itemRequest(in)
	if len(bad) > 0 {
		writeError(w, http.StatusUnprocessableEntity, pressroom.EINVALID, "The item is not valid", bad...)
		return
	}
	o, added, err := s.Orders.AddItem(r.Context(), p.Reseller, n, it)
	if err != nil {
		s.fail(w, err, itemField(len(in.Characteristics)))
		return
	}
	writeJSON(w, http.StatusCreated, item(o, added))
}

// GET /api/orders/{orderId}/items
func (s *Server) handleItems(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	o, ok := s.load(w, r, p)
	if !ok {
		return
	}
	out := page[itemOut]{Data: []itemOut{}, Page: 1, PageSize: len(o.Items), Total: len(o.Items)}
	for _, it := range o.Items {
		out.Data = append(out.Data, item(o, it))
	}
	writeJSON(w, http.StatusOK, out)
}

// findItem finds the path's item of a loaded order.
func (s *Server) findItem(w http.ResponseWriter, r *http.Request, o *order.Order) (*order.Item, bool) {
	id, err := itemID(r)
	if err == nil {
		for _, it := range o.Items {
			if it.ID == id {
				return it, true
			}
		}
		err = pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %d.", o.Number, id)
	}
	s.fail(w, err, plain)
	return nil, false
}

// GET /api/orders/{orderId}/items/{itemId}
func (s *Server) handleItem(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	o, ok := s.load(w, r, p)
	if !ok {
		return
	}
	if it, ok := s.findItem(w, r, o); ok {
		writeJSON(w, http.StatusOK, item(o, it))
	}
}

// DELETE /api/orders/{orderId}/items/{itemId}: only from a draft.
func (s *Server) handleDeleteItem(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, err := orderID(r)
	if err == nil {
		var id int64
		if id, err = itemID(r); err == nil {
			_, err = s.Orders.RemoveItem(r.Context(), p.Reseller, n, id)
		}
	}
	if err != nil {
		s.fail(w, err, plain)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// POST /api/orders/{orderId}/checkout: a draft with an address and a
// shipping method becomes a confirmed order, priced again.
func (s *Server) handleCheckout(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if err := httpx.NoBody(w, r, MaxBodyBytes); err != nil {
		s.fail(w, err, plain)
		return
	}
	o, ok := s.load(w, r, p)
	if !ok {
		return
	}
	if o.Stage != order.StageDraft {
		writeError(w, http.StatusConflict, pressroom.ECONFLICT, fmt.Sprintf("Order %d is %s already; only a draft is checked out.", o.Number, statusName(o.Status)))
		return
	}
	{
		var missing []fieldError
		if o.Delivery.Address.Country == "" {
			missing = append(missing, fieldError{"deliveryAddress", "required at checkout: set it with PUT /wl3/api/orders/" + strconv.FormatInt(o.Number, 10)})
		}
		if wishMethod(o) == "" {
			missing = append(missing, fieldError{"shippingMethod", "required at checkout: a shipping method code (GET /v1/shipping/methods lists them)"})
		}
		if len(missing) > 0 {
			writeError(w, http.StatusUnprocessableEntity, pressroom.EINVALID, "The draft is not complete", missing...)
			return
		}
	}
	done, err := s.Orders.Checkout(r.Context(), p.Reseller, o.Number)
	if err != nil {
		s.fail(w, err, orderField)
		return
	}
	writeJSON(w, http.StatusOK, orderOf(done))
}

type executionOut struct {
	OrderID         int64         `json:"orderId"`
	Status          string        `json:"status"`
	ExecutionStatus string        `json:"executionStatus"`
	ShippingDate    string        `json:"shippingDate,omitempty"`
	DeliveryDate    string        `json:"deliveryDate,omitempty"`
	Items           []itemState   `json:"items"`
	Shipments       []shipmentOut `json:"shipments"`
}

type itemState struct {
	ItemID    int64  `json:"itemId"`
	FileState string `json:"fileState"`
}

type shipmentOut struct {
	Carrier      string `json:"carrier,omitempty"`
	TrackingCode string `json:"trackingCode,omitempty"`
	TrackingURL  string `json:"trackingUrl,omitempty"`
}

// GET /api/orders/{orderId}/execute/status: confirmed orders only.
func (s *Server) handleExecuteStatus(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	o, ok := s.load(w, r, p)
	if !ok {
		return
	}
	if o.Stage == order.StageDraft {
		writeError(w, http.StatusConflict, pressroom.ECONFLICT, fmt.Sprintf("Order %d is a draft; it has an execution status once checked out.", o.Number))
		return
	}
	pkgs, err := s.Store.ListOrderPackages(r.Context(), o.Number)
	if err != nil {
		s.fail(w, err, plain)
		return
	}
	out := executionOut{OrderID: o.Number, Status: statusName(o.Status), ExecutionStatus: string(o.Status), ShippingDate: o.Delivery.ShippingDate,
		DeliveryDate: o.Delivery.DeliveryDate, Items: []itemState{}, Shipments: []shipmentOut{}}
	for _, it := range o.Items {
		out.Items = append(out.Items, itemState{ItemID: it.ID, FileState: string(it.FileState)})
	}
	for _, pk := range pkgs {
		out.Shipments = append(out.Shipments, shipmentOut{Carrier: pk.Carrier, TrackingCode: pk.TrackingCode, TrackingURL: pk.TrackingURL})
	}
	writeJSON(w, http.StatusOK, out)
}

type customField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type customFieldsIO struct {
	CustomFields []customField `json:"customFields"`
}

func customFieldsOf(o *order.Order) customFieldsIO {
	out := customFieldsIO{CustomFields: []customField{}}
	for k, v := range o.CustomFields {
		out.CustomFields = append(out.CustomFields, customField{k, v})
	}
	sort.Slice(out.CustomFields, func(i, j int) bool { return out.CustomFields[i].Name < out.CustomFields[j].Name })
	return out
}

// GET /api/orders/{orderId}/customfields
func (s *Server) handleCustomFields(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if o, ok := s.load(w, r, p); ok {
		writeJSON(w, http.StatusOK, customFieldsOf(o))
	}
}

// PUT /api/orders/{orderId}/customfields: the fields given are set (an
// empty value removes one); the others stay.
func (s *Server) handleSetCustomFields(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	o, ok := s.load(w, r, p)
	if !ok {
		return
	}
	var in customFieldsIO
	if err := decode(w, r, &in); err != nil {
		s.fail(w, err, plain)
		return
	}
	if in.CustomFields == nil {
		writeError(w, http.StatusUnprocessableEntity, pressroom.EINVALID, `Send {"customFields":[{"name","value"}]}`, fieldError{"customFields", "required"})
		return
	}
	fields := map[string]string{}
	for k, v := range o.CustomFields {
		fields[k] = v
	}
	for _, f := range in.CustomFields {
		if f.Value == "" {
			delete(fields, f.Name)
		} else {
			fields[f.Name] = f.Value
		}
	}
	done, err := s.Orders.SetCustomFields(r.Context(), p.Reseller.ID, o.Number, fields)
	if err != nil {
		s.fail(w, err, orderField)
		return
	}
	writeJSON(w, http.StatusOK, customFieldsOf(done))
}

type characteristicsIO struct {
	Characteristics []render.OptionIn `json:"characteristics"`
}

// GET /api/orders/{orderId}/items/{itemId}/characteristics
func (s *Server) handleCharacteristics(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	o, ok := s.load(w, r, p)
	if !ok {
		return
	}
	if it, ok := s.findItem(w, r, o); ok {
		writeJSON(w, http.StatusOK, map[string]any{"characteristics": characteristics(it)})
	}
}

// PUT /api/orders/{orderId}/items/{itemId}/characteristics: a draft's item
// is configured again with them (the quantity and files stay) and the
// draft priced again; a confirmed order's are read-only.
func (s *Server) handleSetCharacteristics(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	o, ok := s.load(w, r, p)
	if !ok {
		return
	}
	it, ok := s.findItem(w, r, o)
	if !ok {
		return
	}
	var in characteristicsIO
	if err := decode(w, r, &in); err != nil {
		s.fail(w, err, plain)
		return
	}
	if o.Stage != order.StageDraft {
		writeError(w, http.StatusConflict, pressroom.ECONFLICT, fmt.Sprintf("Order %d is confirmed; its items' characteristics are read-only.", o.Number))
		return
	}
	if in.Characteristics == nil {
		writeError(w, http.StatusUnprocessableEntity, pressroom.EINVALID, `Send {"characteristics":[{"code","value"}]}`, fieldError{"characteristics", "required"})
		return
	}
	body := itemIn{ProductCode: it.Product, Quantity: json.RawMessage(it.Amount.String()), Characteristics: in.Characteristics}
	for _, f := range it.Files {
		body.Files = append(body.Files, fileIO{URL: f.URL, MD5: f.MD5})
	}
	req, bad := itemRequest(body)
	if len(bad) > 0 {
		writeError(w, http.StatusUnprocessableEntity, pressroom.EINVALID, "The characteristics are not valid", bad...)
		return
	}
	req.Reference, req.Note, req.Backprint = it.Reference, it.Note, it.Backprint
	if it.CustomerCode != "" {
		req.Code, req.CustomerCode = "", it.CustomerCode
	}
	done, err := s.Orders.ReplaceItem(r.Context(), p.Reseller, o.Number, it.ID, req)
	if err != nil {
		s.fail(w, err, itemField(len(in.Characteristics)))
		return
	}
	for _, x := range done.Items {
		if x.ID == it.ID {
			writeJSON(w, http.StatusOK, map[string]any{"characteristics": characteristics(x), "item": item(done, x)})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"characteristics": []characteristic{}})
}
