//! The court-order ledger in storage: one audit entry per disclosure, written with it; nothing changes or leaves the
//! ledger; a deferred disclosure stays out of the customer's view until its date and then appears by itself.

use chrono::{Duration, NaiveDate};

use crate::storage_consent::{fixture, t, Fixture};
use crate::support::Backend;
use app::domain::disclosure::CourtOrder;
use app::domain::{AuditEvent, Role};
use app::ports::{
    Actor, AuditBasis, AuditEntry, AuditFilter, AuditReader, ConsentStore, DisclosureStore,
    EventSource, StaffId,
};
use server::storage::SqlStore;

fn order(notify_after: &str) -> CourtOrder {
    CourtOrder::parse(
        "Tribunal cantonal vaudois",
        "PE26.004217",
        "2027-01-10",
        "Identité du titulaire et adresses IP de connexion",
        notify_after,
        NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
    )
    .unwrap()
}

fn recorded(f: &Fixture, officer: StaffId) -> AuditEntry {
    AuditEntry {
        at: t(1),
        event: AuditEvent::DisclosureRecorded,
        actor: Actor::Staff {
            id: officer,
            roles: vec![Role::PrivacyOfficer],
        },
        customer: Some(f.customer),
        resource: None,
        action: None,
        // The store replaces it with the new disclosure's id.
        basis: AuditBasis::StaffRole,
        source: EventSource::Portal,
        detail: Some("Tribunal cantonal vaudois PE26.004217".into()),
    }
}

async fn officer(store: &SqlStore) -> StaffId {
    use app::ports::{NewStaff, Storage};
    let member = NewStaff {
        email: app::domain::EmailAddress::parse("ines@staff.example.ch").unwrap(),
        display_name: "Inès".into(),
        roles: vec![Role::PrivacyOfficer],
    };
    store.ensure_staff(&member, t(0)).await.unwrap()
}

async fn a_disclosure_leaves_exactly_one_entry_naming_it(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let officer = officer(&f.store).await;
    let before = f.audit_count().await;
    let id = f
        .store
        .record_disclosure(f.customer, &order(""), officer, &recorded(&f, officer))
        .await
        .unwrap();
    assert_eq!(f.audit_count().await, before + 1);
    let filter = AuditFilter {
        customer: Some(f.customer),
        ..AuditFilter::default()
    };
    let lines = f
        .store
        .audit_lines(&filter, true, None, 10, t(2))
        .await
        .unwrap();
    assert_eq!(lines.len(), 1);
    let entry = &lines[0].record.entry;
    assert_eq!(entry.event, AuditEvent::DisclosureRecorded);
    assert_eq!(entry.basis, AuditBasis::CourtOrder(id));
    assert_eq!(
        lines[0].staff.as_ref().map(|s| s.name.as_str()),
        Some("Inès")
    );

    let ledger = f.store.disclosures(None, 10).await.unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].id, id);
    assert_eq!(ledger[0].customer, f.customer);
    assert_eq!(ledger[0].order, order(""));
    assert_eq!(ledger[0].recorded_by, officer);
    assert_eq!(ledger[0].recorded_at, t(1));
}

async fn the_ledger_refuses_changes_and_removals(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let officer = officer(&f.store).await;
    let id = f
        .store
        .record_disclosure(f.customer, &order(""), officer, &recorded(&f, officer))
        .await
        .unwrap();
    for sql in [
        "UPDATE disclosures SET scope = 'moins' WHERE id = $1",
        "UPDATE disclosures SET notify_after = NULL WHERE id = $1",
        "DELETE FROM disclosures WHERE id = $1",
    ] {
        let refused = match &f.store {
            SqlStore::Sqlite(pool) => sqlx::query(sql).bind(id.0).execute(pool).await.is_err(),
            SqlStore::Postgres(pool) => sqlx::query(sql).bind(id.0).execute(pool).await.is_err(),
        };
        assert!(refused, "{sql} went through");
    }
    assert_eq!(
        f.store.disclosures(None, 10).await.unwrap()[0].order,
        order("")
    );
}

async fn a_deferred_disclosure_shows_by_itself_once_its_date_passes(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let officer = officer(&f.store).await;
    let deferred = order("2027-03-01");
    let visible_from = deferred.visible_from().unwrap();
    let id = f
        .store
        .record_disclosure(f.customer, &deferred, officer, &recorded(&f, officer))
        .await
        .unwrap();
    // Another entry of the customer's, to show the rest of the log stays visible meanwhile.
    f.store
        .record_audit(&[f.by_support(AuditEvent::CaseOpened, t(3))])
        .await
        .unwrap();
    let filter = AuditFilter {
        customer: Some(f.customer),
        ..AuditFilter::default()
    };
    let seen = |now| {
        let store = f.store.clone();
        let filter = filter.clone();
        async move {
            store
                .audit_lines(&filter, true, None, 10, now)
                .await
                .unwrap()
                .iter()
                .map(|line| line.record.entry.basis)
                .collect::<Vec<_>>()
        }
    };
    let hidden = seen(visible_from - Duration::microseconds(1)).await;
    assert_eq!(hidden, vec![AuditBasis::StaffRole]);
    let shown = seen(visible_from).await;
    assert_eq!(
        shown,
        vec![AuditBasis::StaffRole, AuditBasis::CourtOrder(id)]
    );
    // The privacy officer's view is not deferred.
    let whole = f
        .store
        .audit_lines(&filter, false, None, 10, visible_from - Duration::days(30))
        .await
        .unwrap();
    assert_eq!(whole.len(), 2);
    // Another customer never sees it, deferred or not.
    let other = AuditFilter {
        customer: Some(f.other),
        ..AuditFilter::default()
    };
    let theirs = f
        .store
        .audit_lines(&other, true, None, 10, visible_from)
        .await
        .unwrap();
    assert!(theirs.is_empty());
}

on_both_backends!(
    a_disclosure_leaves_exactly_one_entry_naming_it,
    the_ledger_refuses_changes_and_removals,
    a_deferred_disclosure_shows_by_itself_once_its_date_passes,
);
