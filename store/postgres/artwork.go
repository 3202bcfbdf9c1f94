package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pressroom/pressroom/order"
)

// SaveArtwork stores a file of an item.
func (db *DB) SaveArtwork(ctx context.Context, a *order.Artwork) error {
	findings, err := json.Marshal(a.Findings)
	if err != nil {
		return err
	}
	return mapError(db.saveArtwork(ctx, db.pool, a, findings), "Artwork")
}

// ReplaceArtwork makes a the item's only file (nil: none), in one transaction.
func (db *DB) ReplaceArtwork(ctx context.Context, number, itemID int64, a *order.Artwork) error {
	var findings []byte
	if a != nil {
		var err error
		if findings, err = json.Marshal(a.Findings); err != nil {
			return err
		}
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		q, args := `DELETE FROM artwork WHERE order_number = $1 AND item_id = $2`, []any{number, itemID}
		if a != nil {
			q, args = q+` AND idx <> $3`, append(args, a.Index)
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil || a == nil {
			return err
		}
		return db.saveArtwork(ctx, tx, a, findings)
	})
	return mapError(err, "Artwork")
}

// saveArtwork writes a at its item and index.
func (db *DB) saveArtwork(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, a *order.Artwork, findings []byte) error {
	now := db.now().Truncate(time.Microsecond)
	a.UpdatedAt = now
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	return q.QueryRow(ctx, `INSERT INTO artwork (order_number, item_id, idx, source, url, expected_md5, size, md5, sha256,
		content_type, blob_key, state, findings, error, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT (order_number, item_id, idx) DO UPDATE SET source = excluded.source, url = excluded.url, expected_md5 = excluded.expected_md5,
		size = excluded.size, md5 = excluded.md5, sha256 = excluded.sha256, content_type = excluded.content_type, blob_key = excluded.blob_key,
		state = excluded.state, findings = excluded.findings, error = excluded.error, updated_at = excluded.updated_at
		RETURNING id`, a.OrderNumber, a.ItemID, a.Index, a.Source, a.URL, a.ExpectedMD5, a.Size, a.MD5, a.SHA256, a.ContentType, a.BlobKey,
		string(a.State), string(findings), a.Error, a.CreatedAt, now).Scan(&a.ID)
}

// ListArtwork returns an order's files.
func (db *DB) ListArtwork(ctx context.Context, orderNumber, itemID int64) ([]*order.Artwork, error) {
	q, args := `SELECT id, order_number, item_id, idx, source, url, expected_md5, size, md5, sha256, content_type, blob_key, state, findings,
		error, created_at, updated_at FROM artwork WHERE order_number = $1`, []any{orderNumber}
	if itemID != 0 {
		q, args = q+` AND item_id = $2`, append(args, itemID)
	}
	rows, err := db.pool.Query(ctx, q+` ORDER BY item_id, idx`, args...)
	if err != nil {
		return nil, mapError(err, "Artwork")
	}
	defer rows.Close()
	out := []*order.Artwork{}
	for rows.Next() {
		var a order.Artwork
		var findings string
		if err := rows.Scan(&a.ID, &a.OrderNumber, &a.ItemID, &a.Index, &a.Source, &a.URL, &a.ExpectedMD5, &a.Size, &a.MD5, &a.SHA256,
			&a.ContentType, &a.BlobKey, &a.State, &findings, &a.Error, &a.CreatedAt, &a.UpdatedAt); err != nil {
			return nil, mapError(err, "Artwork")
		}
		if err := json.Unmarshal([]byte(findings), &a.Findings); err != nil {
			return nil, fmt.Errorf("artwork %d: %w", a.ID, err)
		}
		a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
		out = append(out, &a)
	}
	return out, mapError(rows.Err(), "Artwork")
}

// DroppedBlobs lists blobs dropped before the time, oldest first: free
// ones no file or upload session refers to, and kept ones.
func (db *DB) DroppedBlobs(ctx context.Context, before time.Time, limit int) (free, kept []string, err error) {
	rows, err := db.pool.Query(ctx, `SELECT d.blob_key,
		EXISTS (SELECT 1 FROM artwork a WHERE a.blob_key = d.blob_key AND a.blob_key <> '')
		OR EXISTS (SELECT 1 FROM upload_sessions u WHERE u.blob_key = d.blob_key AND u.blob_key <> '')
		FROM dropped_blobs d WHERE d.dropped_at < $1 ORDER BY d.dropped_at LIMIT $2`, before.UTC(), limit)
	if err != nil {
		return nil, nil, mapError(err, "Dropped files")
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var used bool
		if err := rows.Scan(&key, &used); err != nil {
			return nil, nil, mapError(err, "Dropped files")
		}
		if used {
			kept = append(kept, key)
		} else {
			free = append(free, key)
		}
	}
	return free, kept, mapError(rows.Err(), "Dropped files")
}

// ForgetBlobs takes keys off the dropped list.
func (db *DB) ForgetBlobs(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := db.pool.Exec(ctx, `DELETE FROM dropped_blobs WHERE blob_key = ANY($1)`, keys)
	return mapError(err, "Dropped files")
}

// DropUnproducedFiles clears the blob keys of cancelled and test orders'
// files and cited upload sessions, last changed before the time.
func (db *DB) DropUnproducedFiles(ctx context.Context, before time.Time, limit int) (int64, error) {
	return db.dropOrderFiles(ctx, "(o.status = 'cancelled' OR o.type = 'test')", before, limit)
}

// DropDeliveredFiles lets go of the files of orders delivered before the time.
func (db *DB) DropDeliveredFiles(ctx context.Context, before time.Time, limit int) (int64, error) {
	return db.dropOrderFiles(ctx, "o.status = 'shipment_delivered'", before, limit)
}

// dropOrderFiles lets go of the files of the orders that match which (a
// condition on o that an index covers) and were last changed before the time.
func (db *DB) dropOrderFiles(ctx context.Context, which string, before time.Time, limit int) (int64, error) {
	var total int64
	for _, table := range []string{"artwork", "upload_sessions"} {
		tag, err := db.pool.Exec(ctx, `UPDATE `+table+` SET blob_key = '' WHERE id IN (
			SELECT f.id FROM orders o JOIN `+table+` f ON f.order_number = o.number
			WHERE `+which+` AND o.updated_at < $1 AND f.blob_key <> '' LIMIT $2)`, before.UTC(), limit)
		if err != nil {
			return total, mapError(err, "Files")
		}
		total += tag.RowsAffected()
	}
	return total, nil
}

// DropBlobs lists keys as dropped now.
func (db *DB) DropBlobs(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO dropped_blobs (blob_key, dropped_at) SELECT unnest($1::text[]), $2
		ON CONFLICT (blob_key) DO UPDATE SET dropped_at = excluded.dropped_at`, keys, db.now())
	return mapError(err, "Dropped files")
}

// UnnamedBlobs answers the keys no row names and the dropped list lacks.
func (db *DB) UnnamedBlobs(ctx context.Context, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT k FROM unnest($1::text[]) k
		WHERE NOT EXISTS (SELECT 1 FROM artwork a WHERE a.blob_key = k AND a.blob_key <> '')
		AND NOT EXISTS (SELECT 1 FROM upload_sessions u WHERE u.blob_key = k AND u.blob_key <> '')
		AND NOT EXISTS (SELECT 1 FROM dropped_blobs d WHERE d.blob_key = k)`, keys)
	if err != nil {
		return nil, mapError(err, "Files")
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, mapError(err, "Files")
}
