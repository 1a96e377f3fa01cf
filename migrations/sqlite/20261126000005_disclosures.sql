-- The court-order ledger (charter §3, issue 5): every disclosure of a customer's data, recorded by a privacy officer
-- with the order's authority, reference, date and scope, and an optional date before which the customer must not
-- be told. A recorded disclosure is never changed or removed: the triggers refuse it, as for the audit log.

CREATE TABLE disclosures (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    authority    TEXT NOT NULL CHECK (length(trim(authority)) > 0),
    reference    TEXT NOT NULL CHECK (length(trim(reference)) > 0),
    ordered_on   TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (length(trim(scope)) > 0),
    -- The start (UTC) of the deferral date; NULL when the order allows telling the customer at once.
    notify_after TEXT,
    recorded_by  INTEGER NOT NULL REFERENCES staff (id),
    recorded_at  TEXT NOT NULL
);

CREATE TRIGGER disclosures_are_permanent_delete BEFORE DELETE ON disclosures
BEGIN
    SELECT RAISE(ABORT, 'the court-order ledger is append-only');
END;

CREATE TRIGGER disclosures_are_permanent_update BEFORE UPDATE ON disclosures
BEGIN
    SELECT RAISE(ABORT, 'the court-order ledger is append-only');
END;
