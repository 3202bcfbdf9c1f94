package profotonet

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
)

type reprintEntryIn struct {
	ReferenceID flex   `json:"referenceId"`
	Quantity    *int64 `json:"quantity"`
}

type reprintIn struct {
	Test        bool             `json:"test"`
	ReferenceID flex             `json:"referenceId"`
	Entries     []reprintEntryIn `json:"entries"`
	Reason      string           `json:"reason"`
	Note        string           `json:"note"`
}

type reprintOut struct {
	ID      string `json:"id"`
	OrderID int64  `json:"orderId"`
}

// POST /reprint: entries of a produced order made again, within 28 days,
// for one of the document's reasons, once staff approve; a test request
// is checked against the order and stores nothing.
func (s *Server) handleReprint(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var in reprintIn
	if err := decode(w, r, &in); err != nil {
		s.fail(w, err, fieldOf)
		return
	}
	var missing []fieldError
	for _, f := range []struct{ name, v string }{{"referenceId", string(in.ReferenceID)}, {"reason", in.Reason}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, fieldError{f.name, "Invalid parameter: " + f.name + " is required"})
		}
	}
	if len(in.Entries) == 0 {
		missing = append(missing, fieldError{"entries", "Invalid parameter: entries is required"})
	}
	for i, e := range in.Entries {
		if strings.TrimSpace(string(e.ReferenceID)) == "" {
			missing = append(missing, fieldError{fmt.Sprintf("entries[%d].referenceId", i), "Invalid parameter: referenceId is required"})
		}
	}
	if len(missing) > 0 {
		writeErrors(w, http.StatusBadRequest, missing...)
		return
	}
	if len(in.Entries) > orders.MaxItems {
		writeErrors(w, http.StatusUnprocessableEntity, fieldError{"entries", fmt.Sprintf("At most %d entries", orders.MaxItems)})
		return
	}
	if !in.Test && p.Reseller.Edition == pressroom.EditionFree {
		writeErrors(w, http.StatusForbidden, fieldError{"", "Illegal action: the free edition cannot ask for reprints"})
		return
	}
	o, err := s.findOrder(r.Context(), p.Reseller.ID, string(in.ReferenceID))
	if err != nil {
		s.fail(w, withField(err, "referenceId"), fieldOf)
		return
	}
	var items []order.ReprintItem
	var wrong []fieldError
	for i, e := range in.Entries {
		var it *order.Item
		for _, x := range o.Items {
			if x.Reference == string(e.ReferenceID) {
				it = x
			}
		}
		switch {
		case it == nil:
			wrong = append(wrong, fieldError{fmt.Sprintf("entries[%d].referenceId", i), fmt.Sprintf("Order %s has no entry %s", in.ReferenceID, e.ReferenceID)})
		case e.Quantity == nil:
			items = append(items, order.ReprintItem{ItemID: it.ID, Left: true})
		default:
			items = append(items, order.ReprintItem{ItemID: it.ID, Quantity: decimal.NewFromInt(*e.Quantity)})
		}
	}
	if len(wrong) > 0 {
		writeErrors(w, http.StatusUnprocessableEntity, wrong...)
		return
	}
	do := s.Orders.RequestReprint
	if in.Test {
		do = s.Orders.CheckReprint
	}
	rp, err := do(r.Context(), p.Reseller, o.Number, in.Reason, in.Note, items)
	if err != nil {
		if pressroom.ErrorCode(err) == pressroom.ECONFLICT {
			// Too late, or not produced yet: an illegal action here.
			writeErrors(w, http.StatusForbidden, fieldError{"referenceId", "Illegal action: " + pressroom.ErrorMessage(err)})
			return
		}
		s.fail(w, err, func(ptr string) string {
			var i int
			if _, err := fmt.Sscanf(ptr, "/items/%d/", &i); err == nil {
				return fmt.Sprintf("entries[%d].quantity", i)
			}
			return strings.TrimPrefix(ptr, "/")
		})
		return
	}
	id := testID()
	if !in.Test {
		id = objectID("repr", rp.ID)
	}
	writeData(w, reprintOut{ID: id, OrderID: o.Number})
}

// callbackOut is the document's status callback.
type callbackOut struct {
	ID                string `json:"id"`
	OrderID           int64  `json:"orderId,omitempty"`
	ReferenceID       string `json:"referenceId"`
	Status            string `json:"status"`
	TrackAndTraceCode string `json:"trackAndTraceCode,omitempty"`
}

// CallbackBody renders a callback of an order placed through this API as
// the document shows it: the order's id, its orderId once its files are
// in, the reseller's referenceId, its status in this API's words and the
// newest track and trace code.
func CallbackBody(cb *order.Callback) []byte {
	if cb.Type == "test" {
		return cb.Payload // made whole when it was queued
	}
	var snap orders.Snapshot
	if err := json.Unmarshal(cb.Payload, &snap); err != nil {
		return cb.Payload
	}
	files := make([]order.FileState, len(snap.Items))
	for i, it := range snap.Items {
		files[i] = it.FileState
	}
	out := callbackOut{ID: objectID("pres", snap.Number), ReferenceID: snap.ID, Status: status(snap.Status, files, false)}
	if cb.Type == "order.created" {
		out.Status = "accepted" // as the insert answered
	}
	if downloaded(files) {
		out.OrderID = snap.Number
	}
	if n := len(snap.Packages); n > 0 {
		out.TrackAndTraceCode = snap.Packages[n-1].TrackingCode
	}
	b, _ := json.Marshal(out)
	return b
}
