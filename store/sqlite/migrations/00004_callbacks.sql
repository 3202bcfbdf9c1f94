-- +goose Up
ALTER TABLE resellers ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE resellers ADD COLUMN webhook_secret_previous TEXT NOT NULL DEFAULT '';
ALTER TABLE resellers ADD COLUMN webhook_previous_until TEXT;

-- The outbox: one row per event and URL, written with the event.
CREATE TABLE callbacks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    reseller_id     INTEGER NOT NULL REFERENCES resellers (id),
    order_number    INTEGER REFERENCES orders (number) ON DELETE CASCADE,
    event_id        INTEGER,
    url             TEXT    NOT NULL,
    sequence        INTEGER NOT NULL,
    type            TEXT    NOT NULL,
    format          TEXT    NOT NULL DEFAULT 'native',
    payload         TEXT    NOT NULL,
    occurred_at     TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    first_attempt_at TEXT,
    next_attempt_at TEXT,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    finished_at     TEXT
);
CREATE INDEX callbacks_reseller ON callbacks (reseller_id, id);
CREATE INDEX callbacks_order_url ON callbacks (order_number, url, sequence);

CREATE TABLE callback_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    callback_id INTEGER NOT NULL REFERENCES callbacks (id) ON DELETE CASCADE,
    at          TEXT    NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    response    TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX callback_attempts_callback ON callback_attempts (callback_id, id);

-- +goose Down
DROP TABLE callback_attempts;
DROP TABLE callbacks;
ALTER TABLE resellers DROP COLUMN webhook_previous_until;
ALTER TABLE resellers DROP COLUMN webhook_secret_previous;
ALTER TABLE resellers DROP COLUMN webhook_secret;
