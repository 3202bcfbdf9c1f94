package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/delivery"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/pricing"
)

// deliveryIn is a delivery as price and order requests take it.
type deliveryIn struct {
	Address              *order.Address `json:"address"`
	DeliveryDate         string         `json:"delivery_date"`
	ShippingDate         string         `json:"shipping_date"`
	DeliveryDatePreset   string         `json:"delivery_date_preset"`
	ShippingMethodCode   string         `json:"shipping_method_code"`
	ShippingMethodPreset string         `json:"shipping_method_preset"`
}

// request translates the delivery for the core; bad dates are field errors.
func (d *deliveryIn) request() (pricing.DeliveryRequest, []pressroom.FieldError) {
	var fields []pressroom.FieldError
	out := pricing.DeliveryRequest{DeliveryPreset: d.DeliveryDatePreset, Method: d.ShippingMethodCode, MethodPreset: d.ShippingMethodPreset}
	out.DeliveryDate, fields = dayField(fields, "/delivery/delivery_date", d.DeliveryDate)
	out.ShippingDate, fields = dayField(fields, "/delivery/shipping_date", d.ShippingDate)
	return out, fields
}

// dayField reads the date v of the member at ptr: nil when it is empty or
// no date, which adds its problem to fields.
func dayField(fields []pressroom.FieldError, ptr, v string) (*delivery.Date, []pressroom.FieldError) {
	if v == "" {
		return nil, fields
	}
	day, err := parseDay(v)
	if err != nil {
		return nil, append(fields, pressroom.FieldError{Pointer: ptr, Detail: fmt.Sprintf("%q is not a date like 2026-03-12", v), Code: "invalid_date"})
	}
	return &day, fields
}

type priceProductIn struct {
	ID           json.RawMessage `json:"id"`
	Code         string          `json:"code"`
	CustomerCode string          `json:"customer_code"`
	Options      []optionIn      `json:"options"`
}

type priceRequest struct {
	Language string           `json:"language"`
	Products []priceProductIn `json:"products"`
	Delivery *deliveryIn      `json:"delivery"`
}

type priceResponse struct {
	CalculationID  int64             `json:"calculation_id"`
	ExpiresAt      string            `json:"expires_at"`
	CatalogVersion int64             `json:"catalog_version"`
	Currency       string            `json:"currency"`
	Country        string            `json:"country"`
	VATRate        json.Number       `json:"vat_rate"`
	ReverseCharge  bool              `json:"reverse_charge"`
	Prices         []priceOptionOut  `json:"prices"`
	Products       []pricedProductIn `json:"products"`
}

// pricedProductIn echoes each product as priced: its id and resolved configuration.
type pricedProductIn struct {
	ID           json.RawMessage  `json:"id"`
	Code         string           `json:"code"`
	CustomerCode string           `json:"customer_code,omitempty"`
	Amount       json.Number      `json:"amount"`
	Options      []pricing.Option `json:"options"`
	Weight       json.Number      `json:"weight"`
}

type priceOptionOut struct {
	ProductionTime  string            `json:"production_time"`
	ProductionHours int               `json:"production_hours"`
	ProductionDays  int               `json:"production_days"`
	ShippingDate    string            `json:"shipping_date"`
	DeliveryDate    string            `json:"delivery_date"`
	ProductsTotal   priceOut          `json:"products_total"`
	Products        []productPriceOut `json:"products"`
	Deliveries      []deliveryOut     `json:"deliveries"`
}

type productPriceOut struct {
	ID               json.RawMessage `json:"id"`
	PricesTotal      priceOut        `json:"prices_total"`
	PricesPerProduct priceOut        `json:"prices_per_product"`
}

type deliveryOut struct {
	ShippingMethodCode string           `json:"shipping_method_code"`
	Name               *string          `json:"name"`
	Description        *string          `json:"description"`
	ShortDescription   *string          `json:"short_description"`
	Icon               string           `json:"icon"`
	Carrier            string           `json:"carrier"`
	Type               string           `json:"type"`
	TransitDays        int              `json:"transit_days"`
	ShippingDate       string           `json:"shipping_date"`
	DeliveryDate       string           `json:"delivery_date"`
	Prices             deliveryPriceOut `json:"prices"`
}

type deliveryPriceOut struct {
	PurchaseShippingPrice  json.Number `json:"purchase_shipping_price"`
	PurchasePackagingPrice json.Number `json:"purchase_packaging_price"`
	PurchasePrice          json.Number `json:"purchase_price"`
	PurchasePriceInclVAT   json.Number `json:"purchase_price_incl_vat"`
	SalesPrice             json.Number `json:"sales_price"`
	SalesPriceInclVAT      json.Number `json:"sales_price_incl_vat"`
}

// POST /v1/prices
func (s *Server) handlePrices(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var req priceRequest
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	preq, fields := s.priceInput(p.Reseller, req)
	if len(fields) > 0 {
		s.Error(w, r, pressroom.Invalid(fmt.Sprintf("The price request has %d problem(s).", len(fields)), fields...))
		return
	}
	res, err := s.Pricing.Price(r.Context(), preq)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := priceAnswer(req, res)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	httpx.JSONAppend(w, http.StatusOK, out.appendJSON)
}

// priceInput checks the request's shape and translates it for the core.
func (s *Server) priceInput(reseller *pressroom.Reseller, req priceRequest) (pricing.Request, []pressroom.FieldError) {
	var fields []pressroom.FieldError
	out := pricing.Request{Reseller: reseller, Language: req.Language}
	switch {
	case len(req.Products) == 0:
		fields = append(fields, pressroom.FieldError{Pointer: "/products", Detail: "at least one product is required", Code: "required"})
	case len(req.Products) > MaxBatch:
		fields = append(fields, pressroom.FieldError{Pointer: "/products", Detail: fmt.Sprintf("at most %d products are priced in one call", MaxBatch), Code: "too_many_products"})
	}
	if req.Language != "" && !isCatalogLanguage(req.Language) {
		fields = append(fields, pressroom.FieldError{Pointer: "/language", Detail: fmt.Sprintf("language %q is not one of en, de, nl, fr", req.Language), Code: "invalid_language"})
		out.Language = ""
	}
	seen := map[string]int{}
	for i, pr := range req.Products {
		ptr := fmt.Sprintf("/products/%d", i)
		if id := bytes.TrimSpace(pr.ID); len(id) > 0 && string(id) != "null" {
			if c := id[0]; c != '"' && c != '-' && (c < '0' || c > '9') {
				fields = append(fields, pressroom.FieldError{Pointer: ptr + "/id", Detail: "id must be a number or a string", Code: "invalid_id"})
			} else if first, dup := seen[string(id)]; dup {
				fields = append(fields, pressroom.FieldError{Pointer: ptr + "/id", Detail: fmt.Sprintf("id %s is used by product %d too; ids must be unique", id, first), Code: "duplicate_id"})
			} else {
				seen[string(id)] = i
			}
		}
		if len(pr.Options) > 500 {
			fields = append(fields, pressroom.FieldError{Pointer: ptr + "/options", Detail: "at most 500 options", Code: "too_many_options"})
			continue
		}
		out.Items = append(out.Items, pricing.Item{Code: pr.Code, CustomerCode: pr.CustomerCode, Options: selections(pr.Options)})
	}
	if d := req.Delivery; d != nil {
		dr, fs := d.request()
		fields = append(fields, fs...)
		if d.Address != nil {
			dr.Country = strings.ToUpper(strings.TrimSpace(d.Address.Country))
			if dr.Country == "" {
				fields = append(fields, pressroom.FieldError{Pointer: "/delivery/address/country", Detail: "country is required: an ISO 3166 code such as NL", Code: "required"})
			}
		}
		out.Delivery = dr
	}
	return out, fields
}

// parseDay reads a date, or the date of an RFC 3339 time or Probo's
// "2025-03-12T00:00:00+0000".
func parseDay(s string) (delivery.Date, error) {
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10]
	}
	return delivery.ParseDate(s)
}

func priceAnswer(req priceRequest, res *pricing.Result) priceResponse {
	lang := req.Language
	def := res.Catalog.DefaultLanguage
	out := priceResponse{
		CalculationID: res.CalculationID, ExpiresAt: rfc3339(res.ExpiresAt), CatalogVersion: res.Catalog.Version,
		Currency: res.Currency, Country: res.Destination, VATRate: dnum(res.Rates.Purchase), ReverseCharge: res.Rates.ReverseCharge,
		Prices: []priceOptionOut{}, Products: make([]pricedProductIn, len(res.Items)),
	}
	ids := make([]json.RawMessage, len(res.Items))
	for i, it := range res.Items {
		ids[i] = productID(req.Products[i].ID, i)
		out.Products[i] = pricedProductIn{
			ID: ids[i], Code: it.Config.Product.Code, CustomerCode: req.Products[i].CustomerCode,
			Amount: dnum(it.Quote.Measure.Amount), Options: pricing.Options(it.Config), Weight: dnum(it.Quote.Weight.Round(3)),
		}
	}
	// Production times with the same amounts and a method's price (the
	// same for every production time) are rendered once.
	type rendered struct{ total, perPiece priceOut }
	var prevItems []rendered
	var prevTotal priceOut
	var prev *pricing.TimeOption
	methodPrices := map[string]deliveryPriceOut{}
	for oi := range res.Options {
		o := &res.Options[oi]
		po := priceOptionOut{
			ProductionTime: o.Time.Code, ProductionHours: o.Time.Hours, ProductionDays: *o.Time.Days,
			ShippingDate: o.Deliveries[0].ShippingDate.String(), DeliveryDate: o.Deliveries[0].DeliveryDate.String(),
		}
		same := prev != nil && sameAmounts(prev.Total, o.Total)
		if !same {
			prevTotal = priceView(o.Total.Rounded())
		}
		po.ProductsTotal = prevTotal
		items := make([]rendered, len(o.Items))
		for i, a := range o.Items {
			if same && sameAmounts(prev.Items[i], a) {
				items[i] = prevItems[i]
			} else {
				items[i] = rendered{priceView(a.Rounded()), priceView(a.PerPiece(res.Items[i].Quote.Measure.Amount))}
			}
			po.Products = append(po.Products, productPriceOut{ID: ids[i], PricesTotal: items[i].total, PricesPerProduct: items[i].perPiece})
		}
		prev, prevItems = o, items
		for _, d := range o.Deliveries {
			m := d.Method
			dp, ok := methodPrices[m.Code]
			if !ok {
				dp = deliveryPriceOut{
					PurchaseShippingPrice: dnum(pricing.Round(d.Shipping)), PurchasePackagingPrice: dnum(pricing.Round(d.Packaging)),
					PurchasePrice: dnum(pricing.Round(d.Purchase)), PurchasePriceInclVAT: dnum(pricing.Round(d.PurchaseInclVAT)),
					SalesPrice: "0", SalesPriceInclVAT: "0",
				}
				methodPrices[m.Code] = dp
			}
			po.Deliveries = append(po.Deliveries, deliveryOut{
				ShippingMethodCode: m.Code, Name: m.Name.Lookup(lang, def), Description: m.Description.Lookup(lang, def),
				ShortDescription: m.ShortDescription.Lookup(lang, def), Icon: m.Icon, Carrier: m.Carrier, Type: m.Type,
				TransitDays: d.TransitDays, ShippingDate: d.ShippingDate.String(), DeliveryDate: d.DeliveryDate.String(),
				Prices: dp,
			})
		}
		out.Prices = append(out.Prices, po)
	}
	return out
}

// productID is the caller's id, or the product's position from 1 when it gave none.
func productID(raw json.RawMessage, i int) json.RawMessage {
	if id := bytes.TrimSpace(raw); len(id) > 0 && string(id) != "null" {
		return id
	}
	return json.RawMessage(fmt.Sprint(i + 1))
}

type tierOut struct {
	Amount json.Number   `json:"amount"`
	Prices []tierTimeOut `json:"prices"`
}

type tierTimeOut struct {
	ProductionTime   string   `json:"production_time"`
	ProductionHours  int      `json:"production_hours"`
	PricesTotal      priceOut `json:"prices_total"`
	PricesPerProduct priceOut `json:"prices_per_product"`
}

type tiersOut struct {
	Code          string           `json:"code"`
	Unit          string           `json:"unit"`
	ArticleGroup  string           `json:"article_group"`
	Currency      string           `json:"currency"`
	Configuration []pricing.Option `json:"configuration"`
	Tiers         []tierOut        `json:"tiers"`
}

// GET /v1/products/{code}/tiers
func (s *Server) handleTiers(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	cat := s.Catalog.Current()
	code := r.PathValue("code")
	prod := cat.Product(code)
	if prod == nil {
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "Product %q does not exist.", code))
		return
	}
	tiers, configuration, err := pricing.Tiers(prod, p.Reseller, s.Clock.Now())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := tiersOut{Code: prod.Code, Unit: prod.Unit, ArticleGroup: prod.ArticleGroup, Currency: cat.Commerce.Company.Currency,
		Configuration: configuration, Tiers: []tierOut{}}
	for _, tr := range tiers {
		t := tierOut{Amount: dnum(tr.Amount)}
		for i := len(tr.Quote.Lines) - 1; i >= 0; i-- {
			l := tr.Quote.Lines[i]
			t.Prices = append(t.Prices, tierTimeOut{ProductionTime: l.Time.Code, ProductionHours: l.Time.Hours,
				PricesTotal: priceView(tr.Amounts[i].Rounded()), PricesPerProduct: priceView(tr.Amounts[i].PerPiece(tr.Amount))})
		}
		out.Tiers = append(out.Tiers, t)
	}
	writeJSON(w, http.StatusOK, out)
}

type methodOut struct {
	Code             string      `json:"code"`
	Name             *string     `json:"name"`
	Description      *string     `json:"description"`
	ShortDescription *string     `json:"short_description"`
	Icon             string      `json:"icon"`
	Carrier          string      `json:"carrier"`
	Type             string      `json:"type"`
	ArticleGroups    []string    `json:"article_groups"`
	CutOff           string      `json:"cut_off"`
	HandoverDays     int         `json:"handover_days"`
	PackagingPrice   json.Number `json:"packaging_price"`
	Rates            []rateOut   `json:"rates"`
}

type rateOut struct {
	Countries   []string         `json:"countries"`
	TransitDays int              `json:"transit_days"`
	Prices      []weightPriceOut `json:"prices"`
}

type weightPriceOut struct {
	UpToKg json.Number `json:"up_to_kg"`
	Price  json.Number `json:"price"`
}

// GET /v1/shipping/methods?language=&country=
func (s *Server) handleShippingMethods(w http.ResponseWriter, r *http.Request, _ *pressroom.Principal) {
	lang, err := languageParam(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	cat := s.Catalog.Current()
	country := strings.ToUpper(r.URL.Query().Get("country"))
	if country != "" && cat.Commerce.Countries[country] == nil {
		s.Error(w, r, &pressroom.Error{Code: pressroom.EINVALID, Message: fmt.Sprintf("We do not deliver to country %q.", country),
			Fields: []pressroom.FieldError{{Pointer: "?country", Detail: "an ISO 3166 code of a country served", Code: "unknown_country"}}})
		return
	}
	def := cat.DefaultLanguage
	out := []methodOut{}
	for _, m := range cat.Commerce.Methods {
		if country != "" && m.Rate(country) == nil {
			continue
		}
		cut := fmt.Sprintf("%02d:%02d", m.CutOffMinutes/60, m.CutOffMinutes%60)
		if m.CutOffMinutes >= 24*60 {
			cut = ""
		}
		mo := methodOut{
			Code: m.Code, Name: m.Name.Lookup(lang, def), Description: m.Description.Lookup(lang, def),
			ShortDescription: m.ShortDescription.Lookup(lang, def), Icon: m.Icon, Carrier: m.Carrier, Type: m.Type,
			ArticleGroups: nonNil(m.ArticleGroups), CutOff: cut, HandoverDays: m.HandoverDays, PackagingPrice: "0",
		}
		if m.PackagingPrice != nil {
			mo.PackagingPrice = dnum(*m.PackagingPrice)
		}
		for _, rt := range m.Rates {
			ro := rateOut{Countries: rt.Countries, TransitDays: rt.TransitDays}
			for _, wp := range rt.Prices {
				ro.Prices = append(ro.Prices, weightPriceOut{UpToKg: dnum(wp.UpToKg), Price: dnum(wp.Price)})
			}
			mo.Rates = append(mo.Rates, ro)
		}
		out = append(out, mo)
	}
	writeJSON(w, http.StatusOK, map[string]any{"shipping_methods": out})
}
