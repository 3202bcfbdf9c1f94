package profotonet

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/delivery"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
)

// Product id prefixes with rules of their own in the document.
const (
	prefixNoFile = "12000" // products without a file (inserts): no file, no entry referenceId
	prefixPDF    = "11000" // products made from a PDF
)

type fileIn struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	MD5  string `json:"md5"`
}

type optionIn struct {
	Code  string `json:"code"`
	Value flex   `json:"value"`
}

type entryIn struct {
	ReferenceID flex       `json:"referenceId"`
	ProductID   flex       `json:"productId"`
	Quantity    *int64     `json:"quantity"`
	Backprint   string     `json:"backprint"`
	File        *fileIn    `json:"file"`
	Options     []optionIn `json:"options"`
	Note        string     `json:"note"`
}

type docIn struct {
	URL string `json:"url"`
	MD5 string `json:"md5"`
}

type orderIn struct {
	Test                bool      `json:"test"`
	TestNotificationURL string    `json:"testNotificationUrl"`
	NotificationURL     string    `json:"notificationUrl"`
	ReferenceID         flex      `json:"referenceId"`
	Reference           flex      `json:"reference"`
	CompanyName         string    `json:"companyName"`
	FirstName           string    `json:"firstName"`
	LastName            string    `json:"lastName"`
	Street              string    `json:"street"`
	HouseNumber         string    `json:"houseNumber"`
	ZipCode             string    `json:"zipCode"`
	City                string    `json:"city"`
	State               string    `json:"state"`
	Country             string    `json:"country"`
	ShippingMethod      string    `json:"shippingMethod"`
	Entries             []entryIn `json:"entries"`
	PackingSlip         *docIn    `json:"packingSlip"`
	Label               *docIn    `json:"label"`
}

// Shipping methods of an order.
const (
	ShipPickup  = "pickup"
	ShipSend    = "send"
	ShipPackage = "sendaspackage"
)

// addressFields maps the core's address fields onto this API's.
var addressFields = map[string]string{
	"company_name": "companyName", "first_name": "firstName", "last_name": "lastName", "street": "street",
	"house_number": "houseNumber", "addition": "houseNumber", "postal_code": "zipCode", "city": "city",
	"province": "state", "country": "country",
}

// entryFields maps the core's item fields onto an entry's.
var entryFields = map[string]string{
	"files/0/url": "file.url", "files/0/md5": "file.md5", "files/0/name": "file.name", "files": "file",
	"reference": "referenceId", "note": "note", "backprint": "backprint", "product": "productId", "code": "productId",
}

// fieldOf names a core field pointer the way this API names its fields.
func fieldOf(ptr string) string {
	if !strings.HasPrefix(ptr, "/") {
		return ptr
	}
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	switch parts[0] {
	case "id":
		return "referenceId"
	case "reference":
		return "reference"
	case "callback_urls":
		return "notificationUrl"
	case "delivery":
		if len(parts) >= 3 && parts[1] == "address" {
			if f, ok := addressFields[parts[2]]; ok {
				return f
			}
		}
		return "shippingMethod"
	case "packing_slip":
		return "packingSlip." + strings.Join(parts[1:], ".")
	case "shipping_label":
		return "label." + strings.Join(parts[1:], ".")
	case "items":
		if len(parts) < 2 {
			return "entries"
		}
		base := "entries[" + parts[1] + "]"
		rest := strings.Join(parts[2:], "/")
		switch {
		case rest == "":
			return base
		case entryFields[rest] != "":
			return base + "." + entryFields[rest]
		case strings.HasPrefix(rest, "options"):
			return base + ".options"
		case rest == "amount":
			return base + ".quantity"
		}
		return base + "." + strings.ReplaceAll(rest, "/", ".")
	}
	return strings.ReplaceAll(strings.TrimPrefix(ptr, "/"), "/", ".")
}

// translation is what the insert request becomes: the core's request,
// or every problem this API's own rules find.
type translation struct {
	req      orders.Request
	problems []fieldError // 400: missing or unreadable fields
	invalid  []fieldError // 422: values that are wrong
}

func (t *translation) missing(field string) {
	t.problems = append(t.problems, fieldError{field, "Invalid parameter: " + field + " is required"})
}

func (t *translation) wrong(field, format string, args ...any) {
	t.invalid = append(t.invalid, fieldError{field, fmt.Sprintf(format, args...)})
}

// translate checks the document's required fields and its rules, and
// builds the core's order request.
func (s *Server) translate(p *pressroom.Principal, cat *catalog.Catalog, in orderIn) *translation {
	t := &translation{}
	for _, f := range []struct{ name, v string }{
		{"referenceId", string(in.ReferenceID)}, {"firstName", in.FirstName}, {"lastName", in.LastName}, {"street", in.Street},
		{"houseNumber", in.HouseNumber}, {"zipCode", in.ZipCode}, {"city", in.City}, {"country", in.Country}, {"shippingMethod", in.ShippingMethod},
	} {
		if strings.TrimSpace(f.v) == "" {
			t.missing(f.name)
		}
	}
	if len(in.Entries) == 0 {
		t.missing("entries")
	}
	if len(in.Entries) > orders.MaxItems {
		t.wrong("entries", "At most %d entries per order", orders.MaxItems)
		return t
	}
	t.req = orders.Request{
		Reseller: p.Reseller, Actor: order.ActorReseller, OwnID: string(in.ReferenceID), Reference: string(in.Reference),
		Type: order.TypeProduction, API: Format,
		Address: order.Address{CompanyName: in.CompanyName, FirstName: in.FirstName, LastName: in.LastName, Street: in.Street,
			HouseNumber: in.HouseNumber, PostalCode: in.ZipCode, City: in.City, Province: in.State, Country: in.Country},
	}
	if in.NotificationURL != "" {
		t.req.CallbackURLs = []string{in.NotificationURL}
	}
	if in.PackingSlip != nil {
		if in.PackingSlip.URL == "" {
			t.missing("packingSlip.url")
		}
		t.req.PackingSlip = &order.FileRef{URL: in.PackingSlip.URL, MD5: in.PackingSlip.MD5}
	}
	if in.Label != nil {
		if in.Label.URL == "" {
			t.missing("label.url")
		}
		t.req.ShippingLabel = &order.FileRef{URL: in.Label.URL, MD5: in.Label.MD5}
	}
	seen := map[string]int{}
	products := make([]*catalog.CompiledProduct, len(in.Entries))
	for i, e := range in.Entries {
		at := fmt.Sprintf("entries[%d]", i)
		pid := strings.TrimSpace(string(e.ProductID))
		noFile := strings.HasPrefix(pid, prefixNoFile)
		var prod *catalog.CompiledProduct
		if pid == "" {
			t.missing(at + ".productId")
		} else if id, err := strconv.ParseInt(pid, 10, 64); err != nil {
			t.problems = append(t.problems, fieldError{at + ".productId", "Invalid parameter: productId is an integer"})
		} else if prod = cat.ProductByID(id); prod == nil || !expressible(prod) {
			t.wrong(at+".productId", "Product %s does not exist; GET /products lists the products", pid)
			prod = nil
		}
		products[i] = prod
		ref := strings.TrimSpace(string(e.ReferenceID))
		switch {
		case ref == "" && !noFile:
			t.missing(at + ".referenceId")
		case ref != "":
			if j, dup := seen[ref]; dup {
				t.wrong(at+".referenceId", "Entry referenceId %s is used by entries[%d] too; each entry has its own", ref, j)
			}
			seen[ref] = i
		}
		if e.Quantity == nil {
			t.missing(at + ".quantity")
		} else if *e.Quantity < 1 {
			t.wrong(at+".quantity", "quantity is at least 1")
		}
		it := orders.ItemRequest{Reference: ref, Note: e.Note, Backprint: e.Backprint}
		switch {
		case e.File == nil && !noFile:
			t.missing(at + ".file")
		case e.File != nil:
			if e.File.Name == "" {
				t.missing(at + ".file.name")
			}
			if e.File.URL == "" {
				t.missing(at + ".file.url")
			}
			ext := strings.ToLower(strings.TrimPrefix(path.Ext(e.File.Name), "."))
			switch {
			case e.File.Name == "":
			case strings.HasPrefix(pid, prefixPDF) && ext != "pdf":
				t.wrong(at+".file.name", "Product %s is made from a PDF: file.name must end in .pdf", pid)
			case !strings.HasPrefix(pid, prefixPDF) && ext != "jpg" && ext != "jpeg":
				t.wrong(at+".file.name", "Product %s is printed from a JPEG: file.name must end in .jpg", pid)
			}
			it.Files = []order.FileRef{{URL: e.File.URL, MD5: e.File.MD5, Name: e.File.Name}}
		}
		if prod == nil {
			t.req.Items = append(t.req.Items, it)
			continue
		}
		it.Code = prod.Code
		if e.Quantity != nil && *e.Quantity > 0 {
			q := decimal.NewFromInt(*e.Quantity)
			it.Options = append(it.Options, catalog.Selection{Code: catalog.TypeAmount, Value: &q})
		}
		for j, o := range e.Options {
			code, problem := optionCode(prod, o)
			if problem != "" {
				t.wrong(fmt.Sprintf("%s.options[%d]", at, j), "%s", problem)
				continue
			}
			it.Options = append(it.Options, catalog.Selection{Code: code})
		}
		t.req.Items = append(t.req.Items, it)
	}
	switch in.ShippingMethod {
	case "":
	case ShipPickup, ShipSend, ShipPackage:
		if len(t.problems) == 0 && len(t.invalid) == 0 {
			code, problem := s.shippingMethod(cat, p.Reseller, in.ShippingMethod, strings.ToUpper(in.Country), products)
			if problem != "" {
				t.wrong("shippingMethod", "%s", problem)
			}
			t.req.Delivery = pricing.DeliveryRequest{Method: code, AnyCarrier: true}
		}
	default:
		t.wrong("shippingMethod", "shippingMethod %q is not one of pickup, send, sendaspackage", in.ShippingMethod)
	}
	return t
}

// optionCode finds the option an entry's {code, value} names: the group
// by its code, the option by its attribute code.
func optionCode(p *catalog.CompiledProduct, o optionIn) (string, string) {
	for _, step := range p.Steps {
		for _, g := range step {
			if g.Code != o.Code || amountGroup(g) {
				continue
			}
			var values []string
			for _, opt := range g.Options {
				if opt.AttributeCode() == string(o.Value) {
					return opt.Code, ""
				}
				values = append(values, opt.AttributeCode())
			}
			return "", fmt.Sprintf("Option %s has no value %q; it takes %s", o.Code, o.Value, strings.Join(values, ", "))
		}
	}
	var codes []string
	for _, x := range options(p, "") {
		codes = append(codes, x.Code)
	}
	if len(codes) == 0 {
		return "", fmt.Sprintf("Product %d has no options", p.ProductID)
	}
	return "", fmt.Sprintf("Product %d has no option %q; its options are %s", p.ProductID, o.Code, strings.Join(codes, ", "))
}

// shippingMethod chooses the core's method for the order. Each entry's
// product is sent by its cheapest method to the country ("send") or its
// dearest, a parcel rather than a letter ("sendaspackage"); the order goes
// by the method of the entry with the highest shipping price, as the
// document says. "pickup" is the company's pick-up point.
func (s *Server) shippingMethod(cat *catalog.Catalog, r *pressroom.Reseller, how, country string, products []*catalog.CompiledProduct) (string, string) {
	if how == ShipPickup {
		for _, m := range cat.Commerce.Methods {
			if m.Type == catalog.ShipmentTypePickup {
				return m.Code, ""
			}
		}
		return "", "Pick-up is not offered"
	}
	var best *catalog.Method
	var bestPrice int64 = -1
	for _, p := range products {
		var pick *catalog.Method
		var pickPrice int64
		for _, m := range shipments(p) {
			rate := m.Rate(country)
			if rate == nil {
				continue
			}
			price := cents(pieceShipping(m, rate, p))
			if pick == nil || (how == ShipSend && price < pickPrice) || (how == ShipPackage && price > pickPrice) {
				pick, pickPrice = m, price
			}
		}
		if pick == nil {
			return "", fmt.Sprintf("Product %d is not sent to %s", p.ProductID, country)
		}
		if pickPrice > bestPrice {
			best, bestPrice = pick, pickPrice
		}
	}
	if best == nil {
		return "", "No shipping method fits the entries"
	}
	return best.Code, ""
}

// snapshotStatus is an order's status in this API's words: see the table
// in DESIGN.md (files downloading: downloading; a file failed: hold; all
// files in: prepare; a reprint asked: repint, as the document spells it).
func status(st order.Status, files []order.FileState, reprintAsked bool) string {
	if reprintAsked && st != order.Cancelled {
		return "repint"
	}
	switch st {
	case order.Draft:
		return "accepted"
	case order.Accepted:
		state := "prepare"
		for _, f := range files {
			switch f {
			case order.FileFailed:
				return "hold"
			case order.FileDownloading, order.FileChecking:
				state = "downloading"
			case order.FileAwaiting:
				if state == "prepare" {
					state = "accepted"
				}
			}
		}
		return state
	case order.Hold:
		return "hold"
	case order.InProduction:
		return "production"
	case order.Cancelled:
		return "deleted"
	}
	return "shipped" // logistics and every shipment status
}

// downloaded reports whether every file of the order is in: the order has
// left the cart, and its orderId shows.
func downloaded(files []order.FileState) bool {
	for _, f := range files {
		if f == order.FileDownloading || f == order.FileAwaiting {
			return false
		}
	}
	return true
}

type entryTotal struct {
	ProductID int64 `json:"productId"`
	Quantity  int64 `json:"quantity"`
	Total     int64 `json:"total"`
	TaxTotal  int64 `json:"taxTotal"`
}

type trackOut struct {
	Code string `json:"code"`
}

type orderOut struct {
	ID                    string       `json:"id"`
	OrderID               int64        `json:"orderId,omitempty"`
	Status                string       `json:"status"`
	Total                 int64        `json:"total"`
	TaxTotal              int64        `json:"taxTotal"`
	SubTotal              int64        `json:"subTotal"`
	ShippingTotal         int64        `json:"shippingTotal"`
	ShippingTaxTotal      int64        `json:"shippingTaxTotal"`
	StartingCostsTotal    int64        `json:"startingCostsTotal"`
	StartingCostsTaxTotal int64        `json:"startingCostsTaxTotal"`
	EntryTotals           []entryTotal `json:"entryTotals"`
	TrackAndTrace         *[]trackOut  `json:"trackAndTrace,omitempty"` // GET only
}

// totals fills the amounts in cents. Each shown amount is rounded once
// from exact sums, and the totals are sums of the shown parts, so that
// total = subTotal + shippingTotal + startingCostsTotal and taxTotal is
// the sum of its parts, to the cent.
func totals(out *orderOut, cat *catalog.Catalog, o *order.Order) {
	out.EntryTotals = []entryTotal{}
	type sum struct{ excl, incl, qty decimal.Decimal }
	sums := map[int64]*sum{}
	var ids []int64
	for _, it := range o.Items {
		var pid int64
		if p := cat.Product(it.Product); p != nil {
			pid = p.ProductID
		}
		if sums[pid] == nil {
			sums[pid] = &sum{}
			ids = append(ids, pid)
		}
		x := sums[pid]
		x.excl, x.incl, x.qty = x.excl.Add(it.Price.Excl), x.incl.Add(it.Price.Incl), x.qty.Add(it.Amount)
	}
	var entriesTax int64
	for _, pid := range ids {
		x := sums[pid]
		e := entryTotal{ProductID: pid, Quantity: x.qty.IntPart(), Total: cents(x.incl), TaxTotal: cents(x.incl.Sub(x.excl))}
		out.EntryTotals = append(out.EntryTotals, e)
		out.SubTotal += e.Total
		entriesTax += e.TaxTotal
	}
	out.ShippingTotal = cents(o.Totals.Shipping.Incl)
	out.ShippingTaxTotal = cents(o.Totals.Shipping.Incl.Sub(o.Totals.Shipping.Excl))
	out.StartingCostsTotal = cents(o.Totals.StartingCosts.Incl)
	out.StartingCostsTaxTotal = cents(o.Totals.StartingCosts.Incl.Sub(o.Totals.StartingCosts.Excl))
	out.Total = out.SubTotal + out.ShippingTotal + out.StartingCostsTotal
	out.TaxTotal = entriesTax + out.ShippingTaxTotal + out.StartingCostsTaxTotal
}

func fileStates(o *order.Order) []order.FileState {
	out := make([]order.FileState, len(o.Items))
	for i, it := range o.Items {
		out[i] = it.FileState
	}
	return out
}

// POST /order: a test is only checked (totals 0, nothing stored, a test
// callback when asked); otherwise the order is stored and its files are
// fetched; its orderId shows once they are in.
func (s *Server) handleInsert(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var in orderIn
	if err := decode(w, r, &in); err != nil {
		s.fail(w, err, fieldOf)
		return
	}
	if !in.Test && p.Reseller.Edition == pressroom.EditionFree {
		writeErrors(w, http.StatusForbidden, fieldError{"", "Illegal action: the free edition cannot place orders"})
		return
	}
	cat := s.Catalog.Current()
	t := s.translate(p, cat, in)
	if len(t.problems) > 0 {
		writeErrors(w, http.StatusBadRequest, t.problems...)
		return
	}
	if len(t.invalid) > 0 {
		writeErrors(w, http.StatusUnprocessableEntity, t.invalid...)
		return
	}
	urlFields := []string{}
	if in.NotificationURL != "" {
		urlFields = append(urlFields, "notificationUrl")
	}
	if in.Test && in.TestNotificationURL != "" {
		// Checked as a URL with the rest; a test stores nothing.
		t.req.CallbackURLs = append(t.req.CallbackURLs, in.TestNotificationURL)
		urlFields = append(urlFields, "testNotificationUrl")
	}
	res, err := s.Orders.Place(r.Context(), t.req, in.Test, nil)
	if err != nil {
		if pressroom.ErrorCode(err) == pressroom.ECONFLICT {
			writeErrors(w, http.StatusConflict, fieldError{"referenceId", fmt.Sprintf("Conflict: an order with referenceId %s exists already", in.ReferenceID)})
			return
		}
		s.fail(w, err, func(ptr string) string {
			var i int
			if _, err := fmt.Sscanf(ptr, "/callback_urls/%d", &i); err == nil && i < len(urlFields) {
				return urlFields[i]
			}
			return fieldOf(ptr)
		})
		return
	}
	if in.Test {
		out := orderOut{ID: testID(), Status: "accepted", EntryTotals: []entryTotal{}}
		totals(&out, cat, res.Order)
		// The document: a test answers totals 0. The entries stay listed.
		zero := orderOut{ID: out.ID, Status: out.Status, EntryTotals: out.EntryTotals}
		for i := range zero.EntryTotals {
			zero.EntryTotals[i].Total, zero.EntryTotals[i].TaxTotal = 0, 0
		}
		if in.TestNotificationURL != "" {
			if err := s.testCallback(r.Context(), p.Reseller, in.TestNotificationURL, out.ID, string(in.ReferenceID)); err != nil {
				s.fail(w, err, fieldOf)
				return
			}
		}
		writeData(w, zero)
		return
	}
	out := orderOut{ID: objectID("pres", res.Order.Number), Status: "accepted"}
	totals(&out, cat, res.Order)
	if downloaded(fileStates(res.Order)) {
		out.OrderID = res.Order.Number
		out.Status = status(res.Order.Status, fileStates(res.Order), false)
	}
	writeData(w, out)
}

// testCallback queues the test status callback of a test insert.
func (s *Server) testCallback(ctx context.Context, r *pressroom.Reseller, url, id, referenceID string) error {
	body, _ := json.Marshal(callbackOut{ID: id, ReferenceID: referenceID, Status: "accepted"})
	return s.Store.CreateCallback(ctx, &order.Callback{ResellerID: r.ID, URL: url, Type: "test", Format: Format, Payload: body, OccurredAt: s.Clock.Now()})
}

// findOrder finds a reseller's order by its referenceId (its own id).
func (s *Server) findOrder(ctx context.Context, resellerID int64, ref string) (*order.Order, error) {
	if ref == "" {
		return nil, pressroom.Errorf(pressroom.ENOTFOUND, "Order not found")
	}
	list, _, err := s.Store.ListOrders(ctx, pressroom.OrderFilter{ResellerID: resellerID, OwnID: ref, Limit: 10})
	if err != nil {
		return nil, err
	}
	for _, o := range list { // newest first; an unreleased one wins
		if !o.Released && o.Stage != order.StageDraft {
			return s.Orders.Get(ctx, resellerID, o.Number)
		}
	}
	return nil, pressroom.Errorf(pressroom.ENOTFOUND, "Order not found")
}

// reprintAsked reports whether a reprint of the order waits for staff.
func (s *Server) reprintAsked(ctx context.Context, o *order.Order) (bool, error) {
	_, n, err := s.Store.ListReprints(ctx, pressroom.ReprintFilter{ResellerID: o.ResellerID, OrderNumber: o.Number, Status: order.ReprintRequested, Limit: 1})
	return n > 0, err
}

// GET /order?referenceId=...: the order's status, totals and track and
// trace codes; &test=true answers sample data.
func (s *Server) handleGet(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	q := r.URL.Query()
	ref := q.Get("referenceId")
	if ref == "" {
		writeErrors(w, http.StatusBadRequest, fieldError{"referenceId", "Invalid parameter: referenceId is required"})
		return
	}
	if test, _ := strconv.ParseBool(q.Get("test")); test {
		s.sample(w, r, p)
		return
	}
	o, err := s.findOrder(r.Context(), p.Reseller.ID, ref)
	if err != nil {
		s.fail(w, withField(err, "referenceId"), fieldOf)
		return
	}
	asked, err := s.reprintAsked(r.Context(), o)
	if err != nil {
		s.fail(w, err, fieldOf)
		return
	}
	pkgs, err := s.Store.ListOrderPackages(r.Context(), o.Number)
	if err != nil {
		s.fail(w, err, fieldOf)
		return
	}
	files := fileStates(o)
	codes := []trackOut{}
	out := orderOut{ID: objectID("pres", o.Number), Status: status(o.Status, files, asked), TrackAndTrace: &codes}
	if downloaded(files) {
		out.OrderID = o.Number
	}
	totals(&out, s.Catalog.Current(), o)
	for _, pk := range pkgs {
		if pk.TrackingCode != "" {
			codes = append(codes, trackOut{Code: pk.TrackingCode})
		}
	}
	writeData(w, out)
}

// sample is the test answer of GET /order: an order of one piece of each
// of the first two products, priced now to the Netherlands and shown as
// shipped with a sample track and trace code. Nothing is looked up.
func (s *Server) sample(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	cat := s.Catalog.Current()
	in := orderIn{ReferenceID: "sample", FirstName: "John", LastName: "Doe", Street: "Street", HouseNumber: "1A", ZipCode: "1234AA",
		City: "Rotterdam", Country: "NL", ShippingMethod: ShipSend}
	for _, prod := range cat.Products() {
		if len(in.Entries) == 2 {
			break
		}
		id := strconv.FormatInt(prod.ProductID, 10)
		if expressible(prod) && !strings.HasPrefix(id, prefixNoFile) && !strings.HasPrefix(id, prefixPDF) {
			one := int64(1)
			in.Entries = append(in.Entries, entryIn{ReferenceID: flex(strconv.Itoa(len(in.Entries) + 1)), ProductID: flex(id),
				Quantity: &one, File: &fileIn{Name: "sample.jpg", URL: "https://example.com/sample.jpg"}})
		}
	}
	t := s.translate(p, cat, in)
	var res *orders.Result
	var err error
	if len(t.problems)+len(t.invalid) == 0 {
		res, err = s.Orders.Place(r.Context(), t.req, true, nil)
	}
	out := orderOut{ID: objectID("test", 0), OrderID: 1000023, Status: "shipped", TrackAndTrace: &[]trackOut{{Code: "3SYMFU0000001"}}, EntryTotals: []entryTotal{}}
	if err == nil && res != nil {
		totals(&out, cat, res.Order)
	}
	writeData(w, out)
}

// withField names the field a not-found error is about.
func withField(err error, field string) error {
	if pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
		return err
	}
	return &pressroom.Error{Code: pressroom.ENOTFOUND, Message: pressroom.ErrorMessage(err),
		Fields: []pressroom.FieldError{{Pointer: field, Detail: "Order not found"}}}
}

// pieceShipping is a method's price for one piece of a product, as the
// product listing shows it (before VAT: entries compare alike).
func pieceShipping(m *catalog.Method, rate *catalog.ShippingRate, p *catalog.CompiledProduct) decimal.Decimal {
	w := decimal.Zero
	if p.Weight != nil {
		w = *p.Weight
	}
	return delivery.Price(m, rate, w).Total
}
