//! A service's own webhook endpoints: `POST /api/v1/webhooks` registers one (its signing secret is in the answer,
//! and nowhere else ever again), `GET` lists them, `DELETE /webhooks/{id}` removes one. Each change is audited.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::domain::AuditEvent;
use app::ports::{Actor, AuditBasis, AuditEntry, EventSource};

use super::auth::{Authorized, EventsScope};
use super::error::{ApiError, ApiJson, ErrorBody};
use super::ApiState;
use crate::events::signature::new_secret;
use crate::storage::events::endpoints::WebhookEndpoint;

const MAX_URL_LENGTH: usize = 2_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where events are posted: `https://`, or `http://` to a loopback address (a receiver on the same host).
    #[schema(example = "https://mail-platform.example.ch/portal-events")]
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredWebhook {
    pub id: i64,
    pub url: String,
    pub created_at: DateTime<Utc>,
    /// The secret that signs every delivery (`whsec_` + base64 key, Standard Webhooks): shown this once.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub webhooks: Vec<WebhookView>,
}

impl From<WebhookEndpoint> for WebhookView {
    fn from(endpoint: WebhookEndpoint) -> Self {
        Self {
            id: endpoint.id,
            url: endpoint.url,
            created_at: endpoint.created_at,
        }
    }
}

/// The address, checked: a signed body must not travel in clear over a network, nor carry credentials in its URL.
fn parse_url(raw: &str) -> Result<reqwest::Url, ApiError> {
    let invalid = |message: &'static str| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", message).on_field("url")
    };
    let raw = raw.trim();
    if raw.len() > MAX_URL_LENGTH {
        return Err(invalid("must be at most 2000 characters"));
    }
    let url = reqwest::Url::parse(raw).map_err(|_| invalid("must be an absolute http(s) URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not carry a user name or password"));
    }
    let Some(host) = url.host_str() else {
        return Err(invalid("must name a host"));
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback());
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(invalid("must use https (http only to a loopback address)")),
        _ => Err(invalid("must be an absolute http(s) URL")),
    }
}

fn webhook_entry(state: &ApiState, service: &str, event: AuditEvent, detail: String) -> AuditEntry {
    AuditEntry {
        source: EventSource::Service(service.to_owned()),
        ..AuditEntry::in_portal(
            state.clock.now(),
            event,
            Actor::System,
            None,
            AuditBasis::TechnicalOperation,
            detail,
        )
    }
}

/// Register a webhook endpoint
///
/// Needs the `events` scope. Every consent event written from now on is posted to the endpoint, signed with the
/// secret in the answer (Standard Webhooks: headers `webhook-id`, `webhook-timestamp`, `webhook-signature`).
/// Deliveries that do not get a 2xx answer are retried with back-off, then dead-lettered.
#[utoipa::path(
    post,
    path = "/webhooks",
    tag = "events",
    request_body = NewWebhook,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered; the secret is shown this once", body = RegisteredWebhook),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the events scope", body = ErrorBody),
        (status = 422, description = "The URL is not https (or http to a loopback address)", body = ErrorBody),
        (status = 503, description = "Not registered; retry", body = ErrorBody),
    )
)]
pub async fn add_webhook(
    State(state): State<ApiState>,
    service: Authorized<EventsScope>,
    ApiJson(request): ApiJson<NewWebhook>,
) -> Result<(StatusCode, Json<RegisteredWebhook>), ApiError> {
    let url = parse_url(&request.url)?;
    let name = &service.caller.name;
    let secret = new_secret();
    let audit = webhook_entry(
        &state,
        name,
        AuditEvent::WebhookAdded,
        app::log_detail!("service {name}, endpoint {url}", url = url.as_str()),
    );
    let endpoint = state
        .events
        .add_webhook_endpoint(name, url.as_str(), &secret, &audit)
        .await
        .map_err(|error| ApiError::unavailable(&error))?;
    Ok((
        StatusCode::CREATED,
        Json(RegisteredWebhook {
            id: endpoint.id,
            url: endpoint.url,
            created_at: endpoint.created_at,
            secret,
        }),
    ))
}

/// List this service's webhook endpoints
#[utoipa::path(
    get,
    path = "/webhooks",
    tag = "events",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The service's live endpoints, oldest first (without their secrets)", body = WebhookList),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the events scope", body = ErrorBody),
        (status = 503, description = "Storage unavailable; retry", body = ErrorBody),
    )
)]
pub async fn list_webhooks(
    State(state): State<ApiState>,
    service: Authorized<EventsScope>,
) -> Result<Json<WebhookList>, ApiError> {
    let endpoints = state
        .events
        .webhook_endpoints_of(&service.caller.name)
        .await
        .map_err(|error| ApiError::unavailable(&error))?;
    Ok(Json(WebhookList {
        webhooks: endpoints.into_iter().map(WebhookView::from).collect(),
    }))
}

/// Remove one of this service's webhook endpoints
///
/// What was still queued for it is not sent.
#[utoipa::path(
    delete,
    path = "/webhooks/{id}",
    tag = "events",
    params(("id" = i64, Path, description = "The endpoint's id, as registering it answered")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the events scope", body = ErrorBody),
        (status = 404, description = "This service has no such endpoint", body = ErrorBody),
        (status = 422, description = "The id is not a whole number", body = ErrorBody),
        (status = 503, description = "Not removed; retry", body = ErrorBody),
    )
)]
pub async fn remove_webhook(
    State(state): State<ApiState>,
    service: Authorized<EventsScope>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let no_such = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "this service has no such webhook endpoint",
        )
    };
    let id: i64 = id.trim().parse().map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "must be a whole number",
        )
        .on_field("id")
    })?;
    let name = &service.caller.name;
    let audit = webhook_entry(
        &state,
        name,
        AuditEvent::WebhookRemoved,
        app::log_detail!("service {name}, endpoint number {id}"),
    );
    let removed = state
        .events
        .remove_webhook_endpoint(name, id, &audit)
        .await
        .map_err(|error| ApiError::unavailable(&error))?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_such())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_without_credentials_is_taken() {
        for good in [
            "https://platform.example.ch/hooks",
            "http://127.0.0.1:9000/hook",
            "http://localhost/hook",
            "http://[::1]:8080/",
        ] {
            assert!(parse_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://platform.example.ch/hooks",
            "ftp://127.0.0.1/",
            "https://user:pw@platform.example.ch/",
            "/relative",
            "not a url",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
