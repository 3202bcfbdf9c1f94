// Package probo is the Probo-compatible API, mounted at /probo: a reseller
// whose software speaks Probo's reseller API changes its base URL and key
// and goes on. It translates Probo's requests and answers onto the core and
// nothing more. What differs from Probo, and why, is in docs/probo.md.
package probo

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
)

// Limits of a request.
const (
	MaxBodyBytes = 1 << 20 // 1 MB
	MaxBatch     = 100     // products per configure or price call
)

// Server holds what the handlers need.
type Server struct {
	Store   pressroom.Store
	Auth    *pressroom.Authenticator
	Catalog *catalog.Service
	Pricing *pricing.Service
	Orders  *orders.Service
	Artwork *artwork.Service
	// PublicURL starts the tracking links handed out.
	PublicURL   string
	RateLimiter *httpx.RateLimiter // nil: no limit
	Logger      *slog.Logger
	Clock       pressroom.Clock
}

// route is one endpoint of this API.
type route struct {
	pattern string
	handler func(http.ResponseWriter, *http.Request, *pressroom.Principal)
}

func (s *Server) routes() []route {
	return []route{
		{"GET /products", s.handleProducts},
		{"GET /products/product/{code}", s.handleProduct},
		{"POST /products/configure", s.handleConfigure},
		{"POST /price", s.handlePrice},
		{"GET /products/product/{code}/tiers", s.handleTiers},
		{"GET /apiproducts", s.handleAPIProducts},
		{"GET /apiproducts/product/{customer_code}", s.handleAPIProduct},
		{"GET /shipping/methods", s.handleShippingMethods},
		{"POST /order", s.handleOrder},
		{"POST /order/status", s.handleOrderStatus},
		{"POST /order/cancel", s.handleCancel},
		{"POST /order/release", s.handleRelease},
		{"GET /orders", s.handleOrders},
		{"POST /drafts", s.handleDraft},
		{"POST /ticket", s.handleTicket},
		{"GET /tickets", s.handleTickets},
		{"POST /project", s.handleProject},
		{"GET /projects", s.handleProjects},
		{"POST /products/uploader/create", s.handleUploaderCreate},
	}
}

// Patterns lists the "METHOD /path" of every endpoint below the API's
// mount point, for tests that must cover them all.
func Patterns() []string {
	out := []string{"PUT /uploader/{id}", "POST /uploader/{id}"}
	for _, r := range (&Server{}).routes() {
		out = append(out, r.pattern)
	}
	return out
}

// Handler serves the API below its mount point (the caller strips /probo).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		mux.Handle(r.pattern, s.reseller(r.handler))
	}
	// The uploader's URL carries its own token: no API key.
	mux.HandleFunc("PUT /uploader/{id}", s.handleUpload)
	mux.HandleFunc("POST /uploader/{id}", s.handleUpload)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not found: "+r.Method+" "+r.URL.Path)
	})
	return mux
}

// key reads the API key as Probo's clients send it: "Bearer <key>", or
// "Basic <key>" with the key verbatim (what real clients do), or Basic with
// base64 of "key:" or ":key".
func key(r *http.Request) string {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, rest, _ := strings.Cut(h, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "bearer":
		return rest
	case "basic":
		if b, err := base64.StdEncoding.DecodeString(rest); err == nil {
			if user, pass, ok := strings.Cut(string(b), ":"); ok {
				if pass != "" {
					return pass
				}
				return user
			}
		}
		return rest
	}
	return ""
}

// reseller authenticates a reseller key and applies the rate limit, with
// Probo's headers on every answer.
func (s *Server) reseller(h func(http.ResponseWriter, *http.Request, *pressroom.Principal)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gate := httpx.Gate{Auth: s.Auth, Limiter: s.RateLimiter, Clock: s.Clock}
		k := key(r)
		p, d, err := gate.Admit(w, r, k)
		if pressroom.ErrorCode(err) == pressroom.EUNAUTHORIZED && strings.HasPrefix(strings.ToLower(r.Header.Get("Authorization")), "basic ") && k != "" {
			// A Basic value that was base64 after all, or the key verbatim:
			// try the other reading before refusing.
			raw := strings.TrimSpace(r.Header.Get("Authorization")[6:])
			if raw != k {
				if p2, d2, err2 := gate.Admit(w, r, raw); err2 == nil || pressroom.ErrorCode(err2) == pressroom.ERATELIMITED {
					p, d, err = p2, d2, err2
				}
			}
		}
		if s.RateLimiter != nil && (err == nil || pressroom.ErrorCode(err) == pressroom.ERATELIMITED) {
			w.Header().Set("x-ratelimit-limits", strconv.Itoa(d.Limit))
			w.Header().Set("x-ratelimit-remaining", strconv.Itoa(d.Remaining))
			w.Header().Set("x-ratelimit-reset", strconv.FormatInt(d.Reset.Milliseconds(), 10))
		}
		switch pressroom.ErrorCode(err) {
		case "":
		case pressroom.EUNAUTHORIZED:
			writeError(w, http.StatusUnauthorized, "Unauthorized or invalid client application credentials")
			return
		case pressroom.ERATELIMITED:
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "Quota has been exceeded"})
			return
		default:
			s.Logger.Error("probo: authenticate", "err", err)
			writeError(w, http.StatusServiceUnavailable, "Service temporarily unavailable")
			return
		}
		h(w, r.WithContext(pressroom.NewContextWithPrincipal(r.Context(), p)), p)
	})
}

// errorBody is Probo's error answer.
type errorBody struct {
	Status  string `json:"status"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, errorBody{Status: "error", Code: status, Message: message})
}

// fail answers a core error in Probo's shape, with Probo's status codes:
// 400 for what the caller sent, 404 for what does not exist.
func (s *Server) fail(w http.ResponseWriter, err error) {
	switch pressroom.ErrorCode(err) {
	case pressroom.EMALFORMED, pressroom.EINVALID, pressroom.ECONFLICT:
		writeError(w, http.StatusBadRequest, messageOf(err))
	case pressroom.ETOOLARGE:
		writeError(w, http.StatusRequestEntityTooLarge, pressroom.ErrorMessage(err))
	case pressroom.ENOTFOUND:
		writeError(w, http.StatusNotFound, pressroom.ErrorMessage(err))
	case pressroom.EFORBIDDEN:
		writeError(w, http.StatusForbidden, pressroom.ErrorMessage(err))
	case pressroom.EUNAVAILABLE:
		writeError(w, http.StatusServiceUnavailable, pressroom.ErrorMessage(err))
	default:
		s.Logger.Error("probo: internal error", "err", err)
		writeError(w, http.StatusInternalServerError, "Internal error")
	}
}

// messageOf is an error's message with each field's problem: Probo's
// errors are one message.
func messageOf(err error) string {
	msg := pressroom.ErrorMessage(err)
	var e *pressroom.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		details := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			details[i] = f.Detail
		}
		msg = strings.TrimSuffix(msg, ".") + ": " + strings.Join(details, "; ")
	}
	return msg
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	httpx.JSON(w, status, v, true, []byte(`{"status":"error","code":500,"message":"Internal error"}`))
}

// timeOf writes a time as Probo does: 2018-01-23T08:31:03+0000.
func timeOf(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-0700") }
