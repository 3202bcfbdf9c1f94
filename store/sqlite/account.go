package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pressroom/pressroom"
)

const resellerColumns = `id, name, edition, callback_url, markup, country, vat_id, webhook_secret, webhook_secret_previous, webhook_previous_until, created_at, shop_name, shop_url`

func scanReseller(row interface{ Scan(...any) error }) (*pressroom.Reseller, error) {
	var r pressroom.Reseller
	var created, markup string
	var until sql.NullString
	if err := row.Scan(&r.ID, &r.Name, &r.Edition, &r.CallbackURL, &markup, &r.Country, &r.VATID, &r.WebhookSecret, &r.PreviousSecret, &until, &created, &r.ShopName, &r.ShopURL); err != nil {
		return nil, err
	}
	if until.Valid {
		t := parseTime(until.String)
		r.PreviousUntil = &t
	}
	m, err := decimal.NewFromString(markup)
	if err != nil {
		return nil, fmt.Errorf("reseller %d: markup %q: %w", r.ID, markup, err)
	}
	r.Markup = m
	r.CreatedAt = parseTime(created)
	return &r, nil
}

// CreateReseller stores a new reseller.
func (db *DB) CreateReseller(ctx context.Context, r *pressroom.Reseller) error {
	if err := r.Validate(); err != nil {
		return err
	}
	r.CreatedAt = db.now()
	err := db.write.QueryRowContext(ctx,
		`INSERT INTO resellers (name, edition, callback_url, markup, country, vat_id, webhook_secret, created_at, shop_name, shop_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.Name, r.Edition, r.CallbackURL, r.Markup.String(), r.Country, r.VATID, r.WebhookSecret, formatTime(r.CreatedAt), r.ShopName, r.ShopURL).Scan(&r.ID)
	return mapError(err, "Reseller "+r.Name)
}

// EnsureReseller creates r unless one of that name exists.
func (db *DB) EnsureReseller(ctx context.Context, r *pressroom.Reseller) (*pressroom.Reseller, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if _, err := db.write.ExecContext(ctx,
		`INSERT INTO resellers (name, edition, callback_url, markup, country, vat_id, webhook_secret, created_at, shop_name, shop_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		r.Name, r.Edition, r.CallbackURL, r.Markup.String(), r.Country, r.VATID, r.WebhookSecret, formatTime(db.now()), r.ShopName, r.ShopURL); err != nil {
		return nil, mapError(err, "Reseller")
	}
	return db.FindResellerByName(ctx, r.Name)
}

// FindResellerByID returns a reseller.
func (db *DB) FindResellerByID(ctx context.Context, id int64) (*pressroom.Reseller, error) {
	r, err := scanReseller(db.read.QueryRowContext(ctx, `SELECT `+resellerColumns+` FROM resellers WHERE id = ?`, id))
	return r, mapError(err, "Reseller")
}

// FindResellerByName returns a reseller.
func (db *DB) FindResellerByName(ctx context.Context, name string) (*pressroom.Reseller, error) {
	r, err := scanReseller(db.read.QueryRowContext(ctx, `SELECT `+resellerColumns+` FROM resellers WHERE name = ?`, name))
	return r, mapError(err, "Reseller")
}

// ListResellers returns every reseller, oldest first.
func (db *DB) ListResellers(ctx context.Context) ([]*pressroom.Reseller, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+resellerColumns+` FROM resellers ORDER BY id`)
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
	res, err := db.write.ExecContext(ctx,
		`UPDATE resellers SET edition = ?, callback_url = ?, markup = ?, country = ?, vat_id = ?, webhook_secret = ?,
		 webhook_secret_previous = ?, webhook_previous_until = ?, shop_name = ?, shop_url = ? WHERE id = ?`,
		r.Edition, r.CallbackURL, r.Markup.String(), r.Country, r.VATID, r.WebhookSecret, r.PreviousSecret, nullTime(r.PreviousUntil), r.ShopName, r.ShopURL, r.ID)
	if err != nil {
		return mapError(err, "Reseller")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return pressroom.Errorf(pressroom.ENOTFOUND, "Reseller %d does not exist.", r.ID)
	}
	return nil
}

// CreateCustomer stores an end-customer account of a reseller.
func (db *DB) CreateCustomer(ctx context.Context, c *pressroom.Customer) error {
	c.CreatedAt = db.now()
	var ref any
	if c.Reference != "" {
		ref = c.Reference
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM resellers WHERE id = ?`, c.ResellerID).Scan(&one); err != nil {
			return mapError(err, "Reseller")
		}
		// Validated once the reseller is known to exist: a missing one is
		// the first thing to say.
		if err := c.Validate(); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx,
			`INSERT INTO customers (reseller_id, name, email, reference, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			c.ResellerID, c.Name, c.Email, ref, formatTime(c.CreatedAt)).Scan(&c.ID)
		return mapError(err, "Customer with reference "+c.Reference)
	})
}

// ListCustomers returns a reseller's customers, oldest first.
func (db *DB) ListCustomers(ctx context.Context, resellerID int64) ([]*pressroom.Customer, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT id, reseller_id, name, email, COALESCE(reference, ''), created_at FROM customers WHERE reseller_id = ? ORDER BY id`, resellerID)
	if err != nil {
		return nil, mapError(err, "Customers")
	}
	defer rows.Close()
	var out []*pressroom.Customer
	for rows.Next() {
		var c pressroom.Customer
		var created string
		if err := rows.Scan(&c.ID, &c.ResellerID, &c.Name, &c.Email, &c.Reference, &created); err != nil {
			return nil, mapError(err, "Customers")
		}
		c.CreatedAt = parseTime(created)
		out = append(out, &c)
	}
	return out, mapError(rows.Err(), "Customers")
}

const keyColumns = `id, COALESCE(reseller_id, 0), role, name, hash, hint, created_at, revoked_at, expires_at, COALESCE(parent_id, 0)`

func scanKey(row interface{ Scan(...any) error }) (*pressroom.APIKey, error) {
	var k pressroom.APIKey
	var created string
	var revoked, expires sql.NullString
	if err := row.Scan(&k.ID, &k.ResellerID, &k.Role, &k.Name, &k.Hash, &k.Hint, &created, &revoked, &expires, &k.ParentID); err != nil {
		return nil, err
	}
	k.ExpiresAt = optTime(expires)
	k.CreatedAt = parseTime(created)
	if revoked.Valid {
		t := parseTime(revoked.String)
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
	return []any{reseller, k.Role, k.Name, k.Hash, k.Hint, formatTime(k.CreatedAt), nullTime(k.ExpiresAt), parent}
}

// CreateAPIKey stores a key.
func (db *DB) CreateAPIKey(ctx context.Context, k *pressroom.APIKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	k.CreatedAt = db.now()
	err := db.write.QueryRowContext(ctx,
		`INSERT INTO api_keys (reseller_id, role, name, hash, hint, created_at, expires_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		keyArgs(k)...).Scan(&k.ID)
	return k.Missing(mapError(err, "API key"))
}

// EnsureAPIKey stores k unless a key with its hash exists.
func (db *DB) EnsureAPIKey(ctx context.Context, k *pressroom.APIKey) (*pressroom.APIKey, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	k.CreatedAt = db.now()
	if _, err := db.write.ExecContext(ctx,
		`INSERT INTO api_keys (reseller_id, role, name, hash, hint, created_at, expires_at, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
		keyArgs(k)...); err != nil {
		return nil, mapError(err, "API key")
	}
	return db.FindAPIKeyByHash(ctx, k.Hash)
}

// FindAPIKeyByID returns a key by id.
func (db *DB) FindAPIKeyByID(ctx context.Context, id int64) (*pressroom.APIKey, error) {
	k, err := scanKey(db.read.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = ?`, id))
	return k, mapError(err, "API key")
}

// DeleteExpiredKeys deletes access tokens that expired before a time.
func (db *DB) DeleteExpiredKeys(ctx context.Context, before time.Time) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM api_keys WHERE expires_at IS NOT NULL AND expires_at < ?`, formatTime(before))
	if err != nil {
		return 0, mapError(err, "API keys")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// FindAPIKeyByHash returns the key with the hash.
func (db *DB) FindAPIKeyByHash(ctx context.Context, hash []byte) (*pressroom.APIKey, error) {
	k, err := scanKey(db.read.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE hash = ?`, hash))
	return k, mapError(err, "API key")
}

// ListAPIKeys lists a reseller's keys (0: operator keys).
func (db *DB) ListAPIKeys(ctx context.Context, resellerID int64) ([]*pressroom.APIKey, error) {
	q := `SELECT ` + keyColumns + ` FROM api_keys WHERE reseller_id = ? AND parent_id IS NULL ORDER BY id`
	args := []any{resellerID}
	if resellerID == 0 {
		q, args = `SELECT `+keyColumns+` FROM api_keys WHERE reseller_id IS NULL AND parent_id IS NULL ORDER BY id`, nil
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
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
	return db.tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM api_keys WHERE id = ?`, id).Scan(&one); err != nil {
			return mapError(err, "API key")
		}
		_, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, formatTime(at), id)
		return mapError(err, "API key")
	})
}
