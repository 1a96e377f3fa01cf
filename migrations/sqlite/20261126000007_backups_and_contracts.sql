-- Contracts, backup snapshots and mailbox aggregates (charter §1, §5, §6; issue 8). Times are RFC 3339 text in UTC
-- written by the application, as in the earlier migrations.

-- A contract is what a customer's services are held under. Terminating one changes nothing about its backups.
CREATE TABLE contracts (
    id              INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers (id),
    contract_number TEXT NOT NULL UNIQUE,
    started_at      TEXT NOT NULL,
    terminated_at   TEXT,
    -- NULL with terminated_at set: terminated from the admin CLI.
    terminated_by   INTEGER REFERENCES staff (id),
    CHECK (terminated_at IS NOT NULL OR terminated_by IS NULL)
);
CREATE INDEX contracts_by_customer ON contracts (customer_id, id);

-- Every existing customer with services gets one contract covering them all.
INSERT INTO contracts (customer_id, contract_number, started_at)
SELECT c.id, 'K-' || substr(c.customer_number, 3) || '-1', MIN(s.created_at)
FROM customers c JOIN services s ON s.customer_id = c.id
GROUP BY c.id, c.customer_number;

-- Nullable only because SQLite cannot add a NOT NULL column with a reference; the storage gives every new service
-- its customer's contract.
ALTER TABLE services ADD COLUMN contract_id INTEGER REFERENCES contracts (id);
UPDATE services SET contract_id = (SELECT id FROM contracts WHERE contracts.customer_id = services.customer_id);
CREATE INDEX services_by_contract ON services (contract_id);

-- A contract moving from one customer (entity) to another (charter §1). History: never changed or removed.
CREATE TABLE contract_transfers (
    id               INTEGER PRIMARY KEY,
    contract_id      INTEGER NOT NULL REFERENCES contracts (id),
    from_customer_id INTEGER NOT NULL REFERENCES customers (id),
    to_customer_id   INTEGER NOT NULL REFERENCES customers (id),
    transferred_at   TEXT NOT NULL,
    recorded_by      INTEGER REFERENCES staff (id),
    CHECK (from_customer_id <> to_customer_id)
);
CREATE INDEX contract_transfers_by_contract ON contract_transfers (contract_id, id);
CREATE INDEX contract_transfers_from ON contract_transfers (from_customer_id);

CREATE TRIGGER contract_transfers_are_permanent_delete BEFORE DELETE ON contract_transfers
BEGIN
    SELECT RAISE(ABORT, 'contract transfers are append-only');
END;
CREATE TRIGGER contract_transfers_are_permanent_update BEFORE UPDATE ON contract_transfers
BEGIN
    SELECT RAISE(ABORT, 'contract transfers are append-only');
END;

-- The registry of backup snapshots. A row is never removed (the customer keeps seeing that a snapshot existed and
-- when it was destroyed); it changes only when the destruction is confirmed or flagged overdue, each once.
CREATE TABLE backup_snapshots (
    id                 INTEGER PRIMARY KEY,
    snapshot_id        TEXT NOT NULL UNIQUE,
    customer_id        INTEGER NOT NULL REFERENCES customers (id),
    contract_id        INTEGER NOT NULL REFERENCES contracts (id),
    holds              TEXT NOT NULL CHECK (holds LIKE 'web-space:%' OR holds LIKE 'backup-space:%' OR holds LIKE 'mailbox:%'),
    taken_at           TEXT NOT NULL,
    due_at             TEXT NOT NULL,
    registered_at      TEXT NOT NULL,
    registered_by      TEXT NOT NULL,
    destroyed_at       TEXT,
    confirmed_by       TEXT,
    overdue_flagged_at TEXT,
    CHECK ((destroyed_at IS NULL) = (confirmed_by IS NULL))
);
CREATE INDEX backup_snapshots_by_customer ON backup_snapshots (customer_id, id);
CREATE INDEX backup_snapshots_pending ON backup_snapshots (due_at, id) WHERE destroyed_at IS NULL;

CREATE TRIGGER backup_snapshots_are_never_deleted BEFORE DELETE ON backup_snapshots
BEGIN
    SELECT RAISE(ABORT, 'backup snapshots are never removed from the registry');
END;
CREATE TRIGGER backup_snapshots_change_only_by_confirmation BEFORE UPDATE ON backup_snapshots
WHEN NEW.id IS NOT OLD.id
  OR NEW.snapshot_id IS NOT OLD.snapshot_id
  OR NEW.customer_id IS NOT OLD.customer_id
  OR NEW.contract_id IS NOT OLD.contract_id
  OR NEW.holds IS NOT OLD.holds
  OR NEW.taken_at IS NOT OLD.taken_at
  OR NEW.due_at IS NOT OLD.due_at
  OR NEW.registered_at IS NOT OLD.registered_at
  OR NEW.registered_by IS NOT OLD.registered_by
  OR (OLD.destroyed_at IS NOT NULL AND NEW.destroyed_at IS NOT OLD.destroyed_at)
  OR (OLD.confirmed_by IS NOT NULL AND NEW.confirmed_by IS NOT OLD.confirmed_by)
  OR (OLD.overdue_flagged_at IS NOT NULL AND NEW.overdue_flagged_at IS NOT OLD.overdue_flagged_at)
BEGIN
    SELECT RAISE(ABORT, 'a snapshot changes only by its destruction confirmation or overdue flag, each once');
END;

-- Mailbox supervision (charter §5): aggregates only. There is no column for a subject, a sender, a recipient, a date
-- or the size of one message, so none can be stored.
CREATE TABLE mailbox_stats (
    service_id  INTEGER PRIMARY KEY REFERENCES services (id),
    messages    INTEGER NOT NULL CHECK (messages >= 0),
    bytes       INTEGER NOT NULL CHECK (bytes >= 0),
    as_of       TEXT NOT NULL
);

CREATE TABLE mailbox_stat_folders (
    service_id INTEGER NOT NULL REFERENCES mailbox_stats (service_id),
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    messages   INTEGER NOT NULL CHECK (messages >= 0),
    PRIMARY KEY (service_id, position),
    UNIQUE (service_id, name)
);
