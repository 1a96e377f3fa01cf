//! The mail worker: a task of the server that leases due messages from the outbox, sends them one after the other
//! and settles each as soon as the relay answered. Killed at any point, it loses nothing: what it leased and did
//! not settle is taken up again when the lease runs out, so at most the one message it was sending goes out twice
//! (with the same Message-ID). Asked to stop, it finishes the message in flight and gives the rest of its batch back.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

use app::domain::Language;
use app::ports::{Clock, StorageError};

use super::backoff::retry_delay;
use super::compose::{compose, Sender};
use super::deliver::{Delivery, DeliveryError, DeliverySetupError};
use super::settings::MailSettings;
use crate::storage::mail::outbox::{LeasedMail, NoticeBody};
use crate::storage::SqlStore;

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("mail_from: not a mailbox: {0}")]
    Sender(String),
    #[error(transparent)]
    Delivery(#[from] DeliverySetupError),
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Settled,
    /// The relay is unreachable: the rest of the batch waits too.
    RelayDown(String),
}

/// Notices are immutable and shared by many messages: their bodies are read once per language.
const NOTICE_CACHE_SIZE: usize = 64;

#[derive(Debug)]
pub struct MailWorker {
    store: SqlStore,
    clock: Arc<dyn Clock>,
    delivery: Delivery,
    sender: Sender,
    settings: MailSettings,
    owner: String,
    notices: Mutex<HashMap<(i64, Language), NoticeBody>>,
    counters: crate::metrics::MailCounters,
}

impl MailWorker {
    pub fn new(
        store: SqlStore,
        clock: Arc<dyn Clock>,
        settings: &MailSettings,
        data_dir: &Path,
    ) -> Result<Self, MailSetupError> {
        let sender = Sender::parse(&settings.mail_from).map_err(MailSetupError::Sender)?;
        let delivery = Delivery::from_settings(settings, data_dir)?;
        let owner = crate::storage::lease_owner();
        Ok(Self {
            store,
            clock,
            delivery,
            sender,
            settings: settings.clone(),
            owner,
            notices: Mutex::new(HashMap::new()),
            counters: crate::metrics::MailCounters::default(),
        })
    }

    /// Counts what it sends, retries and gives up on into `counters` (the portal's metrics).
    #[must_use]
    pub fn counting_into(mut self, counters: crate::metrics::MailCounters) -> Self {
        self.counters = counters;
        self
    }

    /// Who this worker is in the outbox's lease columns.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Sends until `stop` turns true (or its sender goes away), then returns once the message in flight is settled.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let into_files = matches!(self.delivery, Delivery::Files(_));
        tracing::info!(owner = %self.owner, into_files, "mail worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            let idle = match self.drain_once(&stop).await {
                Ok(leased) => leased == 0,
                Err(error) => {
                    tracing::error!(%error, "mail worker: the outbox is unavailable");
                    true
                }
            };
            if idle {
                tokio::select! {
                    () = tokio::time::sleep(self.settings.poll_interval()) => {}
                    _ = stop.wait_for(|stop| *stop) => break,
                }
            }
        }
        tracing::info!(owner = %self.owner, "mail worker stopped");
    }

    /// Leases one batch of due messages and sends them; returns how many it leased.
    pub async fn drain_once(&self, stop: &watch::Receiver<bool>) -> Result<usize, StorageError> {
        let now = self.clock.now();
        let lease = chrono::Duration::from_std(self.settings.lease())
            .unwrap_or_else(|_| chrono::Duration::minutes(2));
        let timeout = chrono::Duration::from_std(self.settings.smtp_timeout())
            .unwrap_or_else(|_| chrono::Duration::seconds(10));
        let lease_until = now + lease;
        let batch = self
            .store
            .lease_mail(&self.owner, self.settings.mail_batch_size, now, lease_until)
            .await?;
        let mut rest = batch.iter();
        while let Some(mail) = rest.next() {
            let now = self.clock.now();
            // Stopping, or too close to the lease's end to be sure of finishing before another worker may take it.
            if *stop.borrow() || lease_until - now <= timeout {
                for untried in std::iter::once(mail).chain(rest.by_ref()) {
                    self.store
                        .release_mail(untried.id, &self.owner, now)
                        .await?;
                }
                break;
            }
            if let Outcome::RelayDown(reason) = self.send_one(mail).await? {
                for waiting in rest.by_ref() {
                    self.retry_later(waiting, &reason).await?;
                }
                break;
            }
        }
        Ok(batch.len())
    }

    async fn send_one(&self, mail: &LeasedMail) -> Result<Outcome, StorageError> {
        let notice = match mail.notice_id {
            Some(id) => self.notice(id, mail.language).await?,
            None => None,
        };
        let message = match compose(mail, notice.as_ref(), &self.sender) {
            Ok(message) => message,
            Err(error) => {
                self.dead(mail, &error.to_string()).await?;
                return Ok(Outcome::Settled);
            }
        };
        match self.delivery.deliver(mail.id, &message).await {
            Ok(()) => {
                self.counters.sent.inc();
                let now = self.clock.now();
                if self.store.mark_mail_sent(mail.id, &self.owner, now).await? {
                    tracing::info!(outbox = mail.id, kind = mail.kind.as_str(), "mail sent");
                } else {
                    tracing::warn!(
                        outbox = mail.id,
                        "mail sent after its lease ran out: it may go out twice"
                    );
                }
                Ok(Outcome::Settled)
            }
            Err(error @ DeliveryError::Permanent(_)) => {
                self.dead(mail, &error.to_string()).await?;
                Ok(Outcome::Settled)
            }
            Err(error @ DeliveryError::Transient(_)) => {
                self.retry_later(mail, &error.to_string()).await?;
                Ok(Outcome::Settled)
            }
            Err(error @ DeliveryError::Unreachable(_)) => {
                let reason = error.to_string();
                self.retry_later(mail, &reason).await?;
                Ok(Outcome::RelayDown(reason))
            }
        }
    }

    async fn retry_later(&self, mail: &LeasedMail, reason: &str) -> Result<(), StorageError> {
        let attempts = mail.attempts + 1;
        if attempts >= self.settings.mail_max_attempts {
            let reason = format!("gave up after {attempts} attempts; last: {reason}");
            return self.dead(mail, &reason).await;
        }
        let delay = retry_delay(
            attempts,
            std::time::Duration::from_millis(self.settings.mail_retry_base_millis),
            std::time::Duration::from_secs(self.settings.mail_retry_max_secs),
            rand::random::<f64>(),
        );
        let next = self.clock.now()
            + chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::hours(1));
        tracing::warn!(outbox = mail.id, attempts, %reason, retry_at = %next, "mail not sent; will retry");
        self.store
            .retry_mail_later(mail.id, &self.owner, next, reason)
            .await?;
        self.counters.retried.inc();
        Ok(())
    }

    async fn dead(&self, mail: &LeasedMail, reason: &str) -> Result<(), StorageError> {
        tracing::error!(outbox = mail.id, kind = mail.kind.as_str(), %reason, "mail dead-lettered");
        let now = self.clock.now();
        self.store
            .mark_mail_dead(mail.id, &self.owner, now, reason)
            .await?;
        self.counters.dead_lettered.inc();
        Ok(())
    }

    async fn notice(
        &self,
        id: i64,
        language: Language,
    ) -> Result<Option<NoticeBody>, StorageError> {
        if let Some(body) = self.cached(id, language) {
            return Ok(Some(body));
        }
        let body = self.store.notice_body(id, language).await?;
        if let (Some(body), Ok(mut cache)) = (&body, self.notices.lock()) {
            if cache.len() >= NOTICE_CACHE_SIZE {
                cache.clear();
            }
            cache.insert((id, language), body.clone());
        }
        Ok(body)
    }

    fn cached(&self, id: i64, language: Language) -> Option<NoticeBody> {
        self.notices.lock().ok()?.get(&(id, language)).cloned()
    }
}
