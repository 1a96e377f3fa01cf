//! The consent jobs. Expiry: a request nobody answered within its window is recorded as expired (state and audit
//! entry, charter §2) within one sweep of the window closing. Endings: the customer is mailed when a grant ends,
//! whatever ended it. Every instance may run them: each is a compare-and-set (on the pending state, on the grant's
//! "told" mark), so each expiry is recorded once, its requester told once, and each end mailed once.

use serde::Deserialize;
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;

use app::ports::{Clock, Storage, StorageError};
use app::usecases::{expire_requests, tell_ended_grants, ENDINGS_BATCH, EXPIRY_BATCH};

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ConsentJobSettings {
    /// `PORTAL_CONSENT_EXPIRY_SWEEP_MILLIS`: how often expired requests and ended grants are looked for (default
    /// 15 s, so an expiry is on record, and an end mailed, well within a minute).
    pub consent_expiry_sweep_millis: u64,
}

impl Default for ConsentJobSettings {
    fn default() -> Self {
        Self {
            consent_expiry_sweep_millis: 15_000,
        }
    }
}

/// Runs until `stop` turns true.
pub async fn run(
    store: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    portal_origin: Arc<str>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(every.max(Duration::from_millis(10)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        let now = clock.now();
        work_through(EXPIRY_BATCH, "consent requests recorded as expired", || {
            expire_requests(store.as_ref(), &portal_origin, now)
        })
        .await;
        work_through(ENDINGS_BATCH, "customers told that a grant ended", || {
            tell_ended_grants(store.as_ref(), &portal_origin, now)
        })
        .await;
    }
}

/// Runs `pass` until it does less than a full batch (a full batch means a backlog, worked through before waiting
/// for the next tick); `done` says what a pass did, for the log.
async fn work_through<F, Fut>(batch: u32, done: &str, mut pass: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<usize, StorageError>>,
{
    loop {
        match pass().await {
            Ok(count) if count >= batch as usize => continue,
            Ok(count) => {
                if count > 0 {
                    tracing::info!(count, "{done}");
                }
                return;
            }
            Err(error) => {
                tracing::error!(%error, "consent job failed: {done}");
                return;
            }
        }
    }
}
