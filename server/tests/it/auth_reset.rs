//! Password reset by email link: the same answer whether the address has an account or not, a link that works once
//! and for half an hour, and every session of the account ended by the reset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

use crate::support::auth::{
    account_id, count, events, seeded_app, sign_in_customer, Browser, CUSTOMER, DEMO_PASSWORD,
};
use crate::support::Backend;
use server::storage::SqlStore;

async fn wait_for_mail(store: &SqlStore, nth: usize) -> (String, String, String) {
    let sql = "SELECT recipient, subject, body_text FROM outbox ORDER BY id";
    for _ in 0..200 {
        let rows: Vec<(String, String, String)> = match store {
            SqlStore::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
            SqlStore::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        };
        if let Some(row) = rows.into_iter().nth(nth) {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no mail number {nth} in the outbox");
}

fn token_in(body: &str, base: &str) -> String {
    let prefix = format!("{base}/password-reset/");
    let start = body
        .find(&prefix)
        .unwrap_or_else(|| panic!("no link: {body}"))
        + prefix.len();
    body[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

async fn expire_password_resets(store: &SqlStore, at: DateTime<Utc>) {
    let sql = "UPDATE password_resets SET expires_at = $1 WHERE used_at IS NULL";
    match store {
        SqlStore::Sqlite(pool) => sqlx::query(sql).bind(at).execute(pool).await.map(drop),
        SqlStore::Postgres(pool) => sqlx::query(sql).bind(at).execute(pool).await.map(drop),
    }
    .unwrap();
}

async fn a_password_reset_link_works_once_and_ends_every_session(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let signed_in = sign_in_customer(&app, CUSTOMER).await;
    let anonymous = Browser::new(&app);
    let unknown = anonymous
        .call("request-password-reset", &[("email", "nobody@example.ch")])
        .await;
    let known = anonymous
        .call("request-password-reset", &[("email", CUSTOMER)])
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, unknown.body);
    assert_eq!(known.location(), Some("/password-reset?sent=1"));
    assert_eq!(known.location(), unknown.location());

    let (recipient, subject, body) = wait_for_mail(&app.store, 0).await;
    assert_eq!(recipient, CUSTOMER);
    assert_eq!(
        subject, "Réinitialisation de votre mot de passe",
        "in French"
    );
    let token = token_in(&body, &app.base);
    assert_eq!(token.len(), 64, "{body}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        count(&app.store, "SELECT COUNT(*) FROM outbox").await,
        1,
        "nothing is sent for an unknown address"
    );
    let stored = format!(
        "SELECT COUNT(*) FROM password_resets WHERE token_hash = '{}'",
        app::auth::tokens::hash_secret(&token)
    );
    assert_eq!(count(&app.store, &stored).await, 1, "stored as its hash");

    let new_password = "chosen after a reset";
    let short = anonymous
        .call(
            "reset-password",
            &[("token", &token), ("password", "short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        signed_in.me().await.is_some(),
        "a refused reset changes nothing"
    );
    let reply = anonymous
        .call(
            "reset-password",
            &[("token", &token), ("password", new_password)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.location(), Some("/login?reset=1"));
    let again = anonymous
        .call(
            "reset-password",
            &[("token", &token), ("password", "yet another passphrase")],
        )
        .await;
    assert_eq!(again.status, StatusCode::GONE, "a link works once");
    assert_eq!(again.json(), json!("LinkExpired"));
    assert_eq!(signed_in.me().await, None, "every session ended");
    let account = account_id(&app.store, CUSTOMER).await;
    assert_eq!(
        count(
            &app.store,
            &format!(
                "SELECT COUNT(*) FROM sessions WHERE account_id = {}",
                account.0
            )
        )
        .await,
        0
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

    // A link left unused past its half hour is refused, and the password stays.
    anonymous
        .call("request-password-reset", &[("email", CUSTOMER)])
        .await;
    let (_, _, body) = wait_for_mail(&app.store, 1).await;
    let stale = token_in(&body, &app.base);
    expire_password_resets(&app.store, Utc::now() - chrono::Duration::minutes(1)).await;
    let reply = anonymous
        .call(
            "reset-password",
            &[("token", &stale), ("password", "too late for this one")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::GONE);
    assert_eq!(
        Browser::new(&app)
            .log_in(CUSTOMER, new_password)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        events(&app.store, 1021).await.len(),
        2,
        "PasswordResetRequested"
    );
    assert_eq!(
        events(&app.store, 1022).await.len(),
        1,
        "PasswordResetCompleted"
    );
}

on_both_backends!(a_password_reset_link_works_once_and_ends_every_session);
