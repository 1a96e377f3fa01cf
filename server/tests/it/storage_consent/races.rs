//! Concurrency: two answers to one request, and access checks racing a revocation.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::SubsecRound;

use super::*;
use crate::support::Backend;
use app::domain::consent::{decide, GrantHolder, GrantTerms, Resource, Teams};
use app::ports::{GrantRecord, SettleError};

async fn of_two_answers_racing_exactly_one_wins(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    for round in 0..8 {
        let pending = request(BACKUP, None, t(round));
        let id = f.store_request(&pending).await;
        let (audit_before, grants_before) = (
            f.audit_count().await,
            f.count("SELECT COUNT(*) FROM grants").await,
        );
        let approval = pending
            .approve(t(round + 1), None, GrantHolder::StaffMember(f.support))
            .unwrap();
        let denied = pending.deny(t(round + 1), None).unwrap();
        let approve = tokio::spawn({
            let (store, entry) = (
                f.store.clone(),
                f.by_customer(AuditEvent::RequestApproved, t(round + 1)),
            );
            let approval = approval.clone();
            async move {
                store
                    .settle_request(id, &approval.request, Some(&approval.grant), &entry, None)
                    .await
            }
        });
        let deny = tokio::spawn({
            let (store, entry) = (
                f.store.clone(),
                f.by_customer(AuditEvent::RequestDenied, t(round + 1)),
            );
            let denied = denied.clone();
            async move { store.settle_request(id, &denied, None, &entry, None).await }
        });
        let (approved, refused) = (approve.await.unwrap(), deny.await.unwrap());

        let stored = f.store.consent_request(id).await.unwrap().unwrap();
        match (approved, refused) {
            (Ok(Some(grant)), Err(SettleError::NoLongerPending)) => {
                assert_eq!(
                    (stored.request, stored.grant),
                    (approval.request, Some(grant))
                );
                assert_eq!(
                    f.count("SELECT COUNT(*) FROM grants").await,
                    grants_before + 1
                );
            }
            (Err(SettleError::NoLongerPending), Ok(None)) => {
                assert_eq!((stored.request, stored.grant), (denied, None));
                assert_eq!(f.count("SELECT COUNT(*) FROM grants").await, grants_before);
            }
            other => panic!("round {round}: not exactly one winner: {other:?}"),
        }
        assert_eq!(
            f.audit_count().await,
            audit_before + 1,
            "round {round}: only the winner is audited"
        );
    }
}

const READERS: usize = 6;
const CHECKS_AFTER_REVOCATION: usize = 25;

/// Checks access like the API does, until it has made enough checks that started after the revocation returned.
/// Returns how many checks allowed before it, and how many allowed after it (which must be none).
async fn check_until_revoked(
    store: SqlStore,
    revoked: Arc<AtomicBool>,
    allowed: Arc<AtomicUsize>,
) -> (usize, usize) {
    let backup = resource(BACKUP);
    let target = Resource::resolve(backup.clone(), None).unwrap();
    let (mut allowed_before, mut allowed_after, mut checks_after) = (0, 0, 0);
    while checks_after < CHECKS_AFTER_REVOCATION {
        let started_after_revocation = revoked.load(Ordering::SeqCst);
        let now = Utc::now().trunc_subsecs(6);
        let live: Vec<GrantRecord> = store.live_grants_on(&backup, now).await.unwrap();
        let views: Vec<_> = live.iter().map(GrantRecord::view).collect();
        // A team grant: any sysadmin may use it, whatever their number.
        let decision = decide(
            app::domain::StaffId(1),
            &[Role::Sysadmin],
            &target,
            Action::Read,
            &views,
            now,
        );
        match (started_after_revocation, decision.is_allowed()) {
            (false, true) => {
                allowed_before += 1;
                allowed.fetch_add(1, Ordering::SeqCst);
            }
            (false, false) => {}
            (true, is_allowed) => {
                checks_after += 1;
                allowed_after += usize::from(is_allowed);
            }
        }
    }
    (allowed_before, allowed_after)
}

async fn no_access_check_allows_once_the_revocation_returned(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    for round in 0..5 {
        let start = Utc::now().trunc_subsecs(6) - Duration::minutes(1);
        let terms = GrantTerms::on_customer_initiative(
            draft(BACKUP, None, 24 * 60),
            Teams::SupportAndSysadmins,
            start,
        )
        .unwrap();
        let grant = f
            .store
            .create_grant(
                f.customer,
                &terms,
                None,
                None,
                &f.by_customer(AuditEvent::GrantGivenByCustomer, start),
            )
            .await
            .unwrap();
        let revoked = Arc::new(AtomicBool::new(false));
        let allowed = Arc::new(AtomicUsize::new(0));
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                tokio::spawn(check_until_revoked(
                    f.store.clone(),
                    revoked.clone(),
                    allowed.clone(),
                ))
            })
            .collect();
        while allowed.load(Ordering::SeqCst) < 2 * READERS {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }

        let revocation = f.by_customer(AuditEvent::GrantRevoked, Utc::now().trunc_subsecs(6));
        assert!(f
            .store
            .revoke_grant(grant, f.customer, &revocation)
            .await
            .unwrap());
        revoked.store(true, Ordering::SeqCst);

        let mut allowed_before = 0;
        for reader in readers {
            let (before, after) = reader.await.unwrap();
            assert_eq!(
                after, 0,
                "round {round}: a check that started after the revocation returned allowed"
            );
            allowed_before += before;
        }
        assert!(
            allowed_before >= 2 * READERS,
            "round {round}: the grant allowed until its revocation"
        );
    }
}

on_both_backends!(
    of_two_answers_racing_exactly_one_wins,
    no_access_check_allows_once_the_revocation_returned,
);
