package boxes

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/catalog"
)

type dielineOut struct {
	Article     string      `json:"article"`
	Material    string      `json:"material"`
	Width       json.Number `json:"width"`
	Depth       json.Number `json:"depth"`
	Height      json.Number `json:"height"`
	BlankLength json.Number `json:"blank_length"`
	BlankWidth  json.Number `json:"blank_width"`
	ContentType string      `json:"content_type"`
	Buffer      string      `json:"buffer"`
}

// GET /v1/reseller/dieline?article&material&width&depth&height&type=pdf|json:
// the cutting die of an article at a size, drawn from the catalog's box
// geometry: a PDF, or JSON with the PDF as a base64 buffer.
func (s *Server) handleDieline(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, env *envelope) {
	q := r.URL.Query()
	env.Request["query"] = query(q)
	bad := func(status int, typ, code, path, msg string) {
		env.fail(w, status, typ, msg, &errDetail{Code: code, Path: path, Message: msg})
	}
	cat := s.Catalog.Current()
	article := q.Get("article")
	prod := boxProduct(cat, article)
	if prod == nil || prod.Pricing == nil || prod.Pricing.Blank == nil || prod.Pricing.Blank.Dieline == nil {
		bad(http.StatusBadRequest, "VALIDATION_ERROR", "ORD_1105", "article", "article must be a valid article code")
		return
	}
	material := q.Get("material")
	if !isMaterial(prod, material) {
		bad(http.StatusBadRequest, "VALIDATION_ERROR", "ORD_1106", "material", "material must be a valid material code")
		return
	}
	dims := map[string]json.RawMessage{}
	for _, f := range []string{"width", "depth", "height"} {
		v := q.Get(f)
		if _, ok := dimension(json.RawMessage(v)); !ok {
			bad(http.StatusBadRequest, "VALIDATION_ERROR", dimCodes[f], f, f+" is required and must be a positive number with no more than two decimal places")
			return
		}
		dims[f] = json.RawMessage(v)
	}
	typ := strings.ToLower(q.Get("type"))
	if typ == "" {
		typ = "pdf"
	}
	if typ != "pdf" && typ != "json" {
		bad(http.StatusBadRequest, "VALIDATION_ERROR", "VALIDATION_ERROR", "type", `type is pdf or json`)
		return
	}
	wd, _ := dimension(dims["width"])
	dp, _ := dimension(dims["depth"])
	ht, _ := dimension(dims["height"])
	// The size must be one the article is made in.
	one := decimal.NewFromInt(1)
	if in := prod.Input(catalog.TypeAmount); in != nil && in.Min != nil {
		one = *in.Min
	}
	sels := []catalog.Selection{{Code: catalog.TypeWidth, Value: &wd}, {Code: catalog.TypeDepth, Value: &dp}, {Code: catalog.TypeHeight, Value: &ht},
		{Code: catalog.TypeAmount, Value: &one}, {Code: material}}
	cfg := prod.Configure(sels, "en")
	for _, pr := range cfg.Problems {
		if pr.Option == catalog.TypeWidth || pr.Option == catalog.TypeDepth || pr.Option == catalog.TypeHeight || pr.Option == material {
			bad(http.StatusBadRequest, "BOX_ERROR", "BOX_ERROR", pr.Option, pr.Reason)
			return
		}
	}
	die := prod.Pricing.Blank.Dieline.Draw(wd, dp, ht)
	if sh := prod.Pricing.Blank.Sheet; sh != nil && sh.PerSheet(die.Length, die.Width) == 0 {
		bad(http.StatusBadRequest, "BOX_ERROR", "BOX_ERROR", "width", fmt.Sprintf("the blank of this box, %s x %s mm, is larger than the %s x %s mm press sheet", die.Length, die.Width, sh.Length, sh.Width))
		return
	}
	// The die carries the bleed the preflight asks of the artwork of this
	// box printed (as an order's item is configured, without foil).
	printed := prod.Configure(append(sels, catalog.Selection{Code: "printing-yes"}, catalog.Selection{Code: "gold-no"}, catalog.Selection{Code: "silver-no"},
		catalog.Selection{Code: "varnish-no"}, catalog.Selection{Code: "customer-supplied-file"}), "en")
	pdf, err := artwork.DiePDF(die, artwork.SpecOf(prod, printed).BleedMM)
	if err != nil {
		s.failCore(w, env, err, "INTERNAL_SERVER_ERROR")
		return
	}
	if typ == "pdf" {
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s-%sx%sx%s.pdf"`, article, wd, dp, ht))
		w.Write(pdf)
		return
	}
	env.ok(w, dielineOut{Article: article, Material: material, Width: json.Number(wd.String()), Depth: json.Number(dp.String()), Height: json.Number(ht.String()),
		BlankLength: json.Number(die.Length.String()), BlankWidth: json.Number(die.Width.String()), ContentType: "application/pdf",
		Buffer: base64.StdEncoding.EncodeToString(pdf)})
}
