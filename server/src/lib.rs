//! The portal's adapters — storage, HTTP, jobs, the admin CLI — wired around the `app` crate.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod audit;
pub mod backups;
pub mod cli;
pub mod consent_expiry;
pub mod directory_sync;
pub mod events;
pub mod http;
pub mod import_customers;
pub mod mail;
pub mod metrics;
pub mod own_backup;
pub mod seed;
pub mod settings;
pub mod storage;
pub mod telemetry;
pub mod tokens;

/// In the library rather than `main.rs`, so that the tests and the benchmarks run on the allocator the portal runs on.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    #[error("cannot set up the audit log's checkpoints")]
    Audit(#[from] audit::AuditError),
    #[error("the HTTP server failed")]
    Http(#[source] std::io::Error),
    #[error("the mail settings cannot work")]
    Mail(#[from] mail::MailSetupError),
    #[error(transparent)]
    Webhooks(#[from] events::worker::WebhookSetupError),
}

/// Connects to the configured database and brings its schema up to date.
pub async fn open_store(settings: &Settings) -> Result<SqlStore, storage::ConnectError> {
    let store = SqlStore::connect(&settings.database_url(), settings.db_max_connections).await?;
    store.migrate().await?;
    let sealed = store
        .seal_unhashed_audit_entries()
        .await
        .map_err(storage::ConnectError::Seal)?;
    if sealed > 0 {
        tracing::info!(
            entries = sealed,
            "audit entries from before the hash chain sealed into it"
        );
    }
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
/// the configured grace period. The mail worker runs alongside (unless turned off): it stops taking messages when
/// `shutdown` completes and finishes the one it is sending.
pub async fn serve_on(
    listener: TcpListener,
    store: SqlStore,
    clock: Arc<dyn Clock>,
    settings: &Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let metrics = Arc::new(metrics::Metrics::new());
    let worker = if settings.mail.mail_worker {
        Some(
            mail::MailWorker::new(
                store.clone(),
                clock.clone(),
                &settings.mail,
                &settings.data_dir,
            )?
            .counting_into(metrics.mail.clone()),
        )
    } else {
        None
    };
    let webhooks = if settings.webhooks.webhook_worker {
        Some(events::WebhookWorker::new(
            store.clone(),
            clock.clone(),
            &settings.webhooks,
        )?)
    } else {
        None
    };
    let auditor = Arc::new(audit::Auditor::new(
        store.clone(),
        clock.clone(),
        &settings.audit,
        &settings.data_dir,
    )?);
    let transparency = Arc::new(audit::transparency::LogTransparency::new(
        store.clone(),
        &settings.audit,
        &settings.data_dir,
    )?);
    let overdue_job = {
        let store: Arc<dyn app::ports::Storage> = Arc::new(store.clone());
        let clock = clock.clone();
        // Validated when the settings were loaded; a hand-built invalid value falls back to the default.
        let grace = settings.backups.grace().unwrap_or_default();
        let every = std::time::Duration::from_millis(settings.backups.backup_sweep_millis);
        move |stop| backups::run(store, clock, grace, every, stop)
    };
    let expiry_job = {
        let store: Arc<dyn app::ports::Storage> = Arc::new(store.clone());
        let clock = clock.clone();
        let every =
            std::time::Duration::from_millis(settings.consent_jobs.consent_expiry_sweep_millis);
        let origin: Arc<str> = Arc::from(settings.public_origin());
        move |stop| consent_expiry::run(store, clock, origin, every, stop)
    };
    let state = http::AppState::new(
        settings,
        store.clone(),
        clock,
        auditor.clone(),
        transparency.clone(),
    );
    let api = http::api::ApiState::new(
        &state.app,
        store,
        transparency,
        &settings.audit.log_origin(),
        metrics.clone(),
    );
    let metrics_listener = match settings.metrics_addr {
        Some(addr) => {
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|source| ServeError::Bind { addr, source })?;
            tracing::info!(%addr, "metrics listening");
            Some((listener, metrics::http::metrics_address_router(api.clone())))
        }
        None => None,
    };
    let router = http::router(state, api, settings);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    let stop_rx_audit = stop_rx.clone();
    let stop_rx_backups = stop_rx.clone();
    let stop_rx_expiry = stop_rx.clone();
    let stop_rx_webhooks = stop_rx.clone();
    let stop_rx_metrics = stop_rx.clone();
    let signal = {
        let stop_tx = stop_tx.clone();
        async move {
            shutdown.await;
            // A send error means the worker already ended, which is fine.
            let _ = stop_tx.send(true);
        }
    };
    let web = async move {
        let result =
            http::serve_gracefully(listener, router, signal, settings.shutdown_grace()).await;
        // The server may also end on its own (an accept error): the worker must not outlive it.
        let _ = stop_tx.send(true);
        result
    };
    // Joined rather than spawned: whoever drops this future (a test, a crash) stops the worker with it.
    let mail = async move {
        if let Some(worker) = worker {
            worker.run(stop_rx).await;
        }
    };
    let checkpoints = {
        let auditor = auditor.clone();
        let stop_rx = stop_rx_audit;
        async move { auditor.run(stop_rx).await }
    };
    let webhooks = async move {
        if let Some(worker) = webhooks {
            worker.run(stop_rx_webhooks).await;
        }
    };
    let metrics_address = async move {
        let Some((listener, router)) = metrics_listener else {
            return;
        };
        let mut stop = stop_rx_metrics;
        let stopped = async move {
            // An error means the sender is gone, which only happens after it signalled.
            let _ = stop.wait_for(|stop| *stop).await;
        };
        if let Err(error) =
            http::serve_gracefully(listener, router, stopped, settings.shutdown_grace()).await
        {
            tracing::error!(%error, "the metrics address stopped serving");
        }
    };
    let overdue = overdue_job(stop_rx_backups);
    let expiry = expiry_job(stop_rx_expiry);
    let (result, (), (), (), (), (), ()) = tokio::join!(
        web,
        mail,
        checkpoints,
        overdue,
        expiry,
        webhooks,
        metrics_address
    );
    // Signed after the requests in flight were answered, so that the last checkpoint covers their entries.
    if let Err(error) = auditor.checkpoint().await {
        tracing::error!(%error, "could not sign the audit checkpoint at shutdown");
    }
    if let Err(error) = auditor.step_down().await {
        tracing::warn!(%error, "could not hand the checkpoint signing over; another instance takes it when the lease runs out");
    }
    result.map_err(ServeError::Http)
}
