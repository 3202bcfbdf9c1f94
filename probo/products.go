package probo

import (
	"net/http"
	"strconv"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
)

// unitCodes are Probo's unit numbers (the user guide: 1 square metre,
// 2 running metre, 3 per piece).
var unitCodes = map[string]int{"m2": 1, "rm": 2, "piece": 3}

type meta struct {
	Page    int `json:"page"`
	Pages   int `json:"pages"`
	Items   int `json:"items"`
	PerPage int `json:"per_page"`
}

// productOut is a product of GET /products, field for field the guide's.
type productOut struct {
	Active           bool                           `json:"active"`
	Code             string                         `json:"code"`
	ArticleGroupName string                         `json:"article_group_name"`
	UnitCode         int                            `json:"unit_code"`
	Translations     map[string]catalog.Translation `json:"translations"`
	CreatedAt        string                         `json:"created_at"`
	UpdatedAt        string                         `json:"updated_at"`
}

func translations(p *catalog.CompiledProduct) map[string]catalog.Translation {
	tr := make(map[string]catalog.Translation, len(catalog.Languages))
	for _, l := range catalog.Languages {
		tr[l] = p.Translations[l] // a missing language shows null title and description
	}
	for l, t := range p.Translations {
		tr[l] = t
	}
	return tr
}

func summary(p *catalog.CompiledProduct) productOut {
	return productOut{
		Active: p.IsActive(), Code: p.Code, ArticleGroupName: catalog.ArticleGroups[p.ArticleGroup], UnitCode: unitCodes[p.Unit],
		Translations: translations(p), CreatedAt: timeOf(p.CreatedTime()), UpdatedAt: timeOf(p.UpdatedTime()),
	}
}

// pageParam reads page or per_page; a bad value answers 400.
// paging reads page (from 1) and per_page (1 to 100, default def).
func paging(r *http.Request, def int) (page, perPage int, err error) {
	if page, err = pageParam(r, "page", 1, 1_000_000); err != nil {
		return 0, 0, err
	}
	perPage, err = pageParam(r, "per_page", def, 100)
	return page, perPage, err
}

func pageParam(r *http.Request, name string, def, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, pressroom.Errorf(pressroom.EMALFORMED, "%s must be a whole number from 1 to %d", name, max)
	}
	return n, nil
}

// GET /products
func (s *Server) handleProducts(w http.ResponseWriter, r *http.Request, _ *pressroom.Principal) {
	page, perPage, err := paging(r, 20)
	if err != nil {
		s.fail(w, err)
		return
	}
	all := s.Catalog.Current().Products()
	m := meta{Page: page, PerPage: perPage, Items: len(all), Pages: (len(all) + perPage - 1) / perPage}
	data := []productOut{}
	for i := (page - 1) * perPage; i < len(all) && i < page*perPage; i++ {
		data = append(data, summary(all[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"meta": m, "data": data})
}

// optionNode is an option of a product's tree as GET /products/product
// shows it (the published description's example).
type optionNode struct {
	Translations map[string]map[string]*string `json:"translations"`
	IsParent     bool                          `json:"is_parent"`
	TypeCode     string                        `json:"type_code"`
	Code         string                        `json:"code"`
	Children     []optionNode                  `json:"children,omitempty"`
}

func names(t catalog.Text) map[string]map[string]*string {
	out := map[string]map[string]*string{}
	for _, l := range catalog.Languages {
		if s, ok := t[l]; ok {
			out[l] = map[string]*string{"name": &s}
		}
	}
	return out
}

// GET /products/product/{code}
func (s *Server) handleProduct(w http.ResponseWriter, r *http.Request, _ *pressroom.Principal) {
	p := s.Catalog.Current().Product(r.PathValue("code"))
	if p == nil {
		writeError(w, http.StatusNotFound, "Product not found")
		return
	}
	out := struct {
		productOut
		Options []optionNode `json:"options"`
	}{productOut: summary(p), Options: []optionNode{}}
	groups := []*catalog.CompiledGroup{}
	for _, step := range p.Steps {
		groups = append(groups, step...)
	}
	if p.CrossSell != nil {
		groups = append(groups, p.CrossSell)
	}
	for _, g := range groups {
		n := optionNode{Translations: names(g.Name), IsParent: true, TypeCode: "parent_" + g.Code, Code: g.Code, Children: []optionNode{}}
		for _, o := range g.Options {
			n.Children = append(n.Children, optionNode{Translations: names(o.Name), TypeCode: o.Type, Code: o.Code})
		}
		out.Options = append(out.Options, n)
	}
	writeJSON(w, http.StatusOK, out)
}
