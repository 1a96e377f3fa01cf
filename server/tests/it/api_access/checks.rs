//! Access checks: the policy's answers through the API, their audit entries, and revocations never missed.

use super::*;

async fn web_spaces_are_open_to_technical_staff_without_consent(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.full_token("ftp-gateway").await;
    for staff in [SUPPORT, SYSADMIN] {
        assert_eq!(
            f.decision(&token, staff, WEB_SPACE, "write").await,
            json!({"decision": "allow", "basis": "technical-operation"})
        );
    }
    assert_eq!(
        f.decision(&token, OFFICER, WEB_SPACE, "read").await,
        json!({"decision": "deny", "basis": "not-operational-staff"})
    );
}

async fn a_mailbox_needs_an_active_grant_until_it_is_revoked(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.full_token("mail-platform").await;
    let denied = json!({"decision": "deny", "basis": "no-active-grant"});
    assert_eq!(f.decision(&token, SUPPORT, MAILBOX, "read").await, denied);

    let case = f.open_case(f.customer).await;
    let grant = f.grant(MAILBOX, "read", Some(case)).await;
    let allowed = f.decision(&token, SUPPORT, MAILBOX, "read").await;
    assert_eq!(allowed["decision"], "allow", "{allowed}");
    assert_eq!(allowed["basis"], "grant");
    assert_eq!(allowed["grant_id"], grant.0);
    let expires: DateTime<Utc> = allowed["expires_at"].as_str().unwrap().parse().unwrap();
    let left = expires - Utc::now();
    assert!(
        left > Duration::minutes(55) && left <= Duration::hours(1),
        "{left}"
    );
    assert_eq!(
        f.decision(&token, SUPPORT, MAILBOX, "write").await,
        denied,
        "only the action granted"
    );
    assert_eq!(
        f.decision(&token, SUPPORT, BACKUP_SPACE, "read").await,
        denied,
        "only the resource granted"
    );

    f.revoke(grant).await;
    assert_eq!(f.decision(&token, SUPPORT, MAILBOX, "read").await, denied);
}

async fn resolving_the_case_ends_a_mailbox_grant(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.full_token("mail-platform").await;
    let case = f.open_case(f.customer).await;
    f.grant(MAILBOX, "read,list", Some(case)).await;
    let backup = f.grant(BACKUP_SPACE, "restore", Some(case)).await;
    assert_eq!(
        f.decision(&token, SYSADMIN, MAILBOX, "list").await["decision"],
        "allow"
    );
    f.resolve_case(case).await;
    assert_eq!(
        f.decision(&token, SYSADMIN, MAILBOX, "list").await,
        json!({"decision": "deny", "basis": "no-active-grant"})
    );
    let restore = f.decision(&token, SYSADMIN, BACKUP_SPACE, "restore").await;
    assert_eq!(
        restore["grant_id"], backup.0,
        "a backup-space grant outlives the case it cites: {restore}"
    );
}

async fn every_check_is_in_the_customers_audit_log(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.full_token("ftp-gateway").await;
    let grant = f.grant(BACKUP_SPACE, "read", None).await;
    let before = f.audit_log().await.len();
    f.decision(&token, SUPPORT, WEB_SPACE, "read").await;
    f.decision(&token, SYSADMIN, BACKUP_SPACE, "read").await;
    f.decision(&token, SUPPORT, MAILBOX, "read").await;
    let (status, _) = f
        .check(&token, "nobody@staff.exemple.ch", MAILBOX, "read")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let log = f.audit_log().await;
    let checks: Vec<_> = log
        .iter()
        .take(log.len() - before)
        .filter(|entry| entry.event == AuditEvent::AccessChecked)
        .collect();
    assert_eq!(checks.len(), 4, "{log:#?}");
    let seen: Vec<_> = checks
        .iter()
        .rev()
        .map(|entry| {
            (
                entry.resource.as_ref().unwrap().to_string(),
                entry.action,
                entry.basis,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                WEB_SPACE.to_owned(),
                Some(Action::Read),
                AuditBasis::TechnicalOperation
            ),
            (
                BACKUP_SPACE.to_owned(),
                Some(Action::Read),
                AuditBasis::Grant(grant)
            ),
            (
                MAILBOX.to_owned(),
                Some(Action::Read),
                AuditBasis::Refused(DenyRule::NoActiveGrant)
            ),
            (
                MAILBOX.to_owned(),
                Some(Action::Read),
                AuditBasis::Refused(DenyRule::UnknownStaffMember)
            ),
        ]
    );
    for entry in &checks {
        assert_eq!(entry.source, EventSource::Service("ftp-gateway".into()));
        assert_eq!(entry.customer, Some(f.customer));
    }
    for entry in &checks[1..] {
        assert!(matches!(entry.actor, Actor::Staff { .. }));
    }
    assert!(matches!(checks[2].actor, Actor::Staff { id, .. } if id == f.sysadmin));
    assert_eq!(checks[0].actor, Actor::Unidentified);
    assert_eq!(
        checks[0].detail.as_deref(),
        Some("asked as nobody@staff.exemple.ch for customer C-200001"),
        "the names as the caller gave them"
    );
}

/// A check naming a customer the portal does not know, or a resource the named customer does not hold, is refused
/// and recorded as a denial attributed to no customer: the resource's holder is not the one named, and the entry
/// must not show one customer's service in another's log.
async fn checks_naming_unknown_parties_are_denials_on_record(backend: Backend) {
    use crate::support::auth::count;
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.full_token("imap-proxy").await;
    let unattributed = |rule: &str| {
        format!(
            "SELECT COUNT(*) FROM audit_log WHERE event_code = 3000 AND customer_id IS NULL \
             AND outcome = 'denied' AND basis_rule = '{rule}'"
        )
    };
    let before = (f.audit_log().await.len(), f.other_audit_log().await.len());
    for (customer, resource, code, rule) in [
        ("C-999999", MAILBOX, "unknown-customer", "unknown-customer"),
        (
            CUSTOMER,
            OTHER_MAILBOX,
            "unknown-resource",
            "not-the-customers-resource",
        ),
        (
            CUSTOMER,
            "snapshot:never-registered",
            "unknown-resource",
            "not-the-customers-resource",
        ),
    ] {
        let (status, body) = f
            .post(
                "/api/v1/access-checks",
                Some(&token),
                &json!({"staff": SUPPORT, "customer": customer, "resource": resource, "action": "read"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(
            count(&f.app.store, &unattributed(rule)).await >= 1,
            "{customer} {resource}: no denial on record"
        );
    }
    assert_eq!(
        count(&f.app.store, &unattributed("not-the-customers-resource")).await,
        2
    );
    assert_eq!(
        (f.audit_log().await.len(), f.other_audit_log().await.len()),
        before,
        "neither customer's log shows a check that named the other's service"
    );
}

/// Makes the database refuse new audit entries, or accept them again, while everything else keeps working.
async fn refuse_audit_entries(f: &ApiApp, refuse: bool) {
    let statements: &[&str] = match (&f.app.store, refuse) {
        (SqlStore::Sqlite(_), true) => &["CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"],
        (SqlStore::Sqlite(_), false) => &["DROP TRIGGER refuse_audit"],
        (SqlStore::Postgres(_), true) => &[
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
        ],
        (SqlStore::Postgres(_), false) => &["DROP TRIGGER refuse_audit ON audit_log"],
    };
    for statement in statements {
        match &f.app.store {
            SqlStore::Sqlite(pool) => sqlx::query(statement).execute(pool).await.map(drop),
            SqlStore::Postgres(pool) => sqlx::query(statement).execute(pool).await.map(drop),
        }
        .unwrap();
    }
}

async fn a_check_that_cannot_be_recorded_is_not_answered(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.full_token("ftp-gateway").await;
    f.decision(&token, SUPPORT, WEB_SPACE, "read").await;
    refuse_audit_entries(&f, true).await;
    for _ in 0..3 {
        let (status, body) = f.check(&token, SUPPORT, WEB_SPACE, "read").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"]["code"], "unavailable");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("reference"), "{message}");
        assert!(!message.contains("refused by the test"), "{message}");
        assert!(body.get("decision").is_none());
    }
    refuse_audit_entries(&f, false).await;
    assert_eq!(
        f.decision(&token, SUPPORT, WEB_SPACE, "read").await["decision"],
        "allow",
        "the audit writer carries on once the database accepts entries again"
    );
}

/// Checks run without pause from several connections while the customer revokes: every check that started after
/// the revocation returned must say deny.
async fn a_revocation_that_returned_is_never_missed_by_a_later_check(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let f = Arc::new(f);
    let token = f.full_token("backup-server").await;
    let grant = f.grant(BACKUP_SPACE, "read", None).await;
    let revoked_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let checkers: Vec<_> = (0..6)
        .map(|_| {
            let (f, token, revoked_at) = (Arc::clone(&f), token.clone(), Arc::clone(&revoked_at));
            tokio::spawn(async move {
                let mut seen = Vec::new();
                loop {
                    let started = Instant::now();
                    let body = f.decision(&token, SYSADMIN, BACKUP_SPACE, "read").await;
                    seen.push((started, body["decision"] == "allow"));
                    let done = *revoked_at.lock().unwrap();
                    if done.is_some_and(|at| at.elapsed() > std::time::Duration::from_millis(300)) {
                        return seen;
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    f.revoke(grant).await;
    let returned = Instant::now();
    *revoked_at.lock().unwrap() = Some(returned);
    let mut before = 0;
    let mut after = 0;
    for checker in checkers {
        for (started, allowed) in checker.await.unwrap() {
            if started > returned {
                after += 1;
                assert!(
                    !allowed,
                    "a check started after the revocation returned allowed"
                );
            } else if allowed {
                before += 1;
            }
        }
    }
    assert!(before > 0, "the grant allowed checks before its revocation");
    assert!(after > 0, "checks ran after the revocation");
}

on_both_backends!(
    web_spaces_are_open_to_technical_staff_without_consent,
    a_mailbox_needs_an_active_grant_until_it_is_revoked,
    resolving_the_case_ends_a_mailbox_grant,
    every_check_is_in_the_customers_audit_log,
    checks_naming_unknown_parties_are_denials_on_record,
    a_check_that_cannot_be_recorded_is_not_answered,
    a_revocation_that_returned_is_never_missed_by_a_later_check,
);
