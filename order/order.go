// Package order is the order domain: orders, items, events and packages,
// and the state machine every status change goes through.
package order

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Status is an order's canonical status (Probo's identifiers).
type Status string

// The canonical statuses, as DESIGN.md names them.
const (
	Draft                          Status = "draft"
	Accepted                       Status = "accepted"
	Hold                           Status = "hold"
	InProduction                   Status = "in_production"
	Logistics                      Status = "logistics"
	ShipmentCreated                Status = "shipment_created"
	ShipmentScannedByCarrier       Status = "shipment_scanned_by_carrier"
	ShipmentInTransit              Status = "shipment_in_transit"
	ShipmentDelayed                Status = "shipment_delayed"
	ShipmentReturned               Status = "shipment_returned"
	ShipmentException              Status = "shipment_exception"
	ShipmentNotAtHome              Status = "shipment_not_at_home"
	ShipmentAvailableAtPickupPoint Status = "shipment_available_at_pickup_point"
	ShipmentPickedUp               Status = "shipment_picked_up"
	ShipmentDelivered              Status = "shipment_delivered"
	Cancelled                      Status = "cancelled"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{Draft, Accepted, Hold, InProduction, Logistics, ShipmentCreated, ShipmentScannedByCarrier,
	ShipmentInTransit, ShipmentDelayed, ShipmentReturned, ShipmentException, ShipmentNotAtHome,
	ShipmentAvailableAtPickupPoint, ShipmentPickedUp, ShipmentDelivered, Cancelled}

// Valid reports whether s is a canonical status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// IsShipment reports whether s is one of the carrier's states (shipment_*).
func (s Status) IsShipment() bool {
	switch s {
	case ShipmentCreated, ShipmentScannedByCarrier, ShipmentInTransit, ShipmentDelayed, ShipmentReturned,
		ShipmentException, ShipmentNotAtHome, ShipmentAvailableAtPickupPoint, ShipmentPickedUp, ShipmentDelivered:
		return true
	}
	return false
}

// Final reports whether nothing can follow s.
func (s Status) Final() bool { return s == ShipmentDelivered || s == Cancelled }

// carrierUpdates are the shipment states a carrier may report in any order
// once a shipment exists; shipment_returned may follow any of them.
var carrierUpdates = []Status{ShipmentScannedByCarrier, ShipmentInTransit, ShipmentDelayed, ShipmentException,
	ShipmentNotAtHome, ShipmentAvailableAtPickupPoint, ShipmentPickedUp, ShipmentReturned, ShipmentDelivered}

// transitions lists, for every status, the statuses it may move to. It is
// the one place the lifecycle is defined; TestTransitions checks every pair.
var transitions = func() map[Status][]Status {
	t := map[Status][]Status{
		// A draft is checked out to accepted, or dropped (cancelled) by its reseller.
		Draft:    {Accepted, Cancelled},
		Accepted: {Hold, InProduction, Cancelled},
		// Staff release a held order, start it, or cancel it.
		Hold:         {Accepted, InProduction, Cancelled},
		InProduction: {Logistics, ShipmentCreated},
		Logistics:    {ShipmentCreated},
		// From a shipment on, carrier updates alternate freely; production
		// never moves back and nothing leaves delivered or cancelled.
		ShipmentCreated: carrierUpdates,
	}
	for _, s := range carrierUpdates {
		var next []Status
		for _, n := range carrierUpdates {
			if n != s && !(s == ShipmentReturned && n != ShipmentDelivered && n != ShipmentInTransit) {
				next = append(next, n)
			}
		}
		if s != ShipmentDelivered {
			t[s] = next
		}
	}
	// Another package may be created while earlier ones travel.
	for _, s := range carrierUpdates {
		if s != ShipmentDelivered {
			t[s] = append(t[s], ShipmentCreated)
		}
	}
	return t
}()

// CanMove reports whether an order in status from may move to status to.
func CanMove(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Next lists the statuses an order in s may move to.
func Next(s Status) []Status { return append([]Status(nil), transitions[s]...) }

// Stage says whether an order is still a draft.
type Stage string

// Stages.
const (
	StageDraft Stage = "draft"
	StageOrder Stage = "order"
)

// Type is production or test.
type Type string

// Types: a test order is validated, priced and stored but never produced.
const (
	TypeProduction Type = "production"
	TypeTest       Type = "test"
)

// Payment is the payment dimension of an order, apart from its status.
type Payment string

// Payment states.
const (
	PaymentPending   Payment = "pending"
	PaymentPaid      Payment = "paid"
	PaymentOnAccount Payment = "on_account"
)

// Valid reports whether p is a known payment state.
func (p Payment) Valid() bool {
	return p == PaymentPending || p == PaymentPaid || p == PaymentOnAccount
}

// FileState is the state of an item's print file.
type FileState string

// File states (DESIGN.md): an item needs its file uploaded, downloads it,
// checks it, and passes or fails.
const (
	FileNone        FileState = "none" // the item needs no file
	FileAwaiting    FileState = "awaiting"
	FileDownloading FileState = "downloading"
	FileChecking    FileState = "checking"
	FilePassed      FileState = "passed"
	FileFailed      FileState = "failed"
)

var fileTransitions = map[FileState][]FileState{
	FileAwaiting:    {FileDownloading, FileChecking},
	FileDownloading: {FileChecking, FileFailed},
	FileChecking:    {FilePassed, FileFailed},
	// A failed or passed file may be replaced by a new one.
	FileFailed: {FileAwaiting, FileDownloading, FileChecking},
	FilePassed: {FileAwaiting, FileDownloading, FileChecking},
}

// CanMoveFile reports whether an item's file may go from one state to another.
func CanMoveFile(from, to FileState) bool {
	for _, s := range fileTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Address is a postal address.
type Address struct {
	CompanyName string `json:"company_name,omitempty"`
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	Street      string `json:"street,omitempty"`
	HouseNumber string `json:"house_number,omitempty"`
	Addition    string `json:"addition,omitempty"`
	// CareOf is a "c/o" line (the box API's co).
	CareOf     string `json:"care_of,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	City       string `json:"city,omitempty"`
	Province   string `json:"province,omitempty"`
	Country    string `json:"country"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
}

// ErasePersonalData removes from the order what names or reaches a
// person: its delivery and billing addresses but their country, and its
// contact and error e-mail addresses. Its products, amounts, prices, dates
// and countries stay, for the books. It answers whether there was anything
// to remove.
func (o *Order) ErasePersonalData() bool {
	before := fmt.Sprint(o.Delivery.Address, o.Billing, o.ContactEmail, o.ErrorEmails)
	o.Delivery.Address = Address{Country: o.Delivery.Address.Country}
	if o.Billing != nil {
		o.Billing = &Address{Country: o.Billing.Country}
	}
	o.ContactEmail, o.ErrorEmails = "", nil
	return fmt.Sprint(o.Delivery.Address, o.Billing, o.ContactEmail, o.ErrorEmails) != before
}

// Erased reports whether the address is one whose personal data was
// erased: its country and nothing else.
func (a Address) Erased() bool { return a.Country != "" && a == Address{Country: a.Country} }

// Name is how an address is addressed: company, else the person.
func (a Address) Name() string {
	if a.CompanyName != "" {
		return a.CompanyName
	}
	return a.FirstName + " " + a.LastName
}

// SearchName is how an order is found by its address's name, in part:
// the company and the person, lower case, so that a search by either (the
// company, or the contact who calls) finds it.
func (a Address) SearchName() string {
	var parts []string
	for _, p := range []string{a.CompanyName, a.FirstName, a.LastName} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.ToLower(strings.Join(parts, " "))
}

// Delivery is where and how an order goes.
type Delivery struct {
	Address        Address `json:"address"`
	ShippingMethod string  `json:"shipping_method"`
	// ShippingDate and DeliveryDate are planned dates (YYYY-MM-DD).
	ShippingDate string `json:"shipping_date"`
	DeliveryDate string `json:"delivery_date"`
	// Wish is what the reseller asked for, kept to price a draft again.
	Wish *Wish `json:"wish,omitempty"`
}

// Wish is a reseller's delivery request: dates, presets, a method.
type Wish struct {
	DeliveryDate   string `json:"delivery_date,omitempty"`
	ShippingDate   string `json:"shipping_date,omitempty"`
	DeliveryPreset string `json:"delivery_date_preset,omitempty"`
	Method         string `json:"shipping_method_code,omitempty"`
	MethodPreset   string `json:"shipping_method_preset,omitempty"`
	// ProductionTime is stored under the key it was first written with.
	ProductionTime string `json:"ProductionTime,omitempty"`
}

// FileRef is a print file (or packing slip or label) by URL, or to be uploaded.
type FileRef struct {
	URL string `json:"url,omitempty"`
	// Name is the file's original name, where an API sends it.
	Name     string `json:"name,omitempty"`
	MD5      string `json:"md5,omitempty"`
	Page     int    `json:"page,omitempty"`
	Side     string `json:"side,omitempty"`
	Rotation int    `json:"rotation,omitempty"`
	Fill     bool   `json:"fill,omitempty"`
	Tiling   bool   `json:"tiling,omitempty"`
	Mirror   bool   `json:"mirror,omitempty"`
}

// Money is an exact amount excluding and including VAT.
type Money struct {
	Excl decimal.Decimal `json:"excl"`
	Incl decimal.Decimal `json:"incl"`
}

// Add sums two amounts.
func (m Money) Add(o Money) Money { return Money{Excl: m.Excl.Add(o.Excl), Incl: m.Incl.Add(o.Incl)} }

// Item is one product line of an order.
type Item struct {
	ID          int64
	OrderNumber int64
	Position    int
	// Reference is the reseller's own id for the line.
	Reference string
	Product   string
	// CustomerCode is the saved API product the line came from, if any.
	CustomerCode string
	// CalculationID is the calculation the line's price comes from, if any.
	CalculationID   int64
	CalculationItem int
	// Options is the JSON of the chosen options ([{"code","value"}]), tree order.
	Options json.RawMessage
	Amount  decimal.Decimal
	// Purchase is the exact line price: base, rush and total excl VAT; Incl
	// the total including VAT; Sales the suggested retail excluding VAT.
	Base, Rush decimal.Decimal
	Price      Money
	Sales      decimal.Decimal
	Weight     decimal.Decimal
	Files      []FileRef
	FileState  FileState
	Note       string
	Backprint  string
	// Characteristics are free fields of the line (the WL-V3 API's).
	Characteristics map[string]string
	// ProductionTime is the item's own production time when the order
	// allows mixed times (empty: the order's).
	ProductionTime string
}

// Totals are an order's amounts, exact; APIs round each on its own.
type Totals struct {
	Subtotal      Money // items
	Shipping      Money
	StartingCosts Money
	Total         Money
}

// Order is a reseller's order.
type Order struct {
	Number     int64
	ResellerID int64
	CustomerID int64 // 0: none
	// OwnID is the reseller's own order id: unique per reseller until released.
	OwnID          string
	Released       bool
	Reference      string
	PurchaseOrder  string
	ContactEmail   string
	ErrorEmails    []string
	Language       string
	Type           Type
	Stage          Stage
	Status         Status
	Payment        Payment
	CallbackURLs   []string
	Delivery       Delivery
	Billing        *Address
	PackingSlip    *FileRef
	ShippingLabel  *FileRef
	CustomFields   map[string]string
	CalculationID  int64
	ProductionTime string
	Currency       string
	VATRate        decimal.Decimal
	ReverseCharge  bool
	CatalogVersion int64
	Totals         Totals
	// OrderDate is the day the order counts from (drafts: their expiry).
	OrderDate string
	ExpiresAt *time.Time // drafts
	CreatedAt time.Time
	UpdatedAt time.Time
	// TrackingToken makes the order's public tracking page URL.
	TrackingToken string
	// Version grows with every change; a change names the version it saw.
	Version int64
	Items   []*Item
	// API is the compatible API the order was placed through ("" for the
	// native one): its callbacks take that API's shape.
	API string
	// ProjectID is the reseller's project the order belongs to (0: none).
	ProjectID int64
	// RejectOnFileFailure makes a print file that fails its download or
	// check end the order as not accepted (cancelled, its id free again),
	// as APIs without a way to send a file again expect.
	RejectOnFileFailure bool
	// Rejection says why the order was not accepted, if it was not.
	Rejection string
}

// Actor is who caused an event.
type Actor string

// Actors.
const (
	ActorReseller Actor = "reseller"
	ActorOperator Actor = "operator"
	ActorSystem   Actor = "system"
)

// Who makes a change: its actor and, for staff, the name of the operator
// key they used (the event's By).
type Who struct {
	Actor Actor
	Name  string
}

// Staff is a change by the staff member whose operator key has this name.
func Staff(name string) Who { return Who{Actor: ActorOperator, Name: name} }

// Event is one recorded change of an order.
type Event struct {
	ID          int64
	OrderNumber int64
	At          time.Time
	Actor       Actor
	// Kind is what happened: "created", "status", "payment", "released", ...
	Kind   string
	From   string
	To     string
	Reason string
	// By names the staff member for an operator's change: the name of the
	// operator key used. Resellers never see it.
	By string
	// Data holds details (a package's tracking code, a file's findings).
	Data json.RawMessage
	// Callbacks are written with the event (an outbox) and delivered by jobs.
	Callbacks []*Callback
}

// EventNote is the kind of a staff note: an event for staff only, which
// resellers' views of the history leave out and which sends no callback.
const EventNote = "note"

// EventErased is the kind of the event of an order whose personal data
// was erased (Order.ErasePersonalData).
const EventErased = "erased"

// StaffOnly says whether only staff may see the event.
func (e *Event) StaffOnly() bool { return e.Kind == EventNote }

// Who is who made the change as staff see it: the actor, and the staff
// member's name when there is one ("operator (Anna)").
func (e *Event) Who() string {
	if e.By == "" {
		return string(e.Actor)
	}
	return string(e.Actor) + " (" + e.By + ")"
}

// Package is one parcel of a shipped order.
type Package struct {
	ID           int64
	OrderNumber  int64
	Carrier      string
	TrackingCode string
	TrackingURL  string
	CreatedAt    time.Time
}

// ErrTransition explains a refused status change.
func ErrTransition(from, to Status) string {
	if from.Final() {
		return fmt.Sprintf("the order is %s; nothing follows", from)
	}
	return fmt.Sprintf("an order that is %s cannot become %s", from, to)
}

// ReprintStatus is where a reprint request stands.
type ReprintStatus string

// Reprint states: staff approve or reject a request.
const (
	ReprintRequested ReprintStatus = "requested"
	ReprintApproved  ReprintStatus = "approved"
	ReprintRejected  ReprintStatus = "rejected"
)

// ReprintReasons are the reasons a reprint may be asked for (Profotonet's).
var ReprintReasons = []string{"damaged", "incomplete", "missing", "swappedpartially", "swappedcompletely", "quality"}

// Reprint is a reseller's request to produce (part of) an order again.
type Reprint struct {
	ID          int64
	OrderNumber int64
	ResellerID  int64
	Status      ReprintStatus
	Reason      string
	Note        string
	Items       []ReprintItem
	// NewOrder is the number of the order an approval created.
	NewOrder  int64
	Decision  string // staff's note on the decision
	CreatedAt time.Time
	DecidedAt *time.Time
}

// ItemList lists what the reprint asks for: "item 3 × 2, item 4 × 1".
func (rp *Reprint) ItemList() string {
	parts := make([]string, len(rp.Items))
	for i, it := range rp.Items {
		parts[i] = fmt.Sprintf("item %d × %s", it.ItemID, it.Quantity)
	}
	return strings.Join(parts, ", ")
}

// ReprintItem is one item to make again, and how many.
type ReprintItem struct {
	ItemID   int64           `json:"item_id"`
	Quantity decimal.Decimal `json:"quantity"`
	// Left asks for what earlier reprints left of the item, whatever
	// Quantity says; the reprint then stores that quantity.
	Left bool `json:"-"`
}

// FilesFrom names an item of one order whose files another order's item
// takes (item 0: the order's documents, packing slip and shipping label).
type FilesFrom struct{ From, To int64 }

// ReprintFiles pairs the items of a reprint's new order (made from rp's
// items, in their order) with the original's items they repeat, after the
// documents: the reprint prints the files the original was made from.
func ReprintFiles(rp *Reprint, fresh *Order) []FilesFrom {
	out := []FilesFrom{{0, 0}}
	for i, it := range fresh.Items {
		if i < len(rp.Items) {
			out = append(out, FilesFrom{rp.Items[i].ItemID, it.ID})
		}
	}
	return out
}

// FilesSummary is where an order's print files stand as a whole, for
// production to pick the orders it can print.
type FilesSummary string

// Files summaries.
const (
	FilesReady   FilesSummary = "ready"   // every item's file passed, or it needs none
	FilesWaiting FilesSummary = "waiting" // a file awaits an upload, a download or its check
	FilesFailed  FilesSummary = "failed"  // a file failed
)

// FilesOf sums up items' file states: failed if any failed, else waiting
// if any is not passed yet, else ready.
func FilesOf(items []*Item) FilesSummary {
	out := FilesReady
	for _, it := range items {
		switch it.FileState {
		case FileFailed:
			return FilesFailed
		case FileAwaiting, FileDownloading, FileChecking:
			out = FilesWaiting
		}
	}
	return out
}

// CallbackStatus is where a callback delivery stands.
type CallbackStatus string

// Callback statuses: pending until delivered, or failed after its window
// (or a 410 answer).
const (
	CallbackPending   CallbackStatus = "pending"
	CallbackDelivered CallbackStatus = "delivered"
	CallbackFailed    CallbackStatus = "failed"
)

// Callback is one event sent to one URL: the outbox row written with the
// event, and its delivery state.
type Callback struct {
	ID          int64
	ResellerID  int64
	OrderNumber int64
	EventID     int64
	URL         string
	// Sequence counts the callbacks of one order to one URL: 1, 2, 3 ...
	Sequence int64
	// Type names the event ("order.status", "order.created", ...).
	Type string
	// Format is the API whose shape the payload takes ("native").
	Format string
	// Payload is the order as it was at the event, as JSON. Render, when
	// set, makes it when the callback is stored (a new order gets its
	// number inside the store's transaction).
	Payload        json.RawMessage
	Render         func() (json.RawMessage, error)
	OccurredAt     time.Time
	Status         CallbackStatus
	Attempts       int
	FirstAttemptAt *time.Time
	NextAttemptAt  *time.Time
	LastStatus     int
	LastError      string
	CreatedAt      time.Time
	FinishedAt     *time.Time
}

// CallbackAttempt is one try to deliver a callback.
type CallbackAttempt struct {
	ID         int64
	CallbackID int64
	At         time.Time
	Status     int    // HTTP status, 0 when there was none
	Error      string // why it failed without an answer
	Response   string // the first 1 KB of the answer
	Duration   time.Duration
}

// Finding is one result of a preflight: an error holds the item, a warning
// does not.
type Finding struct {
	Code     string `json:"code"`
	Severity string `json:"severity"` // "error" or "warning"
	Page     int    `json:"page,omitempty"`
	Measured string `json:"measured,omitempty"`
	Required string `json:"required,omitempty"`
	Message  string `json:"message"`
}

// Artwork is one print file of an item: where it came from, what arrived,
// and what the preflight found.
// An order's packing slip and shipping label are its files of item 0, at
// these indexes.
const (
	DocPackingSlip   = 0
	DocShippingLabel = 1
)

// DocumentName names an order document by its index.
func DocumentName(idx int) string {
	if idx == DocShippingLabel {
		return "shipping label"
	}
	return "packing slip"
}

type Artwork struct {
	ID          int64
	OrderNumber int64
	ItemID      int64
	// Index is the file's place among the item's files (0 for uploads of a
	// single file).
	Index       int
	Source      string // "url" or "upload"
	URL         string
	ExpectedMD5 string
	Size        int64
	MD5         string
	SHA256      string
	ContentType string
	// BlobKey names the stored bytes; it is never built from a given name.
	BlobKey   string
	State     FileState
	Findings  []Finding
	Error     string
	CreatedAt time.Time
	UpdatedAt time.Time
}
