//! Grants read back exactly as written, end by revocation or by their case, and corrupt rows are refused.

use super::*;
use crate::support::Backend;
use app::domain::consent::{
    decide, CallReference, CallerIdentification, Decision, DenyRule, GrantId, GrantTerms,
    OralConsent, Resource, ScopeReadBack, Teams,
};
use app::ports::{GrantRecord, MailKind, OutgoingMail, StorageError};

fn oral() -> OralConsent {
    OralConsent {
        identification: CallerIdentification::parse("Called back on the number on file").unwrap(),
        call_reference: CallReference::parse("CALL-2026-0412").unwrap(),
        scope_read_back: ScopeReadBack::parse("Read and restore the backup space for two hours")
            .unwrap(),
    }
}

async fn grants_read_back_with_their_origin_and_queue_their_receipt(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let terms = GrantTerms::oral(
        f.support,
        &[Role::Support],
        draft(BACKUP, None, 120),
        oral(),
        t(1),
    )
    .unwrap();
    let receipt = |id: GrantId| OutgoingMail {
        kind: MailKind::Consent,
        to: EmailAddress::parse("jeanne@boulangerie-favre.ch").unwrap(),
        customer: Some(f.customer),
        language: Language::Fr,
        subject: "Accès accordé par téléphone".into(),
        body_text: format!("Révoquer : https://portal.example/grants/{id}"),
    };
    let outbox_before = f.count("SELECT COUNT(*) FROM outbox").await;
    let oral_id = f
        .store
        .create_grant(
            f.customer,
            &terms,
            Some(f.support),
            Some(&receipt),
            &f.by_support(AuditEvent::GrantRecordedOrally, t(1)),
        )
        .await
        .unwrap();
    assert_eq!(
        f.count("SELECT COUNT(*) FROM outbox").await,
        outbox_before + 1,
        "the receipt is queued"
    );
    let links_to_the_grant =
        format!("SELECT COUNT(*) FROM outbox WHERE body_text LIKE '%/grants/{oral_id}'");
    assert_eq!(
        f.count(&links_to_the_grant).await,
        1,
        "the receipt names the new grant"
    );
    let stored = f.store.grant(oral_id).await.unwrap().unwrap();
    assert_eq!(stored.grant.terms(), &terms);
    assert_eq!(
        (
            stored.recorded_by,
            stored.request,
            stored.grant.revoked_at()
        ),
        (Some(f.support), None, None)
    );

    let case = f.open_case(t(2)).await;
    let own =
        GrantTerms::on_customer_initiative(draft(MAILBOX, Some(case.id), 60), Teams::Support, t(3))
            .unwrap();
    let own_id = f
        .store
        .create_grant(
            f.customer,
            &own,
            None,
            None,
            &f.by_customer(AuditEvent::GrantGivenByCustomer, t(3)),
        )
        .await
        .unwrap();
    assert_eq!(
        f.count("SELECT COUNT(*) FROM outbox").await,
        outbox_before + 1
    );
    let stored = f.store.grant(own_id).await.unwrap().unwrap();
    assert_eq!((stored.grant.terms(), stored.recorded_by), (&own, None));

    let all: Vec<GrantId> = f
        .store
        .grants_of_customer(f.customer)
        .await
        .unwrap()
        .iter()
        .map(|g| g.grant.id())
        .collect();
    assert_eq!(all, [own_id, oral_id]);
    assert!(f
        .store
        .grants_of_customer(f.other)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(f.store.grant(GrantId(9_999)).await.unwrap(), None);
    let log = f
        .store
        .audit_of_customer(f.customer, None, 10)
        .await
        .unwrap();
    let bases: Vec<_> = log.iter().map(|(_, e)| (e.event, e.basis)).collect();
    assert_eq!(
        bases,
        [
            (AuditEvent::GrantGivenByCustomer, AuditBasis::Grant(own_id)),
            (AuditEvent::CaseOpened, AuditBasis::StaffRole),
            (AuditEvent::GrantRecordedOrally, AuditBasis::Grant(oral_id)),
        ]
    );
}

async fn a_customer_revokes_their_own_live_grant_once(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let backup = resource(BACKUP);
    let terms = GrantTerms::on_customer_initiative(
        draft(BACKUP, None, 60),
        Teams::SupportAndSysadmins,
        t(0),
    )
    .unwrap();
    let give = |at| f.by_customer(AuditEvent::GrantGivenByCustomer, at);
    let id = f
        .store
        .create_grant(f.customer, &terms, None, None, &give(t(0)))
        .await
        .unwrap();
    let ended = f
        .store
        .create_grant(f.customer, &terms, None, None, &give(t(0)))
        .await
        .unwrap();
    let (store, backup) = (&f.store, &backup);
    let live = |now| async move {
        store
            .live_grants_on(backup, now)
            .await
            .unwrap()
            .iter()
            .map(|g| g.grant.id())
            .collect::<Vec<_>>()
    };
    assert_eq!(live(t(10)).await, [id, ended]);
    assert!(
        live(t(60)).await.is_empty(),
        "a grant past its limit is not live"
    );
    let audit_before = f.audit_count().await;

    let revoke = |at| f.by_customer(AuditEvent::GrantRevoked, at);
    assert!(
        !f.store
            .revoke_grant(id, f.other, &revoke(t(10)))
            .await
            .unwrap(),
        "only the customer's own grant"
    );
    assert!(
        !f.store
            .revoke_grant(ended, f.customer, &revoke(t(60)))
            .await
            .unwrap(),
        "not after its limit"
    );
    assert!(!f
        .store
        .revoke_grant(GrantId(9_999), f.customer, &revoke(t(10)))
        .await
        .unwrap());
    assert_eq!(f.audit_count().await, audit_before);

    assert!(f
        .store
        .revoke_grant(id, f.customer, &revoke(t(10)))
        .await
        .unwrap());
    assert!(
        !f.store
            .revoke_grant(id, f.customer, &revoke(t(11)))
            .await
            .unwrap(),
        "revoked once"
    );
    assert_eq!(f.audit_count().await, audit_before + 1);
    assert_eq!(
        f.store.grant(id).await.unwrap().unwrap().grant.revoked_at(),
        Some(t(10))
    );
    assert_eq!(live(t(10)).await, [ended]);
}

async fn resolving_its_case_ends_a_mailbox_grant_for_the_policy(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let case = f.open_case(t(0)).await;
    let mailbox = resource(MAILBOX);
    let terms = GrantTerms::on_customer_initiative(
        draft(MAILBOX, Some(case.id), 120),
        Teams::SupportAndSysadmins,
        t(1),
    )
    .unwrap();
    let id = f
        .store
        .create_grant(
            f.customer,
            &terms,
            None,
            None,
            &f.by_customer(AuditEvent::GrantGivenByCustomer, t(1)),
        )
        .await
        .unwrap();
    let target = Resource::resolve(mailbox.clone(), None).unwrap();
    let check = |now| {
        let f = &f;
        let (mailbox, target) = (mailbox.clone(), target.clone());
        async move {
            let live: Vec<GrantRecord> = f.store.live_grants_on(&mailbox, now).await.unwrap();
            let views: Vec<_> = live.iter().map(GrantRecord::view).collect();
            decide(
                f.support,
                &[Role::Support],
                &target,
                Action::Read,
                &views,
                now,
            )
        }
    };
    assert!(check(t(5)).await.is_allowed());

    f.store
        .resolve_case(
            case.id,
            f.support,
            &f.by_support(AuditEvent::CaseResolved, t(10)),
        )
        .await
        .unwrap();
    let stored = f.store.grant(id).await.unwrap().unwrap();
    assert_eq!(
        (stored.case_resolved_at, stored.grant.revoked_at()),
        (Some(t(10)), None)
    );
    assert_eq!(
        check(t(10)).await,
        Decision::Deny {
            rule: DenyRule::NoActiveGrant
        }
    );
    assert!(
        !f.store
            .revoke_grant(
                id,
                f.customer,
                &f.by_customer(AuditEvent::GrantRevoked, t(11))
            )
            .await
            .unwrap(),
        "a grant its case ended cannot be revoked again"
    );
}

async fn a_resource_belongs_to_the_customer_holding_the_service(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    for raw in [MAILBOX, BACKUP, WEB] {
        assert_eq!(
            f.store.owner_of(&resource(raw)).await.unwrap(),
            Some(f.customer),
            "{raw}"
        );
    }
    assert_eq!(
        f.store.owner_of(&resource(OTHER_MAILBOX)).await.unwrap(),
        Some(f.other)
    );
    for raw in [
        "mailbox:nobody@boulangerie-favre.ch",
        "backup-space:backup-favre-2",
        "snapshot:backup-favre",
    ] {
        assert_eq!(
            f.store.owner_of(&resource(raw)).await.unwrap(),
            None,
            "{raw}"
        );
    }
}

async fn corrupted_consent_rows_are_reported_not_judged(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let terms = GrantTerms::on_customer_initiative(
        draft(BACKUP, None, 60),
        Teams::SupportAndSysadmins,
        t(0),
    )
    .unwrap();
    let id = f
        .store
        .create_grant(
            f.customer,
            &terms,
            None,
            None,
            &f.by_customer(AuditEvent::GrantGivenByCustomer, t(0)),
        )
        .await
        .unwrap();
    let pending = request(BACKUP, None, t(0));
    let request_id = f.store_request(&pending).await;

    f.tamper(
        "UPDATE grants SET actions = 'read,erase' WHERE id = $1",
        id.0,
    )
    .await;
    let read = f.store.grant(id).await;
    assert!(matches!(read, Err(StorageError::Corrupt(_))), "{read:?}");
    let live = f.store.live_grants_on(&resource(BACKUP), t(1)).await;
    assert!(matches!(live, Err(StorageError::Corrupt(_))), "{live:?}");

    f.tamper(
        "UPDATE consent_requests SET resource = 'ftp:backup-favre' WHERE id = $1",
        request_id.0,
    )
    .await;
    let read = f.store.consent_request(request_id).await;
    assert!(matches!(read, Err(StorageError::Corrupt(_))), "{read:?}");
    f.tamper(
        "UPDATE consent_requests SET resource = 'web-space:a.ch' WHERE id = $1",
        request_id.0,
    )
    .await;
    let read = f.store.requests_of_customer(f.customer).await;
    assert!(
        matches!(read, Err(StorageError::Corrupt(_))),
        "a consent to a web space cannot exist: {read:?}"
    );

    f.drop_audit_triggers().await;
    f.tamper("UPDATE audit_log SET event_code = 42 WHERE id = $1", 1)
        .await;
    let log = f.store.audit_of_customer(f.customer, None, 10).await;
    assert!(matches!(log, Err(StorageError::Corrupt(_))), "{log:?}");
}
on_both_backends!(
    grants_read_back_with_their_origin_and_queue_their_receipt,
    a_customer_revokes_their_own_live_grant_once,
    resolving_its_case_ends_a_mailbox_grant_for_the_policy,
    a_resource_belongs_to_the_customer_holding_the_service,
    corrupted_consent_rows_are_reported_not_judged,
);
