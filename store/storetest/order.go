package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
)

// NewOrder is an accepted order of the reseller with two items: a
// dibond awaiting its file and a spacer that needs none.
func NewOrder(resellerID int64, ownID string) *order.Order {
	d := decimal.RequireFromString
	return &order.Order{
		ResellerID: resellerID, OwnID: ownID, TrackingToken: fmt.Sprintf("t-%d-%s", resellerID, ownID), Reference: "ref " + ownID, Type: order.TypeProduction, Stage: order.StageOrder,
		Status: order.Accepted, Payment: order.PaymentOnAccount, OrderDate: "2026-11-23", Currency: "EUR", VATRate: d("0.21"),
		ProductionTime: "480", CallbackURLs: []string{"https://shop.example/cb"},
		Delivery: order.Delivery{Address: order.Address{CompanyName: "Probo Sign", Country: "NL", City: "Dokkum"}, ShippingMethod: "onbezorgd-standard",
			ShippingDate: "2026-12-21", DeliveryDate: "2026-12-23"},
		Totals: order.Totals{Subtotal: order.Money{Excl: d("9.38"), Incl: d("11.3498")}},
		Items: []*order.Item{
			{Product: "dibond", Options: json.RawMessage(`[{"code":"width","value":"40"}]`), Amount: d("5"), Price: order.Money{Excl: d("9.38"), Incl: d("11.3498")}, FileState: order.FileAwaiting},
			{Product: "side-grip-spacer-2-5mm", Options: json.RawMessage(`[]`), Amount: d("2"), FileState: order.FileNone, Backprint: "Hello"},
		},
	}
}

func created(actor order.Actor) *order.Event {
	return &order.Event{Actor: actor, Kind: "created", To: string(order.Accepted)}
}

func testOrders(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	b := MustCreateReseller(t, s, "B")
	o := NewOrder(a.ID, "1112")
	if err := s.CreateOrder(ctx, o, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	if o.Number <= 1000000 || o.Version != 1 || o.Items[0].ID == 0 || o.Items[1].Position != 2 || o.CreatedAt.IsZero() {
		t.Errorf("created = number %d version %d items %+v", o.Number, o.Version, o.Items[0])
	}
	got, err := s.FindOrder(ctx, a.ID, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.OwnID != "1112" || got.Status != order.Accepted || got.Delivery.Address.City != "Dokkum" || !got.VATRate.Equal(decimal.RequireFromString("0.21")) ||
		len(got.Items) != 2 || got.Items[1].Backprint != "Hello" || !got.Items[0].Amount.Equal(decimal.NewFromInt(5)) ||
		!got.Totals.Subtotal.Incl.Equal(decimal.RequireFromString("11.3498")) || got.OrderDate != "2026-11-23" || !got.CreatedAt.Equal(o.CreatedAt) {
		t.Errorf("found = %+v", got)
	}
	if _, err := s.FindOrder(ctx, 0, o.Number); err != nil {
		t.Errorf("operators find any order: %v", err)
	}
	if tr, err := s.FindOrderByTrackingToken(ctx, o.TrackingToken); err != nil || tr.Number != o.Number {
		t.Errorf("by tracking token: %v, %v", tr, err)
	}
	_, err = s.FindOrderByTrackingToken(ctx, "nope")
	wantCode(t, err, pressroom.ENOTFOUND)
	_, err = s.FindOrder(ctx, b.ID, o.Number)
	wantCode(t, err, pressroom.ENOTFOUND)

	// The own id is unique per reseller until released; the error names the order.
	dup := NewOrder(a.ID, "1112")
	dup.TrackingToken += "-dup"
	err = s.CreateOrder(ctx, dup, created(order.ActorReseller), nil)
	wantCode(t, err, pressroom.ECONFLICT)
	if !strings.Contains(err.Error(), fmt.Sprint(o.Number)) {
		t.Errorf("duplicate own id error does not name order %d: %v", o.Number, err)
	}
	other := NewOrder(b.ID, "1112")
	if err := s.CreateOrder(ctx, other, created(order.ActorReseller), nil); err != nil {
		t.Errorf("another reseller may use the same own id: %v", err)
	}

	// Changes compare versions: a stale change is refused whole.
	stale := *got
	got.Status = order.Cancelled
	if err := s.UpdateOrder(ctx, got, false, []*order.Event{{Actor: order.ActorOperator, By: "Anna (print room)", Kind: "status", From: "accepted", To: "cancelled"}}, nil); err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 {
		t.Errorf("version after update = %d", got.Version)
	}
	stale.Status = order.InProduction
	wantCode(t, s.UpdateOrder(ctx, &stale, false, []*order.Event{{Actor: order.ActorOperator, Kind: "status"}}, nil), pressroom.ECONFLICT)
	evs, _ := s.ListOrderEvents(ctx, o.Number)
	if len(evs) != 2 || evs[0].Kind != "created" || evs[1].To != "cancelled" || evs[1].At.IsZero() || evs[0].By != "" || evs[1].By != "Anna (print room)" {
		t.Errorf("events = %v", evs)
	}
	gone := NewOrder(a.ID, "gone")
	gone.Number, gone.Version = 424242, 1
	wantCode(t, s.UpdateOrder(ctx, gone, false, nil, nil), pressroom.ENOTFOUND)

	// Released, the own id is free again.
	got.Released = true
	if err := s.UpdateOrder(ctx, got, false, []*order.Event{{Actor: order.ActorReseller, Kind: "released"}}, nil); err != nil {
		t.Fatal(err)
	}
	again := NewOrder(a.ID, "1112")
	again.TrackingToken += "-again"
	first := created(order.ActorOperator) // as an approved reprint's order
	first.By = "Bram"
	if err := s.CreateOrder(ctx, again, first, nil); err != nil {
		t.Fatalf("reuse a released id: %v", err)
	}
	if evs, _ := s.ListOrderEvents(ctx, again.Number); len(evs) != 1 || evs[0].By != "Bram" {
		t.Errorf("a new order's first event: %+v", evs)
	}

	// Packages.
	again.Status = order.InProduction
	if err := s.UpdateOrder(ctx, again, false, nil, []*order.Package{{Carrier: "postnl", TrackingCode: "3SYMFU0000001", TrackingURL: "https://jouw.postnl.nl/x"}}); err != nil {
		t.Fatal(err)
	}
	pk, _ := s.ListOrderPackages(ctx, again.Number)
	if len(pk) != 1 || pk[0].TrackingCode != "3SYMFU0000001" || pk[0].ID == 0 {
		t.Errorf("packages = %v", pk)
	}

	// Listing and filters.
	for i := 0; i < 3; i++ {
		x := NewOrder(a.ID, fmt.Sprintf("L%d", i))
		x.Delivery.Address.CompanyName = fmt.Sprintf("Bakkerij %d", i)
		x.Delivery.Address.FirstName, x.Delivery.Address.LastName = "Joke", fmt.Sprintf("de Vries-%d", i)
		x.OrderDate = fmt.Sprintf("2026-11-2%d", i+4)
		if err := s.CreateOrder(ctx, x, created(order.ActorReseller), nil); err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := s.ListOrders(ctx, pressroom.OrderFilter{ResellerID: a.ID, Limit: 2})
	if err != nil || total != 5 || len(list) != 2 || list[0].OwnID != "L2" {
		t.Errorf("list = %d of %d, first %v, %v", len(list), total, list, err)
	}
	if list[0].Items != nil || list[1].Items != nil {
		t.Errorf("a list without WithItems has items: %v, %v", list[0].Items, list[1].Items)
	}
	// With its items: each order's, in their order, as FindOrder has them, in one read.
	list, _, err = s.ListOrders(ctx, pressroom.OrderFilter{ResellerID: a.ID, Limit: 4, WithItems: true})
	if err != nil || len(list) != 4 {
		t.Fatalf("list with items = %d orders, %v", len(list), err)
	}
	for _, o := range list {
		one, err := s.FindOrder(ctx, a.ID, o.Number)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Items) != 2 || !reflect.DeepEqual(o.Items, one.Items) {
			t.Errorf("order %d listed with items %+v, found with %+v", o.Number, o.Items, one.Items)
		}
	}
	for name, f := range map[string]pressroom.OrderFilter{
		"status":  {ResellerID: a.ID, Status: order.Cancelled, Limit: 10},
		"own id":  {ResellerID: a.ID, OwnID: "L1", Limit: 10},
		"address": {ResellerID: a.ID, AddressName: "bakkerij 2", Limit: 10},
		// The person too, though there is a company: the contact who calls.
		"contact":             {ResellerID: a.ID, AddressName: "Vries-1", Limit: 10},
		"company and contact": {ResellerID: a.ID, AddressName: "bakkerij 0 joke", Limit: 10},
		"dates":               {ResellerID: a.ID, From: "2026-11-25", To: "2026-11-25", Limit: 10},
	} {
		if list, total, err := s.ListOrders(ctx, f); err != nil || total != 1 || len(list) != 1 {
			t.Errorf("filter %s: %d orders, %v", name, total, err)
		}
	}
	// A's five: three accepted, one cancelled, one in production.
	for want, any := range map[int][]order.Status{
		4: {order.Accepted, order.Cancelled}, 5: {order.Accepted, order.Cancelled, order.InProduction},
		1: {order.InProduction}, 0: {order.ShipmentDelivered, order.Hold},
	} {
		if list, total, err := s.ListOrders(ctx, pressroom.OrderFilter{ResellerID: a.ID, AnyStatus: any, Limit: 10}); err != nil || total != want || len(list) != want {
			t.Errorf("any of %v: %d orders (a page of %d), want %d; %v", any, total, len(list), want, err)
		}
	}
	if _, total, _ := s.ListOrders(ctx, pressroom.OrderFilter{Limit: 10}); total != 6 {
		t.Errorf("every reseller's orders: %d", total)
	}
}

// testOrderPages: pages of a listing come newest first (or oldest, asked)
// at their offset, with the total, whether the filter matches many orders
// or few (SQLite reads them differently, see its ListOrders), and a page
// past the end is empty.
func testOrderPages(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	const n = 1200
	Fill(t, n, func(i int64) error {
		o := NewOrder(a.ID, fmt.Sprint("p-", i))
		o.TrackingToken = fmt.Sprint("page-", i)
		// Orders 1-1150 on the 1st of December, the rest on the 2nd.
		o.OrderDate = "2026-12-01"
		if i > 1150 {
			o.OrderDate = "2026-12-02"
		}
		return s.CreateOrder(ctx, o, created(order.ActorReseller), nil)
	})
	all, total, err := s.ListOrders(ctx, pressroom.OrderFilter{ResellerID: a.ID, Limit: n})
	if err != nil || total != n || len(all) != n {
		t.Fatalf("all: %d of %d, %v", len(all), total, err)
	}
	byDate := map[string][]int64{} // numbers newest first, per date
	for _, o := range all {
		byDate[o.OrderDate] = append(byDate[o.OrderDate], o.Number)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Number >= all[i-1].Number {
			t.Fatalf("not newest first at %d: %d after %d", i, all[i].Number, all[i-1].Number)
		}
	}
	for _, tc := range []struct {
		name  string
		f     pressroom.OrderFilter
		want  []int64 // the page's numbers
		total int
	}{
		{"many, a page inside", pressroom.OrderFilter{From: "2026-12-01", To: "2026-12-01", Offset: 100, Limit: 25}, byDate["2026-12-01"][100:125], 1150},
		{"many, from", pressroom.OrderFilter{From: "2026-12-01", Offset: 1190, Limit: 25}, append(byDate["2026-12-02"], byDate["2026-12-01"]...)[1190:], n},
		{"few", pressroom.OrderFilter{From: "2026-12-02", Offset: 10, Limit: 25}, byDate["2026-12-02"][10:35], 50},
		{"few, oldest first", pressroom.OrderFilter{From: "2026-12-02", Ascending: true, Limit: 3}, []int64{byDate["2026-12-02"][49], byDate["2026-12-02"][48], byDate["2026-12-02"][47]}, 50},
		{"none", pressroom.OrderFilter{From: "2026-12-03", Limit: 25}, nil, 0},
		{"past the end", pressroom.OrderFilter{From: "2026-12-02", Offset: 50, Limit: 25}, nil, 50},
	} {
		tc.f.ResellerID = a.ID
		list, total, err := s.ListOrders(ctx, tc.f)
		var got []int64
		for _, o := range list {
			got = append(got, o.Number)
		}
		if err != nil || total != tc.total || fmt.Sprint(got) != fmt.Sprint(tc.want) || list == nil {
			t.Errorf("%s: %v of %d (%v), want %v of %d", tc.name, got, total, err, tc.want, tc.total)
		}
	}
}

// testOrderRace: two changes made at one version; exactly one wins.
func testOrderRace(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	o := NewOrder(a.ID, "race")
	if err := s.CreateOrder(ctx, o, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, to := range []order.Status{order.Cancelled, order.InProduction} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := *o
			c.Status = to
			errs[i] = s.UpdateOrder(ctx, &c, false, []*order.Event{{Actor: order.ActorSystem, Kind: "status", To: string(to)}}, nil)
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		} else if pressroom.ErrorCode(err) != pressroom.ECONFLICT {
			t.Errorf("loser: %v, want a conflict", err)
		}
	}
	evs, _ := s.ListOrderEvents(ctx, o.Number)
	if wins != 1 || len(evs) != 2 {
		t.Errorf("%d winners, %d events; want 1 and 2", wins, len(evs))
	}
}

// testOrderEventAlone: an event that changes nothing of its order (a staff
// note) joins the history and leaves the order as it was: its version, so
// a change read before still writes, and its updated_at.
func testOrderEventAlone(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	o := NewOrder(a.ID, "noted")
	if err := s.CreateOrder(ctx, o, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	before, err := s.FindOrder(ctx, a.ID, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	note := &order.Event{OrderNumber: o.Number, Actor: order.ActorOperator, By: "Anna", Kind: order.EventNote, Reason: "customer called"}
	if err := s.AddOrderEvent(ctx, note); err != nil {
		t.Fatal(err)
	}
	if note.ID == 0 || note.At.IsZero() {
		t.Errorf("the stored note has id %d, at %v", note.ID, note.At)
	}
	after, _ := s.FindOrder(ctx, a.ID, o.Number)
	if after.Version != before.Version || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("the note changed the order: version %d -> %d, updated %v -> %v", before.Version, after.Version, before.UpdatedAt, after.UpdatedAt)
	}
	evs, _ := s.ListOrderEvents(ctx, o.Number)
	if len(evs) != 2 || evs[1].ID != note.ID || evs[1].Kind != order.EventNote || evs[1].Reason != "customer called" || evs[1].By != "Anna" {
		t.Errorf("events %+v", evs)
	}
	// A change read before the note still writes.
	before.Status = order.InProduction
	if err := s.UpdateOrder(ctx, before, false, []*order.Event{{Actor: order.ActorOperator, Kind: "status", To: string(order.InProduction)}}, nil); err != nil {
		t.Errorf("a change read before the note: %v", err)
	}
	wantCode(t, s.AddOrderEvent(ctx, &order.Event{OrderNumber: 1 << 40, Actor: order.ActorOperator, Kind: order.EventNote, Reason: "x"}), pressroom.ENOTFOUND)
	if evs, _ := s.ListOrderEvents(ctx, 1<<40); len(evs) != 0 {
		t.Errorf("events of no order: %+v", evs)
	}
}

// testOrderItem: a change of an order and one of its items writes that
// item alone, at the order's version, or nothing.
func testOrderItem(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	o := NewOrder(a.ID, "one-item")
	o.Items = append(o.Items, &order.Item{Product: "airtex", Options: json.RawMessage(`[]`), Amount: decimal.NewFromInt(3), FileState: order.FileAwaiting})
	if err := s.CreateOrder(ctx, o, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	other := NewOrder(a.ID, "other")
	if err := s.CreateOrder(ctx, other, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	version := o.Version
	stale := *o
	// Item 3's file passed; the order is held. Item 1 is changed in memory
	// too, and must not be written.
	o.Items[2].FileState = order.FilePassed
	o.Items[0].Reference = "not written"
	o.Status = order.Hold
	ev := &order.Event{Actor: order.ActorSystem, Kind: "file", From: "awaiting", To: "passed", Reason: "item 3"}
	if err := s.UpdateOrderItem(ctx, o, o.Items[2], []*order.Event{ev}); err != nil {
		t.Fatal(err)
	}
	if o.Version != version+1 {
		t.Errorf("version %d after the change, want %d", o.Version, version+1)
	}
	got, err := s.FindOrder(ctx, a.ID, o.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != o.Version || got.Status != order.Hold || len(got.Items) != 3 {
		t.Fatalf("stored version %d status %s with %d items", got.Version, got.Status, len(got.Items))
	}
	if got.Items[2].FileState != order.FilePassed || got.Items[2].ID != o.Items[2].ID || !got.Items[2].Amount.Equal(decimal.NewFromInt(3)) {
		t.Errorf("the changed item = %+v", got.Items[2])
	}
	if got.Items[0].Reference != "" || got.Items[0].FileState != order.FileAwaiting || got.Items[1].Backprint != "Hello" {
		t.Errorf("the other items were written: %+v, %+v", got.Items[0], got.Items[1])
	}
	evs, _ := s.ListOrderEvents(ctx, o.Number)
	if len(evs) != 2 || evs[1].Kind != "file" || evs[1].Reason != "item 3" {
		t.Errorf("events %+v", evs)
	}

	// At a version read before: refused, nothing written.
	stale.Items = []*order.Item{stale.Items[0], stale.Items[1], {ID: o.Items[2].ID, Product: "airtex", Options: json.RawMessage(`[]`), FileState: order.FileFailed}}
	wantCode(t, s.UpdateOrderItem(ctx, &stale, stale.Items[2], []*order.Event{{Actor: order.ActorSystem, Kind: "file"}}), pressroom.ECONFLICT)
	// Another order's item, or none: not found, nothing written.
	wantCode(t, s.UpdateOrderItem(ctx, o, other.Items[0], []*order.Event{{Actor: order.ActorSystem, Kind: "file"}}), pressroom.ENOTFOUND)
	wantCode(t, s.UpdateOrderItem(ctx, o, &order.Item{ID: 1 << 40}, nil), pressroom.ENOTFOUND)
	after, _ := s.FindOrder(ctx, a.ID, o.Number)
	if after.Version != o.Version || after.Items[2].FileState != order.FilePassed {
		t.Errorf("after the refused changes: version %d (want %d), item 3 %s", after.Version, o.Version, after.Items[2].FileState)
	}
	if evs, _ := s.ListOrderEvents(ctx, o.Number); len(evs) != 2 {
		t.Errorf("%d events after the refused changes, want 2", len(evs))
	}
	if back, _ := s.FindOrder(ctx, a.ID, other.Number); back.Version != other.Version || back.Items[0].FileState != order.FileAwaiting {
		t.Errorf("the other order was written: version %d, item %s", back.Version, back.Items[0].FileState)
	}
	// A gone order is not found.
	gone := *o
	gone.Number = 1 << 40
	wantCode(t, s.UpdateOrderItem(ctx, &gone, o.Items[2], nil), pressroom.ENOTFOUND)
}

func testDraftsAndItems(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	d := NewOrder(a.ID, "draft")
	d.Stage, d.Status = order.StageDraft, order.Draft
	exp := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	d.ExpiresAt = &exp
	if err := s.CreateOrder(ctx, d, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	keep := d.Items[1].ID
	d.Items = []*order.Item{d.Items[1], {Product: "airtex", Options: json.RawMessage(`[]`), Amount: decimal.NewFromInt(1)}}
	if err := s.UpdateOrder(ctx, d, true, nil, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := s.FindOrder(ctx, a.ID, d.Number)
	if len(got.Items) != 2 || got.Items[0].ID != keep || got.Items[1].Product != "airtex" || got.Items[1].Position != 2 || got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) {
		t.Errorf("items after replace = %+v", got.Items)
	}

	// Many items (more than one insert statement holds) keep their
	// positions, get distinct ids, and on a replace keep the ids they had.
	many := NewOrder(a.ID, "many")
	many.Items = nil
	for i := range 21 {
		many.Items = append(many.Items, &order.Item{Product: "dibond", Reference: fmt.Sprintf("line-%d", i+1), Options: json.RawMessage(`[]`), Amount: decimal.NewFromInt(int64(i + 1))})
	}
	if err := s.CreateOrder(ctx, many, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	ids := map[int64]bool{}
	for i, it := range many.Items {
		if it.ID == 0 || ids[it.ID] || it.Position != i+1 || it.OrderNumber != many.Number {
			t.Errorf("created item %d = id %d position %d order %d", i, it.ID, it.Position, it.OrderNumber)
		}
		ids[it.ID] = true
	}
	back, err := s.FindOrder(ctx, a.ID, many.Number)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range back.Items {
		if it.ID != many.Items[i].ID || it.Reference != fmt.Sprintf("line-%d", i+1) || !it.Amount.Equal(decimal.NewFromInt(int64(i+1))) {
			t.Errorf("stored item %d = id %d %q amount %s, want id %d line-%d", i, it.ID, it.Reference, it.Amount, many.Items[i].ID, i+1)
		}
	}
	if len(back.Items) != 21 {
		t.Fatalf("stored %d items, want 21", len(back.Items))
	}
	// Reversed, with one new item in the middle.
	var replaced []*order.Item
	for i := len(back.Items) - 1; i >= 0; i-- {
		replaced = append(replaced, back.Items[i])
		if i == 10 {
			replaced = append(replaced, &order.Item{Product: "airtex", Options: json.RawMessage(`[]`), Amount: decimal.NewFromInt(1)})
		}
	}
	back.Items = replaced
	if err := s.UpdateOrder(ctx, back, true, nil, nil); err != nil {
		t.Fatal(err)
	}
	again, _ := s.FindOrder(ctx, a.ID, many.Number)
	if len(again.Items) != 22 {
		t.Fatalf("after replace %d items, want 22", len(again.Items))
	}
	for i, it := range again.Items {
		want := replaced[i]
		if it.ID != want.ID || it.Position != i+1 || it.Product != want.Product || it.Reference != want.Reference {
			t.Errorf("replaced item %d = id %d position %d %s %q, want id %d %s %q", i, it.ID, it.Position, it.Product, it.Reference, want.ID, want.Product, want.Reference)
		}
	}
	if replaced[11].ID == 0 || ids[replaced[11].ID] {
		t.Errorf("the new item got id %d", replaced[11].ID)
	}
	live := NewOrder(a.ID, "live")
	if err := s.CreateOrder(ctx, live, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpiredDrafts(ctx, exp.Add(-time.Hour), 10); err != nil || n != 0 {
		t.Errorf("before expiry: %d, %v", n, err)
	}
	if n, err := s.DeleteExpiredDrafts(ctx, exp.Add(time.Hour), 10); err != nil || n != 1 {
		t.Errorf("after expiry: %d, %v", n, err)
	}
	_, err = s.FindOrder(ctx, a.ID, d.Number)
	wantCode(t, err, pressroom.ENOTFOUND)
	if _, err := s.FindOrder(ctx, a.ID, live.Number); err != nil {
		t.Errorf("a live order is no draft: %v", err)
	}
}

func testIdempotency(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	b := MustCreateReseller(t, s, "B")
	h1, h2 := []byte("hash-one"), []byte("hash-two")
	if got, err := s.BeginIdempotency(ctx, a.ID, "k1", h1, time.Minute); err != nil || got != nil {
		t.Fatalf("new key: %v, %v", got, err)
	}
	got, err := s.BeginIdempotency(ctx, a.ID, "k1", h1, time.Minute)
	if err != nil || got == nil || got.Done || string(got.RequestHash) != "hash-one" {
		t.Fatalf("running key: %+v, %v", got, err)
	}
	// Another reseller's key of the same name is its own.
	if got, err := s.BeginIdempotency(ctx, b.ID, "k1", h2, time.Minute); err != nil || got != nil {
		t.Errorf("B's k1: %v, %v", got, err)
	}
	// Completing with the order in the same transaction.
	o := NewOrder(a.ID, "idem")
	render := func(o *order.Order) (int, string, []byte, error) {
		return 201, "application/json", []byte(fmt.Sprintf(`{"number":%d}`, o.Number)), nil
	}
	if err := s.CreateOrder(ctx, o, created(order.ActorReseller), &pressroom.IdempotencyAnswer{Key: "k1", Render: render}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.BeginIdempotency(ctx, a.ID, "k1", h1, time.Minute)
	if got == nil || !got.Done || got.Answer.Status != 201 || string(got.Answer.Body) != fmt.Sprintf(`{"number":%d}`, o.Number) {
		t.Errorf("done key = %+v", got)
	}
	// An error answer is kept the same way.
	s.BeginIdempotency(ctx, a.ID, "k2", h2, time.Minute)
	if err := s.FinishIdempotency(ctx, a.ID, "k2", pressroom.IdempotencyAnswer{Status: 422, ContentType: "application/problem+json", Body: []byte(`{"x":1}`)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.BeginIdempotency(ctx, a.ID, "k2", h2, time.Minute); got == nil || got.Answer.Status != 422 || string(got.Answer.Body) != `{"x":1}` {
		t.Errorf("error answer = %+v", got)
	}
	// A first request that never finished frees its key after staleAfter.
	s.BeginIdempotency(ctx, a.ID, "k3", h1, time.Minute)
	if got, err := s.BeginIdempotency(ctx, a.ID, "k3", h1, -time.Second); err != nil || got != nil {
		t.Errorf("stale key: %+v, %v", got, err)
	}
	if n, err := s.DeleteIdempotencyBefore(ctx, time.Now().Add(time.Hour), 100); err != nil || n != 4 {
		t.Errorf("forgotten keys: %d, %v", n, err)
	}
}

type probeJob struct {
	Number int64 `json:"number"`
}

func (probeJob) Kind() string        { return "probe" }
func (j *probeJob) SetOrder(n int64) { j.Number = n }

// Jobs checks that jobs are queued in the same transaction as the order
// change that causes them: with it, or not at all. countJobs counts the
// queued jobs of a kind in the store's job queue.
func Jobs(t *testing.T, s pressroom.Store, countJobs func(kind string) int) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	o := NewOrder(a.ID, "job-1")
	j := &probeJob{}
	if err := s.CreateOrder(ctx, o, created(order.ActorReseller), nil, pressroom.Job{Args: j}); err != nil {
		t.Fatal(err)
	}
	if j.Number != o.Number || countJobs("probe") != 1 {
		t.Errorf("job for order %d: number %d, %d queued", o.Number, j.Number, countJobs("probe"))
	}
	// A refused order (duplicate own id) queues nothing.
	dup := NewOrder(a.ID, "job-1")
	dup.TrackingToken += "-dup"
	wantCode(t, s.CreateOrder(ctx, dup, created(order.ActorReseller), nil, pressroom.Job{Args: &probeJob{}}), pressroom.ECONFLICT)
	// A stale change queues nothing; a good one queues its job.
	stale := *o
	o.Status = order.Hold
	if err := s.UpdateOrder(ctx, o, false, nil, nil, pressroom.Job{Args: &probeJob{Number: o.Number}, RunAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	stale.Status = order.Cancelled
	wantCode(t, s.UpdateOrder(ctx, &stale, false, nil, nil, pressroom.Job{Args: &probeJob{Number: o.Number}}), pressroom.ECONFLICT)
	if n := countJobs("probe"); n != 2 {
		t.Errorf("%d probe jobs queued, want 2", n)
	}
	// The same for a change of one item.
	staleItem := *o
	if err := s.UpdateOrderItem(ctx, o, o.Items[0], nil, pressroom.Job{Args: &probeJob{Number: o.Number}, RunAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.UpdateOrderItem(ctx, &staleItem, staleItem.Items[0], nil, pressroom.Job{Args: &probeJob{Number: o.Number}}), pressroom.ECONFLICT)
	if n := countJobs("probe"); n != 3 {
		t.Errorf("%d probe jobs queued, want 3", n)
	}

	// Concurrent orders, every other one refused as a duplicate: writes
	// that commit together (SQLite groups them) keep the jobs of those
	// that succeed and lose those of those that fail.
	const n = 40
	var wg sync.WaitGroup
	var placed atomic.Int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := fmt.Sprintf("group-%d", i/2) // pairs share an own id: one of each pair is refused
			o := NewOrder(a.ID, own)
			o.TrackingToken = fmt.Sprintf("%s-%d", own, i)
			var jobs []pressroom.Job
			for range 3 {
				jobs = append(jobs, pressroom.Job{Args: &groupJob{}})
			}
			err := s.CreateOrder(ctx, o, created(order.ActorReseller), nil, jobs...)
			switch {
			case err == nil:
				placed.Add(1)
			case pressroom.ErrorCode(err) != pressroom.ECONFLICT:
				t.Errorf("order %s: %v", own, err)
			}
		}()
	}
	wg.Wait()
	if placed.Load() != n/2 {
		t.Errorf("%d of %d orders placed, want %d", placed.Load(), n, n/2)
	}
	if got := countJobs("group_probe"); got != int(3*placed.Load()) {
		t.Errorf("%d jobs queued for %d placed orders, want %d", got, placed.Load(), 3*placed.Load())
	}
}

type groupJob struct {
	Number int64 `json:"number"`
}

func (groupJob) Kind() string        { return "group_probe" }
func (j *groupJob) SetOrder(n int64) { j.Number = n }

func testArtwork(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	o := NewOrder(a.ID, "art-1")
	if err := s.CreateOrder(ctx, o, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	item := o.Items[0].ID
	f := &order.Artwork{OrderNumber: o.Number, ItemID: item, Index: 0, Source: "url", URL: "https://f.example/a.pdf", State: order.FileDownloading}
	if err := s.SaveArtwork(ctx, f); err != nil {
		t.Fatal(err)
	}
	f.State, f.Size, f.MD5, f.BlobKey = order.FileFailed, 1234, "abc", "orders/1/2/0"
	f.Findings = []order.Finding{{Code: "dpi_low", Severity: "error", Page: 1, Measured: "72", Required: "150", Message: "too coarse"}}
	if err := s.SaveArtwork(ctx, f); err != nil {
		t.Fatal(err)
	}
	second := &order.Artwork{OrderNumber: o.Number, ItemID: item, Index: 1, Source: "upload", State: order.FileChecking}
	if err := s.SaveArtwork(ctx, second); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListArtwork(ctx, o.Number, item)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].State != order.FileFailed || list[0].Size != 1234 || len(list[0].Findings) != 1 || list[0].Findings[0].Measured != "72" ||
		list[1].Source != "upload" || list[0].ID != f.ID {
		t.Errorf("artwork = %+v / %+v", list[0], list[1])
	}
	if all, _ := s.ListArtwork(ctx, o.Number, 0); len(all) != 2 {
		t.Errorf("all files: %d", len(all))
	}
	// Order documents are item 0's files, one per order and index.
	o2 := NewOrder(a.ID, "art-2")
	if err := s.CreateOrder(ctx, o2, created(order.ActorReseller), nil); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{o.Number, o2.Number} {
		d := &order.Artwork{OrderNumber: n, ItemID: 0, Index: order.DocPackingSlip, Source: "url", URL: "https://f.example/slip.pdf", State: order.FileDownloading}
		if err := s.SaveArtwork(ctx, d); err != nil {
			t.Fatalf("packing slip of %d: %v", n, err)
		}
		d.State = order.FilePassed
		if err := s.SaveArtwork(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if all, _ := s.ListArtwork(ctx, o2.Number, 0); len(all) != 1 || all[0].ItemID != 0 || all[0].State != order.FilePassed {
		t.Errorf("documents of the second order: %+v", all)
	}
	// An upload replaces the item's files: the one at its index is
	// rewritten, the others are dropped, other items and orders keep theirs.
	up := &order.Artwork{OrderNumber: o.Number, ItemID: item, Index: 0, Source: "upload", BlobKey: "orders/1/2/u", Size: 99, State: order.FileChecking}
	if err := s.ReplaceArtwork(ctx, o.Number, item, up); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListArtwork(ctx, o.Number, item); len(list) != 1 || list[0].Source != "upload" || list[0].BlobKey != "orders/1/2/u" ||
		list[0].Size != 99 || len(list[0].Findings) != 0 || list[0].ID != up.ID || up.ID == 0 {
		t.Errorf("after the upload: %+v", list)
	}
	if all, _ := s.ListArtwork(ctx, o2.Number, 0); len(all) != 1 {
		t.Errorf("another order's files after the upload: %+v", all)
	}
	if err := s.ReplaceArtwork(ctx, o.Number, item, nil); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListArtwork(ctx, o.Number, item); len(list) != 0 {
		t.Errorf("after dropping the item's files: %+v", list)
	}
}

// testConcurrentWrites: many orders at once (SQLite commits them in
// groups): a write that fails (a repeated own id) fails alone, every other
// one is stored once with its items, and numbers stay unique.
func testConcurrentWrites(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	const n = 60
	errs := make([]error, n)
	orders := make([]*order.Order, n)
	var wg sync.WaitGroup
	for i := range n {
		own := fmt.Sprintf("w-%d", i)
		if i%3 == 0 {
			own = "same" // 20 tries of one id: one wins
		}
		orders[i] = NewOrder(a.ID, own)
		orders[i].TrackingToken = fmt.Sprintf("t-w-%d", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.CreateOrder(ctx, orders[i], created(order.ActorReseller), nil)
		}()
	}
	wg.Wait()
	numbers := map[int64]bool{}
	won := 0
	for i, err := range errs {
		switch {
		case i%3 == 0 && err == nil:
			won++
		case i%3 == 0 && pressroom.ErrorCode(err) != pressroom.ECONFLICT:
			t.Errorf("repeated id %d: %v, want a conflict", i, err)
		case i%3 != 0 && err != nil:
			t.Errorf("order %d: %v", i, err)
		}
		if err == nil {
			if numbers[orders[i].Number] {
				t.Errorf("number %d given twice", orders[i].Number)
			}
			numbers[orders[i].Number] = true
			got, err := s.FindOrder(ctx, a.ID, orders[i].Number)
			if err != nil || got.OwnID != orders[i].OwnID || len(got.Items) != 2 {
				t.Errorf("order %d stored as %+v, %v", i, got, err)
			}
		}
	}
	if won != 1 {
		t.Errorf("%d orders took the id %q, want 1", won, "same")
	}
	if _, total, err := s.ListOrders(ctx, pressroom.OrderFilter{ResellerID: a.ID, Limit: 100}); err != nil || total != n-n/3+1 {
		t.Errorf("stored %d orders, want %d (%v)", total, n-n/3+1, err)
	}
}

func testProjects(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	b := MustCreateReseller(t, s, "B")
	for i := range 3 {
		p := &pressroom.Project{ResellerID: a.ID, Name: fmt.Sprintf("Spring %d", i), Number: "P-1", Note: "stands"}
		if err := s.CreateProject(ctx, p); err != nil || p.ID == 0 || p.CreatedAt.IsZero() {
			t.Fatalf("create: %+v, %v", p, err)
		}
	}
	if err := s.CreateProject(ctx, &pressroom.Project{ResellerID: a.ID}); pressroom.ErrorCode(err) != pressroom.EINVALID {
		t.Errorf("no name: %v", err)
	}
	list, total, err := s.ListProjects(ctx, a.ID, 1, 10)
	if err != nil || total != 3 || len(list) != 2 || list[0].Name != "Spring 1" || list[0].Note != "stands" {
		t.Fatalf("list = %+v, %d, %v", list, total, err)
	}
	if p, err := s.FindProject(ctx, a.ID, list[0].ID); err != nil || p.Name != "Spring 1" || !p.CreatedAt.Equal(list[0].CreatedAt) {
		t.Errorf("find = %+v, %v", p, err)
	}
	if _, err := s.FindProject(ctx, b.ID, list[0].ID); pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
		t.Errorf("another reseller's project: %v", err)
	}
	if _, total, _ := s.ListProjects(ctx, b.ID, 0, 10); total != 0 {
		t.Errorf("another reseller lists %d", total)
	}
}

func testUploadSessions(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	b := MustCreateReseller(t, s, "B")
	ss := []*pressroom.UploadSession{{ResellerID: a.ID, CalculationID: 60684, Position: 1, TokenHash: "h1", CallbackURL: "https://shop.example/up"},
		{ResellerID: a.ID, CalculationID: 60684, Position: 2, TokenHash: "h2"}}
	if err := s.CreateUploadSessions(ctx, ss); err != nil || ss[0].ID == 0 || ss[1].ID == ss[0].ID || ss[0].State != pressroom.UploadOpen {
		t.Fatalf("create: %+v, %v", ss[0], err)
	}
	got, err := s.FindUploadSession(ctx, a.ID, ss[0].ID)
	if err != nil || got.TokenHash != "h1" || got.CallbackURL != "https://shop.example/up" || got.Position != 1 || got.OrderNumber != 0 || got.UploadedAt != nil {
		t.Fatalf("find = %+v, %v", got, err)
	}
	if _, err := s.FindUploadSession(ctx, b.ID, ss[0].ID); pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
		t.Errorf("another reseller's session: %v", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	got.State, got.BlobKey, got.Size, got.MD5, got.UploadedAt, got.ItemID = pressroom.UploadUploaded, "uploads/1/x", 1234, "abc", &now, 7
	if err := s.SaveUploadSession(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, err := s.FindUploadSession(ctx, 0, got.ID)
	if err != nil || again.State != pressroom.UploadUploaded || again.Size != 1234 || again.ItemID != 7 || again.UploadedAt == nil || !again.UploadedAt.Equal(now) {
		t.Errorf("after save = %+v, %v", again, err)
	}
	if err := s.SaveUploadSession(ctx, &pressroom.UploadSession{ID: 424242, State: pressroom.UploadOpen}); pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
		t.Errorf("save unknown: %v", err)
	}
}

// testCallbackDelivery: a delivery reads its callback and whether an
// earlier one of the order to the same URL is pending in one read; an
// attempt is recorded with the callback's new state.
func testCallbackDelivery(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	o := NewOrder(a.ID, "cb-1")
	ev := created(order.ActorReseller)
	render := func() (json.RawMessage, error) { return json.RawMessage(`{"n":1}`), nil }
	for _, typ := range []string{"order.queued", "order.created"} {
		ev.Callbacks = append(ev.Callbacks, &order.Callback{ResellerID: a.ID, URL: "https://shop.example/cb", Type: typ, Format: "native", Render: render})
	}
	if err := s.CreateOrder(ctx, o, ev, nil); err != nil {
		t.Fatal(err)
	}
	first, second := ev.Callbacks[0], ev.Callbacks[1]
	if first.ID == 0 || second.Sequence != first.Sequence+1 {
		t.Fatalf("callbacks: %+v %+v", first, second)
	}
	cb, earlier, secrets, err := s.CallbackToDeliver(ctx, first.ID)
	if err == nil && (secrets.ID != a.ID || secrets.WebhookSecret != a.WebhookSecret) {
		t.Errorf("secrets = %+v, want reseller %d's", secrets, a.ID)
	}
	if err != nil || earlier || cb.Type != "order.queued" || cb.Status != order.CallbackPending || string(cb.Payload) != `{"n":1}` || cb.OrderNumber != o.Number {
		t.Fatalf("first = %+v %v %v", cb, earlier, err)
	}
	if _, earlier, _, err := s.CallbackToDeliver(ctx, second.ID); err != nil || !earlier {
		t.Errorf("second: earlier pending = %v, %v; want true", earlier, err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	cb.Status, cb.Attempts, cb.FirstAttemptAt, cb.FinishedAt, cb.LastStatus = order.CallbackDelivered, 1, &now, &now, 204
	att := &order.CallbackAttempt{At: now, Status: 204, Response: "ok", Duration: 12 * time.Millisecond}
	if err := s.RecordCallbackAttempt(ctx, cb, att); err != nil || att.ID == 0 {
		t.Fatalf("record: %v, attempt id %d", err, att.ID)
	}
	got, atts, err := s.FindCallback(ctx, a.ID, first.ID)
	if err != nil || got.Status != order.CallbackDelivered || got.Attempts != 1 || got.LastStatus != 204 || len(atts) != 1 ||
		atts[0].Response != "ok" || atts[0].Duration != 12*time.Millisecond || got.FinishedAt == nil {
		t.Errorf("after the attempt: %+v %+v %v", got, atts, err)
	}
	if _, earlier, _, err := s.CallbackToDeliver(ctx, second.ID); err != nil || earlier {
		t.Errorf("second after the first was delivered: earlier pending = %v, %v; want false", earlier, err)
	}
	if _, _, _, err := s.CallbackToDeliver(ctx, second.ID+1000); pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
		t.Errorf("unknown callback: %v", err)
	}
}

// testCallbackRetention: old delivered and failed callbacks go, with their
// attempts, in batches; pending and recent ones stay, and so does each
// order's newest callback to a URL, so the next one's sequence goes on.
func testCallbackRetention(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	render := func() (json.RawMessage, error) { return json.RawMessage(`{}`), nil }
	o := NewOrder(a.ID, "old")
	ev := created(order.ActorReseller)
	for _, u := range []string{"https://a.example/1", "https://a.example/1", "https://a.example/1", "https://a.example/2"} {
		ev.Callbacks = append(ev.Callbacks, &order.Callback{ResellerID: a.ID, URL: u, Type: "order.created", Format: "native", Render: render})
	}
	if err := s.CreateOrder(ctx, o, ev, nil); err != nil {
		t.Fatal(err)
	}
	recent := NewOrder(a.ID, "recent")
	rev := created(order.ActorReseller)
	for range 3 {
		rev.Callbacks = append(rev.Callbacks, &order.Callback{ResellerID: a.ID, URL: "https://a.example/1", Type: "order.created", Format: "native", Render: render})
	}
	if err := s.CreateOrder(ctx, recent, rev, nil); err != nil {
		t.Fatal(err)
	}
	test := &order.Callback{ResellerID: a.ID, URL: "https://a.example/1", Type: "test", Format: "native", Payload: json.RawMessage(`{}`), OccurredAt: time.Now()}
	if err := s.CreateCallback(ctx, test); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	old := now.Add(-100 * 24 * time.Hour)
	finish := func(id int64, status order.CallbackStatus, at time.Time) {
		cb, _, _, err := s.CallbackToDeliver(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		cb.Status, cb.Attempts, cb.FirstAttemptAt, cb.FinishedAt = status, 1, &at, &at
		if err := s.RecordCallbackAttempt(ctx, cb, &order.CallbackAttempt{At: at, Status: 500, Error: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	c := ev.Callbacks
	finish(c[0].ID, order.CallbackDelivered, old)             // goes
	finish(c[1].ID, order.CallbackFailed, old)                // goes
	finish(c[2].ID, order.CallbackDelivered, old)             // the order's newest to URL 1: stays
	finish(c[3].ID, order.CallbackDelivered, old)             // the only one to URL 2: stays
	finish(test.ID, order.CallbackDelivered, old)             // no order: goes
	finish(rev.Callbacks[0].ID, order.CallbackDelivered, now) // recent: stays
	// rev.Callbacks[1] and [2] are still pending: stay.

	before := now.Add(-90 * 24 * time.Hour)
	if n, err := s.DeleteOldCallbacks(ctx, before, 2); err != nil || n != 2 {
		t.Fatalf("first batch of 2: %d deleted, %v", n, err)
	}
	if n, err := s.DeleteOldCallbacks(ctx, before, 100); err != nil || n != 1 {
		t.Fatalf("second batch: %d deleted, %v; want the 1 left", n, err)
	}
	if n, err := s.DeleteOldCallbacks(ctx, before, 100); err != nil || n != 0 {
		t.Fatalf("third batch: %d deleted, %v; want none", n, err)
	}
	for _, id := range []int64{c[0].ID, c[1].ID, test.ID} {
		if _, _, err := s.FindCallback(ctx, a.ID, id); pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
			t.Errorf("old callback %d: %v, want it deleted", id, err)
		}
	}
	for _, id := range []int64{c[2].ID, c[3].ID, rev.Callbacks[0].ID, rev.Callbacks[1].ID, rev.Callbacks[2].ID} {
		if _, atts, err := s.FindCallback(ctx, a.ID, id); err != nil {
			t.Errorf("callback %d: %v, want it kept", id, err)
		} else if id == c[2].ID && len(atts) != 1 {
			t.Errorf("kept callback %d has %d attempts, want 1", id, len(atts))
		}
	}
	// The order's next callback to URL 1 goes on from the newest kept.
	next := &order.Event{Actor: order.ActorOperator, Kind: "status", From: "accepted", To: "in_production",
		Callbacks: []*order.Callback{{ResellerID: a.ID, URL: "https://a.example/1", Type: "order.status", Format: "native", Render: render}}}
	if err := s.UpdateOrder(ctx, o, false, []*order.Event{next}, nil); err != nil {
		t.Fatal(err)
	}
	if got := next.Callbacks[0].Sequence; got != c[2].Sequence+1 {
		t.Errorf("next sequence %d, want %d", got, c[2].Sequence+1)
	}
}

// Many deliveries at once (PostgreSQL reads and records them in shared
// statements): each reads its own callback with its own reseller's
// secrets and records its own outcome; an outcome for a callback that is
// gone fails alone.
func testConcurrentDeliveries(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	render := func() (json.RawMessage, error) { return json.RawMessage(`{}`), nil }
	owner := map[int64]*pressroom.Reseller{}
	for _, name := range []string{"A", "B"} {
		r := MustCreateReseller(t, s, name)
		o := NewOrder(r.ID, "many-"+name)
		ev := created(order.ActorReseller)
		for i := range 60 {
			ev.Callbacks = append(ev.Callbacks, &order.Callback{ResellerID: r.ID, URL: fmt.Sprintf("https://%s.example/cb/%d", name, i),
				Type: "order.created", Format: "native", Render: render})
		}
		if err := s.CreateOrder(ctx, o, ev, nil); err != nil {
			t.Fatal(err)
		}
		for _, cb := range ev.Callbacks {
			owner[cb.ID] = r
		}
	}
	var wg sync.WaitGroup
	attemptIDs := sync.Map{}
	for id, r := range owner {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cb, earlier, secrets, err := s.CallbackToDeliver(ctx, id)
			if err != nil || cb.ID != id || earlier || secrets.ID != r.ID || secrets.WebhookSecret != r.WebhookSecret {
				t.Errorf("callback %d of reseller %d: %+v, %v, %+v, %v", id, r.ID, cb, earlier, secrets, err)
				return
			}
			now := time.Now().UTC()
			cb.Status, cb.Attempts, cb.FirstAttemptAt, cb.FinishedAt = order.CallbackDelivered, 1, &now, &now
			a := &order.CallbackAttempt{At: now, Status: 200, Response: fmt.Sprintf("r%d", id)}
			if err := s.RecordCallbackAttempt(ctx, cb, a); err != nil || a.ID == 0 {
				t.Errorf("record %d: %v (attempt %d)", id, err, a.ID)
				return
			}
			if _, dup := attemptIDs.LoadOrStore(a.ID, id); dup {
				t.Errorf("attempt id %d given twice", a.ID)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		gone := &order.Callback{ID: 1 << 40, Status: order.CallbackDelivered, Attempts: 1}
		if err := s.RecordCallbackAttempt(ctx, gone, &order.CallbackAttempt{At: time.Now().UTC(), Status: 200}); err == nil {
			t.Error("an outcome for a callback that does not exist was recorded")
		}
	}()
	wg.Wait()
	for id, r := range owner {
		cb, atts, err := s.FindCallback(ctx, r.ID, id)
		if err != nil || cb.Status != order.CallbackDelivered || len(atts) != 1 || atts[0].Response != fmt.Sprintf("r%d", id) {
			t.Errorf("callback %d after delivery: %+v %+v %v", id, cb, atts, err)
		}
	}
}

// testOrderFiles: an order's print files as a whole (ready, waiting,
// failed) follow its items' file states through every write, and list
// orders by it; a change written without its items keeps it.
func testOrderFiles(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	mk := func(ownID string, states ...order.FileState) *order.Order {
		t.Helper()
		o := NewOrder(a.ID, ownID)
		for i, st := range states {
			o.Items[i].FileState = st
		}
		if err := s.CreateOrder(ctx, o, created(order.ActorReseller), nil); err != nil {
			t.Fatal(err)
		}
		return o
	}
	waiting := mk("waiting", order.FileAwaiting)
	ready := mk("ready", order.FilePassed)
	failed := mk("failed", order.FileFailed, order.FileNone)
	none := mk("none", order.FileNone)
	list := func(f order.FilesSummary) []int64 {
		t.Helper()
		got, _, err := s.ListOrders(ctx, pressroom.OrderFilter{ResellerID: a.ID, Files: f, Ascending: true, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, o := range got {
			out = append(out, o.Number)
		}
		return out
	}
	want := map[order.FilesSummary][]int64{order.FilesReady: {ready.Number, none.Number}, order.FilesWaiting: {waiting.Number}, order.FilesFailed: {failed.Number}}
	for f, w := range want {
		if got := list(f); !slices.Equal(got, w) {
			t.Errorf("files %s: %v, want %v", f, got, w)
		}
	}
	// The waiting one's file passes (one item written): ready.
	waiting.Items[0].FileState = order.FilePassed
	if err := s.UpdateOrderItem(ctx, waiting, waiting.Items[0], nil); err != nil {
		t.Fatal(err)
	}
	// A status change written without the items keeps what the items say.
	back, _ := s.FindOrder(ctx, a.ID, failed.Number)
	back.Status, back.Items = order.Cancelled, nil
	if err := s.UpdateOrder(ctx, back, false, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := list(order.FilesReady); !slices.Equal(got, []int64{waiting.Number, ready.Number, none.Number}) {
		t.Errorf("ready after the upload passed: %v", got)
	}
	if got := list(order.FilesFailed); !slices.Equal(got, []int64{failed.Number}) {
		t.Errorf("failed after a change without its items: %v", got)
	}
	// Items rewritten: the failed item replaced by one awaiting its file.
	again, _ := s.FindOrder(ctx, a.ID, ready.Number)
	again.Items = append(again.Items, &order.Item{Product: "dibond", Options: json.RawMessage(`[]`), Amount: decimal.NewFromInt(1), FileState: order.FileDownloading})
	if err := s.UpdateOrder(ctx, again, true, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := list(order.FilesWaiting); !slices.Equal(got, []int64{ready.Number}) {
		t.Errorf("waiting after an item was added: %v", got)
	}
}

// MustCreateContactOrder stores an order delivered to a company with a
// contact person, "Joke de Vries" (a migration test then rewinds its
// address_name to how an older build stored it).
func MustCreateContactOrder(t testing.TB, s pressroom.Store) *order.Order {
	t.Helper()
	r := MustCreateReseller(t, s, "old")
	o := NewOrder(r.ID, "old-1")
	o.Delivery.Address.FirstName, o.Delivery.Address.LastName = "Joke", "de Vries"
	if err := s.CreateOrder(context.Background(), o, &order.Event{Actor: order.ActorReseller, Kind: "created", To: "accepted"}, nil); err != nil {
		t.Fatal(err)
	}
	return o
}

// WantFoundByContact fails the test unless a search of o's reseller's
// orders by its contact's last name, in another case, finds o alone.
func WantFoundByContact(t testing.TB, s pressroom.Store, o *order.Order) {
	t.Helper()
	list, total, err := s.ListOrders(context.Background(), pressroom.OrderFilter{ResellerID: o.ResellerID, AddressName: "De Vries", Limit: 10})
	if err != nil || total != 1 || len(list) != 1 || list[0].Number != o.Number {
		t.Fatalf("the order by its contact: %d, %v", total, err)
	}
}

// testReprints: reprints are listed newest first, by reseller, order and
// status, a page at a time with the count of all; a decision moves one
// between the statuses' lists.
func testReprints(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	b := MustCreateReseller(t, s, "B")
	var orders []*order.Order
	for i, r := range []*pressroom.Reseller{a, a, b} {
		o := NewOrder(r.ID, fmt.Sprint("rp-", i))
		if err := s.CreateOrder(ctx, o, created(order.ActorReseller), nil); err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	var ids []int64 // in the order made: 3 of a's first order, 2 of its second, 1 of b's
	newest := map[int64]int64{}
	for i, o := range []*order.Order{orders[0], orders[0], orders[0], orders[1], orders[1], orders[2]} {
		rp := &order.Reprint{OrderNumber: o.Number, ResellerID: o.ResellerID, Status: order.ReprintRequested, Reason: "damaged", Note: fmt.Sprint("note ", i),
			Items: []order.ReprintItem{{ItemID: o.Items[0].ID, Quantity: decimal.NewFromInt(1)}}}
		// A request checked against fewer reprints than the order has
		// lost a race: it is refused, and stores nothing.
		if newest[o.Number] != 0 {
			if err := s.CreateReprint(ctx, rp, newest[o.Number]-1); pressroom.ErrorCode(err) != pressroom.ECONFLICT {
				t.Fatalf("a reprint checked against an older list: %v", err)
			}
		}
		if err := s.CreateReprint(ctx, rp, newest[o.Number]); err != nil || rp.ID == 0 {
			t.Fatalf("create: %+v, %v", rp, err)
		}
		newest[o.Number] = rp.ID
		ids = append(ids, rp.ID)
	}
	rejected, err := s.FindReprint(ctx, a.ID, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	rejected.Status = order.ReprintRejected
	if err := s.DecideReprint(ctx, rejected, nil, nil, &order.Event{Actor: order.ActorOperator, Kind: "reprint", Reason: "rejected"}); err != nil {
		t.Fatal(err)
	}
	idsOf := func(l []*order.Reprint) []int64 {
		var out []int64
		for _, rp := range l {
			out = append(out, rp.ID)
		}
		return out
	}
	for name, c := range map[string]struct {
		f     pressroom.ReprintFilter
		want  []int64
		total int
	}{
		"every one":            {pressroom.ReprintFilter{}, []int64{ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}, 6},
		"a's":                  {pressroom.ReprintFilter{ResellerID: a.ID}, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}, 5},
		"a's, second page":     {pressroom.ReprintFilter{ResellerID: a.ID, Offset: 2, Limit: 2}, []int64{ids[2], ids[1]}, 5},
		"a's, past the end":    {pressroom.ReprintFilter{ResellerID: a.ID, Offset: 10, Limit: 2}, nil, 5},
		"one order":            {pressroom.ReprintFilter{OrderNumber: orders[0].Number}, []int64{ids[2], ids[1], ids[0]}, 3},
		"one order, not b's":   {pressroom.ReprintFilter{ResellerID: b.ID, OrderNumber: orders[0].Number}, nil, 0},
		"requested, first one": {pressroom.ReprintFilter{Status: order.ReprintRequested, Limit: 1}, []int64{ids[5]}, 5},
		"rejected":             {pressroom.ReprintFilter{Status: order.ReprintRejected}, []int64{ids[1]}, 1},
		"a's order, requested": {pressroom.ReprintFilter{ResellerID: a.ID, OrderNumber: orders[0].Number, Status: order.ReprintRequested}, []int64{ids[2], ids[0]}, 2},
	} {
		list, total, err := s.ListReprints(ctx, c.f)
		if err != nil || total != c.total || !slices.Equal(idsOf(list), c.want) {
			t.Errorf("%s: %v of %d, %v; want %v of %d", name, idsOf(list), total, err, c.want, c.total)
		}
	}
	list, _, err := s.ListReprints(ctx, pressroom.ReprintFilter{OrderNumber: orders[1].Number, Limit: 1})
	if err != nil || len(list) != 1 || list[0].Note != "note 4" || list[0].Reason != "damaged" || list[0].ResellerID != a.ID ||
		len(list[0].Items) != 1 || !list[0].Items[0].Quantity.Equal(decimal.NewFromInt(1)) || list[0].CreatedAt.IsZero() {
		t.Errorf("a listed reprint: %+v, %v", list, err)
	}
}
