//! Support identifies a caller: each lookup that shows contact data is one audit entry the customer can read,
//! with the reason support gave; nothing is shown without a reason, and nobody but support may look.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use reqwest::StatusCode;

use crate::support::auth::{
    seeded_app, sign_in_customer, sign_in_staff, CUSTOMER, PRIVACY_OFFICER, SUPPORT, SYSADMIN,
};
use crate::support::Backend;
use app::api::ContactCard;
use app::domain::{AuditEvent, CustomerNumber};
use app::ports::{Actor, AuditFilter, AuditLog, Storage};

const JEANNE: &str = "C-100001";

async fn lookups_of(app: &crate::support::TestApp, number: &str) -> Vec<app::ports::AuditEntry> {
    let customer = app
        .store
        .customer_by_number(&CustomerNumber::parse(number).unwrap())
        .await
        .unwrap()
        .unwrap();
    let filter = AuditFilter {
        customer: Some(customer.id),
        ..AuditFilter::default()
    };
    app.store
        .audit_page(&filter, false, None, 100, Utc::now())
        .await
        .unwrap()
        .into_iter()
        .map(|record| record.entry)
        .filter(|entry| entry.event == AuditEvent::ContactDataViewed)
        .collect()
}

async fn each_lookup_is_one_entry_with_its_reason(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;

    let reply = support
        .call(
            "look-up-contact",
            &[("query", JEANNE), ("reason", "appel entrant, ticket T-7")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let card: Option<ContactCard> = serde_json::from_value(reply.json()).unwrap();
    let card = card.expect("a card");
    assert_eq!(card.customer_number, JEANNE);
    assert_eq!(card.email, CUSTOMER);

    let by_email = support
        .call(
            "look-up-contact",
            &[("query", CUSTOMER), ("reason", "rappel")],
        )
        .await;
    assert_eq!(by_email.status, StatusCode::OK, "{}", by_email.body);

    let entries = lookups_of(&app, JEANNE).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(
        entries[1].detail.as_deref(),
        Some("appel entrant, ticket T-7")
    );
    assert!(matches!(entries[0].actor, Actor::Staff { .. }));

    // The page itself, server-rendered: one more lookup, one more entry.
    let page = support
        .get(&format!("/staff/contacts?query={JEANNE}&reason=appel"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("contact-card"), "{}", page.body);
    assert_eq!(lookups_of(&app, JEANNE).await.len(), 3);

    // An empty form shows and records nothing.
    let empty = support.get("/staff/contacts").await;
    assert!(!empty.body.contains("contact-card"));
    assert_eq!(lookups_of(&app, JEANNE).await.len(), 3);
}

async fn a_lookup_without_reason_or_match_shows_nothing(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    for (query, reason, field) in [
        (JEANNE, "", "reason"),
        (JEANNE, "   ", "reason"),
        ("C-999999", "appel", "query"),
        ("not a number", "appel", "query"),
        ("nobody@example.ch", "appel", "query"),
    ] {
        let reply = support
            .call("look-up-contact", &[("query", query), ("reason", reason)])
            .await;
        assert_eq!(
            reply.status.as_u16() / 100,
            4,
            "{query}/{reason}: {}",
            reply.body
        );
        assert!(
            reply.body.contains(field),
            "{query}/{reason}: {}",
            reply.body
        );
    }
    assert!(lookups_of(&app, JEANNE).await.is_empty());
}

async fn only_support_may_look_up_contacts(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let sysadmin = sign_in_staff(&app, SYSADMIN, Utc::now()).await;
    let officer = sign_in_staff(&app, PRIVACY_OFFICER, Utc::now()).await;
    for browser in [&customer, &sysadmin, &officer] {
        let reply = browser
            .call(
                "look-up-contact",
                &[("query", JEANNE), ("reason", "curiosité")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
        assert!(!reply.body.contains(CUSTOMER));
    }
    assert!(lookups_of(&app, JEANNE).await.is_empty());
}

on_both_backends!(
    each_lookup_is_one_entry_with_its_reason,
    a_lookup_without_reason_or_match_shows_nothing,
    only_support_may_look_up_contacts,
);
