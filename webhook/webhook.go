// Package webhook delivers status callbacks: signed by the Standard Webhooks
// scheme, retried on a schedule, in event order per order and URL, with a
// bounded number at once per endpoint so that a slow receiver delays no other.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/outbound"
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
	// AllowPrivate lets callbacks reach loopback and private addresses
	// (PRESSROOM_ALLOW_PRIVATE_NETWORKS=1, for tests and local demos).
	AllowPrivate bool
}

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

	client *http.Client
	mu     sync.Mutex
	slots  map[string]chan struct{}
}

// NewDeliverer returns a deliverer whose HTTP client refuses private
// addresses (checked after DNS resolution) unless the config allows them.
func NewDeliverer(store pressroom.Store, clock pressroom.Clock, logger *slog.Logger, cfg Config) *Deliverer {
	if cfg.PerEndpoint < 1 {
		cfg.PerEndpoint = 16
	}
	return &Deliverer{Store: store, Clock: clock, Logger: logger, Config: cfg, client: outbound.Client(outbound.Options{AllowPrivate: cfg.AllowPrivate, Timeout: cfg.Timeout, HeaderTimeout: cfg.Timeout}), slots: map[string]chan struct{}{}}
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cb.URL, bytes.NewReader(body))
	if err != nil {
		a.Error = "the URL cannot be called: " + err.Error()
		return a, 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "pressroom-webhooks/1")
	req.Header.Set("webhook-id", WebhookID(cb))
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := d.client.Do(req)
	a.Duration = time.Since(start)
	if err != nil {
		a.Error = outbound.Describe(err)
		return a, 0
	}
	defer resp.Body.Close()
	first, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	a.Status, a.Response = resp.StatusCode, string(first)
	var retryAfter time.Duration
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), start)
	}
	return a, retryAfter
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
	case a.Status == http.StatusGone:
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

// parseRetryAfter reads seconds or an HTTP date; 0 when absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return min(time.Duration(n)*time.Second, 24*time.Hour)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), 24*time.Hour)
	}
	return 0
}
