-- +goose Up
-- Who of the staff made a change: the name of the operator key used (the
-- console's, the API's or the CLI's). Empty for resellers and the system.
ALTER TABLE order_events ADD COLUMN by_name TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE order_events DROP COLUMN by_name;
