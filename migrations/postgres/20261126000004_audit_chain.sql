-- The audit log becomes a hash chain (issue 5): each entry stores SHA-256 over its content and the previous entry's
-- hash, ids are given by the writer (the chain's order), and the database refuses to change or remove an entry.
-- Entries written before this migration have no hash yet and are sealed into the chain by the server at start-up,
-- the only UPDATE the trigger lets through.

ALTER TABLE audit_log ALTER COLUMN id DROP IDENTITY;
ALTER TABLE audit_log RENAME COLUMN basis_grant_id TO basis_ref;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check
    CHECK (actor_kind IN ('customer', 'staff', 'system', 'unidentified'));
ALTER TABLE audit_log DROP CONSTRAINT audit_log_basis_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_basis_kind_check
    CHECK (basis_kind IN ('grant', 'technical-operation', 'the-customer', 'staff-role', 'refused', 'court-order',
                          'account-security'));
ALTER TABLE audit_log ADD COLUMN entry_hash BYTEA CHECK (entry_hash IS NULL OR length(entry_hash) = 32);
COMMENT ON COLUMN audit_log.basis_ref IS 'The grant or the disclosure the entry rests on, as basis_kind says.';

-- Where the chain ends: the writer locks and reads this row first, so appends are serialised on every backend.
-- last_hash is NULL until the chain has an entry (or until the entries above are sealed).
CREATE TABLE audit_chain (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_id   BIGINT NOT NULL,
    last_hash BYTEA
);
INSERT INTO audit_chain (singleton, last_id, last_hash) SELECT 1, COALESCE(MAX(id), 0), NULL FROM audit_log;

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.entry_hash IS NULL AND NEW.entry_hash IS NOT NULL
       AND (to_jsonb(NEW) - 'entry_hash') = (to_jsonb(OLD) - 'entry_hash') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_is_never_truncated BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
-- Defence in depth for deployments where the portal's role does not own the table.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- The last verification of the chain against the signed checkpoints, shown to customers and privacy officers.
CREATE TABLE audit_verifications (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    finished_at       TIMESTAMPTZ NOT NULL,
    verified_through  BIGINT NOT NULL,
    entries_checked   BIGINT NOT NULL,
    problem_entry     BIGINT,
    problem           TEXT
);

-- The job function shown beside a staff member's name in the logs customers read.
ALTER TABLE staff ADD COLUMN job_title TEXT NOT NULL DEFAULT '';
