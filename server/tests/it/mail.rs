//! Mail: the outbox worker against a real SMTP server (aiosmtpd on loopback) with faults on demand, the `.eml`
//! fallback, notices to many customers, and the customer's and privacy officer's screens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod delivery;
mod faults;
mod notices;
mod pages;
pub mod sink;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use app::domain::{CustomerNumber, EmailAddress, Language};
use app::ports::{
    CustomerId, MailKind, NewCustomer, NewService, OutgoingMail, ServiceKind, Storage, SystemClock,
};
use server::mail::{MailSettings, MailWorker, SmtpTls};
use server::storage::SqlStore;

use crate::support::{Backend, TestDb};

/// Mail settings for a sink on `port`: plain SMTP, and every delay short enough for a test.
pub fn smtp_settings(port: u16) -> MailSettings {
    MailSettings {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: Some(port),
        smtp_tls: SmtpTls::None,
        mail_from: "Portail <portal@portal.example>".into(),
        smtp_timeout_secs: 1,
        mail_batch_size: 10,
        mail_lease_secs: 3,
        mail_poll_millis: 50,
        mail_retry_base_millis: 100,
        mail_retry_max_secs: 1,
        ..MailSettings::default()
    }
}

/// A database with no mail in it yet.
pub struct MailDb {
    pub db: TestDb,
    pub store: SqlStore,
}

impl MailDb {
    pub async fn create(backend: Backend) -> Option<Self> {
        let db = TestDb::create(backend).await?;
        let store = db.store().await;
        Some(Self { db, store })
    }

    /// Starts a worker with `settings`; dropping the returned handle's sender or sending `true` stops it.
    pub fn worker(&self, settings: &MailSettings) -> RunningWorker {
        let worker = MailWorker::new(
            self.store.clone(),
            Arc::new(SystemClock),
            settings,
            self.db.data_dir.path(),
        )
        .expect("worker");
        let (stop, stopped) = watch::channel(false);
        RunningWorker {
            stop,
            task: tokio::spawn(worker.run(stopped)),
        }
    }

    /// Customer number `n` (C-3xxxxx), French when `n` is odd, with a mailbox and, when `n` is even, a backup space.
    pub async fn customer(&self, n: u32) -> CustomerId {
        add_customer(&self.store, n).await
    }

    /// Queues a single transactional message to `to`.
    pub async fn queue(&self, to: &str, subject: &str, body: &str) {
        queue_single(&self.store, to, subject, body).await;
    }

    /// (id, recipient, status, attempts, last error) of every outbox row, in id order.
    pub async fn outbox(&self) -> Vec<(i64, String, String, i32, Option<String>)> {
        let sql = "SELECT id, recipient, status, attempts, last_error FROM outbox ORDER BY id";
        match &self.store {
            SqlStore::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
            SqlStore::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        }
    }

    /// Waits until every outbox row is settled (sent or dead), at most `within`.
    pub async fn settled(
        &self,
        within: Duration,
    ) -> Vec<(i64, String, String, i32, Option<String>)> {
        let settled = eventually(within, || async {
            let rows = self.outbox().await;
            rows.iter().all(|row| row.2 != "queued").then_some(rows)
        })
        .await;
        match settled {
            Some(rows) => rows,
            None => panic!("outbox not settled: {:?}", self.outbox().await),
        }
    }
}

/// Queues a single transactional message to `to`, as a security notice does.
pub async fn queue_single(store: &dyn Storage, to: &str, subject: &str, body: &str) {
    let mail = OutgoingMail {
        kind: MailKind::AccountSecurity,
        to: EmailAddress::parse(to).unwrap(),
        customer: None,
        language: Language::En,
        subject: subject.into(),
        body_text: body.into(),
    };
    store.queue_mail(&mail, chrono::Utc::now()).await.unwrap();
}

/// Customer `n` (C-3nnnnn, customer<n>@example.ch, a mailbox, and a backup space for even `n`).
pub async fn add_customer(store: &SqlStore, n: u32) -> CustomerId {
    let email = customer_email(n);
    let mut services = vec![NewService {
        kind: ServiceKind::Mailbox,
        name: email.clone(),
    }];
    if n.is_multiple_of(2) {
        services.push(NewService {
            kind: ServiceKind::BackupSpace,
            name: format!("backup-{n}"),
        });
    }
    let customer = NewCustomer {
        number: CustomerNumber::parse(&format!("C-{:06}", 300_000 + n)).unwrap(),
        first_name: format!("First{n}"),
        last_name: format!("Last{n}"),
        email: EmailAddress::parse(&email).unwrap(),
        phone: None,
        mobile: None,
        language: if n % 2 == 1 {
            Language::Fr
        } else {
            Language::En
        },
        company: None,
        street: "Rue 1".into(),
        postcode: "1000".into(),
        city: "Lausanne".into(),
        country: "CH".into(),
    };
    store
        .ensure_customer(&customer, &services, chrono::Utc::now())
        .await
        .unwrap()
}

pub fn customer_email(n: u32) -> String {
    format!("customer{n}@example.ch")
}

pub struct RunningWorker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningWorker {
    /// Asks the worker to stop and waits for it, as a graceful shutdown does.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.task.await.expect("worker task");
    }
}

/// Polls `check` until it gives a value, at most `within`.
pub async fn eventually<T, F, Fut>(within: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
