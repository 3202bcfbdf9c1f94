// Package webhook delivers status callbacks: signed by the Standard Webhooks
// scheme, retried on a schedule, in event order per order and URL, with a
// bounded number at once per endpoint so that a slow receiver delays no other.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/order"
)

// Sign computes the webhook-signature header of Standard Webhooks: for each
// secret ("whsec_" + base64), "v1," and the base64 HMAC-SHA256 of
// "{id}.{timestamp}.{body}"; several are separated by spaces.
func Sign(secrets []string, id string, ts int64, body []byte) (string, error) {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil {
			return "", fmt.Errorf("webhook secret: %w", err)
		}
		mac := hmac.New(sha256.New, key)
		fmt.Fprintf(mac, "%s.%d.", id, ts)
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(sigs, " "), nil
}

// Config tunes deliveries.
type Config struct {
	// Interval between attempts (±10 % jitter) and Window, counted from the
	// first attempt, after which a callback is failed: 2 h and 72 h.
	Interval, Window time.Duration
	// Timeout of one attempt (10 s).
	Timeout time.Duration
	// PerEndpoint bounds the attempts in flight to one host on one node.
	PerEndpoint int
}

// Poster sends one callback to its receiver (outbound.Poster: over HTTP,
// with the SSRF guard, no redirects).
type Poster interface {
	// Post sends body with the headers to url and answers the receiver's
	// answer; its error says in words why none came (refused, timed out).
	Post(ctx context.Context, url string, header map[string]string, body []byte) (Answer, error)
}

// Answer is a receiver's answer to a callback.
type Answer struct {
	Status int    // the HTTP status
	Body   string // its first 1 KB
	// RetryAfter is the wait the receiver asked for (its Retry-After
	// header; 0 when it said none).
	RetryAfter time.Duration
}

// The receiver's answers that mean something more than "try again".
const (
	statusGone            = 410 // the receiver is gone: no more attempts
	statusTooManyRequests = 429 // with Retry-After: when to try again
	statusUnavailable     = 503 // likewise
)

// maxRetryAfter bounds the wait a receiver can ask for.
const maxRetryAfter = 24 * time.Hour

// Deliverer sends callbacks.
type Deliverer struct {
	Store  pressroom.Store
	Clock  pressroom.Clock
	Logger *slog.Logger
	Config Config
	// Formats render the bodies of callbacks in a compatible API's shape,
	// by the callback's Format (each API registers its own); the same
	// body on every attempt.
	Formats map[string]func(*order.Callback) []byte

	poster Poster
	mu     sync.Mutex
	slots  map[string]chan struct{}
}

// NewDeliverer returns a deliverer that sends through poster.
func NewDeliverer(store pressroom.Store, clock pressroom.Clock, logger *slog.Logger, poster Poster, cfg Config) *Deliverer {
	if cfg.PerEndpoint < 1 {
		cfg.PerEndpoint = 16
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Deliverer{Store: store, Clock: clock, Logger: logger, Config: cfg, poster: poster, slots: map[string]chan struct{}{}}
}

// WebhookID is the callback's stable id across retries (webhook-id).
func WebhookID(cb *order.Callback) string { return "msg_" + strconv.FormatInt(cb.ID, 10) }

// body is a callback's body in its format: a compatible API's, when one
// is registered for it, else the native envelope.
func (d *Deliverer) body(cb *order.Callback) []byte {
	if f := d.Formats[cb.Format]; f != nil {
		return f(cb)
	}
	return Body(cb)
}

// Body is what a callback sends, the same on every attempt: the native
// event envelope around the order as it was at the event.
func Body(cb *order.Callback) []byte {
	env := struct {
		Type       string          `json:"type"`
		ID         string          `json:"id"`
		OccurredAt string          `json:"occurred_at"`
		Sequence   int64           `json:"sequence"`
		Order      json.RawMessage `json:"order"`
	}{cb.Type, WebhookID(cb), cb.OccurredAt.UTC().Format(time.RFC3339), cb.Sequence, cb.Payload}
	b, _ := json.Marshal(env)
	return b
}

// slotWait is how long a delivery waits for a busy endpoint's slot before
// it steps aside (the job runs again later): long enough for a fast
// receiver's slots to turn over, short enough that a hanging receiver
// holds no worker for long.
const slotWait = 100 * time.Millisecond

// slot takes one of an endpoint's delivery slots, waiting up to slotWait;
// false when all stayed busy.
func (d *Deliverer) slot(ctx context.Context, u string) (release func(), ok bool) {
	key := u
	if p, err := url.Parse(u); err == nil {
		key = p.Scheme + "://" + p.Host
	}
	d.mu.Lock()
	ch := d.slots[key]
	if ch == nil {
		ch = make(chan struct{}, d.Config.PerEndpoint)
		d.slots[key] = ch
	}
	d.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, true
	default:
	}
	t := time.NewTimer(slotWait)
	defer t.Stop()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

// Deliver makes one attempt at a callback when it is due. It returns how
// long until the job should run again (0: nothing more to do).
func (d *Deliverer) Deliver(ctx context.Context, id int64) (time.Duration, error) {
	cb, earlier, r, err := d.Store.CallbackToDeliver(ctx, id)
	if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	if cb.Status != order.CallbackPending {
		return 0, nil
	}
	now := d.Clock.Now()
	if cb.NextAttemptAt != nil && now.Before(*cb.NextAttemptAt) {
		return cb.NextAttemptAt.Sub(now), nil
	}
	// Event order: a later callback waits while an earlier one is retried.
	if earlier {
		return time.Second, nil
	}
	if r.WebhookSecret == "" { // a reseller from before callbacks were signed
		if r, err = d.Store.FindResellerByID(ctx, cb.ResellerID); err != nil {
			return 0, err
		}
		r.WebhookSecret = pressroom.NewWebhookSecret()
		if err := d.Store.UpdateReseller(ctx, r); err != nil {
			return 0, err
		}
	}
	release, ok := d.slot(ctx, cb.URL)
	if !ok {
		return 200 * time.Millisecond, nil // the endpoint is busy: others go first
	}
	a, retryAfter := d.attempt(ctx, cb, r.SigningSecrets(now))
	release() // the slot bounds requests in flight, not our bookkeeping
	return d.settle(ctx, cb, a, retryAfter)
}

// attempt sends the callback once.
func (d *Deliverer) attempt(ctx context.Context, cb *order.Callback, secrets []string) (*order.CallbackAttempt, time.Duration) {
	start := d.Clock.Now()
	a := &order.CallbackAttempt{At: start}
	body := d.body(cb)
	ts := start.Unix()
	sig, err := Sign(secrets, WebhookID(cb), ts, body)
	if err != nil {
		a.Error = err.Error()
		return a, 0
	}
	ctx, cancel := context.WithTimeout(ctx, d.Config.Timeout)
	defer cancel()
	ans, err := d.poster.Post(ctx, cb.URL, map[string]string{
		"User-Agent":        "pressroom-webhooks/1",
		"webhook-id":        WebhookID(cb),
		"webhook-timestamp": strconv.FormatInt(ts, 10),
		"webhook-signature": sig,
	}, body)
	a.Duration = time.Since(start)
	if err != nil {
		a.Error = err.Error()
		return a, 0
	}
	a.Status, a.Response = ans.Status, ans.Body
	return a, retryWait(ans)
}

// retryWait is the wait a receiver's answer asks for before the next
// attempt: its Retry-After on a 429 or 503, at most a day; 0 otherwise.
func retryWait(ans Answer) time.Duration {
	if ans.Status != statusTooManyRequests && ans.Status != statusUnavailable {
		return 0
	}
	return min(max(ans.RetryAfter, 0), maxRetryAfter)
}

// settle records the attempt and decides what comes next.
func (d *Deliverer) settle(ctx context.Context, cb *order.Callback, a *order.CallbackAttempt, retryAfter time.Duration) (time.Duration, error) {
	now := d.Clock.Now()
	if cb.FirstAttemptAt == nil {
		cb.FirstAttemptAt = &a.At
	}
	cb.Attempts++
	cb.LastStatus, cb.LastError = a.Status, a.Error
	var wait time.Duration
	switch {
	case a.Status >= 200 && a.Status < 300:
		cb.Status, cb.FinishedAt, cb.NextAttemptAt = order.CallbackDelivered, &now, nil
	case a.Status == statusGone:
		cb.Status, cb.FinishedAt, cb.NextAttemptAt = order.CallbackFailed, &now, nil
		cb.LastError = "the receiver answered 410 Gone: no more attempts"
	default:
		wait = jitter(d.Config.Interval)
		if retryAfter > 0 {
			wait = retryAfter
		}
		next := now.Add(wait)
		if next.After(cb.FirstAttemptAt.Add(d.Config.Window)) {
			cb.Status, cb.FinishedAt, cb.NextAttemptAt, wait = order.CallbackFailed, &now, nil, 0
			if cb.LastError == "" {
				cb.LastError = fmt.Sprintf("answered %d", a.Status)
			}
			cb.LastError += "; the retry window ended"
		} else {
			cb.NextAttemptAt = &next
		}
	}
	if err := d.Store.RecordCallbackAttempt(ctx, cb, a); err != nil {
		return 0, err
	}
	if cb.Status == order.CallbackFailed {
		d.Logger.Warn("callback failed", "callback", cb.ID, "order", cb.OrderNumber, "url", cb.URL, "reason", cb.LastError)
	}
	return wait, nil
}

// jitter spreads an interval by ±10 %.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}
