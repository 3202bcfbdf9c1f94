package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/pressroom/pressroom"
)

func scanVersion(row interface{ Scan(...any) error }) (*pressroom.CatalogVersion, error) {
	var v pressroom.CatalogVersion
	var created string
	if err := row.Scan(&v.Version, &v.Document, &v.Checksum, &v.Note, &created); err != nil {
		return nil, err
	}
	v.CreatedAt = parseTime(created)
	return &v, nil
}

// CreateCatalogVersion stores the next catalog version.
func (db *DB) CreateCatalogVersion(ctx context.Context, v *pressroom.CatalogVersion) error {
	v.CreatedAt = db.now()
	return db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx,
			`INSERT INTO catalog_versions (version, document, checksum, note, created_at)
			 SELECT COALESCE(MAX(version), 0) + 1, ?, ?, ?, ? FROM catalog_versions RETURNING version`,
			v.Document, v.Checksum, v.Note, formatTime(v.CreatedAt)).Scan(&v.Version)
		return mapError(err, "Catalog version")
	})
}

// EnsureFirstCatalogVersion stores v as version 1 unless a version exists.
func (db *DB) EnsureFirstCatalogVersion(ctx context.Context, v *pressroom.CatalogVersion) (bool, error) {
	v.CreatedAt = db.now()
	res, err := db.write.ExecContext(ctx,
		`INSERT INTO catalog_versions (version, document, checksum, note, created_at) VALUES (1, ?, ?, ?, ?) ON CONFLICT (version) DO NOTHING`,
		v.Document, v.Checksum, v.Note, formatTime(v.CreatedAt))
	if err != nil {
		return false, mapError(err, "Catalog version")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, mapError(err, "Catalog version")
	}
	if n == 1 {
		v.Version = 1
	}
	return n == 1, nil
}

// LatestCatalogVersion returns the newest catalog.
func (db *DB) LatestCatalogVersion(ctx context.Context) (*pressroom.CatalogVersion, error) {
	v, err := scanVersion(db.read.QueryRowContext(ctx,
		`SELECT version, document, checksum, note, created_at FROM catalog_versions ORDER BY version DESC LIMIT 1`))
	return v, mapError(err, "Catalog")
}

// LatestCatalogVersionNumber returns the newest version number, 0 when none.
func (db *DB) LatestCatalogVersionNumber(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM catalog_versions`).Scan(&n)
	return n, mapError(err, "Catalog")
}

// FindCatalogVersion returns one catalog version.
func (db *DB) FindCatalogVersion(ctx context.Context, version int64) (*pressroom.CatalogVersion, error) {
	v, err := scanVersion(db.read.QueryRowContext(ctx,
		`SELECT version, document, checksum, note, created_at FROM catalog_versions WHERE version = ?`, version))
	return v, mapError(err, "Catalog version")
}

// ReserveIDs reserves n ids of a sequence.
func (db *DB) ReserveIDs(ctx context.Context, sequence string, n int64) (int64, error) {
	if n < 1 {
		return 0, pressroom.Errorf(pressroom.EINVALID, "Reserve at least one id.")
	}
	var first int64
	err := db.write.QueryRowContext(ctx,
		`INSERT INTO id_sequences (name, next_id) VALUES (?, 1 + ?)
		 ON CONFLICT (name) DO UPDATE SET next_id = id_sequences.next_id + ?
		 RETURNING next_id - ?`, sequence, n, n, n).Scan(&first)
	return first, mapError(err, "Sequence "+sequence)
}

// SaveCalculations stores calculations in one transaction.
func (db *DB) SaveCalculations(ctx context.Context, cs []*pressroom.Calculation) error {
	if len(cs) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx,
			`INSERT INTO calculations (id, reseller_id, catalog_version, product_code, options, prices, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return mapError(err, "Calculation")
		}
		defer stmt.Close()
		for _, c := range cs {
			expires := "" // never
			if !c.ExpiresAt.IsZero() {
				expires = formatTime(c.ExpiresAt)
			}
			if _, err := stmt.ExecContext(ctx, c.ID, c.ResellerID, c.CatalogVersion, c.ProductCode, string(c.Options), string(c.Prices), formatTime(c.CreatedAt), expires); err != nil {
				return mapError(err, "Calculation")
			}
		}
		return nil
	})
}

// DeleteExpiredCalculations removes a batch of expired calculations.
func (db *DB) DeleteExpiredCalculations(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := db.write.ExecContext(ctx,
		`DELETE FROM calculations WHERE id IN (SELECT id FROM calculations WHERE expires_at <> '' AND expires_at < ? LIMIT ?)`,
		formatTime(before), limit)
	if err != nil {
		return 0, mapError(err, "Calculations")
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// FindCalculation returns a reseller's calculation.
func (db *DB) FindCalculation(ctx context.Context, resellerID, id int64) (*pressroom.Calculation, error) {
	var c pressroom.Calculation
	var created, expires, options, prices string
	err := db.read.QueryRowContext(ctx,
		`SELECT id, reseller_id, catalog_version, product_code, options, prices, created_at, expires_at FROM calculations WHERE id = ? AND reseller_id = ?`,
		id, resellerID).Scan(&c.ID, &c.ResellerID, &c.CatalogVersion, &c.ProductCode, &options, &prices, &created, &expires)
	if err != nil {
		return nil, mapError(err, "Calculation")
	}
	c.Options, c.Prices = []byte(options), []byte(prices)
	c.CreatedAt = parseTime(created)
	if expires != "" {
		c.ExpiresAt = parseTime(expires)
	}
	return &c, nil
}
