//! What server functions share: the services the server provides, the request, and the way errors leave.

use leptos::prelude::*;
use std::sync::Arc;
use tower_sessions::Session;

use super::AppError;
use crate::auth::guard::{self, AsCustomer, AsStaff, Authenticated, Refusal};
use crate::auth::passwords::PasswordHasher;
use crate::domain::SecurityEventKind;
use crate::ports::{AccountId, ClientAddr, Clock, SecurityEvent, Storage};

/// Everything the application needs from the server, provided once per request as Leptos context.
#[derive(Clone, Debug)]
pub struct AppContext {
    pub store: Arc<dyn Storage>,
    pub clock: Arc<dyn Clock>,
    pub hasher: PasswordHasher,
    pub auth: AuthConfig,
    pub consent_answer_window: crate::domain::consent::AnswerWindow,
    /// When an open support case untouched that long is flagged to support.
    pub idle_case_after: crate::domain::consent::IdleAfter,
    /// Verifies the audit log on a privacy officer's request.
    pub audit_verifier: Arc<dyn crate::ports::AuditVerifier>,
    /// Proves a customer's entries to be in the signed log, and names the key that signs it.
    pub log_prover: Arc<dyn crate::ports::LogProver>,
}

#[derive(Clone, Debug)]
pub struct AuthConfig {
    pub idle: chrono::Duration,
    pub absolute: chrono::Duration,
    /// `scheme://host[:port]`: links in emails are built on it.
    pub public_origin: String,
}

pub fn app_context() -> Result<AppContext, AppError> {
    use_context::<AppContext>().ok_or_else(|| internal("the application context is missing"))
}

/// Reads the request in place: a page asks for its headers many times, and a copy of them each time was a good part
/// of what rendering cost.
fn with_request<R>(read: impl FnOnce(&http::request::Parts) -> Option<R>) -> Option<R> {
    with_context::<http::request::Parts, _>(read).flatten()
}

pub fn header(name: &str) -> Option<String> {
    with_request(|parts| parts.headers.get(name)?.to_str().ok().map(str::to_owned))
}

/// The language this browser chose with the switch, if it did.
pub fn chosen_language() -> Option<String> {
    with_request(|parts| crate::ui::locale::chosen_language_in(&parts.headers))
}

pub fn client_addr() -> Option<String> {
    with_request(|parts| {
        parts
            .extensions
            .get::<ClientAddr>()
            .map(|addr| addr.0.to_string())
    })
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|_| internal("no session layer on this route"))
}

/// Logs an internal failure with a reference the person can quote, and returns an error that shows only that.
pub fn internal(error: impl std::fmt::Display) -> AppError {
    let reference =
        header("x-request-id").unwrap_or_else(|| hex::encode(rand::random::<[u8; 8]>()));
    tracing::error!(%reference, %error, "internal error in a server function");
    AppError::Internal { reference }
}

/// A form posted without JavaScript expects a page back, not JSON. A page being rendered (a GET) that calls a server
/// function directly is not one: it shows the error itself rather than being sent elsewhere.
fn plain_form_post() -> bool {
    with_request(|parts| Some(parts.method == http::Method::POST)).unwrap_or(false)
        && header("accept").is_some_and(|accept| accept.contains("text/html"))
}

/// The path of the page a form was posted from, if it was one of ours.
fn referring_path() -> Option<String> {
    let referer = header("referer")?;
    let origin = use_context::<AppContext>()?.auth.public_origin;
    let rest = referer.strip_prefix(&origin)?;
    let path = rest
        .split(['?', '#'])
        .next()
        .filter(|path| path.starts_with('/'))?;
    Some(path.to_owned())
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// Returns `error` with the HTTP status it stands for. A form posted without JavaScript is sent back to its page
/// with the error in the query, where the page shows it next to the field.
pub fn fail<T>(error: AppError) -> Result<T, AppError> {
    let error = in_reader_language(error);
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            http::StatusCode::from_u16(error.status()).unwrap_or(http::StatusCode::BAD_REQUEST),
        );
    }
    if plain_form_post() {
        let mut location = format!(
            "{}?error={}",
            referring_path().unwrap_or_else(|| "/".into()),
            error.code()
        );
        if let Some(field) = error.field() {
            location.push_str(&format!("&field={}", encode(field)));
        }
        match &error {
            AppError::Invalid { message, .. } => {
                location.push_str(&format!("&detail={}", encode(message)))
            }
            AppError::Internal { reference } => {
                location.push_str(&format!("&detail={}", encode(reference)))
            }
            _ => {}
        }
        leptos_axum::redirect(&location);
    }
    Err(error)
}

/// The language the pages of the request's browser are written in.
pub fn page_language() -> crate::i18n::Locale {
    with_request(|parts| Some(crate::ui::locale::preferred_locale(&parts.headers)))
        .unwrap_or_default()
}

/// A field error in the language of the page the request came from (validation words it in English).
fn in_reader_language(error: AppError) -> AppError {
    let french = page_language() == crate::i18n::Locale::fr;
    match error {
        AppError::Invalid { field, message } if french => AppError::Invalid {
            message: super::error_french::in_french(&message).unwrap_or(message),
            field,
        },
        other => other,
    }
}

/// Whether a redirect may follow `path`: a path of this portal, never another origin (`//host`, `/\\host`), and no
/// control character, which cannot go in a `Location` header (leptos_axum panics on one).
pub fn is_portal_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.contains("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

/// Sends the browser on to `path` after a successful form post, with or without JavaScript.
pub fn go_to(path: &str) {
    leptos_axum::redirect(path);
}

pub async fn record(context: &AppContext, event: SecurityEvent) -> Result<(), AppError> {
    context
        .store
        .record_security_event(&event)
        .await
        .map_err(internal)
}

pub fn event(kind: SecurityEventKind, context: &AppContext) -> SecurityEvent {
    SecurityEvent {
        kind,
        at: context.clock.now(),
        account: None,
        email: None,
        client_ip: client_addr(),
        detail: None,
    }
}

/// Who is asking, worked out once per page: the header and each part of a page ask for the sign-in (and several for
/// `get_me`), and each asking read the session and the account again. The server provides one per request. Only a
/// reading request (GET, HEAD) uses it: a server function that changes the sign-in (signing in or out, the second
/// factor) must see the change. Nothing outlives the request: the next page reads everything afresh.
#[derive(Clone, Debug, Default)]
pub struct RequestMemo {
    sign_in: Arc<tokio::sync::OnceCell<Option<Authenticated>>>,
    staff: Arc<tokio::sync::OnceCell<Result<AsStaff, Refusal>>>,
    me: Arc<tokio::sync::OnceCell<Option<super::get_me::Me>>>,
}

/// What the page guard worked out for this request, put in its extensions for the page: a guarded page would
/// otherwise read the account (and a staff member's roles) once in the guard and once more while it renders. Read
/// through [`RequestMemo`], so only by reading requests.
#[derive(Clone, Debug)]
pub struct GuardedSignIn {
    pub auth: Option<Authenticated>,
    /// Set for the staff area, whose guard asked for the roles.
    pub staff: Option<Result<AsStaff, Refusal>>,
}

fn guarded_sign_in() -> Option<GuardedSignIn> {
    with_request(|parts| parts.extensions.get::<GuardedSignIn>().cloned())
}

impl RequestMemo {
    /// For the server's per-request context.
    pub fn provide() {
        provide_context(Self::default());
    }

    /// This request's memo, if it is a reading one.
    fn for_reading() -> Option<Self> {
        let reading = with_request(|parts| Some(parts.method.is_safe())).unwrap_or(false);
        use_context::<Self>().filter(|_| reading)
    }
}

/// `work_out` once per reading request, its answer kept in the memo's `cell`; every time otherwise.
async fn once_per_reading<T, F>(
    cell: fn(&RequestMemo) -> &tokio::sync::OnceCell<T>,
    work_out: impl FnOnce() -> F,
) -> Result<T, AppError>
where
    T: Clone,
    F: std::future::Future<Output = Result<T, AppError>>,
{
    match RequestMemo::for_reading() {
        Some(memo) => cell(&memo).get_or_try_init(work_out).await.cloned(),
        None => work_out().await,
    }
}

/// The signed-in account behind this request, if any.
pub async fn signed_in(context: &AppContext) -> Result<Option<Authenticated>, AppError> {
    once_per_reading(
        |memo| &memo.sign_in,
        || async {
            match guarded_sign_in() {
                Some(guarded) => Ok(guarded.auth),
                None => authenticate_now(context).await,
            }
        },
    )
    .await
}

/// The staff capability of `auth` (this request's sign-in), its roles read once per reading request.
async fn staff_capability(
    context: &AppContext,
    auth: Option<&Authenticated>,
) -> Result<Result<AsStaff, Refusal>, AppError> {
    once_per_reading(
        |memo| &memo.staff,
        || async {
            match guarded_sign_in().and_then(|guarded| guarded.staff) {
                Some(staff) => Ok(staff),
                None => guard::as_staff(auth, context.store.as_ref())
                    .await
                    .map_err(internal),
            }
        },
    )
    .await
}

/// A signed-in staff member's roles, for menus: those of this request's staff capability when it has one (the staff
/// area's guard worked it out already), read otherwise. A customer has none.
pub async fn roles_for_menus(
    context: &AppContext,
    auth: &Authenticated,
) -> Result<Vec<crate::domain::Role>, AppError> {
    let crate::ports::Principal::Staff(staff) = auth.account.principal else {
        return Ok(Vec::new());
    };
    match staff_capability(context, Some(auth)).await? {
        Ok(capability) => Ok(capability.roles().to_vec()),
        Err(_) => context.store.staff_roles(staff).await.map_err(internal),
    }
}

/// Who is signed in, for greetings and menus: `work_out` once per reading request.
pub async fn who_am_i<F>(
    work_out: impl FnOnce() -> F,
) -> Result<Option<super::get_me::Me>, AppError>
where
    F: std::future::Future<Output = Result<Option<super::get_me::Me>, AppError>>,
{
    once_per_reading(|memo| &memo.me, work_out).await
}

async fn authenticate_now(context: &AppContext) -> Result<Option<Authenticated>, AppError> {
    let session = session().await?;
    guard::authenticate(&session, context.store.as_ref(), context.clock.now())
        .await
        .map_err(internal)
}

/// The account behind this request once its sign-in is complete (second factor done or not needed), if any.
pub async fn signed_in_fully(context: &AppContext) -> Result<Option<Authenticated>, AppError> {
    Ok(signed_in(context)
        .await?
        .filter(|auth| auth.state.stage == crate::auth::session::Stage::Complete))
}

/// The account behind this request once its sign-in is complete, or a 401.
pub async fn require_signed_in(context: &AppContext) -> Result<Authenticated, AppError> {
    match signed_in_fully(context).await? {
        Some(auth) => Ok(auth),
        None => fail(AppError::SignInRequired),
    }
}

/// Asks for the current password again before a sensitive change; a wrong one is an error on `field`.
pub async fn confirm_password(
    context: &AppContext,
    auth: &Authenticated,
    password: &str,
    field: &str,
) -> Result<(), AppError> {
    let verification = context
        .hasher
        .verify(password, Some(&auth.account.password_hash))
        .await
        .map_err(internal)?;
    if verification.matches {
        Ok(())
    } else {
        fail(AppError::invalid(
            field,
            "The current password is incorrect.",
        ))
    }
}

async fn refuse<T>(
    context: &AppContext,
    auth: Option<&Authenticated>,
    refusal: Refusal,
) -> Result<T, AppError> {
    match refusal {
        Refusal::NotSignedIn | Refusal::Unfinished(_) => fail(AppError::SignInRequired),
        Refusal::WrongKindOfAccount | Refusal::MissingRole(_) => {
            forbid(
                context,
                auth.map(|auth| auth.account.id),
                &refusal.log_words(),
            )
            .await
        }
    }
}

/// Refuses with 403 and records the refusal as a security event: every refused authorization is on record.
pub async fn forbid<T>(
    context: &AppContext,
    account: Option<AccountId>,
    why: &str,
) -> Result<T, AppError> {
    forbid_with(context, account, why, AppError::Forbidden).await
}

/// Records the refusal like [`forbid`], answering with `error`, a refusal that says how to get past it.
pub async fn forbid_with<T>(
    context: &AppContext,
    account: Option<AccountId>,
    why: &str,
    error: AppError,
) -> Result<T, AppError> {
    let mut refused = event(SecurityEventKind::AuthorizationRefused, context);
    refused.account = account;
    let path = with_request(|parts| Some(parts.uri.path().to_owned())).unwrap_or_default();
    refused.detail = Some(crate::log_detail!("{why} at {path}"));
    record(context, refused).await?;
    fail(error)
}

pub async fn require_customer(context: &AppContext) -> Result<AsCustomer, AppError> {
    let auth = signed_in(context).await?;
    match guard::as_customer(auth.as_ref()) {
        Ok(customer) => Ok(customer),
        Err(refusal) => refuse(context, auth.as_ref(), refusal).await,
    }
}

pub async fn require_staff(context: &AppContext) -> Result<AsStaff, AppError> {
    let auth = signed_in(context).await?;
    match staff_capability(context, auth.as_ref()).await? {
        Ok(staff) => Ok(staff),
        Err(refusal) => refuse(context, auth.as_ref(), refusal).await,
    }
}

/// A role capability (`AsSupport`, `AsSysadmin`, `AsPrivacyOfficer`) for this request, or a refusal that is logged.
pub async fn require_role<C: TryFrom<AsStaff, Error = Refusal>>(
    context: &AppContext,
) -> Result<C, AppError> {
    let auth = signed_in(context).await?;
    let staff = match staff_capability(context, auth.as_ref()).await? {
        Ok(staff) => staff,
        Err(refusal) => return refuse(context, auth.as_ref(), refusal).await,
    };
    match C::try_from(staff) {
        Ok(capability) => Ok(capability),
        Err(refusal) => refuse(context, auth.as_ref(), refusal).await,
    }
}
