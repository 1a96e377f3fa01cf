//! Backing up the portal's own database (not the customers' backups of charter §6, which the portal only
//! schedules for destruction). A copy of the database is only worth keeping with the checkpoints that prove its
//! audit log, so a backup is two files: the database, and the checkpoint file as it stood just before the copy.
//!
//! The order matters. Entries are appended and never changed, and a checkpoint is signed over entries already
//! committed; so every checkpoint in a checkpoint file copied *before* the database covers entries that the copy
//! holds. Copied after, the file could name entries the copy lacks, and the restored log would look truncated.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::audit::{self, checkpoint, verify, AuditError};
use crate::settings::Settings;
use crate::storage::{ConnectError, SqlStore};

#[derive(Debug, thiserror::Error)]
pub enum OwnBackupError {
    #[error(
        "the database is PostgreSQL: back it up with pg_dump, after copying the audit checkpoint file \
         (README: \"Backing up the portal itself\")"
    )]
    UsePgDump,
    #[error("{0} already exists: a backup never overwrites a file")]
    Exists(PathBuf),
    #[error("cannot copy the audit checkpoint file {path}")]
    Checkpoints {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("cannot write the copy of the database to {path}")]
    Copy {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error("the copy's audit log failed verification at entry {entry}: {reason}")]
    Broken { entry: i64, reason: String },
}

/// What a finished backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnBackup {
    pub database: PathBuf,
    pub checkpoints: PathBuf,
    pub audit_entries: i64,
    /// The last entry a copied checkpoint signs; entries after it are chained but wait for a checkpoint.
    pub signed_through: i64,
}

impl std::fmt::Display for OwnBackup {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            out,
            "portal backed up to {} with its audit checkpoints in {}: {} audit entries verified, signed through \
             entry {}; the signing key is not in the backup",
            self.database.display(),
            self.checkpoints.display(),
            self.audit_entries,
            self.signed_through,
        )
    }
}

/// Where the checkpoints of a backup written to `database` go.
pub fn checkpoints_beside(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".checkpoints.jsonl");
    PathBuf::from(name)
}

/// Copies the SQLite database online (readers and writers go on) to `to`, with its checkpoints beside it, and
/// verifies the copy's audit log against them before calling it a backup.
pub async fn back_up(settings: &Settings, to: &Path) -> Result<OwnBackup, OwnBackupError> {
    let url = settings.database_url();
    if !url.expose_secret().starts_with("sqlite:") {
        return Err(OwnBackupError::UsePgDump);
    }
    let checkpoints_copy = checkpoints_beside(to);
    for path in [to, checkpoints_copy.as_path()] {
        if path.exists() {
            return Err(OwnBackupError::Exists(path.to_owned()));
        }
    }
    copy_checkpoints(
        &settings.audit.checkpoint_path(&settings.data_dir),
        &checkpoints_copy,
    )?;
    let store = SqlStore::connect(&url, 1).await?;
    let copied = store.copy_sqlite_into(to).await;
    store.close().await;
    copied.map_err(|source| OwnBackupError::Copy {
        path: to.to_owned(),
        source,
    })?;
    let key = audit::keys::load(&settings.audit, &settings.data_dir)
        .map_err(AuditError::from)?
        .verifying_key();
    let copied = checkpoint::read_all(&checkpoints_copy).map_err(AuditError::from)?;
    let signed_through = copied.last().map_or(0, checkpoint::Checkpoint::covers);
    let copy_url = SecretString::from(format!("sqlite://{}", to.display()));
    let copy = SqlStore::connect(&copy_url, 1).await?;
    let verified = async {
        let checkpoints = audit::with_shared_checkpoints(&copy, copied, 0).await?;
        verify::verify_from(&copy, &checkpoints, &key, verify::Position::start()).await
    }
    .await;
    copy.close().await;
    let (outcome, reached) = verified.map_err(AuditError::from)?;
    if let Err(broken) = outcome {
        return Err(OwnBackupError::Broken {
            entry: broken.entry,
            reason: broken.reason,
        });
    }
    Ok(OwnBackup {
        database: to.to_owned(),
        checkpoints: checkpoints_copy,
        audit_entries: reached.checked,
        signed_through,
    })
}

/// A portal that never signed a checkpoint has no file yet; its backup gets an empty one, so that a restore
/// always has a file to put in place.
fn copy_checkpoints(from: &Path, to: &Path) -> Result<(), OwnBackupError> {
    let copied = match std::fs::copy(from, to) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            std::fs::write(to, b"").map(|()| 0)
        }
        other => other,
    };
    copied
        .map(drop)
        .map_err(|source| OwnBackupError::Checkpoints {
            path: from.to_owned(),
            source,
        })
}
