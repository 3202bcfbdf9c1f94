package api

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/orders"
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

// pathOrder is the order the path's {number} names, as p may see it
// (ENOTFOUND for another reseller's).
func (s *Server) pathOrder(r *http.Request, p *pressroom.Principal) (*order.Order, error) {
	n, err := orderNumber(r)
	if err != nil {
		return nil, err
	}
	return s.Orders.Get(r.Context(), resellerOf(p), n)
}

// GET /v1/orders/{number}/items/{item}/artwork: the item's files, hashes,
// sizes, states and findings.
func (s *Server) handleGetArtwork(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	id, err := itemID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	o, err := s.pathOrder(r, p)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	n := o.Number
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
	if n, ok := s.orderToChange(w, r, p); ok {
		s.upload(w, r, p.Reseller.ID, n, order.Who{Actor: order.ActorSystem})
	}
}

// PUT /v1/operator/orders/{number}/items/{item}/artwork: staff send an
// item's file for any reseller's order, as a reseller uploads one (a file
// fixed in prepress, or one the reseller sent another way: the Profotonet
// API has no upload for a file that failed its md5). The file's event
// names the staff member's key.
func (s *Server) handleStaffUpload(w http.ResponseWriter, r *http.Request) {
	n, err := orderNumber(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.upload(w, r, 0, n, staff(r))
}

// upload takes the request's file for item {item} of the reseller's order
// n (resellerID 0: any reseller's), sent by who.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, resellerID, n int64, who order.Who) {
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
	a, err := s.Artwork.UploadBy(r.Context(), resellerID, n, id, file, who)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, artworkView(a))
}

// GET /v1/orders/{number}/documents: the order's packing slip and shipping
// label as fetched from their URLs (null where the order has none).
func (s *Server) handleGetDocuments(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	o, err := s.pathOrder(r, p)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	files, err := s.Store.ListArtwork(r.Context(), o.Number, 0)
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

// GET /v1/orders/{number}/items/{item}/artwork/{index}/file (and the
// operator's): the stored bytes of one of the item's files, as taken, for
// production to print from and for the reseller to see what arrived.
func (s *Server) handleArtworkFile(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	id, err := itemID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	idx, err := strconv.Atoi(r.PathValue("index"))
	if err != nil || idx < 0 || idx >= orders.MaxFiles {
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "Item %d has no file %q.", id, r.PathValue("index")))
		return
	}
	s.serveFile(w, r, p, id, idx, fmt.Sprintf("Item %d's file %d", id, idx))
}

// StaffFile serves an order's stored print file to staff signed in another
// way (the console): the path values number, item and index name it.
func (s *Server) StaffFile(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	s.handleArtworkFile(w, r, p)
}

// StaffDocument serves an order's packing slip or label to staff: the path
// values number and kind name it.
func (s *Server) StaffDocument(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	s.handleDocumentFile(w, r, p)
}

// GET /v1/orders/{number}/documents/{kind}/file (and the operator's): the
// stored packing slip or shipping label.
func (s *Server) handleDocumentFile(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	idx, ok := map[string]int{"packing_slip": order.DocPackingSlip, "shipping_label": order.DocShippingLabel}[r.PathValue("kind")]
	if !ok {
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "No document %q: packing_slip or shipping_label.", r.PathValue("kind")))
		return
	}
	s.serveFile(w, r, p, 0, idx, "The order's "+strings.ReplaceAll(r.PathValue("kind"), "_", " "))
}

// serveFile answers the bytes of an order's file (itemID 0: a document),
// with its type, its SHA-256 as the ETag, and ranges when storage can seek
// (a folder file, an S3 object), so a large download can resume.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, p *pressroom.Principal, itemID int64, idx int, what string) {
	o, err := s.pathOrder(r, p)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	n := o.Number
	position := slices.IndexFunc(o.Items, func(it *order.Item) bool { return it.ID == itemID }) + 1
	if itemID != 0 && position == 0 {
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "Order %d has no item %d.", n, itemID))
		return
	}
	files, err := s.Store.ListArtwork(r.Context(), n, itemID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var a *order.Artwork
	for _, f := range files {
		if f.ItemID == itemID && f.Index == idx {
			a = f
		}
	}
	if a == nil {
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "%s does not exist.", what))
		return
	}
	if artwork.Deleted(a) {
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "%s was deleted: %s.", what, artwork.DeletedWhy(o)))
		return
	}
	if a.BlobKey == "" {
		state := string(a.State)
		if a.Error != "" {
			state += ": " + a.Error
		}
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "%s is not stored (it is %s).", what, state))
		return
	}
	rc, err := s.Artwork.Blobs.Open(r.Context(), a.BlobKey)
	if errors.Is(err, fs.ErrNotExist) {
		// The row names a file storage does not hold: restored without its
		// files, or lost. Retrying will not help; staff must know.
		s.Logger.Error("a stored file is missing from storage", "order", n, "item", itemID, "index", idx, "key", a.BlobKey)
		s.Error(w, r, pressroom.Errorf(pressroom.ENOTFOUND, "%s is missing from storage.", what))
		return
	} else if err != nil {
		s.Logger.Error("a stored file does not open", "order", n, "item", itemID, "index", idx, "err", err)
		s.Error(w, r, pressroom.Errorf(pressroom.EUNAVAILABLE, "%s cannot be read from storage now; try again later.", what))
		return
	}
	defer rc.Close()
	name := artwork.FileName(n, position, a)
	h := w.Header()
	h.Set("Content-Type", cmp.Or(a.ContentType, "application/octet-stream"))
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("ETag", `"`+a.SHA256+`"`)
	h.Set("Cache-Control", "private")
	// The server's write timeout fits API answers; a print file takes as
	// long as it takes at 1 MB/s at least (a range resumes a slower one).
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(5*time.Minute + time.Duration(a.Size>>20)*time.Second))
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, name, a.UpdatedAt, rs)
		return
	}
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	if r.Method != http.MethodHead {
		io.Copy(w, rc)
	}
}
