//! Support cases kept in step with the ticketing system: opened once per ticket, updated, resolved (which ends
//! their mailbox grants as the portal's button does), flagged when left alone and never resolved by time.

use reqwest::Method;

use super::*;
use crate::support::api::api_app_with;
use crate::support::TestClock;

fn opening(reference: &str, customer: &str) -> Value {
    json!({
        "staff": SUPPORT,
        "customer": customer,
        "subject": "Les messages de la banque n'arrivent plus",
        "reference": reference,
    })
}

fn entries(log: &[app::ports::AuditEntry], event: AuditEvent) -> Vec<&app::ports::AuditEntry> {
    log.iter().filter(|entry| entry.event == event).collect()
}

async fn resolving_a_case_through_the_api_ends_its_mailbox_grant(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let ticketing = f.token("ticketing", &[Scope::SupportCases]).await;
    let checks = f.token("mail-platform", &[Scope::AccessChecks]).await;
    let (status, opened) = f
        .post(
            "/api/v1/support-cases",
            Some(&ticketing),
            &opening("TCK-20417", CUSTOMER),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    assert_eq!(opened["state"], "open");
    assert_eq!(opened["reference"], "TCK-20417");
    assert_eq!(opened["customer"], CUSTOMER);
    assert_eq!(opened["idle"], false);
    let id = opened["case_id"].as_i64().unwrap();

    // The same ticket again (a retry, or a second webhook of the ticketing system) opens nothing.
    let (status, again) = f
        .post(
            "/api/v1/support-cases",
            Some(&ticketing),
            &opening("TCK-20417", CUSTOMER),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["case_id"], id);
    let (status, taken) = f
        .post(
            "/api/v1/support-cases",
            Some(&ticketing),
            &opening("TCK-20417", OTHER_CUSTOMER),
        )
        .await;
    assert_eq!(error_code(status, &taken), "reference-taken");
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        entries(&f.audit_log().await, AuditEvent::CaseOpened).len(),
        1
    );
    assert!(entries(&f.other_audit_log().await, AuditEvent::CaseOpened).is_empty());

    let case = app::domain::consent::SupportCaseId(id);
    f.grant(MAILBOX, "read", Some(case)).await;
    assert_eq!(
        f.decision(&checks, SUPPORT, MAILBOX, "read").await["decision"],
        "allow"
    );

    let path = format!("/api/v1/support-cases/{id}");
    let (status, updated) = f
        .send(
            Method::PATCH,
            &path,
            &ticketing,
            Some(&json!({"staff": SUPPORT, "subject": "Plus aucun message de la banque"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["subject"], "Plus aucun message de la banque");
    let log = f.audit_log().await;
    let changed = entries(&log, AuditEvent::CaseUpdated);
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].source, EventSource::Service("ticketing".into()));
    assert_eq!(
        changed[0].actor,
        Actor::Staff {
            id: f.support,
            roles: vec![app::domain::Role::Support]
        }
    );

    let resolve = format!("{path}/resolve");
    let (status, resolved) = f
        .post(&resolve, Some(&ticketing), &json!({"staff": SUPPORT}))
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["state"], "resolved");
    assert!(resolved["resolved_at"].is_string());
    let denied = f.decision(&checks, SUPPORT, MAILBOX, "read").await;
    assert_eq!(denied["decision"], "deny", "{denied}");

    // Resolving again changes nothing; a resolved case takes no update.
    let (status, again) = f
        .post(&resolve, Some(&ticketing), &json!({"staff": SUPPORT}))
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["resolved_at"], resolved["resolved_at"]);
    let log = f.audit_log().await;
    let resolutions = entries(&log, AuditEvent::CaseResolved);
    assert_eq!(resolutions.len(), 1);
    assert_eq!(
        resolutions[0].source,
        EventSource::Service("ticketing".into())
    );
    let (status, late) = f
        .send(
            Method::PATCH,
            &path,
            &ticketing,
            Some(&json!({"staff": SUPPORT})),
        )
        .await;
    assert_eq!(error_code(status, &late), "case-resolved");
    let (status, read) = f.send(Method::GET, &path, &ticketing, None).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["state"], "resolved");
    assert_eq!(read["subject"], "Plus aucun message de la banque");
}

async fn case_calls_that_cannot_be_done_say_why(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let ticketing = f.token("ticketing", &[Scope::SupportCases]).await;
    let other = f.token("backups", &[Scope::Backups]).await;
    let (status, body) = f
        .post(
            "/api/v1/support-cases",
            Some(&other),
            &opening("T-1", CUSTOMER),
        )
        .await;
    assert_eq!(error_code(status, &body), "forbidden");
    let cases: [(Value, &str, &str); 6] = [
        (
            json!({"staff": SYSADMIN, "customer": CUSTOMER, "subject": "x"}),
            "requester-not-entitled",
            "staff",
        ),
        (
            json!({"staff": "nobody@staff.example", "customer": CUSTOMER, "subject": "x"}),
            "unknown-staff",
            "staff",
        ),
        (
            json!({"staff": SUPPORT, "customer": "C-999999", "subject": "x"}),
            "unknown-customer",
            "customer",
        ),
        (
            json!({"staff": SUPPORT, "customer": CUSTOMER, "subject": "  "}),
            "invalid-field",
            "subject",
        ),
        (
            json!({"staff": SUPPORT, "customer": CUSTOMER, "subject": "x", "reference": "r".repeat(101)}),
            "invalid-field",
            "reference",
        ),
        (
            json!({"staff": SUPPORT, "customer": "1234", "subject": "x"}),
            "invalid-field",
            "customer",
        ),
    ];
    for (body, code, field) in cases {
        let (status, answer) = f
            .post("/api/v1/support-cases", Some(&ticketing), &body)
            .await;
        assert_eq!(error_code(status, &answer), code, "{body}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    assert!(f.store().cases_of(f.customer).await.unwrap().is_empty());
    let (status, body) = f
        .send(
            Method::GET,
            "/api/v1/support-cases/424242",
            &ticketing,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(status, &body), "unknown-case");
    let (status, body) = f
        .post(
            "/api/v1/support-cases/zero/resolve",
            Some(&ticketing),
            &json!({"staff": SUPPORT}),
        )
        .await;
    assert_eq!(error_code(status, &body), "invalid-field");
    let case = f.open_case(f.customer).await;
    let (status, body) = f
        .post(
            &format!("/api/v1/support-cases/{}/resolve", case.0),
            Some(&ticketing),
            &json!({"staff": SYSADMIN}),
        )
        .await;
    assert_eq!(error_code(status, &body), "requester-not-entitled");
    let stored = f.store().support_case(case).await.unwrap().unwrap();
    assert_eq!(stored.resolved_at, None, "nothing was resolved");
}

async fn a_consent_request_is_read_as_it_is_now(backend: Backend) {
    let clock = TestClock::new();
    let Some(f) = api_app_with(backend, clock.clone(), |_| {}).await else {
        return;
    };
    let requests = f.token("ticketing", &[Scope::ConsentRequests]).await;
    let follower = f.token("helpdesk", &[Scope::SupportCases]).await;
    let other = f.token("metrics", &[Scope::Metrics]).await;
    let case = f.open_case(f.customer).await;
    let (status, opened) = f
        .post(
            "/api/v1/consent-requests",
            Some(&requests),
            &json!({
                "staff": SUPPORT, "customer": CUSTOMER, "resource": MAILBOX, "actions": ["read"],
                "reason_code": "customer-support", "reason": "Plus de messages", "case_id": case.0,
                "duration_minutes": 60,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    let path = format!("/api/v1/consent-requests/{}", opened["request_id"]);
    for token in [&requests, &follower] {
        let (status, read) = f.send(Method::GET, &path, token, None).await;
        assert_eq!(status, StatusCode::OK, "{read}");
        assert_eq!(read["state"], "pending");
        assert_eq!(read["customer"], CUSTOMER);
        assert_eq!(read["resource"], MAILBOX);
        assert_eq!(read["case_id"], case.0);
        assert_eq!(read["answer_by"], opened["answer_by"]);
        assert!(read["closed_at"].is_null());
    }
    let (status, body) = f.send(Method::GET, &path, &other, None).await;
    assert_eq!(error_code(status, &body), "forbidden");
    let (status, body) = f
        .send(
            Method::GET,
            "/api/v1/consent-requests/987654",
            &follower,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // Past its answer window the request is expired, whether or not the expiry job has recorded it yet.
    clock.advance(Duration::hours(25));
    let (status, read) = f.send(Method::GET, &path, &follower, None).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["state"], "expired");
    assert_eq!(read["closed_at"], opened["answer_by"]);
}

async fn a_case_left_alone_is_flagged_and_never_resolved(backend: Backend) {
    let clock = TestClock::new();
    let Some(f) = api_app_with(backend, clock.clone(), |settings| {
        settings.idle_case_days = 10;
    })
    .await
    else {
        return;
    };
    let ticketing = f.token("ticketing", &[Scope::SupportCases]).await;
    let (_, opened) = f
        .post(
            "/api/v1/support-cases",
            Some(&ticketing),
            &opening("TCK-1", CUSTOMER),
        )
        .await;
    let path = format!("/api/v1/support-cases/{}", opened["case_id"]);
    clock.advance(Duration::days(10) - Duration::minutes(1));
    let (_, read) = f.send(Method::GET, &path, &ticketing, None).await;
    assert_eq!(read["idle"], false, "{read}");
    clock.advance(Duration::minutes(1));
    let (_, read) = f.send(Method::GET, &path, &ticketing, None).await;
    assert_eq!(read["idle"], true, "{read}");
    assert_eq!(read["state"], "open", "flagged, not resolved");
    // Work recorded on the ticket counts as activity.
    let (status, touched) = f
        .send(
            Method::PATCH,
            &path,
            &ticketing,
            Some(&json!({"staff": SUPPORT})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{touched}");
    assert_eq!(touched["idle"], false);
    assert!(
        entries(&f.audit_log().await, AuditEvent::CaseUpdated).is_empty(),
        "a touch without a change is not an audited change"
    );
    // Months later, still open: only support or the ticketing system resolve a case.
    clock.advance(Duration::days(90));
    let (_, read) = f.send(Method::GET, &path, &ticketing, None).await;
    assert_eq!(read["state"], "open");
    assert_eq!(read["idle"], true);
}

on_both_backends!(
    resolving_a_case_through_the_api_ends_its_mailbox_grant,
    case_calls_that_cannot_be_done_say_why,
    a_consent_request_is_read_as_it_is_now,
    a_case_left_alone_is_flagged_and_never_resolved,
);
