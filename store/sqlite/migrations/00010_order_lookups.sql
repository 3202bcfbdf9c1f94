-- +goose Up
-- Orders are looked up by what a reseller knows of them: its own id (the
-- Probo and Profotonet APIs' status calls), its reference, and listed by
-- status (a reseller's, or the operators' production queue). Without
-- these each such call read every order of the reseller.
CREATE INDEX orders_reseller_own_id ON orders (reseller_id, own_id);
CREATE INDEX orders_reseller_reference ON orders (reseller_id, reference);
CREATE INDEX orders_reseller_status ON orders (reseller_id, status, number);
CREATE INDEX orders_status ON orders (status, number);

-- +goose Down
DROP INDEX orders_status;
DROP INDEX orders_reseller_status;
DROP INDEX orders_reseller_reference;
DROP INDEX orders_reseller_own_id;
