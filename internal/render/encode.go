package render

import (
	"encoding/json"
	"strconv"

	"github.com/pressroom/pressroom/internal/jsonw"
)

// The configure answer is the largest hot answer (14 kB for the seed's
// dibond) and encoding/json spent more CPU on it, through reflection,
// than building it. These appenders write the same bytes as encoding/json
// (TestAppendMatchesEncodingJSON proves it for every field of every type
// here) straight into a buffer. A type with a custom MarshalJSON would not
// help: encoding/json re-scans what a marshaler returns.

// AppendProducts appends the JSON array of products, as encoding/json
// writes it with escapeHTML as given.
func AppendProducts(b []byte, ps []Product, escapeHTML bool) []byte {
	if ps == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = ps[i].AppendJSON(b, escapeHTML)
	}
	return append(b, ']')
}

// AppendJSON appends p as encoding/json writes it.
func (p *Product) AppendJSON(b []byte, esc bool) []byte {
	b = append(b, `{"id":`...)
	b = jsonw.Raw(b, p.ID, esc)
	b = append(b, `,"code":`...)
	b = jsonw.String(b, p.Code, esc)
	b = append(b, `,"can_order":`...)
	b = strconv.AppendBool(b, p.CanOrder)
	b = append(b, `,"amount":`...)
	b = jsonw.Number(b, p.Amount)
	b = append(b, `,"width":`...)
	b = jsonw.Number(b, p.Width)
	b = append(b, `,"height":`...)
	b = jsonw.Number(b, p.Height)
	b = append(b, `,"length":`...)
	b = jsonw.Number(b, p.Length)
	if p.Depth != nil {
		b = append(b, `,"depth":`...)
		b = jsonw.Number(b, *p.Depth)
	}
	b = append(b, `,"available_options":`...)
	b = jsonw.Slice(b, p.AvailableOptions, esc, (*Group).appendJSON)
	b = append(b, `,"selected_options":`...)
	b = jsonw.Slice(b, p.SelectedOptions, esc, (*Selected).appendJSON)
	if p.Upload != nil {
		b = append(b, `,"upload":`...)
		b = strconv.AppendBool(b, *p.Upload)
	}
	if len(p.Uploaders) > 0 {
		b = append(b, `,"uploaders":`...)
		b = jsonw.Slice(b, p.Uploaders, esc, (*Uploader).appendJSON)
	}
	if len(p.LinkedProducts) > 0 {
		b = append(b, `,"linked_products":`...)
		b = jsonw.Slice(b, p.LinkedProducts, esc, (*LinkedProduct).appendJSON)
	}
	if p.PricesTotal != nil {
		b = append(b, `,"prices_total":`...)
		b = p.PricesTotal.appendJSON(b, esc)
	}
	if p.PricesPerProduct != nil {
		b = append(b, `,"prices_per_product":`...)
		b = p.PricesPerProduct.appendJSON(b, esc)
	}
	if p.CalculationID != nil {
		b = append(b, `,"calculation_id":`...)
		b = strconv.AppendInt(b, *p.CalculationID, 10)
	}
	if p.CatalogVersion != 0 {
		b = append(b, `,"catalog_version":`...)
		b = strconv.AppendInt(b, p.CatalogVersion, 10)
	}
	return append(b, '}')
}

func (g *Group) appendJSON(b []byte, esc bool) []byte {
	b = append(b, `{"name":`...)
	b = jsonw.StringPtr(b, g.Name, esc)
	b = append(b, `,"label":`...)
	b = jsonw.StringPtr(b, g.Label, esc)
	b = append(b, `,"code":`...)
	b = jsonw.String(b, g.Code, esc)
	b = append(b, `,"can_order":`...)
	b = jsonw.BoolPtr(b, g.CanOrder)
	b = append(b, `,"amount":`...)
	b = jsonw.IntPtr(b, g.Amount)
	b = append(b, `,"width":`...)
	b = jsonw.IntPtr(b, g.Width)
	b = append(b, `,"height":`...)
	b = jsonw.IntPtr(b, g.Height)
	b = append(b, `,"length":`...)
	b = jsonw.IntPtr(b, g.Length)
	b = append(b, `,"available":`...)
	b = strconv.AppendBool(b, g.Available)
	b = append(b, `,"unit_code":`...)
	b = jsonw.StringPtr(b, g.UnitCode, esc)
	b = append(b, `,"price":`...)
	b = appendAny(b, g.Price, esc)
	if g.Optional {
		b = append(b, `,"optional":true`...)
	}
	b = append(b, `,"children":`...)
	b = jsonw.Slice(b, g.Children, esc, (*Child).appendJSON)
	return append(b, '}')
}

// appendFields appends the core's fields without braces, each after a comma
// except the first.
func (c *OptionCore) appendFields(b []byte, esc bool) []byte {
	b = append(b, `"type_code":`...)
	b = jsonw.String(b, c.TypeCode, esc)
	b = append(b, `,"name":`...)
	b = jsonw.StringPtr(b, c.Name, esc)
	b = append(b, `,"label":`...)
	b = jsonw.StringPtr(b, c.Label, esc)
	b = append(b, `,"description":`...)
	b = jsonw.StringPtr(b, c.Description, esc)
	b = append(b, `,"value":`...)
	b = jsonw.StringPtr(b, c.Value, esc)
	b = append(b, `,"code":`...)
	b = jsonw.String(b, c.Code, esc)
	b = append(b, `,"default_value":`...)
	b = appendAny(b, c.DefaultValue, esc)
	b = append(b, `,"min_value":`...)
	b = appendAny(b, c.MinValue, esc)
	b = append(b, `,"max_value":`...)
	b = appendAny(b, c.MaxValue, esc)
	b = append(b, `,"step_size":`...)
	b = appendAny(b, c.StepSize, esc)
	b = append(b, `,"scale":`...)
	if c.Scale == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*c.Scale), 10)
	}
	b = append(b, `,"reversible":`...)
	return jsonw.BoolPtr(b, c.Reversible)
}

func (c *Child) appendJSON(b []byte, esc bool) []byte {
	b = append(b, '{')
	b = c.OptionCore.appendFields(b, esc)
	b = append(b, `,"last_option":`...)
	b = jsonw.BoolPtr(b, c.LastOption)
	b = append(b, `,"available":`...)
	b = strconv.AppendBool(b, c.Available)
	b = append(b, `,"unit_code":`...)
	b = jsonw.StringPtr(b, c.UnitCode, esc)
	b = append(b, `,"price":`...)
	b = appendAny(b, c.Price, esc)
	b = append(b, `,"images":`...)
	b = jsonw.Slice(b, c.Images, esc, (*Image).appendJSON)
	if c.IsDefault {
		b = append(b, `,"is_default":true`...)
	}
	if c.UnavailableReason != "" {
		b = append(b, `,"unavailable_reason":`...)
		b = jsonw.String(b, c.UnavailableReason, esc)
	}
	return append(b, '}')
}

func (s *Selected) appendJSON(b []byte, esc bool) []byte {
	b = append(b, '{')
	b = s.OptionCore.appendFields(b, esc)
	b = append(b, `,"parent_code":`...)
	b = jsonw.String(b, s.ParentCode, esc)
	b = append(b, `,"parent_name":`...)
	b = jsonw.StringPtr(b, s.ParentName, esc)
	b = append(b, `,"unit_code":`...)
	b = jsonw.StringPtr(b, s.UnitCode, esc)
	b = append(b, `,"images":`...)
	b = jsonw.Slice(b, s.Images, esc, (*Image).appendJSON)
	return append(b, '}')
}

func (im *Image) appendJSON(b []byte, esc bool) []byte {
	b = append(b, `{"language":`...)
	b = jsonw.String(b, im.Language, esc)
	b = append(b, `,"url":`...)
	b = jsonw.String(b, im.URL, esc)
	return append(b, '}')
}

func (u *Uploader) appendJSON(b []byte, esc bool) []byte {
	b = append(b, `{"type":`...)
	b = jsonw.String(b, u.Type, esc)
	b = append(b, `,"amount":`...)
	b = jsonw.Number(b, u.Amount)
	b = append(b, `,"width":`...)
	b = jsonw.Number(b, u.Width)
	b = append(b, `,"height":`...)
	b = jsonw.Number(b, u.Height)
	b = append(b, `,"length":`...)
	b = jsonw.Number(b, u.Length)
	b = append(b, `,"minimal_dpi":`...)
	b = jsonw.IntPtr(b, u.MinimalDPI)
	b = append(b, `,"mirror_enabled":`...)
	b = jsonw.BoolPtr(b, u.MirrorEnabled)
	b = append(b, `,"fill_enabled":`...)
	b = jsonw.BoolPtr(b, u.FillEnabled)
	b = append(b, `,"rotation_enabled":`...)
	b = jsonw.BoolPtr(b, u.RotationEnabled)
	b = append(b, `,"file_limit":`...)
	b = jsonw.IntPtr(b, u.FileLimit)
	b = append(b, `,"require_white_spot":`...)
	b = jsonw.BoolPtr(b, u.RequireWhiteSpot)
	b = append(b, `,"required_cut_names":`...)
	b = jsonw.Strings(b, u.RequiredCutNames, esc)
	b = append(b, `,"optional_cut_names":`...)
	b = jsonw.Strings(b, u.OptionalCutNames, esc)
	b = append(b, `,"tiling_enabled":`...)
	b = jsonw.BoolPtr(b, u.TilingEnabled)
	b = append(b, `,"tiling_mandatory":`...)
	b = jsonw.BoolPtr(b, u.TilingMandatory)
	b = append(b, `,"tiling_direction":`...)
	b = jsonw.StringPtr(b, u.TilingDirection, esc)
	b = append(b, `,"max_width_excl_overlap":`...)
	b = appendAny(b, u.MaxWidthExclOverlap, esc)
	b = append(b, `,"max_height_excl_overlap":`...)
	b = appendAny(b, u.MaxHeightExclOverlap, esc)
	b = append(b, `,"max_width_incl_overlap":`...)
	b = appendAny(b, u.MaxWidthInclOverlap, esc)
	b = append(b, `,"max_height_incl_overlap":`...)
	b = appendAny(b, u.MaxHeightInclOverlap, esc)
	b = append(b, `,"bleed_top":`...)
	b = appendAny(b, u.BleedTop, esc)
	b = append(b, `,"bleed_right":`...)
	b = appendAny(b, u.BleedRight, esc)
	b = append(b, `,"bleed_bottom":`...)
	b = appendAny(b, u.BleedBottom, esc)
	b = append(b, `,"bleed_left":`...)
	b = appendAny(b, u.BleedLeft, esc)
	return append(b, '}')
}

func (l *LinkedProduct) appendJSON(b []byte, esc bool) []byte {
	b = append(b, `{"title":`...)
	b = jsonw.StringPtr(b, l.Title, esc)
	b = append(b, `,"description":`...)
	b = jsonw.StringPtr(b, l.Description, esc)
	b = append(b, `,"code":`...)
	b = jsonw.String(b, l.Code, esc)
	b = append(b, `,"article_group_code":`...)
	b = jsonw.String(b, l.ArticleGroupCode, esc)
	b = append(b, `,"unit_code":`...)
	b = jsonw.String(b, l.UnitCode, esc)
	b = append(b, `,"shipping_weight":`...)
	b = jsonw.Number(b, l.ShippingWeight)
	return append(b, '}')
}

// AppendJSON appends p as encoding/json writes it.
func (p *Price) AppendJSON(b []byte) []byte {
	b = append(b, `{"purchase_base_price":`...)
	b = jsonw.Number(b, p.PurchaseBasePrice)
	b = append(b, `,"purchase_rush_surcharge":`...)
	b = jsonw.Number(b, p.PurchaseRushSurcharge)
	b = append(b, `,"purchase_price":`...)
	b = jsonw.Number(b, p.PurchasePrice)
	b = append(b, `,"purchase_price_incl_vat":`...)
	b = jsonw.Number(b, p.PurchasePriceInclVAT)
	b = append(b, `,"sales_price":`...)
	b = jsonw.Number(b, p.SalesPrice)
	b = append(b, `,"sales_price_incl_vat":`...)
	b = jsonw.Number(b, p.SalesPriceInclVAT)
	return append(b, '}')
}

// appendJSON writes the object; its entries are sorted already.
func (m PricesByTime) appendJSON(b []byte, esc bool) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	for i := range m {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.String(b, m[i].Code, esc)
		b = append(b, ':')
		if m[i].Price == nil {
			b = append(b, "null"...)
		} else {
			b = m[i].Price.AppendJSON(b)
		}
	}
	return append(b, '}')
}

// appendAny writes the values the answers put into their untyped fields
// directly, and anything else through encoding/json.
func appendAny(b []byte, v any, esc bool) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case json.Number:
		if jsonw.ValidNumber(string(x)) {
			return jsonw.Number(b, x)
		}
	case Price:
		return x.AppendJSON(b)
	case *Price:
		if x == nil {
			return append(b, "null"...)
		}
		return x.AppendJSON(b)
	case string:
		return jsonw.String(b, x, esc)
	}
	return jsonw.Encoded(b, v, esc)
}

// AppendString quotes s as encoding/json does, for the APIs' envelopes.
func AppendString(b []byte, s string, escapeHTML bool) []byte { return jsonw.String(b, s, escapeHTML) }
