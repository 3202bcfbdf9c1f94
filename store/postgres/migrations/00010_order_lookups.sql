-- +goose Up
-- Orders are looked up by what a reseller knows of them: its own id (the
-- Probo and Profotonet APIs' status calls) and its reference; listed,
-- newest first and counted for the page's total, by status or by stage
-- (drafts, confirmed orders; each index carries the other column, so the
-- white-label API's count of confirmed orders not cancelled reads an index
-- alone); and by status across resellers (the operators' production
-- queue). Without these each such call read every order of the reseller.
CREATE INDEX orders_reseller_own_id ON orders (reseller_id, own_id);
CREATE INDEX orders_reseller_reference ON orders (reseller_id, reference);
CREATE INDEX orders_reseller_status ON orders (reseller_id, status, number, stage);
CREATE INDEX orders_reseller_stage ON orders (reseller_id, stage, number, status);
CREATE INDEX orders_status ON orders (status, number);

-- +goose Down
DROP INDEX orders_status;
DROP INDEX orders_reseller_stage;
DROP INDEX orders_reseller_status;
DROP INDEX orders_reseller_reference;
DROP INDEX orders_reseller_own_id;
