package httpx

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter is a token bucket per API key: perMinute requests a minute,
// with a burst of a whole minute's worth. It lives in each node's memory.
type RateLimiter struct {
	perMinute int
	mu        sync.Mutex
	buckets   map[int64]*rate.Limiter
}

// NewRateLimiter returns a limiter; perMinute 0 turns limiting off (nil).
func NewRateLimiter(perMinute int) *RateLimiter {
	if perMinute <= 0 {
		return nil
	}
	return &RateLimiter{perMinute: perMinute, buckets: make(map[int64]*rate.Limiter)}
}

// Decision is the outcome of one Allow.
type Decision struct {
	Allowed    bool
	Limit      int
	Remaining  int
	Reset      time.Duration // until the bucket is full again
	RetryAfter time.Duration // until one request is allowed, when refused
}

// Allow takes a token for the key.
func (l *RateLimiter) Allow(keyID int64, now time.Time) Decision {
	l.mu.Lock()
	b := l.buckets[keyID]
	if b == nil {
		b = rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)
		l.buckets[keyID] = b
	}
	l.mu.Unlock()
	perToken := time.Duration(float64(time.Minute) / float64(l.perMinute))
	d := Decision{Limit: l.perMinute}
	if b.AllowN(now, 1) {
		d.Allowed = true
	}
	tokens := b.TokensAt(now)
	d.Remaining = int(math.Max(0, math.Floor(tokens)))
	d.Reset = time.Duration((float64(l.perMinute) - tokens) * float64(perToken))
	if !d.Allowed {
		d.RetryAfter = time.Duration((1 - tokens) * float64(perToken))
	}
	return d
}

// SetHeaders writes the rate-limit headers of d: the IETF draft's
// RateLimit-* and the widespread X-RateLimit-* names, and Retry-After on a
// refusal.
func (d Decision) SetHeaders(h http.Header) {
	reset := strconv.Itoa(int(math.Ceil(d.Reset.Seconds())))
	h.Set("RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("RateLimit-Reset", reset)
	h.Set("X-RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("X-RateLimit-Reset", reset)
	if !d.Allowed {
		h.Set("Retry-After", strconv.Itoa(int(math.Max(1, math.Ceil(d.RetryAfter.Seconds())))))
	}
}
