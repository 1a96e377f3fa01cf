//! Signed checkpoints, appended to a file outside the database: the Merkle tree's size and root as a C2SP signed
//! note (see [`super::note`]), or, in files written before the tree, the chain's last entry and hash. Someone who
//! can rewrite the database cannot rewrite what was signed before, so a changed, removed or truncated entry up to
//! the last checkpoint is found by verification.

use chrono::{DateTime, SubsecRound, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::Path;

use super::note;
use app::domain::audit_chain::{checkpoint_message, Anchor, Hash};

/// One line of the checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Checkpoint {
    /// A signed tree head: the whole signed note.
    Tree { note: String },
    /// The chain's head, as checkpoints were signed before the tree; still verified.
    Chain(ChainCheckpoint),
}

impl Checkpoint {
    /// The last entry the checkpoint claims to cover, before its signature is checked.
    pub fn covers(&self) -> i64 {
        match self {
            Self::Tree { note } => note
                .lines()
                .nth(1)
                .and_then(|size| size.parse().ok())
                .unwrap_or(0),
            Self::Chain(chain) => chain.last_id,
        }
    }

    /// What the checkpoint vouches for, once its signatures by `key` are checked; why not, otherwise.
    pub fn anchor(&self, key: &VerifyingKey) -> Result<Anchor, String> {
        match self {
            Self::Tree { note } => {
                let checkpoint = note::open(note, key, None).map_err(|error| {
                    format!(
                        "the checkpoint for entry {} is refused: {error}",
                        self.covers()
                    )
                })?;
                Ok(Anchor::Root {
                    size: i64::try_from(checkpoint.size).unwrap_or(i64::MAX),
                    root: checkpoint.root,
                })
            }
            Self::Chain(chain) => match chain.head().filter(|_| chain.is_signed_by(key)) {
                Some(hash) => Ok(Anchor::Head {
                    last_id: chain.last_id,
                    hash,
                }),
                None => Err(format!(
                    "the checkpoint of {} for entry {} is not signed by the configured key",
                    chain.signed_at.to_rfc3339(),
                    chain.last_id
                )),
            },
        }
    }
}

/// A checkpoint of the chain's head, as signed before the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainCheckpoint {
    /// The id of the chain's last entry when the checkpoint was signed (entries are numbered from 1).
    pub last_id: i64,
    /// Hex SHA-256 of that entry.
    pub head_hash: String,
    pub signed_at: DateTime<Utc>,
    /// Hex of the Ed25519 public key that signed.
    pub public_key: String,
    /// Hex of the Ed25519 signature over [`checkpoint_message`].
    pub signature: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("cannot write the checkpoint file {path}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the checkpoint file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("line {line} of the checkpoint file is not a checkpoint")]
    Malformed { line: usize },
}

impl ChainCheckpoint {
    pub fn sign(key: &SigningKey, last_id: i64, head: &Hash, now: DateTime<Utc>) -> Self {
        let signed_at = now.trunc_subsecs(6);
        let signature = key.sign(&checkpoint_message(
            last_id,
            head,
            signed_at.timestamp_micros(),
        ));
        Self {
            last_id,
            head_hash: hex::encode(head),
            signed_at,
            public_key: hex::encode(key.verifying_key().as_bytes()),
            signature: hex::encode(signature.to_bytes()),
        }
    }

    /// Whether `key` signed exactly this checkpoint. The key comes from the operator, never from the file: a
    /// checkpoint re-signed with another key is refused.
    pub fn is_signed_by(&self, key: &VerifyingKey) -> bool {
        let Some(head) = self.head() else {
            return false;
        };
        let Ok(signature) = hex::decode(&self.signature) else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(&signature) else {
            return false;
        };
        key.verify(
            &checkpoint_message(self.last_id, &head, self.signed_at.timestamp_micros()),
            &signature,
        )
        .is_ok()
    }

    pub fn head(&self) -> Option<Hash> {
        hex::decode(&self.head_hash).ok()?.try_into().ok()
    }
}

/// Appends one checkpoint and flushes it to disk before returning.
/// The checkpoint as one line of the file, without its line break.
pub fn to_line(checkpoint: &Checkpoint) -> Result<String, CheckpointError> {
    serde_json::to_string(checkpoint).map_err(|error| CheckpointError::Write {
        path: String::new(),
        source: std::io::Error::other(error),
    })
}

pub fn append(path: &Path, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
    let failed = |source| CheckpointError::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let mut line = to_line(checkpoint)?;
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(failed)?;
    file.write_all(line.as_bytes()).map_err(failed)?;
    file.sync_data().map_err(failed)
}

/// Every checkpoint in the file, in the order written; no file means none yet.
pub fn read_all(path: &Path) -> Result<Vec<Checkpoint>, CheckpointError> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(CheckpointError::Read {
                path: path.display().to_string(),
                source,
            })
        }
    };
    std::io::BufReader::new(file)
        .lines()
        .enumerate()
        .filter(|(_, line)| !matches!(line, Ok(text) if text.trim().is_empty()))
        .map(|(index, line)| {
            let line = line.map_err(|source| CheckpointError::Read {
                path: path.display().to_string(),
                source,
            })?;
            serde_json::from_str(&line).map_err(|_| CheckpointError::Malformed { line: index + 1 })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn a_checkpoint_verifies_with_its_key_only_and_not_once_changed() {
        let signed = ChainCheckpoint::sign(&key(1), 42, &[7; 32], Utc::now());
        assert!(signed.is_signed_by(&key(1).verifying_key()));
        assert!(!signed.is_signed_by(&key(2).verifying_key()));
        let moved = ChainCheckpoint {
            last_id: 41,
            ..signed.clone()
        };
        assert!(!moved.is_signed_by(&key(1).verifying_key()));
        let rehashed = ChainCheckpoint {
            head_hash: hex::encode([8; 32]),
            ..signed
        };
        assert!(!rehashed.is_signed_by(&key(1).verifying_key()));
    }

    #[test]
    fn checkpoints_are_read_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/checkpoints.jsonl");
        assert!(read_all(&path).unwrap().is_empty());
        let first = Checkpoint::Chain(ChainCheckpoint::sign(&key(1), 1, &[1; 32], Utc::now()));
        let second = Checkpoint::Tree {
            note: note::sign(&key(1), "log.example/a", 5, &[5; 32], Utc::now()),
        };
        append(&path, &first).unwrap();
        append(&path, &second).unwrap();
        assert_eq!(
            read_all(&path).unwrap(),
            vec![first.clone(), second.clone()]
        );
        assert_eq!((first.covers(), second.covers()), (1, 5));
        assert_eq!(
            second.anchor(&key(1).verifying_key()),
            Ok(Anchor::Root {
                size: 5,
                root: [5; 32]
            })
        );
        assert!(second.anchor(&key(2).verifying_key()).is_err());
        std::fs::write(&path, "{\"last_id\": 1}\n").unwrap();
        assert!(matches!(
            read_all(&path),
            Err(CheckpointError::Malformed { line: 1 })
        ));
    }
}
