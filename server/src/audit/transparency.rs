//! What anyone may check about the audit log without seeing it: the signed checkpoints of its Merkle tree, and
//! proofs that one tree is a prefix of a later one; and, for a customer's own entries, proofs that each is in a
//! signed tree. Only sizes, hashes and signatures leave through here.

use ed25519_dalek::{SigningKey, VerifyingKey};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::checkpoint::{self, Checkpoint, CheckpointError};
use super::note::{self, TreeCheckpoint};
use super::{keys, AuditError, AuditSettings};
use crate::storage::SqlStore;
use app::domain::audit_chain::entry_hash;
use app::domain::merkle::{self, Hash};
use app::ports::{InclusionCheck, LogProver, PublishedKey, StorageError};

/// The last lines of the checkpoint file are read to find the newest checkpoint, not the whole file: it grows by
/// a line a minute for as long as the portal runs.
const TAIL_BYTES: u64 = 16 * 1024;

#[derive(Debug, Clone)]
pub struct LogTransparency {
    store: SqlStore,
    checkpoint_path: PathBuf,
    key: VerifyingKey,
    signing: SigningKey,
    origin: String,
    /// The last note whose signatures were checked: every access-log page and export reads the newest checkpoint,
    /// which changes once a minute, and checking its two signatures each time would cost more than reading it.
    last_opened: std::sync::Arc<std::sync::Mutex<Option<Published>>>,
}

/// A checkpoint as published: the signed note, and what it says once its signatures are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub note: String,
    pub checkpoint: TreeCheckpoint,
}

impl LogTransparency {
    pub fn new(
        store: SqlStore,
        settings: &AuditSettings,
        data_dir: &Path,
    ) -> Result<Self, AuditError> {
        let signing = keys::load_or_create(settings, data_dir)?;
        Ok(Self {
            store,
            checkpoint_path: settings.checkpoint_path(data_dir),
            key: signing.verifying_key(),
            signing,
            origin: settings.log_origin(),
            last_opened: std::sync::Arc::default(),
        })
    }

    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The key that seals exports (the checkpoints' key; the seal's own domain tag keeps the two uses apart).
    pub fn seal_key(&self) -> &SigningKey {
        &self.signing
    }

    pub async fn entries_with_previous(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(crate::storage::audit::AuditRow, Hash)>, StorageError> {
        self.store.audit_rows_with_previous(ids).await
    }

    fn published(&self, line: &Checkpoint) -> Option<Published> {
        let Checkpoint::Tree { note } = line else {
            return None;
        };
        let mut last = self.last_opened.lock().ok();
        if let Some(known) = last.as_deref().and_then(Option::as_ref) {
            if known.note == *note {
                return Some(known.clone());
            }
        }
        // A line the key did not sign is never handed out: verification reports it instead.
        let published = note::open(note, &self.key, None)
            .ok()
            .map(|checkpoint| Published {
                note: note.clone(),
                checkpoint,
            })?;
        if let Some(last) = last.as_deref_mut() {
            *last = Some(published.clone());
        }
        Some(published)
    }

    /// The newest signed tree head, if the tree was ever checkpointed.
    pub fn latest(&self) -> Result<Option<Published>, CheckpointError> {
        let tail = read_tail(&self.checkpoint_path)?;
        let newest = tail
            .lines()
            .rev()
            .filter_map(|line| serde_json::from_str::<Checkpoint>(line).ok())
            .find_map(|line| self.published(&line));
        match newest {
            Some(found) => Ok(Some(found)),
            // Only chain checkpoints at the end, or a tail cut mid-line: the whole file settles it.
            None => Ok(self.history(0, usize::MAX)?.pop()),
        }
    }

    /// Signed tree heads of at least `from_size` leaves, oldest first, at most `limit`.
    pub fn history(&self, from_size: u64, limit: usize) -> Result<Vec<Published>, CheckpointError> {
        Ok(checkpoint::read_all(&self.checkpoint_path)?
            .iter()
            .filter_map(|line| self.published(line))
            .filter(|published| published.checkpoint.size >= from_size)
            .take(limit)
            .collect())
    }

    pub async fn tree_size(&self) -> Result<u64, StorageError> {
        Ok(self.store.audit_tree_head().await?.size)
    }

    pub async fn consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>, StorageError> {
        self.store.audit_consistency_proof(old, new).await
    }

    /// Inclusion proofs of the entries `ids` (numbered from 1) in the tree of `size` leaves.
    pub async fn inclusion(&self, ids: &[i64], size: u64) -> Result<Vec<Vec<Hash>>, StorageError> {
        let indices: Vec<u64> = ids
            .iter()
            .map(|id| u64::try_from(*id - 1).unwrap_or(u64::MAX))
            .collect();
        self.store.audit_inclusion_proofs(&indices, size).await
    }
}

#[async_trait::async_trait]
impl LogProver for LogTransparency {
    async fn prove_included(&self, ids: &[i64]) -> Result<Option<InclusionCheck>, StorageError> {
        let Some(published) = self
            .latest()
            .map_err(|error| StorageError::Unavailable(Box::new(error)))?
        else {
            return Ok(None);
        };
        let (size, root) = (published.checkpoint.size, published.checkpoint.root);
        let covered: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| *id >= 1 && (*id as u64) <= size)
            .collect();
        let rows = self.entries_with_previous(&covered).await?;
        let paths = self.inclusion(&covered, size).await?;
        let (mut proved, mut failed) = (Vec::new(), Vec::new());
        for ((row, previous), path) in rows.iter().zip(&paths) {
            // The entry is hashed again from its columns, as a customer's own verifier would: a stored hash
            // that no longer matches them proves nothing.
            let hash = entry_hash(previous, &row.chain_fields());
            let holds = row.entry_hash.as_deref() == Some(hash.as_slice())
                && merkle::verify_inclusion(
                    (row.id - 1) as u64,
                    size,
                    &merkle::leaf_hash(&hash),
                    path,
                    &root,
                );
            if holds {
                proved.push(row.id);
            } else {
                failed.push(row.id);
            }
        }
        Ok(Some(InclusionCheck {
            signed_at: published.checkpoint.signed_at,
            size,
            proved,
            failed,
        }))
    }

    fn published_key(&self) -> PublishedKey {
        PublishedKey {
            origin: self.origin.clone(),
            public_key: hex::encode(self.key.as_bytes()),
        }
    }
}

fn read_tail(path: &Path) -> Result<String, CheckpointError> {
    let failed = |source| CheckpointError::Read {
        path: path.display().to_string(),
        source,
    };
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(String::new()),
        Err(error) => return Err(failed(error)),
    };
    let length = file.metadata().map_err(failed)?.len();
    file.seek(SeekFrom::Start(length.saturating_sub(TAIL_BYTES)))
        .map_err(failed)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(failed)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
