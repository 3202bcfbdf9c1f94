// Package api is pressroom's native HTTP API (/v1), its operator endpoints
// and the operational endpoints (/healthz, /metrics, /openapi.json).
package api

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
)

// Body limits.
const (
	MaxBodyBytes    = 1 << 20  // 1 MB for API requests
	MaxCatalogBytes = 16 << 20 // 16 MB for a catalog import
	MaxBatch        = 100      // products per configure call
)

//go:embed openapi.json
var openAPI []byte

// Server holds what the handlers need.
type Server struct {
	Store   pressroom.Store
	Auth    *pressroom.Authenticator
	Catalog *catalog.Service
	Pricing *pricing.Service
	Orders  *orders.Service
	Artwork *artwork.Service
	// PublicURL starts the links handed out (tracking pages).
	PublicURL   string
	RateLimiter *httpx.RateLimiter // nil: no limit
	Logger      *slog.Logger
	Registry    *prometheus.Registry
	// NoMetrics leaves GET /metrics off the API's port: the node serves
	// Registry on a listener of its own (PRESSROOM_METRICS_ADDR).
	NoMetrics bool
	// MetricsFrom answers why a request may not read GET /metrics, or nil
	// (nil MetricsFrom: anyone may).
	MetricsFrom func(*http.Request) error
	Clock       pressroom.Clock
	// Ready reports whether the server takes requests (false while shutting down).
	Ready func() bool
}

// route is one endpoint: "METHOD /path" and its handler.
type route struct {
	pattern string
	handler http.Handler
}

// routes lists every endpoint; openapi.json documents each (a test checks).
func (s *Server) routes() []route {
	return []route{
		{"GET /healthz", http.HandlerFunc(s.handleHealth)},
		{"GET /metrics", s.metrics(promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))},
		{"GET /openapi.json", http.HandlerFunc(s.handleOpenAPI)},

		{"GET /v1/account", s.reseller(s.handleAccount)},
		{"GET /v1/products", s.reseller(s.handleListProducts)},
		{"GET /v1/products/{code}", s.reseller(s.handleGetProduct)},
		{"POST /v1/products/configure", s.reseller(s.handleConfigure)},
		{"GET /v1/products/{code}/tiers", s.reseller(s.handleTiers)},
		{"POST /v1/prices", s.reseller(s.handlePrices)},
		{"GET /v1/shipping/methods", s.reseller(s.handleShippingMethods)},
		{"GET /v1/api-products", s.reseller(s.handleListAPIProducts)},
		{"POST /v1/api-products", s.reseller(s.handleCreateAPIProduct)},
		{"GET /v1/api-products/{customer_code}", s.reseller(s.handleGetAPIProduct)},
		{"PUT /v1/api-products/{customer_code}", s.reseller(s.handleUpdateAPIProduct)},
		{"DELETE /v1/api-products/{customer_code}", s.reseller(s.handleDeleteAPIProduct)},
		{"POST /v1/orders", s.reseller(s.handleCreateOrder)},
		{"GET /v1/orders", s.reseller(s.handleListOrders)},
		{"GET /v1/orders/{number}", s.reseller(s.handleGetOrder)},
		{"GET /v1/orders/{number}/items", s.reseller(s.handleOrderItems)},
		{"GET /v1/orders/{number}/items/{item}", s.reseller(s.handleOrderItems)},
		{"GET /v1/orders/{number}/events", s.reseller(s.handleOrderEvents)},
		{"DELETE /v1/orders/{number}", s.reseller(s.handleDeleteDraft)},
		{"PATCH /v1/orders/{number}", s.reseller(s.handleUpdateDraft)},
		{"POST /v1/orders/{number}/items", s.reseller(s.handleAddItem)},
		{"PUT /v1/orders/{number}/items/{item}", s.reseller(s.handleReplaceItem)},
		{"DELETE /v1/orders/{number}/items/{item}", s.reseller(s.handleRemoveItem)},
		{"POST /v1/orders/{number}/checkout", s.reseller(s.handleCheckout)},
		{"POST /v1/orders/{number}/reprints", s.reseller(s.handleRequestReprint)},
		{"GET /v1/orders/{number}/items/{item}/artwork", s.reseller(s.handleGetArtwork)},
		{"GET /v1/orders/{number}/items/{item}/artwork/{index}/file", s.reseller(s.handleArtworkFile)},
		{"GET /v1/orders/{number}/documents", s.reseller(s.handleGetDocuments)},
		{"GET /v1/orders/{number}/documents/{kind}/file", s.reseller(s.handleDocumentFile)},
		{"PUT /v1/orders/{number}/items/{item}/artwork", s.reseller(s.handleUploadArtwork)},
		{"GET /v1/orders/{number}/reprints", s.reseller(s.handleListReprints)},
		{"GET /v1/orders/{number}/items/{item}/characteristics", s.reseller(s.handleCharacteristics)},
		{"PUT /v1/orders/{number}/items/{item}/characteristics", s.reseller(s.handleCharacteristics)},
		{"POST /v1/orders/{number}/cancel", s.reseller(s.handleCancelOrder)},
		{"POST /v1/orders/{number}/release", s.reseller(s.handleReleaseOrder)},
		{"GET /v1/orders/{number}/custom-fields", s.reseller(s.handleCustomFields)},
		{"PUT /v1/orders/{number}/custom-fields", s.reseller(s.handleCustomFields)},
		{"GET /track/{token}", http.HandlerFunc(s.handleTracking)},
		{"GET /v1/callbacks", s.reseller(s.handleListCallbacks)},
		{"GET /v1/callbacks/{id}", s.reseller(s.handleGetCallback)},
		{"POST /v1/callbacks/{id}/redeliver", s.reseller(s.handleRedeliver)},
		{"POST /v1/callbacks/test", s.reseller(s.handleTestCallback)},
		{"GET /v1/account/callbacks", s.reseller(s.handleGetCallbackSettings)},
		{"PUT /v1/account/callbacks", s.reseller(s.handlePutCallbackSettings)},

		{"GET /v1/operator/resellers", s.operator(s.handleListResellers)},
		{"POST /v1/operator/resellers", s.operator(s.handleCreateReseller)},
		{"GET /v1/operator/resellers/{id}", s.operator(s.handleGetReseller)},
		{"PATCH /v1/operator/resellers/{id}", s.operator(s.handleUpdateReseller)},
		{"POST /v1/operator/resellers/{id}/customers", s.operator(s.handleCreateCustomer)},
		{"POST /v1/operator/resellers/{id}/keys", s.operator(s.handleCreateKey)},
		{"POST /v1/operator/keys", s.operator(s.handleCreateOperatorKey)},
		{"DELETE /v1/operator/keys/{id}", s.operator(s.handleRevokeKey)},
		{"GET /v1/operator/catalog", s.operator(s.handleGetCatalog)},
		{"POST /v1/operator/catalog", s.operator(s.handleImportCatalog)},
		{"GET /v1/operator/orders", s.operator(s.operatorOrders(s.handleListOrders))},
		{"GET /v1/operator/orders/{number}", s.operator(s.operatorOrders(s.handleGetOrder))},
		{"GET /v1/operator/orders/{number}/events", s.operator(s.operatorOrders(s.handleOrderEvents))},
		{"GET /v1/operator/orders/{number}/items/{item}/artwork", s.operator(s.operatorOrders(s.handleGetArtwork))},
		{"PUT /v1/operator/orders/{number}/items/{item}/artwork", s.operator(s.handleStaffUpload)},
		{"GET /v1/operator/orders/{number}/items/{item}/artwork/{index}/file", s.operator(s.operatorOrders(s.handleArtworkFile))},
		{"GET /v1/operator/orders/{number}/documents", s.operator(s.operatorOrders(s.handleGetDocuments))},
		{"GET /v1/operator/orders/{number}/documents/{kind}/file", s.operator(s.operatorOrders(s.handleDocumentFile))},
		{"POST /v1/operator/orders/{number}/status", s.operator(s.handleOperatorStatus)},
		{"POST /v1/operator/orders/{number}/payment", s.operator(s.handleOperatorPayment)},
		{"POST /v1/operator/orders/{number}/notes", s.operator(s.handleOperatorNote)},
		{"POST /v1/operator/orders/{number}/erase", s.operator(s.handleOperatorErase)},
		{"GET /v1/operator/reprints", s.operator(s.handleOperatorReprints)},
		{"GET /v1/operator/callbacks", s.operator(s.operatorOrders(s.handleListCallbacks))},
		{"GET /v1/operator/callbacks/{id}", s.operator(s.operatorOrders(s.handleGetCallback))},
		{"POST /v1/operator/reprints/{id}/approve", s.operator(s.handleDecideReprint(true))},
		{"POST /v1/operator/reprints/{id}/reject", s.operator(s.handleDecideReprint(false))},
	}
}

// Patterns lists the "METHOD /path" of every endpoint, for tests that
// must cover them all.
func Patterns() []string {
	var out []string
	for _, r := range (&Server{}).routes() {
		out = append(out, r.pattern)
	}
	return out
}

// Handler returns the whole HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		if s.NoMetrics && r.pattern == "GET /metrics" {
			continue
		}
		mux.Handle(r.pattern, r.handler)
	}
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "No endpoint %s %s. See /openapi.json.", r.Method, r.URL.Path))
	})
	return mux
}

// metrics serves the metrics to the networks MetricsFrom allows: they
// tell how much business the company does, and with whom.
func (s *Server) metrics(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.MetricsFrom != nil {
			if err := s.MetricsFrom(r); err != nil {
				s.Error(w, r, pressroom.Errorf(pressroom.EFORBIDDEN, "The metrics are served to PRESSROOM_METRICS_ALLOWED_NETWORKS only (or on PRESSROOM_METRICS_ADDR): %v.", err))
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if s.Ready != nil && !s.Ready() {
		s.Error(w, r, pressroom.Errorf(pressroom.EUNAVAILABLE, "Shutting down."))
		return
	}
	if s.Catalog.Current() == nil {
		s.Error(w, r, pressroom.Errorf(pressroom.EUNAVAILABLE, "No catalog loaded yet."))
		return
	}
	// A node whose database does not answer takes no orders: a load
	// balancer's check should see that, not only that the process runs.
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		s.Logger.Warn("health check: the store does not answer", "err", err)
		s.Error(w, r, pressroom.Errorf(pressroom.EUNAVAILABLE, "The database does not answer."))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "catalog_version": s.Catalog.Current().Version})
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
}

// authenticate checks the key and the rate limit; nil when it answered.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) *pressroom.Principal {
	p, err := s.Auth.Authenticate(r.Context(), httpx.BearerKey(r))
	if err != nil {
		if pressroom.ErrorCode(err) == pressroom.EUNAUTHORIZED {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pressroom"`)
		}
		s.Error(w, r, err)
		return nil
	}
	if s.RateLimiter != nil {
		d := s.RateLimiter.Allow(p.KeyID, s.Clock.Now())
		d.SetHeaders(w.Header())
		if !d.Allowed {
			s.Error(w, r, pressroom.Errorf(pressroom.ERATELIMITED, "Too many requests for this key; retry after %s seconds.", w.Header().Get("Retry-After")))
			return nil
		}
	}
	return p
}

// reseller wraps a handler that needs a reseller key.
func (s *Server) reseller(h func(http.ResponseWriter, *http.Request, *pressroom.Principal)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.authenticate(w, r)
		if p == nil {
			return
		}
		if p.Role != pressroom.RoleReseller {
			s.Error(w, r, pressroom.Errorf(pressroom.EFORBIDDEN, "This endpoint takes a reseller key, not an operator key."))
			return
		}
		h(w, r.WithContext(pressroom.NewContextWithPrincipal(r.Context(), p)), p)
	})
}

// operator wraps a handler that needs an operator key.
func (s *Server) operator(h func(http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.authenticate(w, r)
		if p == nil {
			return
		}
		if p.Role != pressroom.RoleOperator {
			// A reseller must not learn that operator endpoints exist.
			s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "No endpoint %s %s.", r.Method, r.URL.Path))
			return
		}
		h(w, r.WithContext(pressroom.NewContextWithPrincipal(r.Context(), p)))
	})
}

// statuses maps error codes to HTTP statuses: the native API's one table.
var statuses = map[string]int{
	pressroom.ECONFLICT:     http.StatusConflict,
	pressroom.EINTERNAL:     http.StatusInternalServerError,
	pressroom.EINVALID:      http.StatusUnprocessableEntity,
	pressroom.EMALFORMED:    http.StatusBadRequest,
	pressroom.ENOTFOUND:     http.StatusNotFound,
	pressroom.EUNAUTHORIZED: http.StatusUnauthorized,
	pressroom.EFORBIDDEN:    http.StatusForbidden,
	pressroom.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	pressroom.ERATELIMITED:  http.StatusTooManyRequests,
	pressroom.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

var titles = map[string]string{
	pressroom.ECONFLICT:     "Conflict",
	pressroom.EINTERNAL:     "Internal error",
	pressroom.EINVALID:      "Invalid request",
	pressroom.EMALFORMED:    "Malformed request",
	pressroom.ENOTFOUND:     "Not found",
	pressroom.EUNAUTHORIZED: "Unauthorized",
	pressroom.EFORBIDDEN:    "Forbidden",
	pressroom.ETOOLARGE:     "Request too large",
	pressroom.ERATELIMITED:  "Too many requests",
	pressroom.EUNAVAILABLE:  "Unavailable",
}

// Problem is an RFC 9457 problem details object with pressroom's extensions.
type Problem struct {
	Type      string                 `json:"type"`
	Title     string                 `json:"title"`
	Status    int                    `json:"status"`
	Detail    string                 `json:"detail"`
	Instance  string                 `json:"instance,omitempty"`
	Code      string                 `json:"code"`
	Errors    []pressroom.FieldError `json:"errors,omitempty"`
	RequestID string                 `json:"request_id,omitempty"`
	// Products carries, for a configure call, each product's answer with
	// what is available instead.
	Products []configuredProduct `json:"products,omitempty"`
}

func (s *Server) problem(r *http.Request, err error) Problem {
	code := pressroom.ErrorCode(err)
	if code == pressroom.EINTERNAL {
		s.Logger.Error("internal error", "request_id", httpx.RequestID(r.Context()), "path", r.URL.Path, "err", err)
	}
	status := statuses[code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	return Problem{
		Type:      "https://pressroom.dev/problems/" + code,
		Title:     titles[code],
		Status:    status,
		Detail:    pressroom.ErrorMessage(err),
		Instance:  r.URL.Path,
		Code:      code,
		Errors:    pressroom.ErrorFields(err),
		RequestID: httpx.RequestID(r.Context()),
	}
}

// Error writes err as problem details.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	s.writeProblem(w, s.problem(r, err))
}

func (s *Server) writeProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	httpx.JSON(w, p.Status, p, true, []byte(`{"title":"Internal error","status":500}`))
}

// PanicHandler answers a request whose handler panicked.
func (s *Server) PanicHandler(w http.ResponseWriter, r *http.Request) {
	s.Error(w, r, pressroom.Errorf(pressroom.EINTERNAL, "Internal error."))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	httpx.JSON(w, status, v, false, []byte(`{"title":"Internal error","status":500}`))
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
