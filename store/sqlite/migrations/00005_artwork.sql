-- +goose Up
CREATE TABLE artwork (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number INTEGER NOT NULL REFERENCES orders (number) ON DELETE CASCADE,
    item_id      INTEGER NOT NULL,
    idx          INTEGER NOT NULL,
    source       TEXT    NOT NULL CHECK (source IN ('url', 'upload')),
    url          TEXT    NOT NULL DEFAULT '',
    expected_md5 TEXT    NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    md5          TEXT    NOT NULL DEFAULT '',
    sha256       TEXT    NOT NULL DEFAULT '',
    content_type TEXT    NOT NULL DEFAULT '',
    blob_key     TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL,
    findings     TEXT    NOT NULL DEFAULT '[]',
    error        TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    UNIQUE (item_id, idx)
);
CREATE INDEX artwork_order ON artwork (order_number, item_id, idx);

-- +goose Down
DROP TABLE artwork;
