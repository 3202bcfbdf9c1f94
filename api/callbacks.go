package api

import (
	"net/http"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/webhook"
)

type callbackOut struct {
	ID            int64                `json:"id"`
	ResellerID    int64                `json:"reseller_id,omitempty"`
	WebhookID     string               `json:"webhook_id"`
	Order         *int64               `json:"order"`
	Event         *int64               `json:"event"`
	Type          string               `json:"type"`
	URL           string               `json:"url"`
	Sequence      int64                `json:"sequence"`
	Status        order.CallbackStatus `json:"status"`
	Attempts      int                  `json:"attempts"`
	NextAttemptAt *string              `json:"next_attempt_at"`
	LastStatus    int                  `json:"last_status"`
	LastError     string               `json:"last_error"`
	OccurredAt    string               `json:"occurred_at"`
	CreatedAt     string               `json:"created_at"`
	FinishedAt    *string              `json:"finished_at"`
	AttemptLog    []attemptOut         `json:"attempt_log,omitempty"`
}

type attemptOut struct {
	At         string `json:"at"`
	Status     int    `json:"status"`
	Error      string `json:"error,omitempty"`
	Response   string `json:"response"`
	DurationMS int64  `json:"duration_ms"`
}

func optRFC3339(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := rfc3339(*t)
	return &s
}

func optInt(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

func callbackView(cb *order.Callback, attempts []*order.CallbackAttempt) callbackOut {
	out := callbackOut{ID: cb.ID, WebhookID: webhook.WebhookID(cb), Order: optInt(cb.OrderNumber), Event: optInt(cb.EventID), Type: cb.Type,
		URL: cb.URL, Sequence: cb.Sequence, Status: cb.Status, Attempts: cb.Attempts, NextAttemptAt: optRFC3339(cb.NextAttemptAt),
		LastStatus: cb.LastStatus, LastError: cb.LastError, OccurredAt: rfc3339(cb.OccurredAt), CreatedAt: rfc3339(cb.CreatedAt),
		FinishedAt: optRFC3339(cb.FinishedAt)}
	if attempts != nil {
		out.AttemptLog = []attemptOut{}
	}
	for _, a := range attempts {
		out.AttemptLog = append(out.AttemptLog, attemptOut{At: a.At.UTC().Format(time.RFC3339Nano), Status: a.Status, Error: a.Error, Response: a.Response, DurationMS: a.Duration.Milliseconds()})
	}
	return out
}

// GET /v1/callbacks?order=&status=&page=&per_page= (operators: every reseller's, reseller_id filter)
func (s *Server) handleListCallbacks(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	q := paramsOf(r)
	f := pressroom.CallbackFilter{ResellerID: resellerOf(p),
		Status: order.CallbackStatus(q.oneOf("status", string(order.CallbackPending), string(order.CallbackDelivered), string(order.CallbackFailed)))}
	f.OrderNumber = q.id("order", "order number")
	if p.Reseller == nil { // an operator's
		f.ResellerID = q.id("reseller_id", "reseller id")
	}
	pg := q.page()
	if err := q.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	f.Offset, f.Limit = pg.offset(), pg.perPage
	list, total, err := s.Store.ListCallbacks(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := make([]callbackOut, len(list))
	for i, cb := range list {
		out[i] = callbackView(cb, nil)
		if p.Reseller == nil {
			out[i].ResellerID = cb.ResellerID
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"meta": pg.meta(total), "data": out})
}

// GET /v1/callbacks/{id}: with every attempt.
func (s *Server) handleGetCallback(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	id, err := pathID(r, "Callback")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	cb, attempts, err := s.Store.FindCallback(r.Context(), resellerOf(p), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if attempts == nil {
		attempts = []*order.CallbackAttempt{}
	}
	writeJSON(w, http.StatusOK, callbackView(cb, attempts))
}

// POST /v1/callbacks/{id}/redeliver
func (s *Server) handleRedeliver(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if err := requireWrite(p); err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := pathID(r, "Callback")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := httpx.NoBody(w, r, MaxBodyBytes); err != nil {
		s.Error(w, r, err)
		return
	}
	cb, err := s.Store.RedeliverCallback(r.Context(), p.Reseller.ID, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, callbackView(cb, nil))
}

// POST /v1/callbacks/test {"url"}: a sample callback, as a receiver's check.
func (s *Server) handleTestCallback(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if err := requireWrite(p); err != nil {
		s.Error(w, r, err)
		return
	}
	var in struct {
		URL string `json:"url"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	cb, err := s.Orders.TestCallback(r.Context(), p.Reseller, in.URL)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, callbackView(cb, nil))
}

type callbackSettingsOut struct {
	CallbackURL    string  `json:"callback_url"`
	Secret         string  `json:"secret"`
	PreviousSecret *string `json:"previous_secret"`
	PreviousUntil  *string `json:"previous_until"`
}

func (s *Server) callbackSettings(res *pressroom.Reseller) callbackSettingsOut {
	out := callbackSettingsOut{CallbackURL: res.CallbackURL, Secret: res.WebhookSecret}
	if res.PreviousSecret != "" && res.PreviousUntil != nil && s.Clock.Now().Before(*res.PreviousUntil) {
		prev := res.PreviousSecret
		out.PreviousSecret, out.PreviousUntil = &prev, optRFC3339(res.PreviousUntil)
	}
	return out
}

// GET /v1/account/callbacks
func (s *Server) handleGetCallbackSettings(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	res, err := s.Store.FindResellerByID(r.Context(), p.Reseller.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if res.WebhookSecret == "" {
		if err := s.Store.UpdateReseller(r.Context(), res); err != nil { // Validate gives it a secret
			s.Error(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, s.callbackSettings(res))
}

// PUT /v1/account/callbacks {"callback_url", "rotate_secret", "overlap"}
func (s *Server) handlePutCallbackSettings(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if err := requireWrite(p); err != nil {
		s.Error(w, r, err)
		return
	}
	var in struct {
		CallbackURL  *string `json:"callback_url"`
		RotateSecret bool    `json:"rotate_secret"`
		Overlap      string  `json:"overlap"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	res, err := s.Store.FindResellerByID(r.Context(), p.Reseller.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var fields []pressroom.FieldError
	if in.CallbackURL != nil {
		if f, bad := pressroom.CallbackURLProblem(*in.CallbackURL); bad {
			fields = append(fields, f)
		}
		res.CallbackURL = *in.CallbackURL
	}
	overlap := 24 * time.Hour
	if in.Overlap != "" {
		d, err := time.ParseDuration(in.Overlap)
		if err != nil || d < 0 || d > 30*24*time.Hour {
			fields = append(fields, pressroom.FieldError{Pointer: "/overlap", Code: "invalid_overlap", Detail: "a duration such as 24h, at most 720h: how long the previous secret signs too"})
		}
		overlap = d
	}
	if len(fields) > 0 {
		s.Error(w, r, pressroom.Invalid("The callback settings are not valid.", fields...))
		return
	}
	if in.RotateSecret {
		if err := res.RotateSecret(s.Clock.Now(), overlap); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	if err := s.Store.UpdateReseller(r.Context(), res); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Auth.Forget(res.ID)
	writeJSON(w, http.StatusOK, s.callbackSettings(res))
}
