// Package boxes is the packaging-box API, mounted at /boxes: a reseller
// whose software speaks the box document's /v1/reseller API changes its
// base URL and credentials and goes on. Every answer is the document's
// envelope (the request echoed, then the response); errors come one at a
// time, first failing field first, with the document's ORD_ codes. It
// translates onto the core; what differs is in docs/boxes.md.
package boxes

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/orders"
)

// MaxBodyBytes bounds a JSON body.
const MaxBodyBytes = 1 << 20

// Server holds what the handlers need.
type Server struct {
	Store       pressroom.Store
	Auth        *pressroom.Authenticator
	Catalog     *catalog.Service
	Orders      *orders.Service
	Artwork     *artwork.Service
	RateLimiter *httpx.RateLimiter // nil: no limit
	Logger      *slog.Logger
	Clock       pressroom.Clock
	// TokenTTL is how long an access token from /v1/oauth2/token lives.
	TokenTTL time.Duration
}

type handler func(http.ResponseWriter, *http.Request, *pressroom.Principal, *envelope)

type route struct {
	pattern string
	handler handler
}

func (s *Server) routes() []route {
	return []route{
		{"GET /v1/reseller/orders", s.handleList},
		{"POST /v1/reseller/orders", s.handleCreate},
		{"GET /v1/reseller/orders/{order_id}", s.handleGet},
		{"GET /v1/reseller/orders/{order_id}/products/{product_id}", s.handleProduct},
		{"PUT /v1/reseller/orders/{order_id}/products/{product_id}", s.handleUpload},
		{"GET /v1/reseller/dieline", s.handleDieline},
	}
}

// Patterns lists the "METHOD /path" of every endpoint below /boxes, for
// tests that must cover them all.
func Patterns() []string {
	out := []string{"POST /v1/oauth2/token"}
	for _, r := range (&Server{}).routes() {
		out = append(out, r.pattern)
	}
	return out
}

// Handler serves the API below its mount point (the caller strips /boxes).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/oauth2/token", s.tokens())
	for _, r := range s.routes() {
		mux.Handle(r.pattern, s.reseller(r.handler))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		env := newEnvelope(r)
		env.fail(w, http.StatusNotFound, "NOT_FOUND", "No endpoint "+r.Method+" "+r.URL.Path, nil)
	})
	return mux
}

// envelope is the document's answer: the request as it came, and the response.
type envelope struct {
	Request  map[string]any `json:"request"`
	Response any            `json:"response"`
}

func newEnvelope(r *http.Request) *envelope {
	req := map[string]any{"uri": r.URL.Path, "method": r.Method}
	if q := r.URL.Query(); len(q) > 0 {
		query := map[string]string{}
		for k := range q {
			query[k] = q.Get(k)
		}
		req["query"] = query
	}
	return &envelope{Request: req}
}

// params echoes the path's ids, as the document's examples do.
func (e *envelope) params(r *http.Request) {
	p := map[string]string{}
	if v := r.PathValue("order_id"); v != "" {
		p["orderId"] = v
	}
	if v := r.PathValue("product_id"); v != "" {
		p["productId"] = v
	}
	if len(p) > 0 {
		e.Request["params"] = p
	}
}

func (e *envelope) ok(w http.ResponseWriter, v any) {
	e.Response = v
	writeJSON(w, http.StatusOK, e)
}

// errorOut is the document's error response.
type errorOut struct {
	Code       string      `json:"code"`
	Message    string      `json:"message"`
	HTTPStatus int         `json:"http_status_code"`
	Errors     []errDetail `json:"errors,omitempty"`
}

type errDetail struct {
	Code    string `json:"code"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

func (e *envelope) fail(w http.ResponseWriter, status int, typ, message string, detail *errDetail) {
	out := errorOut{Code: typ, Message: message, HTTPStatus: status}
	if detail != nil {
		out.Errors = []errDetail{*detail}
	}
	e.Response = out
	writeJSON(w, status, e)
}

// failCore answers a core error in the document's types.
func (s *Server) failCore(w http.ResponseWriter, e *envelope, err error, typ string) {
	status := http.StatusInternalServerError
	switch pressroom.ErrorCode(err) {
	case pressroom.ENOTFOUND:
		status, typ = http.StatusNotFound, "NOT_FOUND"
	case pressroom.EINVALID, pressroom.EMALFORMED:
		status = http.StatusBadRequest
	case pressroom.ECONFLICT:
		status = http.StatusConflict
	case pressroom.EFORBIDDEN:
		status = http.StatusForbidden
	case pressroom.ETOOLARGE:
		status = http.StatusRequestEntityTooLarge
	case pressroom.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
	default:
		s.Logger.Error("boxes: internal error", "err", err)
		e.fail(w, status, "INTERNAL_SERVER_ERROR", "Internal server error; it is logged", nil)
		return
	}
	var d *errDetail
	if f := pressroom.ErrorFields(err); len(f) > 0 {
		d = &errDetail{Code: typ, Path: strings.TrimPrefix(f[0].Pointer, "/"), Message: f[0].Detail}
	}
	e.fail(w, status, typ, pressroom.ErrorMessage(err), d)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	httpx.JSON(w, status, v, true, []byte(`{"response":{"code":"INTERNAL_SERVER_ERROR","message":"Internal server error","http_status_code":500}}`))
}

// reseller authenticates the bearer token (or the API key itself).
func (s *Server) reseller(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env := newEnvelope(r)
		env.params(r)
		p, d, err := httpx.Gate{Auth: s.Auth, Limiter: s.RateLimiter, Clock: s.Clock}.Admit(w, r, httpx.BearerKey(r))
		switch pressroom.ErrorCode(err) {
		case "":
		case pressroom.EUNAUTHORIZED:
			w.Header().Set("WWW-Authenticate", `Bearer realm="boxes"`)
			env.fail(w, http.StatusUnauthorized, "UNAUTHORIZED", "Send Authorization: Bearer with an access token from /boxes/v1/oauth2/token; this one is missing, unknown, expired or revoked", nil)
			return
		case pressroom.ERATELIMITED:
			env.fail(w, http.StatusTooManyRequests, "RATE_LIMITED", fmt.Sprintf("More than %d requests a minute with this key", d.Limit), nil)
			return
		default:
			s.failCore(w, env, err, "INTERNAL_SERVER_ERROR")
			return
		}
		h(w, r.WithContext(pressroom.NewContextWithPrincipal(r.Context(), p)), p, env)
	})
}

// tokens is the OAuth 2.0 token endpoint of this API (see httpx.TokenEndpoint).
func (s *Server) tokens() http.Handler {
	return &httpx.TokenEndpoint{Auth: s.Auth, Store: s.Store, Clock: s.Clock, Logger: s.Logger, TTL: s.TokenTTL,
		Password: false, Scope: "external", Realm: "boxes"}
}

// query echoes url.Values as the document shows them.
func query(v url.Values) map[string]string {
	out := map[string]string{}
	for k := range v {
		out[k] = v.Get(k)
	}
	return out
}
