//! The API's one error contract: every refusal or failure is JSON, `{"error": {"code", "message", "field"?}}`, with
//! a stable code for programs and a message for the people reading their logs. Internal failures show a reference
//! that is also in the portal's log, never their cause.

use axum::{
    extract::{rejection::JsonRejection, FromRequest},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use std::borrow::Cow;
use utoipa::ToSchema;

use app::domain::InvalidInput;

use crate::tokens::Scope;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `unauthorized`, `forbidden`, `malformed-json`, `invalid-body`, `unreadable-body`,
    /// `unsupported-media-type`, `payload-too-large`, `invalid-field`, `unknown-staff`, `unknown-customer`,
    /// `unknown-resource`, `unknown-case`, `case-resolved`, `requester-not-entitled`, `no-consent-needed`,
    /// `unknown-mailbox`, `unknown-snapshot`, `snapshot-id-taken`, `not-due-yet`,
    /// `not-found`, `method-not-allowed`, `invalid-request`, `unavailable`, `internal`.
    #[schema(value_type = String, example = "invalid-field")]
    pub code: &'static str,
    /// What is wrong, for the people reading the caller's logs.
    #[schema(value_type = String, example = "must contain an @")]
    pub message: Cow<'static, str>,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "resource")]
    pub field: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    detail: ErrorDetail,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            detail: ErrorDetail {
                code,
                message: message.into(),
                field: None,
            },
        }
    }

    pub fn on_field(mut self, field: &'static str) -> Self {
        self.detail.field = Some(field);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.detail.code
    }

    pub fn unauthorized(message: &'static str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(scope: Scope) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this token does not have the {scope} scope"),
        )
    }

    /// A value that does not parse, reported on the API's own name for the field (the domain's names differ).
    pub fn invalid(field: &'static str, error: &InvalidInput) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            error.reason,
        )
        .on_field(field)
    }

    /// Something the request names that the portal does not know.
    pub fn unknown(code: &'static str, field: &'static str, message: &'static str) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).on_field(field)
    }

    /// The database or the audit log cannot be reached: nothing was decided, the caller should retry.
    pub fn unavailable(error: &dyn std::error::Error) -> Self {
        let reference = new_reference();
        tracing::error!(%reference, error = %error_chain(error), "API request failed: storage unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("the portal cannot answer right now, retry later (reference {reference})"),
        )
    }

    /// A status some layer produced without a body of this contract (timeout, body limit, panic, routing).
    pub fn for_status(status: StatusCode, reference: Option<&str>) -> Self {
        let reference = reference.map_or_else(new_reference, str::to_owned);
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
            StatusCode::NOT_FOUND => not_found(),
            StatusCode::METHOD_NOT_ALLOWED => method_not_allowed(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => unsupported_media_type(),
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => Self::new(
                status,
                "unavailable",
                format!("the portal cannot answer right now, retry later (reference {reference})"),
            ),
            _ if status.is_server_error() => Self::new(
                status,
                "internal",
                format!("something went wrong on the portal's side (reference {reference})"),
            ),
            _ => Self::new(
                status,
                "invalid-request",
                status
                    .canonical_reason()
                    .unwrap_or("the request was refused"),
            ),
        }
    }
}

pub fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "no such endpoint; see /api/v1/openapi.json",
    )
}

pub fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this endpoint does not take this method; see /api/v1/openapi.json",
    )
}

fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "the request body is larger than the portal accepts",
    )
}

fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "send the body as JSON with Content-Type: application/json",
    )
}

fn new_reference() -> String {
    hex::encode(rand::random::<[u8; 8]>())
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let challenge = self.status == StatusCode::UNAUTHORIZED;
        let mut response = (self.status, Json(ErrorBody { error: self.detail })).into_response();
        if challenge {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // The inner error of a data or syntax error is serde's, with the path of the field and the position; it
        // only ever quotes what the caller sent.
        let cause = || {
            std::error::Error::source(&rejection)
                .map_or_else(|| rejection.body_text(), ToString::to_string)
        };
        match &rejection {
            JsonRejection::JsonDataError(_) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-body", cause())
            }
            JsonRejection::JsonSyntaxError(_) => {
                Self::new(StatusCode::BAD_REQUEST, "malformed-json", cause())
            }
            JsonRejection::MissingJsonContentType(_) => unsupported_media_type(),
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
            _ => Self::new(
                StatusCode::BAD_REQUEST,
                "unreadable-body",
                "the request body could not be read",
            ),
        }
    }
}

/// `axum::Json` with this contract's errors.
#[derive(Debug, FromRequest)]
#[from_request(via(Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(error: ApiError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap_or_default();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
    }

    #[tokio::test]
    async fn an_internal_status_shows_only_a_reference() {
        let (status, body) = body_of(ApiError::for_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("abc123"),
        ))
        .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal");
        assert_eq!(
            body["error"]["message"],
            "something went wrong on the portal's side (reference abc123)"
        );
    }

    #[tokio::test]
    async fn a_field_error_names_the_field() {
        let (status, body) = body_of(ApiError::invalid(
            "resource",
            &InvalidInput::new("email", "must contain an @"),
        ))
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body,
            serde_json::json!({"error": {"code": "invalid-field", "message": "must contain an @", "field": "resource"}})
        );
    }
}
