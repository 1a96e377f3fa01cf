-- Mail (charter §3): the outbox becomes one a worker drains, with the customer each message belongs to (the
-- communications ledger), incidents and their affected customers, the notices sent to many customers at once, and
-- the one communication a customer may turn off.

-- What a notice says, once per language; each outbox row of a notice points here instead of copying the body, so
-- that a notice to every customer costs one short row per customer.
CREATE TABLE notices (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('incident', 'new-service', 'terms-change')),
    subject_fr  TEXT NOT NULL,
    subject_en  TEXT NOT NULL,
    text_fr     TEXT NOT NULL,
    text_en     TEXT NOT NULL,
    html_fr     TEXT NOT NULL,
    html_en     TEXT NOT NULL,
    created_by  BIGINT REFERENCES staff (id),
    created_at  TIMESTAMPTZ NOT NULL,
    recipients  BIGINT NOT NULL
);

CREATE TABLE incidents (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id      BIGINT NOT NULL UNIQUE REFERENCES notices (id),
    title          TEXT NOT NULL,
    what_happened  TEXT NOT NULL,
    what_it_means  TEXT NOT NULL,
    -- The service kinds affected, comma-separated (web-space, backup-space, mailbox).
    services       TEXT NOT NULL,
    declared_by    BIGINT NOT NULL REFERENCES staff (id),
    declared_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE incident_customers (
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    PRIMARY KEY (incident_id, customer_id)
);
CREATE INDEX incident_customers_by_customer ON incident_customers (customer_id, incident_id);

-- A row means the customer turned that communication off; only new-service announcements can be.
CREATE TABLE mail_opt_outs (
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL CHECK (kind = 'new-service'),
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (customer_id, kind)
);

-- The same columns as SQLite's rebuilt outbox, added in place.
ALTER TABLE outbox
    ADD COLUMN customer_id     BIGINT REFERENCES customers (id),
    ADD COLUMN body_html       TEXT,
    ADD COLUMN notice_id       BIGINT REFERENCES notices (id),
    ADD COLUMN status          TEXT,
    ADD COLUMN attempts        INTEGER,
    -- When a queued message may be taken next: now, after a back-off, or when a worker's lease on it runs out.
    ADD COLUMN next_attempt_at TIMESTAMPTZ,
    ADD COLUMN lease_owner     TEXT,
    ADD COLUMN lease_until     TIMESTAMPTZ,
    ADD COLUMN last_error      TEXT;
UPDATE outbox o SET
    customer_id = (SELECT c.id FROM customers c WHERE c.email = o.recipient),
    status = CASE WHEN o.sent_at IS NULL THEN 'queued' ELSE 'sent' END,
    attempts = 0,
    next_attempt_at = o.created_at;
ALTER TABLE outbox
    ALTER COLUMN body_text DROP NOT NULL,
    ALTER COLUMN status SET NOT NULL,
    ALTER COLUMN attempts SET NOT NULL,
    ALTER COLUMN next_attempt_at SET NOT NULL,
    ADD CONSTRAINT outbox_kind CHECK (kind IN ('incident', 'new-service', 'terms-change', 'consent', 'account-security')),
    ADD CONSTRAINT outbox_language CHECK (language IN ('fr', 'en')),
    ADD CONSTRAINT outbox_status CHECK (status IN ('queued', 'sent', 'dead')),
    ADD CONSTRAINT outbox_body CHECK ((body_text IS NULL) <> (notice_id IS NULL));
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX outbox_by_customer ON outbox (customer_id, id);
