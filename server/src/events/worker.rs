//! The webhook worker: a task of the server that leases due deliveries, posts them concurrently, and records every
//! attempt. Woken at once by this instance's own changes, and every poll interval for other instances'. Killed at
//! any point it loses nothing: what it leased and did not settle is taken up again when the lease runs out, so a
//! delivery may arrive twice, always with the same `webhook-id` (receivers drop the second). A receiver that does
//! not answer 2xx is retried with back-off, then the delivery is dead-lettered.

use chrono::{DateTime, Utc};
use futures_util::{stream, StreamExt};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::watch;

use app::ports::{Clock, StorageError};

use super::settings::WebhookSettings;
use super::signature::sign;
use crate::mail::backoff::retry_delay;
use crate::storage::events::deliveries::{Attempt, LeasedDelivery, Settlement};
use crate::storage::events::on_events_written;
use crate::storage::SqlStore;

#[derive(Debug, thiserror::Error)]
#[error("cannot build the webhook HTTP client")]
pub struct WebhookSetupError(#[source] reqwest::Error);

#[derive(Debug)]
pub struct WebhookWorker {
    store: SqlStore,
    clock: Arc<dyn Clock>,
    client: reqwest::Client,
    settings: WebhookSettings,
    owner: String,
}

/// What one post came to, before it is settled.
struct Sent {
    http_status: Option<u16>,
    error: Option<String>,
    millis: i64,
}

impl WebhookWorker {
    pub fn new(
        store: SqlStore,
        clock: Arc<dyn Clock>,
        settings: &WebhookSettings,
    ) -> Result<Self, WebhookSetupError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout())
            .connect_timeout(settings.timeout())
            // A receiver's redirect is not followed: the signed body goes to the registered address only.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("privacy-portal-webhooks/1")
            .build()
            .map_err(WebhookSetupError)?;
        let owner = crate::storage::lease_owner();
        Ok(Self {
            store,
            clock,
            client,
            settings: settings.clone(),
            owner,
        })
    }

    /// Delivers until `stop` turns true, then returns once the batch in flight is settled.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut written = on_events_written();
        tracing::info!(owner = %self.owner, "webhook worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            written.borrow_and_update();
            let idle = match self.drain_once().await {
                Ok(leased) => leased == 0,
                Err(error) => {
                    tracing::error!(%error, "webhook worker: the event outbox is unavailable");
                    true
                }
            };
            if idle {
                tokio::select! {
                    () = tokio::time::sleep(self.settings.poll_interval()) => {}
                    _ = written.changed() => {}
                    _ = stop.wait_for(|stop| *stop) => break,
                }
            }
        }
        tracing::info!(owner = %self.owner, "webhook worker stopped");
    }

    /// Leases one batch of due deliveries, posts them and settles them; returns how many it leased.
    pub async fn drain_once(&self) -> Result<usize, StorageError> {
        let now = self.clock.now();
        let lease = chrono::Duration::from_std(self.settings.lease())
            .unwrap_or_else(|_| chrono::Duration::minutes(1));
        let batch = self
            .store
            .lease_deliveries(
                &self.owner,
                self.settings.webhook_batch_size,
                now,
                now + lease,
            )
            .await?;
        let leased = batch.len();
        let client = self.client.clone();
        let clock = self.clock.clone();
        // Owned values only: the futures run concurrently and must not borrow the worker.
        let sent: Vec<(LeasedDelivery, Sent)> = stream::iter(batch)
            .map(move |delivery| post(client.clone(), clock.now().timestamp(), delivery))
            .buffer_unordered(self.settings.webhook_concurrency.max(1))
            .collect()
            .await;
        let attempts: Vec<Attempt> = sent
            .into_iter()
            .map(|(delivery, sent)| self.settle(&delivery, sent))
            .collect();
        self.store.settle_deliveries(&self.owner, &attempts).await?;
        Ok(leased)
    }

    fn settle(&self, delivery: &LeasedDelivery, sent: Sent) -> Attempt {
        let at = self.clock.now();
        let settlement = if sent.error.is_none() {
            Settlement::Delivered
        } else {
            self.after_failure(delivery, at)
        };
        match &settlement {
            Settlement::Delivered => {
                tracing::debug!(
                    delivery = delivery.id,
                    event = delivery.event_id,
                    "webhook delivered"
                );
            }
            Settlement::RetryAt(next) => {
                tracing::warn!(delivery = delivery.id, error = ?sent.error, retry_at = %next, "webhook not delivered; will retry");
            }
            Settlement::Dead => {
                tracing::error!(delivery = delivery.id, error = ?sent.error, "webhook dead-lettered");
            }
        }
        Attempt {
            delivery: delivery.id,
            at,
            http_status: sent.http_status,
            error: sent.error,
            millis: sent.millis,
            settlement,
        }
    }

    fn after_failure(&self, delivery: &LeasedDelivery, at: DateTime<Utc>) -> Settlement {
        let attempts = u32::try_from(delivery.attempts).unwrap_or_default() + 1;
        if attempts >= self.settings.webhook_max_attempts {
            return Settlement::Dead;
        }
        let delay = retry_delay(
            attempts,
            std::time::Duration::from_millis(self.settings.webhook_retry_base_millis),
            std::time::Duration::from_secs(self.settings.webhook_retry_max_secs),
            rand::random::<f64>(),
        );
        Settlement::RetryAt(
            at + chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::hours(1)),
        )
    }
}

/// Posts one delivery, signed as of `timestamp`.
async fn post(
    client: reqwest::Client,
    timestamp: i64,
    delivery: LeasedDelivery,
) -> (LeasedDelivery, Sent) {
    let id = format!("evt_{}", delivery.event_id);
    let started = Instant::now();
    let signature = match sign(
        &delivery.secret,
        &id,
        timestamp,
        delivery.payload.as_bytes(),
    ) {
        Ok(signature) => signature,
        Err(error) => {
            let sent = Sent {
                http_status: None,
                error: Some(error.to_string()),
                millis: 0,
            };
            return (delivery, sent);
        }
    };
    let answer = client
        .post(&delivery.url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(delivery.payload.clone())
        .send()
        .await;
    let millis = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let sent = match answer {
        Ok(response) if response.status().is_success() => Sent {
            http_status: Some(response.status().as_u16()),
            error: None,
            millis,
        },
        Ok(response) => Sent {
            http_status: Some(response.status().as_u16()),
            error: Some(format!("the receiver answered {}", response.status())),
            millis,
        },
        Err(error) => Sent {
            http_status: None,
            error: Some(describe(&error)),
            millis,
        },
    };
    (delivery, sent)
}

/// What went wrong, without the receiver's address (the page and log show it beside).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer within the time-out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        "the request failed".into()
    }
}
