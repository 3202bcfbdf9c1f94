// Package orders runs the order lifecycle on the store: intake with its
// validation and prices, drafts, cancellation, status changes, reprints
// and the background sweeps (test orders, sandbox, expired drafts).
// It translates nothing: every API dialect calls it.
package orders

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/delivery"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/pricing"
)

// Service runs orders.
type Service struct {
	Store   pressroom.Store
	Catalog *catalog.Service
	Pricing *pricing.Service
	Clock   pressroom.Clock
	Logger  *slog.Logger
	// Sandbox walks test orders through their whole lifecycle, a step
	// every SandboxStep, instead of cancelling them.
	Sandbox     bool
	SandboxStep time.Duration
	// PublicURL starts the tracking page links in callbacks.
	PublicURL string
	// CreatedCallbacks lists, per API an order comes through, the callbacks
	// its creation sends, in order (default: order.created alone); an API
	// whose clients expect to hear "queued" first asks for it here.
	CreatedCallbacks map[string][]string

	// turns has one order's changes on this node wait for each other
	// instead of racing (see again).
	turns turns
}

// Limits of an order request.
const (
	MaxItems      = 100
	MaxFiles      = 20
	MaxNote       = 60 // Profotonet's note and backprint
	MaxText       = 200
	MaxURL        = 2000
	MaxCallbacks  = 5
	MaxCustom     = 50
	ReprintWindow = 28 * 24 * time.Hour
)

// ItemRequest is one line of an order request: a configuration, a saved
// API product with overrides, or a calculation id.
type ItemRequest struct {
	Reference string
	pricing.Item
	CalculationID int64
	// CalculationItem picks the item of a price calculation (0-based).
	CalculationItem int
	Files           []order.FileRef
	// Upload says the file will be uploaded later.
	Upload          bool
	Note            string
	Backprint       string
	ProductionTime  string
	Characteristics map[string]string
}

// Request is an order as a reseller sends it.
type Request struct {
	Reseller      *pressroom.Reseller
	Actor         order.Actor
	OwnID         string
	Reference     string
	PurchaseOrder string
	ContactEmail  string
	ErrorEmails   []string
	CustomerID    int64
	Language      string
	Type          order.Type
	Draft         bool
	// OrderDate is a draft's order date (default today); it expires 7 days later.
	OrderDate      string
	CallbackURLs   []string
	Address        order.Address
	Delivery       pricing.DeliveryRequest
	Billing        *order.Address
	PackingSlip    *order.FileRef
	ShippingLabel  *order.FileRef
	CustomFields   map[string]string
	ProductionTime string
	Items          []ItemRequest
	// API is the compatible API the order comes through ("": native); its
	// callbacks take that API's shape.
	API string
	// ProjectID puts the order in one of the reseller's projects.
	ProjectID int64
	// RejectOnFileFailure: a failed print file ends the order as not
	// accepted (see order.Order).
	RejectOnFileFailure bool
	// Payment is the order's payment state at intake (default: on account).
	Payment order.Payment
	// MixedTimes lets each item be made at its own production time (the
	// box API's manufacturing_time per product); the order ships when the
	// slowest is made. Otherwise one order has one production time.
	MixedTimes bool
}

var ownIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

type checker struct{ fields []pressroom.FieldError }

func (c *checker) add(pointer, code, format string, args ...any) {
	c.fields = append(c.fields, pressroom.FieldError{Pointer: pointer, Code: code, Detail: fmt.Sprintf(format, args...)})
}

func (c *checker) maxLen(pointer, v string, n int) {
	if len(v) > n {
		c.add(pointer, "too_long", "at most %d characters", n)
	}
}

// keyValues checks free fields (custom fields, characteristics): at most
// MaxCustom, names of 1 to 100 characters, values of at most 1000.
func (c *checker) keyValues(pointer, what string, m map[string]string) {
	if len(m) > MaxCustom {
		c.add(pointer, "too_many", "at most %d %s", MaxCustom, what)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) { // the same answer every time
		if v := m[k]; k == "" || len(k) > 100 || len(v) > 1000 {
			c.add(pointer+"/"+pressroom.PointerToken(k), "invalid_"+strings.ReplaceAll(what, " ", "_"), "%s names are 1 to 100 characters, values at most 1000", what)
		}
	}
}

func (c *checker) email(pointer, v string) {
	if v == "" {
		return
	}
	if a, err := mail.ParseAddress(v); err != nil || a.Address != v || len(v) > 254 {
		c.add(pointer, "invalid_email", "%q is not an e-mail address", v)
	}
}

func (c *checker) url(pointer, v string) {
	if !pressroom.IsHTTPURL(v) || len(v) > MaxURL {
		c.add(pointer, "invalid_url", "%q is not an http(s) URL of at most %d characters", v, MaxURL)
	}
}

var md5Pattern = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)

func (c *checker) file(pointer string, f *order.FileRef) {
	c.url(pointer+"/url", f.URL)
	if f.MD5 != "" && !md5Pattern.MatchString(f.MD5) {
		c.add(pointer+"/md5", "invalid_md5", "md5 is 32 hexadecimal characters")
	}
	if f.Page < 0 {
		c.add(pointer+"/page", "invalid_page", "page numbers start at 1")
	}
	switch f.Rotation {
	case 0, 90, 180, 270:
	default:
		c.add(pointer+"/rotation", "invalid_rotation", "rotation is 0, 90, 180 or 270")
	}
	switch f.Side {
	case "", "front", "back":
	default:
		c.add(pointer+"/side", "invalid_side", `side is "front" or "back"`)
	}
}

var nlPostalCode = regexp.MustCompile(`^[1-9][0-9]{3} ?[A-Za-z]{2}$`)

// address checks the fields every country needs; the Dutch postal code
// also by its format. Placeholder texts of other countries pass (the box
// document's examples send "ZIP code").
func (c *checker) address(pointer string, a *order.Address, served map[string]*catalog.Country) {
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	switch {
	case a.Country == "":
		c.add(pointer+"/country", "required", "country is required: an ISO 3166 code such as NL")
	case len(a.Country) != 2:
		c.add(pointer+"/country", "invalid_country", "%q is not an ISO 3166 code of two letters", a.Country)
	case served != nil && served[a.Country] == nil:
		c.add(pointer+"/country", "unknown_country", "we do not deliver to %q", a.Country)
	}
	if strings.TrimSpace(a.CompanyName) == "" && strings.TrimSpace(a.LastName) == "" {
		c.add(pointer+"/last_name", "required", "a last name or a company name is required")
	}
	for _, f := range []struct{ name, v string }{{"street", a.Street}, {"city", a.City}, {"postal_code", a.PostalCode}} {
		if strings.TrimSpace(f.v) == "" {
			c.add(pointer+"/"+f.name, "required", "%s is required", f.name)
		}
	}
	if a.Country == "NL" {
		if strings.TrimSpace(a.HouseNumber) == "" {
			c.add(pointer+"/house_number", "required", "house_number is required in the Netherlands")
		}
		if a.PostalCode != "" && !nlPostalCode.MatchString(a.PostalCode) {
			c.add(pointer+"/postal_code", "invalid_postal_code", "%q is not a Dutch postal code like 9101 PE", a.PostalCode)
		}
	}
	for _, f := range []struct{ name, v string }{{"company_name", a.CompanyName}, {"first_name", a.FirstName}, {"last_name", a.LastName},
		{"street", a.Street}, {"house_number", a.HouseNumber}, {"addition", a.Addition}, {"postal_code", a.PostalCode},
		{"city", a.City}, {"province", a.Province}, {"phone", a.Phone}, {"care_of", a.CareOf}} {
		c.maxLen(pointer+"/"+f.name, f.v, MaxText)
	}
	c.email(pointer+"/email", a.Email)
}

// Result is an accepted (or dry-run) order.
type Result struct {
	Order  *order.Order
	DryRun bool
}

// Place validates, prices and stores an order (or only validates and
// prices it when dryRun). Every problem comes back at once in one EINVALID
// error; a repeated own id is ECONFLICT naming the existing order.
func (s *Service) Place(ctx context.Context, req Request, dryRun bool, idem *pressroom.IdempotencyAnswer) (*Result, error) {
	o, err := s.build(ctx, req)
	if err != nil {
		return nil, err
	}
	if dryRun {
		return &Result{Order: o, DryRun: true}, nil
	}
	ev := &order.Event{Actor: req.Actor, Kind: "created", To: string(o.Status)}
	if o.Type == order.TypeTest {
		ev.Reason = "test order"
	}
	if err := s.withCallbacks(ctx, o, []*order.Event{ev}, nil); err != nil {
		return nil, err
	}
	if err := s.Store.CreateOrder(ctx, o, ev, idem, s.jobsFor(o)...); err != nil {
		return nil, err
	}
	return &Result{Order: o}, nil
}

// build turns a request into a priced order, or every problem at once.
func (s *Service) build(ctx context.Context, req Request) (*order.Order, error) {
	cat := s.Catalog.Current()
	now := s.Clock.Now()
	c := &checker{}
	if !ownIDPattern.MatchString(req.OwnID) {
		c.add("/id", "invalid_id", "id is your own order id: 1 to 64 letters, digits, '_' or '-'")
	}
	c.maxLen("/reference", req.Reference, MaxText)
	c.maxLen("/purchase_order", req.PurchaseOrder, MaxText)
	c.email("/contact_email", req.ContactEmail)
	if len(req.ErrorEmails) > 10 {
		c.add("/error_email_addresses", "too_many", "at most 10 addresses")
	}
	for i, e := range req.ErrorEmails {
		c.email(fmt.Sprintf("/error_email_addresses/%d", i), e)
	}
	if len(req.CallbackURLs) > MaxCallbacks {
		c.add("/callback_urls", "too_many", "at most %d callback URLs", MaxCallbacks)
	}
	for i, u := range req.CallbackURLs {
		c.url(fmt.Sprintf("/callback_urls/%d", i), u)
	}
	if req.Language != "" && !isLanguage(req.Language) {
		c.add("/language", "invalid_language", "language %q is not one of en, de, nl, fr", req.Language)
		req.Language = ""
	}
	switch req.Type {
	case "":
		req.Type = order.TypeProduction
	case order.TypeProduction, order.TypeTest:
	default:
		c.add("/order_type", "invalid_order_type", `order_type is "production" or "test"`)
	}
	if req.CustomerID != 0 {
		if ok, err := s.CustomerOf(ctx, req.Reseller.ID, req.CustomerID); err != nil {
			return nil, err
		} else if !ok {
			c.add("/customer_id", "unknown_customer", "customer %d is not one of your end-customer accounts", req.CustomerID)
		}
	}
	if req.ProjectID != 0 {
		if _, err := s.Store.FindProject(ctx, req.Reseller.ID, req.ProjectID); err != nil {
			c.add("/project_id", "unknown_project", "project %d is not one of your projects", req.ProjectID)
		}
	}
	c.keyValues("/custom_fields", "custom fields", req.CustomFields)
	orderDate := delivery.DateOf(now.In(cat.Commerce.Location)).String()
	if req.OrderDate != "" {
		if !req.Draft {
			c.add("/order_date", "not_a_draft", "only a draft takes an order date")
		} else if d, err := delivery.ParseDate(req.OrderDate); err != nil {
			c.add("/order_date", "invalid_date", "%q is not a date like 2026-03-12", req.OrderDate)
		} else {
			orderDate = d.String()
		}
	}
	// A draft may take its address later (before its checkout).
	if !req.Draft || req.Address != (order.Address{}) {
		c.address("/delivery/address", &req.Address, cat.Commerce.Countries)
	}
	req.Delivery.Country = req.Address.Country
	if req.Billing != nil {
		c.address("/billing_address", req.Billing, nil)
	}
	if req.PackingSlip != nil {
		c.file("/packing_slip", req.PackingSlip)
	}
	if req.ShippingLabel != nil {
		c.file("/shipping_label", req.ShippingLabel)
	}
	if len(req.Items) == 0 && req.Delivery.Method != "" && cat.Commerce.Method(req.Delivery.Method) == nil {
		// With items the delivery planner says so; a draft without any yet is checked here.
		c.add("/delivery/shipping_method_code", "unknown_shipping_method", "Shipping method %q does not exist.", req.Delivery.Method)
	}
	switch {
	case len(req.Items) == 0 && !req.Draft:
		c.add("/items", "required", "an order needs at least one item")
	case len(req.Items) > MaxItems:
		c.add("/items", "too_many", "at most %d items", MaxItems)
	}
	if len(c.fields) > 0 && len(req.Items) > MaxItems {
		return nil, pressroom.Invalid(fmt.Sprintf("The order has %d problem(s).", len(c.fields)), c.fields...)
	}

	o := &order.Order{
		ResellerID: req.Reseller.ID, CustomerID: req.CustomerID, OwnID: req.OwnID, Reference: req.Reference,
		PurchaseOrder: req.PurchaseOrder, ContactEmail: req.ContactEmail, ErrorEmails: req.ErrorEmails, Language: req.Language,
		Type: req.Type, Stage: order.StageOrder, Status: order.Accepted, Payment: cmp.Or(req.Payment, order.PaymentOnAccount),
		CallbackURLs: req.CallbackURLs, Billing: req.Billing, PackingSlip: req.PackingSlip, ShippingLabel: req.ShippingLabel,
		CustomFields: req.CustomFields, OrderDate: orderDate, Currency: cat.Commerce.Company.Currency, CatalogVersion: cat.Version,
		TrackingToken: newToken(), API: req.API, ProjectID: req.ProjectID,
		RejectOnFileFailure: req.RejectOnFileFailure,
	}
	if req.Draft {
		o.Stage, o.Status = order.StageDraft, order.Draft
		d, _ := delivery.ParseDate(orderDate)
		exp := d.Time().Add(order.DraftLifetime)
		o.ExpiresAt = &exp
	}
	o.Delivery.Address = req.Address
	o.Delivery.Wish = wishOf(req)
	c.fields = dedupe(append(c.fields, s.price(ctx, req, o)...)) // the planner may name a field the checks named
	if len(c.fields) > 0 {
		return nil, pressroom.Invalid(fmt.Sprintf("The order has %d problem(s); each names its field.", len(c.fields)), c.fields...)
	}
	return o, nil
}

// price resolves every item, plans the delivery and fills the order's
// items, production time, shipping and totals. Items citing a calculation
// are charged its stored prices.
func (s *Service) price(ctx context.Context, req Request, o *order.Order) []pressroom.FieldError {
	c := &checker{}
	items := make([]pricing.Item, len(req.Items))
	snaps := make([]*pricing.Snapshot, len(req.Items))
	times := map[string]bool{}
	if req.ProductionTime != "" {
		times[req.ProductionTime] = true
	}
	for i, it := range req.Items {
		ptr := fmt.Sprintf("/items/%d", i)
		c.maxLen(ptr+"/reference", it.Reference, MaxText)
		if len([]rune(it.Note)) > MaxNote {
			c.add(ptr+"/note", "too_long", "a note is at most %d characters", MaxNote)
		}
		if len([]rune(it.Backprint)) > MaxNote {
			c.add(ptr+"/backprint", "too_long", "a backprint is at most %d characters", MaxNote)
		}
		if len(it.Files) > MaxFiles {
			c.add(ptr+"/files", "too_many", "at most %d files", MaxFiles)
		}
		for j := range it.Files {
			c.file(fmt.Sprintf("%s/files/%d", ptr, j), &it.Files[j])
		}
		if it.Upload && len(it.Files) > 0 {
			c.add(ptr+"/upload", "conflicting_files", "give files or upload, not both")
		}
		if it.ProductionTime != "" {
			times[it.ProductionTime] = true
		}
		items[i] = it.Item
		if it.CalculationID != 0 {
			if it.Code != "" || it.CustomerCode != "" || len(it.Options) > 0 {
				c.add(ptr+"/calculation_id", "conflicting_product", "an item cites a calculation id or gives a product, not both")
				continue
			}
			calc, err := s.Pricing.FindCalculation(ctx, req.Reseller.ID, it.CalculationID)
			switch {
			case pressroom.ErrorCode(err) == pressroom.ENOTFOUND:
				c.add(ptr+"/calculation_id", "unknown_calculation", "calculation %d does not exist", it.CalculationID)
				continue
			case err != nil:
				return []pressroom.FieldError{{Pointer: ptr + "/calculation_id", Code: "internal", Detail: "the calculation could not be read"}}
			case !calc.ExpiresAt.IsZero() && !s.Clock.Now().Before(calc.ExpiresAt):
				c.add(ptr+"/calculation_id", "expired_calculation", "calculation %d expired on %s; price the product again", it.CalculationID, calc.ExpiresAt.Format(time.DateOnly))
				continue
			}
			snap, err := pricing.ParseSnapshot(calc.Prices)
			if err != nil || it.CalculationItem < 0 || it.CalculationItem >= len(snap.Items) {
				c.add(ptr+"/calculation_item", "unknown_calculation_item", "calculation %d has no item %d", it.CalculationID, it.CalculationItem)
				continue
			}
			si := snap.Items[it.CalculationItem]
			opts, err := json.Marshal(si.Options)
			if err != nil {
				continue
			}
			sels, _ := pricing.ParseOptions(opts)
			items[i] = pricing.Item{Code: si.Product, Options: sels}
			snaps[i] = snap
		}
	}
	if len(times) > 1 && !req.MixedTimes {
		c.add("/production_time", "conflicting_production_times", "the items of one order are made at one production time")
	}
	if len(items) == 0 {
		return c.fields
	}
	// Price the items that resolved, even when other fields failed, so that
	// every configuration problem is reported in the same answer.
	for i, it := range items {
		if it.Code == "" && it.CustomerCode == "" && req.Items[i].CalculationID != 0 {
			return c.fields // a cited calculation could not be read; its error says why
		}
	}
	delete(times, "")
	var wanted string
	for t := range times {
		wanted = t
	}
	wish := req.Delivery
	if wanted == "" && wish.DeliveryPreset == "" {
		// The order takes the slowest production time that fits (the
		// cheapest): price that one alone, not every time of the product.
		wish.DeliveryPreset = delivery.PresetCheapest
	}
	res, err := s.Pricing.Price(ctx, pricing.Request{Reseller: req.Reseller, Language: req.Language, Items: items, Delivery: wish, NoRecord: true})
	if err != nil {
		return dedupe(append(c.fields, renamePointers(err, "/products/", "/items/", "/delivery/", "/delivery/")...))
	}
	if len(c.fields) > 0 {
		return c.fields
	}
	opt := &res.Options[0] // the slowest that fits: the cheapest
	if req.MixedTimes && len(times) > 1 {
		wanted = "" // the slowest of the items' times: res.Options runs slowest first
		for k := range res.Options {
			if times[res.Options[k].Time.Code] {
				wanted = res.Options[k].Time.Code
				break
			}
		}
		if wanted == "" {
			return append(c.fields, pressroom.FieldError{Pointer: "/production_time", Code: "unavailable_production_time",
				Detail: "none of the items' production times fits the delivery"})
		}
	}
	if wanted != "" {
		opt = nil
		var codes []string
		for k := range res.Options {
			codes = append(codes, res.Options[k].Time.Code)
			if res.Options[k].Time.Code == wanted {
				opt = &res.Options[k]
			}
		}
		if opt == nil {
			return append(c.fields, pressroom.FieldError{Pointer: "/production_time", Code: "unavailable_production_time",
				Detail: fmt.Sprintf("production time %q does not fit the delivery; these do: %s", wanted, strings.Join(codes, ", "))})
		}
	}
	// The asked method, else the cheapest that delivers to the address
	// (pick-up only when nothing else goes there).
	ship := opt.Deliveries[0]
	for _, d := range opt.Deliveries[1:] {
		better := d.Purchase.LessThan(ship.Purchase)
		if (d.Method.Type == catalog.ShipmentTypePickup) != (ship.Method.Type == catalog.ShipmentTypePickup) {
			better = d.Method.Type != catalog.ShipmentTypePickup
		}
		if better {
			ship = d
		}
	}
	o.ProductionTime = opt.Time.Code
	o.VATRate, o.ReverseCharge = res.Rates.Purchase, res.Rates.ReverseCharge
	vat := decimal.NewFromInt(1).Add(res.Rates.Purchase)
	o.Delivery.ShippingMethod = ship.Method.Code
	o.Delivery.ShippingDate, o.Delivery.DeliveryDate = ship.ShippingDate.String(), ship.DeliveryDate.String()
	o.Totals.Shipping = order.Money{Excl: ship.Purchase, Incl: ship.PurchaseInclVAT}
	for i, p := range res.Items {
		in := req.Items[i]
		a := opt.Items[i]
		itemTime := ""
		if req.MixedTimes && in.ProductionTime != "" && in.ProductionTime != opt.Time.Code {
			found := false
			for k := range res.Options {
				if res.Options[k].Time.Code == in.ProductionTime {
					a, found = res.Options[k].Items[i], true
				}
			}
			if !found {
				c.add(fmt.Sprintf("/items/%d/production_time", i), "unavailable_production_time",
					"production time %q does not fit the delivery", in.ProductionTime)
				continue
			}
			itemTime = in.ProductionTime
		}
		line := pricing.Line{Base: a.PurchaseBase, Rush: a.PurchaseRush, Total: a.Purchase}
		if snaps[i] != nil {
			l, ok := snaps[i].Line(in.CalculationItem, opt.Time.Code)
			if !ok {
				c.add(fmt.Sprintf("/items/%d/calculation_id", i), "calculation_lacks_time",
					"calculation %d holds no price for production time %q", in.CalculationID, opt.Time.Code)
				continue
			}
			line = l
			o.CalculationID = in.CalculationID
		}
		opts, _ := json.Marshal(pricing.Options(p.Config))
		it := &order.Item{
			Reference: in.Reference, Product: p.Config.Product.Code, CustomerCode: in.CustomerCode, Options: opts,
			CalculationID: in.CalculationID, CalculationItem: in.CalculationItem,
			Amount: p.Quote.Measure.Amount, Base: line.Base, Rush: line.Rush,
			Price: order.Money{Excl: line.Total, Incl: line.Total.Mul(vat)}, Sales: line.Total.Mul(req.Reseller.Markup),
			Weight: p.Quote.Weight, Files: in.Files, Note: in.Note, Backprint: in.Backprint, Characteristics: in.Characteristics,
			ProductionTime: itemTime,
		}
		switch {
		case !p.Config.Upload:
			it.FileState = order.FileNone
			if len(in.Files) > 0 {
				c.add(fmt.Sprintf("/items/%d/files", i), "no_file_needed", "product %q needs no print file", it.Product)
			}
		case len(in.Files) > 0:
			it.FileState = order.FileDownloading
		case in.Upload || req.Draft:
			it.FileState = order.FileAwaiting
		default:
			c.add(fmt.Sprintf("/items/%d/files", i), "file_required", "product %q needs a print file: give files[] with a url, or upload: true to upload it", it.Product)
		}
		o.Items = append(o.Items, it)
		o.Totals.Subtotal = o.Totals.Subtotal.Add(it.Price)
	}
	o.Totals.Total = o.Totals.Subtotal.Add(o.Totals.Shipping).Add(o.Totals.StartingCosts)
	return c.fields
}

func wishOf(req Request) *order.Wish {
	w := &order.Wish{DeliveryPreset: req.Delivery.DeliveryPreset, Method: req.Delivery.Method, MethodPreset: req.Delivery.MethodPreset, ProductionTime: req.ProductionTime}
	if req.Delivery.DeliveryDate != nil {
		w.DeliveryDate = req.Delivery.DeliveryDate.String()
	}
	if req.Delivery.ShippingDate != nil {
		w.ShippingDate = req.Delivery.ShippingDate.String()
	}
	if *w == (order.Wish{}) {
		return nil
	}
	return w
}

// dedupe drops a field error that repeats an earlier one's pointer and code.
func dedupe(fields []pressroom.FieldError) []pressroom.FieldError {
	seen := map[[2]string]bool{}
	out := fields[:0]
	for _, f := range fields {
		k := [2]string{f.Pointer, f.Code}
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

// renamePointers moves the pricing service's field pointers onto the order request.
func renamePointers(err error, pairs ...string) []pressroom.FieldError {
	fields := pressroom.ErrorFields(err)
	if len(fields) == 0 {
		return []pressroom.FieldError{{Pointer: "", Code: pressroom.ErrorCode(err), Detail: pressroom.ErrorMessage(err)}}
	}
	out := make([]pressroom.FieldError, len(fields))
	for i, f := range fields {
		for k := 0; k+1 < len(pairs); k += 2 {
			if strings.HasPrefix(f.Pointer, pairs[k]) {
				f.Pointer = pairs[k+1] + strings.TrimPrefix(f.Pointer, pairs[k])
				break
			}
		}
		out[i] = f
	}
	return out
}

// CustomerOf reports whether customerID is one of the reseller's end-customer accounts.
func (s *Service) CustomerOf(ctx context.Context, resellerID, customerID int64) (bool, error) {
	cs, err := s.Store.ListCustomers(ctx, resellerID)
	if err != nil {
		return false, err
	}
	for _, c := range cs {
		if c.ID == customerID {
			return true, nil
		}
	}
	return false, nil
}

func isLanguage(l string) bool {
	for _, x := range catalog.Languages {
		if x == l {
			return true
		}
	}
	return false
}

// newToken is a random, unguessable tracking token.
func newToken() string {
	var b [15]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}
