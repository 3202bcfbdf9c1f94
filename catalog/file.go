// Package catalog is the product catalog: the file format staff write, its
// validation, and the compiled in-memory form that configures option trees.
package catalog

import (
	"github.com/shopspring/decimal"
)

// File is a catalog document as staff write it (JSON; docs/catalog.md and
// catalog/schema.json describe it).
type File struct {
	Schema string `json:"$schema,omitempty"`
	// DefaultLanguage is used when a request names none (the demo: "nl").
	DefaultLanguage string `json:"default_language"`
	// Groups are option groups any product may use in its steps.
	Groups []Group `json:"groups,omitempty"`
	// Materials are the stock a product is made of (linked products).
	Materials []Material `json:"materials,omitempty"`
	Products  []Product  `json:"products"`

	Company            Company             `json:"company"`
	Countries          []Country           `json:"countries,omitempty"`
	ProductionProfiles []ProductionProfile `json:"production_profiles,omitempty"`
	ShippingMethods    []ShippingMethod    `json:"shipping_methods,omitempty"`
}

// Text is a translated string: language code to text.
type Text map[string]string

// Product is one orderable product and its option tree.
type Product struct {
	Code string `json:"code"`
	// ProductID is an optional stable integer id for APIs that use numbers.
	ProductID    int64                  `json:"product_id,omitempty"`
	Active       *bool                  `json:"active,omitempty"`
	ArticleGroup string                 `json:"article_group"`
	Unit         string                 `json:"unit"`
	Translations map[string]Translation `json:"translations"`
	Images       []Image                `json:"images,omitempty"`
	CreatedAt    string                 `json:"created_at,omitempty"`
	UpdatedAt    string                 `json:"updated_at,omitempty"`
	// Groups are this product's own option groups; they shadow shared ones.
	Groups []Group `json:"groups,omitempty"`
	// Steps lists, in order, the group codes chosen at each step.
	Steps [][]string `json:"steps"`
	// CrossSell names a group of accessories offered once the product is complete.
	CrossSell string `json:"cross_sell,omitempty"`
	// Upload false means the product needs no print file (accessories).
	Upload         *bool        `json:"upload,omitempty"`
	Uploader       *Uploader    `json:"uploader,omitempty"`
	LinkedProducts []LinkedRule `json:"linked_products,omitempty"`
	// Pricing is how the product's price follows from its configuration;
	// a product without it can be configured but not priced.
	Pricing *Pricing `json:"pricing,omitempty"`
	// Weight is kilograms per piece, added to the linked materials' weight.
	Weight *decimal.Decimal `json:"weight,omitempty"`
	// ShippingMethods restricts the methods that carry the product (by
	// default every method for its article group).
	ShippingMethods []string `json:"shipping_methods,omitempty"`
}

// Translation is a product's title and description in one language.
type Translation struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
}

// Image is a picture of a product or option.
type Image struct {
	Language string `json:"language"`
	URL      string `json:"url"`
}

// Group is a set of options chosen together: a size (width and height), an
// amount, or a choice among radio options.
type Group struct {
	Code  string `json:"code"`
	Name  Text   `json:"name"`
	Label Text   `json:"label,omitempty"`
	// Optional groups may be skipped.
	Optional    bool     `json:"optional,omitempty"`
	RequiresAny []string `json:"requires_any,omitempty"`
	Excludes    []string `json:"excludes,omitempty"`
	Options     []Option `json:"options"`
}

// Option types.
const (
	TypeWidth     = "width"
	TypeHeight    = "height"
	TypeLength    = "length"
	TypeDepth     = "depth"
	TypeAmount    = "amount"
	TypeRadio     = "radio"
	TypeCrossSell = "cross_sell_pc"
)

// Option is one input (a number) or one choice of a group.
type Option struct {
	Code string `json:"code"`
	Type string `json:"type"`
	// Attribute is the option's short code within its group, for APIs that
	// select by group and attribute; it defaults to Code.
	Attribute   string `json:"attribute,omitempty"`
	Name        Text   `json:"name"`
	Label       Text   `json:"label,omitempty"`
	Description Text   `json:"description,omitempty"`
	Unit        string `json:"unit,omitempty"`

	Min        *decimal.Decimal `json:"min,omitempty"`
	Max        *decimal.Decimal `json:"max,omitempty"`
	Step       *decimal.Decimal `json:"step,omitempty"`
	Scale      *int32           `json:"scale,omitempty"`
	Reversible *bool            `json:"reversible,omitempty"`
	// DefaultValue is the suggested number (or accessory quantity).
	DefaultValue *decimal.Decimal `json:"default_value,omitempty"`
	// Default marks the suggested choice of a radio group.
	Default bool    `json:"default,omitempty"`
	Images  []Image `json:"images,omitempty"`

	RequiresAny []string `json:"requires_any,omitempty"`
	Excludes    []string `json:"excludes,omitempty"`
	// MaxWidth and MaxHeight limit the ordered size for this choice (a sheet size).
	MaxWidth  *decimal.Decimal `json:"max_width,omitempty"`
	MaxHeight *decimal.Decimal `json:"max_height,omitempty"`
	MinWidth  *decimal.Decimal `json:"min_width,omitempty"`
	MinHeight *decimal.Decimal `json:"min_height,omitempty"`

	// Upload false means choosing this option needs no print file.
	Upload   *bool     `json:"upload,omitempty"`
	Uploader *Uploader `json:"uploader,omitempty"`
	// Product names the accessory product a cross-sell option adds.
	Product string `json:"product,omitempty"`
}

// Uploader is the print-file specification of a complete configuration. On an
// option, the fields it sets override the product's.
type Uploader struct {
	MinimalDPI           *int             `json:"minimal_dpi,omitempty"`
	MirrorEnabled        *bool            `json:"mirror_enabled,omitempty"`
	FillEnabled          *bool            `json:"fill_enabled,omitempty"`
	RotationEnabled      *bool            `json:"rotation_enabled,omitempty"`
	FileLimit            *int             `json:"file_limit,omitempty"`
	RequireWhiteSpot     *bool            `json:"require_white_spot,omitempty"`
	RequiredCutNames     []string         `json:"required_cut_names,omitempty"`
	OptionalCutNames     []string         `json:"optional_cut_names,omitempty"`
	TilingEnabled        *bool            `json:"tiling_enabled,omitempty"`
	TilingMandatory      *bool            `json:"tiling_mandatory,omitempty"`
	TilingDirection      *string          `json:"tiling_direction,omitempty"`
	MaxWidthExclOverlap  *decimal.Decimal `json:"max_width_excl_overlap,omitempty"`
	MaxHeightExclOverlap *decimal.Decimal `json:"max_height_excl_overlap,omitempty"`
	MaxWidthInclOverlap  *decimal.Decimal `json:"max_width_incl_overlap,omitempty"`
	MaxHeightInclOverlap *decimal.Decimal `json:"max_height_incl_overlap,omitempty"`
	Bleed                *Bleed           `json:"bleed,omitempty"`
}

// Bleed is the extra print area around the ordered size, per side, in the
// size's unit.
type Bleed struct {
	Top    decimal.Decimal `json:"top"`
	Right  decimal.Decimal `json:"right"`
	Bottom decimal.Decimal `json:"bottom"`
	Left   decimal.Decimal `json:"left"`
}

// LinkedRule links a material to a configuration that chose all of When.
type LinkedRule struct {
	Material string   `json:"material"`
	When     []string `json:"when"`
}

// Material is stock a product is made of.
type Material struct {
	Code string `json:"code"`
	Name Text   `json:"name,omitempty"`
	// Description is optional, per language.
	Description Text   `json:"description,omitempty"`
	Unit        string `json:"unit"`
	// ShippingWeight is kilograms per unit.
	ShippingWeight decimal.Decimal `json:"shipping_weight"`
}

// Article groups.
const (
	GroupMaterial     = "material"
	GroupComposed     = "composed_product"
	GroupBox          = "box"
	GroupPhotoProduct = "photo_product"
	GroupAccessory    = "accessory"
)

// ArticleGroups lists the article groups with their display names.
var ArticleGroups = map[string]string{
	GroupMaterial:     "Material",
	GroupComposed:     "Composed product",
	GroupBox:          "Box",
	GroupPhotoProduct: "Photo product",
	GroupAccessory:    "Accessory",
}

// Units.
const (
	UnitSquareMetre  = "m2"
	UnitRunningMetre = "rm"
	UnitPiece        = "piece"
)

// Languages every catalog translates into.
var Languages = []string{"en", "de", "nl", "fr"}
