package sqlite

import (
	"context"

	"github.com/pressroom/pressroom"
)

const apiProductColumns = `id, reseller_id, customer_code, product_code, options, created_at, updated_at`

func scanAPIProduct(row interface{ Scan(...any) error }) (*pressroom.APIProduct, error) {
	var p pressroom.APIProduct
	var options, created, updated string
	if err := row.Scan(&p.ID, &p.ResellerID, &p.CustomerCode, &p.ProductCode, &options, &created, &updated); err != nil {
		return nil, err
	}
	p.Options = []byte(options)
	p.CreatedAt, p.UpdatedAt = parseTime(created), parseTime(updated)
	return &p, nil
}

// CreateAPIProduct stores a saved configuration.
func (db *DB) CreateAPIProduct(ctx context.Context, p *pressroom.APIProduct) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.CreatedAt = db.now()
	p.UpdatedAt = p.CreatedAt
	err := db.write.QueryRowContext(ctx,
		`INSERT INTO api_products (reseller_id, customer_code, product_code, options, created_at, updated_at)
		 VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		p.ResellerID, p.CustomerCode, p.ProductCode, string(p.Options), formatTime(p.CreatedAt), formatTime(p.UpdatedAt)).Scan(&p.ID)
	return mapError(err, "API product "+p.CustomerCode)
}

// FindAPIProduct returns a reseller's saved configuration.
func (db *DB) FindAPIProduct(ctx context.Context, resellerID int64, customerCode string) (*pressroom.APIProduct, error) {
	p, err := scanAPIProduct(db.read.QueryRowContext(ctx,
		`SELECT `+apiProductColumns+` FROM api_products WHERE reseller_id = ? AND customer_code = ?`, resellerID, customerCode))
	return p, mapError(err, "API product "+customerCode)
}

// ListAPIProducts returns a page of a reseller's saved configurations.
func (db *DB) ListAPIProducts(ctx context.Context, resellerID int64, offset, limit int) ([]*pressroom.APIProduct, int, error) {
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_products WHERE reseller_id = ?`, resellerID).Scan(&total); err != nil {
		return nil, 0, mapError(err, "API products")
	}
	rows, err := db.read.QueryContext(ctx,
		`SELECT `+apiProductColumns+` FROM api_products WHERE reseller_id = ? ORDER BY customer_code LIMIT ? OFFSET ?`, resellerID, limit, offset)
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
	p.UpdatedAt = db.now()
	p2, err := scanAPIProduct(db.write.QueryRowContext(ctx,
		`UPDATE api_products SET product_code = ?, options = ?, updated_at = ? WHERE reseller_id = ? AND customer_code = ?
		 RETURNING `+apiProductColumns,
		p.ProductCode, string(p.Options), formatTime(p.UpdatedAt), p.ResellerID, p.CustomerCode))
	if err != nil {
		return mapError(err, "API product "+p.CustomerCode)
	}
	*p = *p2
	return nil
}

// DeleteAPIProduct removes a saved configuration.
func (db *DB) DeleteAPIProduct(ctx context.Context, resellerID int64, customerCode string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM api_products WHERE reseller_id = ? AND customer_code = ?`, resellerID, customerCode)
	if err != nil {
		return mapError(err, "API product")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return pressroom.Errorf(pressroom.ENOTFOUND, "API product %q does not exist.", customerCode)
	}
	return nil
}
