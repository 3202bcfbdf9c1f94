package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Problem is one thing wrong with a catalog file.
type Problem struct {
	Product string // product code, "" for catalog-wide problems
	Option  string // option or group code, when the problem is in one
	Reason  string
	// Path is the JSON Pointer of the problem in the document, when known
	// (schema problems); rule problems name codes instead.
	Path string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Product != "" {
		fmt.Fprintf(&b, "product %q", p.Product)
	} else {
		b.WriteString("catalog")
	}
	if p.Option != "" {
		fmt.Fprintf(&b, ", option %q", p.Option)
	}
	b.WriteString(": ")
	b.WriteString(p.Reason)
	return b.String()
}

// ValidationError lists every problem found in a catalog file.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("catalog has %d problem(s):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// Catalog is a compiled catalog version, immutable and safe for concurrent use.
type Catalog struct {
	Version         int64
	CreatedAt       time.Time
	Checksum        string
	DefaultLanguage string
	products        map[string]*CompiledProduct
	ordered         []*CompiledProduct
	byID            map[int64]*CompiledProduct
	Materials       map[string]*Material
	Commerce        *Commerce
}

// CompiledProduct is a product with its option tree resolved and indexed.
type CompiledProduct struct {
	*Product
	Catalog   *Catalog
	Steps     [][]*CompiledGroup
	CrossSell *CompiledGroup
	options   map[string]*CompiledOption
	groups    map[string]*CompiledGroup
	inputs    map[string]*CompiledOption // numeric inputs by type (width, height, ...)
	// reversible: width and height may be swapped to fit size limits.
	reversible bool
	// Production lists the product's production times, slowest first.
	Production []ProductionTime
	// ProductionRank gives each of Production's times its place in the
	// order of their codes as strings: the order of JSON objects keyed by code.
	ProductionRank []int
	created        time.Time
	updated        time.Time
}

// CompiledGroup is a group placed at a step of one product.
type CompiledGroup struct {
	*Group
	Step    int // index into Steps; -1 for the cross-sell group
	Options []*CompiledOption
	numeric bool
}

// CompiledOption is an option placed in a group of one product.
type CompiledOption struct {
	*Option
	Group *CompiledGroup
	// Order is the option's position in the tree, for sorting selections.
	Order int
}

// IsNumeric reports whether the option takes a number rather than being a choice.
func (o *CompiledOption) IsNumeric() bool { return isNumericType(o.Type) }

func isNumericType(t string) bool {
	switch t {
	case TypeWidth, TypeHeight, TypeLength, TypeDepth, TypeAmount:
		return true
	}
	return false
}

// AttributeCode returns the option's code within its group.
func (o *CompiledOption) AttributeCode() string {
	if o.Attribute != "" {
		return o.Attribute
	}
	return o.Code
}

// Product returns the product with the code, or nil.
func (c *Catalog) Product(code string) *CompiledProduct { return c.products[code] }

// ProductByID returns the product with the numeric id, or nil.
func (c *Catalog) ProductByID(id int64) *CompiledProduct { return c.byID[id] }

// Products returns every product in file order.
func (c *Catalog) Products() []*CompiledProduct { return c.ordered }

// Option returns the product's option with the code, or nil.
func (p *CompiledProduct) Option(code string) *CompiledOption { return p.options[code] }

// Input returns the product's numeric input of the type (TypeWidth, ...), or nil.
func (p *CompiledProduct) Input(typ string) *CompiledOption { return p.inputs[typ] }

// IsActive reports whether the product can be ordered.
func (p *CompiledProduct) IsActive() bool { return p.Active == nil || *p.Active }

// CreatedTime is when the product was created (the file's created_at, else the
// catalog version's time).
func (p *CompiledProduct) CreatedTime() time.Time {
	if p.created.IsZero() {
		return p.Catalog.CreatedAt
	}
	return p.created
}

// UpdatedTime is when the product last changed.
func (p *CompiledProduct) UpdatedTime() time.Time {
	if p.updated.IsZero() {
		return p.Catalog.CreatedAt
	}
	return p.updated
}

// Parse decodes a catalog file strictly: unknown fields are problems too.
func Parse(doc []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, &ValidationError{Problems: []Problem{{Reason: "not a valid catalog document: " + err.Error()}}}
	}
	if dec.More() {
		return nil, &ValidationError{Problems: []Problem{{Reason: "not a valid catalog document: data after the top-level object"}}}
	}
	return &f, nil
}

// Load validates doc against the JSON Schema and the catalog's rules and
// compiles it. A *ValidationError lists every problem.
//
// Both checks run whenever the document parses, so staff see every problem
// in one run rather than the schema's first and the rules' after a fix.
func Load(doc []byte, version int64, createdAt time.Time) (*Catalog, error) {
	problems := ValidateSchema(doc)
	f, err := Parse(doc)
	if err != nil {
		if len(problems) > 0 {
			return nil, &ValidationError{Problems: problems}
		}
		return nil, err
	}
	sum := sha256.Sum256(doc)
	c, err := compile(f, version, createdAt, hex.EncodeToString(sum[:]))
	var ve *ValidationError
	if errors.As(err, &ve) {
		problems = append(problems, ve.Problems...)
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return c, err
}

// compile checks the rules a schema cannot express (uniqueness, references,
// step order, ranges) and builds the in-memory catalog. The schema's own
// checks (codes, units, article groups, languages, times) are not repeated.
func compile(f *File, version int64, createdAt time.Time, checksum string) (*Catalog, error) {
	c := &Catalog{
		Version:         version,
		CreatedAt:       createdAt,
		Checksum:        checksum,
		DefaultLanguage: f.DefaultLanguage,
		products:        make(map[string]*CompiledProduct, len(f.Products)),
		byID:            make(map[int64]*CompiledProduct),
		Materials:       make(map[string]*Material, len(f.Materials)),
	}
	var problems []Problem
	add := func(product, option, format string, args ...any) {
		problems = append(problems, Problem{Product: product, Option: option, Reason: fmt.Sprintf(format, args...)})
	}
	if c.DefaultLanguage == "" {
		c.DefaultLanguage = "en"
	}

	c.Commerce = compileCommerce(f, add)
	profiles := compileProduction(f, add)

	shared := make(map[string]*Group, len(f.Groups))
	for i := range f.Groups {
		g := &f.Groups[i]
		if _, dup := shared[g.Code]; dup {
			add("", g.Code, "group code is defined twice")
		}
		shared[g.Code] = g
	}
	for i := range f.Materials {
		m := &f.Materials[i]
		if _, dup := c.Materials[m.Code]; dup {
			add("", m.Code, "material code is defined twice")
		}
		if m.ShippingWeight.IsNegative() {
			add("", m.Code, "material shipping_weight must not be negative")
		}
		c.Materials[m.Code] = m
	}

	for i := range f.Products {
		p := &f.Products[i]
		if _, dup := c.products[p.Code]; dup {
			add(p.Code, "", "product code is defined twice")
			continue
		}
		cp, ps := compileProduct(c, p, shared, profiles)
		problems = append(problems, ps...)
		if p.ProductID != 0 {
			if other, dup := c.byID[p.ProductID]; dup {
				add(p.Code, "", "product_id %d is used by product %q too", p.ProductID, other.Code)
			}
			c.byID[p.ProductID] = cp
		}
		c.products[p.Code] = cp
		c.ordered = append(c.ordered, cp)
	}
	// Cross-sell options and linked rules point at other products and materials.
	for _, cp := range c.ordered {
		if cp.CrossSell != nil {
			for _, o := range cp.CrossSell.Options {
				if o.Product == "" {
					continue
				}
				acc := c.products[o.Product]
				if acc == nil {
					add(cp.Code, o.Code, "cross-sell product %q does not exist", o.Product)
				} else if acc.ArticleGroup != GroupAccessory {
					add(cp.Code, o.Code, "cross-sell product %q is not an accessory", o.Product)
				}
			}
		}
		for _, r := range cp.LinkedProducts {
			if c.Materials[r.Material] == nil {
				add(cp.Code, "", "linked material %q does not exist", r.Material)
			}
		}
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return c, nil
}

func compileProduct(c *Catalog, p *Product, shared map[string]*Group, profiles map[string][]ProductionTime) (*CompiledProduct, []Problem) {
	var problems []Problem
	add := func(option, format string, args ...any) {
		problems = append(problems, Problem{Product: p.Code, Option: option, Reason: fmt.Sprintf(format, args...)})
	}
	cp := &CompiledProduct{
		Product: p,
		Catalog: c,
		options: make(map[string]*CompiledOption),
		groups:  make(map[string]*CompiledGroup),
		inputs:  make(map[string]*CompiledOption),
	}
	if t, ok := p.Translations["en"]; !ok || t.Title == nil || *t.Title == "" {
		add("", "an English title (translations.en.title) is required")
	}
	// The schema reports a time that is not RFC 3339; here it is left unset.
	if t, err := time.Parse(time.RFC3339, p.CreatedAt); err == nil {
		cp.created = t.UTC()
	}
	if t, err := time.Parse(time.RFC3339, p.UpdatedAt); err == nil {
		cp.updated = t.UTC()
	}
	local := make(map[string]*Group, len(p.Groups))
	for i := range p.Groups {
		g := &p.Groups[i]
		if _, dup := local[g.Code]; dup {
			add(g.Code, "group code is defined twice in this product")
		}
		local[g.Code] = g
	}
	resolve := func(code string) *Group {
		if g := local[code]; g != nil {
			return g
		}
		return shared[code]
	}

	// position of every option: which step it is chosen in (cross-sell: len(steps)).
	stepOf := make(map[string]int)
	place := func(g *Group, step int) *CompiledGroup {
		cg := &CompiledGroup{Group: g, Step: step}
		if _, dup := cp.groups[g.Code]; dup {
			add(g.Code, "group is used twice in this product")
		}
		cp.groups[g.Code] = cg
		numeric, radio := 0, 0
		attrs := make(map[string]bool)
		for i := range g.Options {
			o := &g.Options[i]
			co := &CompiledOption{Option: o, Group: cg, Order: len(cp.options)}
			if prev, dup := cp.options[o.Code]; dup {
				add(o.Code, "option code is used in group %q and in group %q; codes must be unique in a product", prev.Group.Code, g.Code)
			}
			if attrs[co.AttributeCode()] {
				add(o.Code, "attribute %q is used twice in group %q", co.AttributeCode(), g.Code)
			}
			attrs[co.AttributeCode()] = true
			cp.options[o.Code] = co
			stepOf[o.Code] = step
			cg.Options = append(cg.Options, co)
			if isNumericType(o.Type) {
				numeric++
				checkNumeric(o, add)
			} else {
				radio++
			}
			if o.Type == TypeCrossSell && step >= 0 {
				add(o.Code, "cross_sell_pc options belong in the cross_sell group, not in a step")
			}
			if o.Type != TypeCrossSell && step < 0 {
				add(o.Code, "the cross_sell group may hold only cross_sell_pc options")
			}
		}
		if numeric > 0 && radio > 0 {
			add(g.Code, "a group holds either numeric inputs or choices, not both")
		}
		if len(g.Options) == 0 {
			add(g.Code, "group has no options")
		}
		cg.numeric = numeric > 0
		return cg
	}
	if len(p.Steps) == 0 {
		add("", "steps must list at least one step")
	}
	for si, step := range p.Steps {
		var groups []*CompiledGroup
		if len(step) == 0 {
			add("", "step %d is empty", si+1)
		}
		for _, code := range step {
			g := resolve(code)
			if g == nil {
				add(code, "step %d names group %q, which is defined neither in the product nor in the catalog", si+1, code)
				continue
			}
			cg := place(g, si)
			for _, o := range cg.Options {
				if o.IsNumeric() {
					if prev, dup := cp.inputs[o.Type]; dup {
						add(o.Code, "a product takes one %s input, and option %q is one already", o.Type, prev.Code)
					}
					cp.inputs[o.Type] = o
				}
			}
			groups = append(groups, cg)
		}
		cp.Steps = append(cp.Steps, groups)
	}
	if w, h := cp.inputs[TypeWidth], cp.inputs[TypeHeight]; w != nil && h != nil {
		cp.reversible = w.Reversible != nil && *w.Reversible && h.Reversible != nil && *h.Reversible
	}
	if cp.inputs[TypeAmount] == nil && len(p.Steps) > 0 {
		add("", "the option tree needs an amount input")
	}
	if p.CrossSell != "" {
		g := resolve(p.CrossSell)
		if g == nil {
			add(p.CrossSell, "cross_sell names group %q, which is defined neither in the product nor in the catalog", p.CrossSell)
		} else {
			cp.CrossSell = place(g, -1)
			for _, o := range cp.CrossSell.Options {
				stepOf[o.Code] = len(p.Steps)
			}
		}
	}

	// Conditions may only look back: at options chosen in an earlier step.
	checkRefs := func(owner string, step int, refs []string, field string) {
		for _, ref := range refs {
			s, ok := stepOf[ref]
			switch {
			case !ok:
				add(owner, "%s refers to %q, which is not an option of this product", field, ref)
			case s >= step && step >= 0:
				add(owner, "%s refers to %q, which is chosen at step %d, not before step %d", field, ref, s+1, step+1)
			}
		}
	}
	for _, cg := range cp.groups {
		step := cg.Step
		if step < 0 {
			step = len(p.Steps)
		}
		checkRefs(cg.Code, step, cg.RequiresAny, "requires_any")
		checkRefs(cg.Code, step, cg.Excludes, "excludes")
		for _, o := range cg.Options {
			checkRefs(o.Code, step, o.RequiresAny, "requires_any")
			checkRefs(o.Code, step, o.Excludes, "excludes")
			if (o.MaxWidth != nil || o.MaxHeight != nil || o.MinWidth != nil || o.MinHeight != nil) && (cp.inputs[TypeWidth] == nil || cp.inputs[TypeHeight] == nil) {
				add(o.Code, "size limits need width and height inputs in the product")
			}
			if o.Type == TypeCrossSell && o.Product == "" {
				add(o.Code, "a cross_sell_pc option names its accessory product")
			}
		}
	}
	for _, r := range p.LinkedProducts {
		if len(r.When) == 0 {
			add("", "linked product %q needs at least one option in when", r.Material)
		}
		checkRefs("", len(p.Steps), r.When, "linked_products when")
	}
	compilePricing(cp, profiles, add)
	checkProductMethods(cp, add)
	return cp, problems
}

func checkNumeric(o *Option, add func(option, format string, args ...any)) {
	if o.Min != nil && o.Max != nil && o.Min.GreaterThan(*o.Max) {
		add(o.Code, "min %s is greater than max %s", o.Min, o.Max)
	}
	if o.Step != nil && !o.Step.IsPositive() {
		add(o.Code, "step must be greater than 0")
	}
	if o.Scale != nil && (*o.Scale < 0 || *o.Scale > 6) {
		add(o.Code, "scale must be between 0 and 6")
	}
	if o.Type == TypeAmount && o.Min != nil && o.Min.LessThan(decimal.NewFromInt(1)) {
		add(o.Code, "an amount's min must be at least 1")
	}
}

// Lookup returns t in lang, else in the fallback language, else English, else
// nil when the text is not translated at all.
func (t Text) Lookup(lang, fallback string) *string {
	if t == nil {
		return nil
	}
	for _, l := range []string{lang, fallback, "en"} {
		if s, ok := t[l]; ok {
			return &s
		}
	}
	return nil
}
