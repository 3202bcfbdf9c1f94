package probo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/delivery"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/internal/render"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/pricing"
)

// deliveryIn is one of a request's deliveries, as Probo's spec lists them.
type deliveryIn struct {
	Address              *order.Address `json:"address"`
	DeliveryDate         string         `json:"delivery_date"`
	DeliveryDatePreset   string         `json:"delivery_date_preset"`
	ShippingDate         string         `json:"shipping_date"`
	ShippingMethodCode   string         `json:"shipping_method_code"`
	ShippingMethodPreset string         `json:"shipping_method_preset"`
}

type productIn struct {
	ID           json.RawMessage   `json:"id"`
	Code         string            `json:"code"`
	CustomerCode string            `json:"customer_code"`
	Options      []render.OptionIn `json:"options"`
}

type priceRequest struct {
	Language   string       `json:"language"`
	Deliveries []deliveryIn `json:"deliveries"`
	Products   []productIn  `json:"products"`
}

// amounts is a price block of the guide's /price answer: the shape the
// configure answer uses too.
func amounts(a pricing.Amounts) render.Price { return render.PriceOf(a) }

type priceOption struct {
	ProductsPurchaseBasePrice     json.Number      `json:"products_purchase_base_price"`
	ProductsPurchaseRushSurcharge json.Number      `json:"products_purchase_rush_surcharge"`
	ProductsPurchasePrice         json.Number      `json:"products_purchase_price"`
	ProductsPurchasePriceInclVAT  json.Number      `json:"products_purchase_price_incl_vat"`
	ProductsSalesPrice            json.Number      `json:"products_sales_price"`
	ProductsSalesPriceInclVAT     json.Number      `json:"products_sales_price_incl_vat"`
	DeliveryDate                  string           `json:"delivery_date"`
	ShippingDate                  string           `json:"shipping_date"`
	ProductionHours               int              `json:"production_hours"`
	Products                      []productPrice   `json:"products"`
	Deliveries                    []deliveryOption `json:"deliveries"`
}

type productPrice struct {
	ID               json.RawMessage `json:"id"`
	PricesTotal      render.Price    `json:"prices_total"`
	PricesPerProduct render.Price    `json:"prices_per_product"`
}

type deliveryOption struct {
	Code             string        `json:"shipping_method_api_code"`
	Name             string        `json:"shipping_method_name"`
	Description      string        `json:"shipping_method_description"`
	ShortDescription string        `json:"shipping_method_short_description"`
	Icon             string        `json:"shipping_method_icon"`
	TransitDays      int           `json:"transit_days"`
	Prices           deliveryPrice `json:"prices"`
}

type deliveryPrice struct {
	PurchaseBasePrice      json.Number `json:"purchase_base_price"`
	PurchaseRushSurcharge  json.Number `json:"purchase_rush_surcharge"`
	PurchasePackagingPrice json.Number `json:"purchase_packaging_price"`
	PurchaseShippingPrice  json.Number `json:"purchase_shipping_price"`
	PurchasePrice          json.Number `json:"purchase_price"`
	PurchasePriceInclVAT   json.Number `json:"purchase_price_incl_vat"`
	SalesPrice             json.Number `json:"sales_price"`
	SalesPriceInclVAT      json.Number `json:"sales_price_incl_vat"`
}

type priceAnswer struct {
	Status        string        `json:"status"`
	Code          int           `json:"code"`
	Message       string        `json:"message"`
	Prices        []priceOption `json:"prices"`
	CalculationID int64         `json:"calculation_id"`
}

// POST /price: every production time that reaches the wished date (all of
// them without one), slowest first, each with its shipping and delivery
// dates and a price per shipping method.
func (s *Server) handlePrice(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var req priceRequest
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, false, &req); err != nil {
		s.fail(w, err)
		return
	}
	preq, problem := priceInput(p.Reseller, req)
	if problem != "" {
		writeError(w, http.StatusBadRequest, problem)
		return
	}
	res, err := s.Pricing.Price(r.Context(), preq)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, priceOf(req, res))
}

// priceInput translates the request for the core; the text says what is wrong.
func priceInput(reseller *pressroom.Reseller, req priceRequest) (pricing.Request, string) {
	out := pricing.Request{Reseller: reseller}
	if isLanguage(req.Language) {
		out.Language = req.Language
	}
	switch {
	case len(req.Products) == 0:
		return out, "No products given"
	case len(req.Products) > MaxBatch:
		return out, fmt.Sprintf("At most %d products can be priced in one call", MaxBatch)
	case len(req.Deliveries) > 1:
		return out, "One delivery per call: every product of an order goes to one address"
	}
	seen := map[string]bool{}
	for i, pr := range req.Products {
		if id := string(bytes.TrimSpace(pr.ID)); id != "" && id != "null" {
			if seen[id] {
				return out, fmt.Sprintf("Product id %s is given twice; ids must be unique", id)
			}
			seen[id] = true
		}
		if len(pr.Options) > 500 {
			return out, fmt.Sprintf("Product %d has too many options", i+1)
		}
		out.Items = append(out.Items, pricing.Item{Code: pr.Code, CustomerCode: pr.CustomerCode, Options: render.Selections(pr.Options)})
	}
	if len(req.Deliveries) == 1 {
		d := req.Deliveries[0]
		dr := pricing.DeliveryRequest{DeliveryPreset: d.DeliveryDatePreset, Method: d.ShippingMethodCode, MethodPreset: d.ShippingMethodPreset}
		for _, x := range []struct {
			name, value string
			dst         **delivery.Date
		}{{"delivery_date", d.DeliveryDate, &dr.DeliveryDate}, {"shipping_date", d.ShippingDate, &dr.ShippingDate}} {
			if x.value == "" {
				continue
			}
			v := x.value
			if len(v) > 10 && v[10] == 'T' {
				v = v[:10]
			}
			day, err := delivery.ParseDate(v)
			if err != nil {
				return out, fmt.Sprintf("%s %q is not a date like 2025-03-12", x.name, x.value)
			}
			*x.dst = &day
		}
		if d.Address != nil {
			dr.Country = strings.ToUpper(strings.TrimSpace(d.Address.Country))
		}
		out.Delivery = dr
	}
	return out, ""
}

func productID(raw json.RawMessage, i int) json.RawMessage {
	if id := bytes.TrimSpace(raw); len(id) > 0 && string(id) != "null" {
		return id
	}
	return json.RawMessage(fmt.Sprint(i + 1))
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func priceOf(req priceRequest, res *pricing.Result) priceAnswer {
	lang, def := req.Language, res.Catalog.DefaultLanguage
	out := priceAnswer{Status: "ok", Code: http.StatusOK, Message: "Price calculated", Prices: []priceOption{}, CalculationID: res.CalculationID}
	for oi := range res.Options {
		o := &res.Options[oi]
		total := amounts(o.Total.Rounded())
		po := priceOption{
			ProductsPurchaseBasePrice: total.PurchaseBasePrice, ProductsPurchaseRushSurcharge: total.PurchaseRushSurcharge,
			ProductsPurchasePrice: total.PurchasePrice, ProductsPurchasePriceInclVAT: total.PurchasePriceInclVAT,
			ProductsSalesPrice: total.SalesPrice, ProductsSalesPriceInclVAT: total.SalesPriceInclVAT,
			DeliveryDate:    o.Deliveries[0].DeliveryDate.String() + "T00:00:00+0000",
			ShippingDate:    o.Deliveries[0].ShippingDate.String() + "T23:59:00+0000",
			ProductionHours: o.Time.Hours,
		}
		for i, a := range o.Items {
			po.Products = append(po.Products, productPrice{ID: productID(req.Products[i].ID, i),
				PricesTotal: amounts(a.Rounded()), PricesPerProduct: amounts(a.PerPiece(res.Items[i].Quote.Measure.Amount))})
		}
		for _, d := range o.Deliveries {
			m := d.Method
			purchase := render.DNum(pricing.Round(d.Purchase))
			po.Deliveries = append(po.Deliveries, deliveryOption{
				Code: m.Code, Name: str(m.Name.Lookup(lang, def)), Description: str(m.Description.Lookup(lang, def)),
				ShortDescription: str(m.ShortDescription.Lookup(lang, def)), Icon: m.Icon, TransitDays: d.TransitDays,
				Prices: deliveryPrice{
					PurchaseBasePrice: purchase, PurchaseRushSurcharge: "0",
					PurchasePackagingPrice: render.DNum(pricing.Round(d.Packaging)), PurchaseShippingPrice: render.DNum(pricing.Round(d.Shipping)),
					PurchasePrice: purchase, PurchasePriceInclVAT: render.DNum(pricing.Round(d.PurchaseInclVAT)),
					SalesPrice: "0", SalesPriceInclVAT: "0",
				},
			})
		}
		out.Prices = append(out.Prices, po)
	}
	return out
}
