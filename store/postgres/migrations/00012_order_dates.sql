-- +goose Up
-- The total of a listing by order date (?from=, ?to=; Probo's
-- order_date_from) counted from an index instead of every order's row.
CREATE INDEX orders_reseller_date ON orders (reseller_id, order_date);

-- +goose Down
DROP INDEX orders_reseller_date;
