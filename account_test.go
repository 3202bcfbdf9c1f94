package pressroom_test

import (
	"strings"
	"testing"

	"github.com/pressroom/pressroom"
)

// TestResellerTaxAndCallback: a reseller's country is a real country, its
// VAT number one of that country (it makes an EU reseller's purchases
// reverse-charged), typed as people type it; a callback URL is one
// callbacks can be sent to.
func TestResellerTaxAndCallback(t *testing.T) {
	for _, c := range []struct {
		country, vatID, callback string
		wantVAT                  string // the stored form, when valid
		problems                 []string
	}{
		{country: "BE", vatID: "BE0123456789", wantVAT: "BE0123456789"},
		{country: "BE", vatID: "be 0123.456.789", wantVAT: "BE0123456789"},
		{country: "GR", vatID: "EL123456789", wantVAT: "EL123456789"},
		{country: "GB", vatID: "XI123456789", wantVAT: "XI123456789"},
		{country: "CH", vatID: "CHE-123.456.789 MWST", wantVAT: "CHE123456789MWST"},
		{country: "XK", callback: "https://shop.example/cb"},
		{country: "US"},
		{country: "XX", problems: []string{"/country"}},
		{country: "EU", problems: []string{"/country"}},
		{country: "nl", problems: []string{"/country"}},
		{country: "BE", vatID: "nonsense", problems: []string{"/vat_id"}},
		{country: "NL", vatID: "BE0123456789", problems: []string{"/vat_id"}},
		{vatID: "NL001234567B01", problems: []string{"/vat_id"}},
		{country: "BE", vatID: "BE0123456789", callback: "ftp://shop.example/cb", problems: []string{"/callback_url"}},
		{callback: "https://" + strings.Repeat("a", 2000) + ".example", problems: []string{"/callback_url"}},
		{callback: "shop.example/cb", problems: []string{"/callback_url"}},
	} {
		r := &pressroom.Reseller{Name: "Shop", Edition: pressroom.EditionStandard, Country: c.country, VATID: c.vatID, CallbackURL: c.callback}
		err := r.Validate()
		var got []string
		for _, f := range pressroom.ErrorFields(err) {
			got = append(got, f.Pointer)
		}
		if strings.Join(got, " ") != strings.Join(c.problems, " ") {
			t.Errorf("%q %q %q: problems at %v (%v), want %v", c.country, c.vatID, c.callback, got, err, c.problems)
		}
		if err == nil && r.VATID != c.wantVAT {
			t.Errorf("%q %q: stored as %q, want %q", c.country, c.vatID, r.VATID, c.wantVAT)
		}
	}
}
