-- +goose Up
-- A reseller's callbacks listed by status (the failed ones, to send them
-- again), newest first and counted for the page's total, without reading
-- every callback it was ever sent.
CREATE INDEX callbacks_reseller_status ON callbacks (reseller_id, status, id);

-- +goose Down
DROP INDEX callbacks_reseller_status;
