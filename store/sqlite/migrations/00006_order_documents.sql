-- +goose Up
-- Packing slips and shipping labels are kept as the order's files with
-- item 0 (index 0: packing slip, 1: shipping label), so a file is unique
-- per order, item and index.
CREATE TABLE artwork_new (
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
    UNIQUE (order_number, item_id, idx)
);
INSERT INTO artwork_new SELECT id, order_number, item_id, idx, source, url, expected_md5, size, md5, sha256, content_type,
    blob_key, state, findings, error, created_at, updated_at FROM artwork;
DROP TABLE artwork;
ALTER TABLE artwork_new RENAME TO artwork;

-- +goose Down
CREATE TABLE artwork_old (
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
INSERT INTO artwork_old SELECT * FROM artwork WHERE item_id <> 0;
DROP TABLE artwork;
ALTER TABLE artwork_old RENAME TO artwork;
CREATE INDEX artwork_order ON artwork (order_number, item_id, idx);
