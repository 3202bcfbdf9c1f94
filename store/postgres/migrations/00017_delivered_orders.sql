-- +goose Up
-- The delivered orders by their last change: the hourly release of their
-- files, when the company keeps them for a limited time
-- (PRESSROOM_KEEP_DELIVERED_FILES), reads these alone.
CREATE INDEX orders_delivered ON orders (updated_at, number) WHERE status = 'shipment_delivered';

-- +goose Down
DROP INDEX orders_delivered;
