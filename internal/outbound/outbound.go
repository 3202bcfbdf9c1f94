// Package outbound is the HTTP client for every call pressroom makes to a
// URL someone else gave it (callbacks, file downloads): no proxy (a proxy
// would hide the address the guard must see), an SSRF guard in the dialer
// that refuses loopback, private, link-local, multicast and other reserved
// addresses after DNS resolution, bounded redirects whose every hop is
// checked the same way, and timeouts.
package outbound

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"code.dny.dev/ssrf"
)

// Options shape a client.
type Options struct {
	// AllowPrivate lets calls reach private and loopback addresses
	// (PRESSROOM_ALLOW_PRIVATE_NETWORKS=1: tests and local demos).
	AllowPrivate bool
	// Timeout bounds the whole call, body included (0: none; callers then
	// bound it by context).
	Timeout time.Duration
	// HeaderTimeout bounds the wait for the answer's headers.
	HeaderTimeout time.Duration
	// MaxRedirects followed (0: none, the redirect answer is returned).
	MaxRedirects int
}

// ErrTooManyRedirects ends a chain of redirects.
var ErrTooManyRedirects = errors.New("too many redirects")

// Client returns a client with the options.
func Client(o Options) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !o.AllowPrivate {
		dialer.Control = ssrf.New(ssrf.WithAnyPort()).Safe
	}
	header := o.HeaderTimeout
	if header == 0 {
		header = 30 * time.Second
	}
	return &http.Client{
		Timeout: o.Timeout,
		Transport: &http.Transport{
			Proxy: nil, DialContext: dialer.DialContext, MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: header,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if o.MaxRedirects == 0 {
				return http.ErrUseLastResponse
			}
			if len(via) > o.MaxRedirects {
				return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, o.MaxRedirects)
			}
			return nil
		},
	}
}

// Refused reports whether err is the guard refusing an address.
func Refused(err error) bool {
	return errors.Is(err, ssrf.ErrProhibitedIP) || errors.Is(err, ssrf.ErrProhibitedNetwork) || errors.Is(err, ssrf.ErrProhibitedPort)
}

// Describe says why a call got no answer, in words for a log a person reads.
func Describe(err error) string {
	var ne net.Error
	switch {
	case Refused(err):
		return "refused: the URL resolves to a private, loopback or otherwise reserved address"
	case errors.Is(err, ErrTooManyRedirects):
		return "refused: the URL redirects too often"
	case errors.As(err, &ne) && ne.Timeout():
		return "timed out waiting for an answer"
	}
	msg := err.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return msg
}
