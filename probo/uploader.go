package probo

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/pressroom/pressroom"
	"github.com/pressroom/pressroom/artwork"
	"github.com/pressroom/pressroom/internal/httpx"
	"github.com/pressroom/pressroom/order"
	"github.com/pressroom/pressroom/pricing"
)

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// POST /products/uploader/create {"calculation_id","callback_url"}: one
// upload session per product of the calculation, each with a URL (and a
// secret token in it) where its print file is uploaded, without a key.
// An order cites a session under its product's "uploaders"; the file goes
// to that order item whether it arrives before or after the order.
func (s *Server) handleUploaderCreate(w http.ResponseWriter, r *http.Request, p *pressroom.Principal) {
	var in struct {
		CalculationID int64  `json:"calculation_id"`
		CallbackURL   string `json:"callback_url"`
		Language      string `json:"language"`
	}
	if err := httpx.DecodeJSON(w, r, MaxBodyBytes, false, &in); err != nil {
		s.fail(w, err)
		return
	}
	if in.CallbackURL != "" && !pressroom.IsHTTPURL(in.CallbackURL) {
		writeError(w, http.StatusBadRequest, "callback_url must be an http or https URL")
		return
	}
	calc, err := s.Pricing.FindCalculation(r.Context(), p.Reseller.ID, in.CalculationID)
	if pressroom.ErrorCode(err) == pressroom.ENOTFOUND {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Calculation %d does not exist", in.CalculationID))
		return
	} else if err != nil {
		s.fail(w, err)
		return
	}
	if !calc.ExpiresAt.IsZero() && !s.Clock.Now().Before(calc.ExpiresAt) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Calculation %d has expired; price the product again", in.CalculationID))
		return
	}
	snap, err := pricing.ParseSnapshot(calc.Prices)
	if err != nil || len(snap.Items) == 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Calculation %d has no products", in.CalculationID))
		return
	}
	sessions := make([]*pressroom.UploadSession, len(snap.Items))
	tokens := make([]string, len(snap.Items))
	for i := range snap.Items {
		var b [24]byte
		rand.Read(b[:])
		tokens[i] = base64.RawURLEncoding.EncodeToString(b[:])
		sessions[i] = &pressroom.UploadSession{ResellerID: p.Reseller.ID, CalculationID: calc.ID, Position: i + 1,
			TokenHash: hashToken(tokens[i]), CallbackURL: in.CallbackURL}
	}
	if err := s.Store.CreateUploadSessions(r.Context(), sessions); err != nil {
		s.fail(w, err)
		return
	}
	type uploaderOut struct {
		ProductID int    `json:"product_id"`
		ID        int64  `json:"id"`
		URL       string `json:"url"`
	}
	out := make([]uploaderOut, len(sessions))
	for i, ss := range sessions {
		out[i] = uploaderOut{ProductID: ss.Position, ID: ss.ID, URL: fmt.Sprintf("%s/probo/uploader/%d?token=%s", s.PublicURL, ss.ID, tokens[i])}
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "message": "Uploaders created", "uploaders": out})
}

// PUT or POST /uploader/{id}?token=: the file of one upload session (raw
// body, or the form field "file" or "artwork"), streamed into storage and
// typed by its bytes. The token is the key; a wrong one is 404, as if the
// session did not exist.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	token := r.URL.Query().Get("token")
	var ss *pressroom.UploadSession
	if err == nil && token != "" {
		ss, err = s.Store.FindUploadSession(r.Context(), 0, id)
	}
	if err != nil || token == "" || subtle.ConstantTimeCompare([]byte(hashToken(token)), []byte(ss.TokenHash)) != 1 {
		if err != nil && pressroom.ErrorCode(err) != pressroom.ENOTFOUND && pressroom.ErrorCode(err) != "" {
			s.fail(w, err)
			return
		}
		writeError(w, http.StatusNotFound, "Uploader not found")
		return
	}
	if ss.OrderNumber != 0 {
		if err := s.Artwork.Uploadable(r.Context(), ss.ResellerID, ss.OrderNumber, ss.ItemID); err != nil {
			s.fail(w, err)
			return
		}
	}
	file, err := httpx.UploadFile(w, r, s.Artwork.Limit)
	if err != nil {
		s.fail(w, err)
		return
	}
	var b [8]byte
	rand.Read(b[:])
	key := fmt.Sprintf("uploads/%d/%s", ss.ID, hex.EncodeToString(b[:]))
	info, err := s.Artwork.Take(r.Context(), key, file)
	if err != nil {
		s.fail(w, err)
		return
	}
	now := s.Clock.Now()
	ss.State, ss.BlobKey, ss.Size, ss.MD5, ss.SHA256, ss.ContentType, ss.UploadedAt = pressroom.UploadUploaded, key, info.Size, info.MD5, info.SHA256, info.Type, &now
	if err := s.Store.SaveUploadSession(r.Context(), ss); err != nil {
		s.Artwork.Discard(r.Context(), key)
		s.fail(w, err)
		return
	}
	if ss.OrderNumber != 0 {
		if _, err := s.Artwork.Attach(r.Context(), ss.OrderNumber, ss.ItemID, key, info); err != nil {
			s.fail(w, err)
			return
		}
	}
	if ss.CallbackURL != "" {
		body, _ := json.Marshal(map[string]any{"status": "uploaded", "uploader_id": ss.ID, "calculation_id": ss.CalculationID,
			"product_id": ss.Position, "size": info.Size, "md5": info.MD5, "occurred_at": timeOf(now)})
		cb := newUploaderCallback(ss, body, now)
		if err := s.Store.CreateCallback(r.Context(), cb); err != nil {
			s.Logger.Error("probo: uploader callback not queued", "session", ss.ID, "err", err)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "message": "File uploaded", "id": ss.ID, "size": info.Size, "md5": info.MD5})
}

// attachUploads hands the files of the upload sessions an order cites to
// its items: at once for those uploaded, on arrival for the others.
func (s *Server) attachUploads(r *http.Request, resellerID, number int64, itemIDs []int64, sessions [][]int64) error {
	for i, ids := range sessions {
		for _, id := range ids {
			ss, err := s.Store.FindUploadSession(r.Context(), resellerID, id)
			if err != nil {
				return err
			}
			ss.OrderNumber, ss.ItemID = number, itemIDs[i]
			if err := s.Store.SaveUploadSession(r.Context(), ss); err != nil {
				return err
			}
			if ss.State == pressroom.UploadUploaded {
				info := artwork.Info{Size: ss.Size, MD5: ss.MD5, SHA256: ss.SHA256, Type: ss.ContentType}
				if _, err := s.Artwork.Attach(r.Context(), number, itemIDs[i], ss.BlobKey, info); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func newUploaderCallback(ss *pressroom.UploadSession, body []byte, now time.Time) *order.Callback {
	return &order.Callback{ResellerID: ss.ResellerID, URL: ss.CallbackURL, Type: "uploader.uploaded", Format: Format, Payload: body, OccurredAt: now}
}
