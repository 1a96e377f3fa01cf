-- "My data" (charter §1, issue 7): when each personal field last changed and by whom, email changes confirmed by a
-- link sent to the new address, and the customer's requests about their data with the 30-day answer deadline of the
-- Swiss FADP.

-- Only the fact of a change is kept (which field, when, who), never the old or the new value: a value the customer
-- corrected should not live on elsewhere, and the current one is in `customers`.
CREATE TABLE customer_field_changes (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    field          TEXT NOT NULL CHECK (field IN ('last_name', 'first_name', 'phone', 'mobile', 'email',
                                                  'postal_address', 'language', 'company', 'customer_number')),
    changed_at     TEXT NOT NULL,
    actor_kind     TEXT NOT NULL CHECK (actor_kind IN ('customer', 'staff', 'system')),
    actor_staff_id INTEGER REFERENCES staff (id),
    CHECK ((actor_kind = 'staff') = (actor_staff_id IS NOT NULL))
);
CREATE INDEX customer_field_changes_by_customer ON customer_field_changes (customer_id, field, id);

-- A new address takes effect only once the link sent to it was followed; only its token's SHA-256 is stored. A newer
-- request supersedes the older ones (superseded_at), so only the last link sent works.
CREATE TABLE email_change_confirmations (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    new_email     TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    requested_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    confirmed_at  TEXT,
    superseded_at TEXT,
    CHECK (confirmed_at IS NULL OR superseded_at IS NULL)
);
CREATE INDEX email_change_confirmations_by_customer ON email_change_confirmations (customer_id, id);

CREATE TABLE data_requests (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL CHECK (kind IN ('access', 'correction', 'erasure', 'question')),
    body        TEXT NOT NULL,
    filed_at    TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    answered_at TEXT,
    answered_by INTEGER REFERENCES staff (id),
    answer      TEXT,
    CHECK ((answered_at IS NULL) = (answered_by IS NULL)),
    CHECK ((answered_at IS NULL) = (answer IS NULL))
);
CREATE INDEX data_requests_by_customer ON data_requests (customer_id, id);
CREATE INDEX data_requests_open ON data_requests (due_at, id) WHERE answered_at IS NULL;
