-- Support cases from the operator's ticketing system (issue 23): its own reference of the case, unique, so that
-- opening a case again for the same ticket finds the first one; and when the case was last touched (opened,
-- updated, or consent asked for it), from which a case left untouched is flagged to support. Never resolved by
-- itself: only support or the ticketing system resolve a case.
ALTER TABLE support_cases ADD COLUMN reference TEXT;
ALTER TABLE support_cases ADD COLUMN touched_at TEXT;
UPDATE support_cases SET touched_at = opened_at;
CREATE UNIQUE INDEX support_cases_by_reference ON support_cases (reference) WHERE reference IS NOT NULL;
