//! Page guard: the account area and the staff area are rendered only for a session allowed there. Server functions
//! check again on their own; this keeps protected pages from being rendered at all for anyone else.

use axum::{
    extract::{Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{Html, IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use app::api::context::GuardedSignIn;
use app::auth::guard::{self, Refusal};
use app::auth::session::Stage;
use app::domain::SecurityEventKind;
use app::ports::{ClientAddr, SecurityEvent};

use super::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Customer,
    Staff,
    /// Pages for any fully signed-in account (account security).
    SignedIn,
}

fn area_of(path: &str) -> Option<Area> {
    let within = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if within("/account") {
        Some(Area::Customer)
    } else if within("/staff") || within("/privacy") {
        Some(Area::Staff)
    } else if within("/security") {
        Some(Area::SignedIn)
    } else {
        None
    }
}

const FORBIDDEN_PAGE: &str = "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Accès refusé</title>\
    </head><body><main><h1>Accès refusé</h1><p>Votre compte ne donne pas accès à cette page.</p>\
    <p lang=\"en\">Your account does not give access to this page.</p><p><a href=\"/\">Accueil</a></p></main></body></html>";

pub async fn protect_pages(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let Some(area) = area_of(&path) else {
        if session.id().is_none() && request.method().is_safe() {
            // No session cookie: nobody is signed in. Said here, where it costs nothing, the page need not find it
            // out again through its own copy of the request (a tenth of a public page's work).
            request.extensions_mut().insert(GuardedSignIn {
                auth: None,
                staff: None,
            });
        }
        return next.run(request).await;
    };
    let context = &state.app;
    let now = context.clock.now();
    let auth = match guard::authenticate(&session, context.store.as_ref(), now).await {
        Ok(auth) => auth,
        Err(error) => {
            tracing::error!(%error, "page guard could not read the session");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let mut staff = None;
    let refusal = match area {
        Area::Customer => guard::as_customer(auth.as_ref()).err(),
        Area::SignedIn => guard::signed_in_fully(auth.as_ref()).err(),
        Area::Staff => match guard::as_staff(auth.as_ref(), context.store.as_ref()).await {
            Ok(result) => staff.insert(result).as_ref().err().copied(),
            Err(error) => {
                tracing::error!(%error, "page guard could not read staff roles");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        },
    };
    match refusal {
        None => {
            request
                .extensions_mut()
                .insert(GuardedSignIn { auth, staff });
            next.run(request).await
        }
        Some(Refusal::NotSignedIn) => {
            Redirect::to(&format!("/login?next={}", encode_path(&path))).into_response()
        }
        Some(Refusal::Unfinished(Stage::NeedsSecondFactor)) => {
            Redirect::to("/login/second-factor").into_response()
        }
        Some(Refusal::Unfinished(_)) => Redirect::to("/login/enrol").into_response(),
        Some(refusal @ (Refusal::WrongKindOfAccount | Refusal::MissingRole(_))) => {
            let event = SecurityEvent {
                kind: SecurityEventKind::AuthorizationRefused,
                at: now,
                account: auth.as_ref().map(|auth| auth.account.id),
                email: None,
                client_ip: request
                    .extensions()
                    .get::<ClientAddr>()
                    .map(|addr| addr.0.to_string()),
                detail: Some(app::log_detail!(
                    "{why} at {path}",
                    why = refusal.log_words()
                )),
            };
            if let Err(error) = context.store.record_security_event(&event).await {
                tracing::error!(%error, "could not record a refused authorization");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
            (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                Html(FORBIDDEN_PAGE),
            )
                .into_response()
        }
    }
}

fn encode_path(path: &str) -> String {
    path.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_whole_path_segments() {
        assert_eq!(area_of("/account"), Some(Area::Customer));
        assert_eq!(area_of("/account/security"), Some(Area::Customer));
        assert_eq!(area_of("/accounts-public"), None);
        assert_eq!(area_of("/staff/queue"), Some(Area::Staff));
        assert_eq!(area_of("/staffing"), None);
        assert_eq!(area_of("/security"), Some(Area::SignedIn));
        assert_eq!(area_of("/"), None);
    }
}
