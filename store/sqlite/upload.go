package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/pressroom/pressroom"
)

// CreateUploadSessions stores upload sessions in one transaction.
func (db *DB) CreateUploadSessions(ctx context.Context, ss []*pressroom.UploadSession) error {
	now := db.now()
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, s := range ss {
			s.CreatedAt, s.State = now, pressroom.UploadOpen
			if err := tx.QueryRowContext(ctx, `INSERT INTO upload_sessions (reseller_id, calculation_id, position, token_hash, callback_url, state, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, s.ResellerID, s.CalculationID, s.Position, s.TokenHash, s.CallbackURL, s.State, formatTime(now)).Scan(&s.ID); err != nil {
				return mapError(err, "Upload session")
			}
		}
		return nil
	})
}

// FindUploadSession returns a session by id.
func (db *DB) FindUploadSession(ctx context.Context, resellerID, id int64) (*pressroom.UploadSession, error) {
	q, args := `SELECT id, reseller_id, calculation_id, position, token_hash, callback_url, state, blob_key, size, md5, sha256, content_type,
		COALESCE(order_number, 0), COALESCE(item_id, 0), created_at, uploaded_at FROM upload_sessions WHERE id = ?`, []any{id}
	if resellerID != 0 {
		q, args = q+` AND reseller_id = ?`, append(args, resellerID)
	}
	var s pressroom.UploadSession
	var created string
	var uploaded sql.NullString
	err := db.read.QueryRowContext(ctx, q, args...).Scan(&s.ID, &s.ResellerID, &s.CalculationID, &s.Position, &s.TokenHash, &s.CallbackURL, &s.State,
		&s.BlobKey, &s.Size, &s.MD5, &s.SHA256, &s.ContentType, &s.OrderNumber, &s.ItemID, &created, &uploaded)
	if err != nil {
		return nil, mapError(err, "Upload session")
	}
	s.CreatedAt = parseTime(created)
	if uploaded.Valid {
		t := parseTime(uploaded.String)
		s.UploadedAt = &t
	}
	return &s, nil
}

// SaveUploadSession writes a session's state, file and order item.
func (db *DB) SaveUploadSession(ctx context.Context, s *pressroom.UploadSession) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE upload_sessions SET state = ?, blob_key = ?, size = ?, md5 = ?, sha256 = ?, content_type = ?,
			order_number = ?, item_id = ?, uploaded_at = ? WHERE id = ?`, s.State, s.BlobKey, s.Size, s.MD5, s.SHA256, s.ContentType,
			nullInt(s.OrderNumber), nullInt(s.ItemID), nullTime(s.UploadedAt), s.ID)
		if err != nil {
			return mapError(err, "Upload session")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return pressroom.Errorf(pressroom.ENOTFOUND, "Upload session %d not found.", s.ID)
		}
		return nil
	})
}

// DeleteOldUploadSessions deletes up to limit sessions created before the
// time that no order cites.
func (db *DB) DeleteOldUploadSessions(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM upload_sessions WHERE id IN (SELECT id FROM upload_sessions
		WHERE order_number IS NULL AND created_at < ? LIMIT ?)`, formatTime(before), limit)
	if err != nil {
		return 0, mapError(err, "Upload sessions")
	}
	n, _ := res.RowsAffected()
	return n, nil
}
