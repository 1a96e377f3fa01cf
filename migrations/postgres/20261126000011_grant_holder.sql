-- Who may use a grant (charter §4.2: the customer authorises "l'un de nos collaborateurs"; §5: consent "exprès,
-- spécifique et ponctuel"): one staff member (usable_by_staff), or the teams the customer opened it to
-- (usable_by_teams), never both. Existing grants name who they were given to: an approved request its requester,
-- an oral consent the staff member who recorded it; a grant given on the customer's initiative named nobody, so it
-- keeps what it allowed, both teams.
ALTER TABLE grants
    ADD COLUMN usable_by_staff BIGINT REFERENCES staff (id),
    ADD COLUMN usable_by_teams TEXT CHECK (usable_by_teams IN ('support', 'sysadmins', 'support-and-sysadmins'));
UPDATE grants g SET usable_by_staff = r.requested_by
FROM consent_requests r
WHERE g.origin = 'approved-request' AND r.id = g.request_id;
UPDATE grants SET usable_by_staff = recorded_by WHERE origin = 'oral';
UPDATE grants SET usable_by_teams = 'support-and-sysadmins' WHERE origin = 'customer-initiative';
ALTER TABLE grants
    ADD CONSTRAINT grants_one_holder CHECK ((usable_by_staff IS NULL) <> (usable_by_teams IS NULL)),
    -- Only the customer widens a grant to a team, and oral consent is given to the one who took the call.
    ADD CONSTRAINT grants_oral_holder CHECK (origin <> 'oral' OR usable_by_staff = recorded_by),
    ADD CONSTRAINT grants_initiative_holder CHECK (origin <> 'customer-initiative' OR usable_by_teams IS NOT NULL);

-- The expiry job looks for pending requests whose answer window closed (charter §2: the expiry is recorded).
CREATE INDEX consent_requests_pending ON consent_requests (answer_by) WHERE state = 'pending';
