package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
)

// Selection is one option a caller chose, with a value for numeric inputs
// and accessory quantities.
type Selection struct {
	Code string
	// Value is nil when the caller gave none; ValueErr tells why a given value
	// was not a number.
	Value    *decimal.Decimal
	ValueErr string
}

// Problem codes of a configuration.
const (
	ProblemUnknownOption = "unknown_option"
	ProblemDuplicate     = "duplicate_option"
	ProblemValue         = "invalid_value"
	ProblemUnavailable   = "option_unavailable"
	ProblemOutOfOrder    = "option_out_of_order"
	ProblemConflict      = "conflicting_options"
	ProblemDeadEnd       = "no_option_available"
)

// ConfigProblem is one reason a configuration is not valid. Index is the
// position of the selection it is about, or -1 when it is about the whole.
type ConfigProblem struct {
	Index  int
	Option string
	Code   string
	Reason string
}

// Choice is an option as it is offered: available or not, and why.
type Choice struct {
	*CompiledOption
	Available bool
	Reason    string
	// Value is the chosen value of a numeric input, when chosen.
	Value *decimal.Decimal
}

// Offer is a group whose options can be chosen next.
type Offer struct {
	*CompiledGroup
	Choices []Choice
}

// Chosen is an accepted selection.
type Chosen struct {
	*CompiledOption
	// Value is the number for numeric inputs and the quantity of accessories.
	Value *decimal.Decimal
}

// UploaderSpec is the print-file specification of a complete configuration.
type UploaderSpec struct {
	Uploader
	Amount, Width, Height, Length decimal.Decimal
}

// LinkedMaterial is a material a complete configuration is made of.
type LinkedMaterial struct {
	*Material
}

// Configuration is the answer to a configure request for one product.
type Configuration struct {
	Product  *CompiledProduct
	Language string
	CanOrder bool
	Amount   decimal.Decimal
	Width    decimal.Decimal
	Height   decimal.Decimal
	Length   decimal.Decimal
	Depth    decimal.Decimal
	// Offers are the groups to choose next (when complete: the accessories).
	Offers   []Offer
	Selected []Chosen
	Problems []ConfigProblem

	Upload    bool
	Uploaders []UploaderSpec
	Linked    []LinkedMaterial
}

// Valid reports whether the selections had no problem.
func (c *Configuration) Valid() bool { return len(c.Problems) == 0 }

type state struct {
	p        *CompiledProduct
	lang     string
	chosen   map[string]bool
	sel      map[string]int // code to index into selections
	values   map[string]decimal.Decimal
	problems []ConfigProblem
	done     []bool // selections accounted for, by index
	all      []Selection
}

func (s *state) problem(index int, option, code, format string, args ...any) {
	s.problems = append(s.problems, ConfigProblem{Index: index, Option: option, Code: code, Reason: fmt.Sprintf(format, args...)})
}

// name is how an option or group is called in problems: its name and code.
func (s *state) name(code string) string {
	if o := s.p.options[code]; o != nil {
		if n := o.Name.Lookup(s.lang, s.p.Catalog.DefaultLanguage); n != nil && *n != "" {
			return fmt.Sprintf("%q (%s)", *n, code)
		}
	}
	if g := s.p.groups[code]; g != nil {
		if n := g.Name.Lookup(s.lang, s.p.Catalog.DefaultLanguage); n != nil && *n != "" {
			return fmt.Sprintf("%q (%s)", *n, code)
		}
	}
	return fmt.Sprintf("%q", code)
}

func (s *state) names(codes []string) string {
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = s.name(c)
	}
	return strings.Join(parts, " or ")
}

// condition returns "" when requires_any and excludes allow it, else why not.
func (s *state) condition(requiresAny, excludes []string) string {
	if len(requiresAny) > 0 {
		ok := false
		for _, c := range requiresAny {
			if s.chosen[c] {
				ok = true
				break
			}
		}
		if !ok {
			return "only available with " + s.names(requiresAny)
		}
	}
	for _, c := range excludes {
		if s.chosen[c] {
			return "not available with " + s.name(c)
		}
	}
	return ""
}

// fits checks an option's size limits against the chosen width and height,
// turning the size when the inputs are reversible; "" when it fits.
func (s *state) fits(o *CompiledOption) string {
	if o.MaxWidth == nil && o.MaxHeight == nil && o.MinWidth == nil && o.MinHeight == nil {
		return ""
	}
	w, okw := s.values[TypeWidth]
	h, okh := s.values[TypeHeight]
	if !okw || !okh {
		return ""
	}
	notAbove := func(w, h decimal.Decimal) bool {
		return (o.MaxWidth == nil || w.LessThanOrEqual(*o.MaxWidth)) && (o.MaxHeight == nil || h.LessThanOrEqual(*o.MaxHeight))
	}
	notBelow := func(w, h decimal.Decimal) bool {
		return (o.MinWidth == nil || w.GreaterThanOrEqual(*o.MinWidth)) && (o.MinHeight == nil || h.GreaterThanOrEqual(*o.MinHeight))
	}
	within := func(w, h decimal.Decimal) bool { return notAbove(w, h) && notBelow(w, h) }
	if within(w, h) || (s.p.reversible && within(h, w)) {
		return ""
	}
	unit := ""
	if u := s.p.inputs[TypeWidth].Unit; u != "" {
		unit = " " + u
	}
	limit := func(d *decimal.Decimal) string {
		if d == nil {
			return "any"
		}
		return d.String()
	}
	if !notAbove(w, h) && !(s.p.reversible && notAbove(h, w)) {
		return fmt.Sprintf("%s x %s%s is larger than the largest size for this option, %s x %s%s", w, h, unit, limit(o.MaxWidth), limit(o.MaxHeight), unit)
	}
	return fmt.Sprintf("%s x %s%s is smaller than the smallest size for this option, %s x %s%s", w, h, unit, limit(o.MinWidth), limit(o.MinHeight), unit)
}

// checkValue validates a number for a numeric input; "" when it is fine.
func checkValue(o *CompiledOption, v decimal.Decimal) string {
	if o.Type == TypeAmount {
		if !v.IsInteger() {
			return fmt.Sprintf("%s must be a whole number, not %s", o.Code, v)
		}
		if v.LessThan(decimal.NewFromInt(1)) {
			return fmt.Sprintf("%s must be at least 1, not %s", o.Code, v)
		}
		if v.GreaterThan(decimal.NewFromInt(1_000_000_000)) {
			return fmt.Sprintf("%s must be at most 1000000000, not %s", o.Code, v)
		}
	} else if !v.IsPositive() {
		return fmt.Sprintf("%s must be greater than 0, not %s", o.Code, v)
	}
	if o.Min != nil && v.LessThan(*o.Min) {
		return fmt.Sprintf("%s must be at least %s, not %s", o.Code, o.Min, v)
	}
	if o.Max != nil && v.GreaterThan(*o.Max) {
		return fmt.Sprintf("%s must be at most %s, not %s", o.Code, o.Max, v)
	}
	if o.Scale != nil && -v.Exponent() > *o.Scale && !v.Equal(v.Round(*o.Scale)) {
		if *o.Scale == 0 {
			return fmt.Sprintf("%s must be a whole number, not %s", o.Code, v)
		}
		return fmt.Sprintf("%s takes at most %d decimal(s), not %s", o.Code, *o.Scale, v)
	}
	if o.Step != nil {
		base := decimal.Zero
		if o.Min != nil {
			base = *o.Min
		}
		if !v.Sub(base).Mod(*o.Step).IsZero() {
			return fmt.Sprintf("%s must be %s plus a multiple of %s, not %s", o.Code, base, o.Step, v)
		}
	}
	return ""
}

// Configure walks the product's option tree with the selections: it accepts
// what may be chosen, offers what can be chosen next and names every problem.
func (p *CompiledProduct) Configure(selections []Selection, lang string) *Configuration {
	if lang == "" {
		lang = p.Catalog.DefaultLanguage
	}
	s := &state{
		p:      p,
		lang:   lang,
		chosen: make(map[string]bool, len(selections)),
		sel:    make(map[string]int, len(selections)),
		values: make(map[string]decimal.Decimal, 4),
		done:   make([]bool, len(selections)),
		all:    selections,
	}
	cfg := &Configuration{Product: p, Language: lang}

	for i, sl := range selections {
		o := p.options[sl.Code]
		switch {
		case sl.Code == "":
			s.problem(i, "", ProblemUnknownOption, "option code is missing")
			s.done[i] = true
		case o == nil:
			if g := p.groups[sl.Code]; g != nil {
				s.problem(i, sl.Code, ProblemUnknownOption, "%s is a group of product %q; choose one of its options: %s", s.name(sl.Code), p.Code, optionCodes(g))
			} else {
				s.problem(i, sl.Code, ProblemUnknownOption, "option %q does not exist in product %q", sl.Code, p.Code)
			}
			s.done[i] = true
		default:
			if first, dup := s.sel[sl.Code]; dup {
				s.problem(i, sl.Code, ProblemDuplicate, "option %q is chosen twice (also at position %d)", sl.Code, first)
				s.done[i] = true
				continue
			}
			s.sel[sl.Code] = i
		}
	}

	complete := true
	var blocking *CompiledGroup
	for _, step := range p.Steps {
		var offers []Offer
		for _, g := range step {
			if why := s.condition(g.RequiresAny, g.Excludes); why != "" {
				for _, o := range g.Options {
					if i, ok := s.sel[o.Code]; ok {
						s.problem(i, o.Code, ProblemUnavailable, "%s is not available: its group %s is %s", s.name(o.Code), s.name(g.Code), why)
						s.done[i] = true
					}
				}
				continue
			}
			if offer, open := s.group(g, cfg); open {
				offers = append(offers, offer)
			}
		}
		if len(offers) > 0 {
			cfg.Offers = offers
			complete = false
			blocking = offers[0].CompiledGroup
			break
		}
	}
	if complete && p.CrossSell != nil {
		cfg.Offers = []Offer{s.crossSell(p.CrossSell, cfg)}
	}
	// Anything not yet accounted for was chosen ahead of its turn.
	for i, sl := range selections {
		if s.done[i] {
			continue
		}
		o := p.options[sl.Code]
		if o.Group.Step < 0 {
			s.problem(i, sl.Code, ProblemOutOfOrder, "%s is an accessory, offered once the product is complete; first choose %s", s.name(sl.Code), s.name(blocking.Code))
		} else {
			s.problem(i, sl.Code, ProblemOutOfOrder, "%s cannot be chosen yet; first choose %s", s.name(sl.Code), s.name(blocking.Code))
		}
	}
	cfg.Problems = s.problems
	cfg.CanOrder = complete && len(s.problems) == 0
	cfg.Amount = s.values[TypeAmount]
	cfg.Width = s.values[TypeWidth]
	cfg.Height = s.values[TypeHeight]
	cfg.Length = s.values[TypeLength]
	cfg.Depth = s.values[TypeDepth]
	sortSelected(cfg.Selected)
	if cfg.CanOrder {
		s.finish(cfg)
	}
	return cfg
}

func optionCodes(g *CompiledGroup) string {
	codes := make([]string, len(g.Options))
	for i, o := range g.Options {
		codes[i] = o.Code
	}
	return strings.Join(codes, ", ")
}

// group evaluates one applicable group: it accepts its valid selections and
// reports whether it still needs a choice, with the offer to show.
func (s *state) group(g *CompiledGroup, cfg *Configuration) (Offer, bool) {
	offer := Offer{CompiledGroup: g, Choices: make([]Choice, 0, len(g.Options))}
	open := false
	if g.numeric {
		for _, o := range g.Options {
			if why := s.condition(o.RequiresAny, o.Excludes); why != "" {
				if i, ok := s.sel[o.Code]; ok {
					s.problem(i, o.Code, ProblemUnavailable, "%s is not available: %s", s.name(o.Code), why)
					s.done[i] = true
				}
				continue
			}
			ch := Choice{CompiledOption: o, Available: true}
			i, ok := s.sel[o.Code]
			if !ok {
				open = true
				offer.Choices = append(offer.Choices, ch)
				continue
			}
			s.done[i] = true
			sl := s.selection(i)
			switch {
			case sl.ValueErr != "":
				s.problem(i, o.Code, ProblemValue, "%s", sl.ValueErr)
				open = true
			case sl.Value == nil:
				s.problem(i, o.Code, ProblemValue, "%s needs a value", s.name(o.Code))
				open = true
			default:
				if why := checkValue(o, *sl.Value); why != "" {
					s.problem(i, o.Code, ProblemValue, "%s", why)
					open = true
				} else {
					v := *sl.Value
					ch.Value = &v
					s.values[o.Type] = v
					s.chosen[o.Code] = true
					cfg.Selected = append(cfg.Selected, Chosen{CompiledOption: o, Value: &v})
				}
			}
			offer.Choices = append(offer.Choices, ch)
		}
		return offer, open
	}

	var picked []int
	available := 0
	for _, o := range g.Options {
		why := s.condition(o.RequiresAny, o.Excludes)
		if why == "" {
			why = s.fits(o)
		}
		offer.Choices = append(offer.Choices, Choice{CompiledOption: o, Available: why == "", Reason: why})
		if why == "" {
			available++
		}
		if i, ok := s.sel[o.Code]; ok {
			s.done[i] = true
			if why != "" {
				s.problem(i, o.Code, ProblemUnavailable, "%s is not available: %s", s.name(o.Code), why)
				continue
			}
			if s.selection(i).ValueErr != "" || s.selection(i).Value != nil {
				s.problem(i, o.Code, ProblemValue, "%s is a choice and takes no value", s.name(o.Code))
				continue
			}
			picked = append(picked, i)
		}
	}
	switch {
	case len(picked) > 1:
		codes := make([]string, len(picked))
		for k, i := range picked {
			codes[k] = s.selection(i).Code
		}
		for _, i := range picked[1:] {
			s.problem(i, s.selection(i).Code, ProblemConflict, "choose one option of %s, not %s", s.name(g.Code), strings.Join(codes, " and "))
		}
		return offer, true
	case len(picked) == 1:
		o := s.p.options[s.selection(picked[0]).Code]
		s.chosen[o.Code] = true
		cfg.Selected = append(cfg.Selected, Chosen{CompiledOption: o})
		return offer, false
	case g.Optional:
		return offer, false
	case available == 0:
		reasons := make([]string, 0, len(offer.Choices))
		for _, ch := range offer.Choices {
			reasons = append(reasons, fmt.Sprintf("%s: %s", ch.Code, ch.Reason))
		}
		s.problem(-1, g.Code, ProblemDeadEnd, "no option of %s is available for this configuration (%s); change an earlier choice", s.name(g.Code), strings.Join(reasons, "; "))
		return offer, true
	}
	return offer, true
}

func (s *state) crossSell(g *CompiledGroup, cfg *Configuration) Offer {
	offer := Offer{CompiledGroup: g, Choices: make([]Choice, 0, len(g.Options))}
	for _, o := range g.Options {
		why := s.condition(o.RequiresAny, o.Excludes)
		if why == "" {
			why = s.fits(o)
		}
		offer.Choices = append(offer.Choices, Choice{CompiledOption: o, Available: why == "", Reason: why})
		i, ok := s.sel[o.Code]
		if !ok {
			continue
		}
		s.done[i] = true
		sl := s.selection(i)
		if why != "" {
			s.problem(i, o.Code, ProblemUnavailable, "%s is not available: %s", s.name(o.Code), why)
			continue
		}
		if sl.ValueErr != "" {
			s.problem(i, o.Code, ProblemValue, "%s", sl.ValueErr)
			continue
		}
		qty := decimal.NewFromInt(1)
		if o.DefaultValue != nil {
			qty = *o.DefaultValue
		}
		if sl.Value != nil {
			qty = *sl.Value
		}
		if !qty.IsInteger() || qty.LessThan(decimal.NewFromInt(1)) || qty.GreaterThan(decimal.NewFromInt(100_000)) {
			s.problem(i, o.Code, ProblemValue, "the quantity of %s must be a whole number from 1 to 100000, not %s", s.name(o.Code), qty)
			continue
		}
		s.chosen[o.Code] = true
		cfg.Selected = append(cfg.Selected, Chosen{CompiledOption: o, Value: &qty})
	}
	return offer
}

func (s *state) selection(i int) Selection { return s.all[i] }

// finish adds what a complete configuration yields: uploaders and linked materials.
func (s *state) finish(cfg *Configuration) {
	p := s.p
	cfg.Upload = p.Product.Upload == nil || *p.Product.Upload
	var up Uploader
	if p.Uploader != nil {
		up = *p.Uploader
	}
	for _, c := range cfg.Selected {
		if c.Upload != nil && !*c.Upload {
			cfg.Upload = false
		}
		if c.Uploader != nil {
			up = mergeUploader(up, *c.Uploader)
		}
	}
	if cfg.Upload {
		cfg.Uploaders = []UploaderSpec{{Uploader: up, Amount: cfg.Amount, Width: cfg.Width, Height: cfg.Height, Length: cfg.Length}}
	}
	for _, r := range p.LinkedProducts {
		all := true
		for _, c := range r.When {
			if !s.chosen[c] {
				all = false
				break
			}
		}
		if all {
			cfg.Linked = append(cfg.Linked, LinkedMaterial{Material: p.Catalog.Materials[r.Material]})
		}
	}
}

func mergeUploader(base, over Uploader) Uploader {
	if over.MinimalDPI != nil {
		base.MinimalDPI = over.MinimalDPI
	}
	if over.MirrorEnabled != nil {
		base.MirrorEnabled = over.MirrorEnabled
	}
	if over.FillEnabled != nil {
		base.FillEnabled = over.FillEnabled
	}
	if over.RotationEnabled != nil {
		base.RotationEnabled = over.RotationEnabled
	}
	if over.FileLimit != nil {
		base.FileLimit = over.FileLimit
	}
	if over.RequireWhiteSpot != nil {
		base.RequireWhiteSpot = over.RequireWhiteSpot
	}
	if over.RequiredCutNames != nil {
		base.RequiredCutNames = over.RequiredCutNames
	}
	if over.OptionalCutNames != nil {
		base.OptionalCutNames = over.OptionalCutNames
	}
	if over.TilingEnabled != nil {
		base.TilingEnabled = over.TilingEnabled
	}
	if over.TilingMandatory != nil {
		base.TilingMandatory = over.TilingMandatory
	}
	if over.TilingDirection != nil {
		base.TilingDirection = over.TilingDirection
	}
	if over.MaxWidthExclOverlap != nil {
		base.MaxWidthExclOverlap = over.MaxWidthExclOverlap
	}
	if over.MaxHeightExclOverlap != nil {
		base.MaxHeightExclOverlap = over.MaxHeightExclOverlap
	}
	if over.MaxWidthInclOverlap != nil {
		base.MaxWidthInclOverlap = over.MaxWidthInclOverlap
	}
	if over.MaxHeightInclOverlap != nil {
		base.MaxHeightInclOverlap = over.MaxHeightInclOverlap
	}
	if over.Bleed != nil {
		base.Bleed = over.Bleed
	}
	return base
}

// sortSelected puts the accepted options in tree order: steps first, then
// the options of each group as the catalog lists them, accessories last.
func sortSelected(sel []Chosen) {
	sort.SliceStable(sel, func(i, j int) bool { return sel[i].Order < sel[j].Order })
}

// Has reports whether the option was chosen.
func (c *Configuration) Has(code string) bool {
	for _, s := range c.Selected {
		if s.Code == code {
			return true
		}
	}
	return false
}

// Fields turns the configuration's problems into field errors whose JSON
// Pointers start at prefix (the product in the request, "/products/0"):
// prefix/options/3 for a selection, /value for its number, prefix/options
// for the whole.
func (c *Configuration) Fields(prefix string) []pressroom.FieldError {
	fields := make([]pressroom.FieldError, 0, len(c.Problems))
	for _, pr := range c.Problems {
		fp := prefix + "/options"
		if pr.Index >= 0 {
			fp = fmt.Sprintf("%s/%d", fp, pr.Index)
			if pr.Code == ProblemValue {
				fp += "/value"
			}
		}
		fields = append(fields, pressroom.FieldError{Pointer: fp, Detail: pr.Reason, Code: pr.Code})
	}
	return fields
}

// Next names what a configuration that is not complete needs chosen next.
func (c *Configuration) Next() string {
	if len(c.Offers) == 0 {
		return ""
	}
	g := c.Offers[0]
	name := g.Code
	if n := g.Name.Lookup(c.Language, c.Product.Catalog.DefaultLanguage); n != nil && *n != "" {
		name = fmt.Sprintf("%q (%s)", *n, g.Code)
	}
	codes := make([]string, 0, len(g.Choices))
	for _, ch := range g.Choices {
		if ch.Available && ch.Value == nil { // a numeric input already given is not asked again
			codes = append(codes, ch.Code)
		}
	}
	return fmt.Sprintf("%s: %s", name, strings.Join(codes, ", "))
}

// Reference walks the tree choosing each group's default (or first
// available) option and each input's default value (or 100 within its
// range), with the given amount: the configuration tiers are shown for.
// It returns nil when the walk does not complete.
func (p *CompiledProduct) Reference(amount decimal.Decimal) []Selection {
	var sels []Selection
	for range 2 * (len(p.Steps) + 1) {
		cfg := p.Configure(sels, "")
		if len(cfg.Problems) > 0 {
			return nil
		}
		if cfg.CanOrder {
			return sels
		}
		for _, offer := range cfg.Offers {
			if offer.Choices[0].IsNumeric() {
				for _, ch := range offer.Choices {
					v := referenceValue(ch.CompiledOption, amount)
					sels = append(sels, Selection{Code: ch.Code, Value: &v})
				}
				continue
			}
			var pick *CompiledOption
			for _, ch := range offer.Choices {
				if ch.Available && (pick == nil || ch.Default) {
					pick = ch.CompiledOption
					if ch.Default {
						break
					}
				}
			}
			if pick == nil {
				return nil
			}
			sels = append(sels, Selection{Code: pick.Code})
		}
	}
	return nil
}

func referenceValue(o *CompiledOption, amount decimal.Decimal) decimal.Decimal {
	if o.Type == TypeAmount {
		return amount
	}
	if o.DefaultValue != nil {
		return *o.DefaultValue
	}
	v := decimal.NewFromInt(100)
	if o.Min != nil && v.LessThan(*o.Min) {
		v = *o.Min
	}
	if o.Max != nil && v.GreaterThan(*o.Max) {
		v = *o.Max
	}
	return v
}
