package catalog_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/pressroom/pressroom/catalog"
)

func mustDemo(tb testing.TB) *catalog.Catalog {
	tb.Helper()
	c, err := catalog.Load(catalog.DemoJSON, 1, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		tb.Fatalf("demo catalog: %v", err)
	}
	return c
}

func num(v string) *decimal.Decimal {
	d := decimal.RequireFromString(v)
	return &d
}

func seedPath() []catalog.Selection {
	return []catalog.Selection{
		{Code: "width", Value: num("40")}, {Code: "height", Value: num("20")}, {Code: "amount", Value: num("1")},
		{Code: "direct-to-plate"}, {Code: "single-sided"}, {Code: "dibond-budget"}, {Code: "3mm"},
		{Code: "milling"}, {Code: "no-drillholes"}, {Code: "customer-supplied-file"},
	}
}

func TestDemoCatalogCompletes(t *testing.T) {
	c := mustDemo(t)
	cfg := c.Product("dibond").Configure(seedPath(), "")
	if !cfg.CanOrder || len(cfg.Problems) > 0 {
		t.Fatalf("seed path: can_order %v, problems %v", cfg.CanOrder, cfg.Problems)
	}
	if got, want := len(cfg.Linked), 1; got != want || cfg.Linked[0].Code != "dibond-budget-3" || cfg.Linked[0].ShippingWeight.String() != "4.32" {
		t.Errorf("linked = %+v", cfg.Linked)
	}
	if len(cfg.Uploaders) != 1 || *cfg.Uploaders[0].MinimalDPI != 72 || cfg.Uploaders[0].Width.String() != "40" {
		t.Errorf("uploaders = %+v", cfg.Uploaders)
	}
	// A choice that needs no file turns upload off.
	sel := seedPath()
	sel[9] = catalog.Selection{Code: "design-service"}
	if cfg := c.Product("dibond").Configure(sel, ""); !cfg.CanOrder || cfg.Upload || len(cfg.Uploaders) != 0 {
		t.Errorf("design service: can_order %v upload %v", cfg.CanOrder, cfg.Upload)
	}
	// Contour milling asks for a cut line in the file.
	sel = seedPath()
	sel[7] = catalog.Selection{Code: "contour-milling"}
	if cfg := c.Product("dibond").Configure(sel, ""); len(cfg.Uploaders) != 1 || strings.Join(cfg.Uploaders[0].RequiredCutNames, ",") != "CutContour" {
		t.Errorf("contour milling uploader = %+v", cfg.Uploaders)
	}
}

func TestOptionalGroupsAndAttributes(t *testing.T) {
	c := mustDemo(t)
	p := c.ProductByID(1003705000500003)
	if p == nil || p.Code != "canvas-2cm-50x50-wit" {
		t.Fatalf("product 1003705000500003 = %v", p)
	}
	if cfg := p.Configure([]catalog.Selection{{Code: "amount", Value: num("2")}}, ""); !cfg.CanOrder {
		t.Errorf("optional options skipped: problems %v", cfg.Problems)
	}
	cfg := p.Configure([]catalog.Selection{{Code: "amount", Value: num("2")}, {Code: "canvasedge-mirror"}}, "")
	if !cfg.CanOrder || cfg.Selected[1].AttributeCode() != "mirror" || cfg.Selected[1].Group.Code != "canvasedge" {
		t.Errorf("canvasedge mirror: %v %v", cfg.CanOrder, cfg.Problems)
	}
}

func TestCompileProblems(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"duplicate product", `{"default_language":"en","groups":[{"code":"amount","name":{"en":"A"},"options":[{"code":"amount","type":"amount","name":{"en":"A"}}]}],
		  "products":[{"code":"a","article_group":"material","unit":"m2","translations":{"en":{"title":"A"}},"steps":[["amount"]]},
		              {"code":"a","article_group":"material","unit":"m2","translations":{"en":{"title":"A"}},"steps":[["amount"]]}]}`,
			[]string{`product "a": product code is defined twice`}},
		{"duplicate option across groups", `{"default_language":"en","groups":[{"code":"amount","name":{"en":"A"},"options":[{"code":"amount","type":"amount","name":{"en":"A"}}]},
		  {"code":"g","name":{"en":"G"},"options":[{"code":"amount","type":"radio","name":{"en":"X"}}]}],
		  "products":[{"code":"a","article_group":"material","unit":"m2","translations":{"en":{"title":"A"}},"steps":[["amount"],["g"]]}]}`,
			[]string{`option "amount": option code is used in group "amount" and in group "g"`}},
		{"min above max", `{"default_language":"en","groups":[{"code":"amount","name":{"en":"A"},"options":[{"code":"amount","type":"amount","name":{"en":"A"},"min":10,"max":5}]}],
		  "products":[{"code":"a","article_group":"material","unit":"m2","translations":{"en":{"title":"A"}},"steps":[["amount"]]}]}`,
			[]string{`option "amount": min 10 is greater than max 5`}},
		{"unknown cross-sell product and linked material", `{"default_language":"en","groups":[{"code":"amount","name":{"en":"A"},"options":[{"code":"amount","type":"amount","name":{"en":"A"}}]},
		  {"code":"xs","name":{"en":"X"},"options":[{"code":"hook","type":"cross_sell_pc","name":{"en":"Hook"},"product":"hook"}]}],
		  "products":[{"code":"a","article_group":"material","unit":"m2","translations":{"en":{"title":"A"}},"steps":[["amount"]],"cross_sell":"xs",
		               "linked_products":[{"material":"steel","when":["amount"]}]}]}`,
			[]string{`product "a", option "hook": cross-sell product "hook" does not exist`, `product "a": linked material "steel" does not exist`}},
		{"no English title", `{"default_language":"en","groups":[{"code":"amount","name":{"en":"A"},"options":[{"code":"amount","type":"amount","name":{"en":"A"}}]}],
		  "products":[{"code":"a","article_group":"material","unit":"m2","translations":{"nl":{"title":"A"}},"steps":[["amount"]]}]}`,
			[]string{`product "a": an English title (translations.en.title) is required`}},
		{"unknown field", `{"default_language":"en","products":[{"code":"a","article_group":"material","unit":"m2","translations":{"en":{"title":"A"}},"steps":[["amount"]],"colour":"red"}]}`,
			[]string{`product "a": at /products/0: additional properties 'colour' not allowed`}},
		{"not JSON", `{"default_language":`, []string{"catalog: not valid JSON"}},
		// A property name's problem is placed at the property, in its product.
		{"a language that is none", `{"default_language":"en","groups":[{"code":"amount","name":{"en":"A","NLD":"B"},"options":[{"code":"amount","type":"amount","name":{"en":"A"}}]}],
		  "products":[{"code":"x","article_group":"material","unit":"m2","translations":{"en":{"title":"X"}},"steps":[["amount"]]},
		    {"code":"a","article_group":"material","unit":"m2","translations":{"en":{"title":"A"},"NLD":{"title":"B"}},"steps":[["amount"]]}]}`,
			[]string{`product "a": at /products/1/translations/NLD: 'NLD' does not match pattern`, `at /groups/0/name/NLD: 'NLD' does not match pattern`}},
		{"price rules", `{"default_language":"en","groups":[{"code":"amount","name":{"en":"A"},"options":[{"code":"amount","type":"amount","name":{"en":"A"}}]}],
		  "company":{"country":"NL","time_zone":"Mars/Olympus","currency":"EUR","cut_off":"16:00"},
		  "countries":[{"code":"NL","eu":true,"vat_rates":[{"rate":"1.5","valid_from":"2020-01-01"}]}],
		  "production_profiles":[{"code":"p","times":[{"hours":48,"surcharge":"0.2"},{"hours":24,"surcharge":"0.1"}]}],
		  "shipping_methods":[{"code":"post","name":{"en":"Post"},"type":"shipment","rates":[{"countries":["NL","DE"],"transit_days":1,
		     "prices":[{"up_to_kg":10,"price":"5"},{"up_to_kg":5,"price":"4"}]}]}],
		  "products":[{"code":"a","article_group":"material","unit":"m2","translations":{"en":{"title":"A"}},"steps":[["amount"]],
		    "shipping_methods":["zeppelin"],
		    "pricing":{"production":"q","components":[{"when":["gold"],"per_piece":"1"},{"per_m2":"-2"}],
		      "quantity_breaks":[{"from":10,"discount":"0.2"},{"from":5,"discount":"0.1"}],"blank":{"length":{"width":2},"width":{"height":1}}}},
		   {"code":"b","article_group":"material","unit":"m2","translations":{"en":{"title":"B"}},"steps":[["amount"]],
		    "pricing":{"production":"p","components":[{"per_piece":"1"}]}}]}`,
			[]string{`company time_zone "Mars/Olympus" is not a known time zone`,
				`option "NL": VAT rate 1.5 must be a fraction from 0 to below 1`,
				`option "p": production time "24" is faster than "48" but has a smaller surcharge`,
				`option "post": shipping method goes to "DE", which is not among the countries served`,
				`option "post": weight prices must rise`,
				`product "a": production profile "q" does not exist`,
				`product "a", option "gold": price component 0 applies when option "gold" is chosen, which the product does not have`,
				`product "a": price component 1 has a negative amount`,
				`product "a": quantity breaks must rise`,
				`product "a": a blank needs width, depth and height inputs`,
				`product "a": shipping method "zeppelin" does not exist`}},
		{"price rule schema", `{"default_language":"en","products":[{"code":"a","article_group":"material","unit":"m2","translations":{"en":{"title":"A"}},"steps":[["amount"]],
		    "pricing":{"production":"p","components":[{"per_litre":"1"}]}}],"company":{"cut_off":"25:00"}}`,
			[]string{`additional properties 'per_litre' not allowed`, `/company/cut_off`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := catalog.Load([]byte(tc.doc), 1, time.Now())
			if err == nil {
				t.Fatal("loaded, want problems")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problems lack %q:\n%v", w, err)
				}
			}
		})
	}
}

// The schema's problems come in one order every time: by product, then by
// place (array indexes as numbers), though the validator finds them in
// none; a name with "/" is escaped in its pointer.
func TestSchemaProblemsInOneOrder(t *testing.T) {
	var products []string
	for i := range 12 {
		products = append(products, fmt.Sprintf(`{"code":"p%02d","article_group":"nope","unit":"bogus","translations":{"en":{"title":"P"},"a/b":{"title":5}},"steps":[["amount"]]}`, i))
	}
	doc := []byte(`{"default_language":"en","products":[` + strings.Join(products, ",") + `]}`)
	var first []catalog.Problem
	for range 20 {
		got := catalog.ValidateSchema(doc)
		if first == nil {
			first = got
		} else if !slices.Equal(got, first) {
			t.Fatalf("another order:\n%v\n%v", got, first)
		}
	}
	var paths []string
	for _, p := range first {
		if p.Product == "p02" || p.Product == "p10" {
			paths = append(paths, p.Path)
		}
	}
	want := []string{"/products/2/article_group", "/products/2/translations/a~1b", "/products/2/translations/a~1b/title", "/products/2/unit",
		"/products/10/article_group", "/products/10/translations/a~1b", "/products/10/translations/a~1b/title", "/products/10/unit"}
	if !slices.Equal(paths, want) {
		t.Errorf("paths %v\nwant %v", paths, want)
	}
}

// TestConfigureProperties walks random selections through every demo
// product: configure never panics, each problem points at a real input
// (or the whole product), can_order holds only without problems, and
// accepted selections come back in tree order.
func TestConfigureProperties(t *testing.T) {
	c := mustDemo(t)
	products := c.Products()
	rapid.Check(t, func(rt *rapid.T) {
		p := rapid.SampledFrom(products).Draw(rt, "product")
		var codes []string
		for _, step := range p.Steps {
			for _, g := range step {
				for _, o := range g.Options {
					codes = append(codes, o.Code)
				}
			}
		}
		if p.CrossSell != nil {
			for _, o := range p.CrossSell.Options {
				codes = append(codes, o.Code)
			}
		}
		codes = append(codes, "no-such-option", "")
		n := rapid.IntRange(0, 12).Draw(rt, "n")
		sels := make([]catalog.Selection, n)
		for i := range sels {
			sels[i].Code = rapid.SampledFrom(codes).Draw(rt, "code")
			if rapid.Bool().Draw(rt, "has value") {
				sels[i].Value = num(rapid.SampledFrom([]string{"-1", "0", "1", "2.5", "20", "99.95", "150", "400", "99999", "100000"}).Draw(rt, "value"))
			}
		}
		cfg := p.Configure(sels, rapid.SampledFrom([]string{"", "en", "de", "nl", "fr"}).Draw(rt, "lang"))
		for _, pr := range cfg.Problems {
			if pr.Index < -1 || pr.Index >= len(sels) || pr.Reason == "" || pr.Code == "" {
				rt.Fatalf("bad problem %+v for %d selections", pr, len(sels))
			}
		}
		if cfg.CanOrder && len(cfg.Problems) > 0 {
			rt.Fatalf("can_order with problems %v", cfg.Problems)
		}
		if !cfg.CanOrder && len(cfg.Problems) == 0 && len(cfg.Offers) == 0 {
			rt.Fatalf("neither complete nor anything to choose")
		}
		for i := 1; i < len(cfg.Selected); i++ {
			if cfg.Selected[i-1].Order >= cfg.Selected[i].Order {
				rt.Fatalf("selected out of tree order: %s before %s", cfg.Selected[i-1].Code, cfg.Selected[i].Code)
			}
		}
	})
}

func BenchmarkConfigureDibondComplete(b *testing.B) {
	c := mustDemo(b)
	p := c.Product("dibond")
	sels := seedPath()
	b.ReportAllocs()
	for b.Loop() {
		if cfg := p.Configure(sels, ""); !cfg.CanOrder {
			b.Fatal("not complete")
		}
	}
}

func BenchmarkLoadDemoCatalog(b *testing.B) {
	for b.Loop() {
		if _, err := catalog.Load(catalog.DemoJSON, 1, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDemoTranslations: product titles and descriptions and every group and
// option name exist in en, de, nl and fr and differ from the Dutch where the
// language needs it. The only gaps are the ones the Probo user guide's
// product list shows for dibond (no French title or description, no Dutch
// description).
func TestDemoTranslations(t *testing.T) {
	c := mustDemo(t)
	seedGaps := map[string]bool{"dibond/fr/title": true, "dibond/fr/description": true, "dibond/nl/description": true}
	for _, p := range c.Products() {
		for _, l := range catalog.Languages {
			tr := p.Translations[l]
			for field, v := range map[string]*string{"title": tr.Title, "description": tr.Description} {
				key := p.Code + "/" + l + "/" + field
				if (v == nil || *v == "") != seedGaps[key] {
					t.Errorf("%s: %v", key, v)
				}
			}
		}
		if en, nl := p.Translations["en"].Title, p.Translations["nl"].Title; en != nil && nl != nil && *en == *nl && p.ArticleGroup == catalog.GroupPhotoProduct {
			t.Errorf("%s: English title is the Dutch one, %q", p.Code, *en)
		}
		names := map[string]catalog.Text{}
		for _, step := range p.Steps {
			for _, g := range step {
				names["group "+g.Code] = g.Name
				for _, o := range g.Options {
					names["option "+o.Code] = o.Name
				}
			}
		}
		if p.CrossSell != nil {
			names["group "+p.CrossSell.Code] = p.CrossSell.Name
			for _, o := range p.CrossSell.Options {
				names["option "+o.Code] = o.Name
			}
		}
		for what, name := range names {
			for _, l := range catalog.Languages {
				if name[l] == "" {
					t.Errorf("%s %s: no %s name", p.Code, what, l)
				}
			}
			if p.ArticleGroup == catalog.GroupPhotoProduct && what != "option amount" && what != "group amount" && name["en"] == name["nl"] {
				t.Errorf("%s %s: English name is the Dutch one, %q", p.Code, what, name["en"])
			}
		}
	}
}

// TestReference: every demo product has a reference configuration (the
// defaults), which tiers are priced with.
func TestReference(t *testing.T) {
	c := mustDemo(t)
	for _, p := range c.Products() {
		sels := p.Reference(decimal.NewFromInt(10))
		if sels == nil {
			t.Errorf("%s: no reference configuration", p.Code)
			continue
		}
		if cfg := p.Configure(sels, ""); !cfg.CanOrder || !cfg.Amount.Equal(decimal.NewFromInt(10)) {
			t.Errorf("%s: reference configuration incomplete or amount %s", p.Code, cfg.Amount)
		}
	}
}

// TestDieline: the mailer box's die at 80 x 80 x 150 mm is its 335 x 340 mm
// blank: the walls creased to each other and to their flaps, the flaps cut
// apart, the outline cut; every die of the demo adds up to its blank.
func TestDieline(t *testing.T) {
	c := mustDemo(t)
	d := func(v int64) decimal.Decimal { return decimal.NewFromInt(v) }
	die := c.Product("s001_v0").Pricing.Blank.Dieline.Draw(d(80), d(80), d(150))
	if !die.Length.Equal(d(335)) || !die.Width.Equal(d(340)) {
		t.Fatalf("die %s x %s mm, want 335 x 340", die.Length, die.Width)
	}
	// 4 creases between the 5 walls, 8 between walls and flaps.
	if len(die.Crease) != 12 {
		t.Errorf("%d creases, want 12: %v", len(die.Crease), die.Crease)
	}
	var cutLength decimal.Decimal
	for _, s := range die.Cut {
		cutLength = cutLength.Add(s.X2.Sub(s.X1).Abs()).Add(s.Y2.Sub(s.Y1).Abs())
	}
	// The outline: 2 x 320 along the flaps, 2 x 15 by the glue flap, 2 x
	// (95 + 150 + 95) at the ends less 2 x 95 where the glue flap has no
	// flaps ... = 1350 mm; plus the six slots between flaps, 95 mm each.
	if !cutLength.Equal(d(1920)) {
		t.Errorf("cut lines: %d, %s mm long, want 1920", len(die.Cut), cutLength)
	}
	for _, p := range c.Products() {
		if p.Pricing == nil || p.Pricing.Blank == nil || p.Pricing.Blank.Dieline == nil {
			continue
		}
		die := p.Pricing.Blank.Dieline.Draw(d(100), d(60), d(40))
		if !die.Length.Equal(p.Pricing.Blank.Length.Eval(d(100), d(60), d(40))) || !die.Width.Equal(p.Pricing.Blank.Width.Eval(d(100), d(60), d(40))) {
			t.Errorf("%s: die %s x %s does not match its blank", p.Code, die.Length, die.Width)
		}
	}
}
