-- +goose Up
-- Upload sessions: a print file for a product of a calculation, uploaded
-- by URL and token (Probo's uploader).
CREATE TABLE upload_sessions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    reseller_id    INTEGER NOT NULL REFERENCES resellers (id),
    calculation_id INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    token_hash     TEXT    NOT NULL,
    callback_url   TEXT    NOT NULL DEFAULT '',
    state          TEXT    NOT NULL CHECK (state IN ('open', 'uploaded')),
    blob_key       TEXT    NOT NULL DEFAULT '',
    size           INTEGER NOT NULL DEFAULT 0,
    md5            TEXT    NOT NULL DEFAULT '',
    sha256         TEXT    NOT NULL DEFAULT '',
    content_type   TEXT    NOT NULL DEFAULT '',
    order_number   INTEGER,
    item_id        INTEGER,
    created_at     TEXT    NOT NULL,
    uploaded_at    TEXT
);

-- +goose Down
DROP TABLE upload_sessions;
