//! The consent-expiry job: a request nobody answered within its window is recorded as expired (state and audit
//! entry, charter §2) within one sweep of the window closing. Every instance may run it: recording is a
//! compare-and-set on the pending state, so each expiry is recorded once, and its requester told once.

use serde::Deserialize;
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;

use app::ports::{Clock, Storage};
use app::usecases::{expire_requests, EXPIRY_BATCH};

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ConsentJobSettings {
    /// `PORTAL_CONSENT_EXPIRY_SWEEP_MILLIS`: how often expired requests are looked for (default 15 s, so an expiry
    /// is on record well within a minute of the window closing).
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
        // A full batch means a backlog: work through it before waiting for the next tick.
        loop {
            match expire_requests(store.as_ref(), &portal_origin, clock.now()).await {
                Ok(recorded) if recorded >= EXPIRY_BATCH as usize => continue,
                Ok(recorded) => {
                    if recorded > 0 {
                        tracing::info!(recorded, "consent requests recorded as expired");
                    }
                    break;
                }
                Err(error) => {
                    tracing::error!(%error, "could not record expired consent requests");
                    break;
                }
            }
        }
    }
}
