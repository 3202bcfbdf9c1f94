package pressroom_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/pgtest"
	"github.com/pressroom/pressroom/store/teststores"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// clock is a clock the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// A console sign-in is a token of its own: it opens the console as the
// staff member whose key signed in, and nothing else; it ends at sign-out,
// at its time, and when the key is revoked. So the browser never holds the
// operator key, and a copied cookie opens nothing for long.
func TestConsoleSessionsOpenTheConsoleOnly(t *testing.T) {
	teststores.Each(t, func(t *testing.T, s pressroom.Store) {
		ctx := context.Background()
		clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
		auth := pressroom.NewAuthenticator(s)
		auth.Clock = clk

		staffKey, secret, err := pressroom.IssueOperatorKey(ctx, s, "Anna")
		if err != nil {
			t.Fatal(err)
		}
		anna, err := auth.Operator(ctx, secret)
		if err != nil || anna.Session {
			t.Fatalf("the operator key: %+v, %v", anna, err)
		}
		token, until, err := pressroom.IssueConsoleSession(ctx, s, anna, pressroom.ConsoleSessionTTL, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if want := clk.Now().Add(12 * time.Hour); !until.Equal(want) || token == secret {
			t.Fatalf("the sign-in lasts until %v, want %v (token %q)", until, want, token)
		}
		p, err := auth.Console(ctx, token)
		if err != nil || !p.Session || p.KeyName != "Anna" || p.KeyID != staffKey.ID || p.Role != pressroom.RoleOperator {
			t.Fatalf("the console's sign-in: %+v, %v", p, err)
		}
		// It opens no API, and nothing but a sign-in opens the console.
		for name, try := range map[string]func() (*pressroom.Principal, error){
			"Authenticate(token)":   func() (*pressroom.Principal, error) { return auth.Authenticate(ctx, token) },
			"Operator(token)":       func() (*pressroom.Principal, error) { return auth.Operator(ctx, token) },
			"Reseller(token)":       func() (*pressroom.Principal, error) { return auth.Reseller(ctx, token) },
			"Console(operator key)": func() (*pressroom.Principal, error) { return auth.Console(ctx, secret) },
			"Console(\"\")":         func() (*pressroom.Principal, error) { return auth.Console(ctx, "") },
			"Console(unknown)":      func() (*pressroom.Principal, error) { return auth.Console(ctx, "pcs_unknown") },
		} {
			if p, err := try(); pressroom.ErrorCode(err) != pressroom.EUNAUTHORIZED {
				t.Errorf("%s: %+v, %v; want EUNAUTHORIZED", name, p, err)
			}
		}
		// A sign-in signs no one else in, and is no staff key of its own.
		if _, _, err := pressroom.IssueConsoleSession(ctx, s, p, time.Hour, clk.Now()); pressroom.ErrorCode(err) != pressroom.EFORBIDDEN {
			t.Errorf("a sign-in from a sign-in: %v", err)
		}
		res, resKey, err := pressroom.CreateResellerWithKey(ctx, s, &pressroom.Reseller{Name: "Shop", Country: "NL", Edition: pressroom.EditionStandard})
		if err != nil {
			t.Fatal(err)
		}
		rp, err := auth.Reseller(ctx, resKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := pressroom.IssueConsoleSession(ctx, s, rp, time.Hour, clk.Now()); pressroom.ErrorCode(err) != pressroom.EFORBIDDEN {
			t.Errorf("a reseller's sign-in: %v", err)
		}
		if _, err := auth.Console(ctx, resKey); pressroom.ErrorCode(err) != pressroom.EUNAUTHORIZED {
			t.Errorf("a reseller's key on the console: %v", err)
		}
		oauth, _, err := pressroom.IssueAccessToken(ctx, s, rp, time.Hour, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := auth.Console(ctx, oauth); pressroom.ErrorCode(err) != pressroom.EUNAUTHORIZED {
			t.Errorf("a reseller's access token on the console: %v", err)
		}
		keys, err := s.ListAPIKeys(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if k.ParentID != 0 {
				t.Errorf("the operator keys list a sign-in: %+v", k)
			}
		}
		if keys, err := s.ListAPIKeys(ctx, res.ID); err != nil || len(keys) != 1 {
			t.Errorf("the reseller's keys: %d, %v", len(keys), err)
		}

		// Signing out ends it at once; again is nothing to do.
		if err := auth.EndSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.Console(ctx, token); pressroom.ErrorCode(err) != pressroom.EUNAUTHORIZED {
			t.Fatalf("after signing out: %v", err)
		}
		for _, v := range []string{token, "", "pcs_unknown", secret, resKey, oauth} {
			if err := auth.EndSession(ctx, v); err != nil {
				t.Errorf("ending %q: %v", v, err)
			}
		}
		// Ending is for sign-ins only: keys and access tokens live on.
		if _, err := auth.Operator(ctx, secret); err != nil {
			t.Errorf("the operator key after an EndSession of it: %v", err)
		}
		if _, err := auth.Reseller(ctx, oauth); err != nil {
			t.Errorf("the access token after an EndSession of it: %v", err)
		}

		// It ends at its time, and is purged after.
		token, _, err = pressroom.IssueConsoleSession(ctx, s, anna, time.Hour, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		clk.add(time.Hour)
		if _, err := auth.Console(ctx, token); pressroom.ErrorCode(err) != pressroom.EUNAUTHORIZED {
			t.Fatalf("an hour's sign-in after an hour: %v", err)
		}
		if n, err := s.DeleteExpiredKeys(ctx, clk.Now().Add(time.Second)); err != nil || n < 1 {
			t.Errorf("purged %d expired, %v", n, err)
		}

		// Revoking the key ends its sign-ins, on every node within the
		// authenticator's memory.
		token, _, err = pressroom.IssueConsoleSession(ctx, s, anna, time.Hour, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := auth.Console(ctx, token); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAPIKey(ctx, staffKey.ID, clk.Now()); err != nil {
			t.Fatal(err)
		}
		clk.add(pressroom.DefaultAuthTTL)
		if _, err := auth.Console(ctx, token); pressroom.ErrorCode(err) != pressroom.EUNAUTHORIZED {
			t.Fatalf("a sign-in of a revoked key: %v", err)
		}
	})
}
