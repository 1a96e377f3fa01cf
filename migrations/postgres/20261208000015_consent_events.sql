-- Consent events for the operator's infrastructure: every change to a grant or a consent request becomes an event,
-- written in the transaction of the change (a transactional outbox), then delivered by signed webhooks and read
-- through the pull feed. Events carry identifiers only.
CREATE TABLE consent_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type  TEXT NOT NULL,
    -- The JSON body a receiver gets, exactly as signed: frozen when the change happened.
    payload     TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL
);

-- Where a service wants its events pushed. The secret signs each delivery (HMAC-SHA256): it must be kept to sign,
-- so it is stored as it is, and shown to the service once.
CREATE TABLE webhook_endpoints (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service     TEXT NOT NULL,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    removed_at  TIMESTAMPTZ
);
CREATE INDEX webhook_endpoints_live ON webhook_endpoints (removed_at);

-- One event for one endpoint, with its lease while a worker sends it (as the mail outbox).
CREATE TABLE webhook_deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        BIGINT NOT NULL REFERENCES consent_events (id),
    endpoint_id     BIGINT NOT NULL REFERENCES webhook_endpoints (id),
    status          TEXT NOT NULL CHECK (status IN ('queued', 'delivered', 'dead', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_owner     TEXT,
    lease_until     TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    last_error      TEXT,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'queued';

-- Every attempt, for the privacy officer.
CREATE TABLE webhook_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  BIGINT NOT NULL REFERENCES webhook_deliveries (id),
    attempted_at TIMESTAMPTZ NOT NULL,
    -- The receiver's HTTP status, or NULL when none came (refused connection, time-out).
    http_status  INTEGER,
    error        TEXT,
    millis       INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id);

-- When the end of a grant at its time limit was published as an event, so that the job publishing it does it once
-- whichever instance runs it. Grants past their limit before this migration count as published.
ALTER TABLE grants ADD COLUMN limit_published_at TIMESTAMPTZ;
UPDATE grants SET limit_published_at = now()
WHERE limit_at <= now();
CREATE INDEX grants_limit_unpublished ON grants (limit_at) WHERE limit_published_at IS NULL;

-- When the customer first saw a pending request in the portal, and when they were reminded of it (once).
ALTER TABLE consent_requests ADD COLUMN seen_at TIMESTAMPTZ;
ALTER TABLE consent_requests ADD COLUMN reminded_at TIMESTAMPTZ;
-- Requests already open count as seen: no reminder about a request older than the feature.
UPDATE consent_requests SET seen_at = now() WHERE state = 'pending';

-- Whether a staff member is mailed when a request of theirs is answered or expires (their queue marks it anyway).
ALTER TABLE staff ADD COLUMN answer_mail BOOLEAN NOT NULL DEFAULT TRUE;
