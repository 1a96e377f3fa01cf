//! Second-factor enrolment at a staff member's first sign-in, the recovery codes it gives once, and signing in with
//! one of them later; and what a browser's earlier session must not pass on to the next person.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::auth::{code_at, count, events, seeded_app, Browser, CUSTOMER, DEMO_PASSWORD};
use crate::support::{spawn_app, Backend, TestApp};
use app::auth::passwords::PasswordHasher;
use app::domain::{EmailAddress, NewPassword, Role};
use server::accounts::{create_user, Kind, NewUser};

const PASSWORD: &str = "a long enough passphrase";

/// A staff member as `create-user` makes one: a password and no second factor yet.
async fn new_staff(app: &TestApp, email: &str, role: Role) {
    create_user(
        &app.store,
        &PasswordHasher::new(1),
        &NewUser {
            kind: &Kind::Staff(vec![role]),
            email: &EmailAddress::parse(email).unwrap(),
            name: "New Staff",
            password: &NewPassword::parse(PASSWORD).unwrap(),
            totp_secret: None,
        },
        Utc::now(),
    )
    .await
    .unwrap();
}

/// What the security page says is left: `get-my-recovery-code-count`, which `get-me` no longer carries.
async fn recovery_codes_left(browser: &Browser) -> u64 {
    let reply = browser.call("get-my-recovery-code-count", &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply
        .json()
        .as_u64()
        .expect("a count for a signed-in account")
}

async fn new_staff_enrol_and_can_sign_in_with_a_recovery_code(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let email = "zoe.blanc@staff.portal.example";
    new_staff(&app, email, Role::Support).await;

    let browser = Browser::new(&app);
    let reply = browser.log_in(email, PASSWORD).await;
    assert_eq!(reply.location(), Some("/login/enrol"), "{}", reply.body);
    assert_eq!(browser.me().await, None);
    assert_eq!(browser.get("/staff").await.location(), Some("/login/enrol"));
    assert_eq!(
        browser
            .call("verify-second-factor", &[("code", "123456")])
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "nothing to verify before enrolment"
    );
    assert_eq!(
        browser
            .call("confirm-enrolment", &[("code", "123456")])
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "nothing to confirm before it begins"
    );

    let enrolment = browser.call("begin-enrolment", &[]).await;
    assert_eq!(enrolment.status, StatusCode::OK, "{}", enrolment.body);
    let enrolment = enrolment.json();
    assert_eq!(enrolment["account"], email);
    assert!(enrolment["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let resumed = browser.call("begin-enrolment", &[]).await.json();
    assert_eq!(
        resumed["secret"],
        secret.as_str(),
        "reloading the page resumes"
    );

    let wrong = browser
        .call("confirm-enrolment", &[("code", "12345")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let before = browser.cookie();
    let reply = browser
        .call(
            "confirm-enrolment",
            &[("code", &code_at(&secret, Utc::now()))],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.location(), Some("/login/recovery-codes"));
    assert_ne!(browser.cookie(), before, "a new id once enrolled");

    let codes = browser.call("take-recovery-codes", &[]).await;
    assert_eq!(codes.status, StatusCode::OK);
    let codes: Vec<String> = serde_json::from_value(codes.json()).unwrap();
    assert_eq!(codes.len(), 10, "{codes:?}");
    let distinct: std::collections::HashSet<&String> = codes.iter().collect();
    assert_eq!(distinct.len(), 10);
    for code in &codes {
        assert!(
            code.len() == 11 && code.as_bytes()[5] == b'-',
            "xxxxx-xxxxx: {code}"
        );
    }
    let again = browser.call("take-recovery-codes", &[]).await.json();
    assert_eq!(again, json!([]), "shown once only");
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM recovery_codes WHERE code_hash LIKE '%-%'"
        )
        .await,
        0,
        "stored hashed"
    );
    let me = browser.me().await.expect("signed in");
    assert_eq!(me["second_factor_enrolled"], true);
    assert_eq!(
        (&me["is_staff"], &me["roles"]),
        (&json!(true), &json!(["support"])),
        "the menus know the staff member's roles"
    );
    assert_eq!(recovery_codes_left(&browser).await, 10);
    assert_eq!(browser.get("/staff").await.status, StatusCode::OK);
    assert_eq!(
        events(&app.store, 1012).await.len(),
        1,
        "SecondFactorEnrolled"
    );

    // Later, without the phone: a recovery code, typed as people type.
    assert_eq!(browser.call("log-out", &[]).await.status, StatusCode::OK);
    let later = Browser::new(&app);
    assert_eq!(
        later.log_in(email, PASSWORD).await.location(),
        Some("/login/second-factor")
    );
    let typed = format!(" {} ", codes[3].to_uppercase().replace('-', " "));
    let reply = later
        .call("verify-second-factor", &[("code", &typed)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.location(), Some("/staff"));
    assert_eq!(recovery_codes_left(&later).await, 9);
    let security = later.get("/security").await;
    assert!(
        security
            .body
            .replace("<!>", "")
            .contains("Codes de secours restants : 9"),
        "the security page says what is left: {}",
        security.body
    );
    assert_eq!(events(&app.store, 1014).await.len(), 1, "RecoveryCodeUsed");

    let once_more = Browser::new(&app);
    once_more.log_in(email, PASSWORD).await;
    let reused = once_more
        .call("verify-second-factor", &[("code", &codes[3])])
        .await;
    assert_eq!(
        reused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a recovery code works once"
    );
    assert_eq!(once_more.me().await, None);
}

async fn a_sign_in_keeps_nothing_of_the_browsers_previous_session(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let email = "hugo.roth@staff.portal.example";
    new_staff(&app, email, Role::Sysadmin).await;
    // A staff member enrols on a shared computer and walks away before the recovery codes page.
    let shared = Browser::new(&app);
    shared.log_in(email, PASSWORD).await;
    let secret = shared.call("begin-enrolment", &[]).await.json()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let confirmed = shared
        .call(
            "confirm-enrolment",
            &[("code", &code_at(&secret, Utc::now()))],
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);

    let reply = shared.log_in(CUSTOMER, DEMO_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK);
    let me = shared.me().await.unwrap();
    assert_eq!(
        (&me["email"], &me["is_staff"], &me["roles"]),
        (&json!(CUSTOMER), &json!(false), &json!([])),
        "a customer after a staff member, on the same browser, has no staff roles"
    );
    let codes = shared.call("take-recovery-codes", &[]).await;
    assert_eq!(codes.status, StatusCode::OK);
    assert_eq!(
        codes.json(),
        json!([]),
        "the next person must not get the staff member's recovery codes"
    );
}

on_both_backends!(
    new_staff_enrol_and_can_sign_in_with_a_recovery_code,
    a_sign_in_keeps_nothing_of_the_browsers_previous_session,
);
