package boxes

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
)

// Method is the shipping method of box orders: delivery is in the price
// of the boxes, as the document's amounts show.
const Method = "box-freight"

// invalid is one failing field: the document reports the first only.
type invalid struct {
	typ, code, path, message string
}

func (e *invalid) Error() string { return e.code + " " + e.path + ": " + e.message }

func fieldErr(code, path, message string) *invalid {
	return &invalid{"VALIDATION_ERROR", code, path, message}
}

// ORD codes of the document, by field.
var dimCodes = map[string]string{"width": "ORD_1107", "depth": "ORD_1108", "height": "ORD_1109"}
var finishCodes = map[string]string{"printing": "ORD_1112", "gold": "ORD_1113", "silver": "ORD_1114", "varnish": "ORD_1115"}
var addressCodes = []struct{ field, code string }{
	{"first_name", "ORD_1118"}, {"last_name", "ORD_1119"}, {"company", "ORD_1120"}, {"co", "ORD_1121"}, {"phone", "ORD_1122"},
	{"country_code", "ORD_1123"}, {"province", "ORD_1124"}, {"city", "ORD_1125"}, {"zip_code", "ORD_1126"}, {"address", "ORD_1127"},
}

var twoDecimals = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)

// dimension reads a positive number of at most two decimals.
func dimension(raw json.RawMessage) (decimal.Decimal, bool) {
	s := strings.TrimSpace(string(raw))
	if !twoDecimals.MatchString(s) {
		return decimal.Zero, false
	}
	d, err := decimal.NewFromString(s)
	return d, err == nil && d.IsPositive()
}

type itemIn struct {
	Article           json.RawMessage `json:"article"`
	Material          json.RawMessage `json:"material"`
	Width             json.RawMessage `json:"width"`
	Depth             json.RawMessage `json:"depth"`
	Height            json.RawMessage `json:"height"`
	References        json.RawMessage `json:"references"`
	Printing          json.RawMessage `json:"printing"`
	Gold              json.RawMessage `json:"gold"`
	Silver            json.RawMessage `json:"silver"`
	Varnish           json.RawMessage `json:"varnish"`
	ManufacturingTime json.RawMessage `json:"manufacturing_time"`
}

func str(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func boolean(raw json.RawMessage) (bool, bool) {
	var b bool
	if len(raw) == 0 || json.Unmarshal(raw, &b) != nil {
		return false, false
	}
	return b, true
}

// boxProduct is an article of the catalog: a box.
func boxProduct(cat *catalog.Catalog, code string) *catalog.CompiledProduct {
	p := cat.Product(code)
	if p == nil || p.ArticleGroup != catalog.GroupBox || !p.IsActive() {
		return nil
	}
	return p
}

// isMaterial reports whether code is a material the article is made of:
// an option of the product that links that catalog material.
func isMaterial(p *catalog.CompiledProduct, code string) bool {
	if p.Option(code) == nil {
		return false
	}
	for _, l := range p.LinkedProducts {
		if l.Material == code {
			return true
		}
	}
	return false
}

// translateItem checks one item in the document's order and builds the
// core's item; quantities are the sum of the references.
func translateItem(cat *catalog.Catalog, i int, in itemIn) (orders.ItemRequest, []int64, *invalid) {
	at := func(f string) string { return fmt.Sprintf("items[%d].%s", i, f) }
	var it orders.ItemRequest
	article, _ := str(in.Article)
	p := boxProduct(cat, article)
	if p == nil {
		return it, nil, fieldErr("ORD_1105", at("article"), "article must be a valid article code")
	}
	material, _ := str(in.Material)
	if !isMaterial(p, material) {
		return it, nil, fieldErr("ORD_1106", at("material"), "material must be a valid material code")
	}
	dims := map[string]decimal.Decimal{}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{{"width", in.Width}, {"depth", in.Depth}, {"height", in.Height}} {
		v, ok := dimension(f.raw)
		if !ok {
			return it, nil, fieldErr(dimCodes[f.name], at(f.name), f.name+" is required and must be a positive number with no more than two decimal places")
		}
		dims[f.name] = v
	}
	var refs []json.RawMessage
	if json.Unmarshal(in.References, &refs) != nil || len(refs) == 0 {
		return it, nil, fieldErr("ORD_1110", at("references"), "references is required")
	}
	var quantities []int64
	total := int64(0)
	for j, raw := range refs {
		var ref struct {
			Quantity json.RawMessage `json:"quantity"`
		}
		q, err := strconv.ParseInt(strings.TrimSpace(string(ref.Quantity)), 10, 64)
		if json.Unmarshal(raw, &ref) == nil {
			q, err = strconv.ParseInt(strings.TrimSpace(string(ref.Quantity)), 10, 64)
		}
		if err != nil || q < 1 || q > 10_000_000 {
			return it, nil, fieldErr("ORD_1111", fmt.Sprintf("items[%d].references[%d].quantity", i, j), "quantity is required and must be a integer positive number")
		}
		quantities = append(quantities, q)
		total += q
	}
	finish := map[string]bool{}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{{"printing", in.Printing}, {"gold", in.Gold}, {"silver", in.Silver}, {"varnish", in.Varnish}} {
		v, ok := boolean(f.raw)
		if !ok {
			msg := f.name + " must be a boolean value"
			if f.name != "printing" {
				msg += " or its value it's not allowed in this configuration"
			}
			return it, nil, fieldErr(finishCodes[f.name], at(f.name), msg)
		}
		finish[f.name] = v
	}
	// Which finishes a material and the other choices allow is the
	// catalog's: ask the configurator, finish by finish.
	yn := func(name string) catalog.Selection {
		if finish[name] {
			return catalog.Selection{Code: name + "-yes"}
		}
		return catalog.Selection{Code: name + "-no"}
	}
	amount := decimal.NewFromInt(total)
	w, d, h := dims["width"], dims["depth"], dims["height"]
	sels := []catalog.Selection{{Code: catalog.TypeWidth, Value: &w}, {Code: catalog.TypeDepth, Value: &d}, {Code: catalog.TypeHeight, Value: &h},
		{Code: catalog.TypeAmount, Value: &amount}, {Code: material}}
	for _, name := range []string{"printing", "gold", "silver", "varnish"} {
		sels = append(sels, yn(name))
		cfg := p.Configure(sels, "en")
		for _, pr := range cfg.Problems {
			if pr.Option == yn(name).Code {
				return it, nil, fieldErr(finishCodes[name], at(name), name+" must be a boolean value or its value it's not allowed in this configuration: "+pr.Reason)
			}
		}
	}
	sels = append(sels, catalog.Selection{Code: "customer-supplied-file"})
	mt, _ := str(in.ManufacturingTime)
	if mt == "" || p.ProductionTime(mt) == nil {
		return it, nil, fieldErr("ORD_1116", at("manufacturing_time"), "manufacturing_time must be a valid manufacturing_time code")
	}
	it = orders.ItemRequest{Item: pricing.Item{Code: article, Options: sels}, ProductionTime: mt, Upload: finish["printing"],
		Characteristics: map[string]string{"references": joinInts(quantities)}}
	return it, quantities, nil
}

func joinInts(v []int64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatInt(x, 10)
	}
	return strings.Join(s, ",")
}

type orderIn struct {
	PurchaseOrder json.RawMessage `json:"purchase_order"`
	Items         json.RawMessage `json:"items"`
	Shipping      json.RawMessage `json:"shipping"`
	Billing       json.RawMessage `json:"billing"`
}

// address reads a shipping or billing address; each field must be a string.
func address(cat *catalog.Catalog, raw json.RawMessage, path string) (order.Address, *invalid) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		return order.Address{}, fieldErr("ORD_1117", path, path+" is required")
	}
	v := map[string]string{}
	for _, f := range addressCodes {
		s, ok := str(fields[f.field])
		if !ok {
			return order.Address{}, fieldErr(f.code, path+"."+f.field, f.field+" must be a string")
		}
		if f.field == "country_code" && (len(s) != 2 || cat.Commerce.Countries[strings.ToUpper(s)] == nil) {
			return order.Address{}, fieldErr(f.code, path+"."+f.field, "country_code must be a valid iso code")
		}
		v[f.field] = s
	}
	a := order.Address{FirstName: v["first_name"], LastName: v["last_name"], CompanyName: v["company"], CareOf: v["co"], Phone: v["phone"],
		Country: strings.ToUpper(v["country_code"]), Province: v["province"], City: v["city"], PostalCode: v["zip_code"], Street: v["address"]}
	if a.Country == "NL" { // a Dutch address has its house number apart: the line ends in it
		if m := houseNumber.FindStringSubmatch(strings.TrimSpace(a.Street)); m != nil {
			a.Street, a.HouseNumber = m[1], m[2]
		}
	}
	return a, nil
}

var houseNumber = regexp.MustCompile(`^(.*\D)\s+(\d+\s*[A-Za-z0-9-]{0,6})$`)

func newOwnID() string {
	var b [8]byte
	rand.Read(b[:])
	return "box-" + hex.EncodeToString(b[:])
}

// POST /v1/reseller/orders
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, env *envelope) {
	data, err := httpx.ReadBody(w, r, MaxBodyBytes)
	if err != nil {
		s.failCore(w, env, err, "VALIDATION_ERROR")
		return
	}
	var body any
	if json.Unmarshal(data, &body) == nil {
		env.Request["body"] = body
	}
	var in orderIn
	if err := json.Unmarshal(data, &in); err != nil {
		env.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "The body is not a JSON object", &errDetail{Code: "ORD_1104", Path: "items", Message: "items is required"})
		return
	}
	if p.Reseller.Edition == pressroom.EditionFree {
		env.fail(w, http.StatusForbidden, "ORDER_ERROR", "The free edition cannot place orders", nil)
		return
	}
	req, bad := s.translate(p, in)
	if bad != nil {
		env.fail(w, http.StatusBadRequest, bad.typ, bad.message, &errDetail{Code: bad.code, Path: bad.path, Message: bad.message})
		return
	}
	res, err := s.Orders.Place(r.Context(), req, false, nil)
	if err != nil {
		if bad := coreProblem(err); bad != nil {
			env.fail(w, http.StatusBadRequest, bad.typ, bad.message, &errDetail{Code: bad.code, Path: bad.path, Message: bad.message})
			return
		}
		s.failCore(w, env, err, "ORDER_ERROR")
		return
	}
	env.ok(w, orderView(s.Catalog.Current(), res.Order))
}

func (s *Server) translate(p *pressroom.Principal, in orderIn) (orders.Request, *invalid) {
	cat := s.Catalog.Current()
	req := orders.Request{Reseller: p.Reseller, Actor: order.ActorReseller, OwnID: newOwnID(), Type: order.TypeProduction,
		MixedTimes: true, Payment: order.PaymentPending, API: "boxes", Delivery: pricing.DeliveryRequest{Method: Method}}
	if len(in.PurchaseOrder) > 0 && string(in.PurchaseOrder) != "null" {
		po, ok := str(in.PurchaseOrder)
		if !ok || strings.TrimSpace(po) == "" {
			return req, fieldErr("ORD_1103", "purchase_order", "purchase_order is required")
		}
		req.PurchaseOrder, req.Reference = po, po
	}
	var items []itemIn
	if json.Unmarshal(in.Items, &items) != nil || len(items) == 0 {
		return req, fieldErr("ORD_1104", "items", "items is required")
	}
	if len(items) > orders.MaxItems {
		return req, fieldErr("ORD_1104", "items", fmt.Sprintf("items is required: at most %d", orders.MaxItems))
	}
	for i, x := range items {
		it, _, bad := translateItem(cat, i, x)
		if bad != nil {
			return req, bad
		}
		req.Items = append(req.Items, it)
	}
	addr, bad := address(cat, in.Shipping, "shipping")
	if bad != nil {
		return req, bad
	}
	req.Address = addr
	if len(in.Billing) > 0 && string(in.Billing) != "null" {
		b, bad := address(cat, in.Billing, "billing")
		if bad != nil {
			return req, bad
		}
		req.Billing = &b
	}
	return req, nil
}

// coreProblem turns the core's first field problem into the document's
// error: too few press sheets is ORD_1134, what the box geometry does not
// allow a BOX_ERROR on the field.
func coreProblem(err error) *invalid {
	fields := pressroom.ErrorFields(err)
	if pressroom.ErrorCode(err) != pressroom.EINVALID || len(fields) == 0 {
		return nil
	}
	f := fields[0]
	path := strings.TrimPrefix(f.Pointer, "/")
	var i int
	if _, err := fmt.Sscanf(f.Pointer, "/items/%d", &i); err == nil {
		path = fmt.Sprintf("items[%d]", i)
	}
	switch f.Code {
	case "min_sheets":
		return &invalid{"QUANTITY_ERROR", "ORD_1134", path + ".references", "the number of sheets doesn't reach the minimum required quantity: " + f.Detail}
	case "blank_too_large":
		return &invalid{"BOX_ERROR", "BOX_ERROR", path, f.Detail}
	}
	if strings.HasPrefix(f.Pointer, "/delivery/address") {
		return &invalid{"VALIDATION_ERROR", "ORD_1123", "shipping", f.Detail}
	}
	return &invalid{"BOX_ERROR", "BOX_ERROR", path, f.Detail}
}

// Ids: 2024-1724415-8887275 is the order date's year, the reseller and the
// order number; its products add .01, .02 ...
func orderID(o *order.Order) string {
	year := o.OrderDate
	if len(year) >= 4 {
		year = year[:4]
	}
	return fmt.Sprintf("%s-%d-%d", year, o.ResellerID, o.Number)
}

func productID(o *order.Order, it *order.Item) string {
	return fmt.Sprintf("%s.%02d", orderID(o), it.Position)
}

// parseOrderID reads an order id; the reseller segment must be the caller's.
func parseOrderID(id string, resellerID int64) (int64, bool) {
	parts := strings.Split(id, "-")
	if len(parts) != 3 || len(parts[0]) != 4 {
		return 0, false
	}
	rid, err1 := strconv.ParseInt(parts[1], 10, 64)
	n, err2 := strconv.ParseInt(parts[2], 10, 64)
	return n, err1 == nil && err2 == nil && rid == resellerID && n > 0
}

type addressOut struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Company     string `json:"company"`
	Co          string `json:"co"`
	Phone       string `json:"phone"`
	CountryCode string `json:"country_code"`
	Province    string `json:"province"`
	City        string `json:"city"`
	ZipCode     string `json:"zip_code"`
	Address     string `json:"address"`
}

func addressView(a order.Address) addressOut {
	street := strings.TrimSpace(strings.Join([]string{a.Street, a.HouseNumber, a.Addition}, " "))
	return addressOut{FirstName: a.FirstName, LastName: a.LastName, Company: a.CompanyName, Co: a.CareOf, Phone: a.Phone,
		CountryCode: a.Country, Province: a.Province, City: a.City, ZipCode: a.PostalCode, Address: street}
}

type referenceOut struct {
	Quantity int64 `json:"quantity"`
}

type productOut struct {
	ID                string         `json:"id"`
	Article           string         `json:"article"`
	Width             json.Number    `json:"width"`
	Depth             json.Number    `json:"depth"`
	Height            json.Number    `json:"height"`
	Material          string         `json:"material"`
	References        []referenceOut `json:"references"`
	Printing          bool           `json:"printing"`
	Gold              bool           `json:"gold"`
	Silver            bool           `json:"silver"`
	Varnish           bool           `json:"varnish"`
	Status            string         `json:"status"`
	ManufacturingTime string         `json:"manufacturing_time"`
	TotalExcl         json.Number    `json:"total_amount_tax_excluded"`
	TotalIncl         json.Number    `json:"total_amount_tax_included"`
}

type orderOut struct {
	ID            string       `json:"id"`
	PurchaseOrder string       `json:"purchase_order,omitempty"`
	TotalExcl     json.Number  `json:"total_amount_tax_excluded"`
	TotalIncl     json.Number  `json:"total_amount_tax_included"`
	Tax           json.Number  `json:"tax_amount"`
	Status        string       `json:"status"`
	Items         []productOut `json:"items"`
	Shipping      addressOut   `json:"shipping"`
	Billing       addressOut   `json:"billing"`
}

// amount is a shown amount: rounded to cents on its own, written without
// trailing zeros as the document does (245.7).
func amount(d decimal.Decimal) json.Number { return json.Number(pricing.Round(d).String()) }

// orderStatus and productStatus follow the design's table.
func orderStatus(o *order.Order) string {
	switch {
	case o.Stage == order.StageDraft:
		return "waiting_execute_payment"
	case o.Status == order.Cancelled:
		return "canceled"
	case o.Status == order.ShipmentDelivered:
		return "closed"
	case o.Status == order.Accepted || o.Status == order.Hold:
		if o.Payment == order.PaymentPending {
			return "pending_payment"
		}
		return "paid"
	}
	return "in_processing"
}

func productStatus(o *order.Order, it *order.Item) string {
	switch {
	case o.Stage == order.StageDraft:
		return "waiting_execute_payment"
	case o.Status == order.Cancelled:
		return "canceled"
	case o.Status == order.InProduction:
		return "in_processing"
	case o.Status == order.Hold:
		return "waiting_file_check"
	case o.Status != order.Accepted:
		return "shipped"
	}
	switch it.FileState {
	case order.FileAwaiting, order.FileFailed:
		return "waiting_upload"
	case order.FileDownloading, order.FileChecking:
		return "waiting_file_check"
	}
	return "in_processing"
}

func productView(cat *catalog.Catalog, o *order.Order, it *order.Item) productOut {
	out := productOut{ID: productID(o, it), Article: it.Product, Status: productStatus(o, it), ManufacturingTime: it.ProductionTime,
		TotalExcl: amount(it.Price.Excl), TotalIncl: amount(it.Price.Incl), References: []referenceOut{}}
	if out.ManufacturingTime == "" {
		out.ManufacturingTime = o.ProductionTime
	}
	var opts []pricing.Option
	json.Unmarshal(it.Options, &opts)
	p := cat.Product(it.Product)
	for _, op := range opts {
		switch op.Code {
		case catalog.TypeWidth:
			out.Width = json.Number(op.Value)
		case catalog.TypeDepth:
			out.Depth = json.Number(op.Value)
		case catalog.TypeHeight:
			out.Height = json.Number(op.Value)
		case "printing-yes":
			out.Printing = true
		case "gold-yes":
			out.Gold = true
		case "silver-yes":
			out.Silver = true
		case "varnish-yes":
			out.Varnish = true
		default:
			if p != nil && isMaterial(p, op.Code) {
				out.Material = op.Code
			}
		}
	}
	for _, q := range strings.Split(it.Characteristics["references"], ",") {
		if n, err := strconv.ParseInt(q, 10, 64); err == nil {
			out.References = append(out.References, referenceOut{Quantity: n})
		}
	}
	if len(out.References) == 0 {
		out.References = append(out.References, referenceOut{Quantity: it.Amount.IntPart()})
	}
	return out
}

func orderView(cat *catalog.Catalog, o *order.Order) orderOut {
	out := orderOut{ID: orderID(o), PurchaseOrder: o.PurchaseOrder, Status: orderStatus(o), Items: []productOut{},
		TotalExcl: amount(o.Totals.Total.Excl), TotalIncl: amount(o.Totals.Total.Incl),
		// The tax is the shown gross less the shown net, as the document's 245.7 is.
		Tax:      amount(pricing.Round(o.Totals.Total.Incl).Sub(pricing.Round(o.Totals.Total.Excl))),
		Shipping: addressView(o.Delivery.Address), Billing: addressView(o.Delivery.Address)}
	if o.Billing != nil {
		out.Billing = addressView(*o.Billing)
	}
	for _, it := range o.Items {
		out.Items = append(out.Items, productView(cat, o, it))
	}
	return out
}

// GET /v1/reseller/orders?page=0&limit=20&sort=desc
func (s *Server) handleList(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, env *envelope) {
	q := r.URL.Query()
	page, err := strconv.Atoi(q.Get("page"))
	if q.Get("page") == "" || err != nil || page < 0 || page > 1_000_000 {
		env.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "page is required", &errDetail{Code: "ORD_1100", Path: "page", Message: "page is required: a number from 0"})
		return
	}
	limit, err := strconv.Atoi(q.Get("limit"))
	if q.Get("limit") == "" || err != nil || limit < 1 || limit > 100 {
		env.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "limit is required", &errDetail{Code: "ORD_1101", Path: "limit", Message: "limit is required: a number from 1 to 100"})
		return
	}
	f := pressroom.OrderFilter{ResellerID: p.Reseller.ID, Offset: page * limit, Limit: limit}
	switch q.Get("sort") {
	case "", "desc":
	case "asc":
		f.Ascending = true
	default:
		env.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "sort is required", &errDetail{Code: "ORD_1102", Path: "sort", Message: "sort is asc or desc (by creation, newest first by default)"})
		return
	}
	f.WithItems = true
	list, _, err := s.Store.ListOrders(r.Context(), f)
	if err != nil {
		s.failCore(w, env, err, "INTERNAL_SERVER_ERROR")
		return
	}
	out := []orderOut{}
	for _, o := range list {
		out = append(out, orderView(s.Catalog.Current(), o))
	}
	env.Request["query"] = query(q)
	env.ok(w, out)
}

// load finds the caller's order of the path.
func (s *Server) load(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, env *envelope, typ string) (*order.Order, bool) {
	n, ok := parseOrderID(r.PathValue("order_id"), p.Reseller.ID)
	var o *order.Order
	var err error
	if ok {
		o, err = s.Orders.Get(r.Context(), p.Reseller.ID, n)
		if err == nil && orderID(o) != r.PathValue("order_id") {
			err = pressroom.Errorf(pressroom.ENOTFOUND, "not found")
		}
	}
	if !ok || pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		env.fail(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Order %s does not exist", r.PathValue("order_id")), nil)
		return nil, false
	} else if err != nil {
		s.failCore(w, env, err, typ)
		return nil, false
	}
	return o, true
}

func (s *Server) loadProduct(w http.ResponseWriter, r *http.Request, o *order.Order, env *envelope) (*order.Item, bool) {
	for _, it := range o.Items {
		if productID(o, it) == r.PathValue("product_id") {
			return it, true
		}
	}
	env.fail(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Product %s does not exist", r.PathValue("product_id")), nil)
	return nil, false
}

// GET /v1/reseller/orders/:order_id
func (s *Server) handleGet(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, env *envelope) {
	if o, ok := s.load(w, r, p, env, "ORDER_ERROR"); ok {
		env.ok(w, orderView(s.Catalog.Current(), o))
	}
}

// GET /v1/reseller/orders/:order_id/products/:product_id
func (s *Server) handleProduct(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, env *envelope) {
	o, ok := s.load(w, r, p, env, "PRODUCT_ERROR")
	if !ok {
		return
	}
	if it, ok := s.loadProduct(w, r, o, env); ok {
		env.ok(w, productView(s.Catalog.Current(), o, it))
	}
}

// Limits of an upload form.
const (
	MaxFormFields = 10
	MaxFormFiles  = 1
)

// PUT /v1/reseller/orders/:order_id/products/:product_id: the form field
// artwork, a PDF of at most the artwork limit (500 MB), streamed to
// storage; then the preflight.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, env *envelope) {
	o, ok := s.load(w, r, p, env, "PRODUCT_ERROR")
	if !ok {
		return
	}
	it, ok := s.loadProduct(w, r, o, env)
	if !ok {
		return
	}
	upErr := func(status int, code, msg string) {
		env.fail(w, status, "VALIDATION_ERROR", msg, &errDetail{Code: code, Path: "artwork", Message: msg})
	}
	if err := s.Artwork.Uploadable(r.Context(), p.Reseller.ID, o.Number, it.ID); err != nil {
		s.failCore(w, env, err, "PRODUCT_ERROR")
		return
	}
	limit := s.Artwork.Limit
	if r.ContentLength > limit+MaxBodyBytes {
		upErr(http.StatusRequestEntityTooLarge, "ORD_1131", "the file provided exceeds the maximum allowed size")
		return
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" || params["boundary"] == "" {
		upErr(http.StatusBadRequest, "ORD_1128", "artwork is required: send a multipart/form-data body with the field artwork")
		return
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, httpx.LongBody(w, r, httpx.UploadStall), limit+MaxBodyBytes), params["boundary"])
	fields := 0
	var key string
	var info artwork.Info
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.discard(r, key)
			upErr(http.StatusBadRequest, "ORD_1129", "something wrong happened during the upload: the form could not be read")
			return
		}
		if part.FileName() == "" && part.FormName() != "artwork" {
			if fields++; fields > MaxFormFields {
				s.discard(r, key)
				upErr(http.StatusBadRequest, "ORD_1130", "the number of fields exceeds the maximum allowed quantity")
				return
			}
			io.Copy(io.Discard, io.LimitReader(part, 64<<10))
			continue
		}
		if part.FormName() != "artwork" || key != "" {
			s.discard(r, key)
			upErr(http.StatusBadRequest, "ORD_1132", "the number of files exceeds the maximum allowed quantity: send one, as artwork")
			return
		}
		key = artwork.NewKey(o.Number, it.ID)
		info, err = s.Artwork.Take(r.Context(), key, part)
		if err != nil {
			s.discard(r, key)
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &mbe), pressroom.ErrorCode(err) == pressroom.ETOOLARGE:
				upErr(http.StatusRequestEntityTooLarge, "ORD_1131", "the file provided exceeds the maximum allowed size")
			case pressroom.ErrorCode(err) == pressroom.EINVALID:
				upErr(http.StatusBadRequest, "ORD_1133", "file type not allowed: "+pressroom.ErrorMessage(err))
			case errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "multipart"):
				upErr(http.StatusBadRequest, "ORD_1129", "something wrong happened during the upload: the body ended before the file did")
			default:
				s.Logger.Error("boxes: upload", "err", err)
				upErr(http.StatusInternalServerError, "ORD_1129", "something wrong happened during the upload")
			}
			return
		}
	}
	if key == "" {
		upErr(http.StatusBadRequest, "ORD_1128", "artwork is required")
		return
	}
	if info.Type != artwork.TypePDF {
		s.discard(r, key)
		upErr(http.StatusBadRequest, "ORD_1133", "file type not allowed: the artwork is a PDF")
		return
	}
	if _, err := s.Artwork.Attach(r.Context(), o.Number, it.ID, key, info); err != nil {
		// The attach may have written the file's row before it failed: the
		// purge deletes the file only if no row names it.
		s.Artwork.Discard(r.Context(), key)
		s.failCore(w, env, err, "PRODUCT_ERROR")
		return
	}
	o, err := s.Orders.Get(r.Context(), p.Reseller.ID, o.Number)
	if err != nil {
		s.failCore(w, env, err, "PRODUCT_ERROR")
		return
	}
	for _, x := range o.Items {
		if x.ID == it.ID {
			env.ok(w, productView(s.Catalog.Current(), o, x))
			return
		}
	}
}

// discard removes a blob taken for an upload that was refused.
func (s *Server) discard(r *http.Request, key string) {
	if key != "" {
		if err := s.Artwork.Blobs.Delete(r.Context(), key); err != nil {
			s.Logger.Warn("boxes: a refused upload's file stays", "key", key, "err", err)
		}
	}
}
