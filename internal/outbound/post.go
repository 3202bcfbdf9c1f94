package outbound

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/pressroom/pressroom/webhook"
)

// Poster sends callbacks to resellers' receivers (webhook.Poster):
// private addresses refused unless allowed, redirects not followed.
type Poster struct{ Client *http.Client }

// NewPoster returns a poster whose calls end after timeout.
func NewPoster(allowPrivate bool, timeout time.Duration) *Poster {
	return &Poster{Client: Client(Options{AllowPrivate: allowPrivate, Timeout: timeout, HeaderTimeout: timeout})}
}

// Post sends body as JSON with the headers and answers the receiver's
// status, the first 1 KB of its answer and its Retry-After; an error says
// in words why no answer came.
func (p *Poster) Post(ctx context.Context, url string, header map[string]string, body []byte) (webhook.Answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return webhook.Answer{}, errors.New("the URL cannot be called: " + err.Error())
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		return webhook.Answer{}, errors.New(Describe(err))
	}
	defer resp.Body.Close()
	first, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	return webhook.Answer{Status: resp.StatusCode, Body: string(first), RetryAfter: RetryAfter(resp.Header.Get("Retry-After"), time.Now())}, nil
}

// RetryAfter reads a Retry-After value, seconds or an HTTP date, as the
// wait from now; 0 when absent, bad or past.
func RetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(min(n, 1<<30)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
