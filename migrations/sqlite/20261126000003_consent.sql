-- Consent to staff access (charter §4.2, §5, §6): support cases, consent requests, grants, the audit log of consent
-- and access, the accesses the infrastructure reports, and the calling services' tokens. Times are RFC 3339 text
-- in UTC written by the application, as in the earlier migrations.

CREATE TABLE support_cases (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    subject     TEXT NOT NULL,
    opened_by   INTEGER NOT NULL REFERENCES staff (id),
    opened_at   TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by INTEGER REFERENCES staff (id),
    -- The key requests and grants cite a case by, so that a consent can never name another customer's case.
    UNIQUE (id, customer_id),
    CHECK ((resolved_at IS NULL) = (resolved_by IS NULL))
);
CREATE INDEX support_cases_by_customer ON support_cases (customer_id, id);
CREATE INDEX support_cases_open ON support_cases (id) WHERE resolved_at IS NULL;

-- A grant an approval created is found through grants.request_id, so the two rows never disagree.
CREATE TABLE consent_requests (
    id               INTEGER PRIMARY KEY,
    customer_id      INTEGER NOT NULL REFERENCES customers (id),
    requested_by     INTEGER NOT NULL REFERENCES staff (id),
    resource         TEXT NOT NULL,
    case_id          INTEGER,
    actions          TEXT NOT NULL,
    reason_code      TEXT NOT NULL,
    reason_text      TEXT NOT NULL,
    duration_seconds INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    answer_by        TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'withdrawn')),
    closed_at        TEXT,
    approved_seconds INTEGER,
    deny_reason      TEXT,
    FOREIGN KEY (case_id, customer_id) REFERENCES support_cases (id, customer_id),
    CHECK ((state = 'pending') = (closed_at IS NULL)),
    CHECK ((state = 'approved') = (approved_seconds IS NOT NULL)),
    CHECK (state = 'denied' OR deny_reason IS NULL)
);
CREATE INDEX consent_requests_by_customer ON consent_requests (customer_id, id);
CREATE INDEX consent_requests_by_requester ON consent_requests (requested_by, id);

CREATE TABLE grants (
    id                   INTEGER PRIMARY KEY,
    customer_id          INTEGER NOT NULL REFERENCES customers (id),
    resource             TEXT NOT NULL,
    case_id              INTEGER,
    actions              TEXT NOT NULL,
    origin               TEXT NOT NULL CHECK (origin IN ('approved-request', 'customer-initiative', 'oral')),
    oral_identification  TEXT,
    oral_call_reference  TEXT,
    oral_scope_read_back TEXT,
    request_id           INTEGER UNIQUE REFERENCES consent_requests (id),
    recorded_by          INTEGER REFERENCES staff (id),
    starts_at            TEXT NOT NULL,
    limit_at             TEXT NOT NULL,
    revoked_at           TEXT,
    FOREIGN KEY (case_id, customer_id) REFERENCES support_cases (id, customer_id),
    CHECK ((origin = 'approved-request') = (request_id IS NOT NULL)),
    CHECK ((origin = 'oral') = (oral_identification IS NOT NULL
                                AND oral_call_reference IS NOT NULL
                                AND oral_scope_read_back IS NOT NULL))
);
-- Every access check reads the live grants on one resource.
CREATE INDEX grants_live ON grants (resource, revoked_at, limit_at);
CREATE INDEX grants_by_customer ON grants (customer_id, id);
CREATE INDEX grants_by_case ON grants (case_id);

-- Append-only: rows are inserted, never changed (a later migration chains them by hash and enforces it). No
-- foreign keys, because an entry must outlive whatever it names; AUTOINCREMENT so that an id is never reused.
CREATE TABLE audit_log (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at       TEXT NOT NULL,
    event_code        INTEGER NOT NULL,
    actor_kind        TEXT NOT NULL CHECK (actor_kind IN ('customer', 'staff', 'system')),
    actor_customer_id INTEGER,
    actor_staff_id    INTEGER,
    actor_roles       TEXT,
    customer_id       INTEGER,
    resource          TEXT,
    action            TEXT,
    basis_kind        TEXT NOT NULL
        CHECK (basis_kind IN ('grant', 'technical-operation', 'the-customer', 'staff-role', 'refused')),
    basis_grant_id    INTEGER,
    basis_rule        TEXT,
    outcome           TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied')),
    source_kind       TEXT NOT NULL CHECK (source_kind IN ('portal', 'service')),
    source_name       TEXT,
    detail            TEXT
);
CREATE INDEX audit_log_by_customer ON audit_log (customer_id, id);

-- One row per access the infrastructure reported, so that a report sent twice is recorded once.
CREATE TABLE reported_accesses (
    service  TEXT NOT NULL,
    event_id TEXT NOT NULL,
    audit_id INTEGER NOT NULL REFERENCES audit_log (id),
    PRIMARY KEY (service, event_id)
);

-- Names are never reused, so a revoked token's name keeps pointing at it in the audit log.
CREATE TABLE service_tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    token_hash BLOB NOT NULL UNIQUE,
    scopes     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
