package pressroom

import (
	"context"
	"fmt"
	"time"

	"github.com/pressroom/pressroom/order"
)

// CatalogVersion is one imported catalog document. Versions only grow; every
// configuration, price and order records the version it used.
type CatalogVersion struct {
	Version   int64
	Document  []byte // the catalog file as imported (JSON)
	Checksum  string // hex SHA-256 of Document
	Note      string
	CreatedAt time.Time
}

// Calculation is a completed configuration as it was answered, kept so that a
// later price or order can refer to it by ID.
type Calculation struct {
	ID             int64
	ResellerID     int64
	CatalogVersion int64
	ProductCode    string
	// Options is the JSON of the chosen options, in tree order.
	Options []byte
	// Prices is the JSON of the answer's prices; an order or checkout that
	// cites the calculation before ExpiresAt is charged exactly these.
	Prices    []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CalculationLifetime is how long a calculation's prices hold.
const CalculationLifetime = 30 * 24 * time.Hour

// Store keeps everything durable. SQLite and PostgreSQL implement it and pass
// the same suite (store/storetest).
type Store interface {
	// CreateReseller assigns r.ID and r.CreatedAt. ECONFLICT when the name is taken.
	CreateReseller(ctx context.Context, r *Reseller) error
	// FindResellerByID returns ENOTFOUND when there is none.
	FindResellerByID(ctx context.Context, id int64) (*Reseller, error)
	// FindResellerByName returns ENOTFOUND when there is none.
	FindResellerByName(ctx context.Context, name string) (*Reseller, error)
	// ListResellers returns every reseller, oldest first.
	ListResellers(ctx context.Context) ([]*Reseller, error)
	// EnsureReseller creates r unless a reseller of that name exists, and
	// returns the stored one. Safe when several nodes call it at once.
	EnsureReseller(ctx context.Context, r *Reseller) (*Reseller, error)

	// CreateCustomer assigns c.ID. ENOTFOUND for an unknown reseller,
	// ECONFLICT for a reference the reseller used already.
	CreateCustomer(ctx context.Context, c *Customer) error
	// ListCustomers returns a reseller's customers, oldest first.
	ListCustomers(ctx context.Context, resellerID int64) ([]*Customer, error)

	// CreateAPIKey assigns k.ID. ECONFLICT when the same key exists
	// (EnsureAPIKey is the idempotent form).
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// EnsureAPIKey stores k unless a key with the same hash exists, and
	// returns the stored one. Safe when several nodes call it at once.
	EnsureAPIKey(ctx context.Context, k *APIKey) (*APIKey, error)
	// FindAPIKeyByID returns a key by id, revoked or not; ENOTFOUND when none.
	FindAPIKeyByID(ctx context.Context, id int64) (*APIKey, error)
	// FindAPIKeyByHash returns the key, revoked or not; ENOTFOUND when none.
	FindAPIKeyByHash(ctx context.Context, hash []byte) (*APIKey, error)
	// ListAPIKeys lists a reseller's keys (resellerID 0: operator keys),
	// without the access tokens issued against them.
	ListAPIKeys(ctx context.Context, resellerID int64) ([]*APIKey, error)
	// RevokeAPIKey marks a key revoked at the given time. ENOTFOUND when none;
	// revoking a revoked key keeps the first time.
	RevokeAPIKey(ctx context.Context, id int64, at time.Time) error
	// DeleteExpiredKeys deletes the access tokens that expired before a
	// time and answers how many.
	DeleteExpiredKeys(ctx context.Context, before time.Time) (int, error)

	// CreateCatalogVersion stores a catalog as the next version, assigning
	// v.Version and v.CreatedAt.
	CreateCatalogVersion(ctx context.Context, v *CatalogVersion) error
	// EnsureFirstCatalogVersion stores v as version 1 unless any version
	// exists; it reports whether it stored v. Safe across nodes.
	EnsureFirstCatalogVersion(ctx context.Context, v *CatalogVersion) (bool, error)
	// LatestCatalogVersion returns the newest version; ENOTFOUND when none.
	LatestCatalogVersion(ctx context.Context) (*CatalogVersion, error)
	// LatestCatalogVersionNumber is the cheap poll behind hot reload (0 when none).
	LatestCatalogVersionNumber(ctx context.Context) (int64, error)
	// FindCatalogVersion returns ENOTFOUND when the version does not exist.
	FindCatalogVersion(ctx context.Context, version int64) (*CatalogVersion, error)

	// ReserveIDs reserves n consecutive ids of the named sequence for this
	// process and returns the first. Sequences start at 1.
	ReserveIDs(ctx context.Context, sequence string, n int64) (int64, error)
	// SaveCalculations stores calculations in one transaction.
	SaveCalculations(ctx context.Context, cs []*Calculation) error
	// FindCalculation returns a reseller's calculation; ENOTFOUND for an
	// unknown id or another reseller's. Expired ones are returned until purged.
	FindCalculation(ctx context.Context, resellerID, id int64) (*Calculation, error)
	// DeleteExpiredCalculations removes up to limit calculations that
	// expired before the time, and reports how many it removed.
	DeleteExpiredCalculations(ctx context.Context, before time.Time, limit int) (int64, error)

	// UpdateReseller stores the settable fields of an existing reseller
	// (edition, callback URL, markup, country, VAT id). ENOTFOUND when none.
	UpdateReseller(ctx context.Context, r *Reseller) error

	// CreateAPIProduct assigns p.ID and the times. ECONFLICT when the
	// reseller has the customer code already.
	CreateAPIProduct(ctx context.Context, p *APIProduct) error
	// FindAPIProduct returns a reseller's API product; ENOTFOUND otherwise.
	FindAPIProduct(ctx context.Context, resellerID int64, customerCode string) (*APIProduct, error)
	// ListAPIProducts returns a page of a reseller's API products by
	// customer code, and how many there are.
	ListAPIProducts(ctx context.Context, resellerID int64, offset, limit int) ([]*APIProduct, int, error)
	// UpdateAPIProduct replaces the product code and options; ENOTFOUND when none.
	UpdateAPIProduct(ctx context.Context, p *APIProduct) error
	// DeleteAPIProduct removes one; ENOTFOUND when none.
	DeleteAPIProduct(ctx context.Context, resellerID int64, customerCode string) error

	// CreateOrder stores a new order, its items and its first event in one
	// transaction with its jobs, assigning o.Number, item ids and the times; with idem it
	// also completes that idempotency key with the answer the function
	// gives for the stored order. ECONFLICT when the reseller's own id is
	// in use by an order not released: the error's message names its number.
	CreateOrder(ctx context.Context, o *order.Order, ev *order.Event, idem *IdempotencyAnswer, jobs ...Job) error
	// FindOrder returns an order with its items; resellerID 0 finds any
	// reseller's (operators). ENOTFOUND otherwise.
	FindOrder(ctx context.Context, resellerID, number int64) (*order.Order, error)
	// FindOrderByTrackingToken returns the order of a tracking page; ENOTFOUND otherwise.
	FindOrderByTrackingToken(ctx context.Context, token string) (*order.Order, error)
	// ListOrders returns a page of orders (with items only when
	// f.WithItems) and how many match.
	ListOrders(ctx context.Context, f OrderFilter) ([]*order.Order, int, error)
	// UpdateOrder stores o when it is still at version o.Version, with new
	// events and packages, in one transaction, and bumps o.Version; with
	// items true it also replaces the items (drafts). ECONFLICT when another
	// change came first, ENOTFOUND when the order is gone.
	UpdateOrder(ctx context.Context, o *order.Order, items bool, evs []*order.Event, pkgs []*order.Package, jobs ...Job) error
	// UpdateOrderItem is UpdateOrder for a change of o and of its one item
	// it (a file's state): the other items are not written. ENOTFOUND
	// when the order has no such item.
	UpdateOrderItem(ctx context.Context, o *order.Order, it *order.Item, evs []*order.Event, jobs ...Job) error
	// AddOrderEvent writes an event into an order's history that changes
	// nothing of the order (a staff note): its version and updated_at
	// stay, so no change of it is lost to the event or shown to its
	// reseller. ENOTFOUND when there is no such order.
	AddOrderEvent(ctx context.Context, ev *order.Event) error
	// ListOrderEvents returns an order's events, oldest first.
	ListOrderEvents(ctx context.Context, number int64) ([]*order.Event, error)
	// ListOrderPackages returns an order's packages, oldest first.
	ListOrderPackages(ctx context.Context, number int64) ([]*order.Package, error)
	// DeleteExpiredDrafts deletes up to limit drafts that expired before the
	// time, and reports how many.
	DeleteExpiredDrafts(ctx context.Context, before time.Time, limit int) (int64, error)

	// CreateReprint stores a reprint request, assigning its id, unless a
	// reprint of its order newer than after (the newest the request was
	// checked against; 0: none) was stored meanwhile: ECONFLICT, on
	// every node.
	CreateReprint(ctx context.Context, rp *order.Reprint, after int64) error
	// FindReprint returns a reseller's reprint (resellerID 0: any); ENOTFOUND otherwise.
	FindReprint(ctx context.Context, resellerID, id int64) (*order.Reprint, error)
	// CreateProject stores a reseller's project.
	CreateProject(ctx context.Context, p *Project) error
	// FindProject returns a reseller's project; ENOTFOUND otherwise.
	FindProject(ctx context.Context, resellerID, id int64) (*Project, error)
	// ListProjects returns a page of a reseller's projects, oldest first, and how many there are.
	ListProjects(ctx context.Context, resellerID int64, offset, limit int) ([]*Project, int, error)

	// CreateUploadSessions stores upload sessions in one transaction.
	CreateUploadSessions(ctx context.Context, ss []*UploadSession) error
	// FindUploadSession returns a session by id (resellerID 0: any reseller's).
	FindUploadSession(ctx context.Context, resellerID, id int64) (*UploadSession, error)
	// SaveUploadSession writes a session's state, file and order item.
	SaveUploadSession(ctx context.Context, s *UploadSession) error
	// DeleteOldUploadSessions deletes up to limit upload sessions created
	// before the time that no order cites (their files are dropped).
	DeleteOldUploadSessions(ctx context.Context, before time.Time, limit int) (int64, error)

	// ListReprints returns a page of the reprints f selects, newest
	// first, and how many it selects in all.
	ListReprints(ctx context.Context, f ReprintFilter) ([]*order.Reprint, int, error)
	// DecideReprint moves a requested reprint to rp.Status in one
	// transaction with newOrder (created, for an approval, with its first
	// event created and the files of the items and documents it repeats:
	// order.ReprintFiles) and ev (on the original order), and the new
	// order's jobs (their order number set as CreateOrder sets it).
	// ECONFLICT when it was decided meanwhile.
	DecideReprint(ctx context.Context, rp *order.Reprint, newOrder *order.Order, created, ev *order.Event, jobs ...Job) error

	// CreateCallback stores a callback of no order event (a test callback)
	// and queues its delivery. Callbacks of events come with the events.
	CreateCallback(ctx context.Context, cb *order.Callback) error
	// FindCallback returns a reseller's callback (0: any) with its attempts.
	FindCallback(ctx context.Context, resellerID, id int64) (*order.Callback, []*order.CallbackAttempt, error)
	// ListCallbacks returns a page of callbacks, newest first, and how many match.
	ListCallbacks(ctx context.Context, f CallbackFilter) ([]*order.Callback, int, error)
	// CallbackToDeliver returns a callback as its delivery needs it, in one
	// read: the callback (without attempts), whether an earlier callback
	// of the same order to the same URL is still pending (callbacks go out
	// in event order), and its reseller's signing secrets (ID,
	// WebhookSecret, PreviousSecret, PreviousUntil).
	CallbackToDeliver(ctx context.Context, id int64) (cb *order.Callback, earlierPending bool, secrets *Reseller, err error)
	// RecordCallbackAttempt stores an attempt and cb's new state.
	RecordCallbackAttempt(ctx context.Context, cb *order.Callback, a *order.CallbackAttempt) error
	// DeleteOldCallbacks deletes up to limit delivered or failed callbacks
	// that finished before the time, with their attempts, and reports how
	// many. Each order's newest callback to a URL stays: the next one's
	// sequence number goes on from it.
	DeleteOldCallbacks(ctx context.Context, before time.Time, limit int) (int64, error)
	// RedeliverCallback makes a delivered or failed callback pending again
	// and queues it; ECONFLICT while it is pending.
	RedeliverCallback(ctx context.Context, resellerID, id int64) (*order.Callback, error)

	// SaveArtwork stores a file of an item, replacing the one at its item
	// and index, and assigns a.ID and the times.
	SaveArtwork(ctx context.Context, a *order.Artwork) error
	// ReplaceArtwork makes a the item's only file, dropping the item's
	// other files in the same write (nil: the item keeps none): an upload
	// replaces what the item had, a draft's replaced item starts afresh.
	ReplaceArtwork(ctx context.Context, number, itemID int64, a *order.Artwork) error
	// DroppedBlobs lists up to limit stored files (blob keys) that a print
	// file or upload session let go of before the time, by deleting its row
	// or naming another file: free ones that no row refers to now, to be
	// deleted from storage, and kept ones that a row refers to again.
	DroppedBlobs(ctx context.Context, before time.Time, limit int) (free, kept []string, err error)
	// ForgetBlobs takes keys off the dropped list (deleted, or kept).
	ForgetBlobs(ctx context.Context, keys []string) error
	// DropBlobs puts stored files on the dropped list by hand: files taken
	// whose row was never written (an upload refused after it was stored).
	// The purge deletes them unless a row names them.
	DropBlobs(ctx context.Context, keys []string) error
	// UnnamedBlobs answers those of keys that no print file or upload
	// session names and that are not on the dropped list: stored files
	// nothing knows of (a crash between storing a file and writing its row).
	UnnamedBlobs(ctx context.Context, keys []string) ([]string, error)
	// DropUnproducedFiles lets go of the stored files (up to limit rows of
	// print files and of the upload sessions an order cites) of orders that
	// will never be produced, last changed before the time: cancelled ones
	// and test orders. The rows stay, with their hashes and findings, and
	// no blob key; the files go by the dropped list.
	DropUnproducedFiles(ctx context.Context, before time.Time, limit int) (int64, error)
	// DropDeliveredFiles is DropUnproducedFiles for delivered orders
	// (shipment_delivered) last changed before the time: for a company
	// that keeps print files for a limited time after delivery.
	DropDeliveredFiles(ctx context.Context, before time.Time, limit int) (int64, error)
	// ListArtwork returns an order's files (itemID 0: of every item) by item and index.
	ListArtwork(ctx context.Context, orderNumber, itemID int64) ([]*order.Artwork, error)

	// BeginIdempotency claims a reseller's Idempotency-Key for a request.
	// It returns nil when the key is new (the caller now runs the request);
	// else the stored key: Done with the first answer, or still running.
	BeginIdempotency(ctx context.Context, resellerID int64, key string, hash []byte, staleAfter time.Duration) (*Idempotency, error)
	// FinishIdempotency stores the answer of a request that stored nothing
	// (an error): it is replayed as well.
	FinishIdempotency(ctx context.Context, resellerID int64, key string, a IdempotencyAnswer) error
	// DeleteIdempotencyBefore forgets keys created before the time.
	DeleteIdempotencyBefore(ctx context.Context, before time.Time, limit int) (int64, error)

	// Ping checks that the store answers.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// Clock tells the time; tests inject a fixed one.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// OrderFilter selects orders.
type OrderFilter struct {
	ResellerID int64 // 0: every reseller (operators)
	Status     order.Status
	// ExcludeStatus leaves out the orders in a status.
	ExcludeStatus order.Status
	// AnyStatus keeps the orders in any of these statuses (a dialect's one
	// status that is several of ours).
	AnyStatus []order.Status
	// Files keeps the orders whose print files stand so as a whole.
	Files      order.FilesSummary
	Stage      order.Stage
	Type       order.Type
	OwnID      string
	Reference  string
	CustomerID int64
	// AddressName matches the delivery address's company or person name, in part.
	AddressName string
	From, To    string // order dates, inclusive, YYYY-MM-DD
	Ascending   bool   // by number; newest first by default
	// WithItems reads the page's items too, in one more query (a list
	// that counts them or shows their files' state).
	WithItems bool
	Offset    int
	Limit     int
}

// DateProblems says what is wrong with the filter's days, as query
// parameters ?from and ?to: each a date like 2026-03-12, and the last not
// before the first (an empty list would hide that mistake).
func (f OrderFilter) DateProblems() []FieldError {
	var out []FieldError
	var days []time.Time
	for _, d := range []struct{ name, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v == "" {
			continue
		}
		day, err := time.Parse(time.DateOnly, d.v)
		if err != nil {
			out = append(out, FieldError{Pointer: "?" + d.name, Code: "invalid_date", Detail: "a date like 2026-03-12"})
			continue
		}
		days = append(days, day)
	}
	if len(days) == 2 && days[1].Before(days[0]) {
		out = append(out, FieldError{Pointer: "?to", Code: "invalid_range", Detail: fmt.Sprintf("%s or later, not %s: the last day can't be before the first", f.From, f.To)})
	}
	return out
}

// CallbackFilter selects callbacks.
type CallbackFilter struct {
	ResellerID  int64 // 0: every reseller (operators)
	OrderNumber int64
	Status      order.CallbackStatus
	Offset      int
	Limit       int
}

// ReprintFilter selects reprints.
type ReprintFilter struct {
	ResellerID  int64 // 0: every reseller's (operators)
	OrderNumber int64 // 0: every order's
	Status      order.ReprintStatus
	Offset      int
	Limit       int // 0: every one (of one order: they are few)
}

// Idempotency is a stored Idempotency-Key.
type Idempotency struct {
	Key         string
	RequestHash []byte
	Done        bool
	Answer      IdempotencyAnswer
	CreatedAt   time.Time
}

// IdempotencyAnswer is the first answer to a request, replayed byte for
// byte. For CreateOrder, Key names the key and Render gives the answer for
// the order once it has its number.
type IdempotencyAnswer struct {
	Key         string
	Status      int
	ContentType string
	Body        []byte
	Render      func(o *order.Order) (status int, contentType string, body []byte, err error)
}
