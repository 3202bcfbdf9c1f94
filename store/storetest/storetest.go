// Package storetest is the one test suite every pressroom.Store must pass.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
)

// Opener returns a new, empty store for one test.
type Opener func(t *testing.T) pressroom.Store

// Run runs the whole suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	t.Run("Resellers", func(t *testing.T) { testResellers(t, open(t)) })
	t.Run("EnsureResellerConcurrent", func(t *testing.T) { testEnsureResellerConcurrent(t, open(t)) })
	t.Run("Customers", func(t *testing.T) { testCustomers(t, open(t)) })
	t.Run("APIKeys", func(t *testing.T) { testAPIKeys(t, open(t)) })
	t.Run("AccessTokens", func(t *testing.T) { testAccessTokens(t, open(t)) })
	t.Run("CatalogVersions", func(t *testing.T) { testCatalogVersions(t, open(t)) })
	t.Run("CatalogVersionsConcurrent", func(t *testing.T) { testCatalogVersionsConcurrent(t, open(t)) })
	t.Run("ReserveIDs", func(t *testing.T) { testReserveIDs(t, open(t)) })
	t.Run("Calculations", func(t *testing.T) { testCalculations(t, open(t)) })
	t.Run("ResellerProfile", func(t *testing.T) { testResellerProfile(t, open(t)) })
	t.Run("APIProducts", func(t *testing.T) { testAPIProducts(t, open(t)) })
	t.Run("Orders", func(t *testing.T) { testOrders(t, open(t)) })
	t.Run("OrderRace", func(t *testing.T) { testOrderRace(t, open(t)) })
	t.Run("OrderPages", func(t *testing.T) { testOrderPages(t, open(t)) })
	t.Run("DraftsAndItems", func(t *testing.T) { testDraftsAndItems(t, open(t)) })
	t.Run("OrderItem", func(t *testing.T) { testOrderItem(t, open(t)) })
	t.Run("OrderEventAlone", func(t *testing.T) { testOrderEventAlone(t, open(t)) })
	t.Run("OrderFiles", func(t *testing.T) { testOrderFiles(t, open(t)) })
	t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, open(t)) })
	t.Run("Artwork", func(t *testing.T) { testArtwork(t, open(t)) })
	t.Run("ConcurrentWrites", func(t *testing.T) { testConcurrentWrites(t, open(t)) })
	t.Run("Projects", func(t *testing.T) { testProjects(t, open(t)) })
	t.Run("Reprints", func(t *testing.T) { testReprints(t, open(t)) })
	t.Run("UploadSessions", func(t *testing.T) { testUploadSessions(t, open(t)) })
	t.Run("DroppedBlobs", func(t *testing.T) { testDroppedBlobs(t, open(t)) })
	t.Run("CallbackDelivery", func(t *testing.T) { testCallbackDelivery(t, open(t)) })
	t.Run("CallbackRetention", func(t *testing.T) { testCallbackRetention(t, open(t)) })
	t.Run("ConcurrentDeliveries", func(t *testing.T) { testConcurrentDeliveries(t, open(t)) })
}

// MustCreateReseller creates a standard reseller with the name.
func MustCreateReseller(t testing.TB, s pressroom.Store, name string) *pressroom.Reseller {
	t.Helper()
	r := &pressroom.Reseller{Name: name, Edition: pressroom.EditionStandard}
	if err := s.CreateReseller(context.Background(), r); err != nil {
		t.Fatalf("CreateReseller(%q): %v", name, err)
	}
	return r
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := pressroom.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func testResellers(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "Acme Prints")
	if a.ID <= 1000000 {
		t.Errorf("first reseller id = %d, want above 1000000", a.ID)
	}
	if a.CreatedAt.IsZero() || a.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want a UTC time", a.CreatedAt)
	}
	b := MustCreateReseller(t, s, "Bravo Shop")
	if b.ID <= a.ID {
		t.Errorf("second id %d not above first %d", b.ID, a.ID)
	}
	got, err := s.FindResellerByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Acme Prints" || got.Edition != pressroom.EditionStandard || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("FindResellerByID = %+v, want %+v", got, a)
	}
	if got, err := s.FindResellerByName(ctx, "Bravo Shop"); err != nil || got.ID != b.ID {
		t.Errorf("FindResellerByName = %v, %v; want id %d", got, err, b.ID)
	}
	_, err = s.FindResellerByID(ctx, 42)
	wantCode(t, err, pressroom.ENOTFOUND)
	_, err = s.FindResellerByName(ctx, "nobody")
	wantCode(t, err, pressroom.ENOTFOUND)

	err = s.CreateReseller(ctx, &pressroom.Reseller{Name: "Acme Prints", Edition: pressroom.EditionFree})
	wantCode(t, err, pressroom.ECONFLICT)
	err = s.CreateReseller(ctx, &pressroom.Reseller{Name: "", Edition: "gold"})
	wantCode(t, err, pressroom.EINVALID)
	if got := len(pressroom.ErrorFields(err)); got != 2 {
		t.Errorf("invalid reseller: %d field errors, want 2 (name and edition)", got)
	}

	list, err := s.ListResellers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
		t.Errorf("ListResellers = %v, want [%d %d]", list, a.ID, b.ID)
	}

	e, err := s.EnsureReseller(ctx, &pressroom.Reseller{Name: "Acme Prints", Edition: pressroom.EditionFree})
	if err != nil || e.ID != a.ID || e.Edition != pressroom.EditionStandard {
		t.Errorf("EnsureReseller(existing) = %+v, %v; want the stored one", e, err)
	}
}

func testEnsureResellerConcurrent(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	errs := make([]error, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.EnsureReseller(ctx, &pressroom.Reseller{Name: "demo", Edition: pressroom.EditionStandard})
			errs[i] = err
			if r != nil {
				ids[i] = r.ID
			}
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil {
			t.Fatalf("EnsureReseller #%d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("EnsureReseller gave ids %v, want one id", ids)
		}
	}
	if list, _ := s.ListResellers(ctx); len(list) != 1 {
		t.Errorf("%d resellers after concurrent EnsureReseller, want 1", len(list))
	}
}

func testCustomers(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	b := MustCreateReseller(t, s, "B")
	c1 := &pressroom.Customer{ResellerID: a.ID, Name: "Jansen BV", Email: "inkoop@jansen.example", Reference: "C-1"}
	if err := s.CreateCustomer(ctx, c1); err != nil {
		t.Fatal(err)
	}
	if c1.ID == 0 {
		t.Error("customer id not assigned")
	}
	if err := s.CreateCustomer(ctx, &pressroom.Customer{ResellerID: a.ID, Name: "No ref 1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCustomer(ctx, &pressroom.Customer{ResellerID: a.ID, Name: "No ref 2"}); err != nil {
		t.Fatalf("second customer without reference: %v", err)
	}
	// The same reference is fine for another reseller, not for the same one.
	if err := s.CreateCustomer(ctx, &pressroom.Customer{ResellerID: b.ID, Name: "Other", Reference: "C-1"}); err != nil {
		t.Fatalf("same reference at another reseller: %v", err)
	}
	wantCode(t, s.CreateCustomer(ctx, &pressroom.Customer{ResellerID: a.ID, Name: "Dup", Reference: "C-1"}), pressroom.ECONFLICT)
	wantCode(t, s.CreateCustomer(ctx, &pressroom.Customer{ResellerID: 999, Name: "Orphan"}), pressroom.ENOTFOUND)
	wantCode(t, s.CreateCustomer(ctx, &pressroom.Customer{ResellerID: a.ID, Name: " ", Email: "nope"}), pressroom.EINVALID)
	// A missing reseller is said before what is wrong with the customer.
	wantCode(t, s.CreateCustomer(ctx, &pressroom.Customer{ResellerID: 999, Name: " ", Email: "nope"}), pressroom.ENOTFOUND)

	list, err := s.ListCustomers(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Name != "Jansen BV" || list[0].Reference != "C-1" || list[0].Email != "inkoop@jansen.example" {
		t.Errorf("ListCustomers(a) = %+v", list)
	}
	if list, _ := s.ListCustomers(ctx, b.ID); len(list) != 1 {
		t.Errorf("ListCustomers(b) has %d, want 1", len(list))
	}
}

func testAPIKeys(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	key := pressroom.NewKey("pr_")
	k := &pressroom.APIKey{ResellerID: a.ID, Role: pressroom.RoleReseller, Name: "shop", Hash: pressroom.HashKey(key), Hint: pressroom.KeyHint(key)}
	if err := s.CreateAPIKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindAPIKeyByHash(ctx, pressroom.HashKey(key))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != k.ID || got.ResellerID != a.ID || got.Role != pressroom.RoleReseller || got.RevokedAt != nil || !bytes.Equal(got.Hash, k.Hash) || got.Hint != k.Hint {
		t.Errorf("FindAPIKeyByHash = %+v, want %+v", got, k)
	}
	_, err = s.FindAPIKeyByHash(ctx, pressroom.HashKey("wrong"))
	wantCode(t, err, pressroom.ENOTFOUND)
	wantCode(t, s.CreateAPIKey(ctx, &pressroom.APIKey{ResellerID: a.ID, Role: pressroom.RoleReseller, Hash: pressroom.HashKey(key)}), pressroom.ECONFLICT)
	err = s.CreateAPIKey(ctx, &pressroom.APIKey{ResellerID: 12345, Role: pressroom.RoleReseller, Hash: pressroom.HashKey("x")})
	if wantCode(t, err, pressroom.ENOTFOUND); pressroom.ErrorMessage(err) != "Reseller not found." {
		t.Errorf("a key of no reseller: %q, want it to name the reseller", pressroom.ErrorMessage(err))
	}
	wantCode(t, s.CreateAPIKey(ctx, &pressroom.APIKey{ResellerID: a.ID, Role: pressroom.RoleOperator, Hash: pressroom.HashKey("y")}), pressroom.EINVALID)

	op := &pressroom.APIKey{Role: pressroom.RoleOperator, Name: "ops", Hash: pressroom.HashKey("operator-secret")}
	e1, err := s.EnsureAPIKey(ctx, op)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := s.EnsureAPIKey(ctx, &pressroom.APIKey{Role: pressroom.RoleOperator, Name: "again", Hash: pressroom.HashKey("operator-secret")})
	if err != nil || e2.ID != e1.ID || e2.Name != "ops" {
		t.Errorf("EnsureAPIKey twice = %+v, %v; want the first (%d)", e2, err, e1.ID)
	}
	if ops, _ := s.ListAPIKeys(ctx, 0); len(ops) != 1 || ops[0].Role != pressroom.RoleOperator {
		t.Errorf("operator keys = %+v", ops)
	}
	if ks, _ := s.ListAPIKeys(ctx, a.ID); len(ks) != 1 || ks[0].ID != k.ID {
		t.Errorf("reseller keys = %+v", ks)
	}

	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if err := s.RevokeAPIKey(ctx, k.ID, at); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIKey(ctx, k.ID, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindAPIKeyByHash(ctx, pressroom.HashKey(key))
	if got.RevokedAt == nil || !got.RevokedAt.Equal(at) {
		t.Errorf("RevokedAt = %v, want %v (the first revocation)", got.RevokedAt, at)
	}
	wantCode(t, s.RevokeAPIKey(ctx, 999999, at), pressroom.ENOTFOUND)
}

func testCatalogVersions(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	if n, err := s.LatestCatalogVersionNumber(ctx); err != nil || n != 0 {
		t.Fatalf("LatestCatalogVersionNumber on empty = %d, %v; want 0", n, err)
	}
	_, err := s.LatestCatalogVersion(ctx)
	wantCode(t, err, pressroom.ENOTFOUND)

	first := &pressroom.CatalogVersion{Document: []byte(`{"a":1}`), Checksum: "c1", Note: "demo"}
	stored, err := s.EnsureFirstCatalogVersion(ctx, first)
	if err != nil || !stored || first.Version != 1 {
		t.Fatalf("EnsureFirstCatalogVersion = %v, %v, version %d; want stored version 1", stored, err, first.Version)
	}
	stored, err = s.EnsureFirstCatalogVersion(ctx, &pressroom.CatalogVersion{Document: []byte(`{}`), Checksum: "c0"})
	if err != nil || stored {
		t.Fatalf("second EnsureFirstCatalogVersion = %v, %v; want not stored", stored, err)
	}
	v2 := &pressroom.CatalogVersion{Document: []byte(`{"a":2}`), Checksum: "c2", Note: "spring prices"}
	if err := s.CreateCatalogVersion(ctx, v2); err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 {
		t.Errorf("version = %d, want 2", v2.Version)
	}
	latest, err := s.LatestCatalogVersion(ctx)
	if err != nil || latest.Version != 2 || string(latest.Document) != `{"a":2}` || latest.Note != "spring prices" || latest.Checksum != "c2" {
		t.Errorf("LatestCatalogVersion = %+v, %v", latest, err)
	}
	if n, _ := s.LatestCatalogVersionNumber(ctx); n != 2 {
		t.Errorf("LatestCatalogVersionNumber = %d, want 2", n)
	}
	v1, err := s.FindCatalogVersion(ctx, 1)
	if err != nil || string(v1.Document) != `{"a":1}` {
		t.Errorf("FindCatalogVersion(1) = %+v, %v", v1, err)
	}
	_, err = s.FindCatalogVersion(ctx, 3)
	wantCode(t, err, pressroom.ENOTFOUND)
}

func testCatalogVersionsConcurrent(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	const n = 6
	var wg sync.WaitGroup
	versions := make(chan int64, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := &pressroom.CatalogVersion{Document: []byte(fmt.Sprintf(`{"i":%d}`, i)), Checksum: "x"}
			if err := s.CreateCatalogVersion(ctx, v); err != nil {
				t.Errorf("CreateCatalogVersion: %v", err)
				return
			}
			versions <- v.Version
		}()
	}
	wg.Wait()
	close(versions)
	seen := map[int64]bool{}
	for v := range versions {
		if seen[v] {
			t.Errorf("version %d given twice", v)
		}
		seen[v] = true
	}
	for v := int64(1); v <= n; v++ {
		if !seen[v] {
			t.Errorf("version %d missing: got %v", v, seen)
		}
	}
}

func testReserveIDs(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	first, err := s.ReserveIDs(ctx, "calculation", 100)
	if err != nil || first != 1 {
		t.Fatalf("first ReserveIDs = %d, %v; want 1", first, err)
	}
	second, err := s.ReserveIDs(ctx, "calculation", 10)
	if err != nil || second != 101 {
		t.Fatalf("second ReserveIDs = %d, %v; want 101", second, err)
	}
	if other, err := s.ReserveIDs(ctx, "other", 1); err != nil || other != 1 {
		t.Errorf("another sequence starts at %d, %v; want 1", other, err)
	}
	_, err = s.ReserveIDs(ctx, "calculation", 0)
	wantCode(t, err, pressroom.EINVALID)

	var mu sync.Mutex
	var wg sync.WaitGroup
	starts := map[int64]bool{}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := s.ReserveIDs(ctx, "calculation", 5)
			if err != nil {
				t.Errorf("ReserveIDs: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if starts[f] {
				t.Errorf("block %d handed out twice", f)
			}
			starts[f] = true
		}()
	}
	wg.Wait()
	for f := range starts {
		if f < 111 || (f-111)%5 != 0 {
			t.Errorf("block start %d does not follow the earlier blocks", f)
		}
	}
}

func testCalculations(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	b := MustCreateReseller(t, s, "B")
	v := &pressroom.CatalogVersion{Document: []byte(`{}`), Checksum: "x"}
	if _, err := s.EnsureFirstCatalogVersion(ctx, v); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 10, 30, 0, 123456000, time.UTC)
	prices := []byte(`{"480":{"purchase_price":"1.876"}}`)
	cs := []*pressroom.Calculation{
		{ID: 7, ResellerID: a.ID, CatalogVersion: 1, ProductCode: "dibond", Options: []byte(`[{"code":"width","value":"40"}]`),
			Prices: prices, CreatedAt: at, ExpiresAt: at.Add(pressroom.CalculationLifetime)},
		{ID: 8, ResellerID: b.ID, CatalogVersion: 1, ProductCode: "airtex", Options: []byte(`[]`), CreatedAt: at},
	}
	if err := s.SaveCalculations(ctx, cs); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindCalculation(ctx, a.ID, 7)
	if err != nil {
		t.Fatal(err)
	}
	if got.ProductCode != "dibond" || got.CatalogVersion != 1 || !got.CreatedAt.Equal(at) || !bytes.Contains(got.Options, []byte(`"width"`)) ||
		!bytes.Equal(got.Prices, prices) || !got.ExpiresAt.Equal(at.Add(30*24*time.Hour)) {
		t.Errorf("FindCalculation = %+v", got)
	}
	_, err = s.FindCalculation(ctx, b.ID, 7)
	wantCode(t, err, pressroom.ENOTFOUND)
	_, err = s.FindCalculation(ctx, a.ID, 99)
	wantCode(t, err, pressroom.ENOTFOUND)
	// A batch with a duplicate stores nothing of that batch.
	err = s.SaveCalculations(ctx, []*pressroom.Calculation{
		{ID: 9, ResellerID: a.ID, CatalogVersion: 1, ProductCode: "x", Options: []byte(`[]`), CreatedAt: at},
		{ID: 7, ResellerID: a.ID, CatalogVersion: 1, ProductCode: "x", Options: []byte(`[]`), CreatedAt: at},
	})
	wantCode(t, err, pressroom.ECONFLICT)
	_, err = s.FindCalculation(ctx, a.ID, 9)
	wantCode(t, err, pressroom.ENOTFOUND)

	// Expired calculations are purged in batches; the others stay.
	old := []*pressroom.Calculation{
		{ID: 20, ResellerID: a.ID, CatalogVersion: 1, ProductCode: "x", Options: []byte(`[]`), CreatedAt: at, ExpiresAt: at.Add(time.Hour)},
		{ID: 21, ResellerID: a.ID, CatalogVersion: 1, ProductCode: "x", Options: []byte(`[]`), CreatedAt: at, ExpiresAt: at.Add(2 * time.Hour)},
		{ID: 22, ResellerID: a.ID, CatalogVersion: 1, ProductCode: "x", Options: []byte(`[]`), CreatedAt: at, ExpiresAt: at.Add(3 * time.Hour)},
	}
	if err := s.SaveCalculations(ctx, old); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpiredCalculations(ctx, at.Add(150*time.Minute), 1); err != nil || n != 1 {
		t.Errorf("first batch: %d, %v; want 1", n, err)
	}
	if n, err := s.DeleteExpiredCalculations(ctx, at.Add(150*time.Minute), 100); err != nil || n != 1 {
		t.Errorf("second batch: %d, %v; want 1", n, err)
	}
	for id, kept := range map[int64]bool{20: false, 21: false, 22: true, 7: true} {
		if _, err := s.FindCalculation(ctx, a.ID, id); (err == nil) != kept {
			t.Errorf("calculation %d kept = %v, want %v", id, err == nil, kept)
		}
	}
}

func testResellerProfile(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "Default markup")
	if !a.Markup.Equal(pressroom.DefaultMarkup) {
		t.Errorf("new reseller markup = %s, want the default %s", a.Markup, pressroom.DefaultMarkup)
	}
	b := &pressroom.Reseller{Name: "Belgian", Edition: pressroom.EditionStandard, Markup: decimal.RequireFromString("1.85"), Country: "BE", VATID: "BE0123456789",
		ShopName: "Drukkerij Gent", ShopURL: "https://gent.example/"}
	if err := s.CreateReseller(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindResellerByID(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Markup.String() != "1.85" || got.Country != "BE" || got.VATID != "BE0123456789" || got.ShopName != "Drukkerij Gent" || got.ShopURL != "https://gent.example/" {
		t.Errorf("stored profile = markup %s country %q vat %q shop %q %q", got.Markup, got.Country, got.VATID, got.ShopName, got.ShopURL)
	}
	got.Markup, got.Country, got.VATID, got.Edition, got.CallbackURL = decimal.RequireFromString("3"), "DE", "", pressroom.EditionFree, "https://shop.example/cb"
	got.ShopName, got.ShopURL = "Gent Print", ""
	if err := s.UpdateReseller(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, _ := s.FindResellerByID(ctx, b.ID)
	if again.Markup.String() != "3" || again.Country != "DE" || again.VATID != "" || again.Edition != pressroom.EditionFree || again.CallbackURL != "https://shop.example/cb" || again.Name != "Belgian" ||
		again.ShopName != "Gent Print" || again.ShopURL != "" {
		t.Errorf("after update = %+v", again)
	}
	err = s.UpdateReseller(ctx, &pressroom.Reseller{ID: 42, Name: "x", Edition: pressroom.EditionFree})
	wantCode(t, err, pressroom.ENOTFOUND)
	err = s.UpdateReseller(ctx, &pressroom.Reseller{ID: b.ID, Name: "x", Edition: pressroom.EditionFree, Markup: decimal.RequireFromString("0.5"), Country: "nl",
		ShopName: "two\nlines", ShopURL: "javascript:alert(1)"})
	wantCode(t, err, pressroom.EINVALID)
	if got := len(pressroom.ErrorFields(err)); got != 4 {
		t.Errorf("invalid markup, country, shop name and shop URL: %d field errors, want 4", got)
	}
}

func testAPIProducts(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	b := MustCreateReseller(t, s, "B")
	opts := []byte(`[{"code":"width","value":"40"},{"code":"milling"}]`)
	p := &pressroom.APIProduct{ResellerID: a.ID, CustomerCode: "sign-40x20", ProductCode: "dibond", Options: opts}
	if err := s.CreateAPIProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	if p.ID == 0 || p.CreatedAt.IsZero() || !p.UpdatedAt.Equal(p.CreatedAt) {
		t.Errorf("created = %+v", p)
	}
	wantCode(t, s.CreateAPIProduct(ctx, &pressroom.APIProduct{ResellerID: a.ID, CustomerCode: "sign-40x20", ProductCode: "forex", Options: opts}), pressroom.ECONFLICT)
	// Another reseller may use the same code.
	if err := s.CreateAPIProduct(ctx, &pressroom.APIProduct{ResellerID: b.ID, CustomerCode: "sign-40x20", ProductCode: "forex", Options: []byte(`[]`)}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateAPIProduct(ctx, &pressroom.APIProduct{ResellerID: a.ID, CustomerCode: "bad code!", ProductCode: "dibond", Options: opts}), pressroom.EINVALID)

	got, err := s.FindAPIProduct(ctx, a.ID, "sign-40x20")
	if err != nil || got.ProductCode != "dibond" || !bytes.Equal(got.Options, opts) || !got.CreatedAt.Equal(p.CreatedAt) {
		t.Errorf("FindAPIProduct = %+v, %v", got, err)
	}
	_, err = s.FindAPIProduct(ctx, a.ID, "nope")
	wantCode(t, err, pressroom.ENOTFOUND)

	for _, code := range []string{"c", "b", "a"} {
		if err := s.CreateAPIProduct(ctx, &pressroom.APIProduct{ResellerID: a.ID, CustomerCode: code, ProductCode: "airtex", Options: []byte(`[]`)}); err != nil {
			t.Fatal(err)
		}
	}
	page, total, err := s.ListAPIProducts(ctx, a.ID, 1, 2)
	if err != nil || total != 4 || len(page) != 2 || page[0].CustomerCode != "b" || page[1].CustomerCode != "c" {
		t.Errorf("ListAPIProducts(1, 2) = %d of %d, %v", len(page), total, err)
	}
	if page, total, _ := s.ListAPIProducts(ctx, b.ID, 0, 10); total != 1 || len(page) != 1 || page[0].ProductCode != "forex" {
		t.Errorf("B's products: %d of %d", len(page), total)
	}

	got.ProductCode, got.Options = "forex", []byte(`[{"code":"forex-3mm"}]`)
	if err := s.UpdateAPIProduct(ctx, got); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.FindAPIProduct(ctx, a.ID, "sign-40x20"); again.ProductCode != "forex" || string(again.Options) != `[{"code":"forex-3mm"}]` || again.UpdatedAt.Before(again.CreatedAt) {
		t.Errorf("after update: %+v", again)
	}
	wantCode(t, s.UpdateAPIProduct(ctx, &pressroom.APIProduct{ResellerID: b.ID, CustomerCode: "a", ProductCode: "x", Options: []byte(`[]`)}), pressroom.ENOTFOUND)
	wantCode(t, s.DeleteAPIProduct(ctx, b.ID, "a"), pressroom.ENOTFOUND)
	if err := s.DeleteAPIProduct(ctx, a.ID, "a"); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindAPIProduct(ctx, a.ID, "a")
	wantCode(t, err, pressroom.ENOTFOUND)
}

// testAccessTokens: an access token is a key with an expiry and a parent;
// key lists leave tokens out; expired tokens are deleted, keys never.
func testAccessTokens(t *testing.T, s pressroom.Store) {
	ctx := context.Background()
	a := MustCreateReseller(t, s, "A")
	parent := &pressroom.APIKey{ResellerID: a.ID, Role: pressroom.RoleReseller, Name: "shop", Hash: pressroom.HashKey("pr_parent"), Hint: "rent"}
	if err := s.CreateAPIKey(ctx, parent); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	p := &pressroom.Principal{KeyID: parent.ID, Role: pressroom.RoleReseller, Reseller: a}
	token, exp, err := pressroom.IssueAccessToken(ctx, s, p, time.Hour, now)
	if err != nil || !exp.Equal(now.Add(time.Hour)) || !strings.HasPrefix(token, "pat_") {
		t.Fatalf("issue: %q %v %v", token, exp, err)
	}
	k, err := s.FindAPIKeyByHash(ctx, pressroom.HashKey(token))
	if err != nil || k.ParentID != parent.ID || k.ExpiresAt == nil || !k.ExpiresAt.Equal(exp) || k.ResellerID != a.ID {
		t.Fatalf("token key = %+v, %v", k, err)
	}
	if byID, err := s.FindAPIKeyByID(ctx, parent.ID); err != nil || byID.ExpiresAt != nil || byID.ParentID != 0 {
		t.Errorf("parent by id = %+v, %v", byID, err)
	}
	if _, err := s.FindAPIKeyByID(ctx, k.ID+1000); pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
		t.Errorf("unknown id: %v", err)
	}
	keys, err := s.ListAPIKeys(ctx, a.ID)
	if err != nil || len(keys) != 1 || keys[0].ID != parent.ID {
		t.Errorf("keys list the tokens too: %+v %v", keys, err)
	}
	if n, err := s.DeleteExpiredKeys(ctx, now.Add(30*time.Minute)); err != nil || n != 0 {
		t.Errorf("deleted %d before the expiry, %v", n, err)
	}
	if n, err := s.DeleteExpiredKeys(ctx, now.Add(2*time.Hour)); err != nil || n != 1 {
		t.Errorf("deleted %d after the expiry, %v; want 1", n, err)
	}
	if _, err := s.FindAPIKeyByHash(ctx, pressroom.HashKey(token)); pressroom.ErrorCode(err) != pressroom.ENOTFOUND {
		t.Errorf("expired token still stored: %v", err)
	}
	if _, err := s.FindAPIKeyByID(ctx, parent.ID); err != nil {
		t.Errorf("the parent key went with its token: %v", err)
	}
}
