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
    effective_at TEXT NOT NULL,
    published_at TEXT NOT NULL,
    -- NULL only for the version loaded at first start, which no one published through the portal.
    published_by INTEGER REFERENCES staff (id)
);

CREATE TRIGGER charter_versions_are_permanent_delete BEFORE DELETE ON charter_versions
BEGIN
    SELECT RAISE(ABORT, 'a published charter version never changes');
END;

CREATE TRIGGER charter_versions_are_permanent_update BEFORE UPDATE ON charter_versions
BEGIN
    SELECT RAISE(ABORT, 'a published charter version never changes');
END;

-- One working draft, shared by the privacy officers; its revision grows at each save, so that a publication names
-- the exact text its author previewed.
CREATE TABLE charter_draft (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    text_fr    TEXT NOT NULL,
    text_en    TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES staff (id),
    updated_at TEXT NOT NULL
);

-- The terms-change notice a publication queued, once per version.
CREATE TABLE charter_notices (
    version   INTEGER PRIMARY KEY REFERENCES charter_versions (number),
    customers INTEGER NOT NULL,
    queued_at TEXT NOT NULL
);

CREATE TABLE charter_acknowledgements (
    customer_id     INTEGER NOT NULL REFERENCES customers (id),
    version         INTEGER NOT NULL REFERENCES charter_versions (number),
    acknowledged_at TEXT NOT NULL,
    PRIMARY KEY (customer_id, version)
);

-- The version in force when the grant was given; NULL for a grant given before any version was stored.
ALTER TABLE grants ADD COLUMN charter_version INTEGER REFERENCES charter_versions (number);
