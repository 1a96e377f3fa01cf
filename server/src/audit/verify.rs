//! Verifying the stored chain against the signed checkpoints, in chunks so that memory stays flat on a log of
//! millions of entries.

use ed25519_dalek::VerifyingKey;

use super::checkpoint::Checkpoint;
use crate::storage::audit::tree::STORED_FROM_LEVEL;
use crate::storage::SqlStore;
use app::domain::audit_chain::{Broken, ChainWalk, Intact};
use app::domain::merkle::{Hash, Subtree};
use app::ports::StorageError;

pub use app::domain::audit_chain::WalkPosition as Position;

/// Checks the checkpoints' signatures, then walks the chain from `from` to its end. A checkpoint not signed by
/// `key` is itself a finding: it was written by someone else.
pub async fn verify_from(
    store: &SqlStore,
    checkpoints: &[Checkpoint],
    key: &VerifyingKey,
    from: Position,
) -> Result<(Result<Intact, Broken>, Position), StorageError> {
    let mut anchors = Vec::with_capacity(checkpoints.len());
    for checkpoint in checkpoints {
        match checkpoint.anchor(key) {
            Ok(anchor) => anchors.push(anchor),
            Err(reason) => {
                let broken = Broken {
                    entry: checkpoint.covers(),
                    reason,
                };
                return Ok((Err(broken), from));
            }
        }
    }
    let tree_size = store.audit_tree_head().await?.size;
    let mut walk = ChainWalk::resume(from, anchors).keeping_subtrees_from(STORED_FROM_LEVEL);
    let mut next = prefetch(store, walk.position().last_id);
    loop {
        let rows = next
            .await
            .map_err(|error| StorageError::Unavailable(Box::new(error)))??;
        let Some(last) = rows.last() else {
            break;
        };
        // The next chunk is read (and parsed) on another thread while this one is hashed: reading and hashing
        // take about as long as each other, and the walk is the server's longest job.
        next = prefetch(store, last.id);
        for row in &rows {
            if let Err(broken) = walk.step(&row.chain_fields(), row.entry_hash.as_deref()) {
                next.abort();
                return Ok((Err(broken), walk.position()));
            }
        }
        let computed: Vec<(Subtree, Hash)> = walk
            .take_completed()
            .into_iter()
            .filter(|(subtree, _)| subtree.first_leaf() + subtree.leaves() <= tree_size)
            .collect();
        if let Some(broken) = stored_nodes_differ(store, &computed).await? {
            return Ok((Err(broken), walk.position()));
        }
    }
    let reached = walk.position();
    Ok((walk.finish(), reached))
}

/// The first stored node of the tree that differs from the one computed from the entries: proofs built on it would
/// fail for every entry under it, so it is a finding although the entries themselves are intact.
async fn stored_nodes_differ(
    store: &SqlStore,
    computed: &[(Subtree, Hash)],
) -> Result<Option<Broken>, StorageError> {
    if computed.is_empty() {
        return Ok(None);
    }
    let subtrees: Vec<Subtree> = computed.iter().map(|(subtree, _)| *subtree).collect();
    let stored = store.audit_stored_nodes(&subtrees).await?;
    for (subtree, hash) in computed {
        if stored.get(subtree) != Some(hash) {
            let first = subtree.first_leaf() as i64 + 1;
            let last = first + subtree.leaves() as i64 - 1;
            return Ok(Some(Broken {
                entry: first,
                reason: format!(
                    "the Merkle tree's stored node over entries {first} to {last} is missing or differs from those \
                     entries: inclusion proofs through it fail"
                ),
            }));
        }
    }
    Ok(None)
}

fn prefetch(
    store: &SqlStore,
    after: i64,
) -> tokio::task::JoinHandle<Result<Vec<crate::storage::audit::AuditRow>, StorageError>> {
    let store = store.clone();
    tokio::spawn(async move { store.audit_chain_after(after).await })
}
