-- When each staff member last opened their consent queue, so that it marks the answers and expiries of their
-- requests that came since (charter §4.2: the requester is told). Existing staff count as having looked now, so
-- that old answers are not announced as new.
ALTER TABLE staff ADD COLUMN consent_queue_seen_at TIMESTAMPTZ;
UPDATE staff SET consent_queue_seen_at = now();
