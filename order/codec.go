package order

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// document is the part of an order the stores keep as one JSON text: what
// is read with the order but never searched by.
type document struct {
	PurchaseOrder  string            `json:"purchase_order,omitempty"`
	ContactEmail   string            `json:"contact_email,omitempty"`
	ErrorEmails    []string          `json:"error_emails,omitempty"`
	Language       string            `json:"language,omitempty"`
	CallbackURLs   []string          `json:"callback_urls,omitempty"`
	Delivery       Delivery          `json:"delivery"`
	Billing        *Address          `json:"billing,omitempty"`
	PackingSlip    *FileRef          `json:"packing_slip,omitempty"`
	ShippingLabel  *FileRef          `json:"shipping_label,omitempty"`
	CustomFields   map[string]string `json:"custom_fields,omitempty"`
	CalculationID  int64             `json:"calculation_id,omitempty"`
	ProductionTime string            `json:"production_time"`
	Currency       string            `json:"currency"`
	VATRate        decimal.Decimal   `json:"vat_rate"`
	ReverseCharge  bool              `json:"reverse_charge,omitempty"`
	CatalogVersion int64             `json:"catalog_version"`
	Totals         Totals            `json:"totals"`
	API            string            `json:"api,omitempty"`
	ProjectID      int64             `json:"project_id,omitempty"`
	RejectOnFile   bool              `json:"reject_on_file_failure,omitempty"`
	Rejection      string            `json:"rejection,omitempty"`
}

// encodeDocument is the JSON the stores keep for an order's unsearched fields.
func encodeDocument(o *Order) ([]byte, error) {
	return json.Marshal(document{
		PurchaseOrder: o.PurchaseOrder, ContactEmail: o.ContactEmail, ErrorEmails: o.ErrorEmails, Language: o.Language,
		CallbackURLs: o.CallbackURLs, Delivery: o.Delivery, Billing: o.Billing, PackingSlip: o.PackingSlip,
		ShippingLabel: o.ShippingLabel, CustomFields: o.CustomFields, CalculationID: o.CalculationID,
		ProductionTime: o.ProductionTime, Currency: o.Currency, VATRate: o.VATRate, ReverseCharge: o.ReverseCharge,
		CatalogVersion: o.CatalogVersion, Totals: o.Totals, API: o.API, ProjectID: o.ProjectID,
		RejectOnFile: o.RejectOnFileFailure, Rejection: o.Rejection,
	})
}

// DecodeDocument fills an order's unsearched fields from its stored JSON.
func DecodeDocument(o *Order, data []byte) error {
	var d document
	if err := json.Unmarshal(data, &d); err != nil {
		return err
	}
	o.PurchaseOrder, o.ContactEmail, o.ErrorEmails, o.Language = d.PurchaseOrder, d.ContactEmail, d.ErrorEmails, d.Language
	o.CallbackURLs, o.Delivery, o.Billing, o.PackingSlip = d.CallbackURLs, d.Delivery, d.Billing, d.PackingSlip
	o.ShippingLabel, o.CustomFields, o.CalculationID = d.ShippingLabel, d.CustomFields, d.CalculationID
	o.ProductionTime, o.Currency, o.VATRate, o.ReverseCharge = d.ProductionTime, d.Currency, d.VATRate, d.ReverseCharge
	o.CatalogVersion, o.Totals, o.API, o.ProjectID = d.CatalogVersion, d.Totals, d.API, d.ProjectID
	o.RejectOnFileFailure, o.Rejection = d.RejectOnFile, d.Rejection
	return nil
}

type itemDocument struct {
	Reference       string            `json:"reference,omitempty"`
	Product         string            `json:"product"`
	CustomerCode    string            `json:"customer_code,omitempty"`
	CalculationID   int64             `json:"calculation_id,omitempty"`
	CalculationItem int               `json:"calculation_item,omitempty"`
	Options         json.RawMessage   `json:"options"`
	Amount          decimal.Decimal   `json:"amount"`
	Base            decimal.Decimal   `json:"base"`
	Rush            decimal.Decimal   `json:"rush"`
	Price           Money             `json:"price"`
	Sales           decimal.Decimal   `json:"sales"`
	Weight          decimal.Decimal   `json:"weight"`
	Files           []FileRef         `json:"files,omitempty"`
	FileState       FileState         `json:"file_state"`
	Note            string            `json:"note,omitempty"`
	Backprint       string            `json:"backprint,omitempty"`
	Characteristics map[string]string `json:"characteristics,omitempty"`
	ProductionTime  string            `json:"production_time,omitempty"`
}

// encodeItem is the JSON the stores keep for an item.
func encodeItem(it *Item) ([]byte, error) {
	return json.Marshal(itemDocument{
		Reference: it.Reference, Product: it.Product, CustomerCode: it.CustomerCode, CalculationID: it.CalculationID,
		CalculationItem: it.CalculationItem, Options: it.Options, Amount: it.Amount,
		Base: it.Base, Rush: it.Rush, Price: it.Price, Sales: it.Sales, Weight: it.Weight, Files: it.Files,
		FileState: it.FileState, Note: it.Note, Backprint: it.Backprint, Characteristics: it.Characteristics, ProductionTime: it.ProductionTime,
	})
}

// EncodeWithItem encodes an order's document and one of its items' (a
// change of that item alone): Items holds that one.
func EncodeWithItem(o *Order, it *Item) (Encoded, error) {
	e, err := Encode(o, false)
	if err != nil {
		return e, err
	}
	b, err := encodeItem(it)
	if err != nil {
		return Encoded{}, err
	}
	e.Items, e.Files = []string{string(b)}, FilesOf(o.Items)
	return e, nil
}

// Encoded is an order as the stores write it: its document and its items'
// documents, in order. Neither depends on what the store assigns (number,
// positions, ids), so a store encodes before its write transaction and
// keeps the JSON work out of the one writer.
type Encoded struct {
	Document string
	Items    []string // nil when encoded without items
	// Files sums up the items' files (FilesOf), when encoded with items
	// (all of them in memory); "" otherwise, and the stored value stays.
	Files FilesSummary
}

// Encode encodes an order's document and, with items, its items'.
func Encode(o *Order, items bool) (Encoded, error) {
	doc, err := encodeDocument(o)
	if err != nil || !items {
		return Encoded{Document: string(doc)}, err
	}
	e := Encoded{Document: string(doc), Items: make([]string, len(o.Items)), Files: FilesOf(o.Items)}
	for i, it := range o.Items {
		b, err := encodeItem(it)
		if err != nil {
			return Encoded{}, err
		}
		e.Items[i] = string(b)
	}
	return e, nil
}

// DocumentSearchName is the SearchName of a stored order document's
// delivery address (for a store's migration that rewrites it).
func DocumentSearchName(doc []byte) (string, error) {
	var d struct {
		Delivery struct {
			Address Address `json:"address"`
		} `json:"delivery"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return "", err
	}
	return d.Delivery.Address.SearchName(), nil
}

// DecodeItem fills an item from its stored JSON.
func DecodeItem(it *Item, data []byte) error {
	var d itemDocument
	if err := json.Unmarshal(data, &d); err != nil {
		return err
	}
	it.Reference, it.Product, it.CustomerCode, it.Options, it.Amount = d.Reference, d.Product, d.CustomerCode, d.Options, d.Amount
	it.CalculationID, it.CalculationItem = d.CalculationID, d.CalculationItem
	it.Base, it.Rush, it.Price, it.Sales, it.Weight, it.Files = d.Base, d.Rush, d.Price, d.Sales, d.Weight, d.Files
	it.FileState, it.Note, it.Backprint, it.Characteristics = d.FileState, d.Note, d.Backprint, d.Characteristics
	it.ProductionTime = d.ProductionTime
	return nil
}

// ItemRows puts the items a store reads for several orders (a row each:
// the order's number, the item's id, position and stored JSON, in
// position order) on their orders.
type ItemRows map[int64]*Order

// NewItemRows is ready for the items of orders, and gives their numbers.
func NewItemRows(orders []*Order) (ItemRows, []int64) {
	r, numbers := make(ItemRows, len(orders)), make([]int64, len(orders))
	for i, o := range orders {
		r[o.Number], numbers[i] = o, o.Number
	}
	return r, numbers
}

// Rows is what a store's query answers, in either store.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Read puts each row's item (order_number, id, position, document) on its order.
func (r ItemRows) Read(rows Rows) error {
	for rows.Next() {
		var number, id int64
		var position int
		var doc string
		if err := rows.Scan(&number, &id, &position, &doc); err != nil {
			return err
		}
		if err := r.Add(number, id, position, []byte(doc)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Add decodes one row's item onto its order.
func (r ItemRows) Add(number, id int64, position int, doc []byte) error {
	it := &Item{OrderNumber: number, ID: id, Position: position}
	if err := DecodeItem(it, doc); err != nil {
		return fmt.Errorf("order item %d: %w", id, err)
	}
	if o := r[number]; o != nil {
		o.Items = append(o.Items, it)
	}
	return nil
}

// DraftLifetime is how long a draft lives after its order date.
const DraftLifetime = 7 * 24 * time.Hour
