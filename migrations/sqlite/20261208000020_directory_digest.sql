-- The directory sync (issue 23): a digest (SHA-256) of the last record the operator's directory sent for a customer,
-- so that a record sent again unchanged is known as such without reading the customer's contracts and services. It
-- holds no value that could be read back; a customer synced before has none, and is compared field by field once.
ALTER TABLE customers ADD COLUMN directory_digest TEXT;

-- The sync asks who holds each service it is sent, by name across kinds: an index the name leads, which the
-- planner uses for a long IN list where the (kind, name) one left PostgreSQL filtering a kind's every row.
CREATE INDEX services_by_name ON services (name);
