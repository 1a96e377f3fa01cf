-- The answer to a customer's request about their data gets a mail kind of its own (it was sent as account-security
-- mail, and listed so in the customer's messages). SQLite cannot change a CHECK constraint: the outbox is rebuilt with
-- its rows, as in 20261126000006. Nothing references the outbox.
CREATE TABLE outbox_v3 (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('incident', 'new-service', 'terms-change', 'consent', 'account-security',
                                    'data-request')),
    customer_id     INTEGER REFERENCES customers (id),
    recipient       TEXT NOT NULL,
    language        TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    subject         TEXT NOT NULL,
    -- The body of a single message; NULL for a notice's message, whose body is the notice's.
    body_text       TEXT,
    body_html       TEXT,
    notice_id       INTEGER REFERENCES notices (id),
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'dead')),
    attempts        INTEGER NOT NULL,
    -- When a queued message may be taken next: now, after a back-off, or when a worker's lease on it runs out.
    next_attempt_at TEXT NOT NULL,
    lease_owner     TEXT,
    lease_until     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    CHECK ((body_text IS NULL) <> (notice_id IS NULL))
);
INSERT INTO outbox_v3 (id, kind, customer_id, recipient, language, subject, body_text, body_html, notice_id, status,
                       attempts, next_attempt_at, lease_owner, lease_until, last_error, created_at, sent_at)
SELECT id, kind, customer_id, recipient, language, subject, body_text, body_html, notice_id, status,
       attempts, next_attempt_at, lease_owner, lease_until, last_error, created_at, sent_at
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v3 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX outbox_by_customer ON outbox (customer_id, id);
