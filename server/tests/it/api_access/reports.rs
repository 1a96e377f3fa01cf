//! Accesses the infrastructure reports: recorded once, judged by the grants of their time, refused when they name unknown things.

use super::*;

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

on_both_backends!(
    a_reported_access_is_recorded_once_with_its_basis,
    reports_naming_unknown_things_are_refused,
);
