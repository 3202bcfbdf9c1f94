package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
)

// ordersData is the list page: its filter, its rows and its pages.
type ordersData struct {
	CSV       string // the list as a spreadsheet
	Work      []workCount
	Filter    listFilter
	Shown     []order.Status // what the list can be filtered by: every status, drafts too
	Statuses  []order.Status // what a batch can move orders to
	Rows      []orderRow
	Total     int
	From, To  int
	Prev, Nxt string // links to the pages before and after, if any
}

// listFilter is the list's query, as the filter form shows it.
type listFilter struct {
	Status, Files, Type, Reference, Reseller, Name, From, To string
}

type orderRow struct {
	Number    int64
	Reseller  string
	Reference string
	Status    order.Status
	Files     order.FilesSummary
	Type      order.Type
	Items     int
	Total     string
	Ship      string
	Created   string
}

// GET /console/orders: the orders, newest first, filtered as production
// looks for them (accepted with every file ready, on hold, failed files).
func (s *Server) handleOrders(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	q := r.URL.Query()
	if n := strings.TrimSpace(q.Get("number")); n != "" {
		if v, err := strconv.ParseInt(n, 10, 64); err == nil && v > 0 {
			http.Redirect(w, r, fmt.Sprintf("%s/orders/%d", Base, v), http.StatusSeeOther)
			return
		}
		s.fail(w, r, p, pressroom.Errorf(pressroom.EMALFORMED, "%q is not an order number.", n))
		return
	}
	lf, f, pageNo, err := orderFilter(q)
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	f.Limit, f.Offset, f.WithItems = PerPage, (pageNo-1)*PerPage, true // the rows count them and show their files' state
	list, total, err := s.Store.ListOrders(r.Context(), f)
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	work, err := s.work(r)
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	names := s.resellerNames(r)
	d := ordersData{Work: work, Filter: lf, Shown: order.Statuses, Statuses: order.Statuses[1:], Total: total, CSV: Base + "/orders.csv"}
	if qs := lf.query(); qs != "" {
		d.CSV += "?" + qs
	}
	for _, o := range list {
		d.Rows = append(d.Rows, orderRow{Number: o.Number, Reseller: names.name(o.ResellerID), Reference: o.Reference, Status: o.Status,
			Files: order.FilesOf(o.Items), Type: o.Type, Items: len(o.Items), Total: money(o.Totals.Total.Excl.StringFixed(2), o.Currency),
			Ship: o.Delivery.ShippingDate, Created: s.when(o.CreatedAt)})
	}
	if len(list) > 0 {
		d.From, d.To = f.Offset+1, f.Offset+len(list)
	}
	link := func(pg int) string {
		v := lf.values()
		if pg > 1 {
			v.Set("page", strconv.Itoa(pg))
		}
		if len(v) == 0 {
			return Base + "/orders"
		}
		return Base + "/orders?" + v.Encode()
	}
	if pageNo > 1 {
		d.Prev = link(pageNo - 1)
	}
	if f.Offset+len(list) < total {
		d.Nxt = link(pageNo + 1)
	}
	s.render(w, r, http.StatusOK, "orders", staffPage("Orders", "orders", d))
}

// values is the filter as a query.
func (lf listFilter) values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"status": lf.Status, "files": lf.Files, "type": lf.Type, "reference": lf.Reference, "reseller": lf.Reseller,
		"name": lf.Name, "from": lf.From, "to": lf.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

func (lf listFilter) query() string { return lf.values().Encode() }

// orderFilter reads the orders' filter and page from a query.
func orderFilter(q url.Values) (listFilter, pressroom.OrderFilter, int, error) {
	lf := listFilter{Status: q.Get("status"), Files: q.Get("files"), Type: q.Get("type"), Reference: strings.TrimSpace(q.Get("reference")),
		Reseller: strings.TrimSpace(q.Get("reseller")), Name: strings.TrimSpace(q.Get("name")), From: q.Get("from"), To: q.Get("to")}
	f := pressroom.OrderFilter{Status: order.Status(lf.Status), Files: order.FilesSummary(lf.Files), Type: order.Type(lf.Type),
		Reference: lf.Reference, AddressName: lf.Name, From: lf.From, To: lf.To, Stage: order.StageOrder}
	var bad []pressroom.FieldError
	if f.Status != "" && !f.Status.Valid() {
		bad = append(bad, pressroom.FieldError{Pointer: "?status", Code: "invalid_status", Detail: "not an order status"})
	}
	if f.Status == order.Draft { // drafts are listed only when asked for
		f.Stage = order.StageDraft
	}
	switch f.Files {
	case "", order.FilesReady, order.FilesWaiting, order.FilesFailed:
	default:
		bad = append(bad, pressroom.FieldError{Pointer: "?files", Code: "invalid_files", Detail: "ready, waiting or failed"})
	}
	switch f.Type {
	case "", order.TypeProduction, order.TypeTest:
	default:
		bad = append(bad, pressroom.FieldError{Pointer: "?type", Code: "invalid_type", Detail: "production or test"})
	}
	bad = append(bad, f.DateProblems()...)
	var fe *pressroom.FieldError
	if f.ResellerID, fe = resellerParam(lf.Reseller); fe != nil {
		bad = append(bad, *fe)
	}
	pageNo := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100_000 {
			bad = append(bad, pressroom.FieldError{Pointer: "?page", Code: "invalid_page", Detail: "a page number from 1 to 100000"})
		}
		pageNo = n
	}
	if len(bad) > 0 {
		return lf, f, 0, badFilter(bad...)
	}
	return lf, f, pageNo, nil
}

// workCount is one heap of work waiting for staff, with the page that lists it.
type workCount struct {
	Name  string
	Count int
	Link  string
}

// work counts what waits for staff: production orders to print (accepted,
// every file ready), on hold, with a failed file, in production; reprints
// to decide; callbacks that failed.
func (s *Server) work(r *http.Request) ([]workCount, error) {
	ctx := r.Context()
	var out []workCount
	for _, q := range []struct {
		name, link string
		f          pressroom.OrderFilter
	}{
		{"to print", "?status=accepted&files=ready&type=production", pressroom.OrderFilter{Status: order.Accepted, Files: order.FilesReady, Type: order.TypeProduction}},
		{"on hold", "?status=hold", pressroom.OrderFilter{Status: order.Hold}},
		{"files failed", "?status=accepted&files=failed", pressroom.OrderFilter{Status: order.Accepted, Files: order.FilesFailed}},
		{"in production", "?status=in_production", pressroom.OrderFilter{Status: order.InProduction}},
	} {
		q.f.Stage, q.f.Limit = order.StageOrder, 1
		_, n, err := s.Store.ListOrders(ctx, q.f)
		if err != nil {
			return nil, err
		}
		out = append(out, workCount{q.name, n, Base + "/orders" + q.link})
	}
	_, toDecide, err := s.Store.ListReprints(ctx, pressroom.ReprintFilter{Status: order.ReprintRequested, Limit: 1})
	if err != nil {
		return nil, err
	}
	_, failed, err := s.Store.ListCallbacks(ctx, pressroom.CallbackFilter{Status: order.CallbackFailed, Limit: 1})
	if err != nil {
		return nil, err
	}
	return append(out, workCount{"reprints to decide", toDecide, Base + "/reprints"}, workCount{"callbacks failed", failed, Base + "/callbacks"}), nil
}

// staffPage is a page for a signed-in operator.
func staffPage(title, nav string, d any) page {
	return page{Title: title, SignedIn: true, Nav: nav, Data: d}
}

func money(amount, currency string) string {
	if currency == "" {
		return amount
	}
	return amount + " " + currency
}

// orderData is an order's page.
type orderData struct {
	O         *order.Order
	Reseller  string
	Files     order.FilesSummary
	Total     string
	Created   string
	Updated   string
	Next      []order.Status
	Payments  []order.Payment
	Items     []itemView
	Documents []fileView
	Packages  []packageView
	Events    []eventView
	Reprints  []*order.Reprint
	Callbacks []callbackRow
	// MoreCallbacks says the order has more callbacks than the page lists.
	MoreCallbacks bool
	// Form holds a refused status change's fields, to send again.
	Form map[string]string
}

type itemView struct {
	*order.Item
	Position int
	Price    string
	Options  string
	Files    []fileView
	// Takes says staff may send the item a new file now.
	Takes bool
}

type fileView struct {
	Label    string
	Source   string
	Size     string
	State    order.FileState
	Error    string
	Findings []order.Finding
	// More counts the findings left out: a page shows the first few.
	More int
	Link string // the download, when the bytes are stored
}

// shownFindings is how many of a file's findings a page lists.
const shownFindings = 10

type packageView struct {
	Carrier, Code, URL, Created string
}

type eventView struct {
	At, Actor, Kind, From, To, Reason, Data string
}

// GET /console/orders/{number}
func (s *Server) handleOrder(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var notice string
	switch r.URL.Query().Get("done") {
	case "status":
		notice = "The status was changed; the reseller's callback is on its way."
	case "payment":
		notice = "The payment was changed."
	case "redeliver":
		notice = "The callback is queued to be sent again."
	case "note":
		notice = "The note is in the history, for staff only."
	case "file":
		notice = "The file is stored and being checked; the reseller hears the result."
	}
	s.showOrder(w, r, p, http.StatusOK, notice, nil, nil)
}

// showOrder renders an order's page, with a refused change's problem and
// fields when there is one.
func (s *Server) showOrder(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, status int, notice string, pr *problem, form map[string]string) {
	n, err := pathNumber(r, "number", "order")
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	ctx := r.Context()
	o, err := s.Orders.Get(ctx, 0, n)
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	d := orderData{O: o, Reseller: s.resellerNames(r).name(o.ResellerID), Files: order.FilesOf(o.Items),
		Total: money(o.Totals.Total.Excl.StringFixed(2), o.Currency), Created: s.when(o.CreatedAt), Updated: s.when(o.UpdatedAt),
		Payments: []order.Payment{order.PaymentPending, order.PaymentPaid, order.PaymentOnAccount}, Form: form}
	if o.Stage == order.StageOrder {
		d.Next = slices.DeleteFunc(order.Next(o.Status), func(st order.Status) bool { return st == order.Draft })
	}
	arts, err := s.Store.ListArtwork(ctx, n, 0)
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	for i, it := range o.Items {
		iv := itemView{Item: it, Position: i + 1, Price: money(it.Price.Excl.StringFixed(2), o.Currency), Options: options(it),
			Takes: s.Artwork != nil && artwork.Replaceable(o, it) == nil}
		for _, a := range arts {
			if a.ItemID == it.ID {
				iv.Files = append(iv.Files, s.fileView(o.Number, a, fmt.Sprintf("file %d", a.Index+1),
					fmt.Sprintf("%s/orders/%d/items/%d/files/%d", Base, o.Number, it.ID, a.Index)))
			}
		}
		d.Items = append(d.Items, iv)
	}
	for _, a := range arts {
		if a.ItemID == 0 {
			kind := map[int]string{order.DocPackingSlip: "packing_slip", order.DocShippingLabel: "shipping_label"}[a.Index]
			d.Documents = append(d.Documents, s.fileView(o.Number, a, order.DocumentName(a.Index), fmt.Sprintf("%s/orders/%d/documents/%s", Base, o.Number, kind)))
		}
	}
	pkgs, err := s.Store.ListOrderPackages(ctx, n)
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	for _, pk := range pkgs {
		d.Packages = append(d.Packages, packageView{Carrier: pk.Carrier, Code: pk.TrackingCode, URL: pk.TrackingURL, Created: s.when(pk.CreatedAt)})
	}
	evs, err := s.Store.ListOrderEvents(ctx, n)
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	for i := len(evs) - 1; i >= 0; i-- { // newest first
		ev := evs[i]
		data := string(ev.Data)
		if len(data) > 400 {
			data = data[:400] + " …"
		}
		if data == "null" {
			data = ""
		}
		d.Events = append(d.Events, eventView{At: s.when(ev.At), Actor: ev.Who(), Kind: ev.Kind, From: ev.From, To: ev.To, Reason: ev.Reason, Data: data})
	}
	if d.Reprints, _, err = s.Store.ListReprints(ctx, pressroom.ReprintFilter{OrderNumber: n}); err != nil {
		s.fail(w, r, p, err)
		return
	}
	cbs, total, err := s.Store.ListCallbacks(ctx, pressroom.CallbackFilter{OrderNumber: n, Limit: shownCallbacks})
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	d.Callbacks, d.MoreCallbacks = s.callbackRows(r, cbs), total > len(cbs)
	pg := staffPage(fmt.Sprintf("Order %d", o.Number), "orders", d)
	pg.Problem, pg.Notice = pr, notice
	s.render(w, r, status, "order", pg)
}

// options lists an item's chosen options as "code: value" lines.
func options(it *order.Item) string {
	var opts []struct {
		Code  string `json:"code"`
		Value any    `json:"value"`
	}
	if err := json.Unmarshal(it.Options, &opts); err != nil {
		return string(it.Options)
	}
	var b strings.Builder
	for i, o := range opts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(o.Code)
		if o.Value != nil && o.Value != "" {
			fmt.Fprintf(&b, " %v", o.Value)
		}
	}
	return b.String()
}

func (s *Server) fileView(number int64, a *order.Artwork, label, link string) fileView {
	fv := fileView{Label: label, Source: a.Source, State: a.State, Error: a.Error}
	for _, f := range a.Findings { // a failure's own finding says what its error says
		if f.Message != a.Error {
			fv.Findings = append(fv.Findings, f)
		}
	}
	if a.Source == "url" {
		fv.Source = a.URL
	}
	if len(fv.Findings) > shownFindings {
		fv.Findings, fv.More = fv.Findings[:shownFindings], len(fv.Findings)-shownFindings
	}
	if a.Size > 0 {
		fv.Size = size(a.Size)
	}
	if a.BlobKey != "" {
		fv.Link = link
	}
	return fv
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// POST /console/orders/{number}/status: staff move the order on, as the
// operator API's status endpoint does. A payment change comes the same way
// with the field payment.
func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, ok := s.formFor(w, r, p, "number", "order")
	if !ok {
		return
	}
	fv := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	var err error
	done := "status"
	if pay := fv("payment"); pay != "" {
		_, err = s.Orders.SetPayment(r.Context(), n, order.Payment(pay), order.Staff(p.KeyName))
		done = "payment"
	} else {
		_, err = s.Orders.Advance(r.Context(), n, orders.StatusChange{Status: order.Status(fv("status")), Carrier: fv("carrier"),
			TrackingCode: fv("track_and_trace"), TrackingURL: fv("tracking_url"), Reason: fv("reason")}, order.Staff(p.KeyName))
	}
	if err != nil {
		keep := map[string]string{}
		for _, k := range []string{"status", "carrier", "track_and_trace", "tracking_url", "reason"} {
			keep[k] = fv(k)
		}
		s.refuse(w, r, p, err, keep)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s/orders/%d?done=%s", Base, n, done), http.StatusSeeOther)
}

// formFor reads the id the path names (name; what it is, for a page that
// says there is none) and the posted form; false when it answered.
func (s *Server) formFor(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, name, what string) (int64, bool) {
	id, err := pathNumber(r, name, what)
	if err == nil {
		err = form(w, r)
	}
	if err != nil {
		s.fail(w, r, p, err)
		return 0, false
	}
	return id, true
}

// refuse answers a refused change of an order with its page again: why,
// and the form's fields as they came (keep). An order that does not exist
// is not found.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, err error, keep map[string]string) {
	if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		s.fail(w, r, p, err)
		return
	}
	pr := s.problemOf(r, err)
	s.showOrder(w, r, p, pr.Status, "", &pr, keep)
}

// POST /console/orders/{number}/notes: note=... for the staff's eyes only.
func (s *Server) handleNote(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, ok := s.formFor(w, r, p, "number", "order")
	if !ok {
		return
	}
	if _, err := s.Orders.AddNote(r.Context(), n, r.PostForm.Get("note"), order.Staff(p.KeyName)); err != nil {
		s.refuse(w, r, p, err, map[string]string{"note": r.PostForm.Get("note")})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s/orders/%d?done=note", Base, n), http.StatusSeeOther)
}

// POST /console/orders/{number}/items/{item}/artwork: a multipart form
// with the file as artwork: staff send an item its file (one fixed in
// prepress, or one the reseller sent another way), checked as an upload.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, err := pathNumber(r, "number", "order")
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	item, err := pathNumber(r, "item", "item")
	if err != nil || s.Artwork == nil {
		s.fail(w, r, p, pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %q that takes a file here.", n, r.PathValue("item")))
		return
	}
	file, err := httpx.UploadFile(w, r, s.Artwork.Limit)
	if err == nil {
		_, err = s.Artwork.UploadBy(r.Context(), 0, n, item, file, order.Staff(p.KeyName))
	}
	if pressroom.ErrorCode(err) == pressroom.EMALFORMED {
		err = &pressroom.Error{Code: pressroom.EMALFORMED, Message: "The form could not be read: " + pressroom.ErrorMessage(err), Fields: pressroom.ErrorFields(err)}
	}
	if err != nil {
		s.refuse(w, r, p, err, nil)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s/orders/%d?done=file", Base, n), http.StatusSeeOther)
}

// GET /console/orders/{number}/items/{item}/files/{index}: the stored
// print file, as the operator API serves it.
func (s *Server) handleFile(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	w.Header().Del("Cache-Control") // the bytes have an ETag; the page's no-store is not theirs
	s.Files(w, r, p)
}

// GET /console/orders/{number}/documents/{kind}: the packing slip or label.
func (s *Server) handleDocument(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	w.Header().Del("Cache-Control")
	s.Documents(w, r, p)
}

// reprintsData is the reprints page.
type reprintsData struct {
	Status string
	Rows   []reprintRow
	Total  int
}

type reprintRow struct {
	*order.Reprint
	Reseller string
	Created  string
	Decided  string
	Items    string
	// Times are what an approval may choose, for a reprint that waits:
	// the original's is selected.
	Times []timeOption
}

type timeOption struct {
	Code, Label string
	Selected    bool
}

// GET /console/reprints: the requests that wait for staff (or all of a status).
func (s *Server) handleReprints(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	st, err := statusParam(r, string(order.ReprintRequested), string(order.ReprintApproved), string(order.ReprintRejected))
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	list, total, err := s.Store.ListReprints(r.Context(), pressroom.ReprintFilter{Status: order.ReprintStatus(st), Limit: PerPage})
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	names := s.resellerNames(r)
	d := reprintsData{Status: st, Total: total}
	for _, rp := range list {
		row := reprintRow{Reprint: rp, Reseller: names.name(rp.ResellerID), Created: s.when(rp.CreatedAt)}
		if rp.DecidedAt != nil {
			row.Decided = s.when(*rp.DecidedAt)
		}
		row.Items = rp.ItemList()
		if rp.Status == order.ReprintRequested {
			times, original, err := s.Orders.ReprintTimes(r.Context(), rp)
			if err != nil {
				s.fail(w, r, p, err)
				return
			}
			for _, t := range times {
				label := t.Code
				if t.Days != nil {
					label = fmt.Sprintf("%s (%d business days)", t.Code, *t.Days)
				}
				row.Times = append(row.Times, timeOption{Code: t.Code, Label: label, Selected: t.Code == original})
			}
		}
		d.Rows = append(d.Rows, row)
	}
	pg := staffPage("Reprints", "reprints", d)
	q := r.URL.Query()
	if id, ord := q.Get("approved"), q.Get("order"); id != "" {
		if _, err := strconv.ParseInt(id, 10, 64); err == nil {
			if _, err := strconv.ParseInt(ord, 10, 64); err == nil {
				pg.Notice = fmt.Sprintf("Reprint %s was approved: order %s will print it.", id, ord)
			}
		}
	} else if id := q.Get("rejected"); id != "" {
		if _, err := strconv.ParseInt(id, 10, 64); err == nil {
			pg.Notice = fmt.Sprintf("Reprint %s was rejected.", id)
		}
	}
	s.render(w, r, http.StatusOK, "reprints", pg)
}

// POST /console/reprints/{id}: decision=approve|reject, with a note; an
// approval at production_time when given (the form always sends one).
func (s *Server) handleDecide(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	id, ok := s.formFor(w, r, p, "id", "reprint")
	if !ok {
		return
	}
	var approve bool
	switch r.PostForm.Get("decision") {
	case "approve":
		approve = true
	case "reject":
	default:
		s.fail(w, r, p, &pressroom.Error{Code: pressroom.EMALFORMED, Message: "Say whether to approve or reject the reprint.",
			Fields: []pressroom.FieldError{{Pointer: "decision", Code: "invalid_decision", Detail: "approve or reject"}}})
		return
	}
	d := orders.Decision{Approve: approve, Note: strings.TrimSpace(r.PostForm.Get("note")), By: p.KeyName}
	if approve {
		d.ProductionTime = r.PostForm.Get("production_time")
	}
	rp, err := s.Orders.DecideReprint(r.Context(), id, d)
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	if approve {
		http.Redirect(w, r, fmt.Sprintf("%s/reprints?approved=%d&order=%d", Base, rp.ID, rp.NewOrder), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s/reprints?rejected=%d", Base, rp.ID), http.StatusSeeOther)
}

// statusParam reads the query's status: dflt when it is absent, "" (all)
// when it is empty, else dflt or one of others.
func statusParam(r *http.Request, dflt string, others ...string) (string, error) {
	vs, ok := r.URL.Query()["status"]
	if !ok {
		return dflt, nil
	}
	if st := vs[0]; st == "" || st == dflt || slices.Contains(others, st) {
		return st, nil
	}
	return "", badFilter(pressroom.FieldError{Pointer: "?status", Code: "invalid_status", Detail: dflt + ", " + strings.Join(others, ", ") + " or empty (all)"})
}

// resellerParam reads a filter's reseller id ("": every reseller).
func resellerParam(v string) (int64, *pressroom.FieldError) {
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, &pressroom.FieldError{Pointer: "?reseller", Code: "invalid_id", Detail: "a reseller's id"}
	}
	return id, nil
}

// badFilter is a list page's answer to a query it cannot take.
func badFilter(fields ...pressroom.FieldError) error {
	return &pressroom.Error{Code: pressroom.EMALFORMED, Message: "The filter is not valid.", Fields: fields}
}

// shownCallbacks is how many of an order's callbacks its page lists.
const shownCallbacks = 50

// callbackRow is one callback as the pages list it.
type callbackRow struct {
	*order.Callback
	Reseller  string
	Occurred  string
	Next      string
	Finished  string
	Resend    bool // delivered or failed: it may be sent again
	LastError string
}

func (s *Server) callbackRows(r *http.Request, cbs []*order.Callback) []callbackRow {
	names := s.resellerNames(r)
	var out []callbackRow
	for _, cb := range cbs {
		row := callbackRow{Callback: cb, Reseller: names.name(cb.ResellerID), Occurred: s.when(cb.OccurredAt),
			Resend: cb.Status != order.CallbackPending, LastError: cb.LastError}
		if cb.NextAttemptAt != nil && cb.Status == order.CallbackPending {
			row.Next = s.when(*cb.NextAttemptAt)
		}
		if cb.FinishedAt != nil {
			row.Finished = s.when(*cb.FinishedAt)
		}
		out = append(out, row)
	}
	return out
}

// callbacksData is the callbacks page.
type callbacksData struct {
	Status, Reseller string
	Rows             []callbackRow
	Total            int
}

// GET /console/callbacks: the callbacks that failed (or are pending, or
// all), newest first: the resellers whose endpoints do not answer.
func (s *Server) handleCallbacks(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	st, err := statusParam(r, string(order.CallbackFailed), string(order.CallbackPending), string(order.CallbackDelivered))
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	f := pressroom.CallbackFilter{Status: order.CallbackStatus(st), Limit: PerPage}
	res := strings.TrimSpace(r.URL.Query().Get("reseller"))
	var fe *pressroom.FieldError
	if f.ResellerID, fe = resellerParam(res); fe != nil {
		s.fail(w, r, p, badFilter(*fe))
		return
	}
	cbs, total, err := s.Store.ListCallbacks(r.Context(), f)
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	s.render(w, r, http.StatusOK, "callbacks", staffPage("Callbacks", "callbacks", callbacksData{Status: st, Reseller: res, Rows: s.callbackRows(r, cbs), Total: total}))
}

// POST /console/callbacks/{id}/redeliver: send a delivered or failed
// callback again (the reseller's own redeliver, for support), then back to
// its order.
func (s *Server) handleRedeliver(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	id, ok := s.formFor(w, r, p, "id", "callback")
	if !ok {
		return
	}
	cb, _, err := s.Store.FindCallback(r.Context(), 0, id)
	if err == nil {
		cb, err = s.Store.RedeliverCallback(r.Context(), cb.ResellerID, id)
	}
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	if cb.OrderNumber == 0 { // a receiver's test callback
		http.Redirect(w, r, Base+"/callbacks?status=pending", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s/orders/%d?done=redeliver", Base, cb.OrderNumber), http.StatusSeeOther)
}

type resellerRow struct {
	*pressroom.Reseller
	Created string
}

// GET /console/resellers: who sells through the company, with their
// settings and links to their orders and callbacks. Resellers and keys
// are changed with the CLI or the operator API.
func (s *Server) handleResellers(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	list, err := s.Store.ListResellers(r.Context())
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	rows := make([]resellerRow, len(list))
	for i, res := range list {
		rows[i] = resellerRow{Reseller: res, Created: s.when(res.CreatedAt)}
	}
	s.render(w, r, http.StatusOK, "resellers", staffPage("Resellers", "resellers", rows))
}

// bulkRow is what became of one order of a batch.
type bulkRow struct {
	Number  int64
	Status  order.Status // after the change, when it was made
	Problem string
}

type bulkData struct {
	To             order.Status
	Rows           []bulkRow
	Moved, Refused int
}

// POST /console/orders/status: number (one per selected order, at most
// PerPage) and status: production starts or ships a batch at once. Each
// order is changed on its own, as the operator API would; the page says
// what became of each.
func (s *Server) handleBulkStatus(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if err := form(w, r); err != nil {
		s.fail(w, r, p, err)
		return
	}
	to := order.Status(r.PostForm.Get("status"))
	var bad []pressroom.FieldError
	if !to.Valid() || to == order.Draft {
		bad = append(bad, pressroom.FieldError{Pointer: "status", Code: "invalid_status", Detail: "an order status to move the selected orders to"})
	}
	raw := r.PostForm["number"]
	switch {
	case len(raw) == 0:
		bad = append(bad, pressroom.FieldError{Pointer: "number", Code: "required", Detail: "select the orders to move"})
	case len(raw) > PerPage:
		bad = append(bad, pressroom.FieldError{Pointer: "number", Code: "too_many", Detail: fmt.Sprintf("at most %d orders at once", PerPage)})
	}
	var numbers []int64
	for _, v := range raw {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			bad = append(bad, pressroom.FieldError{Pointer: "number", Code: "invalid_number", Detail: fmt.Sprintf("%q is not an order number", v)})
			break
		}
		if !slices.Contains(numbers, n) {
			numbers = append(numbers, n)
		}
	}
	if len(bad) > 0 {
		s.fail(w, r, p, &pressroom.Error{Code: pressroom.EMALFORMED, Message: "The selection cannot be moved.", Fields: bad})
		return
	}
	d := bulkData{To: to}
	for _, n := range numbers {
		o, err := s.Orders.Advance(r.Context(), n, orders.StatusChange{Status: to}, order.Staff(p.KeyName))
		switch code := pressroom.ErrorCode(err); {
		case err == nil:
			d.Rows, d.Moved = append(d.Rows, bulkRow{Number: n, Status: o.Status}), d.Moved+1
		case code == pressroom.EINTERNAL || code == pressroom.EUNAVAILABLE:
			s.fail(w, r, p, err) // the rest is not tried: the store is in trouble
			return
		default:
			d.Rows, d.Refused = append(d.Rows, bulkRow{Number: n, Problem: pressroom.ErrorMessage(err)}), d.Refused+1
		}
	}
	s.render(w, r, http.StatusOK, "bulk", staffPage(fmt.Sprintf("Moved to %s", to), "orders", d))
}
