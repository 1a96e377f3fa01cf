-- Who may use a grant (charter §4.2: the customer authorises "l'un de nos collaborateurs"; §5: consent "exprès,
-- spécifique et ponctuel"): one staff member (usable_by_staff), or the teams the customer opened it to
-- (usable_by_teams), never both. Existing grants name who they were given to: an approved request its requester,
-- an oral consent the staff member who recorded it; a grant given on the customer's initiative named nobody, so it
-- keeps what it allowed, both teams. SQLite cannot add a constraint over two columns to a table with rows: grants is
-- rebuilt with its rows, as the outbox was in 20261126000010. Nothing references grants.
CREATE TABLE grants_v2 (
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
    charter_version      INTEGER REFERENCES charter_versions (number),
    usable_by_staff      INTEGER REFERENCES staff (id),
    usable_by_teams      TEXT CHECK (usable_by_teams IN ('support', 'sysadmins', 'support-and-sysadmins')),
    FOREIGN KEY (case_id, customer_id) REFERENCES support_cases (id, customer_id),
    CHECK ((origin = 'approved-request') = (request_id IS NOT NULL)),
    CHECK ((origin = 'oral') = (oral_identification IS NOT NULL
                                AND oral_call_reference IS NOT NULL
                                AND oral_scope_read_back IS NOT NULL)),
    CHECK ((usable_by_staff IS NULL) <> (usable_by_teams IS NULL)),
    -- Only the customer widens a grant to a team, and oral consent is given to the one who took the call.
    CHECK (origin <> 'oral' OR usable_by_staff = recorded_by),
    CHECK (origin <> 'customer-initiative' OR usable_by_teams IS NOT NULL)
);
INSERT INTO grants_v2 (id, customer_id, resource, case_id, actions, origin, oral_identification, oral_call_reference,
                       oral_scope_read_back, request_id, recorded_by, starts_at, limit_at, revoked_at,
                       charter_version, usable_by_staff, usable_by_teams)
SELECT g.id, g.customer_id, g.resource, g.case_id, g.actions, g.origin, g.oral_identification, g.oral_call_reference,
       g.oral_scope_read_back, g.request_id, g.recorded_by, g.starts_at, g.limit_at, g.revoked_at, g.charter_version,
       CASE g.origin
           WHEN 'approved-request' THEN (SELECT r.requested_by FROM consent_requests r WHERE r.id = g.request_id)
           WHEN 'oral' THEN g.recorded_by
       END,
       CASE g.origin WHEN 'customer-initiative' THEN 'support-and-sysadmins' END
FROM grants g;
DROP TABLE grants;
ALTER TABLE grants_v2 RENAME TO grants;
-- Every access check reads the live grants on one resource.
CREATE INDEX grants_live ON grants (resource, revoked_at, limit_at);
CREATE INDEX grants_by_customer ON grants (customer_id, id);
CREATE INDEX grants_by_case ON grants (case_id);

-- The expiry job looks for pending requests whose answer window closed (charter §2: the expiry is recorded).
CREATE INDEX consent_requests_pending ON consent_requests (answer_by) WHERE state = 'pending';
