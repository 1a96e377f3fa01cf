-- The privacy charter (charter §7, issue 7): every published version, kept for good (a permanent address per
-- version, and the text a customer acknowledged or a grant was given under must stay what it was); the one working
-- draft of the privacy officers; the notice each publication queued; each customer's acknowledgements; and on each
-- grant the version in force when it was given. Version 1, the operator's own text, is loaded by the server at its
-- first start (server/charter/), not here, so that the Markdown file in the repository stays the one source.

CREATE TABLE charter_versions (
    number       INTEGER PRIMARY KEY CHECK (number > 0),
    -- Markdown; the French text prevails, the English one is a translation.
    text_fr      TEXT NOT NULL CHECK (length(trim(text_fr)) > 0),
    text_en      TEXT NOT NULL CHECK (length(trim(text_en)) > 0),
    summary      TEXT NOT NULL CHECK (length(trim(summary)) > 0),
    -- The start (UTC) of the day the version comes into force; never earlier than the version before it.
    effective_at TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    -- NULL only for the version loaded at first start, which no one published through the portal.
    published_by BIGINT REFERENCES staff (id)
);

CREATE FUNCTION charter_versions_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a published charter version never changes' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER charter_versions_are_permanent BEFORE UPDATE OR DELETE ON charter_versions
    FOR EACH ROW EXECUTE FUNCTION charter_versions_refuse_change();
CREATE TRIGGER charter_versions_are_never_truncated BEFORE TRUNCATE ON charter_versions
    FOR EACH STATEMENT EXECUTE FUNCTION charter_versions_refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON charter_versions FROM PUBLIC;

-- One working draft, shared by the privacy officers; its revision grows at each save, so that a publication names
-- the exact text its author previewed.
CREATE TABLE charter_draft (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    text_fr    TEXT NOT NULL,
    text_en    TEXT NOT NULL,
    revision   BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES staff (id),
    updated_at TIMESTAMPTZ NOT NULL
);

-- The terms-change notice a publication queued, once per version.
CREATE TABLE charter_notices (
    version   INTEGER PRIMARY KEY REFERENCES charter_versions (number),
    customers BIGINT NOT NULL,
    queued_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE charter_acknowledgements (
    customer_id     BIGINT NOT NULL REFERENCES customers (id),
    version         INTEGER NOT NULL REFERENCES charter_versions (number),
    acknowledged_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (customer_id, version)
);

-- The version in force when the grant was given; NULL for a grant given before any version was stored.
ALTER TABLE grants ADD COLUMN charter_version INTEGER REFERENCES charter_versions (number);
