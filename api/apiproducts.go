package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/pricing"
)

type apiProductIn struct {
	CustomerCode string     `json:"customer_code"`
	Code         string     `json:"code"`
	Options      []optionIn `json:"options"`
}

type apiProductOut struct {
	CustomerCode     string           `json:"customer_code"`
	Code             string           `json:"code"`
	Title            *string          `json:"title"`
	Unit             string           `json:"unit"`
	Options          []pricing.Option `json:"options"`
	Amount           json.Number      `json:"amount"`
	Width            json.Number      `json:"width"`
	Height           json.Number      `json:"height"`
	Length           json.Number      `json:"length"`
	PricesTotal      *pricesByTime    `json:"prices_total,omitempty"`
	PricesPerProduct *pricesByTime    `json:"prices_per_product,omitempty"`
	// Problem says why a saved configuration no longer fits the catalog.
	Problem   string `json:"problem,omitempty"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// requireWrite refuses changes by a free-edition reseller.
func requireWrite(p *pressroom.Principal) error {
	if p.Reseller != nil && p.Reseller.Edition == pressroom.EditionFree {
		return pressroom.Errorf(pressroom.EFORBIDDEN, "The free edition reads the catalog, configures and prices, but changes nothing; ask for the standard edition.")
	}
	return nil
}

// apiProductConfig checks the customer code and that the options make a
// complete configuration, answering every problem at once.
func (s *Server) apiProductConfig(in apiProductIn) (*catalog.Configuration, error) {
	var fields []pressroom.FieldError
	if f, bad := pressroom.CustomerCodeProblem(in.CustomerCode); bad {
		fields = append(fields, f)
	}
	invalid := func() error {
		return pressroom.Invalid(fmt.Sprintf("The API product is not valid: %d problem(s).", len(fields)), fields...)
	}
	prod := s.Catalog.Current().Product(in.Code)
	if prod == nil {
		detail := fmt.Sprintf("product %q does not exist", in.Code)
		if in.Code == "" {
			detail = "code is required: the product the configuration is of"
		}
		fields = append(fields, pressroom.FieldError{Pointer: "/code", Detail: detail, Code: "unknown_product"})
		return nil, invalid()
	}
	if len(in.Options) > 500 {
		fields = append(fields, pressroom.FieldError{Pointer: "/options", Detail: "at most 500 options", Code: "too_many_options"})
		return nil, invalid()
	}
	cfg := prod.Configure(selections(in.Options), "")
	fields = append(fields, cfg.Fields("")...)
	if len(cfg.Problems) == 0 && !cfg.CanOrder {
		fields = append(fields, pressroom.FieldError{Pointer: "/options", Code: "incomplete_configuration",
			Detail: fmt.Sprintf("the configuration is not complete; choose %s", cfg.Next())})
	}
	if len(fields) > 0 {
		return nil, invalid()
	}
	return cfg, nil
}

func (s *Server) apiProductView(r *http.Request, p *pressroom.Principal, ap *pressroom.APIProduct, withPrices bool) apiProductOut {
	out := apiProductOut{CustomerCode: ap.CustomerCode, Code: ap.ProductCode, Options: []pricing.Option{},
		Amount: "0", Width: "0", Height: "0", Length: "0", CreatedAt: rfc3339(ap.CreatedAt), UpdatedAt: rfc3339(ap.UpdatedAt)}
	if err := json.Unmarshal(ap.Options, &out.Options); err != nil {
		out.Problem = "the saved options cannot be read"
		return out
	}
	lang, _ := languageParam(r)
	prod := s.Catalog.Current().Product(ap.ProductCode)
	if prod == nil {
		out.Problem = fmt.Sprintf("product %q is no longer in the catalog", ap.ProductCode)
		return out
	}
	out.Unit = prod.Unit
	out.Title = summarize(prod, lang).Title
	sels, _ := pricing.ParseOptions(ap.Options)
	cfg := prod.Configure(sels, lang)
	out.Amount, out.Width, out.Height, out.Length = dnum(cfg.Amount), dnum(cfg.Width), dnum(cfg.Height), dnum(cfg.Length)
	if !cfg.CanOrder {
		out.Problem = "the saved configuration no longer fits the catalog"
		if len(cfg.Problems) > 0 {
			out.Problem += ": " + cfg.Problems[0].Reason
		}
		return out
	}
	if withPrices {
		if q, amounts, err := pricing.ConfigurePrices(cfg, p.Reseller, s.Clock.Now()); err == nil {
			total, per := configurePrices(q, amounts)
			out.PricesTotal, out.PricesPerProduct = &total, &per
		}
	}
	return out
}

// saveAPIProduct checks the caller may write, reads the body and saves a
// complete configuration with save (create or update); pathCode is the
// customer code of the path when updating.
func (s *Server) saveAPIProduct(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, pathCode string,
	save func(ctx context.Context, ap *pressroom.APIProduct) error) (*pressroom.APIProduct, bool) {
	if err := requireWrite(p); err != nil {
		s.Error(w, r, err)
		return nil, false
	}
	var in apiProductIn
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return nil, false
	}
	if pathCode != "" {
		if in.CustomerCode != "" && in.CustomerCode != pathCode {
			s.Error(w, r, pressroom.Invalid("The customer_code of an API product cannot change.",
				pressroom.FieldError{Pointer: "/customer_code", Detail: fmt.Sprintf("must be %q, the code in the path, or left out", pathCode), Code: "immutable"}))
			return nil, false
		}
		in.CustomerCode = pathCode
		// Another reseller's code is not found, whatever the body says.
		if _, err := s.Store.FindAPIProduct(r.Context(), p.Reseller.ID, pathCode); err != nil {
			s.Error(w, r, err)
			return nil, false
		}
	}
	cfg, err := s.apiProductConfig(in)
	if err != nil {
		s.Error(w, r, err)
		return nil, false
	}
	opts, _ := json.Marshal(pricing.Options(cfg))
	ap := &pressroom.APIProduct{ResellerID: p.Reseller.ID, CustomerCode: in.CustomerCode, ProductCode: cfg.Product.Code, Options: opts}
	if err := save(r.Context(), ap); err != nil {
		s.Error(w, r, err)
		return nil, false
	}
	return ap, true
}

// POST /v1/api-products
func (s *Server) handleCreateAPIProduct(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if ap, ok := s.saveAPIProduct(w, r, p, "", s.Store.CreateAPIProduct); ok {
		w.Header().Set("Location", "/v1/api-products/"+ap.CustomerCode)
		writeJSON(w, http.StatusCreated, s.apiProductView(r, p, ap, true))
	}
}

// GET /v1/api-products?page=&per_page=
func (s *Server) handleListAPIProducts(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	q := paramsOf(r)
	pg := q.page()
	if err := q.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	list, total, err := s.Store.ListAPIProducts(r.Context(), p.Reseller.ID, pg.offset(), pg.perPage)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := make([]apiProductOut, len(list))
	for i, ap := range list {
		out[i] = s.apiProductView(r, p, ap, false)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"meta":         pg.meta(total),
		"api_products": out,
	})
}

// GET /v1/api-products/{customer_code}
func (s *Server) handleGetAPIProduct(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if _, err := languageParam(r); err != nil {
		s.Error(w, r, err)
		return
	}
	ap, err := s.Store.FindAPIProduct(r.Context(), p.Reseller.ID, r.PathValue("customer_code"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.apiProductView(r, p, ap, true))
}

// PUT /v1/api-products/{customer_code}
func (s *Server) handleUpdateAPIProduct(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if ap, ok := s.saveAPIProduct(w, r, p, r.PathValue("customer_code"), s.Store.UpdateAPIProduct); ok {
		writeJSON(w, http.StatusOK, s.apiProductView(r, p, ap, true))
	}
}

// DELETE /v1/api-products/{customer_code}
func (s *Server) handleDeleteAPIProduct(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if err := requireWrite(p); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.Store.DeleteAPIProduct(r.Context(), p.Reseller.ID, r.PathValue("customer_code")); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
