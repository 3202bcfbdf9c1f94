-- +goose Up
-- Pages of reprints, newest first: a reseller's (Probo's GET /tickets) and
-- every reseller's of a status (the staff's reprints to decide, and their
-- count). Without them each page reads every reprint there is.
CREATE INDEX reprints_reseller ON reprints (reseller_id, id);
CREATE INDEX reprints_status ON reprints (status, id);

-- +goose Down
DROP INDEX reprints_status;
DROP INDEX reprints_reseller;
