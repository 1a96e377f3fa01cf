//! The filtered log query against a reference: every filter narrows to exactly the entries it should, and keyset
//! pages cover the result without repeating or skipping an entry.

use crate::storage_consent::{fixture, resource, t, Fixture, BACKUP, MAILBOX};
use crate::support::Backend;
use app::domain::consent::{Action, DenyRule, GrantId};
use app::domain::{AuditEvent, Role};
use app::ports::{
    Actor, AuditBasis, AuditEntry, AuditFilter, AuditReader, ConsentStore, EventSource, Outcome,
};

/// Entries mixing customers, actors with various roles, resources, outcomes and times.
fn mixed(f: &Fixture, i: i64) -> AuditEntry {
    let roles = match i % 5 {
        0 => vec![Role::Support],
        1 => vec![Role::Sysadmin],
        2 => vec![Role::Support, Role::Sysadmin],
        3 => vec![Role::PrivacyOfficer],
        _ => vec![],
    };
    AuditEntry {
        at: t(i * 7),
        event: AuditEvent::AccessChecked,
        actor: if i % 6 == 5 {
            Actor::Customer { id: f.customer }
        } else {
            Actor::Staff {
                id: if i % 2 == 0 { f.support } else { f.sysadmin },
                roles,
            }
        },
        customer: Some(if i % 3 == 0 { f.other } else { f.customer }),
        resource: [Some(MAILBOX), Some(BACKUP), None][(i % 3) as usize].map(resource),
        action: Some(Action::Read),
        basis: if i % 4 == 0 {
            AuditBasis::Refused(DenyRule::NoActiveGrant)
        } else {
            AuditBasis::Grant(GrantId(i))
        },
        source: EventSource::Portal,
        detail: Some(format!("entry {i}")),
    }
}

/// What the query should return for `filter`, newest first, as the test's own reading of each field.
fn expected(entries: &[(i64, AuditEntry)], filter: &AuditFilter) -> Vec<i64> {
    let mut ids: Vec<i64> = entries
        .iter()
        .filter(|(_, entry)| {
            filter.customer.is_none_or(|customer| entry.customer == Some(customer))
                && filter
                    .resource
                    .as_ref()
                    .is_none_or(|wanted| entry.resource.as_ref() == Some(wanted))
                && filter.staff_role.is_none_or(|role| {
                    matches!(&entry.actor, Actor::Staff { roles, .. } if roles.contains(&role))
                })
                && filter.from.is_none_or(|from| entry.at >= from)
                && filter.until.is_none_or(|until| entry.at < until)
                && filter
                    .outcome
                    .is_none_or(|outcome| entry.basis.outcome() == outcome)
        })
        .map(|(id, _)| *id)
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids
}

async fn stored_mix(f: &Fixture, count: i64) -> Vec<(i64, AuditEntry)> {
    let entries: Vec<AuditEntry> = (0..count).map(|i| mixed(f, i)).collect();
    f.store.record_audit(&entries).await.unwrap();
    let first = crate::support::auth::count(&f.store, "SELECT MIN(id) FROM audit_log").await;
    (first..).zip(entries).collect()
}

async fn all_pages(f: &Fixture, filter: &AuditFilter, page: u32) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut before = None;
    loop {
        let lines = f
            .store
            .audit_lines(filter, false, before, page, t(0))
            .await
            .unwrap();
        assert!(lines.len() <= page as usize);
        let Some(last) = lines.last() else { break };
        before = Some(last.record.id);
        ids.extend(lines.iter().map(|line| line.record.id));
    }
    ids
}

async fn each_filter_narrows_to_exactly_its_entries(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let entries = stored_mix(&f, 120).await;
    let filters = [
        AuditFilter::default(),
        AuditFilter {
            customer: Some(f.customer),
            ..AuditFilter::default()
        },
        AuditFilter {
            customer: Some(f.other),
            ..AuditFilter::default()
        },
        AuditFilter {
            resource: Some(resource(MAILBOX)),
            ..AuditFilter::default()
        },
        AuditFilter {
            staff_role: Some(Role::Support),
            ..AuditFilter::default()
        },
        AuditFilter {
            staff_role: Some(Role::Sysadmin),
            ..AuditFilter::default()
        },
        AuditFilter {
            staff_role: Some(Role::PrivacyOfficer),
            ..AuditFilter::default()
        },
        AuditFilter {
            from: Some(t(300)),
            ..AuditFilter::default()
        },
        AuditFilter {
            until: Some(t(300)),
            ..AuditFilter::default()
        },
        AuditFilter {
            outcome: Some(Outcome::Denied),
            ..AuditFilter::default()
        },
        AuditFilter {
            outcome: Some(Outcome::Allowed),
            ..AuditFilter::default()
        },
        AuditFilter {
            customer: Some(f.customer),
            resource: Some(resource(BACKUP)),
            staff_role: Some(Role::Sysadmin),
            from: Some(t(100)),
            until: Some(t(700)),
            outcome: Some(Outcome::Allowed),
        },
    ];
    for filter in &filters {
        let want = expected(&entries, filter);
        assert!(!want.is_empty(), "the data set exercises {filter:?}");
        let got = all_pages(&f, filter, 1000).await;
        assert_eq!(got, want, "{filter:?}");
    }
    // Each single filter truly narrows: none of them returns everything.
    for filter in &filters[1..] {
        assert!(
            expected(&entries, filter).len() < entries.len(),
            "{filter:?}"
        );
    }
}

async fn keyset_pages_never_repeat_or_skip(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let entries = stored_mix(&f, 203).await;
    for filter in [
        AuditFilter {
            customer: Some(f.customer),
            ..AuditFilter::default()
        },
        AuditFilter {
            customer: Some(f.customer),
            outcome: Some(Outcome::Allowed),
            ..AuditFilter::default()
        },
        AuditFilter::default(),
    ] {
        let want = expected(&entries, &filter);
        for page in [1, 7, 50] {
            assert_eq!(
                all_pages(&f, &filter, page).await,
                want,
                "{filter:?} by {page}"
            );
        }
    }
    // Entries appended between two pages land before the first page, never inside the walk.
    let filter = AuditFilter {
        customer: Some(f.customer),
        ..AuditFilter::default()
    };
    let first = f
        .store
        .audit_lines(&filter, true, None, 10, t(0))
        .await
        .unwrap();
    f.store.record_audit(&[mixed(&f, 1)]).await.unwrap();
    let second = f
        .store
        .audit_lines(
            &filter,
            true,
            first.last().map(|line| line.record.id),
            10,
            t(0),
        )
        .await
        .unwrap();
    let want = expected(&entries, &filter);
    let walked: Vec<i64> = first
        .iter()
        .chain(&second)
        .map(|line| line.record.id)
        .collect();
    assert_eq!(walked, want[..20].to_vec());
}

async fn lines_name_the_staff_member_and_job(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    match &f.store {
        server::storage::SqlStore::Sqlite(pool) => {
            sqlx::query("UPDATE staff SET job_title = 'Technicienne support' WHERE id = $1")
                .bind(f.support.0)
                .execute(pool)
                .await
                .unwrap();
        }
        server::storage::SqlStore::Postgres(pool) => {
            sqlx::query("UPDATE staff SET job_title = 'Technicienne support' WHERE id = $1")
                .bind(f.support.0)
                .execute(pool)
                .await
                .unwrap();
        }
    }
    let mut by_customer = mixed(&f, 5);
    by_customer.customer = Some(f.customer);
    f.store
        .record_audit(&[f.by_support(AuditEvent::CaseOpened, t(1)), by_customer])
        .await
        .unwrap();
    let filter = AuditFilter {
        customer: Some(f.customer),
        ..AuditFilter::default()
    };
    let lines = f
        .store
        .audit_lines(&filter, true, None, 10, t(2))
        .await
        .unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0].staff, None,
        "the customer's own entry names no staff"
    );
    let staff = lines[1].staff.as_ref().expect("the support agent");
    assert_eq!(staff.name, "camille@staff.example.ch");
    assert_eq!(staff.job_title, "Technicienne support");
    assert_eq!(lines[1].record.hash.len(), 64, "hex SHA-256");
    // The customer's own view is never the whole log.
    let none = f
        .store
        .audit_lines(&AuditFilter::default(), true, None, 10, t(2))
        .await
        .unwrap();
    assert!(none.is_empty());
}

on_both_backends!(
    each_filter_narrows_to_exactly_its_entries,
    keyset_pages_never_repeat_or_skip,
    lines_name_the_staff_member_and_job,
);

/// On SQLite, whose planner needs no statistics for this: a customer's page walks their index backwards from the
/// cursor and stops after the page, with no sort, so page 2,000 costs what page 1 does. (PostgreSQL's plan on a
/// large log is in the README's figures.)
#[tokio::test]
async fn a_customers_page_walks_their_index_backwards_without_sorting() {
    let f = fixture(Backend::Sqlite).await.unwrap();
    let filter = AuditFilter {
        customer: Some(f.customer),
        ..AuditFilter::default()
    };
    for before in [None, Some(100_000)] {
        let plan = f
            .store
            .explain_audit_page(&filter, true, before, 50, t(0))
            .await
            .unwrap();
        assert!(plan.contains("audit_log_by_customer"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
