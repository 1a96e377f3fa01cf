//! Keeping the audit log tamper-evident while the portal runs: signing checkpoints of the chain's head at least
//! every minute while entries arrive and at shutdown, and verifying the chain against them (all of it at
//! start-up and once a day, each new stretch as it is checkpointed, and on demand).

pub mod checkpoint;
pub mod export_proof;
pub mod keys;
pub mod note;
mod settings;
pub mod transparency;
pub mod verify;

use async_trait::async_trait;
use ed25519_dalek::SigningKey;
use std::{path::PathBuf, sync::Arc, time::Duration};
use tokio::sync::{watch, Mutex};

pub use settings::AuditSettings;

use crate::storage::SqlStore;
use app::ports::{
    AuditLog, AuditVerifier, Clock, StorageError, VerificationProblem, VerificationStatus,
};
use checkpoint::{Checkpoint, CheckpointError};
use verify::Position;

const FULL_VERIFICATION_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What `audit-verify` reports when the chain is not intact.
#[derive(Debug, thiserror::Error)]
#[error("the audit log failed verification at entry {entry}")]
pub struct Tampered {
    pub entry: i64,
}

/// Verifies the whole stored chain against the checkpoint file with the configured key's public half, or with
/// `public_key` (hex) when given, and records the outcome.
pub async fn verify_stored(
    store: &SqlStore,
    settings: &AuditSettings,
    data_dir: &std::path::Path,
    public_key: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<VerificationStatus, AuditError> {
    let key = match public_key {
        Some(hex_key) => keys::parse_public_key(hex_key)?,
        None => keys::load(settings, data_dir)?.verifying_key(),
    };
    let checkpoints = checkpoint::read_all(&settings.checkpoint_path(data_dir))?;
    let (outcome, reached) =
        verify::verify_from(store, &checkpoints, &key, Position::start()).await?;
    let status = status_of(outcome.as_ref().err(), &reached, now);
    store.record_verification(&status).await?;
    Ok(status)
}

fn status_of(
    broken: Option<&app::domain::audit_chain::Broken>,
    reached: &Position,
    now: chrono::DateTime<chrono::Utc>,
) -> VerificationStatus {
    VerificationStatus {
        finished_at: now,
        verified_through: reached.last_id,
        entries_checked: reached.checked,
        problem: broken.map(|broken| VerificationProblem {
            entry: broken.entry,
            reason: broken.reason.clone(),
        }),
    }
}

#[derive(Debug)]
pub struct Auditor {
    store: SqlStore,
    clock: Arc<dyn Clock>,
    key: SigningKey,
    origin: String,
    checkpoint_path: PathBuf,
    interval: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    last_signed: Option<i64>,
    /// How far the chain was found intact, so that the next run only walks what came after.
    verified: Option<Position>,
}

impl Auditor {
    pub fn new(
        store: SqlStore,
        clock: Arc<dyn Clock>,
        settings: &AuditSettings,
        data_dir: &std::path::Path,
    ) -> Result<Self, AuditError> {
        let key = keys::load_or_create(settings, data_dir)?;
        let checkpoint_path = settings.checkpoint_path(data_dir);
        let last_signed = checkpoint::read_all(&checkpoint_path)?
            .last()
            .map(Checkpoint::covers);
        Ok(Self {
            store,
            clock,
            key,
            origin: settings.log_origin(),
            checkpoint_path,
            interval: Duration::from_secs(settings.audit_checkpoint_secs),
            state: Mutex::new(State {
                last_signed,
                verified: None,
            }),
        })
    }

    /// Brings the Merkle tree up to the chain's end, then signs and writes a checkpoint of it if it grew since the
    /// last one.
    pub async fn checkpoint(&self) -> Result<Option<Checkpoint>, AuditError> {
        let mut state = self.state.lock().await;
        let head = self.store.extend_audit_tree().await?;
        let size = i64::try_from(head.size).unwrap_or(i64::MAX);
        if size == 0 || state.last_signed >= Some(size) {
            return Ok(None);
        }
        let signed = Checkpoint::Tree {
            note: note::sign(
                &self.key,
                &self.origin,
                head.size,
                &head.root,
                self.clock.now(),
            ),
        };
        checkpoint::append(&self.checkpoint_path, &signed)?;
        state.last_signed = Some(size);
        Ok(Some(signed))
    }

    /// Verifies what was not verified yet (everything, the first time, or when `full`), records the outcome and
    /// returns it.
    pub async fn verify(&self, full: bool) -> Result<VerificationStatus, AuditError> {
        let mut state = self.state.lock().await;
        let from = match &state.verified {
            Some(position) if !full => position.clone(),
            _ => Position::start(),
        };
        let checkpoints = checkpoint::read_all(&self.checkpoint_path)?;
        let (outcome, reached) =
            verify::verify_from(&self.store, &checkpoints, &self.key.verifying_key(), from).await?;
        let status = status_of(outcome.as_ref().err(), &reached, self.clock.now());
        state.verified = match outcome {
            Ok(_) => Some(reached),
            // Walk again from the start next time: the finding must not be skipped over.
            Err(broken) => {
                tracing::error!(entry = broken.entry, reason = %broken.reason, "the audit log failed verification");
                None
            }
        };
        self.store.record_verification(&status).await?;
        Ok(status)
    }

    /// Checkpoints and verifies every interval until `stop` turns true; the caller signs the last checkpoint once
    /// the requests in flight are done (see [`Auditor::checkpoint`]).
    pub async fn run(&self, mut stop: watch::Receiver<bool>) {
        if let Err(error) = self.verify(true).await {
            tracing::error!(%error, "could not verify the audit log at start-up");
        }
        let mut ticks = tokio::time::interval(self.interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut full_due = tokio::time::Instant::now() + FULL_VERIFICATION_EVERY;
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
            match self.checkpoint().await {
                Ok(Some(_)) => {
                    let full = tokio::time::Instant::now() >= full_due;
                    if full {
                        full_due = tokio::time::Instant::now() + FULL_VERIFICATION_EVERY;
                    }
                    if let Err(error) = self.verify(full).await {
                        tracing::error!(%error, "could not verify the audit log");
                    }
                }
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "could not sign an audit checkpoint"),
            }
        }
    }
}

#[async_trait]
impl AuditVerifier for Auditor {
    async fn verify_now(&self) -> Result<VerificationStatus, StorageError> {
        self.verify(false).await.map_err(|error| match error {
            AuditError::Storage(error) => error,
            other => StorageError::Unavailable(Box::new(other)),
        })
    }
}
