// Package profotonet is the Profotonet-compatible API, mounted at
// /profotonet/v1: a reseller whose software speaks Profotonet's API v1
// changes its base URL and key and goes on. It translates Profotonet's
// requests and answers onto the core and nothing more. What differs from
// Profotonet, and why, is in docs/profotonet.md.
package profotonet

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/orders"
	"github.com/pressroom/pressroom/pricing"
)

// Format names this API's callbacks.
const Format = "profotonet"

// MaxBodyBytes bounds a request body (an order of 100 entries is ~60 KB).
const MaxBodyBytes = 1 << 20

// Server holds what the handlers need.
type Server struct {
	Store       pressroom.Store
	Auth        *pressroom.Authenticator
	Catalog     *catalog.Service
	Pricing     *pricing.Service
	Orders      *orders.Service
	RateLimiter *httpx.RateLimiter // nil: no limit
	Logger      *slog.Logger
	Clock       pressroom.Clock
}

type route struct {
	pattern string
	handler func(http.ResponseWriter, *http.Request, *pressroom.Principal)
}

func (s *Server) routes() []route {
	return []route{
		{"GET /products", s.handleProducts},
		{"POST /order", s.handleInsert},
		{"GET /order", s.handleGet},
		{"POST /reprint", s.handleReprint},
	}
}

// Patterns lists the "METHOD /path" of every endpoint below the API's
// mount point, for tests that must cover them all.
func Patterns() []string {
	var out []string
	for _, r := range (&Server{}).routes() {
		out = append(out, r.pattern)
	}
	return out
}

// Handler serves the API below its mount point (the caller strips /profotonet/v1).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		mux.Handle(r.pattern, s.reseller(r.handler))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErrors(w, http.StatusNotFound, fieldError{"url", "Not found: " + r.Method + " " + r.URL.Path})
	})
	return mux
}

// key reads the API key from the "key" header, as the document says, or
// from "Authorization: Bearer", as on every pressroom API.
func key(r *http.Request) string {
	if k := strings.TrimSpace(r.Header.Get("key")); k != "" {
		return k
	}
	return httpx.BearerKey(r)
}

// reseller authenticates a reseller key and applies the rate limit.
func (s *Server) reseller(h func(http.ResponseWriter, *http.Request, *pressroom.Principal)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, d, err := httpx.Gate{Auth: s.Auth, Limiter: s.RateLimiter, Clock: s.Clock}.Admit(w, r, key(r))
		switch pressroom.ErrorCode(err) {
		case "":
		case pressroom.EUNAUTHORIZED:
			writeErrors(w, http.StatusUnauthorized, fieldError{"key", "Unauthorized: the key header is missing or not a valid key"})
			return
		case pressroom.ERATELIMITED:
			writeErrors(w, http.StatusTooManyRequests, fieldError{"key", fmt.Sprintf("Too many requests for this key (%d per minute); retry after the Retry-After seconds", d.Limit)})
			return
		default:
			s.Logger.Error("profotonet: authenticate", "err", err)
			writeErrors(w, http.StatusServiceUnavailable, fieldError{"", "Service temporarily unavailable; try again shortly"})
			return
		}
		h(w, r.WithContext(pressroom.NewContextWithPrincipal(r.Context(), p)), p)
	})
}

// fieldError is one entry of the document's error body.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func writeErrors(w http.ResponseWriter, status int, errs ...fieldError) {
	writeJSON(w, status, map[string][]fieldError{"errors": errs})
}

// writeData answers the document's success envelope {"data": ...}.
func writeData(w http.ResponseWriter, v any) { writeJSON(w, http.StatusOK, map[string]any{"data": v}) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	httpx.JSON(w, status, v, true, []byte(`{"errors":[{"field":"","message":"Internal server error"}]}`))
}

// fail answers a core error with the document's codes: 400 for a request
// that cannot be read, 422 for values that are wrong, 409 for a referenceId
// that exists, 403 for an illegal action, 404 for what does not exist.
func (s *Server) fail(w http.ResponseWriter, err error, fieldOf func(string) string) {
	var fields []fieldError
	var e *pressroom.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			fields = append(fields, fieldError{fieldOf(f.Pointer), f.Detail})
		}
	}
	if len(fields) == 0 {
		fields = []fieldError{{"", pressroom.ErrorMessage(err)}}
	}
	switch pressroom.ErrorCode(err) {
	case pressroom.EMALFORMED:
		writeErrors(w, http.StatusBadRequest, fields...)
	case pressroom.EINVALID:
		writeErrors(w, http.StatusUnprocessableEntity, fields...)
	case pressroom.ETOOLARGE:
		writeErrors(w, http.StatusRequestEntityTooLarge, fields...)
	case pressroom.ECONFLICT:
		writeErrors(w, http.StatusConflict, fields...)
	case pressroom.EFORBIDDEN:
		writeErrors(w, http.StatusForbidden, fields...)
	case pressroom.ENOTFOUND:
		writeErrors(w, http.StatusNotFound, fields...)
	case pressroom.EUNAVAILABLE:
		writeErrors(w, http.StatusServiceUnavailable, fields...)
	default:
		s.Logger.Error("profotonet: internal error", "err", err)
		writeErrors(w, http.StatusInternalServerError, fieldError{"", "Internal server error"})
	}
}

// decode reads a JSON body; a body that is not JSON, or a field of the
// wrong type, is 400 naming the field.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	data, err := httpx.ReadBody(w, r, MaxBodyBytes)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return malformed("body", "The request body is empty; send a JSON object")
	}
	if err := json.Unmarshal(data, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return malformed(te.Field, fmt.Sprintf("Invalid parameter: %s must be a %s", te.Field, kindOf(te.Type.Kind().String())))
		}
		return malformed("body", "The body is not valid JSON: "+err.Error())
	}
	return nil
}

// malformed is a request that cannot be read: 400 naming the field.
func malformed(field, message string) error {
	return &pressroom.Error{Code: pressroom.EMALFORMED, Message: message, Fields: []pressroom.FieldError{{Pointer: field, Detail: message}}}
}

func kindOf(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "slice":
		return "array"
	case k == "struct", k == "map":
		return "object"
	case k == "bool":
		return "boolean"
	}
	return k
}

// flex is a value the document types one way and its examples another
// (referenceId is a String in the field table and a number in the
// examples): a JSON string or number, read as text.
type flex string

func (f *flex) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flex(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeOf("")}
	}
	*f = flex(n.String())
	return nil
}

// objectID is a 24-hex-digit id in the shape of the ObjectIds the document
// shows, made from a 4-byte kind tag and a number, so it is stable and
// unique: "70726573" ("pres") for orders, "72657072" ("repr") for reprints.
func objectID(tag string, n int64) string {
	return hex.EncodeToString([]byte(tag)) + fmt.Sprintf("%016x", n)
}

// testID is the id of a test request: nothing is stored under it.
func testID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString([]byte("test")) + hex.EncodeToString(b[:])
}
