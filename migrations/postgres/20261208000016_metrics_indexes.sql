-- The metrics scrape counts dead letters every few seconds; these keep that to the dead rows themselves.
CREATE INDEX outbox_dead ON outbox (id) WHERE status = 'dead';
CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (id) WHERE status = 'dead';
