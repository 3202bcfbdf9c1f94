package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pressroom/pressroom"
)

// CreateUploadSessions stores upload sessions in one transaction.
func (db *DB) CreateUploadSessions(ctx context.Context, ss []*pressroom.UploadSession) error {
	now := db.now()
	return db.tx(ctx, func(tx pgx.Tx) error {
		for _, s := range ss {
			s.CreatedAt, s.State = now, pressroom.UploadOpen
			if err := tx.QueryRow(ctx, `INSERT INTO upload_sessions (reseller_id, calculation_id, position, token_hash, callback_url, state, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, s.ResellerID, s.CalculationID, s.Position, s.TokenHash, s.CallbackURL, s.State, now).Scan(&s.ID); err != nil {
				return mapError(err, "Upload session")
			}
		}
		return nil
	})
}

// FindUploadSession returns a session by id.
func (db *DB) FindUploadSession(ctx context.Context, resellerID, id int64) (*pressroom.UploadSession, error) {
	q, args := `SELECT id, reseller_id, calculation_id, position, token_hash, callback_url, state, blob_key, size, md5, sha256, content_type,
		COALESCE(order_number, 0), COALESCE(item_id, 0), created_at, uploaded_at FROM upload_sessions WHERE id = $1`, []any{id}
	if resellerID != 0 {
		q, args = q+` AND reseller_id = $2`, append(args, resellerID)
	}
	var s pressroom.UploadSession
	err := db.pool.QueryRow(ctx, q, args...).Scan(&s.ID, &s.ResellerID, &s.CalculationID, &s.Position, &s.TokenHash, &s.CallbackURL, &s.State,
		&s.BlobKey, &s.Size, &s.MD5, &s.SHA256, &s.ContentType, &s.OrderNumber, &s.ItemID, &s.CreatedAt, &s.UploadedAt)
	if err != nil {
		return nil, mapError(err, "Upload session")
	}
	s.CreatedAt = s.CreatedAt.UTC()
	if s.UploadedAt != nil {
		t := s.UploadedAt.UTC()
		s.UploadedAt = &t
	}
	return &s, nil
}

// SaveUploadSession writes a session's state, file and order item.
func (db *DB) SaveUploadSession(ctx context.Context, s *pressroom.UploadSession) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE upload_sessions SET state = $1, blob_key = $2, size = $3, md5 = $4, sha256 = $5, content_type = $6,
			order_number = $7, item_id = $8, uploaded_at = $9 WHERE id = $10`, s.State, s.BlobKey, s.Size, s.MD5, s.SHA256, s.ContentType,
			nullInt(s.OrderNumber), nullInt(s.ItemID), s.UploadedAt, s.ID)
		if err != nil {
			return mapError(err, "Upload session")
		}
		if tag.RowsAffected() == 0 {
			return pressroom.Errorf(pressroom.ENOTFOUND, "Upload session %d not found.", s.ID)
		}
		return nil
	})
}

// DeleteOldUploadSessions deletes up to limit sessions created before the
// time that no order cites.
func (db *DB) DeleteOldUploadSessions(ctx context.Context, before time.Time, limit int) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM upload_sessions WHERE id IN (SELECT id FROM upload_sessions
		WHERE order_number IS NULL AND created_at < $1 LIMIT $2)`, before.UTC(), limit)
	if err != nil {
		return 0, mapError(err, "Upload sessions")
	}
	return tag.RowsAffected(), nil
}
