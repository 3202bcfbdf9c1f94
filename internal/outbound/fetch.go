package outbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/pressroom/pressroom/artwork"
)

// Fetcher downloads the print files resellers name by URL
// (artwork.Fetcher): private addresses refused unless allowed, at most
// five redirects, each checked again.
type Fetcher struct{ Client *http.Client }

// NewFetcher returns a fetcher; wait bounds the wait for an answer's
// headers (the body's pace is artwork's to judge).
func NewFetcher(allowPrivate bool, wait time.Duration) *Fetcher {
	return &Fetcher{Client: Client(Options{AllowPrivate: allowPrivate, HeaderTimeout: wait, MaxRedirects: 5})}
}

// Fetch opens url. A refused address, a redirect loop or an answer other
// than 200 is an *artwork.Problem; no answer, a 5xx, a 408 or a 429 is an
// *artwork.Transient (tried again later).
func (f *Fetcher) Fetch(ctx context.Context, url string, limit int64) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, &artwork.Problem{Code: "bad_url", Message: "the URL cannot be fetched: " + err.Error()}
	}
	req.Header.Set("User-Agent", "pressroom-artwork/1")
	resp, err := f.Client.Do(req)
	if err != nil {
		if Refused(err) || errors.Is(err, ErrTooManyRedirects) {
			return nil, &artwork.Problem{Code: "url_refused", Message: Describe(err)}
		}
		return nil, &artwork.Transient{Reason: Describe(err)}
	}
	var fail error
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		fail = &artwork.Transient{Reason: fmt.Sprintf("the file server answered %d", resp.StatusCode)}
	case resp.StatusCode != http.StatusOK:
		fail = &artwork.Problem{Code: "download_failed", Message: fmt.Sprintf("the file server answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
	case resp.ContentLength > limit:
		fail = &artwork.Problem{Code: "file_too_large", Message: fmt.Sprintf("the file is larger than %d MB", limit>>20)}
	}
	if fail != nil {
		resp.Body.Close()
		return nil, fail
	}
	return resp.Body, nil
}
