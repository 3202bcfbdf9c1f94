-- +goose Up
CREATE TABLE orders (
    number          INTEGER PRIMARY KEY AUTOINCREMENT,
    reseller_id     INTEGER NOT NULL REFERENCES resellers (id),
    customer_id     INTEGER REFERENCES customers (id),
    own_id          TEXT    NOT NULL,
    released        INTEGER NOT NULL DEFAULT 0,
    type            TEXT    NOT NULL CHECK (type IN ('production', 'test')),
    stage           TEXT    NOT NULL CHECK (stage IN ('draft', 'order')),
    status          TEXT    NOT NULL,
    payment         TEXT    NOT NULL,
    reference       TEXT    NOT NULL DEFAULT '',
    tracking_token  TEXT    NOT NULL,
    address_name    TEXT    NOT NULL DEFAULT '',
    order_date      TEXT    NOT NULL,
    expires_at      TEXT,
    document        TEXT    NOT NULL, -- the rest of the order, as JSON
    version         INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
-- Order numbers are positive, unique across the system and never reused.
INSERT INTO sqlite_sequence (name, seq) VALUES ('orders', 1000000);
-- A reseller's own order id is unique among its orders not released.
CREATE UNIQUE INDEX orders_own_id ON orders (reseller_id, own_id) WHERE released = 0;
CREATE UNIQUE INDEX orders_tracking ON orders (tracking_token);
CREATE INDEX orders_reseller ON orders (reseller_id, number);
CREATE INDEX orders_expires ON orders (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE order_items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number INTEGER NOT NULL REFERENCES orders (number) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    document     TEXT    NOT NULL
);
CREATE INDEX order_items_order ON order_items (order_number, position);

CREATE TABLE order_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number INTEGER NOT NULL REFERENCES orders (number) ON DELETE CASCADE,
    at           TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    from_state   TEXT    NOT NULL DEFAULT '',
    to_state     TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    data         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX order_events_order ON order_events (order_number, id);

CREATE TABLE order_packages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number  INTEGER NOT NULL REFERENCES orders (number) ON DELETE CASCADE,
    carrier       TEXT    NOT NULL DEFAULT '',
    tracking_code TEXT    NOT NULL,
    tracking_url  TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL
);
CREATE INDEX order_packages_order ON order_packages (order_number, id);

CREATE TABLE reprints (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number INTEGER NOT NULL REFERENCES orders (number),
    reseller_id  INTEGER NOT NULL REFERENCES resellers (id),
    status       TEXT    NOT NULL CHECK (status IN ('requested', 'approved', 'rejected')),
    reason       TEXT    NOT NULL,
    note         TEXT    NOT NULL DEFAULT '',
    items        TEXT    NOT NULL,
    new_order    INTEGER,
    decision     TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    decided_at   TEXT
);
CREATE INDEX reprints_order ON reprints (order_number);

CREATE TABLE idempotency_keys (
    reseller_id  INTEGER NOT NULL REFERENCES resellers (id),
    key          TEXT    NOT NULL,
    request_hash BLOB    NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0, -- 0 while the first request runs
    content_type TEXT    NOT NULL DEFAULT '',
    body         BLOB,
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (reseller_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE reprints;
DROP TABLE order_packages;
DROP TABLE order_events;
DROP TABLE order_items;
DROP TABLE orders;
