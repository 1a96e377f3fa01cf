-- When the customer was told that a grant ended (the "grant ended" mail, kind consent), so that the job that tells
-- them does it once whichever instance runs it. Grants that ended before this migration count as told: their
-- customers saw the end in the portal, and a mail about an old end would only confuse.
ALTER TABLE grants ADD COLUMN end_notified_at TIMESTAMPTZ;

UPDATE grants SET end_notified_at = now()
WHERE revoked_at IS NOT NULL
   OR limit_at <= now()
   OR (resource LIKE 'mailbox:%'
       AND case_id IN (SELECT id FROM support_cases WHERE resolved_at IS NOT NULL));

CREATE INDEX grants_end_unnotified ON grants (limit_at) WHERE end_notified_at IS NULL;
