//! The audit log's Merkle tree in storage: extended from the chain by the checkpoint job, and read for proofs.
//! Entries and completed subtrees never change, so proofs read them without a transaction.

use std::collections::{BTreeMap, BTreeSet};

use crate::storage::consent::rows::corrupt;
use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::domain::merkle::{self, Frontier, Hash, Span, Subtree};
use app::ports::StorageError;

/// Subtrees this large or larger are stored; smaller ones are computed from at most 15 entries' hashes, which
/// keeps the node table at a sixteenth of the log.
pub const STORED_FROM_LEVEL: u32 = 4;

/// Entries added to the tree per write transaction: the tree's lock is held only while the nodes are written.
const EXTEND_CHUNK: i64 = 20_000;

/// Rows per INSERT or IN list, well under both databases' limits on bound values.
const BATCH: usize = 1_000;

/// The tree at a size: what a checkpoint signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

fn position(subtree: Subtree) -> i64 {
    ((subtree.index << 6) | u64::from(subtree.level)) as i64
}

fn to_hash(bytes: Vec<u8>, what: &'static str) -> Result<Hash, StorageError> {
    bytes
        .try_into()
        .map_err(|_| corrupt(what, "has a hash of the wrong length"))
}

impl SqlStore {
    pub async fn audit_tree_head(&self) -> Result<TreeHead, StorageError> {
        let frontier = self.audit_frontier().await?;
        Ok(TreeHead {
            size: frontier.size(),
            root: frontier.root(),
        })
    }

    async fn audit_frontier(&self) -> Result<Frontier, StorageError> {
        let (size, bytes): (i64, Vec<u8>) = on_pool!(self, pool => {
            sqlx::query_as("SELECT size, frontier FROM audit_tree WHERE singleton = 1")
                .fetch_one(pool)
                .await
        })
        .map_err(map_error)?;
        Frontier::from_parts(size as u64, &bytes)
            .ok_or_else(|| corrupt("audit tree", "has a frontier that does not match its size"))
    }

    /// Adds the chain's entries that are not in the tree yet, and returns the tree's head. Entries are read
    /// outside the write transaction; the transaction only checks that nobody extended the tree meanwhile (two
    /// instances may both try: one wins, the other reads again).
    pub async fn extend_audit_tree(&self) -> Result<TreeHead, StorageError> {
        loop {
            let mut frontier = self.audit_frontier().await?;
            let from = frontier.size();
            let hashes = self.entry_hashes_from(from, EXTEND_CHUNK).await?;
            if hashes.is_empty() {
                return Ok(TreeHead {
                    size: frontier.size(),
                    root: frontier.root(),
                });
            }
            let mut nodes = Vec::with_capacity(hashes.len() / 8);
            for hash in &hashes {
                frontier.push(merkle::leaf_hash(hash), |subtree, hash| {
                    if subtree.level >= STORED_FROM_LEVEL {
                        nodes.push((position(subtree), hash.to_vec()));
                    }
                });
            }
            in_write_tx!(self, tx => {
                let size: i64 = sqlx::query_scalar(
                    "UPDATE audit_tree SET size = size WHERE singleton = 1 RETURNING size",
                )
                .fetch_one(&mut *tx)
                .await
                .map_err(map_error)?;
                if size as u64 == from {
                    for batch in nodes.chunks(BATCH) {
                        let mut insert =
                            sqlx::QueryBuilder::new("INSERT INTO audit_tree_nodes (position, hash) ");
                        insert.push_values(batch, |mut row, (position, hash)| {
                            row.push_bind(*position).push_bind(hash.clone());
                        });
                        insert.build().execute(&mut *tx).await.map_err(map_error)?;
                    }
                    sqlx::query("UPDATE audit_tree SET size = $1, frontier = $2 WHERE singleton = 1")
                        .bind(frontier.size() as i64)
                        .bind(frontier.to_bytes())
                        .execute(&mut *tx)
                        .await
                        .map_err(map_error)?;
                }
            });
        }
    }

    /// The chain hashes of up to `limit` entries after the first `from` (entry ids are leaf indices plus one). A
    /// gap or an entry without a hash stops the tree there: it is a finding for verification, not a leaf.
    async fn entry_hashes_from(&self, from: u64, limit: i64) -> Result<Vec<Hash>, StorageError> {
        let rows: Vec<(i64, Option<Vec<u8>>)> = match self {
            // sqlx hands SQLite rows over one at a time from its worker thread; one string per chunk crosses once.
            Self::Sqlite(pool) => {
                let (count, first, last, joined): (i64, Option<i64>, Option<i64>, Option<String>) =
                    sqlx::query_as(
                        "SELECT count(*), min(id), max(id), \
                         string_agg(coalesce(hex(entry_hash), '-'), ',' ORDER BY id) \
                         FROM (SELECT id, entry_hash FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2)",
                    )
                    .bind(from as i64)
                    .bind(limit)
                    .fetch_one(pool)
                    .await
                    .map_err(map_error)?;
                let (Some(first), Some(last), Some(joined)) = (first, last, joined) else {
                    return Ok(Vec::new());
                };
                let parts: Vec<&str> = joined.split(',').collect();
                if parts.len() as i64 != count {
                    return Err(corrupt("audit entry", "cannot be read back"));
                }
                // A gap shows as fewer ids than the span from the first to the last: then the rows are read one by
                // one, to stop at it below.
                if last - first + 1 != count {
                    sqlx::query_as(
                        "SELECT id, entry_hash FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
                    )
                    .bind(from as i64)
                    .bind(limit)
                    .fetch_all(pool)
                    .await
                    .map_err(map_error)?
                } else {
                    parts
                        .into_iter()
                        .zip(first..)
                        .map(|(part, id)| {
                            let hash = (part != "-")
                                .then(|| {
                                    hex::decode(part).map_err(|_| {
                                        corrupt("audit entry", "has an unreadable hash")
                                    })
                                })
                                .transpose()?;
                            Ok((id, hash))
                        })
                        .collect::<Result<Vec<_>, StorageError>>()?
                }
            }
            Self::Postgres(pool) => sqlx::query_as(
                "SELECT id, entry_hash FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(from as i64)
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(map_error)?,
        };
        let mut hashes = Vec::with_capacity(rows.len());
        for (offset, (id, hash)) in rows.into_iter().enumerate() {
            let expected = from as i64 + 1 + offset as i64;
            match hash {
                Some(hash) if id == expected => hashes.push(to_hash(hash, "audit entry")?),
                _ => {
                    tracing::error!(
                        entry = expected,
                        "the audit tree stops before an entry that is missing or has no hash"
                    );
                    break;
                }
            }
        }
        Ok(hashes)
    }

    /// The hashes of `spans` (each the hash of its leaves, as proofs name them), read in a few queries however
    /// many spans there are. Every span must end within the tree.
    pub async fn audit_span_hashes(&self, spans: &[Span]) -> Result<Vec<Hash>, StorageError> {
        let subtrees: BTreeSet<Subtree> = spans.iter().flat_map(|span| span.subtrees()).collect();
        let known = self.subtree_hashes(&subtrees).await?;
        spans
            .iter()
            .map(|span| {
                let pieces = span
                    .subtrees()
                    .into_iter()
                    .map(|subtree| known.get(&subtree).copied())
                    .collect::<Option<Vec<Hash>>>()
                    .ok_or_else(|| corrupt("audit tree", "lacks a node a proof needs"))?;
                Ok(merkle::fold(&pieces))
            })
            .collect()
    }

    /// The chain hashes of the entries `ids` that have one.
    async fn entry_hashes(&self, ids: &[i64]) -> Result<BTreeMap<i64, Hash>, StorageError> {
        let mut hashes = BTreeMap::new();
        for batch in ids.chunks(BATCH) {
            let rows: Vec<(i64, Vec<u8>)> = on_pool!(self, pool => {
                let mut select = sqlx::QueryBuilder::new("SELECT id, entry_hash FROM audit_log WHERE id IN (");
                let mut list = select.separated(", ");
                for id in batch {
                    list.push_bind(*id);
                }
                select.push(") AND entry_hash IS NOT NULL");
                select.build_query_as().fetch_all(pool).await
            })
            .map_err(map_error)?;
            for (id, hash) in rows {
                hashes.insert(id, to_hash(hash, "audit entry")?);
            }
        }
        Ok(hashes)
    }

    /// The stored nodes among `subtrees` (those of [`STORED_FROM_LEVEL`] or more); absent ones are left out.
    pub async fn audit_stored_nodes(
        &self,
        subtrees: &[Subtree],
    ) -> Result<BTreeMap<Subtree, Hash>, StorageError> {
        let stored: BTreeSet<Subtree> = subtrees
            .iter()
            .copied()
            .filter(|subtree| subtree.level >= STORED_FROM_LEVEL)
            .collect();
        self.subtree_hashes(&stored).await
    }

    async fn subtree_hashes(
        &self,
        subtrees: &BTreeSet<Subtree>,
    ) -> Result<BTreeMap<Subtree, Hash>, StorageError> {
        let (stored, small): (Vec<Subtree>, Vec<Subtree>) = subtrees
            .iter()
            .partition(|subtree| subtree.level >= STORED_FROM_LEVEL);
        let mut known = BTreeMap::new();
        for batch in stored.chunks(BATCH) {
            let positions: Vec<i64> = batch.iter().copied().map(position).collect();
            let rows: Vec<(i64, Vec<u8>)> = on_pool!(self, pool => {
                let mut select =
                    sqlx::QueryBuilder::new("SELECT position, hash FROM audit_tree_nodes WHERE position IN (");
                let mut list = select.separated(", ");
                for position in &positions {
                    list.push_bind(*position);
                }
                select.push(")");
                select.build_query_as().fetch_all(pool).await
            })
            .map_err(map_error)?;
            let by_position: BTreeMap<i64, Vec<u8>> = rows.into_iter().collect();
            for subtree in batch {
                if let Some(hash) = by_position.get(&position(*subtree)) {
                    known.insert(*subtree, to_hash(hash.clone(), "audit tree node")?);
                }
            }
        }
        // The leaves under the small subtrees, each a run of at most 15 entries: read as whole runs of ids.
        let leaf_ids: BTreeSet<i64> = small
            .iter()
            .flat_map(|subtree| {
                let first = subtree.first_leaf() as i64 + 1;
                first..first + subtree.leaves() as i64
            })
            .collect();
        let leaf_ids: Vec<i64> = leaf_ids.into_iter().collect();
        let leaves: BTreeMap<i64, Hash> = self
            .entry_hashes(&leaf_ids)
            .await?
            .into_iter()
            .map(|(id, hash)| (id, merkle::leaf_hash(&hash)))
            .collect();
        for subtree in small {
            let first = subtree.first_leaf() as i64 + 1;
            let hashes: Option<Vec<Hash>> = (first..first + subtree.leaves() as i64)
                .map(|id| leaves.get(&id).copied())
                .collect();
            if let Some(hashes) = hashes {
                known.insert(subtree, merkle::root(&hashes));
            }
        }
        Ok(known)
    }

    /// Proofs that the leaves at `indices` are in the tree of `size` leaves, in the order asked.
    pub async fn audit_inclusion_proofs(
        &self,
        indices: &[u64],
        size: u64,
    ) -> Result<Vec<Vec<Hash>>, StorageError> {
        let paths: Vec<Vec<Span>> = indices
            .iter()
            .map(|index| merkle::inclusion_spans(*index, size))
            .collect();
        let all: Vec<Span> = paths.iter().flatten().copied().collect();
        let hashes = self.audit_span_hashes(&all).await?;
        let mut hashes = hashes.into_iter();
        Ok(paths
            .iter()
            .map(|path| hashes.by_ref().take(path.len()).collect())
            .collect())
    }

    pub async fn audit_consistency_proof(
        &self,
        old: u64,
        new: u64,
    ) -> Result<Vec<Hash>, StorageError> {
        self.audit_span_hashes(&merkle::consistency_spans(old, new))
            .await
    }
}

impl SqlStore {
    /// The entries `ids` as stored, each with the chain hash of the entry before it: what a reader needs to hash
    /// an entry again without the rest of the log.
    pub async fn audit_rows_with_previous(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(super::AuditRow, Hash)>, StorageError> {
        let mut found = Vec::with_capacity(ids.len());
        for batch in ids.chunks(BATCH) {
            let rows: Vec<super::AuditRow> = on_pool!(self, pool => {
                let mut select = sqlx::QueryBuilder::new(concat!(
                    "SELECT id, entry_hash, ",
                    super::audit_columns!(),
                    " FROM audit_log WHERE id IN ("
                ));
                let mut list = select.separated(", ");
                for id in batch {
                    list.push_bind(*id);
                }
                select.push(")");
                select.build_query_as().fetch_all(pool).await
            })
            .map_err(map_error)?;
            let previous_ids: Vec<i64> =
                batch.iter().map(|id| id - 1).filter(|id| *id > 0).collect();
            let previous = self.entry_hashes(&previous_ids).await?;
            let mut rows: BTreeMap<i64, super::AuditRow> =
                rows.into_iter().map(|row| (row.id, row)).collect();
            for id in batch {
                let row = rows
                    .remove(id)
                    .ok_or_else(|| corrupt("audit entry", "is missing from the log"))?;
                let before = match previous.get(&(id - 1)) {
                    Some(hash) => *hash,
                    None if *id == 1 => app::domain::audit_chain::GENESIS,
                    None => {
                        return Err(corrupt(
                            "audit entry",
                            "follows an entry missing from the log",
                        ))
                    }
                };
                found.push((row, before));
            }
        }
        Ok(found)
    }
}
