//! Server functions against forged and broken requests: other sites cannot sign anyone in, GET changes nothing,
//! and neither malformed input nor an internal failure shows anything of the server's insides.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::StatusCode;

use crate::support::auth::{
    count, events, seeded_app, sign_in_customer, Browser, Reply, CUSTOMER, DEMO_PASSWORD,
};
use crate::support::Backend;

/// Words that would betray the implementation behind an error.
const INTERNALS: [&str; 12] = [
    "sqlx",
    "panicked",
    "::",
    "String",
    "Option",
    "LogIn",
    "ChangePassword",
    "serde",
    "pool",
    "database",
    "Error(",
    "src/",
];

type Form<'a> = &'a [(&'a str, &'a str)];

fn assert_no_internals(what: &str, reply: &Reply) {
    for word in INTERNALS {
        assert!(
            !reply.body.contains(word),
            "{what}: {word:?} in the answer: {}",
            reply.body
        );
    }
}

async fn other_sites_cannot_sign_anyone_in(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let browser = Browser::new(&app);
    let credentials = [("email", CUSTOMER), ("password", DEMO_PASSWORD)];
    for (name, value) in [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let forged = app
            .client
            .post(app.url("/sf/log-in"))
            .header(name, value)
            .form(&credentials);
        let reply = browser.send(forged).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}: {value}");
        assert_eq!(reply.session_set_cookie(), None);
    }
    assert_eq!(count(&app.store, "SELECT COUNT(*) FROM sessions").await, 0);
    assert!(
        events(&app.store, 1000).await.is_empty(),
        "the password was not even checked"
    );

    let same_site = app
        .client
        .post(app.url("/sf/log-in"))
        .header("sec-fetch-site", "same-origin")
        .form(&credentials);
    assert_eq!(browser.send(same_site).await.status, StatusCode::OK);
    assert!(browser.me().await.is_some());
}

async fn get_requests_change_nothing(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let browser = sign_in_customer(&app, CUSTOMER).await;
    let log_out = browser.get("/sf/log-out").await;
    assert_eq!(log_out.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(browser.me().await.is_some(), "still signed in");

    let anonymous = Browser::new(&app);
    let log_in = anonymous
        .get(&format!(
            "/sf/log-in?email={CUSTOMER}&password={DEMO_PASSWORD}"
        ))
        .await;
    assert!(log_in.status.is_client_error(), "{}", log_in.status);
    assert_eq!(anonymous.cookie(), None);
    assert_eq!(count(&app.store, "SELECT COUNT(*) FROM sessions").await, 1);
}

async fn malformed_requests_get_a_plain_client_error(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let browser = sign_in_customer(&app, CUSTOMER).await;
    let cases: [(&str, &str, Form); 4] = [
        (
            "log-in without a password",
            "log-in",
            &[("email", CUSTOMER)],
        ),
        ("log-in without anything", "log-in", &[]),
        (
            "change-password without the new one",
            "change-password",
            &[("current_password", DEMO_PASSWORD)],
        ),
        ("end-session without a handle", "end-session", &[]),
    ];
    for (what, function, form) in cases {
        let reply = browser.call(function, form).await;
        assert!(
            reply.status.is_client_error(),
            "{what}: {} {}",
            reply.status,
            reply.body
        );
        assert_no_internals(what, &reply);
    }
    let not_a_form = app
        .client
        .post(app.url("/sf/log-in"))
        .header("origin", &app.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'=', 0x00]);
    let reply = browser.send(not_a_form).await;
    assert!(reply.status.is_client_error(), "{}", reply.status);
    assert_no_internals("bytes that are not a form", &reply);
    assert!(
        browser.me().await.is_some(),
        "nothing happened to the session"
    );
}

async fn an_internal_failure_shows_only_a_reference(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let browser = sign_in_customer(&app, CUSTOMER).await;
    app.store.close().await;
    let reply = browser.call("get-me", &[]).await;
    assert_eq!(
        reply.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        reply.body
    );
    assert_no_internals("database gone", &reply);
    let reference = reply.json()["Internal"]["reference"]
        .as_str()
        .unwrap_or_else(|| panic!("no reference: {}", reply.body))
        .to_owned();
    assert_eq!(
        reply.headers["x-request-id"].to_str().unwrap(),
        reference,
        "the reference is the request id the log carries"
    );
}

on_both_backends!(
    other_sites_cannot_sign_anyone_in,
    get_requests_change_nothing,
    malformed_requests_get_a_plain_client_error,
    an_internal_failure_shows_only_a_reference,
);
