// Package console is the staff's web console at /console: the orders to
// produce, an order's items, files, packages and history, its next status,
// and the reprints that wait for a decision. Staff sign in with the operator
// key; every change goes through the same core services as the operator API,
// so a change made here is checked, recorded and called back the same way.
//
// It is plain HTML forms, rendered on the server: no script, so the
// Content-Security-Policy allows none. The sign-in cookie is HttpOnly,
// SameSite=Strict and limited to /console, and every form post passes Go's
// cross-origin protection (Sec-Fetch-Site, Origin).
package console

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/catalog"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/orders"
)

// Base is the console's path.
const Base = "/console"

// CookieName is the sign-in cookie. It holds a sign-in's token
// (pressroom.IssueConsoleSession), never the operator key: the token opens
// the console only, for a working day at most, and ends at sign-out or when
// the key is revoked. The cookie is HttpOnly, SameSite=Strict, limited to
// the console's path, and Secure when the public URL is https.
const CookieName = "pressroom_console"

// maxForm bounds a form's body: the console's forms are a few fields.
const maxForm = 64 << 10

// PerPage is how many orders a page of the list shows.
const PerPage = 50

//go:embed templates/*.html static/*
var files embed.FS

// Server is the console's handlers and what they need.
type Server struct {
	Store   pressroom.Store
	Auth    *pressroom.Authenticator
	Catalog *catalog.Service
	Orders  *orders.Service
	Logger  *slog.Logger
	Clock   pressroom.Clock
	// RateLimiter counts the console's requests against the operator key's
	// limit, as every API does (nil: no limit).
	RateLimiter *httpx.RateLimiter
	// Files serves a stored file of an order to staff: the operator API's
	// handler, which reads the path values number and item and index (a
	// print file) or kind (a document).
	Files, Documents func(http.ResponseWriter, *http.Request, *pressroom.Principal)
	// Artwork takes the files staff send for an item (nil: the console
	// takes none).
	Artwork *artwork.Service
	// Secure marks the cookie Secure: the public URL is https.
	Secure bool

	pages    map[string]*template.Template
	mu       sync.Mutex
	failures map[string]*rate.Limiter // failed sign-ins by client address
}

// Failed sign-ins a client address may make: a burst of signInBurst, then
// one every signInEvery. The operator key opens everything, and the form
// is where it would be guessed.
const (
	signInBurst = 10
	signInEvery = 6 * time.Second
)

// signInLimit is the failed sign-ins' limiter of r's client address (the
// one behind the trusted proxies, PRESSROOM_TRUSTED_PROXIES).
func (s *Server) signInLimit(r *http.Request) *rate.Limiter {
	host := httpx.Client(r.Context())
	if host == "" { // not behind Observe
		host = httpx.Proxies(nil).Client(r)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failures == nil || len(s.failures) > 10_000 { // bounded: forget all rather than grow
		s.failures = map[string]*rate.Limiter{}
	}
	l := s.failures[host]
	if l == nil {
		l = rate.NewLimiter(rate.Every(signInEvery), signInBurst)
		s.failures[host] = l
	}
	return l
}

// route is one page or form of the console: "METHOD /path", whether it
// needs a signed-in operator, and its handler.
type route struct {
	pattern string
	staff   bool
	handler http.Handler
}

// routes lists every page and form of the console.
func (s *Server) routes() []route {
	static, _ := fs.Sub(files, "static")
	open := func(pattern string, h http.Handler) route { return route{pattern, false, h} }
	staff := func(pattern string, h func(http.ResponseWriter, *http.Request, *pressroom.Principal)) route {
		return route{pattern, true, s.staff(h)}
	}
	return []route{
		open("GET "+Base+"/static/", http.StripPrefix(Base+"/static/", http.FileServerFS(static))),
		open("GET "+Base+"/login", http.HandlerFunc(s.handleLoginPage)),
		open("POST "+Base+"/login", http.HandlerFunc(s.handleLogin)),
		open("POST "+Base+"/logout", http.HandlerFunc(s.handleLogout)),
		open("GET "+Base+"/{$}", http.RedirectHandler(Base+"/orders", http.StatusSeeOther)),
		staff("GET "+Base+"/orders", s.handleOrders),
		staff("GET "+Base+"/orders.csv", s.handleExport),
		staff("POST "+Base+"/orders/status", s.handleBulkStatus),
		staff("GET "+Base+"/orders/{number}", s.handleOrder),
		staff("POST "+Base+"/orders/{number}/status", s.handleStatus),
		staff("POST "+Base+"/orders/{number}/notes", s.handleNote),
		staff("GET "+Base+"/orders/{number}/items/{item}/files/{index}", s.handleFile),
		staff("POST "+Base+"/orders/{number}/items/{item}/artwork", s.handleUpload),
		staff("GET "+Base+"/orders/{number}/documents/{kind}", s.handleDocument),
		staff("GET "+Base+"/callbacks", s.handleCallbacks),
		staff("POST "+Base+"/callbacks/{id}/redeliver", s.handleRedeliver),
		staff("GET "+Base+"/resellers", s.handleResellers),
		staff("GET "+Base+"/reprints", s.handleReprints),
		staff("POST "+Base+"/reprints/{id}", s.handleDecide),
	}
}

// Patterns lists the "METHOD /path" of every page and form, and whether
// it needs a signed-in operator, for tests that must cover them all.
func Patterns() map[string]bool {
	out := map[string]bool{}
	for _, r := range (&Server{}).routes() {
		out[r.pattern] = r.staff
	}
	return out
}

// Handler is the console, to be served at Base.
func (s *Server) Handler() http.Handler {
	s.pages = parsePages()
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		mux.Handle(r.pattern, r.handler)
	}
	mux.HandleFunc(Base+"/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, nil, pressroom.Errorf(pressroom.ENOTFOUND, "There is no page %s.", r.URL.Path))
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, nil, pressroom.Errorf(pressroom.EFORBIDDEN, "A form of another site cannot change anything here."))
	}))
	return headers(cop.Handler(mux))
}

// headers sets what every console answer carries: no script, no framing,
// nothing cached (the pages show customers' addresses).
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(r.URL.Path, Base+"/static/") {
			hd.Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}

// statuses maps error codes to HTTP statuses: the console's one table.
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

// problem is an error as a page shows it.
type problem struct {
	Status  int
	Message string
	Fields  []pressroom.FieldError
}

func (s *Server) problemOf(r *http.Request, err error) problem {
	code := pressroom.ErrorCode(err)
	st := statuses[code]
	if st == 0 {
		st = http.StatusInternalServerError
	}
	msg := pressroom.ErrorMessage(err)
	if code == pressroom.EINTERNAL {
		s.Logger.Error("internal error", "request_id", httpx.RequestID(r.Context()), "path", r.URL.Path, "err", err)
		msg = "Something went wrong on our side; the log has request " + httpx.RequestID(r.Context()) + "."
	}
	return problem{Status: st, Message: msg, Fields: pressroom.ErrorFields(err)}
}

// fail answers a page that says what went wrong.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, err error) {
	pr := s.problemOf(r, err)
	s.render(w, r, pr.Status, "error", page{Title: http.StatusText(pr.Status), SignedIn: p != nil, Problem: &pr, Data: backFrom(r)})
}

// link is a way back from an error page.
type link struct{ Href, Label string }

// backFrom is the list a refused request came from: a refused decision
// goes back to the reprints, not to the orders. (A refused change of an
// order shows the order again, with what was wrong.)
func backFrom(r *http.Request) link {
	rest, _ := strings.CutPrefix(r.URL.Path, Base+"/")
	switch section, _, _ := strings.Cut(rest, "/"); section {
	case "reprints":
		return link{Base + "/reprints", "Back to the reprints"}
	case "callbacks":
		return link{Base + "/callbacks", "Back to the callbacks"}
	case "resellers":
		return link{Base + "/resellers", "Back to the resellers"}
	}
	return link{Base + "/orders", "Back to the orders"}
}

// page is what every page's template gets.
type page struct {
	Title    string
	SignedIn bool
	// Staff is who is signed in (the key's name), set by render: a shared
	// browser shows whose name the changes will carry.
	Staff   string
	Nav     string
	Problem *problem
	Notice  string
	Data    any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, pg page) {
	if p := pressroom.PrincipalFromContext(r.Context()); pg.SignedIn && p != nil {
		pg.Staff = p.KeyName
	}
	t := s.pages[name]
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", pg); err != nil {
		s.Logger.Error("console page", "page", name, "request_id", httpx.RequestID(r.Context()), "err", err)
		http.Error(w, "The page could not be shown; the log says why.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(b.String()))
	}
}

// staff wraps a page that needs a signed-in operator. Someone not signed
// in is sent to the sign-in page (from a GET) or told so (a form post).
func (s *Server) staff(h func(http.ResponseWriter, *http.Request, *pressroom.Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var key string
		if c, err := r.Cookie(CookieName); err == nil {
			key = c.Value
		}
		gate := httpx.Gate{Auth: s.Auth, Limiter: s.RateLimiter, Clock: s.Clock, Console: true}
		p, d, err := gate.Admit(w, r, key)
		if s.RateLimiter != nil && (err == nil || pressroom.ErrorCode(err) == pressroom.ERATELIMITED) {
			d.SetHeaders(w.Header())
		}
		switch {
		case pressroom.ErrorCode(err) == pressroom.EUNAUTHORIZED && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			http.Redirect(w, r, Base+"/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case pressroom.ErrorCode(err) == pressroom.EUNAUTHORIZED:
			s.fail(w, r, nil, pressroom.Errorf(pressroom.EUNAUTHORIZED, "You are not signed in (or the key was revoked): sign in and send the form again."))
			return
		case err != nil:
			s.fail(w, r, nil, err)
			return
		}
		h(w, r.WithContext(pressroom.NewContextWithPrincipal(r.Context(), p)), p)
	}
}

// form parses a posted form within maxForm.
func form(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return pressroom.Errorf(pressroom.ETOOLARGE, "The form is larger than %d kB.", maxForm>>10)
		}
		return pressroom.Errorf(pressroom.EMALFORMED, "The form could not be read: %v.", err)
	}
	return nil
}

// next is where a sign-in goes on: a console page, never another site.
func next(v string) string {
	if !strings.HasPrefix(v, Base+"/") || strings.HasPrefix(v, "//") || strings.ContainsAny(v, "\\\r\n") {
		return Base + "/orders"
	}
	return v
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	to := next(r.URL.Query().Get("next"))
	if c, err := r.Cookie(CookieName); err == nil { // signed in already: on to the page
		if _, err := s.Auth.Console(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
	}
	s.render(w, r, http.StatusOK, "login", page{Title: "Sign in", Data: loginData{Next: to}})
}

type loginData struct{ Next string }

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := form(w, r); err != nil {
		s.fail(w, r, nil, err)
		return
	}
	key := strings.TrimSpace(r.PostForm.Get("key"))
	to := next(r.PostForm.Get("next"))
	limit := s.signInLimit(r)
	if limit.Tokens() < 1 {
		wait := time.Duration((1 - limit.Tokens()) * float64(signInEvery))
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		pr := problem{Status: http.StatusTooManyRequests, Message: fmt.Sprintf("Too many failed sign-ins from here; try again in %d seconds.", int(wait.Seconds())+1)}
		s.render(w, r, pr.Status, "login", page{Title: "Sign in", Problem: &pr, Data: loginData{Next: to}})
		return
	}
	p, err := s.Auth.Operator(r.Context(), key)
	if pressroom.ErrorCode(err) == pressroom.EUNAUTHORIZED {
		limit.Allow() // counts the failure
		pr := problem{Status: http.StatusUnauthorized, Message: "That is not an operator key. The console takes the operator key (PRESSROOM_OPERATOR_KEY, or the one the server printed at its first start), not a reseller's."}
		s.render(w, r, pr.Status, "login", page{Title: "Sign in", Problem: &pr, Data: loginData{Next: to}})
		return
	} else if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	if c, err := r.Cookie(CookieName); err == nil { // this browser's sign-in before: it ends
		if err := s.Auth.EndSession(r.Context(), c.Value); err != nil {
			s.fail(w, r, nil, err)
			return
		}
	}
	token, _, err := pressroom.IssueConsoleSession(r.Context(), s.Store, p, pressroom.ConsoleSessionTTL, s.Clock.Now())
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: Base, MaxAge: int(pressroom.ConsoleSessionTTL / time.Second),
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// handleLogout ends the sign-in on the server, so a copy of the cookie
// opens nothing either, and clears the cookie.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil {
		if err := s.Auth.EndSession(r.Context(), c.Value); err != nil {
			s.fail(w, r, nil, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: Base, MaxAge: -1, HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, Base+"/login", http.StatusSeeOther)
}

// pathNumber reads a positive id from the path; a page that names none
// does not exist.
func pathNumber(r *http.Request, name, what string) (int64, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, pressroom.Errorf(pressroom.ENOTFOUND, "There is no %s %q.", what, v)
	}
	return n, nil
}

// when shows a moment in the company's time zone.
func (s *Server) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	loc := time.UTC
	if c := s.Catalog.Current(); c != nil && c.Commerce != nil && c.Commerce.Location != nil {
		loc = c.Commerce.Location
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// resellers names resellers, each looked up once per page.
type resellers struct {
	s     *Server
	r     *http.Request
	names map[int64]string
}

func (rs *resellers) name(id int64) string {
	if n, ok := rs.names[id]; ok {
		return n
	}
	n := "reseller " + strconv.FormatInt(id, 10)
	if res, err := rs.s.Store.FindResellerByID(rs.r.Context(), id); err == nil {
		n = res.Name
	}
	rs.names[id] = n
	return n
}

func (s *Server) resellerNames(r *http.Request) *resellers {
	return &resellers{s: s, r: r, names: map[int64]string{}}
}

// parsePages makes each page: the layout around the page's own content.
func parsePages() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "orders", "order", "reprints", "callbacks", "resellers", "bulk", "error"} {
		out[name] = template.Must(template.New(name).ParseFS(files, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}
