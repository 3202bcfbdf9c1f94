-- +goose Up
-- The shop a reseller's customers know it as: its tracking pages name it
-- (and link to it), since a customer may not know the print company.
ALTER TABLE resellers ADD COLUMN shop_name TEXT NOT NULL DEFAULT '';
ALTER TABLE resellers ADD COLUMN shop_url TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE resellers DROP COLUMN shop_url;
ALTER TABLE resellers DROP COLUMN shop_name;
