//! Keeping the audit log tamper-evident while the portal runs: signing checkpoints of the chain's head at least
//! every minute while entries arrive and at shutdown, and verifying the chain against them (all of it at
//! start-up and once a day, each new stretch as it is checkpointed, and on demand).
//!
//! Several instances on one database sign one at a time: the signer holds a lease in the database, writes each
//! checkpoint to its own file and to the database's checkpoint log, and does the verifying; the others copy the
//! checkpoints they find in that log into their own files once the signature checks, so that every instance's file
//! holds every checkpoint and publishes the newest. Verification weighs the file and the database's log together:
//! a checkpoint in either that the key did not sign is a finding, and an entry removed from the database is still
//! caught by the files.

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
/// The job lease of the instance that signs and verifies.
const SIGNER: &str = "audit-signer";

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
    let checkpoints = with_shared_checkpoints(
        store,
        checkpoint::read_all(&settings.checkpoint_path(data_dir))?,
        0,
    )
    .await?;
    let (outcome, reached) =
        verify::verify_from(store, &checkpoints, &key, Position::start()).await?;
    let status = status_of(outcome.as_ref().err(), &reached, now);
    store.record_verification(&status).await?;
    Ok(status)
}

/// The file's checkpoints and those of the database's checkpoint log of more than `from_size` entries that the file
/// lacks (a walk that resumes needs none it has passed). A line there that is not a checkpoint at all is kept as one
/// that nobody signed, so that verification reports it.
pub async fn with_shared_checkpoints(
    store: &SqlStore,
    mut checkpoints: Vec<Checkpoint>,
    from_size: i64,
) -> Result<Vec<Checkpoint>, StorageError> {
    let in_file: std::collections::HashSet<String> = checkpoints
        .iter()
        .filter_map(|known| checkpoint::to_line(known).ok())
        .collect();
    for (_, line) in store.checkpoints_after(from_size).await? {
        if !in_file.contains(&line) {
            checkpoints
                .push(serde_json::from_str(&line).unwrap_or(Checkpoint::Tree { note: line }));
        }
    }
    Ok(checkpoints)
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
    /// Who this instance is in the signer's lease and the checkpoint log.
    owner: String,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The largest checkpoint in this instance's file, signed here or copied from the database's log.
    last_signed: Option<i64>,
    /// How far the database's checkpoint log was read.
    copied_through: i64,
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
            owner: crate::storage::instance_name().to_owned(),
            state: Mutex::new(State {
                last_signed,
                // What the file holds need not be read from the database's log again.
                copied_through: last_signed.unwrap_or(0),
                verified: None,
            }),
        })
    }

    /// Takes or renews the signer's lease: whether this instance signs and verifies now. Three intervals long,
    /// so that one late tick does not hand the signing over.
    async fn lead(&self) -> Result<bool, AuditError> {
        let now = self.clock.now();
        let lease = chrono::Duration::from_std(self.interval * 3)
            .unwrap_or_else(|_| chrono::Duration::minutes(3));
        Ok(self
            .store
            .take_job_lease(SIGNER, &self.owner, now, now + lease)
            .await?)
    }

    /// Hands the signing over at shutdown, so that another instance takes it at its next tick.
    pub async fn step_down(&self) -> Result<(), AuditError> {
        Ok(self.store.release_job_lease(SIGNER, &self.owner).await?)
    }

    /// Copies into this instance's file the checkpoints of the database's log that it lacks, once each is found
    /// signed by the key; one that is not stays out of the file and is reported by verification.
    async fn copy_shared(&self, state: &mut State) -> Result<(), AuditError> {
        let key = self.key.verifying_key();
        for (size, line) in self.store.checkpoints_after(state.copied_through).await? {
            state.copied_through = size;
            if state.last_signed >= Some(size) {
                continue;
            }
            match serde_json::from_str::<Checkpoint>(&line) {
                Ok(shared) if shared.covers() == size && shared.anchor(&key).is_ok() => {
                    checkpoint::append(&self.checkpoint_path, &shared)?;
                    state.last_signed = Some(size);
                }
                _ => tracing::error!(
                    size,
                    "a checkpoint in the database is not signed by the portal's key: not copied"
                ),
            }
        }
        Ok(())
    }

    /// Copies what other instances signed; then, if this instance is the signer, brings the Merkle tree up to the
    /// chain's end and signs a checkpoint of it if it grew since the last one.
    pub async fn checkpoint(&self) -> Result<Option<Checkpoint>, AuditError> {
        let mut state = self.state.lock().await;
        self.copy_shared(&mut state).await?;
        if !self.lead().await? {
            return Ok(None);
        }
        let head = self.store.extend_audit_tree().await?;
        let size = i64::try_from(head.size).unwrap_or(i64::MAX);
        if size == 0 || state.last_signed >= Some(size) {
            return Ok(None);
        }
        let now = self.clock.now();
        let signed = Checkpoint::Tree {
            note: note::sign(&self.key, &self.origin, head.size, &head.root, now),
        };
        // The database's log first: a checkpoint in it and not yet in the file is copied at the next tick, while
        // one in the file alone would be missing from the other instances' files for good.
        self.store
            .record_checkpoint(size, &checkpoint::to_line(&signed)?, &self.owner, now)
            .await?;
        checkpoint::append(&self.checkpoint_path, &signed)?;
        state.last_signed = Some(size);
        state.copied_through = state.copied_through.max(size);
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
        let checkpoints = with_shared_checkpoints(
            &self.store,
            checkpoint::read_all(&self.checkpoint_path)?,
            from.last_id,
        )
        .await?;
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
        // The signer verifies, so that several instances do not each walk the whole log; one that takes the
        // signing over later walks it all after its first checkpoint, since it has verified nothing yet.
        match self.lead().await {
            Ok(true) => {
                if let Err(error) = self.verify(true).await {
                    tracing::error!(%error, "could not verify the audit log at start-up");
                }
            }
            Ok(false) => {}
            Err(error) => tracing::error!(%error, "could not verify the audit log at start-up"),
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
