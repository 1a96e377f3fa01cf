//! The HTTP surface: Leptos pages and server functions, health probes, and the layers every response goes through.

pub mod api;
pub mod exports;
mod guard;
mod health;
pub mod my_data_export;
pub mod security;
mod whole_pages;

use axum::{
    extract::FromRef, http::StatusCode, middleware::from_fn_with_state, routing::get, Router,
};
use leptos::prelude::{provide_context, LeptosOptions};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::{
    future::Future,
    sync::{Arc, OnceLock},
    time::Duration,
};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use app::api::context::{AppContext, AuthConfig};
use app::auth::passwords::PasswordHasher;
use app::ports::{Clock, Storage};
use app::{shell, App};

use crate::settings::Settings;
use crate::storage::SqlStore;

/// The site files' name (`.ci/env.sh` sets it, cargo-leptos too); the fallback keeps any other build serving the same paths.
const OUTPUT_NAME: &str = match option_env!("LEPTOS_OUTPUT_NAME") {
    Some(name) => name,
    None => "portal",
};

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub app: AppContext,
    /// The same database as `app.store`, as the concrete type the session layer needs.
    pub sessions: SqlStore,
    /// The audit log's checkpoints and proofs: published by the API, and in the customer's exports.
    pub log: Arc<crate::audit::transparency::LogTransparency>,
    pub log_origin: Arc<str>,
}

impl AppState {
    pub fn new(
        settings: &Settings,
        store: SqlStore,
        clock: Arc<dyn Clock>,
        audit_verifier: Arc<dyn app::ports::AuditVerifier>,
        log: Arc<crate::audit::transparency::LogTransparency>,
    ) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name(OUTPUT_NAME)
            .site_root(settings.site_root.to_string_lossy().as_ref())
            .site_addr(settings.site_addr)
            .build();
        let hashing_threads = std::thread::available_parallelism().map_or(2, usize::from);
        let app = AppContext {
            store: Arc::new(store.clone()) as Arc<dyn Storage>,
            clock,
            hasher: PasswordHasher::new(hashing_threads),
            auth: AuthConfig {
                idle: chrono::Duration::minutes(
                    i64::try_from(settings.session_idle_minutes).unwrap_or(30),
                ),
                absolute: chrono::Duration::hours(
                    i64::try_from(settings.session_absolute_hours).unwrap_or(12),
                ),
                public_origin: settings.public_origin(),
            },
            // Checked when the settings were loaded; a hand-built Settings falls back to the charter's 24 hours.
            consent_answer_window: settings.consent_answer_window().unwrap_or_default(),
            idle_case_after: settings.idle_case_after().unwrap_or_default(),
            audit_verifier,
            log_prover: log.clone(),
        };
        Self {
            leptos_options,
            app,
            sessions: store,
            log,
            log_origin: Arc::from(settings.audit.log_origin()),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The pages' routes, generated once per process. Generating them runs the app with every resource's loading
/// suspended by a process-wide flag, and a resource first polled meanwhile waits forever (leptos-rs/leptos#4773): a
/// page rendered by another server of the same process (the test suite runs many) would hang until its timeout.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState, api: api::ApiState, settings: &Settings) -> Router {
    let routes = page_routes();
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.app.clone());
            app::api::context::RequestMemo::provide();
            security::provide_csp_nonce();
        }
    };
    let render = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let policy = security::SecurityPolicy::from_settings(settings);
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), render)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context.clone(), shell))
        .layer(from_fn_with_state(
            settings.request_timeout(),
            whole_pages::send_whole,
        ));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(pages)
        .merge(exports::router())
        .merge(my_data_export::router())
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn_with_state(state.clone(), guard::protect_pages))
        .layer(session_layer(state.sessions.clone(), settings))
        // After the session and page layers, which only apply to the routes above: the API's callers hold a token,
        // not a cookie, and loading sessions for them would only cost time.
        .nest(api::PREFIX, api::router(api.clone()))
        .merge(crate::metrics::http::public_router(api.clone()))
        .layer(
            ServiceBuilder::new()
                // Outermost, so that it times what the client waits for and sees the status it gets.
                .layer(from_fn_with_state(
                    api.metrics.clone(),
                    crate::metrics::http::track,
                ))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http())
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(from_fn_with_state(
                    policy.clone(),
                    security::security_headers,
                ))
                .layer(from_fn_with_state(
                    policy.clone(),
                    security::record_client_ip,
                ))
                .layer(axum::middleware::from_fn(api::errors_as_json))
                // Before the CSRF check, so that an oversized body is refused as such, unread, whoever sent it.
                .layer(RequestBodyLimitLayer::new(settings.body_limit_bytes))
                .layer(security::CsrfLayer::new(policy))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    settings.request_timeout(),
                )),
        )
        .with_state(state)
}

/// A bug must not leak its message nor drop the connection: the client gets a reference that is also in the log.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    let reference = format!("{:016x}", rand::random::<u64>());
    tracing::error!(%reference, message, "a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        format!("Something went wrong on our side. Reference: {reference}."),
    )
        .into_response()
}

/// Sessions live in the portal's database. Over HTTPS the cookie is `__Host-` prefixed and `Secure`; plain HTTP is
/// only for development on this machine, where browsers would refuse both.
fn session_layer(store: SqlStore, settings: &Settings) -> SessionManagerLayer<SqlStore> {
    let https = settings.is_https();
    SessionManagerLayer::new(store)
        .with_name(if https {
            "__Host-portal_session"
        } else {
            "portal_session"
        })
        .with_secure(https)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnSessionEnd)
}

/// Serves until `shutdown` completes, then stops accepting and waits for in-flight requests, at most `grace`.
pub async fn serve_gracefully(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        // A send error means the server already ended by itself, which is fine.
        let _ = stop_tx.send(true);
    });
    let mut graceful_rx = stop_rx.clone();
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, service).with_graceful_shutdown(async move {
        // An error means the sender is gone, which only happens after it signalled.
        let _ = graceful_rx.wait_for(|stop| *stop).await;
    });
    let mut deadline_rx = stop_rx;
    tokio::select! {
        result = server => result,
        () = async move {
            let _ = deadline_rx.wait_for(|stop| *stop).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests outlived the shutdown grace period");
            Ok(())
        }
    }
}

/// Completes on SIGTERM (what service managers and orchestrators send) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
