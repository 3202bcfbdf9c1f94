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

// snapshotTimes is the reference for appendConfigurationSnapshot: one
// item's lines, each only where it differs from the previous time's.
func snapshotTimes(lines []Line) []SnapshotTime {
	times := make([]SnapshotTime, len(lines))
	for i, l := range lines {
		times[i].Code = l.Time.Code
		if i > 0 && l.Base.Equal(lines[i-1].Base) && l.Rush.Equal(lines[i-1].Rush) && l.Total.Equal(lines[i-1].Total) {
			continue
		}
		times[i].Items = []SnapshotLine{{Base: l.Base.String(), Rush: l.Rush.String(), Total: l.Total.String()}}
	}
	return times
}

// The calculation of a configuration, written by hand, is the JSON that
// json.Marshal writes for its Snapshot, and its options column the JSON
// of its options: random codes and values (quotes, HTML, control
// characters, invalid UTF-8), lines with repeated and changing prices.
func TestConfigurationSnapshotJSON(t *testing.T) {
	str := rapid.OneOf(rapid.SampledFrom([]string{"", "EUR", "dibond", "40", "3mm", "a<b>&\"c\\", "\n\x01\u2028", "\xff\xfe", "é"}), rapid.String())
	rapid.Check(t, func(t *rapid.T) {
		var options []Option
		if rapid.IntRange(0, 5).Draw(t, "nil options") > 0 {
			options = []Option{}
			for range rapid.IntRange(0, 4).Draw(t, "options") {
				options = append(options, Option{Code: str.Draw(t, "code"), Value: str.Draw(t, "value")})
			}
		}
		priced := rapid.Bool().Draw(t, "priced")
		var lines []Line
		if priced {
			prices := []string{"1.876", "2.5", "0", "10.00", "-3"}
			for i := range rapid.IntRange(0, 22).Draw(t, "times") {
				base := decimal.RequireFromString(rapid.SampledFrom(prices).Draw(t, "base"))
				rush := decimal.RequireFromString(rapid.SampledFrom(prices).Draw(t, "rush"))
				code := str.Draw(t, "time")
				if rapid.Bool().Draw(t, "plain code") {
					code = fmt.Sprint(480 - 24*i)
				}
				lines = append(lines, Line{Time: &catalog.ProductionTime{Code: code}, Base: base, Rush: rush, Total: base.Add(rush)})
			}
		}
		snap := Snapshot{Currency: str.Draw(t, "currency"), Destination: str.Draw(t, "destination"),
			Items: []SnapshotItem{{Product: str.Draw(t, "product"), Options: options, Amount: str.Draw(t, "amount")}}}
		if priced {
			snap.Times = snapshotTimes(lines)
		}
		want, err := json.Marshal(snap)
		if err != nil {
			t.Fatal(err)
		}
		var q *Quote
		if priced {
			q = &Quote{Lines: lines}
		}
		got := appendConfigurationSnapshot(nil, snap.Currency, snap.Destination, snap.Items[0].Product, options, snap.Items[0].Amount, q)
		if string(got) != string(want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
		wantOpts, _ := json.Marshal(options)
		if got := appendOptions(nil, options); string(got) != string(wantOpts) {
			t.Fatalf("options:\n got %s\nwant %s", got, wantOpts)
		}
	})
}

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
		raw := appendConfigurationSnapshot(nil, "EUR", "NL", "dibond", nil, "1", &Quote{Lines: lines})
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
	raw := appendConfigurationSnapshot(nil, "EUR", "NL", "dibond", nil, "1", &Quote{Lines: lines})
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
