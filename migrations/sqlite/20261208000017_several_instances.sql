-- Several instances on one database. One of them at a time signs the audit log's checkpoints, under a lease here;
-- each checkpoint goes to this log as well as to the signer's own file, and every other instance copies into its
-- own file what it finds here once the signature checks. A checkpoint that does not is a finding, not a copy.
CREATE TABLE audit_checkpoints (
    size      INTEGER PRIMARY KEY,
    -- The checkpoint file's line, exactly as the signer wrote it.
    line      TEXT NOT NULL,
    signed_by TEXT NOT NULL,
    signed_at TEXT NOT NULL
);

-- A job that only one instance at a time may run: whoever holds the row until `until`; renewed while it runs.
CREATE TABLE job_leases (
    job    TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  TEXT NOT NULL
);
