//! Shared test harness: fresh databases on either backend, and the real server on a random port.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod api;
pub mod auth;

use chrono::{DateTime, SubsecRound, Utc};
use rand::{distributions::Alphanumeric, Rng};
use secrecy::SecretString;
use sqlx::{Connection, Executor, PgConnection};
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};
use tempfile::TempDir;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use app::ports::{Clock, SystemClock};
use server::{settings::Settings, storage::SqlStore};

pub const POSTGRES_URL_VARIABLE: &str = "PORTAL_TEST_POSTGRES_URL";
const DEFAULT_POSTGRES_URL: &str = "postgres://root@127.0.0.1:5432/test";

/// The PostgreSQL server tests create their databases on. `PORTAL_REQUIRE_POSTGRES=1` (set by CI) turns an
/// unreachable server into a failure instead of a skip.
pub fn postgres_admin_url() -> String {
    std::env::var(POSTGRES_URL_VARIABLE).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

fn postgres_required() -> bool {
    std::env::var("PORTAL_REQUIRE_POSTGRES").is_ok_and(|value| value == "1")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub url: String,
    pub data_dir: TempDir,
    postgres_name: Option<String>,
}

impl TestDb {
    pub async fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite()),
            Backend::Postgres => Self::postgres().await,
        }
    }

    pub fn sqlite() -> Self {
        let data_dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}/portal.db", data_dir.path().display());
        Self {
            url,
            data_dir,
            postgres_name: None,
        }
    }

    /// `None` when no PostgreSQL server answers and CI did not demand one.
    pub async fn postgres() -> Option<Self> {
        let admin_url = postgres_admin_url();
        let mut admin = match PgConnection::connect(&admin_url).await {
            Ok(connection) => connection,
            Err(error) if !postgres_required() => {
                eprintln!("SKIPPED on PostgreSQL: {admin_url} unreachable ({error})");
                return None;
            }
            Err(error) => panic!("PostgreSQL is required but {admin_url} is unreachable: {error}"),
        };
        let suffix: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(12)
            .map(char::from)
            .collect::<String>()
            .to_lowercase();
        let name = format!("portal_test_{suffix}");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        admin.close().await.ok();
        let (base, _) = admin_url.rsplit_once('/').expect("database URL has a path");
        let data_dir = tempfile::tempdir().expect("temporary directory");
        Some(Self {
            url: format!("{base}/{name}"),
            data_dir,
            postgres_name: Some(name),
        })
    }

    pub async fn store(&self) -> SqlStore {
        let store = SqlStore::connect(&SecretString::from(self.url.clone()), 8)
            .await
            .expect("connect");
        store.migrate().await.expect("migrate");
        store
    }

    pub fn settings(&self) -> Settings {
        let mut settings =
            Settings::for_data_dir(self.data_dir.path().to_path_buf(), Some(self.url.clone()));
        // The consent jobs mail and record on their own schedule; a test that counts mails or entries would see
        // them appear mid-test. Tests of the jobs set their own sweep.
        settings.consent_jobs.consent_expiry_sweep_millis = 3_600_000;
        settings
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        // Drop runs outside any runtime guarantee, so the clean-up gets a small runtime of its own.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(mut admin) = PgConnection::connect(&postgres_admin_url()).await {
                    let _ = admin
                        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                        .await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

/// The real server, on a random loopback port, with a fresh database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub store: SqlStore,
    pub db: TestDb,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), server::ServeError>>>,
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with_clock(backend, Arc::new(SystemClock)).await
}

/// A clock that stands still until the test moves it, so that expiry and throttle delays are exact. It starts at the
/// real time, truncated to what PostgreSQL keeps, so that stored times look like any others.
#[derive(Debug)]
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn new() -> Arc<Self> {
        Arc::new(Self(Mutex::new(Utc::now().trunc_subsecs(6))))
    }

    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// The real server with `clock` as the application's time (sessions, throttling, second factor, reset links).
pub async fn spawn_app_with_clock(backend: Backend, clock: Arc<dyn Clock>) -> Option<TestApp> {
    spawn_app_with_settings(backend, clock, |_| {}).await
}

/// As [`spawn_app_with_clock`], with settings the test changes first (a longer session, say).
pub async fn spawn_app_with_settings(
    backend: Backend,
    clock: Arc<dyn Clock>,
    change: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    // The server's warnings and errors land in the test's captured output, shown when it fails.
    drop(
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
            .with_test_writer()
            .try_init(),
    );
    let db = TestDb::create(backend).await?;
    Some(spawn_app_on(db, clock, change).await)
}

/// The real server on an existing database: a second instance, or one started again after another was killed.
pub async fn spawn_app_on(
    db: TestDb,
    clock: Arc<dyn Clock>,
    change: impl FnOnce(&mut Settings),
) -> TestApp {
    let store = db.store().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let mut settings = db.settings();
    settings.site_addr = addr;
    settings.public_url = Some(format!("http://{addr}"));
    change(&mut settings);
    let (shutdown, stop) = oneshot::channel::<()>();
    let task = tokio::spawn({
        let store = store.clone();
        async move {
            server::serve_on(listener, store, clock, &settings, async move {
                let _ = stop.await;
            })
            .await
        }
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        addr,
        base: format!("http://{addr}"),
        client,
        store,
        db,
        shutdown: Some(shutdown),
        task: Some(task),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a body over the limit. The server answers 413 from the declared length without reading the body and
    /// closes; when unread bytes are still in its socket, the kernel resets the connection and the client may lose
    /// the answer. That is a property of TCP, not of the portal, so the request is retried until the answer is read.
    pub async fn post_oversized(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        // The server closes a connection after refusing an oversized body; a client of its own, without a pool,
        // keeps that connection out of `self.client`, whose next request would otherwise find it dead.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        let mut last_error = None;
        for _ in 0..10 {
            let mut request = client.post(self.url(path)).body(vec![b'x'; 128 * 1024]);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            match request.send().await {
                Ok(response) => return response,
                Err(error) => last_error = Some(error),
            }
        }
        panic!("no answer to an oversized request after 10 tries: {last_error:?}");
    }

    /// Asks the server to stop and waits for it, as SIGTERM would.
    pub async fn stop(mut self) -> Result<(), server::ServeError> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let task = self.task.take().expect("server task");
        task.await.expect("server task panicked")
    }

    /// Stops the server at once, as SIGKILL would: whatever it was doing is cut where it stood.
    pub async fn kill(mut self) -> TestDb {
        let task = self.task.take().expect("server task");
        task.abort();
        let _ = task.await;
        self.db
    }

    /// Stops the server as [`TestApp::stop`] does and hands back its database, to look at what it left.
    pub async fn stop_keeping_db(mut self) -> TestDb {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let task = self.task.take().expect("server task");
        task.await
            .expect("server task panicked")
            .expect("server stopped cleanly");
        self.db
    }
}

/// Removes the audit log's append-only triggers, as an intruder with the database owner's rights could.
pub async fn drop_audit_triggers(store: &SqlStore) {
    match store {
        SqlStore::Sqlite(pool) => {
            for trigger in [
                "audit_log_is_append_only_update",
                "audit_log_is_append_only_delete",
            ] {
                sqlx::query(&format!("DROP TRIGGER {trigger}"))
                    .execute(pool)
                    .await
                    .unwrap();
            }
        }
        SqlStore::Postgres(pool) => {
            sqlx::query("DROP TRIGGER audit_log_is_append_only ON audit_log")
                .execute(pool)
                .await
                .unwrap();
        }
    }
}

/// Declares each listed async test once per backend: `sqlite::name` and `postgres::name`.
/// Each test function takes the backend and returns nothing.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::Backend::Postgres).await;
                }
            )*
        }
    };
}
