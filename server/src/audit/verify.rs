//! Verifying the stored chain against the signed checkpoints, in chunks so that memory stays flat on a log of
//! millions of entries.

use ed25519_dalek::VerifyingKey;

use super::checkpoint::Checkpoint;
use crate::storage::SqlStore;
use app::domain::audit_chain::{Broken, ChainWalk, Hash, Intact};
use app::ports::StorageError;

/// Where a walk stands: the last entry found intact, its hash, and how many entries were checked in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub last_id: i64,
    pub hash: Hash,
    pub checked: i64,
}

impl Position {
    pub const START: Self = Self {
        last_id: 0,
        hash: app::domain::audit_chain::GENESIS,
        checked: 0,
    };
}

/// Checks the checkpoints' signatures, then walks the chain from `from` to its end. A checkpoint not signed by
/// `key` is itself a finding: it was written by someone else.
pub async fn verify_from(
    store: &SqlStore,
    checkpoints: &[Checkpoint],
    key: &VerifyingKey,
    from: Position,
) -> Result<(Result<Intact, Broken>, Position), StorageError> {
    let mut signed = Vec::with_capacity(checkpoints.len());
    for checkpoint in checkpoints {
        match checkpoint.head().filter(|_| checkpoint.is_signed_by(key)) {
            Some(head) => signed.push((checkpoint.last_id, head)),
            None => {
                let broken = Broken {
                    entry: checkpoint.last_id,
                    reason: format!(
                        "the checkpoint of {} for entry {} is not signed by the configured key",
                        checkpoint.signed_at.to_rfc3339(),
                        checkpoint.last_id
                    ),
                };
                return Ok((Err(broken), from));
            }
        }
    }
    let mut walk = ChainWalk::resume(from.last_id, from.hash, from.checked, signed);
    let mut checked = from.checked;
    loop {
        let (after, _) = walk.position();
        let rows = store.audit_chain_after(after).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            if let Err(broken) = walk.step(&row.chain_fields(), row.entry_hash.as_deref()) {
                let (last_id, hash) = walk.position();
                return Ok((
                    Err(broken),
                    Position {
                        last_id,
                        hash,
                        checked,
                    },
                ));
            }
            checked += 1;
        }
    }
    let (last_id, hash) = walk.position();
    Ok((
        walk.finish(),
        Position {
            last_id,
            hash,
            checked,
        },
    ))
}
