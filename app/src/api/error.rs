use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// Every error a server function can return. Messages are safe to show as they are: nothing internal (database,
/// SMTP, panics) ever reaches a browser; internal failures carry only a reference that also appears in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    SignInRequired,
    #[error("You are not allowed to do this.")]
    Forbidden,
    /// Refused to staff whose second factor is older than the screen allows; signing in again cures it.
    #[error("This screen needs a second factor completed within the last 12 hours: sign out and sign in again.")]
    SecondFactorTooOld,
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("The email or the password is incorrect.")]
    BadCredentials,
    #[error("This code is not valid. Check your authenticator app and try again.")]
    BadCode,
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    TooManyAttempts { retry_after_secs: u32 },
    #[error("This link is invalid, has already been used or has expired.")]
    LinkExpired,
    /// Also what someone gets for another person's record, so that its existence is not revealed.
    #[error("There is no such item, or it is not yours.")]
    NotFound,
    #[error("Something went wrong on our side. Reference: {reference}.")]
    Internal { reference: String },
    #[error("The request could not be completed: {0}")]
    Request(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// A stable short name, used in the `?error=` of a redirect when a form was posted without JavaScript.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SignInRequired => "sign-in-required",
            Self::Forbidden => "forbidden",
            Self::SecondFactorTooOld => "second-factor-too-old",
            Self::Invalid { .. } => "invalid",
            Self::BadCredentials => "bad-credentials",
            Self::BadCode => "bad-code",
            Self::TooManyAttempts { .. } => "too-many-attempts",
            Self::LinkExpired => "link-expired",
            Self::NotFound => "not-found",
            Self::Internal { .. } => "internal",
            Self::Request(_) => "request",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::SignInRequired => 401,
            Self::Forbidden | Self::SecondFactorTooOld => 403,
            Self::Invalid { .. } | Self::BadCode | Self::Request(_) => 422,
            Self::BadCredentials => 401,
            Self::TooManyAttempts { .. } => 429,
            Self::LinkExpired => 410,
            Self::NotFound => 404,
            Self::Internal { .. } => 500,
        }
    }

    /// The field an error belongs next to, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            Self::BadCredentials => Some("password"),
            Self::BadCode => Some("code"),
            _ => None,
        }
    }

    /// The error behind a `?error=` code after a form posted without JavaScript was sent back.
    pub fn from_code(code: &str, field: Option<&str>, detail: Option<&str>) -> Option<Self> {
        let error = match code {
            "sign-in-required" => Self::SignInRequired,
            "forbidden" => Self::Forbidden,
            "second-factor-too-old" => Self::SecondFactorTooOld,
            "invalid" => Self::invalid(
                field.unwrap_or_default(),
                detail.unwrap_or("This value is not valid."),
            ),
            "bad-credentials" => Self::BadCredentials,
            "bad-code" => Self::BadCode,
            "too-many-attempts" => Self::TooManyAttempts {
                retry_after_secs: 60,
            },
            "link-expired" => Self::LinkExpired,
            "not-found" => Self::NotFound,
            "internal" => Self::Internal {
                reference: detail.unwrap_or("-").to_owned(),
            },
            _ => return None,
        };
        Some(error)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        with_status(Self::Request(value.to_string()))
    }
}

/// Arguments that do not decode never reach the function, so `fail` cannot give the answer its status, and server_fn
/// would send a client's mistake as a 500.
#[cfg(feature = "ssr")]
fn with_status(error: AppError) -> AppError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            http::StatusCode::from_u16(error.status()).unwrap_or(http::StatusCode::BAD_REQUEST),
        );
    }
    error
}

#[cfg(not(feature = "ssr"))]
fn with_status(error: AppError) -> AppError {
    error
}

impl From<crate::domain::InvalidInput> for AppError {
    fn from(invalid: crate::domain::InvalidInput) -> Self {
        Self::invalid(
            invalid.field,
            format!(
                "The {} {}.",
                invalid.field.replace('_', " "),
                invalid.reason
            ),
        )
    }
}
