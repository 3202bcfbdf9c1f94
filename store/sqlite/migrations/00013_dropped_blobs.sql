-- +goose Up
-- Stored files (blobs) that a print file or an upload session let go of:
-- its row was deleted (a replaced upload, a draft's replaced item, an
-- expired draft, an upload session no order cited) or now names another
-- blob. The triggers list them whatever the path; an hourly purge deletes
-- each from storage once no row refers to it again and a grace period has
-- passed (a check or download reading it finishes first).
CREATE TABLE dropped_blobs (
    blob_key   TEXT PRIMARY KEY,
    dropped_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX dropped_blobs_at ON dropped_blobs (dropped_at);
CREATE INDEX artwork_blob ON artwork (blob_key) WHERE blob_key <> '';
CREATE INDEX upload_sessions_blob ON upload_sessions (blob_key) WHERE blob_key <> '';
-- The purge of upload sessions no order cites, by age.
CREATE INDEX upload_sessions_unordered ON upload_sessions (created_at) WHERE order_number IS NULL;

-- +goose StatementBegin
CREATE TRIGGER artwork_drops_blob AFTER DELETE ON artwork WHEN old.blob_key <> ''
BEGIN
    INSERT OR REPLACE INTO dropped_blobs (blob_key, dropped_at) VALUES (old.blob_key, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER artwork_replaces_blob AFTER UPDATE OF blob_key ON artwork WHEN old.blob_key <> '' AND old.blob_key <> new.blob_key
BEGIN
    INSERT OR REPLACE INTO dropped_blobs (blob_key, dropped_at) VALUES (old.blob_key, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER upload_sessions_drop_blob AFTER DELETE ON upload_sessions WHEN old.blob_key <> ''
BEGIN
    INSERT OR REPLACE INTO dropped_blobs (blob_key, dropped_at) VALUES (old.blob_key, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER upload_sessions_replace_blob AFTER UPDATE OF blob_key ON upload_sessions WHEN old.blob_key <> '' AND old.blob_key <> new.blob_key
BEGIN
    INSERT OR REPLACE INTO dropped_blobs (blob_key, dropped_at) VALUES (old.blob_key, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'));
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER upload_sessions_replace_blob;
DROP TRIGGER upload_sessions_drop_blob;
DROP TRIGGER artwork_replaces_blob;
DROP TRIGGER artwork_drops_blob;
DROP INDEX upload_sessions_unordered;
DROP INDEX upload_sessions_blob;
DROP INDEX artwork_blob;
DROP TABLE dropped_blobs;
