//! The portal's adapters — storage, HTTP, jobs, the admin CLI — wired around the `app` crate.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod cli;
pub mod http;
pub mod seed;
pub mod settings;
pub mod storage;
pub mod telemetry;
pub mod tokens;

use std::{future::Future, sync::Arc};
use tokio::net::TcpListener;

use app::ports::{Clock, SystemClock};
use settings::Settings;
use storage::SqlStore;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Storage(#[from] storage::ConnectError),
    #[error("cannot listen on {addr}")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the HTTP server failed")]
    Http(#[source] std::io::Error),
}

/// Connects to the configured database and brings its schema up to date.
pub async fn open_store(settings: &Settings) -> Result<SqlStore, storage::ConnectError> {
    let store = SqlStore::connect(&settings.database_url(), settings.db_max_connections).await?;
    store.migrate().await?;
    Ok(store)
}

/// Runs the portal until the process is asked to stop (SIGTERM or Ctrl-C).
pub async fn serve(settings: Settings) -> Result<(), ServeError> {
    let store = open_store(&settings).await?;
    let listener = TcpListener::bind(settings.site_addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: settings.site_addr,
            source,
        })?;
    tracing::info!(addr = %settings.site_addr, backend = ?store.backend(), "portal listening");
    let result = serve_on(
        listener,
        store.clone(),
        Arc::new(SystemClock),
        &settings,
        http::shutdown_signal(),
    )
    .await;
    store.close().await;
    tracing::info!("portal stopped");
    result
}

/// Serves on an already bound listener until `shutdown` completes, then lets in-flight requests finish for at most
/// the configured grace period.
pub async fn serve_on(
    listener: TcpListener,
    store: SqlStore,
    clock: Arc<dyn Clock>,
    settings: &Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let router = http::router(http::AppState::new(settings, store, clock), settings);
    http::serve_gracefully(listener, router, shutdown, settings.shutdown_grace())
        .await
        .map_err(ServeError::Http)
}
