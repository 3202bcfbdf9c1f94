package profotonet

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/delivery"
	"github.com/pressroom/pressroom/pricing"
)

// The document's model: a product of a fixed size, ordered by quantity,
// with optional options of named attributes.

type attributeOut struct {
	Name string `json:"name"`
	Code string `json:"code"`
}

type optionOut struct {
	Name       string         `json:"name"`
	Code       string         `json:"code"`
	Attributes []attributeOut `json:"attributes"`
}

type shippingOut struct {
	Name    string           `json:"name"`
	Pricing map[string]int64 `json:"pricing"`
}

type productOut struct {
	ProductID       int64         `json:"productId"`
	Name            string        `json:"name"`
	Price           int64         `json:"price"`
	Options         []optionOut   `json:"options"`
	ShippingMethods []shippingOut `json:"shippingMethods"`
}

// language is the document's: Dutch, unless ?language= asks another.
func language(r *http.Request) string {
	if l := r.URL.Query().Get("language"); l != "" {
		for _, x := range catalog.Languages {
			if x == l {
				return l
			}
		}
	}
	return "nl"
}

// expressible reports whether a product fits this API's model: it has a
// productId, is for sale, and every choice besides the quantity is an
// optional group of plain options.
func expressible(p *catalog.CompiledProduct) bool {
	if p.ProductID == 0 || !p.IsActive() || p.Pricing == nil {
		return false
	}
	for _, step := range p.Steps {
		for _, g := range step {
			if amountGroup(g) {
				continue
			}
			if !g.Optional {
				return false
			}
			for _, o := range g.Options {
				if o.Type != catalog.TypeRadio {
					return false
				}
			}
		}
	}
	return true
}

// amountGroup is the quantity input every product has.
func amountGroup(g *catalog.CompiledGroup) bool {
	return len(g.Options) == 1 && g.Options[0].Type == catalog.TypeAmount
}

// options are a product's optional groups as the document shows them.
func options(p *catalog.CompiledProduct, lang string) []optionOut {
	out := []optionOut{}
	for _, step := range p.Steps {
		for _, g := range step {
			if amountGroup(g) {
				continue
			}
			o := optionOut{Name: text(g.Name, lang, p.Catalog.DefaultLanguage), Code: g.Code, Attributes: []attributeOut{}}
			for _, opt := range g.Options {
				o.Attributes = append(o.Attributes, attributeOut{Name: text(opt.Name, lang, p.Catalog.DefaultLanguage), Code: opt.AttributeCode()})
			}
			out = append(out, o)
		}
	}
	return out
}

// cents is an amount in whole cents.
func cents(d decimal.Decimal) int64 { return d.Mul(decimal.NewFromInt(100)).Round(0).IntPart() }

// shippingPrices are a method's prices including VAT for one piece of a
// product, by country ("default" for every other country), in cents.
func shippingPrices(m *catalog.Method, weight decimal.Decimal, vat decimal.Decimal) map[string]int64 {
	out := map[string]int64{}
	for i := range m.Rates {
		rate := &m.Rates[i]
		price := cents(delivery.Price(m, rate, weight).Total.Mul(decimal.NewFromInt(1).Add(vat)))
		for _, c := range rate.Countries {
			if c == "*" {
				out["default"] = price
			} else {
				out[strings.ToLower(c)] = price
			}
		}
	}
	return out
}

// shipments are the product's methods that send (pick-up is the order's
// shippingMethod "pickup", not a priced method).
func shipments(p *catalog.CompiledProduct) []*catalog.Method {
	var out []*catalog.Method
	for _, m := range p.Methods() {
		if m.Type == catalog.ShipmentTypeShipment {
			out = append(out, m)
		}
	}
	return out
}

// homeVAT is the purchase VAT rate of the reseller at home.
func homeVAT(cat *catalog.Catalog, r *pressroom.Reseller, on time.Time) decimal.Decimal {
	rates, err := pricing.HomeRates(cat, r, on)
	if err != nil {
		return decimal.Zero
	}
	return rates.Purchase
}

// listing is one product as the document shows it: its price is one piece
// without options at its slowest (cheapest) speed, including VAT, in cents.
func (s *Server) listing(p *catalog.CompiledProduct, r *pressroom.Reseller, lang string, vat decimal.Decimal, now time.Time) (productOut, bool) {
	cfg := p.Configure([]catalog.Selection{{Code: catalog.TypeAmount, Value: ptr(decimal.NewFromInt(1))}}, lang)
	if !cfg.CanOrder {
		return productOut{}, false
	}
	q, amounts, err := pricing.ConfigurePrices(cfg, r, now)
	if err != nil || len(amounts) == 0 {
		return productOut{}, false
	}
	out := productOut{ProductID: p.ProductID, Name: title(p, lang), Price: cents(amounts[0].PurchaseInclVAT), Options: options(p, lang), ShippingMethods: []shippingOut{}}
	for _, m := range shipments(p) {
		out.ShippingMethods = append(out.ShippingMethods, shippingOut{Name: text(m.Name, lang, p.Catalog.DefaultLanguage), Pricing: shippingPrices(m, q.Weight, vat)})
	}
	return out, true
}

func text(t catalog.Text, lang, fallback string) string {
	if v := t.Lookup(lang, fallback); v != nil {
		return *v
	}
	return ""
}

func title(p *catalog.CompiledProduct, lang string) string {
	for _, l := range []string{lang, p.Catalog.DefaultLanguage, "en"} {
		if t, ok := p.Translations[l]; ok && t.Title != nil && *t.Title != "" {
			return *t.Title
		}
	}
	return p.Code
}

func ptr[T any](v T) *T { return &v }

// GET /products: every product this API can order, at once.
func (s *Server) handleProducts(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	cat := s.Catalog.Current()
	lang := language(r)
	now := s.Clock.Now()
	vat := homeVAT(cat, p.Reseller, now)
	out := []productOut{}
	for _, prod := range cat.Products() {
		if !expressible(prod) {
			continue
		}
		if l, ok := s.listing(prod, p.Reseller, lang, vat, now); ok {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ProductID < out[j].ProductID })
	writeJSON(w, http.StatusOK, out)
}
