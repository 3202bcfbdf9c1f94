package api

import (
	"errors"
	"net/http"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/order"
)

type artworkOut struct {
	ID          int64           `json:"id"`
	Index       int             `json:"index"`
	Source      string          `json:"source"`
	URL         string          `json:"url,omitempty"`
	State       order.FileState `json:"state"`
	Size        int64           `json:"size"`
	ContentType string          `json:"content_type"`
	MD5         string          `json:"md5"`
	SHA256      string          `json:"sha256"`
	Error       string          `json:"error,omitempty"`
	Findings    []order.Finding `json:"findings"`
	UpdatedAt   string          `json:"updated_at"`
}

func artworkView(a *order.Artwork) artworkOut {
	out := artworkOut{ID: a.ID, Index: a.Index, Source: a.Source, URL: a.URL, State: a.State, Size: a.Size, ContentType: a.ContentType,
		MD5: a.MD5, SHA256: a.SHA256, Error: a.Error, Findings: a.Findings, UpdatedAt: rfc3339(a.UpdatedAt)}
	if out.Findings == nil {
		out.Findings = []order.Finding{}
	}
	return out
}

// GET /v1/orders/{number}/items/{item}/artwork: the item's files, hashes,
// sizes, states and findings.
func (s *Server) handleGetArtwork(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := itemID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	o, err := s.Orders.Get(r.Context(), resellerOf(p), n)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var it *order.Item
	for _, x := range o.Items {
		if x.ID == id {
			it = x
		}
	}
	if it == nil {
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %d.", n, id))
		return
	}
	files, err := s.Store.ListArtwork(r.Context(), n, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := make([]artworkOut, len(files))
	for i, a := range files {
		out[i] = artworkView(a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"item": id, "file_state": it.FileState, "files": out})
}

// PUT /v1/orders/{number}/items/{item}/artwork: the file as the raw body,
// or as the form field "artwork" (or "file") of a multipart body. It is
// streamed to storage, never held whole; its type comes from its bytes.
func (s *Server) handleUploadArtwork(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	if err := requireWrite(p); err != nil {
		s.Error(w, r, err)
		return
	}
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := itemID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	file, err := httpx.UploadFile(w, r, s.Artwork.Limit)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	a, err := s.Artwork.Upload(r.Context(), p.Reseller.ID, n, id, file)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = pressroom.Errorf(pressroom.ETOOLARGE, "The file is larger than %d MB.", s.Artwork.Limit>>20)
		}
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, artworkView(a))
}

// GET /v1/orders/{number}/documents: the order's packing slip and shipping
// label as fetched from their URLs (null where the order has none).
func (s *Server) handleGetDocuments(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	o, err := s.Orders.Get(r.Context(), resellerOf(p), n)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	files, err := s.Store.ListArtwork(r.Context(), n, 0)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := map[string]any{"packing_slip": nil, "shipping_label": nil}
	for idx, ref := range []*order.FileRef{o.PackingSlip, o.ShippingLabel} {
		if ref == nil || ref.URL == "" {
			continue
		}
		// Not fetched yet: waiting for its download.
		v := artworkOut{Index: idx, Source: "url", URL: ref.URL, State: order.FileDownloading, Findings: []order.Finding{}}
		for _, a := range files {
			if a.ItemID == 0 && a.Index == idx {
				v = artworkView(a)
			}
		}
		out[map[int]string{order.DocPackingSlip: "packing_slip", order.DocShippingLabel: "shipping_label"}[idx]] = v
	}
	writeJSON(w, http.StatusOK, out)
}
