package order_test

import (
	"testing"

	"github.com/pressroom/pressroom/order"
)

// allowed restates DESIGN.md's lifecycle rules independently of the
// transition table, so that the table is checked, pair by pair, against them.
func allowed(from, to order.Status) bool {
	carrier := func(s order.Status) bool { return s.IsShipment() && s != order.ShipmentCreated }
	switch {
	case from == to:
		return false
	case from.Final():
		return false // nothing leaves delivered or cancelled
	case to == order.Draft:
		return false // nothing returns to draft
	case from == order.Draft:
		return to == order.Accepted || to == order.Cancelled
	case to == order.Cancelled:
		return from == order.Accepted || from == order.Hold // cancel only before production
	case from == order.Accepted:
		return to == order.Hold || to == order.InProduction
	case from == order.Hold:
		return to == order.Accepted || to == order.InProduction
	case to == order.Accepted || to == order.Hold || to == order.InProduction:
		return false // production never moves back
	case from == order.InProduction:
		return to == order.Logistics || to == order.ShipmentCreated
	case to == order.Logistics:
		return false
	case from == order.Logistics:
		return to == order.ShipmentCreated
	case from == order.ShipmentReturned:
		return to == order.ShipmentInTransit || to == order.ShipmentDelivered || to == order.ShipmentCreated
	case from == order.ShipmentCreated:
		return carrier(to)
	case carrier(from):
		return carrier(to) || to == order.ShipmentCreated
	}
	return false
}

func TestTransitions(t *testing.T) {
	n := 0
	for _, from := range order.Statuses {
		for _, to := range order.Statuses {
			if got, want := order.CanMove(from, to), allowed(from, to); got != want {
				t.Errorf("%s -> %s: allowed %v, want %v", from, to, got, want)
			}
			if order.CanMove(from, to) {
				n++
			}
		}
	}
	if n < 80 {
		t.Errorf("only %d transitions allowed; the carrier states should alternate freely", n)
	}
	// The cases users complain about, spelled out.
	for _, c := range []struct {
		from, to order.Status
		ok       bool
	}{
		{order.ShipmentDelivered, order.ShipmentInTransit, false}, // a late carrier update
		{order.ShipmentDelayed, order.ShipmentInTransit, true},
		{order.ShipmentNotAtHome, order.ShipmentReturned, true},
		{order.ShipmentInTransit, order.Accepted, false},
		{order.InProduction, order.Cancelled, false},
		{order.Accepted, order.Cancelled, true},
		{order.Cancelled, order.Accepted, false},
	} {
		if order.CanMove(c.from, c.to) != c.ok {
			t.Errorf("%s -> %s: want %v", c.from, c.to, c.ok)
		}
	}
}

func TestFileTransitions(t *testing.T) {
	states := []order.FileState{order.FileNone, order.FileAwaiting, order.FileDownloading, order.FileChecking, order.FilePassed, order.FileFailed}
	want := map[[2]order.FileState]bool{
		{order.FileAwaiting, order.FileDownloading}: true, {order.FileAwaiting, order.FileChecking}: true,
		{order.FileDownloading, order.FileChecking}: true, {order.FileDownloading, order.FileFailed}: true,
		{order.FileChecking, order.FilePassed}: true, {order.FileChecking, order.FileFailed}: true,
		{order.FileFailed, order.FileAwaiting}: true, {order.FileFailed, order.FileDownloading}: true, {order.FileFailed, order.FileChecking}: true,
		{order.FilePassed, order.FileAwaiting}: true, {order.FilePassed, order.FileDownloading}: true, {order.FilePassed, order.FileChecking}: true,
	}
	for _, a := range states {
		for _, b := range states {
			if got := order.CanMoveFile(a, b); got != want[[2]order.FileState{a, b}] {
				t.Errorf("file %s -> %s: %v", a, b, got)
			}
		}
	}
}
