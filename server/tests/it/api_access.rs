//! The integration API's access decisions, reports and consent requests over HTTP, with service tokens, on both
//! databases; and the token commands of the admin CLI.

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::support::api::{
    api_app, error_code, resource, server_command, ApiApp, BACKUP_SPACE, CUSTOMER, MAILBOX,
    OFFICER, OTHER_CUSTOMER, OTHER_MAILBOX, SUPPORT, SYSADMIN, WEB_SPACE,
};
use crate::support::{Backend, TestDb};
use app::domain::consent::{Action, DenyRule, RequestStateKind};
use app::domain::AuditEvent;
use app::ports::{Actor, AuditBasis, ConsentStore, EventSource};
use server::storage::SqlStore;
use server::tokens::{self, Scope};

on_both_backends!(
    a_check_needs_a_live_token,
    a_revoked_token_stops_working_within_seconds,
    a_token_is_refused_outside_its_scopes,
    web_spaces_are_open_to_technical_staff_without_consent,
    a_mailbox_needs_an_active_grant_until_it_is_revoked,
    resolving_the_case_ends_a_mailbox_grant,
    every_check_is_in_the_customers_audit_log,
    a_check_that_cannot_be_recorded_is_not_answered,
    a_revocation_that_returned_is_never_missed_by_a_later_check,
    a_reported_access_is_recorded_once_with_its_basis,
    reports_naming_unknown_things_are_refused,
    the_ticketing_system_opens_a_consent_request,
    consent_requests_that_cannot_be_opened_say_why,
    the_cli_creates_and_revokes_service_tokens,
);

async fn a_check_needs_a_live_token(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let body =
        json!({"staff": SUPPORT, "customer": CUSTOMER, "resource": WEB_SPACE, "action": "read"});
    let revoked = f.token("old-gateway", &[Scope::AccessChecks]).await;
    tokens::revoke_service_token(f.store(), "old-gateway", Utc::now())
        .await
        .unwrap();
    let unknown = tokens::generate();
    for token in [None, Some(unknown.as_str()), Some(revoked.as_str())] {
        let mut request = f
            .app
            .client
            .post(f.app.url("/api/v1/access-checks"))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap()),
            Some("Bearer"),
            "{token:?}"
        );
        let (status, body) = crate::support::api::read(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}: {body}");
        assert_eq!(error_code(status, &body), "unauthorized");
    }
    assert!(
        f.audit_log().await.is_empty(),
        "an unauthenticated check is not a check"
    );
}

async fn a_revoked_token_stops_working_within_seconds(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.token("ftp-gateway", &[Scope::AccessChecks]).await;
    f.decision(&token, SUPPORT, WEB_SPACE, "read").await;
    tokens::revoke_service_token(f.store(), "ftp-gateway", Utc::now())
        .await
        .unwrap();
    let revoked = Instant::now();
    loop {
        let (status, _) = f.check(&token, SUPPORT, WEB_SPACE, "read").await;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        assert!(
            revoked.elapsed() < std::time::Duration::from_secs(4),
            "the revoked token still works after {:?}",
            revoked.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn a_token_is_refused_outside_its_scopes(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let reporter = f.token("mail-platform", &[Scope::AccessEvents]).await;
    let (status, body) = f.check(&reporter, SUPPORT, WEB_SPACE, "read").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(error_code(status, &body), "forbidden");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("access-checks"));
    let checker = f.token("ftp-gateway", &[Scope::AccessChecks]).await;
    for path in ["/api/v1/access-events", "/api/v1/consent-requests"] {
        let (status, body) = f.post(path, Some(&checker), &json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    f.decision(&checker, SUPPORT, WEB_SPACE, "read").await;
}

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
    assert_eq!(checks.len(), 3, "{log:#?}");
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
        ]
    );
    for entry in &checks {
        assert_eq!(entry.source, EventSource::Service("ftp-gateway".into()));
        assert_eq!(entry.customer, Some(f.customer));
        assert!(matches!(entry.actor, Actor::Staff { .. }));
    }
    assert!(matches!(checks[1].actor, Actor::Staff { id, .. } if id == f.sysadmin));
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

fn report(event_id: &str, staff: &str, customer: &str, target: &str) -> Value {
    json!({
        "event_id": event_id,
        "staff": staff,
        "customer": customer,
        "resource": target,
        "action": "restore",
        "occurred_at": Utc::now().to_rfc3339(),
    })
}

async fn a_reported_access_is_recorded_once_with_its_basis(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.token("backup-server", &[Scope::AccessEvents]).await;
    let grant = f.grant(BACKUP_SPACE, "restore", None).await;
    let body = report("bk-2026-0001", SYSADMIN, CUSTOMER, BACKUP_SPACE);
    let (status, first) = f.post("/api/v1/access-events", Some(&token), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(
        first,
        json!({"event_id": "bk-2026-0001", "recorded": true, "basis": "grant"})
    );
    let (status, again) = f.post("/api/v1/access-events", Some(&token), &body).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        again,
        json!({"event_id": "bk-2026-0001", "recorded": false})
    );
    let unbased = report("bk-2026-0002", SUPPORT, CUSTOMER, MAILBOX);
    let (status, body) = f
        .post("/api/v1/access-events", Some(&token), &unbased)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["basis"], "no-active-grant");

    let reported: Vec<_> = f
        .audit_log()
        .await
        .into_iter()
        .filter(|entry| entry.event == AuditEvent::AccessReported)
        .collect();
    assert_eq!(reported.len(), 2, "{reported:#?}");
    assert_eq!(reported[1].basis, AuditBasis::Grant(grant));
    assert_eq!(reported[1].resource, Some(resource(BACKUP_SPACE)));
    assert_eq!(reported[1].action, Some(Action::Restore));
    assert_eq!(
        reported[1].source,
        EventSource::Service("backup-server".into())
    );
    assert_eq!(
        reported[0].basis,
        AuditBasis::Refused(DenyRule::NoActiveGrant)
    );
}

async fn reports_naming_unknown_things_are_refused(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.full_token("backup-server").await;
    let mut future = report("e-6", SYSADMIN, CUSTOMER, BACKUP_SPACE);
    future["occurred_at"] = json!((Utc::now() + Duration::hours(1)).to_rfc3339());
    let mut unparsable = report("e-7", SYSADMIN, CUSTOMER, BACKUP_SPACE);
    unparsable["occurred_at"] = json!("yesterday");
    for (body, code, field) in [
        (
            report("e-1", "nobody@staff.exemple.ch", CUSTOMER, BACKUP_SPACE),
            "unknown-staff",
            "staff",
        ),
        (
            report("e-2", SYSADMIN, "C-999999", BACKUP_SPACE),
            "unknown-customer",
            "customer",
        ),
        (
            report("e-3", SYSADMIN, CUSTOMER, OTHER_MAILBOX),
            "unknown-resource",
            "resource",
        ),
        (
            report("e-4", SYSADMIN, CUSTOMER, "backup-space:nobodys"),
            "unknown-resource",
            "resource",
        ),
        (
            report("e-5", SYSADMIN, CUSTOMER, "snapshot:2026-03-01.mail-7"),
            "unknown-resource",
            "resource",
        ),
        (future, "invalid-field", "occurred_at"),
        (unparsable, "invalid-field", "occurred_at"),
        (
            report("two words", SYSADMIN, CUSTOMER, BACKUP_SPACE),
            "invalid-field",
            "event_id",
        ),
    ] {
        let (status, answer) = f.post("/api/v1/access-events", Some(&token), &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(error_code(status, &answer), code, "{answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    assert!(
        f.audit_log().await.is_empty(),
        "nothing refused is recorded"
    );
}

fn consent_request(target: &str, case: Option<i64>) -> Value {
    json!({
        "staff": SUPPORT,
        "customer": CUSTOMER,
        "resource": target,
        "actions": ["read", "list"],
        "reason_code": "customer-support",
        "reason": "Les messages de la banque n'arrivent plus depuis lundi.",
        "case_id": case,
        "duration_minutes": 120,
    })
}

async fn the_ticketing_system_opens_a_consent_request(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.token("ticketing", &[Scope::ConsentRequests]).await;
    let case = f.open_case(f.customer).await;
    let (status, body) = f
        .post(
            "/api/v1/consent-requests",
            Some(&token),
            &consent_request(MAILBOX, Some(case.0)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["state"], "pending");
    let answer_by: DateTime<Utc> = body["answer_by"].as_str().unwrap().parse().unwrap();
    let window = answer_by - Utc::now();
    assert!(
        window > Duration::hours(23) && window <= Duration::hours(24),
        "{window}"
    );
    let id = app::domain::consent::ConsentRequestId(body["request_id"].as_i64().unwrap());
    let stored = f.store().consent_request(id).await.unwrap().unwrap();
    assert_eq!(stored.customer, f.customer);
    assert_eq!(stored.requested_by, f.support);
    assert_eq!(stored.request.scope().resource(), resource(MAILBOX));
    assert_eq!(stored.request.scope().case(), Some(case));
    assert_eq!(stored.request.actions().to_string(), "list,read");
    assert_eq!(
        stored.request.requested_duration().get(),
        Duration::minutes(120)
    );
    assert_eq!(
        stored.request.recorded_state().kind(),
        RequestStateKind::Pending
    );
    let opened = f
        .audit_log()
        .await
        .into_iter()
        .find(|entry| entry.event == AuditEvent::RequestOpened)
        .unwrap();
    assert_eq!(opened.source, EventSource::Service("ticketing".into()));

    let (status, body) = f
        .post(
            "/api/v1/consent-requests",
            Some(&token),
            &consent_request(BACKUP_SPACE, None),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a backup space needs no case: {body}"
    );
}

async fn consent_requests_that_cannot_be_opened_say_why(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.token("ticketing", &[Scope::ConsentRequests]).await;
    let resolved = f.open_case(f.customer).await;
    f.resolve_case(resolved).await;
    let others = f.open_case(f.other).await;
    let open = f.open_case(f.customer).await;
    let with = |key: &str, value: Value| {
        let mut body = consent_request(MAILBOX, Some(open.0));
        body[key] = value;
        body
    };
    for (body, code, field) in [
        (consent_request(MAILBOX, None), "invalid-field", "case_id"),
        (
            consent_request(MAILBOX, Some(resolved.0)),
            "case-resolved",
            "case_id",
        ),
        (
            consent_request(MAILBOX, Some(others.0)),
            "unknown-case",
            "case_id",
        ),
        (
            consent_request(MAILBOX, Some(999_999)),
            "unknown-case",
            "case_id",
        ),
        (with("case_id", json!(0)), "invalid-field", "case_id"),
        (
            consent_request(WEB_SPACE, None),
            "no-consent-needed",
            "resource",
        ),
        (
            consent_request(OTHER_MAILBOX, Some(others.0)),
            "unknown-resource",
            "resource",
        ),
        (
            with("staff", json!(OFFICER)),
            "requester-not-entitled",
            "staff",
        ),
        (
            with("staff", json!("nobody@staff.exemple.ch")),
            "unknown-staff",
            "staff",
        ),
        (
            with("customer", json!(OTHER_CUSTOMER)),
            "unknown-resource",
            "resource",
        ),
        (
            with("customer", json!("100001")),
            "invalid-field",
            "customer",
        ),
        (with("actions", json!([])), "invalid-field", "actions"),
        (with("reason", json!("  ")), "invalid-field", "reason"),
        (
            with("reason_code", json!("curiosity")),
            "invalid-field",
            "reason_code",
        ),
        (
            with("duration_minutes", json!(0)),
            "invalid-field",
            "duration_minutes",
        ),
        (
            with("duration_minutes", json!(43_201)),
            "invalid-field",
            "duration_minutes",
        ),
    ] {
        let (status, answer) = f
            .post("/api/v1/consent-requests", Some(&token), &body)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(error_code(status, &answer), code, "{body}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    assert!(f
        .store()
        .requests_of_customer(f.customer)
        .await
        .unwrap()
        .is_empty());
}

async fn the_cli_creates_and_revokes_service_tokens(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let created = server_command(&db)
        .args([
            "create-service-token",
            "--name",
            "ftp-gateway",
            "--scopes",
            "access-events,access-checks",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&created.stdout);
    assert!(
        created.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let token = stdout.lines().last().unwrap().trim();
    assert!(token.starts_with("pps_") && token.len() == 47, "{stdout}");
    let store = db.store().await;
    let stored = store
        .service_token(&tokens::hash(token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.name, "ftp-gateway");
    assert_eq!(stored.scopes, ["access-checks", "access-events"]);
    assert_eq!(stored.revoked_at, None);

    let failures = [
        vec![
            "create-service-token",
            "--name",
            "other",
            "--scopes",
            "access-checks,admin",
        ],
        vec![
            "create-service-token",
            "--name",
            "ftp-gateway",
            "--scopes",
            "backups",
        ],
        vec![
            "create-service-token",
            "--name",
            "Bad Name",
            "--scopes",
            "backups",
        ],
        vec!["revoke-service-token", "--name", "nobody"],
    ];
    for args in failures {
        let output = server_command(&db).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(output.stdout.is_empty(), "{args:?} printed a token");
        assert!(!stderr.trim().is_empty(), "{args:?} says nothing");
    }
    let unknown_scope = server_command(&db)
        .args(["create-service-token", "--name", "x", "--scopes", "admin"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&unknown_scope.stderr).contains("unknown scope"));

    let revoked = server_command(&db)
        .args(["revoke-service-token", "--name", "ftp-gateway"])
        .output()
        .unwrap();
    assert!(revoked.status.success());
    let stored = store
        .service_token(&tokens::hash(token))
        .await
        .unwrap()
        .unwrap();
    assert!(stored.revoked_at.is_some());
    store.close().await;
}
