package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/httpx"
)

type keyOut struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Hint      string  `json:"hint"`
	CreatedAt string  `json:"created_at"`
	RevokedAt *string `json:"revoked_at"`
	// Key is shown once, when it is created.
	Key string `json:"key,omitempty"`
}

func keyView(k *pressroom.APIKey, secret string) keyOut {
	out := keyOut{ID: k.ID, Name: k.Name, Hint: k.Hint, CreatedAt: rfc3339(k.CreatedAt), Key: secret}
	if k.RevokedAt != nil {
		t := rfc3339(*k.RevokedAt)
		out.RevokedAt = &t
	}
	return out
}

type resellerOut struct {
	accountOut
	Keys []keyOut `json:"keys"`
	// APIKey is the first key, shown once when the reseller is created.
	APIKey string `json:"api_key,omitempty"`
}

func (s *Server) resellerView(r *http.Request, res *pressroom.Reseller) (*resellerOut, error) {
	acc, err := s.account(r, res)
	if err != nil {
		return nil, err
	}
	ks, err := s.Store.ListAPIKeys(r.Context(), res.ID)
	if err != nil {
		return nil, err
	}
	out := &resellerOut{accountOut: *acc, Keys: []keyOut{}}
	for _, k := range ks {
		out.Keys = append(out.Keys, keyView(k, ""))
	}
	return out, nil
}

func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, pressroom.Errorf(pressroom.ENOTFOUND, "%s %q not found.", what, r.PathValue("id"))
	}
	return id, nil
}

// GET /v1/operator/resellers
func (s *Server) handleListResellers(w http.ResponseWriter, r *http.Request) {
	list, err := s.Store.ListResellers(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := []*resellerOut{}
	for _, res := range list {
		v, err := s.resellerView(r, res)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

// POST /v1/operator/resellers: creates a reseller and its first key.
func (s *Server) handleCreateReseller(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name        string           `json:"name"`
		Edition     string           `json:"edition"`
		CallbackURL string           `json:"callback_url"`
		Markup      *decimal.Decimal `json:"markup"`
		Country     string           `json:"country"`
		VATID       string           `json:"vat_id"`
		ShopName    string           `json:"shop_name"`
		ShopURL     string           `json:"shop_url"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	if in.Edition == "" {
		in.Edition = string(pressroom.EditionStandard)
	}
	res := &pressroom.Reseller{Name: in.Name, Edition: pressroom.Edition(in.Edition), CallbackURL: in.CallbackURL, Country: in.Country, VATID: in.VATID,
		ShopName: in.ShopName, ShopURL: in.ShopURL}
	if in.Markup != nil {
		res.Markup = markup(*in.Markup)
	}
	res, key, err := pressroom.CreateResellerWithKey(r.Context(), s.Store, res)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.resellerView(r, res)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.APIKey = key
	writeJSON(w, http.StatusCreated, v)
}

// PATCH /v1/operator/resellers/{id}: changes the fields given.
func (s *Server) handleUpdateReseller(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "Reseller")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var in struct {
		Edition     *string          `json:"edition"`
		CallbackURL *string          `json:"callback_url"`
		Markup      *decimal.Decimal `json:"markup"`
		Country     *string          `json:"country"`
		VATID       *string          `json:"vat_id"`
		ShopName    *string          `json:"shop_name"`
		ShopURL     *string          `json:"shop_url"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	res, err := s.Store.FindResellerByID(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if in.Edition != nil {
		res.Edition = pressroom.Edition(*in.Edition)
	}
	if in.CallbackURL != nil {
		res.CallbackURL = *in.CallbackURL
	}
	if in.Markup != nil {
		res.Markup = markup(*in.Markup)
	}
	if in.Country != nil {
		res.Country = *in.Country
	}
	if in.VATID != nil {
		res.VATID = *in.VATID
	}
	if in.ShopName != nil {
		res.ShopName = *in.ShopName
	}
	if in.ShopURL != nil {
		res.ShopURL = *in.ShopURL
	}
	if err := s.Store.UpdateReseller(r.Context(), res); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Auth.Forget(res.ID)
	v, err := s.resellerView(r, res)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// markup keeps an explicit 0 from meaning "the default": validation refuses it.
func markup(m decimal.Decimal) decimal.Decimal {
	if m.IsZero() {
		return decimal.NewFromInt(-1)
	}
	return m
}

// GET /v1/operator/resellers/{id}
func (s *Server) handleGetReseller(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "Reseller")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	res, err := s.Store.FindResellerByID(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.resellerView(r, res)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// POST /v1/operator/resellers/{id}/customers
func (s *Server) handleCreateCustomer(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "Reseller")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var in struct {
		Name      string `json:"name"`
		Email     string `json:"email"`
		Reference string `json:"reference"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	c := &pressroom.Customer{ResellerID: id, Name: in.Name, Email: in.Email, Reference: in.Reference}
	if err := s.Store.CreateCustomer(r.Context(), c); err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, customerView(c))
}

// POST /v1/operator/resellers/{id}/keys
func (s *Server) handleCreateKey(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "Reseller")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var in struct {
		Name string `json:"name"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	k, secret, err := pressroom.IssueKey(r.Context(), s.Store, id, in.Name)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, keyView(k, secret))
}

// POST /v1/operator/keys {"name"}: a staff member's own operator key,
// shown once; the changes made with it carry the name.
func (s *Server) handleCreateOperatorKey(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, true, &in); err != nil {
		s.Error(w, r, err)
		return
	}
	k, secret, err := pressroom.IssueOperatorKey(r.Context(), s.Store, in.Name)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, keyView(k, secret))
}

// DELETE /v1/operator/keys/{id}
func (s *Server) handleRevokeKey(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "API key")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.Store.RevokeAPIKey(r.Context(), id, s.Clock.Now()); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// GET /v1/operator/catalog: the catalog document in use.
func (s *Server) handleGetCatalog(w http.ResponseWriter, r *http.Request) {
	v, err := s.Store.FindCatalogVersion(r.Context(), s.Catalog.Current().Version)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Catalog-Version", strconv.FormatInt(v.Version, 10))
	w.Write(v.Document)
}

// POST /v1/operator/catalog: validate and import a catalog as the next version.
func (s *Server) handleImportCatalog(w http.ResponseWriter, r *http.Request) {
	doc, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCatalogBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.Error(w, r, pressroom.Errorf(pressroom.ETOOLARGE, "A catalog is at most %d bytes.", MaxCatalogBytes))
			return
		}
		s.Error(w, r, pressroom.Errorf(pressroom.EMALFORMED, "The catalog could not be read."))
		return
	}
	note := r.URL.Query().Get("note")
	c, err := s.Catalog.Import(r.Context(), doc, note)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"version": c.Version, "checksum": c.Checksum, "note": note, "created_at": rfc3339(c.CreatedAt)})
}
