-- +goose Up
-- Packing slips and shipping labels are kept as the order's files with
-- item 0 (index 0: packing slip, 1: shipping label), so a file is unique
-- per order, item and index.
ALTER TABLE artwork DROP CONSTRAINT artwork_item_id_idx_key;
ALTER TABLE artwork ADD CONSTRAINT artwork_file_key UNIQUE (order_number, item_id, idx);
DROP INDEX artwork_order;

-- +goose Down
ALTER TABLE artwork DROP CONSTRAINT artwork_file_key;
DELETE FROM artwork WHERE item_id = 0;
ALTER TABLE artwork ADD CONSTRAINT artwork_item_id_idx_key UNIQUE (item_id, idx);
CREATE INDEX artwork_order ON artwork (order_number, item_id, idx);
