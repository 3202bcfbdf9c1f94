package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

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
	ID      json.RawMessage `json:"id"`
	Code    string          `json:"code"`
	Options []optionIn      `json:"options"`
}

type configureResponse struct {
	CatalogVersion int64               `json:"catalog_version"`
	Products       []configuredProduct `json:"products"`
}

// The configure and price renderings live in internal/render, shared with
// the Probo-compatible API.
type (
	optionIn          = render.OptionIn
	configuredProduct = render.Product
	availableGroup    = render.Group
	optionCore        = render.OptionCore
	availableChild    = render.Child
	selectedOption    = render.Selected
	imageOut          = render.Image
	uploaderOut       = render.Uploader
	linkedProductOut  = render.LinkedProduct
	priceOut          = render.Price
	pricesByTime      = render.PricesByTime
)

var (
	selections          = render.Selections
	parseValue          = render.ParseValue
	renderConfiguration = render.Configuration
	images              = render.Images
	strOrNil            = render.StrOrNil
	nonNil              = render.NonNil
	num                 = render.Num
	dnum                = render.DNum
	priceView           = render.PriceOf
	sameAmounts         = render.SameAmounts
	configurePrices     = render.ConfigurePrices
)

// POST /v1/products/configure
func (s *Server) handleConfigure(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var req configureRequest
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	switch {
	case len(req.Products) == 0:
		s.Error(w, r, &pressroom.Error{Code: pressroom.EMALFORMED, Message: "products must list at least one product.",
			Fields: []pressroom.FieldError{{Pointer: "/products", Detail: "at least one product is required"}}})
		return
	case len(req.Products) > MaxBatch:
		s.Error(w, r, &pressroom.Error{Code: pressroom.EMALFORMED, Message: fmt.Sprintf("products lists %d products; at most %d are configured in one call.", len(req.Products), MaxBatch),
			Fields: []pressroom.FieldError{{Pointer: "/products", Detail: fmt.Sprintf("at most %d products", MaxBatch)}}})
		return
	}
	cat := s.Catalog.Current()
	var fields []pressroom.FieldError
	if req.Language != "" && !isCatalogLanguage(req.Language) {
		fields = append(fields, pressroom.FieldError{Pointer: "/language", Detail: fmt.Sprintf("language %q is not one of en, de, nl, fr", req.Language), Code: "invalid_language"})
		req.Language = ""
	}
	out := configureResponse{CatalogVersion: cat.Version, Products: make([]configuredProduct, len(req.Products))}
	for i, in := range req.Products {
		fields = append(fields, s.configureOne(r, p, cat, req.Language, i, in, &out.Products[i])...)
	}
	if len(fields) > 0 {
		prob := s.problem(r, pressroom.Invalid(fmt.Sprintf("The configuration has %d problem(s); each names its option and what is available instead.", len(fields)), fields...))
		prob.Products = out.Products
		s.writeProblem(w, prob)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	httpx.JSONAppend(w, http.StatusOK, out.appendJSON)
}

// appendJSON writes the answer as encoding/json would, without its
// reflection: the configure answer is the hottest large answer.
func (c *configureResponse) appendJSON(b []byte) []byte {
	b = append(b, `{"catalog_version":`...)
	b = strconv.AppendInt(b, c.CatalogVersion, 10)
	b = append(b, `,"products":`...)
	b = render.AppendProducts(b, c.Products, false)
	return append(b, '}')
}

func (s *Server) configureOne(r *http.Request, p *pressroom.Principal, cat *catalog.Catalog, lang string, i int, in configureProductIn, out *configuredProduct) []pressroom.FieldError {
	var fields []pressroom.FieldError
	ptr := fmt.Sprintf("/products/%d", i)
	out.ID = in.ID
	if len(in.ID) == 0 {
		out.ID = json.RawMessage("null")
	} else if c := bytes.TrimSpace(in.ID)[0]; c != '"' && c != '-' && (c < '0' || c > '9') && string(in.ID) != "null" {
		fields = append(fields, pressroom.FieldError{Pointer: ptr + "/id", Detail: "id must be a number or a string", Code: "invalid_id"})
		out.ID = json.RawMessage("null")
	}
	out.Code = in.Code
	out.CatalogVersion = cat.Version
	out.AvailableOptions, out.SelectedOptions = []availableGroup{}, []selectedOption{}
	zero := json.Number("0")
	out.Amount, out.Width, out.Height, out.Length = zero, zero, zero, zero
	prod := cat.Product(in.Code)
	if prod == nil {
		detail := fmt.Sprintf("product %q does not exist", in.Code)
		if in.Code == "" {
			detail = "code is required: the product to configure"
		}
		return append(fields, pressroom.FieldError{Pointer: ptr + "/code", Detail: detail, Code: "unknown_product"})
	}
	if len(in.Options) > 500 {
		return append(fields, pressroom.FieldError{Pointer: ptr + "/options", Detail: "at most 500 options", Code: "too_many_options"})
	}
	cfg := prod.Configure(selections(in.Options), lang)
	fields = append(fields, cfg.Fields(ptr)...)
	if !prod.IsActive() {
		fields = append(fields, pressroom.FieldError{Pointer: ptr + "/code", Detail: fmt.Sprintf("product %q is not active and cannot be ordered", in.Code), Code: "inactive_product"})
	}
	now := s.Clock.Now()
	renderConfiguration(cfg, out, func(o *catalog.CompiledOption, quantity *decimal.Decimal) any {
		q := decimal.NewFromInt(1)
		if quantity != nil {
			q = *quantity
		} else if o.DefaultValue != nil {
			q = *o.DefaultValue
		}
		return s.accessoryPrice(cat, o.Product, q, p.Reseller, now)
	})
	if cfg.CanOrder && len(fields) == 0 {
		q, amounts, err := pricing.ConfigurePrices(cfg, p.Reseller, now)
		if err == nil {
			total, per := configurePrices(q, amounts)
			out.PricesTotal, out.PricesPerProduct = &total, &per
		} else if pressroom.ErrorCode(err) != pressroom.EINVALID {
			return append(fields, pressroom.FieldError{Pointer: ptr, Detail: pressroom.ErrorMessage(err), Code: "not_priced"})
		}
		if calc, err := s.Pricing.RecordConfiguration(r.Context(), p.Reseller, cfg, q); err != nil {
			s.Logger.Error("calculation id not assigned", "err", err)
		} else {
			out.CalculationID = &calc.ID
		}
	}
	return fields
}

func isCatalogLanguage(l string) bool {
	for _, x := range catalog.Languages {
		if x == l {
			return true
		}
	}
	return false
}

// accessoryPrice prices a cross-sell accessory (remembered by the price service).
func (s *Server) accessoryPrice(cat *catalog.Catalog, product string, q decimal.Decimal, r *pressroom.Reseller, now time.Time) any {
	a, found := s.Pricing.Accessory(cat, product, q, r, now)
	if !found {
		return nil
	}
	return priceView(a)
}
