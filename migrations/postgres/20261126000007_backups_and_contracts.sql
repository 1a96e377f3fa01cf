-- Contracts, backup snapshots and mailbox aggregates (charter §1, §5, §6; issue 8).

-- A contract is what a customer's services are held under. Terminating one changes nothing about its backups.
CREATE TABLE contracts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id     BIGINT NOT NULL REFERENCES customers (id),
    contract_number TEXT NOT NULL UNIQUE,
    started_at      TIMESTAMPTZ NOT NULL,
    terminated_at   TIMESTAMPTZ,
    -- NULL with terminated_at set: terminated from the admin CLI.
    terminated_by   BIGINT REFERENCES staff (id),
    CHECK (terminated_at IS NOT NULL OR terminated_by IS NULL)
);
CREATE INDEX contracts_by_customer ON contracts (customer_id, id);

-- Every existing customer with services gets one contract covering them all.
INSERT INTO contracts (customer_id, contract_number, started_at)
SELECT c.id, 'K-' || substr(c.customer_number, 3) || '-1', MIN(s.created_at)
FROM customers c JOIN services s ON s.customer_id = c.id
GROUP BY c.id, c.customer_number;

-- Nullable as on SQLite (which cannot add a NOT NULL reference); the storage gives every new service its
-- customer's contract.
ALTER TABLE services ADD COLUMN contract_id BIGINT REFERENCES contracts (id);
UPDATE services SET contract_id = (SELECT id FROM contracts WHERE contracts.customer_id = services.customer_id);
CREATE INDEX services_by_contract ON services (contract_id);

-- A contract moving from one customer (entity) to another (charter §1). History: never changed or removed.
CREATE TABLE contract_transfers (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contract_id      BIGINT NOT NULL REFERENCES contracts (id),
    from_customer_id BIGINT NOT NULL REFERENCES customers (id),
    to_customer_id   BIGINT NOT NULL REFERENCES customers (id),
    transferred_at   TIMESTAMPTZ NOT NULL,
    recorded_by      BIGINT REFERENCES staff (id),
    CHECK (from_customer_id <> to_customer_id)
);
CREATE INDEX contract_transfers_by_contract ON contract_transfers (contract_id, id);
CREATE INDEX contract_transfers_from ON contract_transfers (from_customer_id);

CREATE FUNCTION contract_transfers_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'contract transfers are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER contract_transfers_are_permanent BEFORE UPDATE OR DELETE ON contract_transfers
    FOR EACH ROW EXECUTE FUNCTION contract_transfers_refuse_change();
CREATE TRIGGER contract_transfers_are_never_truncated BEFORE TRUNCATE ON contract_transfers
    FOR EACH STATEMENT EXECUTE FUNCTION contract_transfers_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON contract_transfers FROM PUBLIC;

-- The registry of backup snapshots. A row is never removed (the customer keeps seeing that a snapshot existed and
-- when it was destroyed); it changes only when the destruction is confirmed or flagged overdue, each once.
CREATE TABLE backup_snapshots (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    snapshot_id        TEXT NOT NULL UNIQUE,
    customer_id        BIGINT NOT NULL REFERENCES customers (id),
    contract_id        BIGINT NOT NULL REFERENCES contracts (id),
    holds              TEXT NOT NULL CHECK (holds LIKE 'web-space:%' OR holds LIKE 'backup-space:%' OR holds LIKE 'mailbox:%'),
    taken_at           TIMESTAMPTZ NOT NULL,
    due_at             TIMESTAMPTZ NOT NULL,
    registered_at      TIMESTAMPTZ NOT NULL,
    registered_by      TEXT NOT NULL,
    destroyed_at       TIMESTAMPTZ,
    confirmed_by       TEXT,
    overdue_flagged_at TIMESTAMPTZ,
    CHECK ((destroyed_at IS NULL) = (confirmed_by IS NULL))
);
CREATE INDEX backup_snapshots_by_customer ON backup_snapshots (customer_id, id);
CREATE INDEX backup_snapshots_pending ON backup_snapshots (due_at, id) WHERE destroyed_at IS NULL;

CREATE FUNCTION backup_snapshots_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE'
       OR NEW.id IS DISTINCT FROM OLD.id
       OR NEW.snapshot_id IS DISTINCT FROM OLD.snapshot_id
       OR NEW.customer_id IS DISTINCT FROM OLD.customer_id
       OR NEW.contract_id IS DISTINCT FROM OLD.contract_id
       OR NEW.holds IS DISTINCT FROM OLD.holds
       OR NEW.taken_at IS DISTINCT FROM OLD.taken_at
       OR NEW.due_at IS DISTINCT FROM OLD.due_at
       OR NEW.registered_at IS DISTINCT FROM OLD.registered_at
       OR NEW.registered_by IS DISTINCT FROM OLD.registered_by
       OR (OLD.destroyed_at IS NOT NULL AND NEW.destroyed_at IS DISTINCT FROM OLD.destroyed_at)
       OR (OLD.confirmed_by IS NOT NULL AND NEW.confirmed_by IS DISTINCT FROM OLD.confirmed_by)
       OR (OLD.overdue_flagged_at IS NOT NULL AND NEW.overdue_flagged_at IS DISTINCT FROM OLD.overdue_flagged_at)
    THEN
        RAISE EXCEPTION 'a snapshot changes only by its destruction confirmation or overdue flag, each once'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER backup_snapshots_change_only_by_confirmation BEFORE UPDATE OR DELETE ON backup_snapshots
    FOR EACH ROW EXECUTE FUNCTION backup_snapshots_guard();
CREATE FUNCTION backup_snapshots_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'backup snapshots are never removed from the registry' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER backup_snapshots_are_never_truncated BEFORE TRUNCATE ON backup_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION backup_snapshots_refuse_truncate();
REVOKE DELETE, TRUNCATE ON backup_snapshots FROM PUBLIC;

-- Mailbox supervision (charter §5): aggregates only. There is no column for a subject, a sender, a recipient, a date
-- or the size of one message, so none can be stored.
CREATE TABLE mailbox_stats (
    service_id BIGINT PRIMARY KEY REFERENCES services (id),
    messages   BIGINT NOT NULL CHECK (messages >= 0),
    bytes      BIGINT NOT NULL CHECK (bytes >= 0),
    as_of      TIMESTAMPTZ NOT NULL
);

CREATE TABLE mailbox_stat_folders (
    service_id BIGINT NOT NULL REFERENCES mailbox_stats (service_id),
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    messages   BIGINT NOT NULL CHECK (messages >= 0),
    PRIMARY KEY (service_id, position),
    UNIQUE (service_id, name)
);
