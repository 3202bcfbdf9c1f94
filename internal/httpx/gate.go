package httpx

import (
	"math"
	"net/http"
	"strconv"

	"github.com/pressroom/pressroom"
)

// Gate admits a request to a compatible API: the key must be a reseller's
// (a staff member's console sign-in, for the console), and its rate limit must allow
// one more request. Each API answers a refusal in its own shape; the gate
// only decides.
type Gate struct {
	Auth    *pressroom.Authenticator
	Limiter *RateLimiter // nil: no limit
	Clock   pressroom.Clock
	// Console admits console sign-ins (pressroom.IssueConsoleSession)
	// instead of resellers' keys.
	Console bool
}

// Admit returns the key's principal and the rate limit's decision
// (zero without a limiter). It refuses with the authenticator's error
// (EUNAUTHORIZED for a missing or bad key, a store error otherwise) or
// with ERATELIMITED, having set Retry-After.
func (g Gate) Admit(w http.ResponseWriter, r *http.Request, key string) (*pressroom.Principal, Decision, error) {
	authenticate := g.Auth.Reseller
	if g.Console {
		authenticate = g.Auth.Console
	}
	p, err := authenticate(r.Context(), key)
	if err != nil || g.Limiter == nil {
		return p, Decision{}, err
	}
	d := g.Limiter.Allow(p.KeyID, g.Clock.Now())
	if !d.Allowed {
		// The wait for one more request, as the native API says it, not
		// for the whole bucket (a minute's worth at an emptied limit).
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Max(1, math.Ceil(d.RetryAfter.Seconds())))))
		return nil, d, pressroom.Errorf(pressroom.ERATELIMITED, "More than %d requests a minute with this key.", d.Limit)
	}
	return p, d, nil
}
