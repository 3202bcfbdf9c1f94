-- +goose Up
-- Stored files (blobs) that a print file or an upload session let go of:
-- its row was deleted (a replaced upload, a draft's replaced item, an
-- expired draft, an upload session no order cited) or now names another
-- blob. The triggers list them whatever the path; an hourly purge deletes
-- each from storage once no row refers to it again and a grace period has
-- passed (a check or download reading it finishes first).
CREATE TABLE dropped_blobs (
    blob_key   TEXT PRIMARY KEY,
    dropped_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX dropped_blobs_at ON dropped_blobs (dropped_at);
CREATE INDEX artwork_blob ON artwork (blob_key) WHERE blob_key <> '';
CREATE INDEX upload_sessions_blob ON upload_sessions (blob_key) WHERE blob_key <> '';
-- The purge of upload sessions no order cites, by age.
CREATE INDEX upload_sessions_unordered ON upload_sessions (created_at) WHERE order_number IS NULL;

-- +goose StatementBegin
CREATE FUNCTION drop_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.blob_key = '' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.blob_key = NEW.blob_key THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO dropped_blobs (blob_key, dropped_at) VALUES (OLD.blob_key, now())
    ON CONFLICT (blob_key) DO UPDATE SET dropped_at = excluded.dropped_at;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER artwork_drops_blob AFTER DELETE OR UPDATE OF blob_key ON artwork FOR EACH ROW EXECUTE FUNCTION drop_blob();
CREATE TRIGGER upload_sessions_drop_blob AFTER DELETE OR UPDATE OF blob_key ON upload_sessions FOR EACH ROW EXECUTE FUNCTION drop_blob();

-- +goose Down
DROP TRIGGER upload_sessions_drop_blob ON upload_sessions;
DROP TRIGGER artwork_drops_blob ON artwork;
DROP FUNCTION drop_blob();
DROP INDEX upload_sessions_unordered;
DROP INDEX upload_sessions_blob;
DROP INDEX artwork_blob;
DROP TABLE dropped_blobs;
