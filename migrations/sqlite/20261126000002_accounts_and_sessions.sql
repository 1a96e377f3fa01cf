-- Logins for customers and staff, their sessions, and what protects them.

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER UNIQUE REFERENCES customers (id),
    staff_id        INTEGER UNIQUE REFERENCES staff (id),
    email           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    totp_secret     TEXT,
    totp_last_step  INTEGER,
    disabled_at     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK ((customer_id IS NULL) <> (staff_id IS NULL))
);

CREATE TABLE recovery_codes (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    code_hash  TEXT NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    handle       TEXT NOT NULL UNIQUE,
    account_id   INTEGER REFERENCES accounts (id),
    data         TEXT NOT NULL,
    user_agent   TEXT,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

CREATE TABLE login_throttle (
    throttle_key    TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL
);

-- Until the audit log lands: account security events with stable numeric codes.
CREATE TABLE security_events (
    id          INTEGER PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    event_code  INTEGER NOT NULL,
    account_id  INTEGER REFERENCES accounts (id),
    email       TEXT,
    client_ip   TEXT,
    detail      TEXT
);
CREATE INDEX security_events_by_account ON security_events (account_id, id);

-- Until the mail issue's outbox lands: messages stored in the transaction that causes them.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    language   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body_text  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT
);
