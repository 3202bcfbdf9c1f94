package probo

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/render"
	"github.com/pressroom/pressroom/pricing"
)

// articleGroupCodes are the article group codes this API shows. Probo
// publishes only "MA" (material); the others are pressroom's.
var articleGroupCodes = map[string]string{"material": "MA", "composed_product": "CP", "accessory": "AC", "box": "BX", "photo_product": "PP"}

// unitNames are units as the tiers and API products show them.
var unitNames = map[string]string{"m2": "m2", "rm": "rm", "piece": "pc"}

type tierOut struct {
	Tier       json.Number `json:"tier"`
	SalesPrice json.Number `json:"sales_price"`
	RushHours  []rushOut   `json:"rush_hours"`
}

type rushOut struct {
	Hour       int         `json:"hour"`
	SalesPrice json.Number `json:"sales_price"`
}

type tiersOut struct {
	APICode          string    `json:"api_code"`
	ArticleGroupCode string    `json:"article_group_code"`
	UnitCode         string    `json:"unit_code"`
	Tiers            []tierOut `json:"tiers"`
}

// GET /products/product/{code}/tiers: the sales price per piece of the
// product's reference configuration at each tier quantity, at the
// standard (slowest) production time, and faster ones as rush_hours.
func (s *Server) handleTiers(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	prod := s.Catalog.Current().Product(r.PathValue("code"))
	if prod == nil {
		writeError(w, http.StatusNotFound, "Product not found")
		return
	}
	tiers, _, err := pricing.Tiers(prod, p.Reseller, s.Clock.Now())
	if err != nil {
		s.fail(w, err)
		return
	}
	out := tiersOut{APICode: prod.Code, ArticleGroupCode: articleGroupCodes[prod.ArticleGroup], UnitCode: unitNames[prod.Unit], Tiers: []tierOut{}}
	for _, t := range tiers {
		slowest := render.PriceOf(t.Amounts[0].PerPiece(t.Amount))
		to := tierOut{Tier: render.DNum(t.Amount), SalesPrice: slowest.SalesPrice, RushHours: []rushOut{}}
		for i := 1; i < len(t.Quote.Lines); i++ {
			to.RushHours = append(to.RushHours, rushOut{Hour: t.Quote.Lines[i].Time.Hours, SalesPrice: render.PriceOf(t.Amounts[i].PerPiece(t.Amount)).SalesPrice})
		}
		out.Tiers = append(out.Tiers, to)
	}
	writeJSON(w, http.StatusOK, []tiersOut{out})
}

type apiProductSummary struct {
	CustomerCode string  `json:"customer_code"`
	UnitCode     string  `json:"unit_code"`
	Title        *string `json:"title"`
	Description  *string `json:"description"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
	DeletedAt    *string `json:"deleted_at"`
}

// title is a product's title and description in a language.
func title(prod *catalog.CompiledProduct, lang string) (*string, *string) {
	for _, l := range []string{lang, prod.Catalog.DefaultLanguage, "en"} {
		if t, ok := prod.Translations[l]; ok && t.Title != nil {
			return t.Title, t.Description
		}
	}
	return nil, nil
}

func language(r *http.Request) string {
	if l := r.URL.Query().Get("language"); isLanguage(l) {
		return l
	}
	return ""
}

// GET /apiproducts: the reseller's saved API products, paged.
func (s *Server) handleAPIProducts(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	page, perPage, err := paging(r, 20)
	if err != nil {
		s.fail(w, err)
		return
	}
	list, total, err := s.Store.ListAPIProducts(r.Context(), p.Reseller.ID, (page-1)*perPage, perPage)
	if err != nil {
		s.fail(w, err)
		return
	}
	lang, cat := language(r), s.Catalog.Current()
	out := []apiProductSummary{}
	for _, ap := range list {
		a := apiProductSummary{CustomerCode: ap.CustomerCode, CreatedAt: timeOf(ap.CreatedAt), UpdatedAt: timeOf(ap.UpdatedAt)}
		if prod := cat.Product(ap.ProductCode); prod != nil {
			a.UnitCode = unitNames[prod.Unit]
			a.Title, a.Description = title(prod, lang)
		}
		out = append(out, a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"meta": meta{Page: page, Pages: (total + perPage - 1) / perPage, Items: total, PerPage: perPage}, "products": out})
}

type productionPrices struct {
	ProductionHours int          `json:"production_hours"`
	Prices          render.Price `json:"prices"`
}

// GET /apiproducts/product/{customer_code}: the saved configuration, its
// size and amount, and its prices per production time.
func (s *Server) handleAPIProduct(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	ap, err := s.Store.FindAPIProduct(r.Context(), p.Reseller.ID, r.PathValue("customer_code"))
	if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		writeError(w, http.StatusNotFound, "API product not found")
		return
	} else if err != nil {
		s.fail(w, err)
		return
	}
	lang := language(r)
	prod := s.Catalog.Current().Product(ap.ProductCode)
	if prod == nil {
		writeError(w, http.StatusNotFound, "The product of this API product is no longer available")
		return
	}
	sels, err := pricing.ParseOptions(ap.Options)
	if err != nil {
		s.fail(w, err)
		return
	}
	cfg := prod.Configure(sels, lang)
	var rendered render.Product
	render.Configuration(cfg, &rendered, nil)
	t, d := title(prod, lang)
	out := map[string]any{
		"customer_code": ap.CustomerCode, "code": prod.Code, "title": t, "description": d,
		"article_group_name": catalog.ArticleGroups[prod.ArticleGroup], "options": rendered.SelectedOptions,
		"amount": rendered.Amount, "width": rendered.Width, "height": rendered.Height, "length": rendered.Length,
		"upload": rendered.Upload, "uploaders": rendered.Uploaders,
	}
	if !cfg.CanOrder {
		msg := "The saved configuration no longer fits the product"
		if len(cfg.Problems) > 0 {
			msg += ": " + cfg.Problems[0].Reason
		}
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	q, amounts, err := pricing.ConfigurePrices(cfg, p.Reseller, s.Clock.Now())
	if err != nil {
		s.fail(w, err)
		return
	}
	total, per := []productionPrices{}, []productionPrices{}
	for i, l := range q.Lines {
		total = append(total, productionPrices{l.Time.Hours, render.PriceOf(amounts[i].Rounded())})
		per = append(per, productionPrices{l.Time.Hours, render.PriceOf(amounts[i].PerPiece(q.Measure.Amount))})
	}
	out["prices_total_v2"], out["prices_per_product_v2"] = total, per
	writeJSON(w, http.StatusOK, out)
}

type methodOut struct {
	Code          string                       `json:"code"`
	Icon          string                       `json:"icon"`
	RequiresEmail bool                         `json:"requires_email"`
	RequiresPhone bool                         `json:"requires_phone"`
	CarrierCode   string                       `json:"carrier_code"`
	Type          string                       `json:"type"`
	Translations  map[string]map[string]string `json:"translations"`
}

// GET /shipping/methods?type=: the methods as the published example shows
// them, with their translations.
func (s *Server) handleShippingMethods(w http.ResponseWriter, r *http.Request, _ *pressroom.Principal) {
	typ := r.URL.Query().Get("type")
	out := []methodOut{}
	for _, m := range s.Catalog.Current().Commerce.Methods {
		if typ != "" && !strings.EqualFold(typ, m.Type) {
			continue
		}
		mo := methodOut{Code: m.Code, Icon: m.Icon, CarrierCode: strings.ToUpper(m.Carrier), Type: m.Type, RequiresEmail: m.Type != "pickup",
			Translations: map[string]map[string]string{}}
		for _, l := range catalog.Languages {
			t := map[string]string{}
			for k, text := range map[string]catalog.Text{"title": m.Name, "description": m.Description, "short_description": m.ShortDescription} {
				if v, ok := text[l]; ok {
					t[k] = v
				}
			}
			if len(t) > 0 {
				mo.Translations[l] = t
			}
		}
		out = append(out, mo)
	}
	writeJSON(w, http.StatusOK, out)
}
