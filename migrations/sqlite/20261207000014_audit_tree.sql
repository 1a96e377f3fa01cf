-- The audit log's Merkle tree (RFC 9162), next to its hash chain: a leaf per entry (the entry's chain hash), so
-- that one entry can be proved to be in a signed log without the rest. The tree follows the chain a little behind:
-- the checkpoint job extends it before it signs, so appends cost what they cost before.
-- `size` leaves are in the tree; `frontier` is the hash of each complete subtree of those leaves, largest first.
CREATE TABLE audit_tree (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    size      INTEGER NOT NULL,
    frontier  BLOB NOT NULL
);
INSERT INTO audit_tree (singleton, size, frontier) VALUES (1, 0, x'');

-- The complete subtrees of 16 leaves or more, keyed by (first leaf / leaves) * 64 + level, so that a proof costs
-- a few reads; smaller ones are computed from the entries' hashes.
CREATE TABLE audit_tree_nodes (
    position INTEGER PRIMARY KEY,
    hash     BLOB NOT NULL CHECK (length(hash) = 32)
);
