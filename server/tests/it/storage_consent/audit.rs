//! The audit log's own operations: batches, pages, reported accesses, and the calling services' tokens.

use super::*;
use crate::support::Backend;
use app::domain::consent::{DenyRule, GrantId};
use app::ports::{ServiceToken, StorageError};

/// Entries that between them use every kind of actor, basis and source, for either customer or none.
fn varied(f: &Fixture, i: usize) -> AuditEntry {
    let n = i64::try_from(i).unwrap();
    AuditEntry {
        at: t(n),
        event: AuditEvent::ALL[i % AuditEvent::ALL.len()],
        actor: match i % 4 {
            0 => Actor::Customer { id: f.customer },
            1 => Actor::Staff {
                id: f.sysadmin,
                roles: vec![Role::Support, Role::Sysadmin],
            },
            2 => Actor::Staff {
                id: f.support,
                roles: vec![],
            },
            _ => Actor::System,
        },
        customer: match i % 7 {
            0 => None,
            1 | 3 => Some(f.other),
            _ => Some(f.customer),
        },
        resource: [Some(MAILBOX), Some("snapshot:2026-03-01.mail-7"), None][i % 3].map(resource),
        action: [Some(Action::Read), Some(Action::Restore), None][i % 3],
        basis: match i % 6 {
            0 => AuditBasis::Grant(GrantId(n + 1)),
            1 => AuditBasis::TechnicalOperation,
            2 => AuditBasis::TheCustomer,
            3 => AuditBasis::StaffRole,
            4 => AuditBasis::Refused(DenyRule::SnapshotsAreForSysadmins),
            _ => AuditBasis::Refused(DenyRule::NoActiveGrant),
        },
        source: if i.is_multiple_of(2) {
            EventSource::Portal
        } else {
            EventSource::Service("mail-platform".into())
        },
        detail: i.is_multiple_of(5).then(|| format!("entry {i}, «détail»")),
    }
}

async fn a_batch_is_stored_whole_and_read_back_newest_first_by_pages(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let entries: Vec<AuditEntry> = (0..203).map(|i| varied(&f, i)).collect();
    f.store.record_audit(&entries).await.unwrap();
    f.store.record_audit(&[]).await.unwrap();

    let mut pages = Vec::new();
    let mut before = None;
    loop {
        let page = f
            .store
            .audit_of_customer(f.customer, before, 40)
            .await
            .unwrap();
        let Some((last, _)) = page.last() else { break };
        assert!(page.len() <= 40);
        before = Some(*last);
        pages.extend(page);
    }
    let ids: Vec<i64> = pages.iter().map(|(id, _)| *id).collect();
    assert!(
        ids.windows(2).all(|pair| pair[0] > pair[1]),
        "ids strictly decrease: {ids:?}"
    );
    let read: Vec<AuditEntry> = pages.into_iter().map(|(_, entry)| entry).collect();
    let expected: Vec<AuditEntry> = entries
        .iter()
        .filter(|e| e.customer == Some(f.customer))
        .rev()
        .cloned()
        .collect();
    assert!(expected.len() > 80);
    assert_eq!(read, expected);
    assert_eq!(f.count("SELECT COUNT(*) FROM audit_log").await, 203);
}

fn reported(f: &Fixture, at: DateTime<Utc>) -> AuditEntry {
    AuditEntry {
        actor: Actor::Staff {
            id: f.sysadmin,
            roles: vec![Role::Sysadmin],
        },
        resource: Some(resource(BACKUP)),
        action: Some(Action::Restore),
        basis: AuditBasis::Grant(GrantId(1)),
        source: EventSource::Service("backup-server".into()),
        ..f.by_support(AuditEvent::AccessReported, at)
    }
}

async fn a_reported_access_is_recorded_once_per_service_and_event(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    assert!(f
        .store
        .record_reported_access("backup-server", "ev-1", &reported(&f, t(1)))
        .await
        .unwrap());
    assert!(!f
        .store
        .record_reported_access("backup-server", "ev-1", &reported(&f, t(2)))
        .await
        .unwrap());
    assert!(f
        .store
        .record_reported_access("ftp-gateway", "ev-1", &reported(&f, t(3)))
        .await
        .unwrap());
    let log = f
        .store
        .audit_of_customer(f.customer, None, 10)
        .await
        .unwrap();
    assert_eq!(
        log.iter().map(|(_, e)| e.at).collect::<Vec<_>>(),
        [t(3), t(1)],
        "a repeat writes nothing"
    );
    assert_eq!(log[1].1, reported(&f, t(1)));

    let racing: Vec<_> = (0..8)
        .map(|i| {
            let (store, entry) = (f.store.clone(), reported(&f, t(10 + i)));
            tokio::spawn(async move {
                store
                    .record_reported_access("backup-server", "ev-2", &entry)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut recorded = 0;
    for task in racing {
        recorded += usize::from(task.await.unwrap());
    }
    assert_eq!(
        recorded, 1,
        "of the same report sent eight times at once, one is recorded"
    );
    assert_eq!(f.audit_count().await, 3);
}

async fn service_tokens_are_found_by_hash_revoked_once_and_never_renamed(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let scopes = vec!["access-checks".to_owned(), "access-events".to_owned()];
    let (first, second) = ([1_u8; 32], [2_u8; 32]);
    let issued = f.by_support(AuditEvent::ServiceTokenIssued, t(0));
    let revoked = f.by_support(AuditEvent::ServiceTokenRevoked, t(5));
    let before = f.audit_count().await;
    f.store
        .create_service_token("backup-server", &first, &scopes, &issued, t(0))
        .await
        .unwrap();
    let expected = ServiceToken {
        name: "backup-server".into(),
        scopes: scopes.clone(),
        created_at: t(0),
        revoked_at: None,
    };
    assert_eq!(
        f.store.service_token(&first).await.unwrap(),
        Some(expected.clone())
    );
    assert_eq!(f.store.service_token(&second).await.unwrap(), None);
    assert_eq!(f.audit_count().await, before + 1, "issuing is on record");

    for (name, hash) in [("backup-server", &second), ("mail-platform", &first)] {
        let duplicate = f
            .store
            .create_service_token(name, hash, &scopes, &issued, t(1))
            .await;
        assert!(
            matches!(duplicate, Err(StorageError::Conflict(_))),
            "{name}: {duplicate:?}"
        );
    }
    assert_eq!(
        f.audit_count().await,
        before + 1,
        "a refused name leaves no entry"
    );
    assert!(f
        .store
        .revoke_service_token("backup-server", &revoked, t(5))
        .await
        .unwrap());
    assert!(
        !f.store
            .revoke_service_token("backup-server", &revoked, t(6))
            .await
            .unwrap(),
        "revoked once"
    );
    assert!(!f
        .store
        .revoke_service_token("unknown", &revoked, t(6))
        .await
        .unwrap());
    assert_eq!(
        f.audit_count().await,
        before + 2,
        "one revocation, one entry: nothing for a token already revoked or unknown"
    );
    assert_eq!(
        f.store.service_token(&first).await.unwrap(),
        Some(ServiceToken {
            revoked_at: Some(t(5)),
            ..expected
        })
    );
    let reused = f
        .store
        .create_service_token("backup-server", &second, &scopes, &issued, t(7))
        .await;
    assert!(
        matches!(reused, Err(StorageError::Conflict(_))),
        "a revoked name is not reused: {reused:?}"
    );
    f.store
        .create_service_token(
            "mail-platform",
            &second,
            &["mailbox-stats".to_owned()],
            &issued,
            t(7),
        )
        .await
        .unwrap();
    assert_eq!(
        f.store
            .service_token(&second)
            .await
            .unwrap()
            .unwrap()
            .scopes,
        ["mailbox-stats"]
    );
}

on_both_backends!(
    a_batch_is_stored_whole_and_read_back_newest_first_by_pages,
    a_reported_access_is_recorded_once_per_service_and_event,
    service_tokens_are_found_by_hash_revoked_once_and_never_renamed,
);
