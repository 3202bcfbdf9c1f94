package render

import (
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// decimalString writes every decimal as decimal.String does.
func TestDecimalString(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := rapid.OneOf(rapid.Int64Range(-1000, 1000), rapid.Int64(), rapid.Int64Range(-999_999_999_999_999_999, 999_999_999_999_999_999)).Draw(t, "coefficient")
		exp := rapid.Int32Range(-22, 3).Draw(t, "exp")
		d := decimal.New(c, exp)
		if got, want := decimalString(d), d.String(); got != want {
			t.Fatalf("%d e%d: %q, want %q", c, exp, got, want)
		}
	})
	for _, s := range []string{"0", "-0.5", "0.000", "1234.5600", "-1e-20", "12345678901234567890.5", "1e5", "0.1"} {
		d := decimal.RequireFromString(s)
		if got, want := decimalString(d), d.String(); got != want {
			t.Errorf("%s: %q, want %q", s, got, want)
		}
	}
}

var benchPrices = []decimal.Decimal{decimal.RequireFromString("8.47"), decimal.RequireFromString("21.175"), decimal.RequireFromString("1362.5600"),
	decimal.RequireFromString("0.0325"), decimal.RequireFromString("40"), decimal.RequireFromString("99999")}

func BenchmarkDecimalString(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range benchPrices {
			_ = decimalString(d)
		}
	}
}

func BenchmarkDecimalStringBig(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range benchPrices {
			_ = d.String()
		}
	}
}
