package probo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/internal/render"
	"github.com/pressroom/pressroom/pricing"
)

type configureRequest struct {
	Language string               `json:"language"`
	Products []configureProductIn `json:"products"`
}

type configureProductIn struct {
	ID      json.RawMessage   `json:"id"`
	Code    string            `json:"code"`
	Options []render.OptionIn `json:"options"`
}

type configureAnswer struct {
	Status   string           `json:"status"`
	Code     int              `json:"code"`
	Message  string           `json:"message"`
	Products []render.Product `json:"products"`
}

// POST /products/configure: the native configurator in Probo's envelope.
// A path that is not valid answers 400 with status "error", a message
// naming the option and the options available instead, as Probo does.
func (s *Server) handleConfigure(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var req configureRequest
	// Probo ignores fields it does not know; so do we here.
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, false, &req); err != nil {
		s.fail(w, err)
		return
	}
	switch {
	case len(req.Products) == 0:
		writeError(w, http.StatusBadRequest, "No products given")
		return
	case len(req.Products) > MaxBatch:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("At most %d products can be configured in one call", MaxBatch))
		return
	}
	lang := req.Language
	if !isLanguage(lang) {
		lang = ""
	}
	cat := s.Catalog.Current()
	out := configureAnswer{Status: "ok", Code: http.StatusOK, Message: "Options calculated", Products: make([]render.Product, len(req.Products))}
	var problems []string
	for i, in := range req.Products {
		problems = append(problems, s.configureOne(r, p, cat, lang, in, &out.Products[i])...)
	}
	if len(problems) > 0 {
		out.Status, out.Code, out.Message = "error", http.StatusBadRequest, strings.Join(problems, "; ")
		httpx.JSONAppend(w, http.StatusBadRequest, out.appendJSON)
		return
	}
	httpx.JSONAppend(w, http.StatusOK, out.appendJSON)
}

// appendJSON writes the answer as writeJSON would (encoding/json, HTML
// escaped), without its reflection: the configure answer is the hottest
// large answer.
func (a *configureAnswer) appendJSON(b []byte) []byte {
	b = append(b, `{"status":`...)
	b = render.AppendString(b, a.Status, true)
	b = append(b, `,"code":`...)
	b = strconv.AppendInt(b, int64(a.Code), 10)
	b = append(b, `,"message":`...)
	b = render.AppendString(b, a.Message, true)
	b = append(b, `,"products":`...)
	b = render.AppendProducts(b, a.Products, true)
	return append(b, '}')
}

func isLanguage(l string) bool {
	for _, x := range catalog.Languages {
		if l == x {
			return true
		}
	}
	return false
}

// configureOne configures one product and says what is wrong, if anything.
func (s *Server) configureOne(r *http.Request, p *pressroom.Principal, cat *catalog.Catalog, lang string, in configureProductIn, out *render.Product) []string {
	out.ID = in.ID
	if len(in.ID) == 0 {
		out.ID = json.RawMessage("null")
	}
	out.Code = in.Code
	out.AvailableOptions, out.SelectedOptions = []render.Group{}, []render.Selected{}
	zero := json.Number("0")
	out.Amount, out.Width, out.Height, out.Length = zero, zero, zero, zero
	prod := cat.Product(in.Code)
	if prod == nil {
		if in.Code == "" {
			return []string{"Product code is missing"}
		}
		return []string{fmt.Sprintf("Product %s does not exist", in.Code)}
	}
	if len(in.Options) > 500 {
		return []string{"Too many options"}
	}
	cfg := prod.Configure(render.Selections(in.Options), lang)
	var problems []string
	for _, pr := range cfg.Problems {
		problems = append(problems, pr.Reason)
	}
	if !prod.IsActive() {
		problems = append(problems, fmt.Sprintf("Product %s is not active", in.Code))
	}
	now := s.Clock.Now()
	render.Configuration(cfg, out, func(o *catalog.CompiledOption, quantity *decimal.Decimal) any {
		q := decimal.NewFromInt(1)
		if quantity != nil {
			q = *quantity
		} else if o.DefaultValue != nil {
			q = *o.DefaultValue
		}
		a, found := s.Pricing.Accessory(cat, o.Product, q, p.Reseller, now)
		if !found {
			return nil
		}
		return render.PriceOf(a)
	})
	if cfg.CanOrder && len(problems) == 0 {
		q, amounts, err := pricing.ConfigurePrices(cfg, p.Reseller, now)
		if err == nil {
			total, per := render.ConfigurePrices(q, amounts)
			out.PricesTotal, out.PricesPerProduct = &total, &per
		} else if pressroom.ErrorCode(err) != pressroom.EINVALID {
			return []string{pressroom.ErrorMessage(err)}
		}
		if calc, err := s.Pricing.RecordConfiguration(r.Context(), p.Reseller, cfg, q); err != nil {
			s.Logger.Error("probo: calculation id not assigned", "err", err)
		} else {
			out.CalculationID = &calc.ID
		}
	}
	return problems
}
