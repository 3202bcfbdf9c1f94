-- +goose Up
ALTER TABLE resellers ADD COLUMN markup TEXT NOT NULL DEFAULT '2.5';
ALTER TABLE resellers ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE resellers ADD COLUMN vat_id TEXT NOT NULL DEFAULT '';

ALTER TABLE calculations ADD COLUMN prices TEXT NOT NULL DEFAULT '';
ALTER TABLE calculations ADD COLUMN expires_at TEXT NOT NULL DEFAULT '';
CREATE INDEX calculations_expires ON calculations (expires_at);

CREATE TABLE api_products (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    reseller_id   INTEGER NOT NULL REFERENCES resellers (id),
    customer_code TEXT    NOT NULL,
    product_code  TEXT    NOT NULL,
    options       TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (reseller_id, customer_code)
);

-- +goose Down
DROP TABLE api_products;
DROP INDEX calculations_expires;
ALTER TABLE calculations DROP COLUMN expires_at;
ALTER TABLE calculations DROP COLUMN prices;
ALTER TABLE resellers DROP COLUMN vat_id;
ALTER TABLE resellers DROP COLUMN country;
ALTER TABLE resellers DROP COLUMN markup;
