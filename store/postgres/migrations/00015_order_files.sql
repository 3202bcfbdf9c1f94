-- +goose Up
-- Where an order's print files stand as a whole (order.FilesOf): ready
-- (every item's file passed, or it needs none), waiting, or failed; for
-- production to list the orders it can print.
ALTER TABLE orders ADD COLUMN files TEXT NOT NULL DEFAULT '';
UPDATE orders SET files = CASE
    WHEN EXISTS (SELECT 1 FROM order_items i WHERE i.order_number = orders.number AND (i.document::jsonb ->> 'file_state') = 'failed') THEN 'failed'
    WHEN EXISTS (SELECT 1 FROM order_items i WHERE i.order_number = orders.number AND (i.document::jsonb ->> 'file_state') IN ('awaiting', 'downloading', 'checking')) THEN 'waiting'
    ELSE 'ready' END;
CREATE INDEX orders_status_files ON orders (status, files, number);

-- +goose Down
DROP INDEX orders_status_files;
ALTER TABLE orders DROP COLUMN files;
