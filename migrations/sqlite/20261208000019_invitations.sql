-- Invitations (issue 23): a customer without a login is sent a one-time link to choose a password. Only the link's
-- token's SHA-256 is stored; a newer invitation supersedes the older ones, so only the last link sent works.
CREATE TABLE invitations (
    token_hash    TEXT PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT,
    superseded_at TEXT
);
CREATE INDEX invitations_by_customer ON invitations (customer_id);
