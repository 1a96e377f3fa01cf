//! The consent jobs. Expiry: a request nobody answered within its window is recorded as expired (state and audit
//! entry, charter §2) within one sweep of the window closing. Endings: the customer is mailed when a grant ends,
//! whatever ended it. Limits: a grant reaching its time limit becomes a `grant.expired` event for the
//! infrastructure. Reminders: a customer who has not looked at a pending request is reminded once, half-way through
//! its window. Every instance may run them: each is a compare-and-set (on the pending state, on the grant's "told"
//! and "published" marks, on the request's "reminded" mark), so each happens once.

use serde::Deserialize;
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;

use app::ports::{Clock, Storage, StorageError};
use app::usecases::{
    expire_requests, publish_grant_limits, remind_of_requests, tell_ended_grants, ENDINGS_BATCH,
    EXPIRY_BATCH, TIMERS_BATCH,
};

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ConsentJobSettings {
    /// `PORTAL_CONSENT_EXPIRY_SWEEP_MILLIS`: how often expired requests, ended grants, grant limits and due
    /// reminders are looked for (default 2 s: a grant's end by the clock reaches the infrastructure within a few
    /// seconds of its limit; each sweep is four indexed reads when there is nothing to do).
    pub consent_expiry_sweep_millis: u64,
}

impl Default for ConsentJobSettings {
    fn default() -> Self {
        Self {
            consent_expiry_sweep_millis: 2_000,
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
        work_through(TIMERS_BATCH, "grant limits published as events", || {
            publish_grant_limits(store.as_ref(), now)
        })
        .await;
        work_through(ENDINGS_BATCH, "customers told that a grant ended", || {
            tell_ended_grants(store.as_ref(), &portal_origin, now)
        })
        .await;
        work_through(
            TIMERS_BATCH,
            "customers reminded of a pending request",
            || remind_of_requests(store.as_ref(), &portal_origin, now),
        )
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
