// Package render builds the JSON of configurations and prices in the shape
// that the native API and the Probo-compatible API share: Probo's configure
// answer, which the native API adopted field for field. Each API adds its
// own envelope around it.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/pricing"
)

// Product is one product's answer; field names and order follow
// the configure answers of the user guide.
type Product struct {
	ID               json.RawMessage `json:"id"`
	Code             string          `json:"code"`
	CanOrder         bool            `json:"can_order"`
	Amount           json.Number     `json:"amount"`
	Width            json.Number     `json:"width"`
	Height           json.Number     `json:"height"`
	Length           json.Number     `json:"length"`
	Depth            *json.Number    `json:"depth,omitempty"`
	AvailableOptions []Group         `json:"available_options"`
	SelectedOptions  []Selected      `json:"selected_options"`
	Upload           *bool           `json:"upload,omitempty"`
	Uploaders        []Uploader      `json:"uploaders,omitempty"`
	LinkedProducts   []LinkedProduct `json:"linked_products,omitempty"`
	PricesTotal      *PricesByTime   `json:"prices_total,omitempty"`
	PricesPerProduct *PricesByTime   `json:"prices_per_product,omitempty"`
	CalculationID    *int64          `json:"calculation_id,omitempty"`
	CatalogVersion   int64           `json:"catalog_version,omitempty"` // native only
}

type Group struct {
	Name      *string `json:"name"`
	Label     *string `json:"label"`
	Code      string  `json:"code"`
	CanOrder  *bool   `json:"can_order"`
	Amount    *int    `json:"amount"`
	Width     *int    `json:"width"`
	Height    *int    `json:"height"`
	Length    *int    `json:"length"`
	Available bool    `json:"available"`
	UnitCode  *string `json:"unit_code"`
	Price     any     `json:"price"`
	Optional  bool    `json:"optional,omitempty"`
	Children  []Child `json:"children"`
}

// OptionCore holds the fields that offered and selected options share, in
// the guide's order; the json package keeps an embedded struct's fields in place.
type OptionCore struct {
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

type Child struct {
	OptionCore
	LastOption        *bool   `json:"last_option"`
	Available         bool    `json:"available"`
	UnitCode          *string `json:"unit_code"`
	Price             any     `json:"price"`
	Images            []Image `json:"images"`
	IsDefault         bool    `json:"is_default,omitempty"`
	UnavailableReason string  `json:"unavailable_reason,omitempty"`
}

type Selected struct {
	OptionCore
	ParentCode string  `json:"parent_code"`
	ParentName *string `json:"parent_name"`
	UnitCode   *string `json:"unit_code"`
	Images     []Image `json:"images"`
}

type Image struct {
	Language string `json:"language"`
	URL      string `json:"url"`
}

type Uploader struct {
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

type LinkedProduct struct {
	Title            *string     `json:"title"`
	Description      *string     `json:"description"`
	Code             string      `json:"code"`
	ArticleGroupCode string      `json:"article_group_code"`
	UnitCode         string      `json:"unit_code"`
	ShippingWeight   json.Number `json:"shipping_weight"`
}

func Num(d *decimal.Decimal) any {
	if d == nil {
		return nil
	}
	return json.Number(decimalString(*d))
}

func DNum(d decimal.Decimal) json.Number { return json.Number(decimalString(d)) }

// decimalString is d.String() without math/big when the coefficient fits
// in an int64, as prices and measures do: an answer holds hundreds of
// numbers, and big.Int's formatting was 4 % of a configure.
func decimalString(d decimal.Decimal) string {
	exp := d.Exponent()
	if exp > 0 || exp < -18 || d.NumDigits() > 18 || !decimal.TrimTrailingZeros || decimal.UseScientificNotation {
		return d.String()
	}
	c := d.CoefficientInt64()
	var buf [48]byte
	b := buf[:0]
	if c < 0 {
		b, c = append(b, '-'), -c
	}
	var dbuf [20]byte
	digits := strconv.AppendInt(dbuf[:0], c, 10)
	n := -int(exp) // digits after the point
	if n == 0 {
		return string(append(b, digits...))
	}
	var frac []byte
	zeros := 0
	if len(digits) > n {
		b = append(b, digits[:len(digits)-n]...)
		frac = digits[len(digits)-n:]
	} else {
		b = append(b, '0')
		zeros, frac = n-len(digits), digits
	}
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) == 0 {
		return string(b)
	}
	b = append(b, '.')
	for range zeros {
		b = append(b, '0')
	}
	return string(append(b, frac...))
}

func Images(in []catalog.Image) []Image {
	out := make([]Image, len(in))
	for i, im := range in {
		out[i] = Image{Language: im.Language, URL: im.URL}
	}
	return out
}

func StrOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// coreOf renders the shared fields of an option; value is the chosen number, if any.
func coreOf(o *catalog.CompiledOption, value *decimal.Decimal, lang, def string) OptionCore {
	c := OptionCore{
		TypeCode: o.Type, Name: o.Name.Lookup(lang, def), Label: o.Label.Lookup(lang, def),
		Description: o.Description.Lookup(lang, def), Code: o.Code,
		DefaultValue: Num(o.DefaultValue), MinValue: Num(o.Min), MaxValue: Num(o.Max), StepSize: Num(o.Step),
		Scale: o.Scale, Reversible: o.Reversible,
	}
	if value != nil {
		v := value.String()
		c.Value = &v
	}
	return c
}

// AccessoryPrice prices a cross-sell option at a quantity (nil: its default).
type AccessoryPrice func(o *catalog.CompiledOption, quantity *decimal.Decimal) any

func Configuration(cfg *catalog.Configuration, out *Product, price AccessoryPrice) {
	p := cfg.Product
	lang, def := cfg.Language, p.Catalog.DefaultLanguage
	out.CanOrder = cfg.CanOrder
	out.Amount, out.Width, out.Height, out.Length = DNum(cfg.Amount), DNum(cfg.Width), DNum(cfg.Height), DNum(cfg.Length)
	if p.Input(catalog.TypeDepth) != nil {
		d := DNum(cfg.Depth)
		out.Depth = &d
	}
	// Sized once: a selected option is ~250 bytes, and growing the list by
	// appending was the largest allocation of a configure answer.
	out.AvailableOptions = slices.Grow(out.AvailableOptions, len(cfg.Offers))
	out.SelectedOptions = slices.Grow(out.SelectedOptions, len(cfg.Selected))
	for _, offer := range cfg.Offers {
		g := Group{
			Name: offer.Name.Lookup(lang, def), Label: offer.Label.Lookup(lang, def), Code: offer.Code,
			Available: true, Optional: offer.Optional, Children: make([]Child, 0, len(offer.Choices)),
		}
		for _, ch := range offer.Choices {
			o := ch.CompiledOption
			c := Child{
				OptionCore: coreOf(o, ch.Value, lang, def), Available: ch.Available, UnitCode: StrOrNil(o.Unit),
				Images: Images(o.Images), IsDefault: o.Default, UnavailableReason: ch.Reason,
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
		out.SelectedOptions = append(out.SelectedOptions, Selected{
			OptionCore: coreOf(o, c.Value, lang, def), ParentCode: o.Group.Code, ParentName: o.Group.Name.Lookup(lang, def),
			UnitCode: StrOrNil(o.Unit), Images: Images(o.Images),
		})
	}
	if !cfg.CanOrder {
		return
	}
	upload := cfg.Upload
	out.Upload = &upload
	out.Uploaders = []Uploader{}
	for _, u := range cfg.Uploaders {
		uo := Uploader{
			Type: "single", Amount: DNum(u.Amount), Width: DNum(u.Width), Height: DNum(u.Height), Length: DNum(u.Length),
			MinimalDPI: u.MinimalDPI, MirrorEnabled: u.MirrorEnabled, FillEnabled: u.FillEnabled, RotationEnabled: u.RotationEnabled,
			FileLimit: u.FileLimit, RequireWhiteSpot: u.RequireWhiteSpot,
			RequiredCutNames: NonNil(u.RequiredCutNames), OptionalCutNames: NonNil(u.OptionalCutNames),
			TilingEnabled: u.TilingEnabled, TilingMandatory: u.TilingMandatory, TilingDirection: u.TilingDirection,
			MaxWidthExclOverlap: Num(u.MaxWidthExclOverlap), MaxHeightExclOverlap: Num(u.MaxHeightExclOverlap),
			MaxWidthInclOverlap: Num(u.MaxWidthInclOverlap), MaxHeightInclOverlap: Num(u.MaxHeightInclOverlap),
		}
		if u.Bleed != nil {
			uo.BleedTop, uo.BleedRight, uo.BleedBottom, uo.BleedLeft = DNum(u.Bleed.Top), DNum(u.Bleed.Right), DNum(u.Bleed.Bottom), DNum(u.Bleed.Left)
		}
		out.Uploaders = append(out.Uploaders, uo)
	}
	out.LinkedProducts = []LinkedProduct{}
	for _, m := range cfg.Linked {
		out.LinkedProducts = append(out.LinkedProducts, LinkedProduct{
			Title: m.Name.Lookup(lang, def), Description: m.Description.Lookup(lang, def), Code: m.Code,
			ArticleGroupCode: "MA", UnitCode: m.Unit, ShippingWeight: DNum(m.ShippingWeight),
		})
	}
}

func NonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Price is a price as the native API (and Probo) show it: exact amounts
// rounded once, as JSON numbers.
type Price struct {
	PurchaseBasePrice     json.Number `json:"purchase_base_price"`
	PurchaseRushSurcharge json.Number `json:"purchase_rush_surcharge"`
	PurchasePrice         json.Number `json:"purchase_price"`
	PurchasePriceInclVAT  json.Number `json:"purchase_price_incl_vat"`
	SalesPrice            json.Number `json:"sales_price"`
	SalesPriceInclVAT     json.Number `json:"sales_price_incl_vat"`
}

func PriceOf(a pricing.Amounts) Price {
	return Price{
		PurchaseBasePrice: DNum(a.PurchaseBase), PurchaseRushSurcharge: DNum(a.PurchaseRush), PurchasePrice: DNum(a.Purchase),
		PurchasePriceInclVAT: DNum(a.PurchaseInclVAT), SalesPrice: DNum(a.Sales), SalesPriceInclVAT: DNum(a.SalesInclVAT),
	}
}

// PricesByTime is a JSON object keyed by production time code, held as
// its entries sorted by code (the order encoding/json gives a map's keys):
// two maps of 21 prices were the largest allocation of a configure answer.
// Times with the same price share it.
type PricesByTime []TimePrice

// TimePrice is one production time's price.
type TimePrice struct {
	Code  string
	Price *Price
}

// MarshalJSON writes the object for answers encoded with encoding/json.
func (m PricesByTime) MarshalJSON() ([]byte, error) { return m.appendJSON(nil, false), nil }

// SameAmounts reports whether two exact prices are equal (production times
// without a rush surcharge share their price).
func SameAmounts(a, b pricing.Amounts) bool {
	return a.Purchase.Equal(b.Purchase) && a.PurchaseRush.Equal(b.PurchaseRush) && a.PurchaseInclVAT.Equal(b.PurchaseInclVAT) &&
		a.Sales.Equal(b.Sales) && a.SalesInclVAT.Equal(b.SalesInclVAT)
}

// ConfigurePrices fills the prices of a complete configuration: totals and
// per piece for every production time.
func ConfigurePrices(q *pricing.Quote, amounts []pricing.Amounts) (total, perPiece PricesByTime) {
	total, perPiece = make(PricesByTime, len(q.Lines)), make(PricesByTime, len(q.Lines))
	// A quote has a line per production time of its product, in the
	// product's order, whose rank by code the catalog knows.
	rank := q.Product.ProductionRank
	var lastTotal, lastPiece *Price
	for i, l := range q.Lines {
		if i == 0 || !SameAmounts(amounts[i], amounts[i-1]) {
			t, p := PriceOf(amounts[i].Rounded()), PriceOf(amounts[i].PerPiece(q.Measure.Amount))
			lastTotal, lastPiece = &t, &p
		}
		total[rank[i]], perPiece[rank[i]] = TimePrice{Code: l.Time.Code, Price: lastTotal}, TimePrice{Code: l.Time.Code, Price: lastPiece}
	}
	return total, perPiece
}

// OptionIn is a chosen option as requests send it.
type OptionIn struct {
	Code  string          `json:"code"`
	Value json.RawMessage `json:"value"`
}

// Selections reads a request's options for the configurator.
func Selections(opts []OptionIn) []catalog.Selection {
	sels := make([]catalog.Selection, len(opts))
	for j, o := range opts {
		sels[j] = catalog.Selection{Code: o.Code}
		sels[j].Value, sels[j].ValueErr = ParseValue(o.Code, o.Value)
	}
	return sels
}

// ParseValue accepts numbers and numeric strings ("100"), as real clients send both.
func ParseValue(code string, raw json.RawMessage) (*decimal.Decimal, string) {
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
