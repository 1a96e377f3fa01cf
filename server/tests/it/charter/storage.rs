//! Versions, the draft, acknowledgements and grants as stored, on both backends.

use chrono::{DateTime, Duration, Utc};

use crate::storage_consent::{draft, fixture, t, Fixture, BACKUP};
use crate::support::{
    auth::{count, refused},
    Backend,
};
use app::domain::charter::{CharterText, VersionNumber};
use app::domain::consent::{GrantHolder, GrantTerms, Teams};
use app::domain::{AuditEvent, EmailAddress, Role};
use app::ports::{
    Actor, AuditBasis, AuditEntry, CharterStore, ConsentStore, EventSource, NewCharterVersion,
    NewStaff, PublishError, StaffId, Storage,
};
use app::usecases::charter::acknowledge;
use server::storage::SqlStore;

async fn officer(store: &SqlStore) -> StaffId {
    let member = NewStaff {
        email: EmailAddress::parse("ines@staff.example.ch").unwrap(),
        display_name: "Inès".into(),
        roles: vec![Role::PrivacyOfficer],
    };
    store.ensure_staff(&member, t(0)).await.unwrap()
}

fn entry(by: StaffId, at: DateTime<Utc>) -> impl Fn(VersionNumber) -> AuditEntry + Sync {
    move |number| AuditEntry {
        at,
        event: AuditEvent::CharterPublished,
        actor: Actor::Staff {
            id: by,
            roles: vec![Role::PrivacyOfficer],
        },
        customer: None,
        resource: None,
        action: None,
        basis: AuditBasis::StaffRole,
        source: EventSource::Portal,
        detail: Some(format!("charter version {number}")),
    }
}

fn start_of_day(at: DateTime<Utc>) -> DateTime<Utc> {
    at.date_naive().and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Saves `french` as the draft and publishes it, in force from the day of `effective`.
async fn publish(
    store: &SqlStore,
    by: StaffId,
    french: &str,
    effective: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<VersionNumber, PublishError> {
    let text = CharterText::parse(french, "# Charter\n\nTranslation.").unwrap();
    let revision = store.save_charter_draft(&text, by, now).await.unwrap();
    let version = NewCharterVersion {
        draft_revision: revision,
        summary: "Sauvegardes gardées 14 jours".into(),
        effective_at: start_of_day(effective),
        published_by: by,
    };
    store.publish_charter(&version, &entry(by, now)).await
}

async fn audit_of(store: &SqlStore, code: i32) -> i64 {
    count(
        store,
        &format!("SELECT COUNT(*) FROM audit_log WHERE event_code = {code}"),
    )
    .await
}

async fn a_publication_needs_the_draft_previewed_and_is_audited_with_it(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let store = &f.store;
    let by = officer(store).await;
    let text =
        CharterText::parse("# Charte\n\nVersion deux.", "# Charter\n\nVersion two.").unwrap();
    let first = store.save_charter_draft(&text, by, t(0)).await.unwrap();
    let second = store.save_charter_draft(&text, by, t(1)).await.unwrap();
    assert_eq!(second, first + 1, "each save is a new revision");
    let stale = NewCharterVersion {
        draft_revision: first,
        summary: "Résumé".into(),
        effective_at: start_of_day(t(0)),
        published_by: by,
    };
    assert!(matches!(
        store.publish_charter(&stale, &entry(by, t(2))).await,
        Err(PublishError::DraftChanged)
    ));
    let too_early = NewCharterVersion {
        draft_revision: second,
        effective_at: start_of_day(t(0) - Duration::days(400)),
        ..stale.clone()
    };
    assert!(matches!(
        store.publish_charter(&too_early, &entry(by, t(2))).await,
        Err(PublishError::BeforeLatest { .. })
    ));
    assert_eq!(
        audit_of(store, 6000).await,
        0,
        "a refused publication writes nothing"
    );
    let good = NewCharterVersion {
        draft_revision: second,
        ..stale.clone()
    };
    let number = store
        .publish_charter(&good, &entry(by, t(2)))
        .await
        .unwrap();
    assert_eq!(number.get(), 2);
    assert_eq!(audit_of(store, 6000).await, 1);
    assert!(
        store.charter_draft().await.unwrap().is_none(),
        "the draft became the version"
    );
    let stored = store.charter_version(number).await.unwrap().unwrap();
    assert_eq!(stored.text, text);
    assert_eq!(stored.published_by, Some(by));
    assert_eq!(stored.published_at, t(2));
    assert!(matches!(
        store.publish_charter(&good, &entry(by, t(3))).await,
        Err(PublishError::NoDraft)
    ));
    // The same text again is nothing to publish.
    let again = store.save_charter_draft(&text, by, t(4)).await.unwrap();
    let same = NewCharterVersion {
        draft_revision: again,
        ..stale
    };
    assert!(matches!(
        store.publish_charter(&same, &entry(by, t(5))).await,
        Err(PublishError::Unchanged)
    ));
    // A published version never changes, whoever asks the database.
    let sql = "UPDATE charter_versions SET text_fr = 'autre' WHERE number = 2";
    assert!(refused(store, sql).await);
    assert_eq!(
        store.charter_version(number).await.unwrap().unwrap().text,
        text
    );
}

async fn the_version_in_force_follows_the_date_of_effect(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let by = officer(&f.store).await;
    let number = publish(
        &f.store,
        by,
        "# Charte\n\nDeux.",
        t(0) + Duration::days(3),
        t(0),
    )
    .await
    .unwrap();
    let in_force = |at| {
        let store = f.store.clone();
        async move {
            store
                .charter_in_force(at)
                .await
                .unwrap()
                .unwrap()
                .number
                .get()
        }
    };
    assert_eq!(in_force(t(0)).await, 1, "published, not yet in force");
    assert_eq!(
        in_force(start_of_day(t(0) + Duration::days(3))).await,
        number.get()
    );
    assert!(matches!(
        publish(
            &f.store,
            by,
            "# Charte\n\nTrois.",
            t(0) + Duration::days(1),
            t(1)
        )
        .await,
        Err(PublishError::BeforeLatest { .. })
    ));
}

async fn acknowledgements_are_recorded_once_with_their_audit_entry(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let store = &f.store;
    assert!(
        store
            .charter_to_acknowledge(f.customer)
            .await
            .unwrap()
            .is_none(),
        "version 1 is the one the contracts were made under"
    );
    let by = officer(store).await;
    let number = publish(store, by, "# Charte\n\nDeux.", t(0), t(0))
        .await
        .unwrap();
    let pending = store
        .charter_to_acknowledge(f.customer)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pending.number, number);
    assert!(acknowledge(store, f.customer, number, t(5)).await.unwrap());
    assert!(!acknowledge(store, f.customer, number, t(6)).await.unwrap());
    assert_eq!(
        audit_of(store, 6001).await,
        1,
        "acknowledged once, audited once"
    );
    assert!(store
        .charter_to_acknowledge(f.customer)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.charter_acknowledgements_of(f.customer).await.unwrap(),
        vec![(number, t(5))]
    );
    assert!(
        store
            .charter_to_acknowledge(f.other)
            .await
            .unwrap()
            .is_some(),
        "each customer acknowledges for themself"
    );
}

async fn give(f: &Fixture, at: DateTime<Utc>) -> app::domain::consent::GrantId {
    let terms =
        GrantTerms::on_customer_initiative(draft(BACKUP, None, 60), Teams::SupportAndSysadmins, at)
            .unwrap();
    f.store
        .create_grant(
            f.customer,
            &terms,
            None,
            None,
            &f.by_customer(AuditEvent::GrantGivenByCustomer, at),
        )
        .await
        .unwrap()
}

async fn a_grant_records_the_version_in_force_when_it_was_given(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let before = give(&f, t(0)).await;
    let by = officer(&f.store).await;
    let effective = t(0) + Duration::days(2);
    publish(&f.store, by, "# Charte\n\nDeux.", effective, t(1))
        .await
        .unwrap();
    let published_not_in_force = give(&f, t(2)).await;
    let after = give(&f, start_of_day(effective) + Duration::minutes(1)).await;
    // An approval is a grant too.
    let case = f.open_case(t(0)).await;
    let pending = crate::storage_consent::request(
        crate::storage_consent::MAILBOX,
        Some(case.id),
        start_of_day(effective),
    );
    let request = f.store_request(&pending).await;
    let approval = pending
        .approve(
            start_of_day(effective) + Duration::minutes(2),
            None,
            GrantHolder::StaffMember(f.support),
        )
        .unwrap();
    let approved = f
        .store
        .settle_request(
            request,
            &approval.request,
            Some(&approval.grant),
            &f.by_customer(
                AuditEvent::RequestApproved,
                start_of_day(effective) + Duration::minutes(2),
            ),
            None,
        )
        .await
        .unwrap()
        .unwrap();
    let version = |grant| {
        let store = f.store.clone();
        async move {
            store
                .grant_charter_version(grant)
                .await
                .unwrap()
                .map(VersionNumber::get)
        }
    };
    assert_eq!(version(before).await, Some(1));
    assert_eq!(version(published_not_in_force).await, Some(1));
    assert_eq!(version(after).await, Some(2));
    assert_eq!(version(approved).await, Some(2));
}

on_both_backends!(
    a_publication_needs_the_draft_previewed_and_is_audited_with_it,
    the_version_in_force_follows_the_date_of_effect,
    acknowledgements_are_recorded_once_with_their_audit_entry,
    a_grant_records_the_version_in_force_when_it_was_given,
);
