package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pressroom/pressroom"
)

func scanVersion(row pgx.Row) (*pressroom.CatalogVersion, error) {
	var v pressroom.CatalogVersion
	if err := row.Scan(&v.Version, &v.Document, &v.Checksum, &v.Note, &v.CreatedAt); err != nil {
		return nil, err
	}
	v.CreatedAt = v.CreatedAt.UTC()
	return &v, nil
}

// CreateCatalogVersion stores the next catalog version. The table lock makes
// concurrent imports take numbers one after the other.
func (db *DB) CreateCatalogVersion(ctx context.Context, v *pressroom.CatalogVersion) error {
	v.CreatedAt = db.now().Truncate(time.Microsecond)
	return db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE catalog_versions IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return mapError(err, "Catalog version")
		}
		err := tx.QueryRow(ctx,
			`INSERT INTO catalog_versions (version, document, checksum, note, created_at)
			 SELECT COALESCE(MAX(version), 0) + 1, $1, $2, $3, $4 FROM catalog_versions RETURNING version`,
			v.Document, v.Checksum, v.Note, v.CreatedAt).Scan(&v.Version)
		return mapError(err, "Catalog version")
	})
}

// EnsureFirstCatalogVersion stores v as version 1 unless a version exists.
func (db *DB) EnsureFirstCatalogVersion(ctx context.Context, v *pressroom.CatalogVersion) (bool, error) {
	v.CreatedAt = db.now().Truncate(time.Microsecond)
	tag, err := db.pool.Exec(ctx,
		`INSERT INTO catalog_versions (version, document, checksum, note, created_at) VALUES (1, $1, $2, $3, $4) ON CONFLICT (version) DO NOTHING`,
		v.Document, v.Checksum, v.Note, v.CreatedAt)
	if err != nil {
		return false, mapError(err, "Catalog version")
	}
	if tag.RowsAffected() == 1 {
		v.Version = 1
		return true, nil
	}
	return false, nil
}

// LatestCatalogVersion returns the newest catalog.
func (db *DB) LatestCatalogVersion(ctx context.Context) (*pressroom.CatalogVersion, error) {
	v, err := scanVersion(db.pool.QueryRow(ctx,
		`SELECT version, document, checksum, note, created_at FROM catalog_versions ORDER BY version DESC LIMIT 1`))
	return v, mapError(err, "Catalog")
}

// LatestCatalogVersionNumber returns the newest version number, 0 when none.
func (db *DB) LatestCatalogVersionNumber(ctx context.Context) (int64, error) {
	var n int64
	err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM catalog_versions`).Scan(&n)
	return n, mapError(err, "Catalog")
}

// FindCatalogVersion returns one catalog version.
func (db *DB) FindCatalogVersion(ctx context.Context, version int64) (*pressroom.CatalogVersion, error) {
	v, err := scanVersion(db.pool.QueryRow(ctx,
		`SELECT version, document, checksum, note, created_at FROM catalog_versions WHERE version = $1`, version))
	return v, mapError(err, "Catalog version")
}

// ReserveIDs reserves n ids of a sequence.
func (db *DB) ReserveIDs(ctx context.Context, sequence string, n int64) (int64, error) {
	if n < 1 {
		return 0, pressroom.Errorf(pressroom.EINVALID, "Reserve at least one id.")
	}
	var first int64
	err := db.pool.QueryRow(ctx,
		`INSERT INTO id_sequences (name, next_id) VALUES ($1, 1 + $2::bigint)
		 ON CONFLICT (name) DO UPDATE SET next_id = id_sequences.next_id + $2::bigint
		 RETURNING next_id - $2::bigint`, sequence, n).Scan(&first)
	return first, mapError(err, "Sequence "+sequence)
}

// SaveCalculations stores calculations in one transaction (one round trip).
func (db *DB) SaveCalculations(ctx context.Context, cs []*pressroom.Calculation) error {
	if len(cs) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		for _, c := range cs {
			var expires *time.Time // never
			if !c.ExpiresAt.IsZero() {
				e := c.ExpiresAt.UTC()
				expires = &e
			}
			batch.Queue(`INSERT INTO calculations (id, reseller_id, catalog_version, product_code, options, prices, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				c.ID, c.ResellerID, c.CatalogVersion, c.ProductCode, string(c.Options), string(c.Prices), c.CreatedAt.UTC(), expires)
		}
		return mapError(tx.SendBatch(ctx, batch).Close(), "Calculation")
	})
}

// DeleteExpiredCalculations removes a batch of expired calculations.
func (db *DB) DeleteExpiredCalculations(ctx context.Context, before time.Time, limit int) (int64, error) {
	tag, err := db.pool.Exec(ctx,
		`DELETE FROM calculations WHERE id IN (SELECT id FROM calculations WHERE expires_at < $1 LIMIT $2)`, before.UTC(), limit)
	if err != nil {
		return 0, mapError(err, "Calculations")
	}
	return tag.RowsAffected(), nil
}

// FindCalculation returns a reseller's calculation.
func (db *DB) FindCalculation(ctx context.Context, resellerID, id int64) (*pressroom.Calculation, error) {
	var c pressroom.Calculation
	var options, prices string
	var expires *time.Time
	err := db.pool.QueryRow(ctx,
		`SELECT id, reseller_id, catalog_version, product_code, options::text, prices, created_at, expires_at FROM calculations WHERE id = $1 AND reseller_id = $2`,
		id, resellerID).Scan(&c.ID, &c.ResellerID, &c.CatalogVersion, &c.ProductCode, &options, &prices, &c.CreatedAt, &expires)
	if err != nil {
		return nil, mapError(err, "Calculation")
	}
	c.Options, c.Prices = []byte(options), []byte(prices)
	c.CreatedAt = c.CreatedAt.UTC()
	if expires != nil {
		c.ExpiresAt = expires.UTC()
	}
	return &c, nil
}
