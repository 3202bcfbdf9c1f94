package console

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pressroom/pressroom"
)

// MaxExport is the most orders one export holds: a larger one asks for a
// narrower filter (days placed) rather than holding a request for minutes.
const MaxExport = 10_000

// exportPage is how many orders an export reads at a time.
const exportPage = 500

var exportHeader = []string{"number", "reseller_id", "reseller", "id", "reference", "purchase_order", "type", "status", "payment",
	"order_date", "shipping_date", "delivery_date", "shipping_method", "delivery_name", "postal_code", "city", "country",
	"currency", "total_excl_vat", "total_incl_vat", "created_at"}

// GET /console/orders.csv: the list's orders (its filter, every page) as a
// spreadsheet, oldest first: for accounting, shipping lists, a reseller's
// statement. Amounts are exact, to the cent; times are UTC.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	lf, f, _, err := orderFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, p, err)
		return
	}
	f.Ascending, f.Limit = true, 1
	if _, total, err := s.Store.ListOrders(r.Context(), f); err != nil {
		s.fail(w, r, p, err)
		return
	} else if total > MaxExport {
		s.fail(w, r, p, pressroom.Errorf(pressroom.EINVALID, "%d orders match; an export holds at most %d. Narrow it, by the days placed for one.", total, MaxExport))
		return
	}
	name := "orders-" + s.Clock.Now().UTC().Format("20060102-150405") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	cw := csv.NewWriter(w)
	cw.Write(exportHeader)
	names := s.resellerNames(r)
	f.Limit = exportPage
	for f.Offset = 0; f.Offset < MaxExport; f.Offset += exportPage {
		list, _, err := s.Store.ListOrders(r.Context(), f)
		if err != nil {
			// The header is out: the file ends here, and the log says why.
			s.Logger.Error("console export", "filter", lf.query(), "err", err)
			cw.Flush()
			return
		}
		for _, o := range list {
			a := o.Delivery.Address
			cw.Write([]string{strconv.FormatInt(o.Number, 10), strconv.FormatInt(o.ResellerID, 10), cell(names.name(o.ResellerID)), cell(o.OwnID),
				cell(o.Reference), cell(o.PurchaseOrder), string(o.Type), string(o.Status), string(o.Payment),
				o.OrderDate, o.Delivery.ShippingDate, o.Delivery.DeliveryDate, cell(o.Delivery.ShippingMethod), cell(a.Name()), cell(a.PostalCode),
				cell(a.City), cell(a.Country), o.Currency, o.Totals.Total.Excl.StringFixed(2), o.Totals.Total.Incl.StringFixed(2),
				o.CreatedAt.UTC().Format(time.RFC3339)})
		}
		if len(list) < exportPage {
			break
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.Logger.Warn("console export", "err", err)
	}
}

// cell keeps a text from being read as a formula by a spreadsheet (a
// reseller's reference or a customer's name starting with =, +, - or @).
func cell(v string) string {
	v = strings.TrimSpace(v)
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
