//! Consent requests opened by the ticketing system.

use super::*;

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

const NOTICE_SQL: &str = "SELECT kind, body_text FROM outbox WHERE customer_id = $1";

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
    // The customer hears of it as of a request made in the portal, with the link where they answer.
    let notice: (String, String) = match &f.app.store {
        SqlStore::Sqlite(pool) => {
            sqlx::query_as(NOTICE_SQL)
                .bind(f.customer.0)
                .fetch_one(pool)
                .await
        }
        SqlStore::Postgres(pool) => {
            sqlx::query_as(NOTICE_SQL)
                .bind(f.customer.0)
                .fetch_one(pool)
                .await
        }
    }
    .expect("one consent notice queued for the customer");
    assert_eq!(notice.0, "consent");
    assert!(
        notice.1.contains(MAILBOX.split_once(':').unwrap().1),
        "{}",
        notice.1
    );
    assert!(notice.1.contains("/account/consents"), "{}", notice.1);
    assert!(
        notice.1.contains("Les messages de la banque"),
        "{}",
        notice.1
    );

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

on_both_backends!(
    the_ticketing_system_opens_a_consent_request,
    consent_requests_that_cannot_be_opened_say_why,
);
