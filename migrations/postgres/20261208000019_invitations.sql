-- Invitations (issue 23): a customer without a login is sent a one-time link to choose a password. Only the link's
-- token's SHA-256 is stored; a newer invitation supersedes the older ones, so only the last link sent works.
CREATE TABLE invitations (
    token_hash    TEXT PRIMARY KEY,
    customer_id   BIGINT NOT NULL REFERENCES customers (id),
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    used_at       TIMESTAMPTZ,
    superseded_at TIMESTAMPTZ
);
CREATE INDEX invitations_by_customer ON invitations (customer_id);
