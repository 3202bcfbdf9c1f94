// Package wl3 is the white-label reseller API V3, mounted at /wl3: OAuth
// tokens, draft orders with items, checkout, listings by stage, custom
// fields and item characteristics, for a reseller and its end customers.
// It translates onto the core and nothing more; the document gives no
// field names, so the ones used here, and the error body, are pressroom's
// and written down in docs/wl3.md.
package wl3

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/orders"
)

// MaxBodyBytes bounds a request body.
const MaxBodyBytes = 1 << 20

// Server holds what the handlers need.
type Server struct {
	Store       pressroom.Store
	Auth        *pressroom.Authenticator
	Orders      *orders.Service
	RateLimiter *httpx.RateLimiter // nil: no limit
	Logger      *slog.Logger
	Clock       pressroom.Clock
	// TokenTTL is how long an access token from /oauth/token lives.
	TokenTTL time.Duration
}

type handler func(http.ResponseWriter, *http.Request, *pressroom.Principal)

type route struct {
	pattern string
	write   bool // refused to a free edition
	handler handler
}

func (s *Server) routes() []route {
	return []route{
		{"GET /api/accounts", false, s.handleAccounts},
		{"POST /api/orders", true, s.handleCreate},
		{"GET /api/orders", false, s.handleList},
		{"GET /api/orders/{orderId}", false, s.handleGet},
		{"PUT /api/orders/{orderId}", true, s.handleUpdate},
		{"POST /api/orders/{orderId}/items", true, s.handleAddItem},
		{"GET /api/orders/{orderId}/items", false, s.handleItems},
		{"GET /api/orders/{orderId}/items/{itemId}", false, s.handleItem},
		{"DELETE /api/orders/{orderId}/items/{itemId}", true, s.handleDeleteItem},
		{"POST /api/orders/{orderId}/checkout", true, s.handleCheckout},
		{"GET /api/orders/{orderId}/execute/status", false, s.handleExecuteStatus},
		{"GET /api/orders/{orderId}/customfields", false, s.handleCustomFields},
		{"PUT /api/orders/{orderId}/customfields", true, s.handleSetCustomFields},
		{"GET /api/orders/{orderId}/items/{itemId}/characteristics", false, s.handleCharacteristics},
		{"PUT /api/orders/{orderId}/items/{itemId}/characteristics", true, s.handleSetCharacteristics},
	}
}

// Patterns lists the "METHOD /path" of every endpoint below /wl3, the
// token endpoint included, for tests that must cover them all.
func Patterns() []string {
	out := []string{"POST /oauth/token"}
	for _, r := range (&Server{}).routes() {
		out = append(out, r.pattern)
	}
	return out
}

// Handler serves the API below its mount point (the caller strips /wl3).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /oauth/token", s.tokens())
	for _, r := range s.routes() {
		mux.Handle(r.pattern, s.reseller(r.handler, r.write))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "No such endpoint: "+r.Method+" "+r.URL.Path+" (the API is below /wl3/api, tokens at /wl3/oauth/token)")
	})
	return mux
}

// errorBody is this API's one error shape.
type errorBody struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, message string, fields ...fieldError) {
	writeJSON(w, status, errorBody{Code: code, Message: message, Errors: fields})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	httpx.JSON(w, status, v, true, []byte(`{"code":"internal","message":"Internal error"}`))
}

// codes maps the core's error codes onto HTTP statuses.
var codes = map[string]int{
	pressroom.EMALFORMED:    http.StatusBadRequest,
	pressroom.EINVALID:      http.StatusUnprocessableEntity,
	pressroom.ENOTFOUND:     http.StatusNotFound,
	pressroom.ECONFLICT:     http.StatusConflict,
	pressroom.EFORBIDDEN:    http.StatusForbidden,
	pressroom.EUNAUTHORIZED: http.StatusUnauthorized,
	pressroom.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	pressroom.ERATELIMITED:  http.StatusTooManyRequests,
	pressroom.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// fail answers a core error, naming each field the way this API does.
func (s *Server) fail(w http.ResponseWriter, err error, fieldOf func(string) string) {
	status, ok := codes[pressroom.ErrorCode(err)]
	if !ok {
		s.Logger.Error("wl3: internal error", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "Internal error; it is logged, try again later")
		return
	}
	var fields []fieldError
	var e *pressroom.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			fields = append(fields, fieldError{fieldOf(f.Pointer), f.Detail})
		}
	}
	writeError(w, status, pressroom.ErrorCode(err), pressroom.ErrorMessage(err), fields...)
}

// reseller authenticates the bearer token or key, applies the rate limit
// and, for writes, the edition.
func (s *Server) reseller(h handler, write bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, d, err := httpx.Gate{Auth: s.Auth, Limiter: s.RateLimiter, Clock: s.Clock}.Admit(w, r, httpx.BearerKey(r))
		switch pressroom.ErrorCode(err) {
		case "":
		case pressroom.EUNAUTHORIZED:
			w.Header().Set("WWW-Authenticate", `Bearer realm="wl3"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "Send Authorization: Bearer with an access token from /wl3/oauth/token or an API key; this one is missing, unknown, expired or revoked")
			return
		case pressroom.ERATELIMITED:
			writeError(w, http.StatusTooManyRequests, "rate_limited", fmt.Sprintf("More than %d requests a minute with this key; retry after the Retry-After seconds", d.Limit))
			return
		default:
			s.fail(w, err, nil)
			return
		}
		if write && p.Reseller.Edition == pressroom.EditionFree {
			writeError(w, http.StatusForbidden, "forbidden", "The free edition may only read orders and items; creating and changing them needs the standard edition")
			return
		}
		h(w, r.WithContext(pressroom.NewContextWithPrincipal(r.Context(), p)), p)
	})
}

// tokens is the OAuth 2.0 token endpoint of this API (see httpx.TokenEndpoint).
func (s *Server) tokens() http.Handler {
	return &httpx.TokenEndpoint{Auth: s.Auth, Store: s.Store, Clock: s.Clock, Logger: s.Logger, TTL: s.TokenTTL,
		Password: true, Scope: "", Realm: "wl3"}
}
