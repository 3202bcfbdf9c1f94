package httpx

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/pressroom/pressroom"
)

// TokenEndpoint is an OAuth 2.0 token endpoint over pressroom's keys: the
// client secret (or, with the password grant, the password) is one of the
// reseller's API keys and alone identifies the reseller; the answer is an
// access token (pressroom.IssueAccessToken) that dies with that key. The
// compatible APIs whose clients use OAuth mount one each.
type TokenEndpoint struct {
	Auth   *pressroom.Authenticator
	Store  pressroom.Store
	Clock  pressroom.Clock
	Logger *slog.Logger
	TTL    time.Duration
	// Password accepts grant_type=password besides client_credentials.
	Password bool
	// Scope, when set, is the only scope a request may ask for; the
	// answer names it (else "api").
	Scope string
	Realm string
}

func (e *TokenEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, desc string) {
		w.Header().Set("Cache-Control", "no-store")
		WriteJSON(w, status, map[string]string{"error": code, "error_description": desc})
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			fail(http.StatusRequestEntityTooLarge, "invalid_request", "The body is over 64 KB; a token request is a short form")
			return
		}
		fail(http.StatusBadRequest, "invalid_request", "The body is not a form (application/x-www-form-urlencoded) of at most 64 KB")
		return
	}
	var secret string
	switch grant := r.PostForm.Get("grant_type"); {
	case grant == "client_credentials":
		if _, pass, ok := r.BasicAuth(); ok {
			secret = pass
		} else if h := r.Header.Get("Authorization"); len(h) > 6 && strings.EqualFold(h[:6], "basic ") {
			// Basic with the secret alone, no "id:" before it.
			if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[6:])); err == nil {
				secret = string(b)
			}
		} else {
			secret = r.PostForm.Get("client_secret")
		}
	case grant == "password" && e.Password:
		secret = r.PostForm.Get("password")
	case grant == "":
		fail(http.StatusBadRequest, "invalid_request", "grant_type is required: "+e.grants())
		return
	default:
		fail(http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported: use %s", grant, e.grants()))
		return
	}
	scope := "api"
	if e.Scope != "" {
		if sc := r.PostForm.Get("scope"); sc != "" && sc != e.Scope {
			fail(http.StatusBadRequest, "invalid_scope", "scope is "+e.Scope)
			return
		}
		scope = e.Scope
	}
	p, err := e.Auth.Reseller(r.Context(), secret)
	if pressroom.ErrorCode(err) == pressroom.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+e.Realm+`"`)
		fail(http.StatusUnauthorized, "invalid_client", "The client secret (or password) is not a valid API key of a reseller")
		return
	}
	var token string
	var exp time.Time
	if err == nil {
		token, exp, err = pressroom.IssueAccessToken(r.Context(), e.Store, p, e.TTL, e.Clock.Now())
	}
	if err != nil {
		e.Logger.Error("oauth token", "realm", e.Realm, "err", err)
		fail(http.StatusServiceUnavailable, "temporarily_unavailable", "No token could be issued now; try again shortly")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, map[string]any{"access_token": token, "token_type": "Bearer",
		"expires_in": int(exp.Sub(e.Clock.Now()).Round(time.Second).Seconds()), "scope": scope})
}

func (e *TokenEndpoint) grants() string {
	if e.Password {
		return "client_credentials or password"
	}
	return "client_credentials"
}

// WriteJSON answers v as JSON with a status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	JSON(w, status, v, true, []byte(`{"error":"server_error"}`))
}
