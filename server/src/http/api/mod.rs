//! The integration API under `/api/v1`: JSON over HTTP for the operator's infrastructure, authenticated with
//! service tokens, described by its OpenAPI document. Exempt from the portal's same-origin check, since its
//! callers are programs holding a bearer token, not browsers holding a cookie.

mod access_checks;
mod access_events;
pub mod audit_writer;
pub mod auth;
mod backups;
mod cache;
mod consent_requests;
mod customers;
mod directory;
pub mod error;
mod events;
pub mod log;
mod mailbox_stats;
pub mod openapi;
mod support_cases;
mod webhooks;

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::{delete, get, patch, post, put},
    Router,
};
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;

use app::api::context::AppContext;
use app::domain::consent::{AnswerWindow, IdleAfter};
use app::ports::{Clock, Storage};

use crate::audit::transparency::LogTransparency;
use crate::storage::SqlStore;
use audit_writer::AuditWriter;
use auth::TokenCache;
use directory::CachedDirectory;
use error::ApiError;

pub const PREFIX: &str = "/api/v1";

#[derive(Debug, Clone)]
pub struct ApiState {
    pub store: Arc<dyn Storage>,
    pub clock: Arc<dyn Clock>,
    pub audit: AuditWriter,
    pub tokens: Arc<TokenCache>,
    /// Staff, customers and resource owners as access checks read them: cached for two seconds.
    pub directory: Arc<CachedDirectory>,
    /// How long a customer has to answer a consent request, as configured for the portal's own screens.
    pub answer_window: AnswerWindow,
    /// When an open support case untouched that long is flagged to support.
    pub idle_case_after: IdleAfter,
    /// Where customers answer: the link in the notice a new consent request sends them.
    pub portal_origin: Arc<str>,
    /// The audit log's checkpoints and proofs, for anyone.
    pub log: Arc<LogTransparency>,
    pub log_origin: Arc<str>,
    /// The consent event outbox: the feed and the webhook endpoints.
    pub events: SqlStore,
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl ApiState {
    /// Starts the audit writer, which lives as long as the state's last clone.
    pub fn new(
        app: &AppContext,
        events: SqlStore,
        log: Arc<LogTransparency>,
        log_origin: &str,
        metrics: Arc<crate::metrics::Metrics>,
    ) -> Self {
        Self {
            store: Arc::clone(&app.store),
            clock: Arc::clone(&app.clock),
            audit: AuditWriter::spawn(Arc::clone(&app.store)),
            tokens: Arc::default(),
            directory: Arc::new(CachedDirectory::new(Arc::clone(&app.store))),
            answer_window: app.consent_answer_window,
            idle_case_after: app.idle_case_after,
            portal_origin: Arc::from(app.auth.public_origin.as_str()),
            log,
            log_origin: Arc::from(log_origin),
            events,
            metrics,
        }
    }

    /// The customer with this number, or the API's answer for one it does not know.
    pub async fn known_customer(
        &self,
        number: &app::domain::CustomerNumber,
    ) -> Result<app::ports::Customer, ApiError> {
        self.store
            .customer_by_number(number)
            .await
            .map_err(|error| ApiError::unavailable(&error))?
            .ok_or(ApiError::unknown(
                "unknown-customer",
                "customer",
                "no customer has this number",
            ))
    }
}

/// Declares the routes once, for the router and for the test that holds the OpenAPI document to them.
macro_rules! api_routes {
    ($($method:ident $path:literal => $handler:path,)*) => {
        /// Every route the API serves, as (method, path under `/api/v1`).
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];
        /// Every route's handler, as (method, `module::function`), for the test that checks each writes its audit.
        pub const HANDLERS: &[(&str, &str)] = &[$((stringify!($method), stringify!($handler))),*];

        fn routes() -> Router<ApiState> {
            Router::new()$(.route($path, $method($handler)))*
        }
    };
}

api_routes! {
    post "/access-checks" => access_checks::check,
    post "/access-events" => access_events::report,
    post "/consent-requests" => consent_requests::open,
    get "/consent-requests/{id}" => consent_requests::read,
    post "/directory/customers" => customers::sync,
    post "/support-cases" => support_cases::open,
    get "/support-cases/{id}" => support_cases::read,
    patch "/support-cases/{id}" => support_cases::update,
    post "/support-cases/{id}/resolve" => support_cases::resolve,
    put "/mailboxes/{address}/stats" => mailbox_stats::put,
    post "/backups" => backups::register,
    get "/backups/due" => backups::due,
    post "/backups/{id}/destroyed" => backups::destroyed,
    get "/openapi.json" => openapi::document,
    get "/log/checkpoint" => log::latest,
    get "/log/checkpoints" => log::history,
    get "/log/consistency" => log::consistency,
    get "/log/public-key" => log::public_key,
    get "/events" => events::feed,
    post "/webhooks" => webhooks::add_webhook,
    get "/webhooks" => webhooks::list_webhooks,
    delete "/webhooks/{id}" => webhooks::remove_webhook,
}

/// The API's router, to be nested at [`PREFIX`].
pub fn router<S: Clone + Send + Sync + 'static>(state: ApiState) -> Router<S> {
    routes()
        .fallback(|| async { error::not_found() })
        .method_not_allowed_fallback(|| async { error::method_not_allowed() })
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

/// A bug must not drop the caller's connection nor show its message: the caller gets a reference that is also in
/// the log.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    let error = ApiError::for_status(axum::http::StatusCode::INTERNAL_SERVER_ERROR, None);
    tracing::error!(message, answer = ?error, "an API handler panicked");
    error.into_response()
}

fn is_api_path(path: &str) -> bool {
    path == PREFIX
        || path
            .strip_prefix(PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Gives the API's error contract to the refusals that layers outside it produce without a JSON body: the body
/// limit's 413, the timeout's 503, the panic handler's 500. Must wrap those layers.
pub async fn errors_as_json(request: Request, next: Next) -> Response {
    if !is_api_path(request.uri().path()) {
        return next.run(request).await;
    }
    let reference = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value == HeaderValue::from_static("application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let replacement = ApiError::for_status(status, reference.as_deref()).into_response();
    let (replacement_parts, body) = replacement.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in &replacement_parts.headers {
        if name != header::CONTENT_LENGTH {
            parts.headers.insert(name, value.clone());
        }
    }
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_under_the_prefix_are_the_apis() {
        for path in ["/api/v1", "/api/v1/", "/api/v1/access-checks"] {
            assert!(is_api_path(path), "{path}");
        }
        for path in ["/api/v10/x", "/api", "/sf/api/v1/x", "/"] {
            assert!(!is_api_path(path), "{path}");
        }
    }
}
