package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
)

type pageMeta struct {
	Page    int `json:"page"`
	Pages   int `json:"pages"`
	Items   int `json:"items"`
	PerPage int `json:"per_page"`
}

type productSummary struct {
	Code             string                         `json:"code"`
	ProductID        *int64                         `json:"product_id,omitempty"`
	Active           bool                           `json:"active"`
	ArticleGroup     string                         `json:"article_group"`
	ArticleGroupName string                         `json:"article_group_name"`
	Unit             string                         `json:"unit"`
	Title            *string                        `json:"title"`
	Description      *string                        `json:"description"`
	Translations     map[string]catalog.Translation `json:"translations"`
	Images           []imageOut                     `json:"images"`
	CreatedAt        string                         `json:"created_at"`
	UpdatedAt        string                         `json:"updated_at"`
}

func summarize(p *catalog.CompiledProduct, lang string) productSummary {
	tr := make(map[string]catalog.Translation, len(catalog.Languages))
	for _, l := range catalog.Languages {
		tr[l] = p.Translations[l] // missing languages show as null title and description
	}
	for l, t := range p.Translations {
		tr[l] = t
	}
	s := productSummary{
		Code: p.Code, Active: p.IsActive(), ArticleGroup: p.ArticleGroup, ArticleGroupName: catalog.ArticleGroups[p.ArticleGroup],
		Unit: p.Unit, Translations: tr, Images: images(p.Images),
		CreatedAt: rfc3339(p.CreatedTime()), UpdatedAt: rfc3339(p.UpdatedTime()),
	}
	if p.ProductID != 0 {
		id := p.ProductID
		s.ProductID = &id
	}
	for _, l := range []string{lang, p.Catalog.DefaultLanguage, "en"} {
		if t, ok := p.Translations[l]; ok && t.Title != nil {
			s.Title, s.Description = t.Title, t.Description
			break
		}
	}
	return s
}

func languageParam(r *http.Request) (string, error) {
	l := r.URL.Query().Get("language")
	if l != "" && !isCatalogLanguage(l) {
		return "", &pressroom.Error{Code: pressroom.EMALFORMED, Message: fmt.Sprintf("language %q is not one of en, de, nl, fr.", l),
			Fields: []pressroom.FieldError{{Pointer: "?language", Detail: "one of en, de, nl, fr"}}}
	}
	return l, nil
}

// GET /v1/products
func (s *Server) handleListProducts(w http.ResponseWriter, r *http.Request, _ *pressroom.Principal) {
	q := paramsOf(r)
	pg := q.page()
	lang, err := languageParam(r)
	if err != nil {
		q.take(err)
	}
	var active *bool
	switch v := q.get("active"); v {
	case "":
	case "true", "1":
		t := true
		active = &t
	case "false", "0":
		f := false
		active = &f
	default:
		q.bad("active", "invalid_active", "true or false", fmt.Sprintf("active must be true or false, not %q.", v))
	}
	group := q.get("article_group")
	if _, ok := catalog.ArticleGroups[group]; group != "" && !ok {
		q.bad("article_group", "invalid_article_group", "material, composed_product, box, photo_product or accessory",
			fmt.Sprintf("article_group %q is not one of material, composed_product, box, photo_product, accessory.", group))
	}
	if err := q.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	cat := s.Catalog.Current()
	var matched []*catalog.CompiledProduct
	for _, p := range cat.Products() {
		if (active == nil || p.IsActive() == *active) && (group == "" || p.ArticleGroup == group) {
			matched = append(matched, p)
		}
	}
	meta := pg.meta(len(matched))
	data := []productSummary{}
	for i := pg.offset(); i < len(matched) && i < pg.offset()+pg.perPage; i++ {
		data = append(data, summarize(matched[i], lang))
	}
	writeJSON(w, http.StatusOK, map[string]any{"meta": meta, "data": data, "catalog_version": cat.Version})
}

type productDetail struct {
	productSummary
	CatalogVersion int64                `json:"catalog_version"`
	Steps          [][]catalog.Group    `json:"steps"`
	CrossSell      *catalog.Group       `json:"cross_sell"`
	Uploader       *catalog.Uploader    `json:"uploader"`
	Upload         bool                 `json:"upload"`
	LinkedProducts []catalog.LinkedRule `json:"linked_products"`
}

// GET /v1/products/{code}: the whole option tree.
func (s *Server) handleGetProduct(w http.ResponseWriter, r *http.Request, _ *pressroom.Principal) {
	lang, err := languageParam(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	cat := s.Catalog.Current()
	code := r.PathValue("code")
	p := cat.Product(code)
	if p == nil {
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "Product %q does not exist.", code))
		return
	}
	d := productDetail{productSummary: summarize(p, lang), CatalogVersion: cat.Version, Uploader: p.Uploader,
		Upload: p.Product.Upload == nil || *p.Product.Upload, LinkedProducts: p.LinkedProducts}
	if d.LinkedProducts == nil {
		d.LinkedProducts = []catalog.LinkedRule{}
	}
	for _, step := range p.Steps {
		gs := make([]catalog.Group, len(step))
		for i, g := range step {
			gs[i] = *g.Group
		}
		d.Steps = append(d.Steps, gs)
	}
	if p.CrossSell != nil {
		d.CrossSell = p.CrossSell.Group
	}
	writeJSON(w, http.StatusOK, d)
}

type customerOut struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Reference string `json:"reference"`
	CreatedAt string `json:"created_at"`
}

func customerView(c *pressroom.Customer) customerOut {
	return customerOut{ID: c.ID, Name: c.Name, Email: c.Email, Reference: c.Reference, CreatedAt: rfc3339(c.CreatedAt)}
}

type accountOut struct {
	ID          int64         `json:"id"`
	Name        string        `json:"name"`
	Edition     string        `json:"edition"`
	CallbackURL string        `json:"callback_url"`
	Markup      json.Number   `json:"markup"`
	Country     string        `json:"country"`
	VATID       string        `json:"vat_id"`
	ShopName    string        `json:"shop_name"`
	ShopURL     string        `json:"shop_url"`
	CreatedAt   string        `json:"created_at"`
	Customers   []customerOut `json:"customers"`
}

func (s *Server) account(r *http.Request, res *pressroom.Reseller) (*accountOut, error) {
	cs, err := s.Store.ListCustomers(r.Context(), res.ID)
	if err != nil {
		return nil, err
	}
	out := &accountOut{ID: res.ID, Name: res.Name, Edition: string(res.Edition), CallbackURL: res.CallbackURL,
		Markup: dnum(res.Markup), Country: res.Country, VATID: res.VATID,
		ShopName: res.ShopName, ShopURL: res.ShopURL, CreatedAt: rfc3339(res.CreatedAt), Customers: []customerOut{}}
	for _, c := range cs {
		out.Customers = append(out.Customers, customerView(c))
	}
	return out, nil
}

// GET /v1/account
func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	out, err := s.account(r, p.Reseller)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
