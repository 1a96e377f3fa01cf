//! Session lifetimes with a clock the test moves: 30 idle minutes, 12 hours whatever the activity, and a database
//! write for activity at most once a minute.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;

use crate::support::auth::{
    count, seeded_app_with_clock, sign_in_customer, CUSTOMER, OTHER_CUSTOMER,
};
use crate::support::Backend;
use app::ports::Clock;
use server::storage::SqlStore;

/// `last_seen_at` and `expires_at` of the session row with this id.
async fn session_times(store: &SqlStore, id: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let sql = "SELECT last_seen_at, expires_at FROM sessions WHERE id = $1";
    match store {
        SqlStore::Sqlite(pool) => sqlx::query_as(sql).bind(id).fetch_optional(pool).await,
        SqlStore::Postgres(pool) => sqlx::query_as(sql).bind(id).fetch_optional(pool).await,
    }
    .unwrap()
}

async fn a_session_ends_after_thirty_idle_minutes(backend: Backend) {
    let Some((app, clock)) = seeded_app_with_clock(backend).await else {
        return;
    };
    let idle = sign_in_customer(&app, CUSTOMER).await;
    let busy = sign_in_customer(&app, OTHER_CUSTOMER).await;

    clock.advance(Duration::minutes(29));
    assert!(busy.me().await.is_some(), "29 minutes is not yet idle");
    clock.advance(Duration::minutes(1));
    assert_eq!(idle.me().await, None, "30 idle minutes end it");
    let page = idle.get("/account").await;
    assert_eq!(page.location(), Some("/login?next=/account"));
    assert!(
        busy.me().await.is_some(),
        "the other one was used a minute ago"
    );
    assert_eq!(
        count(&app.store, "SELECT COUNT(*) FROM sessions").await,
        1,
        "the expired row is deleted when it is found expired"
    );
}

async fn a_session_ends_after_twelve_hours_even_in_use(backend: Backend) {
    let Some((app, clock)) = seeded_app_with_clock(backend).await else {
        return;
    };
    let browser = sign_in_customer(&app, CUSTOMER).await;
    for minutes in (20..720).step_by(20) {
        clock.advance(Duration::minutes(20));
        assert!(
            browser.me().await.is_some(),
            "still in use after {minutes} minutes"
        );
    }
    clock.advance(Duration::minutes(20));
    assert_eq!(browser.me().await, None, "12 hours are the limit");
    assert_eq!(
        browser.call("list-sessions", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn activity_is_written_at_most_once_a_minute(backend: Backend) {
    let Some((app, clock)) = seeded_app_with_clock(backend).await else {
        return;
    };
    let signed_in_at = clock.now();
    let browser = sign_in_customer(&app, CUSTOMER).await;
    let id = browser.cookie().unwrap();
    let (last_seen, expires) = session_times(&app.store, &id).await.unwrap();
    assert_eq!(last_seen, signed_in_at);
    assert_eq!(expires, signed_in_at + Duration::minutes(30));

    clock.advance(Duration::seconds(59));
    let reply = browser.call("get-me", &[]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.session_set_cookie(), None);
    assert_eq!(
        session_times(&app.store, &id).await.unwrap(),
        (last_seen, expires),
        "the row is not written within the minute"
    );

    clock.advance(Duration::seconds(2));
    let now = clock.now();
    assert!(browser.me().await.is_some());
    assert_eq!(browser.cookie().as_deref(), Some(id.as_str()), "same id");
    assert_eq!(
        session_times(&app.store, &id).await.unwrap(),
        (now, now + Duration::minutes(30)),
        "after a minute the idle clock moves"
    );
}

on_both_backends!(
    a_session_ends_after_thirty_idle_minutes,
    a_session_ends_after_twelve_hours_even_in_use,
    activity_is_written_at_most_once_a_minute,
);
