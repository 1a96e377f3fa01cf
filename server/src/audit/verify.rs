//! Verifying the stored chain against the signed checkpoints, in chunks so that memory stays flat on a log of
//! millions of entries.

use ed25519_dalek::VerifyingKey;

use super::checkpoint::Checkpoint;
use crate::storage::SqlStore;
use app::domain::audit_chain::{Broken, ChainWalk, Intact};
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
    let mut walk = ChainWalk::resume(from, anchors);
    loop {
        let after = walk.position().last_id;
        let rows = store.audit_chain_after(after).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            if let Err(broken) = walk.step(&row.chain_fields(), row.entry_hash.as_deref()) {
                return Ok((Err(broken), walk.position()));
            }
        }
    }
    let reached = walk.position();
    Ok((walk.finish(), reached))
}
