-- +goose Up
-- Every reseller's callbacks of a status, newest first: the staff's list of
-- failed callbacks (the console, GET /v1/operator/callbacks?status=failed)
-- and its count. Without it both read every callback there is.
CREATE INDEX callbacks_status ON callbacks (status, id);

-- +goose Down
DROP INDEX callbacks_status;
