package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/jackc/pgx/v5"
	"github.com/pressroom/pressroom"
)

const resellerColumns = `id, name, edition, callback_url, markup::text, country, vat_id, webhook_secret, webhook_secret_previous, webhook_previous_until, created_at, shop_name, shop_url`

func scanReseller(row pgx.Row) (*pressroom.Reseller, error) {
	var r pressroom.Reseller
	var markup string
	if err := row.Scan(&r.ID, &r.Name, &r.Edition, &r.CallbackURL, &markup, &r.Country, &r.VATID, &r.WebhookSecret, &r.PreviousSecret, &r.PreviousUntil, &r.CreatedAt, &r.ShopName, &r.ShopURL); err != nil {
		return nil, err
	}
	if r.PreviousUntil != nil {
		t := r.PreviousUntil.UTC()
		r.PreviousUntil = &t
	}
	m, err := decimal.NewFromString(markup)
	if err != nil {
		return nil, fmt.Errorf("reseller %d: markup %q: %w", r.ID, markup, err)
	}
	r.Markup = m
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// CreateReseller stores a new reseller.
func (db *DB) CreateReseller(ctx context.Context, r *pressroom.Reseller) error {
	if err := r.Validate(); err != nil {
		return err
	}
	r.CreatedAt = db.now().Truncate(time.Microsecond)
	err := db.pool.QueryRow(ctx,
		`INSERT INTO resellers (name, edition, callback_url, markup, country, vat_id, webhook_secret, created_at, shop_name, shop_url) VALUES ($1, $2, $3, $4::numeric, $5, $6, $8, $7, $9, $10) RETURNING id`,
		r.Name, r.Edition, r.CallbackURL, r.Markup.String(), r.Country, r.VATID, r.CreatedAt, r.WebhookSecret, r.ShopName, r.ShopURL).Scan(&r.ID)
	return mapError(err, "Reseller "+r.Name)
}

// EnsureReseller creates r unless one of that name exists.
func (db *DB) EnsureReseller(ctx context.Context, r *pressroom.Reseller) (*pressroom.Reseller, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if _, err := db.pool.Exec(ctx,
		`INSERT INTO resellers (name, edition, callback_url, markup, country, vat_id, webhook_secret, created_at, shop_name, shop_url) VALUES ($1, $2, $3, $4::numeric, $5, $6, $8, $7, $9, $10) ON CONFLICT (name) DO NOTHING`,
		r.Name, r.Edition, r.CallbackURL, r.Markup.String(), r.Country, r.VATID, db.now(), r.WebhookSecret, r.ShopName, r.ShopURL); err != nil {
		return nil, mapError(err, "Reseller")
	}
	return db.FindResellerByName(ctx, r.Name)
}

// FindResellerByID returns a reseller.
func (db *DB) FindResellerByID(ctx context.Context, id int64) (*pressroom.Reseller, error) {
	r, err := scanReseller(db.pool.QueryRow(ctx, `SELECT `+resellerColumns+` FROM resellers WHERE id = $1`, id))
	return r, mapError(err, "Reseller")
}

// FindResellerByName returns a reseller.
func (db *DB) FindResellerByName(ctx context.Context, name string) (*pressroom.Reseller, error) {
	r, err := scanReseller(db.pool.QueryRow(ctx, `SELECT `+resellerColumns+` FROM resellers WHERE name = $1`, name))
	return r, mapError(err, "Reseller")
}

// ListResellers returns every reseller, oldest first.
func (db *DB) ListResellers(ctx context.Context) ([]*pressroom.Reseller, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+resellerColumns+` FROM resellers ORDER BY id`)
	if err != nil {
		return nil, mapError(err, "Resellers")
	}
	defer rows.Close()
	var out []*pressroom.Reseller
	for rows.Next() {
		r, err := scanReseller(rows)
		if err != nil {
			return nil, mapError(err, "Resellers")
		}
		out = append(out, r)
	}
	return out, mapError(rows.Err(), "Resellers")
}

// UpdateReseller stores the settable fields of a reseller.
func (db *DB) UpdateReseller(ctx context.Context, r *pressroom.Reseller) error {
	if err := r.Validate(); err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx,
		`UPDATE resellers SET edition = $1, callback_url = $2, markup = $3::numeric, country = $4, vat_id = $5, webhook_secret = $7,
		 webhook_secret_previous = $8, webhook_previous_until = $9, shop_name = $10, shop_url = $11 WHERE id = $6`,
		r.Edition, r.CallbackURL, r.Markup.String(), r.Country, r.VATID, r.ID, r.WebhookSecret, r.PreviousSecret, r.PreviousUntil, r.ShopName, r.ShopURL)
	if err != nil {
		return mapError(err, "Reseller")
	}
	if tag.RowsAffected() == 0 {
		return pressroom.Errorf(pressroom.ENOTFOUND, "Reseller %d does not exist.", r.ID)
	}
	return nil
}

// CreateCustomer stores an end-customer account of a reseller.
func (db *DB) CreateCustomer(ctx context.Context, c *pressroom.Customer) error {
	c.CreatedAt = db.now().Truncate(time.Microsecond)
	var ref any
	if c.Reference != "" {
		ref = c.Reference
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM resellers WHERE id = $1`, c.ResellerID).Scan(&one); err != nil {
			return mapError(err, "Reseller")
		}
		// Validated once the reseller is known to exist: a missing one is
		// the first thing to say.
		if err := c.Validate(); err != nil {
			return err
		}
		err := tx.QueryRow(ctx,
			`INSERT INTO customers (reseller_id, name, email, reference, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			c.ResellerID, c.Name, c.Email, ref, c.CreatedAt).Scan(&c.ID)
		return mapError(err, "Customer with reference "+c.Reference)
	})
}

// ListCustomers returns a reseller's customers, oldest first.
func (db *DB) ListCustomers(ctx context.Context, resellerID int64) ([]*pressroom.Customer, error) {
	rows, err := db.pool.Query(ctx,
		`SELECT id, reseller_id, name, email, COALESCE(reference, ''), created_at FROM customers WHERE reseller_id = $1 ORDER BY id`, resellerID)
	if err != nil {
		return nil, mapError(err, "Customers")
	}
	defer rows.Close()
	var out []*pressroom.Customer
	for rows.Next() {
		var c pressroom.Customer
		if err := rows.Scan(&c.ID, &c.ResellerID, &c.Name, &c.Email, &c.Reference, &c.CreatedAt); err != nil {
			return nil, mapError(err, "Customers")
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, &c)
	}
	return out, mapError(rows.Err(), "Customers")
}

const keyColumns = `id, COALESCE(reseller_id, 0), role, name, hash, hint, created_at, revoked_at, expires_at, COALESCE(parent_id, 0)`

func scanKey(row pgx.Row) (*pressroom.APIKey, error) {
	var k pressroom.APIKey
	if err := row.Scan(&k.ID, &k.ResellerID, &k.Role, &k.Name, &k.Hash, &k.Hint, &k.CreatedAt, &k.RevokedAt, &k.ExpiresAt, &k.ParentID); err != nil {
		return nil, err
	}
	k.ExpiresAt = utc(k.ExpiresAt)
	k.CreatedAt = k.CreatedAt.UTC()
	if k.RevokedAt != nil {
		t := k.RevokedAt.UTC()
		k.RevokedAt = &t
	}
	return &k, nil
}

func keyArgs(k *pressroom.APIKey) []any {
	var reseller any
	if k.ResellerID != 0 {
		reseller = k.ResellerID
	}
	var parent any
	if k.ParentID != 0 {
		parent = k.ParentID
	}
	return []any{reseller, k.Role, k.Name, k.Hash, k.Hint, k.CreatedAt, k.ExpiresAt, parent}
}

// CreateAPIKey stores a key.
func (db *DB) CreateAPIKey(ctx context.Context, k *pressroom.APIKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	k.CreatedAt = db.now().Truncate(time.Microsecond)
	err := db.pool.QueryRow(ctx,
		`INSERT INTO api_keys (reseller_id, role, name, hash, hint, created_at, expires_at, parent_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		keyArgs(k)...).Scan(&k.ID)
	return k.Missing(mapError(err, "API key"))
}

// EnsureAPIKey stores k unless a key with its hash exists.
func (db *DB) EnsureAPIKey(ctx context.Context, k *pressroom.APIKey) (*pressroom.APIKey, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	k.CreatedAt = db.now().Truncate(time.Microsecond)
	if _, err := db.pool.Exec(ctx,
		`INSERT INTO api_keys (reseller_id, role, name, hash, hint, created_at, expires_at, parent_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (hash) DO NOTHING`,
		keyArgs(k)...); err != nil {
		return nil, mapError(err, "API key")
	}
	return db.FindAPIKeyByHash(ctx, k.Hash)
}

// FindAPIKeyByID returns a key by id.
func (db *DB) FindAPIKeyByID(ctx context.Context, id int64) (*pressroom.APIKey, error) {
	k, err := scanKey(db.pool.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = $1`, id))
	return k, mapError(err, "API key")
}

// DeleteExpiredKeys deletes access tokens that expired before a time.
func (db *DB) DeleteExpiredKeys(ctx context.Context, before time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM api_keys WHERE expires_at IS NOT NULL AND expires_at < $1`, before)
	if err != nil {
		return 0, mapError(err, "API keys")
	}
	return int(tag.RowsAffected()), nil
}

// FindAPIKeyByHash returns the key with the hash.
func (db *DB) FindAPIKeyByHash(ctx context.Context, hash []byte) (*pressroom.APIKey, error) {
	k, err := scanKey(db.pool.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE hash = $1`, hash))
	return k, mapError(err, "API key")
}

// ListAPIKeys lists a reseller's keys (0: operator keys).
func (db *DB) ListAPIKeys(ctx context.Context, resellerID int64) ([]*pressroom.APIKey, error) {
	q := `SELECT ` + keyColumns + ` FROM api_keys WHERE reseller_id = $1 AND parent_id IS NULL ORDER BY id`
	args := []any{resellerID}
	if resellerID == 0 {
		q, args = `SELECT `+keyColumns+` FROM api_keys WHERE reseller_id IS NULL AND parent_id IS NULL ORDER BY id`, nil
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, mapError(err, "API keys")
	}
	defer rows.Close()
	var out []*pressroom.APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, mapError(err, "API keys")
		}
		out = append(out, k)
	}
	return out, mapError(rows.Err(), "API keys")
}

// RevokeAPIKey marks a key revoked.
func (db *DB) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM api_keys WHERE id = $1`, id).Scan(&one); err != nil {
			return mapError(err, "API key")
		}
		_, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at.UTC().Truncate(time.Microsecond), id)
		return mapError(err, "API key")
	})
}
