//! Notices to many customers, as stored: who gets an incident notice, a new-service announcement, a terms-change
//! notice, and what each customer's ledger then shows.

use super::MailDb;
use crate::support::auth::{count, refused};
use crate::support::Backend;
use app::domain::{EmailAddress, Role};
use app::ports::{AccountStore, NewStaff};
use app::ports::{
    Affected, MailKind, MailPreferences, MailStatus, MailStore, ServiceKind, StaffId, Storage,
};
use app::usecases::notices::{
    announce_new_service, declare_incident, enqueue_terms_change_notice, IncidentText,
};

const ORIGIN: &str = "http://portal.example";

async fn officer(db: &MailDb) -> StaffId {
    db.store
        .ensure_staff(
            &NewStaff {
                email: EmailAddress::parse("dpo@staff.example.ch").unwrap(),
                display_name: "DPO".into(),
                roles: vec![Role::PrivacyOfficer],
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap()
}

async fn new_service_skips_those_who_turned_it_off_and_terms_reach_everyone(backend: Backend) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    let dpo = officer(&db).await;
    let (one, two, three) = (
        db.customer(1).await,
        db.customer(2).await,
        db.customer(3).await,
    );
    let now = chrono::Utc::now();
    let off = MailPreferences {
        new_service_announcements: false,
    };
    db.store.set_mail_preferences(two, off, now).await.unwrap();
    db.store.set_mail_preferences(two, off, now).await.unwrap();
    assert_eq!(db.store.mail_preferences(two).await.unwrap(), off);
    assert!(
        db.store
            .mail_preferences(one)
            .await
            .unwrap()
            .new_service_announcements
    );

    let announced = announce_new_service(
        &db.store,
        "Object storage",
        "S3 in Geneva",
        dpo,
        &[Role::PrivacyOfficer],
        ORIGIN,
        now,
    )
    .await
    .unwrap();
    assert_eq!(announced, 2);
    let terms = enqueue_terms_change_notice(&db.store, "2027-01", "Shorter retention", ORIGIN, now)
        .await
        .unwrap();
    assert_eq!(terms, 3, "a terms-change notice cannot be turned off");
    let announced_by_the_officer = format!(
        "SELECT COUNT(*) FROM audit_log WHERE event_code = 6201 AND actor_staff_id = {}",
        dpo.0
    );
    assert_eq!(
        count(&db.store, &announced_by_the_officer).await,
        1,
        "the announcement is on record"
    );
    assert_eq!(
        count(
            &db.store,
            "SELECT COUNT(*) FROM audit_log WHERE event_code = 6002 AND actor_kind = 'system'"
        )
        .await,
        1,
        "the terms-change notice is on record"
    );

    let kinds = |ledger: Vec<app::ports::LedgerEntry>| -> Vec<MailKind> {
        ledger.into_iter().map(|entry| entry.kind).collect()
    };
    assert_eq!(
        kinds(db.store.ledger_of(one).await.unwrap()),
        vec![MailKind::TermsChange, MailKind::NewService]
    );
    assert_eq!(
        kinds(db.store.ledger_of(two).await.unwrap()),
        vec![MailKind::TermsChange]
    );
    let ledger = db.store.ledger_of(three).await.unwrap();
    assert_eq!(
        ledger[1].subject, "Nouveau service : Object storage",
        "customer 3 reads French"
    );
    assert_eq!(ledger[1].status, MailStatus::Queued);
    assert!(ledger[1]
        .body_text
        .as_deref()
        .is_some_and(|body| body.contains("S3 in Geneva")));

    // Turning announcements back on, and the schema refusing to let anything else be turned off.
    let on = MailPreferences {
        new_service_announcements: true,
    };
    db.store.set_mail_preferences(two, on, now).await.unwrap();
    assert_eq!(db.store.mail_preferences(two).await.unwrap(), on);
    let sql = "INSERT INTO mail_opt_outs (customer_id, kind, created_at) VALUES (1, 'terms-change', '2026-01-01')";
    assert!(
        refused(&db.store, sql).await,
        "only new-service announcements can be turned off"
    );
}

async fn an_incident_reaches_the_customers_of_a_service_or_of_a_list(backend: Backend) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    let dpo = officer(&db).await;
    let customers = [
        db.customer(1).await,
        db.customer(2).await,
        db.customer(3).await,
        db.customer(4).await,
    ];
    let now = chrono::Utc::now();
    let text = IncidentText::parse(
        "Backup node lost",
        "A disk array failed.",
        "Your backups of last night are missing.",
        vec![ServiceKind::BackupSpace],
    )
    .unwrap();
    // Even-numbered customers have a backup space.
    let (incident, count) = declare_incident(
        &db.store,
        text.clone(),
        Affected::ByService(vec![ServiceKind::BackupSpace]),
        dpo,
        &[Role::PrivacyOfficer],
        ORIGIN,
        now,
    )
    .await
    .unwrap();
    assert_eq!(count, 2);
    assert_eq!(
        db.store.incidents_of(customers[1]).await.unwrap()[0].id,
        incident
    );
    assert!(db
        .store
        .incidents_of(customers[0])
        .await
        .unwrap()
        .is_empty());

    let (_, listed) = declare_incident(
        &db.store,
        text,
        Affected::Customers(vec![customers[0], customers[0], customers[2]]),
        dpo,
        &[Role::PrivacyOfficer],
        ORIGIN,
        now,
    )
    .await
    .unwrap();
    assert_eq!(listed, 2, "a customer named twice is told once");
    let store = &db.store;
    let on_record = move |code: i32| {
        let sql = format!(
            "SELECT COUNT(*) FROM audit_log WHERE event_code = {code} AND actor_staff_id = {}",
            dpo.0
        );
        async move { crate::support::auth::count(store, &sql).await }
    };
    assert_eq!(
        on_record(6200).await,
        2,
        "each incident declared is on record"
    );

    let all = db.store.incidents().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].customers, 2);
    assert_eq!(all[1].services, vec![ServiceKind::BackupSpace]);
    for (index, expected) in [(0, 1), (1, 1), (2, 1), (3, 1)] {
        let ledger = db.store.ledger_of(customers[index]).await.unwrap();
        assert_eq!(ledger.len(), expected, "customer {index}: {ledger:?}");
        assert_eq!(ledger[0].kind, MailKind::Incident);
    }
    let english = db.store.ledger_of(customers[1]).await.unwrap();
    assert_eq!(english[0].subject, "Incident: Backup node lost");
    assert!(english[0]
        .body_text
        .as_deref()
        .is_some_and(|body| body.contains("What it means for you")));
}

/// The outbox takes every kind of mail the portal sends, each listed as such in the customer's ledger, and no other.
async fn the_outbox_takes_every_kind_the_portal_sends_and_no_other(backend: Backend) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    let customer = db.customer(1).await;
    let now = chrono::Utc::now();
    for kind in MailKind::ALL {
        let mail = app::ports::OutgoingMail {
            kind,
            to: EmailAddress::parse(&super::customer_email(1)).unwrap(),
            customer: Some(customer),
            language: app::domain::Language::Fr,
            subject: kind.as_str().to_owned(),
            body_text: "Bonjour".to_owned(),
        };
        db.store.queue_mail(&mail, now).await.unwrap();
    }
    let mut listed: Vec<MailKind> = db
        .store
        .ledger_of(customer)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.kind)
        .collect();
    listed.reverse();
    assert_eq!(listed, MailKind::ALL, "newest first in the ledger");
    let sql = "INSERT INTO outbox (kind, recipient, language, subject, body_text, status, attempts, \
               next_attempt_at, created_at) VALUES ('newsletter', 'a@example.ch', 'fr', 'Promo', 'x', 'queued', 0, \
               '2026-01-01', '2026-01-01')";
    assert!(
        refused(&db.store, sql).await,
        "a kind the portal does not send is refused by the schema"
    );
}

on_both_backends!(
    new_service_skips_those_who_turned_it_off_and_terms_reach_everyone,
    an_incident_reaches_the_customers_of_a_service_or_of_a_list,
    the_outbox_takes_every_kind_the_portal_sends_and_no_other,
);
