//! Signing in over HTTP: passwords, fresh session ids at each privilege change, the staff second factor (TOTP and
//! its replay protection), and where a sign-in leads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::auth::{
    code_at, count, events, seeded_app, totp_secret, Browser, CUSTOMER, DEMO_PASSWORD, SUPPORT,
};
use crate::support::Backend;

/// A session id tower-sessions would accept (22 base64 characters) but that the server never issued.
const PLANTED: &str = "AAAAAAAAAAAAAAAAAAAAAA";

async fn a_customer_signs_in_with_a_fresh_session_id(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let browser = Browser::new(&app);
    assert_eq!(browser.me().await, None);
    assert_eq!(
        count(&app.store, "SELECT COUNT(*) FROM sessions").await,
        0,
        "looking around anonymously stores no session"
    );

    browser.set_cookie(Some(PLANTED));
    let reply = browser.log_in(CUSTOMER, DEMO_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.location(), Some("/account"));
    assert!(
        reply.headers.contains_key("serverfnredirect"),
        "the page's script is told where to go"
    );
    let set_cookie = reply.session_set_cookie().expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
    }
    for absent in ["Secure", "Max-Age", "Expires"] {
        assert!(
            !set_cookie.contains(absent),
            "{absent} over plain HTTP, for the browser session only: {set_cookie}"
        );
    }
    let first = browser.cookie().expect("signed in");
    assert_ne!(first, PLANTED, "a planted id is never adopted");

    let me = browser.me().await.expect("signed in");
    assert_eq!(me["email"], CUSTOMER);
    assert_eq!(me["display_name"], "Jeanne Favre");
    assert_eq!(me["is_staff"], false);
    assert_eq!(me["roles"], json!([]));

    let again = browser.log_in(CUSTOMER, DEMO_PASSWORD).await;
    assert_eq!(again.status, StatusCode::OK);
    let second = browser.cookie().expect("still signed in");
    assert_ne!(second, first, "every sign-in gets a new id");
    let thief = Browser::new(&app);
    thief.set_cookie(Some(&first));
    assert_eq!(thief.me().await, None, "the previous id is worth nothing");
    assert_eq!(
        count(&app.store, "SELECT COUNT(*) FROM sessions").await,
        1,
        "the old row is gone, not only unused"
    );
    assert_eq!(events(&app.store, 1000).await.len(), 2, "LoginSucceeded");
}

async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let browser = Browser::new(&app);
    let wrong = browser.log_in(CUSTOMER, "not the password at all").await;
    let unknown = browser
        .log_in("nobody@boulangerie-favre.ch", "not the password at all")
        .await;
    let malformed = browser
        .log_in("not an address", "not the password at all")
        .await;
    for reply in [&wrong, &unknown, &malformed] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
        assert_eq!(reply.session_set_cookie(), None, "no session for a failure");
    }
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.body, malformed.body);
    assert_eq!(wrong.json(), json!("BadCredentials"));
    assert_eq!(browser.me().await, None);
    assert_eq!(events(&app.store, 1001).await.len(), 3, "LoginFailed");

    // Without JavaScript the form is sent back to its page with the error, whoever the email belongs to.
    for email in [CUSTOMER, "nobody@boulangerie-favre.ch"] {
        let request = app
            .client
            .post(app.url("/sf/log-in"))
            .header("origin", &app.base)
            .header("accept", "text/html")
            .header("referer", app.url("/login?next=/account"))
            .form(&[("email", email), ("password", "not the password at all")]);
        let reply = browser.send(request).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{email}");
        assert_eq!(
            reply.location(),
            Some("/login?error=bad-credentials&field=password"),
            "{email}"
        );
    }
}

async fn staff_need_a_second_factor_that_works_once(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let browser = Browser::new(&app);
    let reply = browser.log_in(SUPPORT, DEMO_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.location(), Some("/login/second-factor"));
    let password_stage = browser.cookie().expect("a session for the second step");
    assert_eq!(browser.me().await, None, "half signed in is not signed in");
    let staff_page = browser.get("/staff").await;
    assert!(staff_page.status.is_redirection(), "{}", staff_page.status);
    assert_eq!(staff_page.location(), Some("/login/second-factor"));
    assert_eq!(
        browser.call("list-sessions", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );

    let wrong = browser
        .call("verify-second-factor", &[("code", "12345")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json(), json!("BadCode"));

    let code = code_at(totp_secret(SUPPORT), Utc::now());
    let reply = browser
        .call("verify-second-factor", &[("code", &code)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.location(), Some("/staff"));
    let complete = browser.cookie().expect("signed in");
    assert_ne!(
        complete, password_stage,
        "a new id once the second factor is in"
    );
    let me = browser.me().await.expect("signed in");
    assert_eq!(me["is_staff"], true);
    assert_eq!(me["roles"], json!(["support"]));
    assert_eq!(browser.get("/staff").await.status, StatusCode::OK);
    let thief = Browser::new(&app);
    thief.set_cookie(Some(&password_stage));
    assert_eq!(thief.me().await, None);
    assert!(thief.get("/staff").await.status.is_redirection());

    // Someone who overheard the code and knows the password cannot use it again.
    let replayer = Browser::new(&app);
    replayer.log_in(SUPPORT, DEMO_PASSWORD).await;
    let replay = replayer
        .call("verify-second-factor", &[("code", &code)])
        .await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY, "replay");
    assert_eq!(replayer.me().await, None);
    assert_eq!(
        events(&app.store, 1011).await.len(),
        2,
        "SecondFactorFailed"
    );
    // The next code still works: refusing the replay did not lock the account.
    let next = code_at(totp_secret(SUPPORT), Utc::now() + Duration::seconds(30));
    let reply = replayer
        .call("verify-second-factor", &[("code", &next)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        events(&app.store, 1010).await.len(),
        2,
        "SecondFactorSucceeded"
    );
}

async fn next_only_leads_inside_the_accounts_own_area(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    for (next, expected) in [
        ("/account/services", "/account/services"),
        ("https://evil.example/account", "/account"),
        ("//evil.example/account", "/account"),
        ("/account//evil.example", "/account"),
        ("/staff", "/account"),
        ("/account\r\nSet-Cookie: x=y", "/account"),
    ] {
        let browser = Browser::new(&app);
        let reply = browser
            .call(
                "log-in",
                &[
                    ("email", CUSTOMER),
                    ("password", DEMO_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{next:?}: {}", reply.body);
        assert_eq!(reply.location(), Some(expected), "{next:?}");
    }
}

on_both_backends!(
    a_customer_signs_in_with_a_fresh_session_id,
    a_wrong_password_and_an_unknown_email_get_the_same_answer,
    staff_need_a_second_factor_that_works_once,
    next_only_leads_inside_the_accounts_own_area,
);
