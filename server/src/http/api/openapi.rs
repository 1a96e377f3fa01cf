//! The OpenAPI 3 document of the integration API, generated from the handlers' own annotations and served at
//! `/api/v1/openapi.json`. A test compares its paths with the routes the router serves.

use axum::{
    http::header,
    response::{IntoResponse, Response},
};
use std::sync::LazyLock;
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

use super::error::ApiError;
use super::{
    access_checks, access_events, backups, consent_requests, customers, events, log, mailbox_stats,
    support_cases, webhooks,
};

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Privacy portal integration API",
        version = "1",
        description = "What the operator's infrastructure asks the privacy portal before and after staff touch \
            customers' data. Every request carries a service token (`Authorization: Bearer pps_…`, created with \
            `server create-service-token`); errors are JSON `{\"error\": {\"code\", \"message\", \"field\"?}}`."
    ),
    servers((url = "/api/v1")),
    paths(
        access_checks::check,
        access_events::report,
        consent_requests::open,
        consent_requests::read,
        customers::sync,
        support_cases::open,
        support_cases::read,
        support_cases::update,
        support_cases::resolve,
        mailbox_stats::put,
        backups::register,
        backups::due,
        backups::destroyed,
        log::latest,
        log::history,
        log::consistency,
        log::public_key,
        events::feed,
        webhooks::add_webhook,
        webhooks::list_webhooks,
        webhooks::remove_webhook,
        document
    ),
    modifiers(&BearerToken),
    tags(
        (name = "access", description = "Deciding and recording staff access to customers' data"),
        (name = "consent", description = "Asking customers for consent"),
        (name = "directory", description = "Customers, their contracts and services from the operator's billing or CRM system"),
        (name = "support cases", description = "The ticketing system's tickets as the portal's support cases: a mailbox consent ends when its case is resolved"),
        (name = "mailboxes", description = "Mailbox aggregates for the supervision view (never content)"),
        (name = "backups", description = "Backup snapshots and their destruction 7 days after they were taken"),
        (name = "events", description = "Consent events for the infrastructure: the pull feed, and signed webhooks to the service's own endpoints"),
        (name = "log", description = "The audit log's signed checkpoints and consistency proofs, public and without a token"),
        (name = "meta", description = "This document")
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("pps_<43 characters>")
                    .description(Some(
                        "A service token; revocation takes effect within two seconds",
                    ))
                    .build(),
            ),
        );
    }
}

static DOCUMENT: LazyLock<Result<String, String>> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .map_err(|e| e.to_string())
});

/// This document
///
/// Needs no token: it describes the API, and holds nothing about anyone.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3 document of this API", content_type = "application/json"))
)]
pub async fn document() -> Response {
    match DOCUMENT.as_ref() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json.clone()).into_response(),
        Err(error) => {
            tracing::error!(%error, "the OpenAPI document does not serialise");
            ApiError::for_status(axum::http::StatusCode::INTERNAL_SERVER_ERROR, None)
                .into_response()
        }
    }
}
