//! Counting requests as they pass, and answering the scraper.

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, Method},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use std::{sync::Arc, time::Instant};

use super::{Figures, Metrics, RouteLabels};
use crate::http::api::auth::{Authorized, MetricsScope};
use crate::http::api::error::ApiError;
use crate::http::api::ApiState;

/// The OpenMetrics text format, which Prometheus reads.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Anyone may send any method or path: labels take only the known methods and the routes' templates, so that a
/// scanner cannot make the label sets grow without end.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let labels = RouteLabels {
        method: method_label(request.method()),
        // No template: a static file of the site, or nothing at all.
        route: request
            .extensions()
            .get::<MatchedPath>()
            .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned()),
    };
    let response = next.run(request).await;
    metrics.observe_request(
        labels,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics` on the public address: only for a service token with scope `metrics`.
async fn scrape_with_token(
    _service: Authorized<MetricsScope>,
    State(state): State<ApiState>,
) -> Response {
    scrape(&state).await
}

/// `GET /metrics` on the metrics address, which only the operator's network reaches.
async fn scrape_on_metrics_address(State(state): State<ApiState>) -> Response {
    scrape(&state).await
}

async fn scrape(state: &ApiState) -> Response {
    let figures = match Figures::gather(&state.events, &state.log, state.clock.now()).await {
        Ok(figures) => figures,
        Err(error) => return ApiError::unavailable(&error).into_response(),
    };
    match state.metrics.render(&figures) {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(error) => {
            tracing::error!(%error, "could not encode the metrics");
            ApiError::for_status(axum::http::StatusCode::INTERNAL_SERVER_ERROR, None)
                .into_response()
        }
    }
}

/// `/metrics` for the public router, behind a service token.
pub fn public_router<S: Clone + Send + Sync + 'static>(state: ApiState) -> Router<S> {
    Router::new()
        .route("/metrics", get(scrape_with_token))
        .with_state(state)
}

/// The whole of the metrics address: `/metrics` and nothing else.
pub fn metrics_address_router(state: ApiState) -> Router {
    Router::new()
        .route("/metrics", get(scrape_on_metrics_address))
        .with_state(state)
}
