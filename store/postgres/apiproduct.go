package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pressroom/pressroom"
)

const apiProductColumns = `id, reseller_id, customer_code, product_code, options, created_at, updated_at`

func scanAPIProduct(row pgx.Row) (*pressroom.APIProduct, error) {
	var p pressroom.APIProduct
	var options string
	if err := row.Scan(&p.ID, &p.ResellerID, &p.CustomerCode, &p.ProductCode, &options, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	p.Options = []byte(options)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

// CreateAPIProduct stores a saved configuration.
func (db *DB) CreateAPIProduct(ctx context.Context, p *pressroom.APIProduct) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.CreatedAt = db.now().Truncate(time.Microsecond)
	p.UpdatedAt = p.CreatedAt
	err := db.pool.QueryRow(ctx,
		`INSERT INTO api_products (reseller_id, customer_code, product_code, options, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		p.ResellerID, p.CustomerCode, p.ProductCode, string(p.Options), p.CreatedAt, p.UpdatedAt).Scan(&p.ID)
	return mapError(err, "API product "+p.CustomerCode)
}

// FindAPIProduct returns a reseller's saved configuration.
func (db *DB) FindAPIProduct(ctx context.Context, resellerID int64, customerCode string) (*pressroom.APIProduct, error) {
	p, err := scanAPIProduct(db.pool.QueryRow(ctx,
		`SELECT `+apiProductColumns+` FROM api_products WHERE reseller_id = $1 AND customer_code = $2`, resellerID, customerCode))
	return p, mapError(err, "API product "+customerCode)
}

// ListAPIProducts returns a page of a reseller's saved configurations.
func (db *DB) ListAPIProducts(ctx context.Context, resellerID int64, offset, limit int) ([]*pressroom.APIProduct, int, error) {
	var total int
	if err := db.pool.QueryRow(ctx, `SELECT COUNT(*) FROM api_products WHERE reseller_id = $1`, resellerID).Scan(&total); err != nil {
		return nil, 0, mapError(err, "API products")
	}
	rows, err := db.pool.Query(ctx,
		`SELECT `+apiProductColumns+` FROM api_products WHERE reseller_id = $1 ORDER BY customer_code LIMIT $2 OFFSET $3`, resellerID, limit, offset)
	if err != nil {
		return nil, 0, mapError(err, "API products")
	}
	defer rows.Close()
	out := []*pressroom.APIProduct{}
	for rows.Next() {
		p, err := scanAPIProduct(rows)
		if err != nil {
			return nil, 0, mapError(err, "API products")
		}
		out = append(out, p)
	}
	return out, total, mapError(rows.Err(), "API products")
}

// UpdateAPIProduct replaces a saved configuration.
func (db *DB) UpdateAPIProduct(ctx context.Context, p *pressroom.APIProduct) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.UpdatedAt = db.now().Truncate(time.Microsecond)
	p2, err := scanAPIProduct(db.pool.QueryRow(ctx,
		`UPDATE api_products SET product_code = $1, options = $2, updated_at = $3 WHERE reseller_id = $4 AND customer_code = $5
		 RETURNING `+apiProductColumns,
		p.ProductCode, string(p.Options), p.UpdatedAt, p.ResellerID, p.CustomerCode))
	if err != nil {
		return mapError(err, "API product "+p.CustomerCode)
	}
	*p = *p2
	return nil
}

// DeleteAPIProduct removes a saved configuration.
func (db *DB) DeleteAPIProduct(ctx context.Context, resellerID int64, customerCode string) error {
	res, err := db.pool.Exec(ctx, `DELETE FROM api_products WHERE reseller_id = $1 AND customer_code = $2`, resellerID, customerCode)
	if err != nil {
		return mapError(err, "API product")
	}
	if res.RowsAffected() == 0 {
		return pressroom.Errorf(pressroom.ENOTFOUND, "API product %q does not exist.", customerCode)
	}
	return nil
}
