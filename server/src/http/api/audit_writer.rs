//! Group commit for the audit entries of access checks. Every check waits until its entry is stored before it
//! answers, and a transaction per check would cap the API at the database's commit rate; so one task takes every
//! entry waiting at that moment, stores them in one transaction, and then releases each waiting check. Under load
//! the batches grow by themselves; when idle, an entry is written alone and at once.
//!
//! One task writes, on PostgreSQL too: several were measured (access_checks bench) and only added contention for
//! the two cores without shortening the wait.

use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

use app::ports::{AuditEntry, Storage, StorageError};
use app::usecases::AuditSink;

/// Checks waiting beyond this wait for room in the queue: back-pressure instead of unbounded memory.
const QUEUE_CAPACITY: usize = 8192;
/// Bounds one transaction, so that the first entry of a batch is not held back for long by the last.
const MAX_BATCH: usize = 512;

#[derive(Debug, Clone)]
pub struct AuditWriter {
    queue: mpsc::Sender<Pending>,
}

#[derive(Debug)]
struct Pending {
    entry: AuditEntry,
    written: oneshot::Sender<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditWriteError {
    #[error("the audit writer has stopped")]
    Stopped,
    #[error("the audit entries could not be stored")]
    NotStored,
}

impl AuditWriter {
    /// Starts the writer task, which ends once every clone of the writer is gone and the queue is drained.
    pub fn spawn(store: Arc<dyn Storage>) -> Self {
        let (queue, incoming) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(write_batches(store, incoming));
        Self { queue }
    }

    /// Returns once the entry is committed; an error means it was not, and the access must not be allowed.
    pub async fn record(&self, entry: AuditEntry) -> Result<(), AuditWriteError> {
        let (written, done) = oneshot::channel();
        self.queue
            .send(Pending { entry, written })
            .await
            .map_err(|_| AuditWriteError::Stopped)?;
        match done.await {
            Ok(true) => Ok(()),
            Ok(false) => Err(AuditWriteError::NotStored),
            Err(_) => Err(AuditWriteError::Stopped),
        }
    }
}

#[async_trait]
impl AuditSink for AuditWriter {
    async fn record(&self, entry: AuditEntry) -> Result<(), StorageError> {
        Self::record(self, entry)
            .await
            .map_err(|error| StorageError::Unavailable(Box::new(error)))
    }
}

async fn write_batches(store: Arc<dyn Storage>, mut incoming: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while incoming.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (entries, waiters): (Vec<AuditEntry>, Vec<oneshot::Sender<bool>>) = batch
            .drain(..)
            .map(|pending| (pending.entry, pending.written))
            .unzip();
        let stored = match store.record_audit(&entries).await {
            Ok(()) => true,
            Err(error) => {
                tracing::error!(%error, entries = entries.len(), "audit entries not stored: their checks are refused");
                false
            }
        };
        for waiter in waiters {
            // A waiter that is gone had its request cancelled; the entry is stored all the same.
            let _ = waiter.send(stored);
        }
    }
}
