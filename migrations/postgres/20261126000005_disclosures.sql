-- The court-order ledger (charter §3, issue 5): every disclosure of a customer's data, recorded by a privacy officer
-- with the order's authority, reference, date and scope, and an optional date before which the customer must not
-- be told. A recorded disclosure is never changed or removed: the triggers refuse it, as for the audit log.

CREATE TABLE disclosures (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    authority    TEXT NOT NULL CHECK (length(trim(authority)) > 0),
    reference    TEXT NOT NULL CHECK (length(trim(reference)) > 0),
    ordered_on   DATE NOT NULL,
    scope        TEXT NOT NULL CHECK (length(trim(scope)) > 0),
    -- The start (UTC) of the deferral date; NULL when the order allows telling the customer at once.
    notify_after TIMESTAMPTZ,
    recorded_by  BIGINT NOT NULL REFERENCES staff (id),
    recorded_at  TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION disclosures_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the court-order ledger is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER disclosures_are_permanent BEFORE UPDATE OR DELETE ON disclosures
    FOR EACH ROW EXECUTE FUNCTION disclosures_refuse_change();
CREATE TRIGGER disclosures_are_never_truncated BEFORE TRUNCATE ON disclosures
    FOR EACH STATEMENT EXECUTE FUNCTION disclosures_refuse_change();
-- Defence in depth for deployments where the portal's role does not own the table.
REVOKE UPDATE, DELETE, TRUNCATE ON disclosures FROM PUBLIC;
