//! Login throttling over HTTP, with a clock the test moves: five free failures, then growing delays that even the
//! right password has to wait out, per account and per client address.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::auth::{
    events, seeded_app_with_clock, Browser, CUSTOMER, DEMO_PASSWORD, OTHER_CUSTOMER, THIRD_CUSTOMER,
};
use crate::support::Backend;

fn retry_after(body: &Value) -> u64 {
    body["TooManyAttempts"]["retry_after_secs"]
        .as_u64()
        .unwrap_or_else(|| panic!("not a throttling answer: {body}"))
}

async fn the_sixth_attempt_waits_even_with_the_right_password(backend: Backend) {
    let Some((app, clock)) = seeded_app_with_clock(backend).await else {
        return;
    };
    let browser = Browser::new(&app);
    for attempt in 1..=5 {
        let reply = browser.log_in(CUSTOMER, "a wrong password").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let throttled = browser.log_in(CUSTOMER, DEMO_PASSWORD).await;
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        throttled.body
    );
    assert!(
        (1..=2).contains(&retry_after(&throttled.json())),
        "{}",
        throttled.body
    );
    assert_eq!(throttled.session_set_cookie(), None);
    assert_eq!(browser.me().await, None);
    let logged = events(&app.store, 1002).await;
    assert_eq!(logged.len(), 1, "LoginThrottled");

    clock.advance(Duration::milliseconds(900));
    assert_eq!(
        browser.log_in(CUSTOMER, DEMO_PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "not before the second is over"
    );
    clock.advance(Duration::milliseconds(100));
    // A sixth failure doubles the delay.
    assert_eq!(
        browser.log_in(CUSTOMER, "a wrong password").await.status,
        StatusCode::UNAUTHORIZED
    );
    clock.advance(Duration::milliseconds(1999));
    assert_eq!(
        browser.log_in(CUSTOMER, DEMO_PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    clock.advance(Duration::milliseconds(1));
    let reply = browser.log_in(CUSTOMER, DEMO_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(browser.me().await.unwrap()["email"], CUSTOMER);
    assert_eq!(events(&app.store, 1002).await.len(), 3);

    // Success starts the account's count afresh, but not the address's: someone with one valid account must not be
    // able to reset it between guesses at others.
    let reply = Browser::new(&app)
        .log_in(CUSTOMER, "a wrong password")
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = Browser::new(&app).log_in(CUSTOMER, DEMO_PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the address has seven failures now: 4 s to wait"
    );
    clock.advance(Duration::seconds(4));
    let reply = Browser::new(&app).log_in(CUSTOMER, DEMO_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK);
}

async fn failures_over_many_emails_from_one_address_are_throttled(backend: Backend) {
    let Some((app, clock)) = seeded_app_with_clock(backend).await else {
        return;
    };
    let browser = Browser::new(&app);
    for email in [
        CUSTOMER,
        OTHER_CUSTOMER,
        "nobody@example.ch",
        "noone@example.ch",
        "somebody@example.ch",
    ] {
        let reply = browser.log_in(email, "guessing a password").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{email}");
    }
    // This account has no failure of its own: only the address is being held back.
    let reply = browser.log_in(THIRD_CUSTOMER, DEMO_PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.body
    );
    let logged = events(&app.store, 1002).await;
    assert_eq!(logged.len(), 1, "LoginThrottled");
    assert_eq!(browser.me().await, None);

    clock.advance(Duration::seconds(1));
    let reply = browser.log_in(THIRD_CUSTOMER, DEMO_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

on_both_backends!(
    the_sixth_attempt_waits_even_with_the_right_password,
    failures_over_many_emails_from_one_address_are_throttled,
);
