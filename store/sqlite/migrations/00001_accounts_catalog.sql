-- +goose Up
CREATE TABLE resellers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL UNIQUE,
    edition      TEXT    NOT NULL CHECK (edition IN ('free', 'standard')),
    callback_url TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL
);
-- Reseller numbers start at 1000001: they appear inside other ids (box API).
INSERT INTO sqlite_sequence (name, seq) VALUES ('resellers', 1000000);

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    reseller_id INTEGER NOT NULL REFERENCES resellers (id),
    name        TEXT    NOT NULL,
    email       TEXT    NOT NULL DEFAULT '',
    reference   TEXT,
    created_at  TEXT    NOT NULL,
    UNIQUE (reseller_id, reference)
);

CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    reseller_id INTEGER REFERENCES resellers (id),
    role        TEXT    NOT NULL CHECK (role IN ('reseller', 'operator')),
    name        TEXT    NOT NULL DEFAULT '',
    hash        BLOB    NOT NULL UNIQUE,
    hint        TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    revoked_at  TEXT,
    CHECK ((role = 'operator' AND reseller_id IS NULL) OR (role = 'reseller' AND reseller_id IS NOT NULL))
);
CREATE INDEX api_keys_reseller ON api_keys (reseller_id);

CREATE TABLE catalog_versions (
    version    INTEGER PRIMARY KEY CHECK (version > 0),
    document   BLOB    NOT NULL,
    checksum   TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL
);

CREATE TABLE id_sequences (
    name    TEXT    PRIMARY KEY,
    next_id INTEGER NOT NULL CHECK (next_id > 0)
);

CREATE TABLE calculations (
    id              INTEGER PRIMARY KEY,
    reseller_id     INTEGER NOT NULL REFERENCES resellers (id),
    catalog_version INTEGER NOT NULL REFERENCES catalog_versions (version),
    product_code    TEXT    NOT NULL,
    options         TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
);

-- +goose Down
DROP TABLE calculations;
DROP TABLE id_sequences;
DROP TABLE catalog_versions;
DROP TABLE api_keys;
DROP TABLE customers;
DROP TABLE resellers;
