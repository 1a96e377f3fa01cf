//! Sessions end on the server: at logout, when the password changes, and when their owner ends them from the list
//! of sessions; and a request still running for an ended session does not bring it back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::auth::{
    account_id, count, events, seeded_app, sign_in_customer, Browser, CUSTOMER, DEMO_PASSWORD,
    OTHER_CUSTOMER,
};
use crate::support::Backend;
use app::auth::session::session_handle;

async fn logging_out_ends_the_session_on_the_server(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let browser = sign_in_customer(&app, CUSTOMER).await;
    let stolen = browser.copy();
    let reply = browser.call("log-out", &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.location(), Some("/login?signed-out=1"));
    assert!(
        reply.session_set_cookie().is_some(),
        "the browser is told to forget the cookie"
    );
    assert_eq!(browser.cookie(), None);

    assert_eq!(stolen.me().await, None, "the old cookie opens nothing");
    let page = stolen.get("/account").await;
    assert!(page.status.is_redirection());
    assert_eq!(page.location(), Some("/login?next=/account"));
    assert_eq!(count(&app.store, "SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(events(&app.store, 1003).await.len(), 1, "Logout");
}

async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let here = sign_in_customer(&app, CUSTOMER).await;
    let elsewhere = sign_in_customer(&app, CUSTOMER).await;
    let someone_else = sign_in_customer(&app, OTHER_CUSTOMER).await;
    let new_password = "a brand new passphrase";

    let wrong = here
        .call(
            "change-password",
            &[
                ("current_password", "not the password"),
                ("new_password", new_password),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json()["Invalid"]["field"], "current_password");
    let short = here
        .call(
            "change-password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.json()["Invalid"]["field"], "new_password");
    assert!(
        elsewhere.me().await.is_some(),
        "refused changes end nothing"
    );
    assert_eq!(
        Browser::new(&app)
            .call(
                "change-password",
                &[
                    ("current_password", DEMO_PASSWORD),
                    ("new_password", new_password)
                ],
            )
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let before = here.cookie();
    let reply = here
        .call(
            "change-password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", new_password),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.location(), Some("/security?changed=password"));
    assert_ne!(here.cookie(), before, "this session gets a new id");
    assert_eq!(here.me().await.unwrap()["email"], CUSTOMER);
    assert_eq!(elsewhere.me().await, None, "the other session is over");
    assert!(
        someone_else.me().await.is_some(),
        "other accounts are untouched"
    );
    assert_eq!(
        Browser::new(&app)
            .log_in(CUSTOMER, DEMO_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        Browser::new(&app)
            .log_in(CUSTOMER, new_password)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(events(&app.store, 1020).await.len(), 1, "PasswordChanged");
}

/// Waits (up to 10 s) for the `nth` mail, which the server queues after answering: recipient, subject and body.
fn handles(list: &Value) -> Vec<(String, bool)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|session| {
            (
                session["handle"].as_str().unwrap().to_owned(),
                session["current"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn sessions_are_listed_and_ended_by_their_owner_only(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let laptop = sign_in_customer(&app, CUSTOMER).await;
    let phone = Browser::new(&app);
    let request = app
        .client
        .post(app.url("/sf/log-in"))
        .header("origin", &app.base)
        .header("user-agent", "Phone browser 1.0")
        .form(&[("email", CUSTOMER), ("password", DEMO_PASSWORD)]);
    assert_eq!(phone.send(request).await.status, StatusCode::OK);
    let luca = sign_in_customer(&app, OTHER_CUSTOMER).await;

    let list = laptop.call("list-sessions", &[]).await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    let sessions = handles(&list);
    assert_eq!(sessions.len(), 2, "{list}");
    let laptop_handle = session_handle(&laptop.cookie().unwrap());
    let phone_handle = session_handle(&phone.cookie().unwrap());
    assert!(sessions.contains(&(laptop_handle.clone(), true)), "{list}");
    assert!(sessions.contains(&(phone_handle.clone(), false)), "{list}");
    assert!(
        !list.to_string().contains(&phone.cookie().unwrap()),
        "a listing never shows a usable id"
    );
    assert!(list.to_string().contains("Phone browser 1.0"));
    let luca_list = luca.call("list-sessions", &[]).await.json();
    assert_eq!(handles(&luca_list).len(), 1, "only one's own: {luca_list}");

    let refused = luca.call("end-session", &[("handle", &phone_handle)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["Invalid"]["field"], "handle");
    assert!(
        phone.me().await.is_some(),
        "another account's session stays"
    );

    let ended = laptop
        .call("end-session", &[("handle", &phone_handle)])
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(phone.me().await, None);
    assert_eq!(
        handles(&laptop.call("list-sessions", &[]).await.json()).len(),
        1
    );
    assert_eq!(
        laptop
            .call("end-session", &[("handle", &phone_handle)])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "already ended"
    );
    assert_eq!(events(&app.store, 1030).await.len(), 1, "SessionEnded");
}

/// A request of a session that is ended meanwhile (here: by a password change elsewhere) must not write it back.
/// The request is played by hand at the store, the way tower-sessions runs it: load, change, save.
async fn a_session_ended_while_one_of_its_requests_runs_stays_ended(backend: Backend) {
    use tower_sessions::{session::Id, SessionStore};

    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let stolen = sign_in_customer(&app, CUSTOMER).await;
    let owner = sign_in_customer(&app, CUSTOMER).await;
    let stolen_id = stolen.cookie().unwrap();
    let id: Id = stolen_id.parse().unwrap();
    let mut in_flight = app
        .store
        .load(&id)
        .await
        .unwrap()
        .expect("the session exists");

    let reply = owner
        .call(
            "change-password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "the thief is out now"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(stolen.me().await, None);

    // What `take-recovery-codes` does to the session on every call: remove a key, which marks it changed.
    in_flight.data.remove("fresh-recovery-codes");
    app.store.save(&in_flight).await.unwrap();
    // The refusal above made the browser drop the cookie; the thief keeps sending it.
    stolen.set_cookie(Some(&stolen_id));
    assert_eq!(
        stolen.me().await,
        None,
        "the ended session did not come back"
    );
    let sessions_of_the_account = format!(
        "SELECT COUNT(*) FROM sessions WHERE account_id = {}",
        account_id(&app.store, CUSTOMER).await.0
    );
    assert_eq!(count(&app.store, &sessions_of_the_account).await, 1);
}

on_both_backends!(
    logging_out_ends_the_session_on_the_server,
    changing_the_password_needs_the_current_one_and_ends_other_sessions,
    sessions_are_listed_and_ended_by_their_owner_only,
    a_session_ended_while_one_of_its_requests_runs_stays_ended,
);
