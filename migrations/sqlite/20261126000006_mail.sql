-- Mail (charter §3): the outbox becomes one a worker drains, with the customer each message belongs to (the
-- communications ledger), incidents and their affected customers, the notices sent to many customers at once, and
-- the one communication a customer may turn off.

-- What a notice says, once per language; each outbox row of a notice points here instead of copying the body, so
-- that a notice to every customer costs one short row per customer.
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('incident', 'new-service', 'terms-change')),
    subject_fr  TEXT NOT NULL,
    subject_en  TEXT NOT NULL,
    text_fr     TEXT NOT NULL,
    text_en     TEXT NOT NULL,
    html_fr     TEXT NOT NULL,
    html_en     TEXT NOT NULL,
    created_by  INTEGER REFERENCES staff (id),
    created_at  TEXT NOT NULL,
    recipients  INTEGER NOT NULL
);

CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,
    notice_id      INTEGER NOT NULL UNIQUE REFERENCES notices (id),
    title          TEXT NOT NULL,
    what_happened  TEXT NOT NULL,
    what_it_means  TEXT NOT NULL,
    -- The service kinds affected, comma-separated (web-space, backup-space, mailbox).
    services       TEXT NOT NULL,
    declared_by    INTEGER NOT NULL REFERENCES staff (id),
    declared_at    TEXT NOT NULL
);

CREATE TABLE incident_customers (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    PRIMARY KEY (incident_id, customer_id)
);
CREATE INDEX incident_customers_by_customer ON incident_customers (customer_id, incident_id);

-- A row means the customer turned that communication off; only new-service announcements can be.
CREATE TABLE mail_opt_outs (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL CHECK (kind = 'new-service'),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (customer_id, kind)
);

-- SQLite cannot add a CHECK constraint to an existing table: the outbox is rebuilt with its rows.
CREATE TABLE outbox_v2 (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('incident', 'new-service', 'terms-change', 'consent', 'account-security')),
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
INSERT INTO outbox_v2 (id, kind, customer_id, recipient, language, subject, body_text, status, attempts,
                       next_attempt_at, created_at, sent_at)
SELECT o.id, o.kind, (SELECT c.id FROM customers c WHERE c.email = o.recipient), o.recipient, o.language,
       o.subject, o.body_text, CASE WHEN o.sent_at IS NULL THEN 'queued' ELSE 'sent' END, 0, o.created_at,
       o.created_at, o.sent_at
FROM outbox o;
DROP TABLE outbox;
ALTER TABLE outbox_v2 RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX outbox_by_customer ON outbox (customer_id, id);
