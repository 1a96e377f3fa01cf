//! Storage on SQLite or PostgreSQL behind the application's one `Storage` trait.
//!
//! Each query is written once, in the SQL both databases accept (`$n` parameters, `RETURNING`, `ON CONFLICT`), and
//! [`on_pool!`] compiles it for both pool types; only connection set-up and the way a write transaction begins
//! differ per backend.

mod accounts;
pub mod audit;
mod backups;
pub mod charter;
mod consent;
mod customers;
mod dashboard;
mod directory;
pub mod events;
pub(crate) mod held;
mod invitations;
mod jobs;
pub mod mail;
pub mod my_data;
pub mod operations;
mod rows;
mod sessions;
mod staff;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};
use std::{str::FromStr, time::Duration};

use app::ports::{Storage, StorageError};

/// Runs `$body` with `$pool` bound to whichever pool the store holds. The body is compiled once per backend.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::storage::SqlStore::Sqlite($pool) => $body,
            $crate::storage::SqlStore::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` in a write transaction bound to `$tx`, committing when the body succeeds. An early return by `?`
/// drops the transaction, which rolls it back: nothing is half-written.
macro_rules! in_write_tx {
    ($store:expr, $tx:ident => $body:expr) => {
        match $store {
            $crate::storage::SqlStore::Sqlite(pool) => {
                // SQLite upgrades a deferred transaction's lock only at its first write, and fails with "database is
                // locked" when another writer got there first; taking the lock up front makes writers queue instead.
                let mut $tx = $crate::storage::begin_detached(pool, "BEGIN IMMEDIATE").await?;
                let value = $body;
                $tx.commit().await.map_err($crate::storage::map_error)?;
                value
            }
            $crate::storage::SqlStore::Postgres(pool) => {
                let mut $tx = $crate::storage::begin_detached(pool, "BEGIN").await?;
                let value = $body;
                $tx.commit().await.map_err($crate::storage::map_error)?;
                value
            }
        }
    };
}
/// Queues a message in the outbox through `$executor`, normally inside the transaction of the change that causes it.
/// It is due at once; the mail worker sends it (see `crate::mail`).
macro_rules! insert_mail {
    ($executor:expr, $mail:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO outbox (kind, customer_id, recipient, language, subject, body_text, status, attempts, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7)",
        )
        .bind($mail.kind.as_str())
        .bind($mail.customer.map(|customer: app::ports::CustomerId| customer.0))
        .bind($mail.to.as_str())
        .bind($mail.language.code())
        .bind(&$mail.subject)
        .bind(&$mail.body_text)
        .bind($now)
        .execute($executor)
        .await
        .map_err($crate::storage::map_error)?
    };
}
pub(crate) use {in_write_tx, insert_mail, on_pool};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub enum SqlStore {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("DATABASE_URL must start with sqlite:// or postgres://")]
    UnsupportedUrl,
    #[error("cannot create the directory for the SQLite database")]
    DataDir(#[source] std::io::Error),
    #[error("cannot connect to the database")]
    Connect(#[source] sqlx::Error),
    #[error("cannot apply the database migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("cannot seal the audit entries written before the hash chain")]
    Seal(#[source] StorageError),
    #[error("cannot store the first version of the charter")]
    Charter(#[source] StorageError),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Starts a transaction on a task of its own. sqlx 0.8 is not cancel-safe while BEGIN runs (launchbadge/sqlx#4393 on
/// PostgreSQL; on SQLite, the check that follows a custom BEGIN): a caller dropped at that moment (a client hanging
/// up, an aborted task) leaves the connection inside a transaction that nothing ends, and the pool hands it to the
/// next borrower: double sends and lost updates on PostgreSQL, SQLite's only write lock held for ever. On its own task
/// BEGIN always finishes, and a transaction that nobody receives is dropped, which rolls it back.
pub(crate) async fn begin_detached<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
    statement: &'static str,
) -> Result<sqlx::Transaction<'static, DB>, StorageError> {
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin_with(statement).await })
        .await
        .map_err(|stopped| StorageError::Unavailable(Box::new(stopped)))?
        .map_err(map_error)
}

/// Keeps a connection for the pool only if no transaction is left open on it. sqlx 0.8 leaves one open when the
/// future of `begin_with("BEGIN IMMEDIATE")` is dropped after the BEGIN ran (a client hanging up mid-request, a server
/// task aborted): that connection would then hold SQLite's single write lock for ever and stop every writer.
/// A transaction dropped the ordinary way has its ROLLBACK queued: the ping lets it run before the depth is judged.
async fn leaves_no_transaction_open(
    connection: &mut sqlx::SqliteConnection,
) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    if !connection.is_in_transaction() {
        return Ok(true);
    }
    connection.ping().await?;
    let clean = !connection.is_in_transaction();
    if !clean {
        tracing::warn!(
            "closing a database connection left inside a transaction by a cancelled request"
        );
    }
    Ok(clean)
}

impl SqlStore {
    /// Connects without migrating; see [`SqlStore::migrate`].
    ///
    /// sqlx pings every connection it takes back into the pool (after `after_release`), so a connection in the pool
    /// was checked when it was last returned; the second ping sqlx sends by default before lending it again was a
    /// round trip to the database (SQLite: to its worker thread) in front of every query.
    pub async fn connect(url: &SecretString, max_connections: u32) -> Result<Self, ConnectError> {
        let url = url.expose_secret();
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(ConnectError::Connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // Checkpointing is moved out of the commits (see `checkpoint_wal_in_background`).
                .pragma("wal_autocheckpoint", "0")
                .pragma("journal_size_limit", WAL_SIZE_LIMIT_BYTES.to_string());
            if let Some(parent) = options
                .get_filename()
                .parent()
                .filter(|dir| !dir.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent).map_err(ConnectError::DataDir)?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(15))
                .test_before_acquire(false)
                .after_release(|connection, _| Box::pin(leaves_no_transaction_open(connection)))
                .connect_with(options)
                .await
                .map_err(ConnectError::Connect)?;
            checkpoint_wal_in_background(pool.clone());
            Ok(Self::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).map_err(ConnectError::Connect)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(15))
                .test_before_acquire(false)
                .connect_with(options)
                .await
                .map_err(ConnectError::Connect)?;
            Ok(Self::Postgres(pool))
        } else {
            Err(ConnectError::UnsupportedUrl)
        }
    }

    /// Applies the pending migrations of this backend's folder. Applied migrations are checksummed by sqlx, so an
    /// edited one is refused rather than silently diverging.
    pub async fn migrate(&self) -> Result<(), ConnectError> {
        match self {
            Self::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Self::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
        .map_err(ConnectError::Migrate)?;
        // The charter in force is public from the first start (charter §7): version 1 comes with the schema.
        self.ensure_first_charter(chrono::Utc::now())
            .await
            .map_err(ConnectError::Charter)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await);
    }

    /// A consistent copy of a SQLite database taken in one read transaction, while others read and write.
    /// PostgreSQL has `pg_dump` for this; asked of it, this does nothing.
    pub async fn copy_sqlite_into(&self, path: &std::path::Path) -> Result<(), sqlx::Error> {
        if let Self::Sqlite(pool) = self {
            sqlx::query("VACUUM INTO ?")
                .bind(path.to_string_lossy().as_ref())
                .execute(pool)
                .await?;
        }
        Ok(())
    }
}

/// How often the write-ahead log is copied back into the database file. A checkpoint's pause grows with what it
/// copies: measured at 5,000 access checks/s, every 10 s gave a p99 of 34–49 ms, every second 5.7–8.3 ms, every
/// 200 ms 3.7–6 ms, every 100 ms 2.9–4.0 ms (five runs in one session, against 4.9–5.8 ms at 200 ms in the same
/// session), with saturation still above 10,000 checks/s.
const WAL_CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
/// Past this many frames (4 KiB pages: 64 MiB) the log is restarted even if writers must wait for it.
const WAL_RESTART_FRAMES: i64 = 16_384;
/// What the log file is cut back to after a restart.
const WAL_SIZE_LIMIT_BYTES: i64 = 64 * 1024 * 1024;

/// SQLite's automatic checkpoint runs inside whichever commit crosses its threshold, adding two fsyncs to that
/// one commit: measured, it set the 99th percentile of access checks (which wait for their audit entry). The
/// same passive checkpoint, run here several times a second, leaves commits alone and never blocks anyone. A passive
/// checkpoint alone cannot bring the log back to its start while writers never pause (measured: 32 GB of log
/// for a 1.4 GB database under a sustained bulk load), so once the log is long a restarting checkpoint makes the
/// writers wait for that moment. The task ends with the pool.
fn checkpoint_wal_in_background(pool: SqlitePool) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut ticks = tokio::time::interval(WAL_CHECKPOINT_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if pool.is_closed() {
                return;
            }
            let passive: Result<(i64, i64, i64), _> =
                sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                    .fetch_one(&pool)
                    .await;
            let outcome = match passive {
                Ok((_, frames, _)) if frames > WAL_RESTART_FRAMES => {
                    sqlx::query("PRAGMA wal_checkpoint(RESTART)")
                        .execute(&pool)
                        .await
                        .map(drop)
                }
                other => other.map(drop),
            };
            if let Err(error) = outcome {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(%error, "SQLite checkpoint failed; retrying");
            }
        }
    });
}

/// Who a worker is in the lease columns of the outbox and of the webhook deliveries: host, process and a random
/// part, so that two workers never take each other's leases for their own.
/// This process among the instances sharing a database, the same for every call: jobs one instance at a time may
/// run belong to a process, whichever of its parts (or, in tests, of its servers) takes them.
pub(crate) fn instance_name() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(lease_owner)
}

pub(crate) fn lease_owner() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "portal".into());
    format!(
        "{host}-{}-{}",
        std::process::id(),
        hex::encode(rand::random::<[u8; 4]>())
    )
}

pub(crate) fn map_error(error: sqlx::Error) -> StorageError {
    match error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StorageError::Conflict(db.message().to_owned())
        }
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => StorageError::Unavailable(Box::new(error)),
        other => StorageError::Internal(Box::new(other)),
    }
}

#[async_trait]
impl Storage for SqlStore {
    async fn ping(&self) -> Result<(), StorageError> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(drop).map_err(map_error))?;
        Ok(())
    }

    async fn ensure_customer(
        &self,
        customer: &app::ports::NewCustomer,
        services: &[app::ports::NewService],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<app::ports::CustomerId, StorageError> {
        self.ensure_customer_impl(customer, services, now).await
    }

    async fn customer(
        &self,
        id: app::ports::CustomerId,
    ) -> Result<Option<app::ports::Customer>, StorageError> {
        self.customer_impl(id).await
    }

    async fn customer_by_number(
        &self,
        number: &app::domain::CustomerNumber,
    ) -> Result<Option<app::ports::Customer>, StorageError> {
        self.customer_by_number_impl(number).await
    }

    async fn customer_by_email(
        &self,
        email: &app::domain::EmailAddress,
    ) -> Result<Option<app::ports::Customer>, StorageError> {
        self.customer_by_email_impl(email).await
    }

    async fn customers_page(
        &self,
        after: Option<app::ports::CustomerId>,
        limit: u32,
    ) -> Result<Vec<app::ports::Customer>, StorageError> {
        self.customers_page_impl(after, limit).await
    }

    async fn services_of(
        &self,
        customer: app::ports::CustomerId,
    ) -> Result<Vec<app::ports::Service>, StorageError> {
        self.services_of_impl(customer).await
    }

    async fn ensure_staff(
        &self,
        staff: &app::ports::NewStaff,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<app::ports::StaffId, StorageError> {
        self.ensure_staff_impl(staff, now).await
    }

    async fn staff_by_email(
        &self,
        email: &app::domain::EmailAddress,
    ) -> Result<Option<app::ports::StaffMember>, StorageError> {
        self.staff_by_email_impl(email).await
    }

    async fn staff_member(
        &self,
        id: app::ports::StaffId,
    ) -> Result<Option<app::ports::StaffMember>, StorageError> {
        self.staff_member_impl(id).await
    }

    async fn staff_roles(
        &self,
        staff: app::ports::StaffId,
    ) -> Result<Vec<app::domain::Role>, StorageError> {
        self.staff_roles_impl(staff).await
    }

    async fn set_answer_mail(
        &self,
        staff: app::ports::StaffId,
        on: bool,
    ) -> Result<(), StorageError> {
        self.set_answer_mail_impl(staff, on).await
    }
}
