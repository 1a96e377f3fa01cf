//! How webhooks are delivered.

use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct WebhookSettings {
    /// `PORTAL_WEBHOOK_WORKER`: whether this instance delivers webhooks (every instance may: deliveries are leased).
    pub webhook_worker: bool,
    /// How many deliveries one lease takes, and how many of them are sent at once.
    pub webhook_batch_size: u32,
    pub webhook_concurrency: usize,
    /// How often the worker looks for deliveries another instance queued (this instance's own wake it at once).
    pub webhook_poll_millis: u64,
    /// How long a receiver has to answer.
    pub webhook_timeout_secs: u64,
    /// How long a worker holds what it leased; another instance takes it up after that if the worker died.
    pub webhook_lease_secs: u64,
    /// Back-off between attempts: doubled from the base up to the cap, with jitter.
    pub webhook_retry_base_millis: u64,
    pub webhook_retry_max_secs: u64,
    /// After this many failed attempts a delivery is dead-lettered.
    pub webhook_max_attempts: u32,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            webhook_worker: true,
            webhook_batch_size: 64,
            webhook_concurrency: 16,
            webhook_poll_millis: 500,
            webhook_timeout_secs: 10,
            webhook_lease_secs: 60,
            webhook_retry_base_millis: 10_000,
            webhook_retry_max_secs: 3_600,
            // About a day and a half of retries with the defaults.
            webhook_max_attempts: 12,
        }
    }
}

impl WebhookSettings {
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.webhook_poll_millis.max(10))
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.webhook_timeout_secs.max(1))
    }

    pub fn lease(&self) -> Duration {
        Duration::from_secs(
            self.webhook_lease_secs
                .max(2 * self.webhook_timeout_secs.max(1)),
        )
    }
}
