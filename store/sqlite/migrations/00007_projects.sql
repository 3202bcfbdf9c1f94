-- +goose Up
-- A reseller's projects group orders (Probo's /project).
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    reseller_id INTEGER NOT NULL REFERENCES resellers (id),
    name        TEXT    NOT NULL,
    number      TEXT    NOT NULL DEFAULT '',
    note        TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX projects_reseller ON projects (reseller_id, id);

-- +goose Down
DROP TABLE projects;
