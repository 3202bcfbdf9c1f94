package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/httpx"
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

type optionIn struct {
	Code  string          `json:"code"`
	Value json.RawMessage `json:"value"`
}

type configureResponse struct {
	CatalogVersion int64               `json:"catalog_version"`
	Products       []configuredProduct `json:"products"`
}

// configuredProduct is one product's answer; field names and order follow
// the configure answers of the user guide.
type configuredProduct struct {
	ID               json.RawMessage    `json:"id"`
	Code             string             `json:"code"`
	CanOrder         bool               `json:"can_order"`
	Amount           json.Number        `json:"amount"`
	Width            json.Number        `json:"width"`
	Height           json.Number        `json:"height"`
	Length           json.Number        `json:"length"`
	Depth            *json.Number       `json:"depth,omitempty"`
	AvailableOptions []availableGroup   `json:"available_options"`
	SelectedOptions  []selectedOption   `json:"selected_options"`
	Upload           *bool              `json:"upload,omitempty"`
	Uploaders        []uploaderOut      `json:"uploaders,omitempty"`
	LinkedProducts   []linkedProductOut `json:"linked_products,omitempty"`
	PricesTotal      *pricesByTime      `json:"prices_total,omitempty"`
	PricesPerProduct *pricesByTime      `json:"prices_per_product,omitempty"`
	CalculationID    *int64             `json:"calculation_id,omitempty"`
	CatalogVersion   int64              `json:"catalog_version"`
}

type availableGroup struct {
	Name      *string          `json:"name"`
	Label     *string          `json:"label"`
	Code      string           `json:"code"`
	CanOrder  *bool            `json:"can_order"`
	Amount    *int             `json:"amount"`
	Width     *int             `json:"width"`
	Height    *int             `json:"height"`
	Length    *int             `json:"length"`
	Available bool             `json:"available"`
	UnitCode  *string          `json:"unit_code"`
	Price     any              `json:"price"`
	Optional  bool             `json:"optional,omitempty"`
	Children  []availableChild `json:"children"`
}

// optionCore holds the fields that offered and selected options share, in
// the guide's order; the json package keeps an embedded struct's fields in place.
type optionCore struct {
	TypeCode     string  `json:"type_code"`
	Name         *string `json:"name"`
	Label        *string `json:"label"`
	Description  *string `json:"description"`
	Value        *string `json:"value"`
	Code         string  `json:"code"`
	DefaultValue any     `json:"default_value"`
	MinValue     any     `json:"min_value"`
	MaxValue     any     `json:"max_value"`
	StepSize     any     `json:"step_size"`
	Scale        *int32  `json:"scale"`
	Reversible   *bool   `json:"reversible"`
}

type availableChild struct {
	optionCore
	LastOption        *bool      `json:"last_option"`
	Available         bool       `json:"available"`
	UnitCode          *string    `json:"unit_code"`
	Price             any        `json:"price"`
	Images            []imageOut `json:"images"`
	IsDefault         bool       `json:"is_default,omitempty"`
	UnavailableReason string     `json:"unavailable_reason,omitempty"`
}

type selectedOption struct {
	optionCore
	ParentCode string     `json:"parent_code"`
	ParentName *string    `json:"parent_name"`
	UnitCode   *string    `json:"unit_code"`
	Images     []imageOut `json:"images"`
}

type imageOut struct {
	Language string `json:"language"`
	URL      string `json:"url"`
}

type uploaderOut struct {
	Type                 string      `json:"type"`
	Amount               json.Number `json:"amount"`
	Width                json.Number `json:"width"`
	Height               json.Number `json:"height"`
	Length               json.Number `json:"length"`
	MinimalDPI           *int        `json:"minimal_dpi"`
	MirrorEnabled        *bool       `json:"mirror_enabled"`
	FillEnabled          *bool       `json:"fill_enabled"`
	RotationEnabled      *bool       `json:"rotation_enabled"`
	FileLimit            *int        `json:"file_limit"`
	RequireWhiteSpot     *bool       `json:"require_white_spot"`
	RequiredCutNames     []string    `json:"required_cut_names"`
	OptionalCutNames     []string    `json:"optional_cut_names"`
	TilingEnabled        *bool       `json:"tiling_enabled"`
	TilingMandatory      *bool       `json:"tiling_mandatory"`
	TilingDirection      *string     `json:"tiling_direction"`
	MaxWidthExclOverlap  any         `json:"max_width_excl_overlap"`
	MaxHeightExclOverlap any         `json:"max_height_excl_overlap"`
	MaxWidthInclOverlap  any         `json:"max_width_incl_overlap"`
	MaxHeightInclOverlap any         `json:"max_height_incl_overlap"`
	BleedTop             any         `json:"bleed_top"`
	BleedRight           any         `json:"bleed_right"`
	BleedBottom          any         `json:"bleed_bottom"`
	BleedLeft            any         `json:"bleed_left"`
}

type linkedProductOut struct {
	Title            *string     `json:"title"`
	Description      *string     `json:"description"`
	Code             string      `json:"code"`
	ArticleGroupCode string      `json:"article_group_code"`
	UnitCode         string      `json:"unit_code"`
	ShippingWeight   json.Number `json:"shipping_weight"`
}

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
	writeJSON(w, http.StatusOK, out)
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

// selections reads a request's options for the configurator.
func selections(opts []optionIn) []catalog.Selection {
	sels := make([]catalog.Selection, len(opts))
	for j, o := range opts {
		sels[j] = catalog.Selection{Code: o.Code}
		sels[j].Value, sels[j].ValueErr = parseValue(o.Code, o.Value)
	}
	return sels
}

// parseValue accepts numbers and numeric strings ("100"), as real clients send both.
func parseValue(code string, raw json.RawMessage) (*decimal.Decimal, string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, ""
	}
	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, fmt.Sprintf("the value of %s is not a valid string", code)
		}
		if text == "" {
			return nil, ""
		}
	} else if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return nil, fmt.Sprintf("the value of %s must be a number, not %s", code, text)
	}
	if len(text) > 40 {
		return nil, fmt.Sprintf("the value of %s is too long to be a number", code)
	}
	d, err := decimal.NewFromString(text)
	if err != nil {
		return nil, fmt.Sprintf("the value of %s must be a number, not %q", code, text)
	}
	return &d, ""
}

func isCatalogLanguage(l string) bool {
	for _, x := range catalog.Languages {
		if x == l {
			return true
		}
	}
	return false
}

func num(d *decimal.Decimal) any {
	if d == nil {
		return nil
	}
	return json.Number(d.String())
}

func dnum(d decimal.Decimal) json.Number { return json.Number(d.String()) }

func images(in []catalog.Image) []imageOut {
	out := make([]imageOut, len(in))
	for i, im := range in {
		out[i] = imageOut{Language: im.Language, URL: im.URL}
	}
	return out
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// coreOf renders the shared fields of an option; value is the chosen number, if any.
func coreOf(o *catalog.CompiledOption, value *decimal.Decimal, lang, def string) optionCore {
	c := optionCore{
		TypeCode: o.Type, Name: o.Name.Lookup(lang, def), Label: o.Label.Lookup(lang, def),
		Description: o.Description.Lookup(lang, def), Code: o.Code,
		DefaultValue: num(o.DefaultValue), MinValue: num(o.Min), MaxValue: num(o.Max), StepSize: num(o.Step),
		Scale: o.Scale, Reversible: o.Reversible,
	}
	if value != nil {
		v := value.String()
		c.Value = &v
	}
	return c
}

// accessoryPrice prices a cross-sell option at a quantity (nil: its default).
type accessoryPrice func(o *catalog.CompiledOption, quantity *decimal.Decimal) any

func renderConfiguration(cfg *catalog.Configuration, out *configuredProduct, price accessoryPrice) {
	p := cfg.Product
	lang, def := cfg.Language, p.Catalog.DefaultLanguage
	out.CanOrder = cfg.CanOrder
	out.Amount, out.Width, out.Height, out.Length = dnum(cfg.Amount), dnum(cfg.Width), dnum(cfg.Height), dnum(cfg.Length)
	if p.Input(catalog.TypeDepth) != nil {
		d := dnum(cfg.Depth)
		out.Depth = &d
	}
	for _, offer := range cfg.Offers {
		g := availableGroup{
			Name: offer.Name.Lookup(lang, def), Label: offer.Label.Lookup(lang, def), Code: offer.Code,
			Available: true, Optional: offer.Optional, Children: make([]availableChild, 0, len(offer.Choices)),
		}
		for _, ch := range offer.Choices {
			o := ch.CompiledOption
			c := availableChild{
				optionCore: coreOf(o, ch.Value, lang, def), Available: ch.Available, UnitCode: strOrNil(o.Unit),
				Images: images(o.Images), IsDefault: o.Default, UnavailableReason: ch.Reason,
			}
			if o.Group.Step >= 0 {
				last := o.Group.Step == len(p.Steps)-1
				c.LastOption = &last
			} else if price != nil {
				c.Price = price(o, ch.Value)
			}
			g.Children = append(g.Children, c)
		}
		out.AvailableOptions = append(out.AvailableOptions, g)
	}
	for _, c := range cfg.Selected {
		o := c.CompiledOption
		out.SelectedOptions = append(out.SelectedOptions, selectedOption{
			optionCore: coreOf(o, c.Value, lang, def), ParentCode: o.Group.Code, ParentName: o.Group.Name.Lookup(lang, def),
			UnitCode: strOrNil(o.Unit), Images: images(o.Images),
		})
	}
	if !cfg.CanOrder {
		return
	}
	upload := cfg.Upload
	out.Upload = &upload
	out.Uploaders = []uploaderOut{}
	for _, u := range cfg.Uploaders {
		uo := uploaderOut{
			Type: "single", Amount: dnum(u.Amount), Width: dnum(u.Width), Height: dnum(u.Height), Length: dnum(u.Length),
			MinimalDPI: u.MinimalDPI, MirrorEnabled: u.MirrorEnabled, FillEnabled: u.FillEnabled, RotationEnabled: u.RotationEnabled,
			FileLimit: u.FileLimit, RequireWhiteSpot: u.RequireWhiteSpot,
			RequiredCutNames: nonNil(u.RequiredCutNames), OptionalCutNames: nonNil(u.OptionalCutNames),
			TilingEnabled: u.TilingEnabled, TilingMandatory: u.TilingMandatory, TilingDirection: u.TilingDirection,
			MaxWidthExclOverlap: num(u.MaxWidthExclOverlap), MaxHeightExclOverlap: num(u.MaxHeightExclOverlap),
			MaxWidthInclOverlap: num(u.MaxWidthInclOverlap), MaxHeightInclOverlap: num(u.MaxHeightInclOverlap),
		}
		if u.Bleed != nil {
			uo.BleedTop, uo.BleedRight, uo.BleedBottom, uo.BleedLeft = dnum(u.Bleed.Top), dnum(u.Bleed.Right), dnum(u.Bleed.Bottom), dnum(u.Bleed.Left)
		}
		out.Uploaders = append(out.Uploaders, uo)
	}
	out.LinkedProducts = []linkedProductOut{}
	for _, m := range cfg.Linked {
		out.LinkedProducts = append(out.LinkedProducts, linkedProductOut{
			Title: m.Name.Lookup(lang, def), Description: m.Description.Lookup(lang, def), Code: m.Code,
			ArticleGroupCode: "MA", UnitCode: m.Unit, ShippingWeight: dnum(m.ShippingWeight),
		})
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type accessoryKey struct {
	version                     int64
	product, quantity           string
	markup, country, vatID, day string
}

// accessoryPrice prices a cross-sell accessory, remembering the answer: the
// same accessories are offered on every complete configuration.
func (s *Server) accessoryPrice(cat *catalog.Catalog, product string, q decimal.Decimal, r *pressroom.Reseller, now time.Time) any {
	k := accessoryKey{cat.Version, product, q.String(), r.Markup.String(), r.Country, r.VATID, now.Format(time.DateOnly)}
	s.accessoryMu.Lock()
	v, ok := s.accessories[k]
	s.accessoryMu.Unlock()
	if ok {
		return v
	}
	a, found := pricing.AccessoryPrice(cat.Product(product), q, r, now)
	if !found {
		return nil
	}
	v = priceView(a)
	s.accessoryMu.Lock()
	if s.accessories == nil || len(s.accessories) > 10_000 {
		s.accessories = map[accessoryKey]priceOut{}
	}
	s.accessories[k] = v
	s.accessoryMu.Unlock()
	return v
}
