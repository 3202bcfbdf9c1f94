package pricing

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/pressroom/pressroom/catalog"
)

// A calculation's lines read back exactly, for every production time,
// though a time whose line equals the previous one is stored without it.
func TestSnapshotTimesRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 25).Draw(t, "times")
		prices := []string{"1.876", "1.876", "2.5", "0", "10.00", "1.8760"}
		lines := make([]Line, n)
		for i := range lines {
			base := decimal.RequireFromString(rapid.SampledFrom(prices).Draw(t, "base"))
			rush := decimal.RequireFromString(rapid.SampledFrom(prices).Draw(t, "rush"))
			lines[i] = Line{Time: &catalog.ProductionTime{Code: fmt.Sprint(480 - 24*i)}, Base: base, Rush: rush, Total: base.Add(rush)}
		}
		raw, err := json.Marshal(Snapshot{Currency: "EUR", Items: []SnapshotItem{{Product: "dibond"}}, Times: snapshotTimes(lines)})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := ParseSnapshot(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			got, ok := snap.Line(0, l.Time.Code)
			if !ok || !got.Base.Equal(l.Base) || !got.Rush.Equal(l.Rush) || !got.Total.Equal(l.Total) {
				t.Fatalf("time %s: %v %v, want %v (stored %s)", l.Time.Code, got, ok, l, raw)
			}
		}
		if _, ok := snap.Line(0, "1"); ok {
			t.Fatal("a time the calculation does not hold was found")
		}
	})
}

// Identical lines are stored once: the seed's dibond, 21 production times
// at one price, keeps one line instead of 21.
func TestSnapshotTimesStoreEachPriceOnce(t *testing.T) {
	lines := make([]Line, 21)
	for i := range lines {
		lines[i] = Line{Time: &catalog.ProductionTime{Code: fmt.Sprint(480 - 24*i)}, Base: decimal.RequireFromString("1.876"), Total: decimal.RequireFromString("1.876")}
	}
	raw, _ := json.Marshal(snapshotTimes(lines))
	if got := strings.Count(string(raw), `"total"`); got != 1 {
		t.Errorf("%d lines stored, want 1: %s", got, raw)
	}
}

// Rows written before the compact form, with every time's list, still read.
func TestSnapshotReadsRowsWithEveryLine(t *testing.T) {
	snap, err := ParseSnapshot([]byte(`{"currency":"EUR","destination":"NL","items":[{"product":"dibond","options":[{"code":"width","value":"40"}],"amount":"1"}],"times":[{"code":"480","items":[{"base":"1.876","rush":"0","total":"1.876"}]},{"code":"24","items":[{"base":"1.876","rush":"0.5","total":"2.376"}]},{"code":"18","items":[{"base":"1.876","rush":"0.5","total":"2.376"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]string{"480": "1.876", "24": "2.376", "18": "2.376"} {
		if l, ok := snap.Line(0, code); !ok || l.Total.String() != want {
			t.Errorf("time %s: %v %v, want total %s", code, l, ok, want)
		}
	}
}
