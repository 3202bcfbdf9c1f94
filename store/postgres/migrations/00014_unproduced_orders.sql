-- +goose Up
-- The orders never to be produced (cancelled, or test orders) by their
-- last change, and the upload sessions by the order citing them: the
-- hourly purge of those orders' files reads these alone, not every
-- stored file.
CREATE INDEX orders_unproduced ON orders (updated_at, number) WHERE status = 'cancelled' OR type = 'test';
CREATE INDEX upload_sessions_order ON upload_sessions (order_number) WHERE order_number IS NOT NULL;

-- +goose Down
DROP INDEX upload_sessions_order;
DROP INDEX orders_unproduced;
