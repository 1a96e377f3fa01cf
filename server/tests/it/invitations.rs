//! Invitations: a customer the operator loaded, who has no login, gets a one-time link (7 days, stored hashed) to
//! choose a password, sent with the import or by support after identifying the caller; the link names nothing but
//! the portal, works once, and only the latest one works.

use chrono::{Duration, Utc};
use reqwest::StatusCode;

use crate::support::auth::{
    count, seeded_app, seeded_app_with_clock, sign_in_staff, Browser, PRIVACY_OFFICER, SUPPORT,
};
use crate::support::{Backend, TestApp};
use app::domain::{AuditEvent, CustomerNumber, EmailAddress, Language};
use app::ports::{ConsentStore, NewCustomer, Storage};
use server::storage::SqlStore;

const NEW_CUSTOMER: &str = "C-300100";
const NEW_EMAIL: &str = "marc@rochat-menuiserie.ch";
const PASSWORD: &str = "copeaux de chêne 2026";

async fn without_login(app: &TestApp) -> app::ports::CustomerId {
    let customer = NewCustomer {
        number: CustomerNumber::parse(NEW_CUSTOMER).unwrap(),
        first_name: "Marc".into(),
        last_name: "Rochat".into(),
        email: EmailAddress::parse(NEW_EMAIL).unwrap(),
        phone: None,
        mobile: None,
        language: Language::En,
        company: None,
        street: "Chemin des Vignes 3".into(),
        postcode: "1009".into(),
        city: "Pully".into(),
        country: "CH".into(),
    };
    app.store
        .ensure_customer(&customer, &[], Utc::now())
        .await
        .unwrap()
}

async fn invitation_mails(store: &SqlStore) -> Vec<(String, String, String)> {
    let sql = "SELECT kind, subject, body_text FROM outbox WHERE recipient = $1 ORDER BY id";
    match store {
        SqlStore::Sqlite(pool) => sqlx::query_as(sql).bind(NEW_EMAIL).fetch_all(pool).await,
        SqlStore::Postgres(pool) => sqlx::query_as(sql).bind(NEW_EMAIL).fetch_all(pool).await,
    }
    .unwrap()
}

/// The token of the link, checking that the link names nothing but the portal.
fn token_in(body: &str, base: &str) -> String {
    let prefix = format!("{base}/welcome/");
    let start = body
        .find(&prefix)
        .unwrap_or_else(|| panic!("no link: {body}"))
        + prefix.len();
    let token: String = body[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "{body}");
    assert_eq!(
        body[start + 64..].chars().next(),
        Some('\n'),
        "nothing after the token: {body}"
    );
    token
}

async fn accept(app: &TestApp, token: &str) -> crate::support::auth::Reply {
    Browser::new(app)
        .call(
            "accept-invitation",
            &[("token", token), ("password", PASSWORD)],
        )
        .await
}

async fn support_invites_an_identified_caller_who_then_sets_a_password(backend: Backend) {
    let Some((app, clock)) = seeded_app_with_clock(backend).await else {
        return;
    };
    let customer = without_login(&app).await;
    let support = sign_in_staff(&app, SUPPORT, app::ports::Clock::now(clock.as_ref())).await;
    let sent = support
        .call("invite-customer", &[("customer_number", NEW_CUSTOMER)])
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(
        sent.location(),
        Some(format!("/staff/contacts?invited={NEW_CUSTOMER}").as_str())
    );
    let mails = invitation_mails(&app.store).await;
    assert_eq!(mails.len(), 1);
    let (kind, subject, body) = &mails[0];
    assert_eq!(kind, "account-security");
    assert_eq!(
        subject, "Your login to the privacy portal",
        "in the customer's language"
    );
    assert!(
        !body.contains(NEW_CUSTOMER) && !body.contains("Rochat"),
        "names nothing but the portal: {body}"
    );
    let token = token_in(body, &app.base);
    let log = app
        .store
        .audit_of_customer(customer, None, 10)
        .await
        .unwrap();
    assert_eq!(log[0].1.event, AuditEvent::LoginInvitationSent);

    // A privacy officer does not invite; nor is anyone invited twice once they have a login.
    let officer = sign_in_staff(
        &app,
        PRIVACY_OFFICER,
        app::ports::Clock::now(clock.as_ref()),
    )
    .await;
    let refused = officer
        .call("invite-customer", &[("customer_number", NEW_CUSTOMER)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let accepted = accept(&app, &token).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.location(), Some("/login?welcome=1"));
    let browser = Browser::new(&app);
    let signed_in = browser.log_in(NEW_EMAIL, PASSWORD).await;
    assert_eq!(signed_in.location(), Some("/account"), "{}", signed_in.body);
    let data = browser.get("/account/data").await;
    assert_eq!(data.status, StatusCode::OK);
    assert!(
        data.body.contains("Chemin des Vignes 3"),
        "the customer sees their data"
    );

    let again = accept(&app, &token).await;
    assert_eq!(
        again.status,
        StatusCode::GONE,
        "the link works once: {}",
        again.body
    );
    let twice = support
        .call("invite-customer", &[("customer_number", NEW_CUSTOMER)])
        .await;
    assert!(twice.body.contains("déjà un accès"), "{}", twice.body);
    assert_eq!(invitation_mails(&app.store).await.len(), 1);
}

async fn only_the_latest_link_works_and_only_for_seven_days(backend: Backend) {
    let Some((app, clock)) = seeded_app_with_clock(backend).await else {
        return;
    };
    without_login(&app).await;
    let support = sign_in_staff(&app, SUPPORT, app::ports::Clock::now(clock.as_ref())).await;
    for _ in 0..2 {
        let sent = support
            .call("invite-customer", &[("customer_number", NEW_CUSTOMER)])
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    }
    let mails = invitation_mails(&app.store).await;
    let (first, second) = (
        token_in(&mails[0].2, &app.base),
        token_in(&mails[1].2, &app.base),
    );
    assert_eq!(
        accept(&app, &first).await.status,
        StatusCode::GONE,
        "superseded"
    );
    clock.advance(Duration::days(7));
    assert_eq!(
        accept(&app, &second).await.status,
        StatusCode::GONE,
        "expired after 7 days"
    );
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM accounts WHERE email = 'marc@rochat-menuiserie.ch'"
        )
        .await,
        0
    );
}

async fn an_import_can_invite_the_customers_it_creates(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let record = serde_json::json!({
        "number": NEW_CUSTOMER, "first_name": "Marc", "last_name": "Rochat", "email": NEW_EMAIL,
        "language": "fr", "street": "Chemin des Vignes 3", "postcode": "1009", "city": "Pully", "country": "CH",
    });
    let mut file = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .unwrap();
    std::io::Write::write_all(&mut file, format!("{record}\n").as_bytes()).unwrap();
    let output = crate::support::api::server_command(&app.db)
        .env("PORTAL_PUBLIC_URL", &app.base)
        .args(["import-customers", "--invite"])
        .arg(file.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.ends_with("created 1, updated 0, unchanged 0, refused 0, invited 1\n"),
        "{stdout}"
    );
    let mails = invitation_mails(&app.store).await;
    assert_eq!(mails.len(), 1);
    let token = token_in(&mails[0].2, &app.base);
    assert_eq!(
        accept(&app, &token).await.location(),
        Some("/login?welcome=1")
    );
    // Imported again with --invite: the customer exists and has a login, nobody is invited.
    let output = crate::support::api::server_command(&app.db)
        .args(["import-customers", "--invite"])
        .arg(file.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.ends_with("created 0, updated 0, unchanged 1, refused 0\n"),
        "{stdout}"
    );
    assert_eq!(invitation_mails(&app.store).await.len(), 1);
}

on_both_backends!(
    support_invites_an_identified_caller_who_then_sets_a_password,
    only_the_latest_link_works_and_only_for_seven_days,
    an_import_can_invite_the_customers_it_creates,
);
