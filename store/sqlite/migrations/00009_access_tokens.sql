-- +goose Up
-- OAuth access tokens are short-lived keys issued against a reseller key
-- (the WL-V3 and box APIs' /oauth token endpoints): they expire, and die
-- with the key that issued them.
ALTER TABLE api_keys ADD COLUMN expires_at TEXT;
ALTER TABLE api_keys ADD COLUMN parent_id INTEGER REFERENCES api_keys (id);
CREATE INDEX api_keys_expires ON api_keys (expires_at) WHERE expires_at IS NOT NULL;

-- +goose Down
DROP INDEX api_keys_expires;
ALTER TABLE api_keys DROP COLUMN parent_id;
ALTER TABLE api_keys DROP COLUMN expires_at;
