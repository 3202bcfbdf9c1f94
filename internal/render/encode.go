package render

import (
	"bytes"
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
	b = appendRaw(b, p.ID, esc)
	b = append(b, `,"code":`...)
	b = appendString(b, p.Code, esc)
	b = append(b, `,"can_order":`...)
	b = strconv.AppendBool(b, p.CanOrder)
	b = append(b, `,"amount":`...)
	b = appendNumber(b, p.Amount)
	b = append(b, `,"width":`...)
	b = appendNumber(b, p.Width)
	b = append(b, `,"height":`...)
	b = appendNumber(b, p.Height)
	b = append(b, `,"length":`...)
	b = appendNumber(b, p.Length)
	if p.Depth != nil {
		b = append(b, `,"depth":`...)
		b = appendNumber(b, *p.Depth)
	}
	b = append(b, `,"available_options":`...)
	b = appendSlice(b, p.AvailableOptions, esc, (*Group).appendJSON)
	b = append(b, `,"selected_options":`...)
	b = appendSlice(b, p.SelectedOptions, esc, (*Selected).appendJSON)
	if p.Upload != nil {
		b = append(b, `,"upload":`...)
		b = strconv.AppendBool(b, *p.Upload)
	}
	if len(p.Uploaders) > 0 {
		b = append(b, `,"uploaders":`...)
		b = appendSlice(b, p.Uploaders, esc, (*Uploader).appendJSON)
	}
	if len(p.LinkedProducts) > 0 {
		b = append(b, `,"linked_products":`...)
		b = appendSlice(b, p.LinkedProducts, esc, (*LinkedProduct).appendJSON)
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
	b = appendStringPtr(b, g.Name, esc)
	b = append(b, `,"label":`...)
	b = appendStringPtr(b, g.Label, esc)
	b = append(b, `,"code":`...)
	b = appendString(b, g.Code, esc)
	b = append(b, `,"can_order":`...)
	b = appendBoolPtr(b, g.CanOrder)
	b = append(b, `,"amount":`...)
	b = appendIntPtr(b, g.Amount)
	b = append(b, `,"width":`...)
	b = appendIntPtr(b, g.Width)
	b = append(b, `,"height":`...)
	b = appendIntPtr(b, g.Height)
	b = append(b, `,"length":`...)
	b = appendIntPtr(b, g.Length)
	b = append(b, `,"available":`...)
	b = strconv.AppendBool(b, g.Available)
	b = append(b, `,"unit_code":`...)
	b = appendStringPtr(b, g.UnitCode, esc)
	b = append(b, `,"price":`...)
	b = appendAny(b, g.Price, esc)
	if g.Optional {
		b = append(b, `,"optional":true`...)
	}
	b = append(b, `,"children":`...)
	b = appendSlice(b, g.Children, esc, (*Child).appendJSON)
	return append(b, '}')
}

// appendFields appends the core's fields without braces, each after a comma
// except the first.
func (c *OptionCore) appendFields(b []byte, esc bool) []byte {
	b = append(b, `"type_code":`...)
	b = appendString(b, c.TypeCode, esc)
	b = append(b, `,"name":`...)
	b = appendStringPtr(b, c.Name, esc)
	b = append(b, `,"label":`...)
	b = appendStringPtr(b, c.Label, esc)
	b = append(b, `,"description":`...)
	b = appendStringPtr(b, c.Description, esc)
	b = append(b, `,"value":`...)
	b = appendStringPtr(b, c.Value, esc)
	b = append(b, `,"code":`...)
	b = appendString(b, c.Code, esc)
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
	return appendBoolPtr(b, c.Reversible)
}

func (c *Child) appendJSON(b []byte, esc bool) []byte {
	b = append(b, '{')
	b = c.OptionCore.appendFields(b, esc)
	b = append(b, `,"last_option":`...)
	b = appendBoolPtr(b, c.LastOption)
	b = append(b, `,"available":`...)
	b = strconv.AppendBool(b, c.Available)
	b = append(b, `,"unit_code":`...)
	b = appendStringPtr(b, c.UnitCode, esc)
	b = append(b, `,"price":`...)
	b = appendAny(b, c.Price, esc)
	b = append(b, `,"images":`...)
	b = appendSlice(b, c.Images, esc, (*Image).appendJSON)
	if c.IsDefault {
		b = append(b, `,"is_default":true`...)
	}
	if c.UnavailableReason != "" {
		b = append(b, `,"unavailable_reason":`...)
		b = appendString(b, c.UnavailableReason, esc)
	}
	return append(b, '}')
}

func (s *Selected) appendJSON(b []byte, esc bool) []byte {
	b = append(b, '{')
	b = s.OptionCore.appendFields(b, esc)
	b = append(b, `,"parent_code":`...)
	b = appendString(b, s.ParentCode, esc)
	b = append(b, `,"parent_name":`...)
	b = appendStringPtr(b, s.ParentName, esc)
	b = append(b, `,"unit_code":`...)
	b = appendStringPtr(b, s.UnitCode, esc)
	b = append(b, `,"images":`...)
	b = appendSlice(b, s.Images, esc, (*Image).appendJSON)
	return append(b, '}')
}

func (im *Image) appendJSON(b []byte, esc bool) []byte {
	b = append(b, `{"language":`...)
	b = appendString(b, im.Language, esc)
	b = append(b, `,"url":`...)
	b = appendString(b, im.URL, esc)
	return append(b, '}')
}

func (u *Uploader) appendJSON(b []byte, esc bool) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, u.Type, esc)
	b = append(b, `,"amount":`...)
	b = appendNumber(b, u.Amount)
	b = append(b, `,"width":`...)
	b = appendNumber(b, u.Width)
	b = append(b, `,"height":`...)
	b = appendNumber(b, u.Height)
	b = append(b, `,"length":`...)
	b = appendNumber(b, u.Length)
	b = append(b, `,"minimal_dpi":`...)
	b = appendIntPtr(b, u.MinimalDPI)
	b = append(b, `,"mirror_enabled":`...)
	b = appendBoolPtr(b, u.MirrorEnabled)
	b = append(b, `,"fill_enabled":`...)
	b = appendBoolPtr(b, u.FillEnabled)
	b = append(b, `,"rotation_enabled":`...)
	b = appendBoolPtr(b, u.RotationEnabled)
	b = append(b, `,"file_limit":`...)
	b = appendIntPtr(b, u.FileLimit)
	b = append(b, `,"require_white_spot":`...)
	b = appendBoolPtr(b, u.RequireWhiteSpot)
	b = append(b, `,"required_cut_names":`...)
	b = appendStrings(b, u.RequiredCutNames, esc)
	b = append(b, `,"optional_cut_names":`...)
	b = appendStrings(b, u.OptionalCutNames, esc)
	b = append(b, `,"tiling_enabled":`...)
	b = appendBoolPtr(b, u.TilingEnabled)
	b = append(b, `,"tiling_mandatory":`...)
	b = appendBoolPtr(b, u.TilingMandatory)
	b = append(b, `,"tiling_direction":`...)
	b = appendStringPtr(b, u.TilingDirection, esc)
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
	b = appendStringPtr(b, l.Title, esc)
	b = append(b, `,"description":`...)
	b = appendStringPtr(b, l.Description, esc)
	b = append(b, `,"code":`...)
	b = appendString(b, l.Code, esc)
	b = append(b, `,"article_group_code":`...)
	b = appendString(b, l.ArticleGroupCode, esc)
	b = append(b, `,"unit_code":`...)
	b = appendString(b, l.UnitCode, esc)
	b = append(b, `,"shipping_weight":`...)
	b = appendNumber(b, l.ShippingWeight)
	return append(b, '}')
}

func (p *Price) appendJSON(b []byte) []byte {
	b = append(b, `{"purchase_base_price":`...)
	b = appendNumber(b, p.PurchaseBasePrice)
	b = append(b, `,"purchase_rush_surcharge":`...)
	b = appendNumber(b, p.PurchaseRushSurcharge)
	b = append(b, `,"purchase_price":`...)
	b = appendNumber(b, p.PurchasePrice)
	b = append(b, `,"purchase_price_incl_vat":`...)
	b = appendNumber(b, p.PurchasePriceInclVAT)
	b = append(b, `,"sales_price":`...)
	b = appendNumber(b, p.SalesPrice)
	b = append(b, `,"sales_price_incl_vat":`...)
	b = appendNumber(b, p.SalesPriceInclVAT)
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
		b = appendString(b, m[i].Code, esc)
		b = append(b, ':')
		if m[i].Price == nil {
			b = append(b, "null"...)
		} else {
			b = m[i].Price.appendJSON(b)
		}
	}
	return append(b, '}')
}

func appendSlice[T any](b []byte, s []T, esc bool, f func(*T, []byte, bool) []byte) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = f(&s[i], b, esc)
	}
	return append(b, ']')
}

func appendStrings(b []byte, s []string, esc bool) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v, esc)
	}
	return append(b, ']')
}

func appendStringPtr(b []byte, s *string, esc bool) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s, esc)
}

func appendBoolPtr(b []byte, v *bool) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendBool(b, *v)
}

func appendIntPtr(b []byte, v *int) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(*v), 10)
}

// appendNumber writes a number as encoding/json does: an empty one is 0.
// Numbers here come from decimals, so they are valid JSON numbers.
func appendNumber(b []byte, n json.Number) []byte {
	if n == "" {
		return append(b, '0')
	}
	return append(b, n...)
}

// appendAny writes the values the answers put into their untyped fields
// directly, and anything else through encoding/json.
func appendAny(b []byte, v any, esc bool) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case json.Number:
		if validNumber(string(x)) {
			return appendNumber(b, x)
		}
	case Price:
		return x.appendJSON(b)
	case *Price:
		if x == nil {
			return append(b, "null"...)
		}
		return x.appendJSON(b)
	case string:
		return appendString(b, x, esc)
	}
	return appendEncoded(b, v, esc)
}

// appendRaw writes a raw JSON value as encoding/json does (compacted, HTML
// escaped when asked); a plain number or null, what ids usually are, is
// copied as it is.
func appendRaw(b []byte, raw json.RawMessage, esc bool) []byte {
	if raw == nil {
		return append(b, "null"...)
	}
	if string(raw) == "null" || validNumber(string(raw)) {
		return append(b, raw...)
	}
	return appendEncoded(b, raw, esc)
}

// appendEncoded is the slow path: encoding/json itself. A value it cannot
// encode (no answer of ours holds one) is written as null.
func appendEncoded(b []byte, v any, esc bool) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(esc)
	if err := enc.Encode(v); err != nil {
		return append(b, "null"...)
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// validNumber reports whether s is a JSON number (encoding/json's rule).
func validNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if s == "" {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return s == ""
}

// AppendString quotes s as encoding/json does, for the APIs' envelopes.
func AppendString(b []byte, s string, escapeHTML bool) []byte {
	return jsonw.AppendString(b, s, escapeHTML)
}

func appendString(b []byte, s string, esc bool) []byte { return jsonw.AppendString(b, s, esc) }
