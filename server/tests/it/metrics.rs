//! The operator's metrics: refused without their token and from the public address, and counting what happened —
//! requests, access checks, mails sent, retried and given up, the audit log and its checkpoints, overdue
//! destructions, sessions and the pool.

use chrono::{Duration as Span, Utc};
use reqwest::{header, StatusCode};
use std::sync::Arc;
use std::time::Duration;

use crate::mail::sink::Sink;
use crate::mail::{eventually, queue_single};
use crate::support::api::*;
use crate::support::auth::{count, sign_in_customer, CUSTOMER as DEMO_CUSTOMER};
use crate::support::Backend;
use server::tokens::Scope;

/// The value of the sample named exactly `sample` (name and labels as exposed), if there is one.
fn sample(text: &str, sample: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        line.strip_prefix(sample)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|value| value.parse().ok())
    })
}

fn value(text: &str, name: &str) -> f64 {
    sample(text, name).unwrap_or_else(|| panic!("no {name} in:\n{text}"))
}

async fn scrape(f: &ApiApp, token: &str) -> String {
    let response = f
        .app
        .client
        .get(f.app.url("/metrics"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

async fn metrics_are_refused_without_their_token_and_count_what_happened(backend: Backend) {
    let sink = Sink::start(&["--fail-first", "1"]);
    let metrics_port = free_port();
    let Some(f) = api_app_with(backend, Arc::new(app::ports::SystemClock), |settings| {
        settings.mail = crate::mail::smtp_settings(sink.port);
        settings.metrics_addr = Some(([127, 0, 0, 1], metrics_port).into());
        settings.audit.audit_checkpoint_secs = 1;
    })
    .await
    else {
        return;
    };
    let store = &f.app.store;

    // Refused without a token, with another scope's token, and the metrics address serves nothing else.
    let checks = f.token("checks", &[Scope::AccessChecks]).await;
    let metrics = f.token("prometheus", &[Scope::Metrics]).await;
    let get = |url: String, token: Option<&str>| {
        let mut request = f.app.client.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.unwrap() }
    };
    assert_eq!(
        get(f.app.url("/metrics"), None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(f.app.url("/metrics"), Some(&checks)).await.status(),
        StatusCode::FORBIDDEN
    );
    let internal = format!("http://127.0.0.1:{metrics_port}");
    let answer = get(format!("{internal}/metrics"), None).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    assert_eq!(
        get(format!("{internal}/login"), None).await.status(),
        StatusCode::NOT_FOUND
    );

    // Requests, by route template.
    for _ in 0..3 {
        assert_eq!(
            get(f.app.url("/login"), None).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        get(f.app.url("/no/such/page"), None).await.status(),
        StatusCode::NOT_FOUND
    );
    let (status, _) = f
        .post(
            "/api/v1/backups/snap-1/destroyed",
            Some(&checks),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Access checks, by decision and basis.
    for _ in 0..2 {
        f.decision(&checks, SUPPORT, MAILBOX, "read").await;
    }
    f.decision(&checks, SYSADMIN, WEB_SPACE, "write").await;
    let (status, _) = f
        .check(&checks, "nobody@staff.exemple.ch", MAILBOX, "read")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A signed-in customer (whose sign-in may send a mail of its own).
    server::seed::seed_demo(store, Utc::now()).await.unwrap();
    let _browser = sign_in_customer(&f.app, DEMO_CUSTOMER).await;

    // Mails: the first attempt is answered 451 and retried; a header injection is given up on.
    queue_single(store, "patient@example.ch", "Later", "body").await;
    queue_single(
        store,
        "victim@example.ch",
        "Hello\r\nBcc: everyone@example.ch",
        "body",
    )
    .await;
    eventually(Duration::from_secs(10), || async {
        (count(store, "SELECT COUNT(*) FROM outbox WHERE status = 'queued'").await == 0)
            .then_some(())
    })
    .await
    .expect("the outbox settles");

    // A flagged destruction.
    crate::backups::register(
        f.store(),
        f.customer,
        "snap-old",
        BACKUP_SPACE,
        Utc::now() - Span::days(8),
    )
    .await;
    server::backups::flag_overdue(f.store(), Default::default(), Utc::now())
        .await
        .unwrap();

    // Checkpoints are signed every second: wait for one that covers everything, and for the first verification.
    let text = eventually(Duration::from_secs(10), || async {
        let text = scrape(&f, &metrics).await;
        (sample(&text, "portal_audit_unsigned_entries") == Some(0.0)
            && sample(&text, "portal_audit_verification_ok") == Some(1.0))
        .then_some(text)
    })
    .await
    .expect("a checkpoint covers every entry and the chain was verified");

    let requests = |route: &str, status: u16| {
        value(
            &text,
            &format!(
                "portal_http_requests_total{{method=\"GET\",route=\"{route}\",status=\"{status}\"}}"
            ),
        )
    };
    assert_eq!(requests("/login", 200), 3.0);
    assert_eq!(requests("unmatched", 404), 1.0);
    assert_eq!(requests("/metrics", 401), 1.0);
    assert_eq!(requests("/metrics", 403), 1.0);
    assert_eq!(
        value(
            &text,
            "portal_http_requests_total{method=\"POST\",route=\"/api/v1/backups/{id}/destroyed\",status=\"403\"}"
        ),
        1.0,
        "identifiers never become labels"
    );
    assert_eq!(
        value(
            &text,
            "portal_http_request_duration_seconds_count{method=\"GET\",route=\"/login\"}"
        ),
        3.0
    );
    let checks_of = |decision: &str, basis: &str| {
        value(
            &text,
            &format!("portal_access_checks_total{{decision=\"{decision}\",basis=\"{basis}\"}}"),
        )
    };
    assert_eq!(checks_of("deny", "no-active-grant"), 2.0);
    assert_eq!(checks_of("allow", "technical-operation"), 1.0);
    assert_eq!(checks_of("deny", "unknown-staff-member"), 1.0);

    let sent = count(store, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await;
    assert_eq!(value(&text, "portal_mail_sent_total"), sent as f64);
    assert!(sent >= 1);
    assert_eq!(value(&text, "portal_mail_retried_total"), 1.0);
    assert_eq!(value(&text, "portal_mail_dead_lettered_total"), 1.0);
    assert_eq!(value(&text, "portal_mail_outbox{status=\"dead\"}"), 1.0);
    assert_eq!(
        value(&text, "portal_mail_outbox_oldest_queued_age_seconds"),
        0.0
    );
    assert_eq!(value(&text, "portal_backup_destructions_overdue"), 1.0);
    assert_eq!(value(&text, "portal_sessions_active"), 1.0);
    assert_eq!(
        value(&text, "portal_audit_entries"),
        count(store, "SELECT COUNT(*) FROM audit_log").await as f64
    );
    let age = value(&text, "portal_audit_checkpoint_age_seconds");
    assert!((0.0..10.0).contains(&age), "{age}");
    assert!(value(&text, "portal_audit_verification_age_seconds") >= 0.0);
    let pool_max = value(&text, "portal_db_pool_max_connections");
    let pool_open = value(&text, "portal_db_pool_connections{state=\"idle\"}")
        + value(&text, "portal_db_pool_connections{state=\"in_use\"}");
    assert!(
        pool_max > 0.0 && pool_open <= pool_max,
        "{pool_open} of {pool_max}"
    );
    assert!(text.ends_with("# EOF\n"));
}

on_both_backends!(metrics_are_refused_without_their_token_and_count_what_happened);
