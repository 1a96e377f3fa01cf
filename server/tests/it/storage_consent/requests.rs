//! Cases and requests read back exactly as written, and each change leaves exactly one audit entry.

use super::*;
use crate::support::Backend;
use app::domain::consent::{ConsentRequestId, GrantHolder, GrantOrigin, RequestState};
use app::ports::SettleError;

async fn cases_are_resolved_once_and_listed_in_order(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let first = f.open_case(t(1)).await;
    let second = f.open_case(t(2)).await;
    assert_eq!(
        f.store.support_case(first.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        (
            first.customer,
            first.opened_by,
            first.opened_at,
            first.resolved_at
        ),
        (f.customer, f.support, t(1), None)
    );

    let resolved = f
        .store
        .resolve_case(
            first.id,
            f.sysadmin,
            &f.by_support(AuditEvent::CaseResolved, t(3)),
        )
        .await
        .unwrap()
        .expect("the case exists");
    assert_eq!(
        (resolved.resolved_at, resolved.resolved_by),
        (Some(t(3)), Some(f.sysadmin))
    );
    assert_eq!(f.audit_count().await, 3);

    let again = f
        .store
        .resolve_case(
            first.id,
            f.support,
            &f.by_support(AuditEvent::CaseResolved, t(4)),
        )
        .await
        .unwrap();
    assert_eq!(
        again,
        Some(resolved.clone()),
        "a resolved case is returned unchanged"
    );
    assert_eq!(f.audit_count().await, 3, "resolving again writes nothing");
    let unknown = f
        .store
        .resolve_case(
            SupportCaseId(9_999),
            f.support,
            &f.by_support(AuditEvent::CaseResolved, t(4)),
        )
        .await
        .unwrap();
    assert_eq!(unknown, None);
    assert_eq!(f.audit_count().await, 3);

    let ids = |cases: Vec<SupportCase>| cases.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(f.store.cases_of(f.customer).await.unwrap()),
        [second.id, first.id]
    );
    assert_eq!(ids(f.store.open_cases().await.unwrap()), [second.id]);
    assert!(f.store.cases_of(f.other).await.unwrap().is_empty());
}

async fn requests_read_back_exactly_in_every_state(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let case = f.open_case(t(0)).await;
    let mailbox = request(MAILBOX, Some(case.id), t(1));
    let backup_with_case = request(BACKUP, Some(case.id), t(2));
    let backup = request(BACKUP, None, t(3));
    let mut ids = Vec::new();
    for (requester, pending) in [
        (f.support, &mailbox),
        (f.sysadmin, &backup_with_case),
        (f.support, &backup),
    ] {
        let id = f
            .store
            .create_request(
                f.customer,
                requester,
                pending,
                &f.by_support(AuditEvent::RequestOpened, pending.created_at()),
                &f.request_notice(),
            )
            .await
            .unwrap();
        let record = f
            .store
            .consent_request(id)
            .await
            .unwrap()
            .expect("stored request");
        assert_eq!(
            (
                &record.request,
                record.customer,
                record.requested_by,
                record.grant
            ),
            (pending, f.customer, requester, None)
        );
        ids.push(id);
    }
    assert_eq!(
        f.count("SELECT COUNT(*) FROM outbox WHERE kind = 'consent' AND customer_id IS NOT NULL")
            .await,
        3,
        "each request queues its notice with it"
    );

    let denied = mailbox
        .deny(t(5), Some(ReasonText::parse("Not this week").unwrap()))
        .unwrap();
    let withdrawn = backup_with_case.withdraw(t(6)).unwrap();
    let expired = backup.expire(t(3 + 24 * 60)).unwrap();
    for (id, next, event) in [
        (ids[0], &denied, AuditEvent::RequestDenied),
        (ids[1], &withdrawn, AuditEvent::RequestWithdrawn),
        (ids[2], &expired, AuditEvent::RequestExpired),
    ] {
        let settled = f
            .store
            .settle_request(id, next, None, &f.by_support(event, t(7)), None)
            .await
            .unwrap();
        assert_eq!(settled, None);
        let record = f.store.consent_request(id).await.unwrap().unwrap();
        assert_eq!(&record.request, next);
    }
    assert!(matches!(
        denied.recorded_state(),
        RequestState::Denied {
            reason: Some(_),
            ..
        }
    ));

    let newest_first: Vec<ConsentRequestId> = ids.iter().rev().copied().collect();
    let of_customer = f.store.requests_of_customer(f.customer).await.unwrap();
    assert_eq!(
        of_customer.iter().map(|r| r.id).collect::<Vec<_>>(),
        newest_first
    );
    let by_support = f
        .store
        .requests_by_staff(Some(f.support), 10)
        .await
        .unwrap();
    assert_eq!(
        by_support.iter().map(|r| r.id).collect::<Vec<_>>(),
        [ids[2], ids[0]]
    );
    let team = f.store.requests_by_staff(None, 2).await.unwrap();
    assert_eq!(
        team.iter().map(|r| r.id).collect::<Vec<_>>(),
        [ids[2], ids[1]]
    );
    assert!(f
        .store
        .requests_of_customer(f.other)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(f.audit_count().await, 1 + 3 + 3);
}

async fn an_approval_stores_its_grant_and_the_audit_names_it(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let case = f.open_case(t(0)).await;
    let pending = request(MAILBOX, Some(case.id), t(1));
    let id = f.store_request(&pending).await;
    let approval = pending
        .approve(
            t(2),
            Some(GrantDuration::from_minutes(30).unwrap()),
            GrantHolder::StaffMember(f.support),
        )
        .unwrap();
    let grant = f
        .store
        .settle_request(
            id,
            &approval.request,
            Some(&approval.grant),
            &f.by_customer(AuditEvent::RequestApproved, t(2)),
            None,
        )
        .await
        .unwrap()
        .expect("an approval creates a grant");

    let record = f.store.consent_request(id).await.unwrap().unwrap();
    assert_eq!(
        (record.request, record.grant),
        (approval.request, Some(grant))
    );
    let stored = f.store.grant(grant).await.unwrap().expect("stored grant");
    assert_eq!(stored.grant.terms(), &approval.grant);
    assert_eq!(
        (
            stored.grant.id(),
            stored.customer,
            stored.request,
            stored.recorded_by
        ),
        (grant, f.customer, Some(id), None)
    );
    assert_eq!(stored.grant.terms().origin(), &GrantOrigin::ApprovedRequest);

    let log = f
        .store
        .audit_of_customer(f.customer, None, 1)
        .await
        .unwrap();
    assert_eq!(log[0].1.event, AuditEvent::RequestApproved);
    assert_eq!(
        log[0].1.basis,
        AuditBasis::Grant(grant),
        "the storage names the grant it created"
    );
}

async fn a_request_no_longer_pending_is_not_settled_and_nothing_is_written(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let pending = request(BACKUP, None, t(1));
    let id = f.store_request(&pending).await;
    let withdrawn = pending.withdraw(t(2)).unwrap();
    f.store
        .settle_request(
            id,
            &withdrawn,
            None,
            &f.by_support(AuditEvent::RequestWithdrawn, t(2)),
            None,
        )
        .await
        .unwrap();
    let (audit_before, grants_before) = (
        f.audit_count().await,
        f.count("SELECT COUNT(*) FROM grants").await,
    );

    let approval = pending
        .approve(t(3), None, GrantHolder::StaffMember(f.support))
        .unwrap();
    let late = f
        .store
        .settle_request(
            id,
            &approval.request,
            Some(&approval.grant),
            &f.by_customer(AuditEvent::RequestApproved, t(3)),
            None,
        )
        .await;
    assert!(
        matches!(late, Err(SettleError::NoLongerPending)),
        "{late:?}"
    );
    let unknown = f
        .store
        .settle_request(
            ConsentRequestId(9_999),
            &withdrawn,
            None,
            &f.by_support(AuditEvent::RequestWithdrawn, t(3)),
            None,
        )
        .await;
    assert!(
        matches!(unknown, Err(SettleError::NoLongerPending)),
        "{unknown:?}"
    );
    assert_eq!(
        f.audit_count().await,
        audit_before,
        "a failed change writes no audit entry"
    );
    assert_eq!(f.count("SELECT COUNT(*) FROM grants").await, grants_before);
    assert_eq!(
        f.store.consent_request(id).await.unwrap().unwrap().request,
        withdrawn
    );
}
on_both_backends!(
    cases_are_resolved_once_and_listed_in_order,
    requests_read_back_exactly_in_every_state,
    an_approval_stores_its_grant_and_the_audit_names_it,
    a_request_no_longer_pending_is_not_settled_and_nothing_is_written,
);
