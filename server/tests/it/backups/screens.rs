//! The screens over HTTP with the demo data: mailbox supervision for support (and no one else), each look in the
//! customer's log; the customer's backups page; a web-space access shown to the customer as a technical operation.

use super::*;
use crate::support::auth::{
    events, seeded_app, sign_in_customer, sign_in_staff, CUSTOMER as JEANNE, OTHER_CUSTOMER,
    SUPPORT, SYSADMIN,
};
use crate::support::{spawn_app_with_settings, TestClock};
use app::domain::mailbox::{FolderStats, MailboxStats};
use app::domain::CustomerNumber;
use app::domain::EmailAddress;
use app::domain::SecurityEventKind;
use app::ports::Clock;
use server::tokens::{self, Scope};

/// The demo customer with backups and mailbox aggregates (`server::backups::seed_demo_backups`).
const KELLER: &str = "martin.keller@keller-velos.ch";

async fn customer_id(store: &dyn Storage, number: &str) -> CustomerId {
    store
        .customer_by_number(&CustomerNumber::parse(number).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn support_sees_only_the_aggregates_and_each_look_is_logged(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let store: &dyn Storage = &app.store;
    let customer = customer_id(store, "C-100004").await;
    let before = entries(store, customer, AuditEvent::MailboxStatsViewed)
        .await
        .len();
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;

    let found = support
        .call("find-mailboxes", &[("query", "C-100004")])
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let found = found.json();
    assert_eq!(found["mailboxes"], json!(["martin.keller@keller-velos.ch"]));
    assert_eq!(
        entries(store, customer, AuditEvent::MailboxStatsViewed)
            .await
            .len(),
        before,
        "finding the mailboxes shows nothing of them"
    );
    let searches = entries(store, customer, AuditEvent::MailboxesListed).await;
    assert_eq!(
        searches.len(),
        1,
        "the search that shows the addresses is logged"
    );
    assert!(matches!(searches[0].actor, Actor::Staff { .. }));

    let form = [("customer", "C-100004"), ("mailbox", KELLER)];
    let stats = support.call("view-mailbox-stats", &form).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    let stats = stats.json();
    let mut keys: Vec<&str> = stats
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "as_of",
            "bytes",
            "customer_number",
            "folders",
            "mailbox",
            "messages"
        ]
    );
    assert_eq!(stats["messages"], 1834);
    assert_eq!(
        stats["folders"][0],
        json!({"name": "INBOX", "messages": 1184})
    );

    // The page shows the same, with its as-of time, and is a look of its own.
    let page = support
        .get("/staff/supervision?customer=C-100004&mailbox=martin.keller%40keller-velos.ch")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"mailbox-stats\""), "{}", page.body);
    assert!(page.body.contains("État au"));
    assert!(page.body.contains("Werkstatt"));

    let looks = entries(store, customer, AuditEvent::MailboxStatsViewed).await;
    assert_eq!(looks.len(), before + 2, "every view is an audit entry");
    assert_eq!(
        looks[0].resource.as_ref().unwrap().to_string(),
        "mailbox:martin.keller@keller-velos.ch"
    );
    assert!(matches!(looks[0].actor, Actor::Staff { .. }));

    // The customer sees it in their log.
    let customer_browser = sign_in_customer(&app, KELLER).await;
    let log = customer_browser.get("/account/access-log").await;
    assert!(
        log.body
            .contains("a consulté la taille et la liste des dossiers de"),
        "{}",
        log.body
    );
    assert!(log
        .body
        .contains("a recherché votre compte et vu la liste de vos boîtes aux lettres"));

    // Another customer's mailbox under this customer's number is not found, and records nothing.
    let wrong = [
        ("customer", "C-100004"),
        ("mailbox", "luca@studio-bernasconi.ch"),
    ];
    assert_eq!(
        support.call("view-mailbox-stats", &wrong).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        entries(store, customer, AuditEvent::MailboxStatsViewed)
            .await
            .len(),
        before + 2
    );
}

async fn supervision_is_for_support_only(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let store: &dyn Storage = &app.store;
    let customer = customer_id(store, "C-100004").await;
    let form = [("customer", "C-100004"), ("mailbox", KELLER)];
    let sysadmin = sign_in_staff(&app, SYSADMIN, Utc::now()).await;
    assert_eq!(
        sysadmin.call("view-mailbox-stats", &form).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sysadmin
            .call("find-mailboxes", &[("query", "C-100004")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let other = sign_in_customer(&app, OTHER_CUSTOMER).await;
    assert_eq!(
        other.call("view-mailbox-stats", &form).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(entries(store, customer, AuditEvent::MailboxStatsViewed)
        .await
        .is_empty());
    assert!(
        entries(store, customer, AuditEvent::MailboxesListed)
            .await
            .is_empty(),
        "a refused search records no look"
    );
    // Mail platform data arriving later replaces the aggregates; still nothing but them.
    let stats = MailboxStats::new(
        3,
        300,
        vec![FolderStats {
            name: "INBOX".into(),
            messages: 3,
        }],
    )
    .unwrap();
    let mailbox = EmailAddress::parse(KELLER).unwrap();
    store
        .put_mailbox_stats(&mailbox, &stats, Utc::now())
        .await
        .unwrap();
}

/// The session outlives 12 hours here, idle or not (settings), so that the second factor, not the session, is what
/// ages.
async fn supervision_needs_a_second_factor_from_the_last_twelve_hours(backend: Backend) {
    let clock = TestClock::new();
    let Some(app) = spawn_app_with_settings(backend, clock.clone(), |settings| {
        settings.session_absolute_hours = 24;
        settings.session_idle_minutes = 24 * 60;
    })
    .await
    else {
        return;
    };
    server::seed::seed_demo(&app.store, clock.now())
        .await
        .unwrap();
    let store: &dyn Storage = &app.store;
    let customer = customer_id(store, "C-100004").await;
    let search = [("query", "C-100004")];
    let support = sign_in_staff(&app, SUPPORT, clock.now()).await;
    assert_eq!(
        support.call("find-mailboxes", &search).await.status,
        StatusCode::OK
    );
    clock.advance(Duration::minutes(11 * 60 + 40));
    assert_eq!(support.get("/staff").await.status, StatusCode::OK);
    assert_eq!(
        support.call("find-mailboxes", &search).await.status,
        StatusCode::OK,
        "a second factor under 12 hours old"
    );
    clock.advance(Duration::minutes(20));
    let refused = support.call("find-mailboxes", &search).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let error: app::api::AppError = serde_json::from_str(&refused.body).unwrap();
    assert!(
        error.to_string().contains("sign out and sign in again"),
        "the browser shows how to cure it: {error}"
    );
    let form = [("customer", "C-100004"), ("mailbox", KELLER)];
    assert_eq!(
        support.call("view-mailbox-stats", &form).await.status,
        StatusCode::FORBIDDEN
    );
    let page = support.get("/staff/supervision?query=C-100004").await;
    assert!(
        page.body.contains("déconnectez-vous puis reconnectez-vous"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(KELLER), "no address is shown");
    // The refusals are security events; the customer's log shows only the two searches that were answered.
    let refusals = events(&app.store, SecurityEventKind::AuthorizationRefused.code()).await;
    assert!(
        refusals
            .iter()
            .filter(|(_, detail)| detail
                .as_deref()
                .is_some_and(|detail| detail.starts_with("second factor too old at ")))
            .count()
            >= 3,
        "{refusals:?}"
    );
    assert_eq!(
        entries(store, customer, AuditEvent::MailboxesListed)
            .await
            .len(),
        2
    );
    assert!(entries(store, customer, AuditEvent::MailboxStatsViewed)
        .await
        .is_empty());
    // Signing in again gives a fresh second factor.
    let again = sign_in_staff(&app, SUPPORT, clock.now()).await;
    assert_eq!(
        again.call("find-mailboxes", &search).await.status,
        StatusCode::OK
    );
}

async fn the_customer_sees_every_snapshot_with_its_due_date_and_destruction(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let browser = sign_in_customer(&app, KELLER).await;
    let mine = browser.call("list-my-backups", &[]).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let snapshots = mine.json()["snapshots"].as_array().unwrap().clone();
    assert_eq!(snapshots.len(), 3);
    for snapshot in &snapshots {
        let taken: DateTime<Utc> = snapshot["taken_at"].as_str().unwrap().parse().unwrap();
        let due: DateTime<Utc> = snapshot["due_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(due - taken, Duration::days(7));
    }
    let destroyed: Vec<&Value> = snapshots
        .iter()
        .filter(|s| !s["destroyed_at"].is_null())
        .collect();
    assert_eq!(destroyed.len(), 1);
    assert_eq!(
        destroyed[0]["holds"],
        "mailbox:martin.keller@keller-velos.ch"
    );
    assert!(destroyed[0]["seconds_left"].is_null());

    let page = browser.get("/account/backups").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("data-snapshot=\"demo-keller-web-1\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("détruite dans 6 j"), "{}", page.body);
    assert!(page.body.contains("détruite le"));
    // Another customer sees none of them.
    let other = sign_in_customer(&app, OTHER_CUSTOMER).await;
    let theirs = other.call("list-my-backups", &[]).await;
    assert_eq!(theirs.json()["snapshots"], json!([]));
    // Staff cannot use the customer's page function.
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    assert_eq!(
        support.call("list-my-backups", &[]).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn a_web_space_access_is_shown_to_the_customer_as_a_technical_operation(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let store: &dyn Storage = &app.store;
    let token =
        tokens::create_service_token(store, "ftp-gateway", &[Scope::AccessChecks], Utc::now())
            .await
            .unwrap();
    let response = app
        .client
        .post(app.url("/api/v1/access-checks"))
        .bearer_auth(&token)
        .json(&json!({"staff": SUPPORT, "customer": "C-100001", "resource": "web-space:boulangerie-favre.ch", "action": "write"}))
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["basis"], "technical-operation");
    let checks = entries(
        store,
        customer_id(store, "C-100001").await,
        AuditEvent::AccessChecked,
    )
    .await;
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].basis, AuditBasis::TechnicalOperation);
    let browser = sign_in_customer(&app, JEANNE).await;
    let log = browser.get("/account/access-log").await;
    assert!(
        log.body.contains("opération technique sur l’espace web"),
        "{}",
        log.body
    );
}

on_both_backends!(
    support_sees_only_the_aggregates_and_each_look_is_logged,
    supervision_is_for_support_only,
    supervision_needs_a_second_factor_from_the_last_twelve_hours,
    the_customer_sees_every_snapshot_with_its_due_date_and_destruction,
    a_web_space_access_is_shown_to_the_customer_as_a_technical_operation,
);
