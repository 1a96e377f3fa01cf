-- The audit log becomes a hash chain (issue 5): each entry stores SHA-256 over its content and the previous entry's
-- hash, ids are given by the writer (the chain's order), and the database refuses to change or remove an entry.
-- SQLite cannot change a CHECK constraint, so the table is rebuilt; entries written before this migration have no
-- hash yet and are sealed into the chain by the server at start-up, the only UPDATE the triggers let through.

CREATE TABLE audit_log_chained (
    id                  INTEGER PRIMARY KEY,
    occurred_at         TEXT NOT NULL,
    event_code          INTEGER NOT NULL,
    actor_kind          TEXT NOT NULL CHECK (actor_kind IN ('customer', 'staff', 'system', 'unidentified')),
    actor_customer_id   INTEGER,
    actor_staff_id      INTEGER,
    actor_roles         TEXT,
    customer_id         INTEGER,
    resource            TEXT,
    action              TEXT,
    basis_kind          TEXT NOT NULL CHECK (basis_kind IN ('grant', 'technical-operation', 'the-customer',
                            'staff-role', 'refused', 'court-order', 'account-security')),
    -- The grant or the disclosure the entry rests on, as basis_kind says.
    basis_ref           INTEGER,
    basis_rule          TEXT,
    outcome             TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied')),
    source_kind         TEXT NOT NULL CHECK (source_kind IN ('portal', 'service')),
    source_name         TEXT,
    detail              TEXT,
    entry_hash          BLOB CHECK (entry_hash IS NULL OR length(entry_hash) = 32)
);
INSERT INTO audit_log_chained (id, occurred_at, event_code, actor_kind, actor_customer_id, actor_staff_id,
    actor_roles, customer_id, resource, action, basis_kind, basis_ref, basis_rule, outcome, source_kind,
    source_name, detail)
SELECT id, occurred_at, event_code, actor_kind, actor_customer_id, actor_staff_id, actor_roles, customer_id,
    resource, action, basis_kind, basis_grant_id, basis_rule, outcome, source_kind, source_name, detail
FROM audit_log ORDER BY id;

CREATE TABLE reported_accesses_chained (
    service  TEXT NOT NULL,
    event_id TEXT NOT NULL,
    audit_id INTEGER NOT NULL REFERENCES audit_log_chained (id),
    PRIMARY KEY (service, event_id)
);
INSERT INTO reported_accesses_chained SELECT service, event_id, audit_id FROM reported_accesses;

DROP TABLE reported_accesses;
DROP TABLE audit_log;
ALTER TABLE audit_log_chained RENAME TO audit_log;
ALTER TABLE reported_accesses_chained RENAME TO reported_accesses;

CREATE INDEX audit_log_by_customer ON audit_log (customer_id, id);

-- Where the chain ends: the writer locks and reads this row first, so appends are serialised on every backend.
-- last_hash is NULL until the chain has an entry (or until the entries above are sealed).
CREATE TABLE audit_chain (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_id   INTEGER NOT NULL,
    last_hash BLOB
);
INSERT INTO audit_chain (singleton, last_id, last_hash) SELECT 1, COALESCE(MAX(id), 0), NULL FROM audit_log;

CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
WHEN OLD.entry_hash IS NOT NULL OR NEW.entry_hash IS NULL
    OR NEW.id IS NOT OLD.id OR NEW.occurred_at IS NOT OLD.occurred_at OR NEW.event_code IS NOT OLD.event_code
    OR NEW.actor_kind IS NOT OLD.actor_kind OR NEW.actor_customer_id IS NOT OLD.actor_customer_id
    OR NEW.actor_staff_id IS NOT OLD.actor_staff_id OR NEW.actor_roles IS NOT OLD.actor_roles
    OR NEW.customer_id IS NOT OLD.customer_id OR NEW.resource IS NOT OLD.resource OR NEW.action IS NOT OLD.action
    OR NEW.basis_kind IS NOT OLD.basis_kind OR NEW.basis_ref IS NOT OLD.basis_ref
    OR NEW.basis_rule IS NOT OLD.basis_rule OR NEW.outcome IS NOT OLD.outcome
    OR NEW.source_kind IS NOT OLD.source_kind OR NEW.source_name IS NOT OLD.source_name
    OR NEW.detail IS NOT OLD.detail
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- The last verification of the chain against the signed checkpoints, shown to customers and privacy officers.
CREATE TABLE audit_verifications (
    id                INTEGER PRIMARY KEY,
    finished_at       TEXT NOT NULL,
    verified_through  INTEGER NOT NULL,
    entries_checked   INTEGER NOT NULL,
    problem_entry     INTEGER,
    problem           TEXT
);

-- The job function shown beside a staff member's name in the logs customers read.
ALTER TABLE staff ADD COLUMN job_title TEXT NOT NULL DEFAULT '';
