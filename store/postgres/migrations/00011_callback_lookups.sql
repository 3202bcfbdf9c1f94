-- +goose Up
-- A reseller's callbacks listed by status (the failed ones, to send them
-- again), newest first and counted for the page's total, without reading
-- every callback it was ever sent; and the finished ones by when they
-- finished, for the purge of old ones (PRESSROOM_CALLBACK_RETENTION).
CREATE INDEX callbacks_reseller_status ON callbacks (reseller_id, status, id);
CREATE INDEX callbacks_finished ON callbacks (finished_at) WHERE finished_at IS NOT NULL;

-- +goose Down
DROP INDEX callbacks_finished;
DROP INDEX callbacks_reseller_status;
