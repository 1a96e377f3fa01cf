//! The integration API's mailbox-aggregate and backup endpoints: what they accept, every refusal, and the audit
//! entries they leave.

use super::*;
use crate::support::api::{api_app, CUSTOMER, MAILBOX, OTHER_MAILBOX, WEB_SPACE};
use app::domain::EmailAddress;
use app::ports::ConfirmOutcome;
use server::tokens::Scope;

const STATS_PATH: &str = "/api/v1/mailboxes/anna@favre-exemple.ch/stats";

fn aggregates() -> Value {
    json!({"messages": 12, "bytes": 40960, "folders": [{"name": "INBOX", "messages": 10}, {"name": "Sent", "messages": 2}]})
}

/// What support would see now; viewing writes an audit entry, which these tests do not mind.
async fn stored_messages(f: &ApiApp) -> Option<i64> {
    let mailbox = EmailAddress::parse("anna@favre-exemple.ch").unwrap();
    let audit = AuditEntry {
        at: Utc::now(),
        event: AuditEvent::MailboxStatsViewed,
        actor: Actor::Staff {
            id: f.support,
            roles: vec![app::domain::Role::Support],
        },
        customer: None,
        resource: None,
        action: None,
        basis: AuditBasis::StaffRole,
        source: EventSource::Portal,
        detail: None,
    };
    f.store()
        .view_mailbox_stats(f.customer, &mailbox, &audit)
        .await
        .unwrap()
        .expect("the customer's mailbox")
        .map(|record| record.stats.messages)
}

async fn mailbox_aggregates_are_stored_and_anything_else_is_refused(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.token("mail-platform", &[Scope::MailboxStats]).await;
    let (status, body) = put(&f, STATS_PATH, Some(&token), &aggregates()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mailbox"], "anna@favre-exemple.ch");
    assert!(body["as_of"].is_string(), "{body}");
    assert_eq!(stored_messages(&f).await, Some(12));

    // Each forbidden field, at the top and in a folder, is refused by name and stores nothing.
    for field in [
        "subject",
        "sender",
        "from",
        "recipient",
        "to",
        "date",
        "size",
        "content",
        "message_sizes",
    ] {
        let mut top = aggregates();
        top[field] = json!("x");
        top["messages"] = json!(99);
        let (status, body) = put(&f, STATS_PATH, Some(&token), &top).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(error_code(status, &body), "invalid-body", "{field}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("unknown field `{field}`")),
            "{field}: {message}"
        );

        let mut nested = aggregates();
        nested["folders"][0][field] = json!(1);
        nested["messages"] = json!(99);
        let (status, body) = put(&f, STATS_PATH, Some(&token), &nested).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "folder {field}: {body}"
        );
        assert!(
            body["error"]["message"].as_str().unwrap().contains(field),
            "{body}"
        );
    }
    // A list of per-message sizes is a field like any other: refused.
    let mut messages = aggregates();
    messages["messages"] = json!([{"size": 10, "subject": "Hello"}]);
    let (status, _) = put(&f, STATS_PATH, Some(&token), &messages).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        stored_messages(&f).await,
        Some(12),
        "nothing of the refused bodies was stored"
    );

    // Invalid values, by field.
    for (body, field) in [
        (
            json!({"messages": -1, "bytes": 0, "folders": []}),
            "messages",
        ),
        (json!({"messages": 1, "bytes": -5, "folders": []}), "bytes"),
        (
            json!({"messages": 1, "bytes": 5, "folders": [{"name": "", "messages": 1}]}),
            "folders",
        ),
        (
            json!({"messages": 1, "bytes": 5, "folders": [{"name": "A", "messages": 1}, {"name": "A", "messages": 2}]}),
            "folders",
        ),
    ] {
        let (status, answer) = put(&f, STATS_PATH, Some(&token), &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    let (status, answer) = put(
        &f,
        STATS_PATH,
        Some(&token),
        &json!({"messages": 1, "bytes": 5}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "folders are required: {answer}"
    );

    // Unknown mailbox, no token, wrong scope.
    let (status, body) = put(
        &f,
        "/api/v1/mailboxes/nobody@favre-exemple.ch/stats",
        Some(&token),
        &aggregates(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(status, &body), "unknown-mailbox");
    let (status, _) = put(&f, STATS_PATH, None, &aggregates()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let backups_only = f.token("backup-system", &[Scope::Backups]).await;
    let (status, body) = put(&f, STATS_PATH, Some(&backups_only), &aggregates()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("mailbox-stats"));
    // The other customer's mailbox is stored under that customer, not ours.
    let other = OTHER_MAILBOX.trim_start_matches("mailbox:");
    let (status, _) = put(
        &f,
        &format!("/api/v1/mailboxes/{other}/stats"),
        Some(&token),
        &aggregates(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let _ = MAILBOX;
}

async fn snapshots_are_registered_listed_when_due_and_confirmed(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.token("backup-system", &[Scope::Backups]).await;
    let taken = (Utc::now() - Duration::days(8)).trunc_subsecs(0);
    let request = json!({"id": "bk-1", "customer": CUSTOMER, "holds": WEB_SPACE, "taken_at": taken.to_rfc3339()});
    let (status, body) = f.post("/api/v1/backups", Some(&token), &request).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let due: DateTime<Utc> = body["destruction_due_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(due - taken, Duration::days(7));
    assert_eq!(body["contract_terminated"], false);
    let (status, _) = f.post("/api/v1/backups", Some(&token), &request).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "registering the same snapshot again changes nothing"
    );

    let fresh = json!({"id": "bk-2", "customer": CUSTOMER, "holds": MAILBOX, "taken_at": Utc::now().to_rfc3339()});
    let (status, _) = f.post("/api/v1/backups", Some(&token), &fresh).await;
    assert_eq!(status, StatusCode::CREATED);

    // Every refusal.
    let refusals = [
        (
            json!({"id": "bk-1", "customer": CUSTOMER, "holds": MAILBOX, "taken_at": taken.to_rfc3339()}),
            StatusCode::CONFLICT,
            "snapshot-id-taken",
        ),
        (
            json!({"id": "bk-3", "customer": "C-999999", "holds": WEB_SPACE, "taken_at": taken.to_rfc3339()}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-customer",
        ),
        (
            json!({"id": "bk-3", "customer": CUSTOMER, "holds": OTHER_MAILBOX, "taken_at": taken.to_rfc3339()}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-resource",
        ),
        (
            json!({"id": "bk-3", "customer": CUSTOMER, "holds": "snapshot:bk-1", "taken_at": taken.to_rfc3339()}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
        ),
        (
            json!({"id": "bk 3", "customer": CUSTOMER, "holds": WEB_SPACE, "taken_at": taken.to_rfc3339()}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
        ),
        (
            json!({"id": "bk-3", "customer": CUSTOMER, "holds": WEB_SPACE, "taken_at": "yesterday"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
        ),
        (
            json!({"id": "bk-3", "customer": CUSTOMER, "holds": WEB_SPACE, "taken_at": (Utc::now() + Duration::hours(1)).to_rfc3339()}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
        ),
        (
            json!({"id": "bk-3", "customer": CUSTOMER, "holds": WEB_SPACE, "taken_at": taken.to_rfc3339(), "due_at": taken.to_rfc3339()}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-body",
        ),
    ];
    for (body, status, code) in refusals {
        let (answer_status, answer) = f.post("/api/v1/backups", Some(&token), &body).await;
        assert_eq!(answer_status, status, "{body}: {answer}");
        assert_eq!(error_code(answer_status, &answer), code, "{body}");
    }
    let (status, _) = f.post("/api/v1/backups", None, &request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let mail_only = f.token("mail-platform", &[Scope::MailboxStats]).await;
    for (status, _) in [
        f.post("/api/v1/backups", Some(&mail_only), &request).await,
        get(&f, "/api/v1/backups/due", Some(&mail_only)).await,
        f.post(
            "/api/v1/backups/bk-1/destroyed",
            Some(&mail_only),
            &json!({}),
        )
        .await,
    ] {
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    // Only the snapshot taken 8 days ago is due.
    let (status, body) = get(&f, "/api/v1/backups/due", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ids: Vec<&str> = body["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["bk-1"]);

    // Confirmation: not before it is due, not for an unknown id, idempotent.
    let (status, body) = f
        .post("/api/v1/backups/bk-2/destroyed", Some(&token), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(status, &body), "not-due-yet");
    let (status, body) = f
        .post("/api/v1/backups/nope/destroyed", Some(&token), &json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(status, &body), "unknown-snapshot");
    let (status, body) = f
        .post("/api/v1/backups/bk-1/destroyed", Some(&token), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["destroyed_at"].is_string());
    let (status, again) = f
        .post("/api/v1/backups/bk-1/destroyed", Some(&token), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        again["destroyed_at"], body["destroyed_at"],
        "confirmed once"
    );
    let (_, body) = get(&f, "/api/v1/backups/due", Some(&token)).await;
    assert_eq!(body["due"], json!([]));
    for query in ["?limit=0", "?limit=1001", "?limit=x", "?customer=C-200001"] {
        let (status, body) = get(&f, &format!("/api/v1/backups/due{query}"), Some(&token)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
    }
    let (status, body) = f
        .post(
            "/api/v1/backups/bad%20id/destroyed",
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(error_code(status, &body), "invalid-field");

    // One audit entry per registration and per confirmation, naming the snapshot and the calling service.
    let registered = entries(f.store(), f.customer, AuditEvent::BackupRegistered).await;
    assert_eq!(registered.len(), 2, "{registered:?}");
    let destroyed = entries(f.store(), f.customer, AuditEvent::BackupDestroyed).await;
    assert_eq!(destroyed.len(), 1);
    assert_eq!(
        destroyed[0].resource.as_ref().unwrap().to_string(),
        "snapshot:bk-1"
    );
    assert_eq!(
        destroyed[0].source,
        EventSource::Service("backup-system".into())
    );
    let confirmed = f
        .store()
        .snapshot(&SnapshotId::parse("bk-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(confirmed.confirmed_by.as_deref(), Some("backup-system"));
    let _ = ConfirmOutcome::NoSuchSnapshot;
}

async fn snapshot_access_follows_the_rules_of_what_it_holds(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let now = Utc::now();
    register(
        f.store(),
        f.customer,
        "snap-web",
        WEB_SPACE,
        now - Duration::hours(1),
    )
    .await;
    register(
        f.store(),
        f.customer,
        "snap-mail",
        MAILBOX,
        now - Duration::hours(1),
    )
    .await;
    let token = f.full_token("backup-system").await;
    use crate::support::api::{SUPPORT, SYSADMIN};
    let decide = |staff: &'static str, resource: &'static str, action: &'static str| {
        let f = &f;
        let token = token.clone();
        async move { f.decision(&token, staff, resource, action).await }
    };
    for resource in ["snapshot:snap-web", "snapshot:snap-mail"] {
        assert_eq!(
            decide(SUPPORT, resource, "restore").await,
            json!({"decision": "deny", "basis": "snapshots-are-for-sysadmins"}),
            "support never reaches a snapshot"
        );
    }
    assert_eq!(
        decide(SYSADMIN, "snapshot:snap-web", "restore").await,
        json!({"decision": "allow", "basis": "technical-operation"})
    );
    assert_eq!(
        decide(SYSADMIN, "snapshot:snap-mail", "restore").await,
        json!({"decision": "deny", "basis": "no-active-grant"}),
        "a mailbox snapshot needs a grant for that mailbox"
    );
    let case = f.open_case(f.customer).await;
    let grant = f.grant(MAILBOX, "restore", Some(case)).await;
    let allowed = decide(SYSADMIN, "snapshot:snap-mail", "restore").await;
    assert_eq!(allowed["basis"], "grant", "{allowed}");
    assert_eq!(allowed["grant_id"], grant.0);
    // Each decision is in the customer's log, on the snapshot.
    let checks = entries(f.store(), f.customer, AuditEvent::AccessChecked).await;
    assert!(checks
        .iter()
        .any(
            |entry| entry.resource.as_ref().unwrap().to_string() == "snapshot:snap-mail"
                && entry.basis == AuditBasis::Grant(grant)
        ));
    // An unregistered snapshot is unknown.
    let (status, body) = f
        .check(&token, SYSADMIN, "snapshot:never-taken", "read")
        .await;
    assert_eq!(error_code(status, &body), "unknown-resource");
}

on_both_backends!(
    mailbox_aggregates_are_stored_and_anything_else_is_refused,
    snapshots_are_registered_listed_when_due_and_confirmed,
    snapshot_access_follows_the_rules_of_what_it_holds,
);
