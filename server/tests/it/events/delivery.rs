//! Webhook delivery: every kind once with a valid signature, retries then a dead letter, replays and edits refused
//! by the example verifier, a server killed mid-delivery, and the endpoints' own API.

use super::*;
use app::domain::consent::{ConsentRequestId, GrantHolder};
use app::domain::AuditEvent;
use app::ports::{Actor, AuditBasis, AuditEntry, EventSource};
use app::usecases::{expire_requests, publish_grant_limits};
use chrono::Duration as Span;
use server::events::signature::SignatureError;

fn consent_request(target: &str, case: Option<i64>) -> Value {
    json!({
        "staff": SUPPORT,
        "customer": CUSTOMER,
        "resource": target,
        "actions": ["read"],
        "reason_code": "customer-support",
        "reason": "Les messages de la banque n'arrivent plus depuis lundi.",
        "case_id": case,
        "duration_minutes": 120,
    })
}

pub async fn open_request(f: &ApiApp, token: &str) -> ConsentRequestId {
    let (status, body) = f
        .post(
            "/api/v1/consent-requests",
            Some(token),
            &consent_request(BACKUP_SPACE, None),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    ConsentRequestId(body["request_id"].as_i64().unwrap())
}

enum Answer {
    Approve,
    Deny,
    Withdraw,
}

async fn answer(f: &ApiApp, id: ConsentRequestId, answer: Answer) {
    let record = f.store().consent_request(id).await.unwrap().unwrap();
    let now = Utc::now();
    let (next, grant, event) = match answer {
        Answer::Approve => {
            let approval = record
                .request
                .approve(now, None, GrantHolder::StaffMember(record.requested_by))
                .unwrap();
            (
                approval.request,
                Some(approval.grant),
                AuditEvent::RequestApproved,
            )
        }
        Answer::Deny => (
            record.request.deny(now, None).unwrap(),
            None,
            AuditEvent::RequestDenied,
        ),
        Answer::Withdraw => (
            record.request.withdraw(now).unwrap(),
            None,
            AuditEvent::RequestWithdrawn,
        ),
    };
    let audit = AuditEntry {
        at: now,
        event,
        actor: Actor::Customer { id: f.customer },
        customer: Some(f.customer),
        resource: Some(record.request.scope().resource()),
        action: None,
        basis: AuditBasis::TheCustomer,
        source: EventSource::Portal,
        detail: None,
    };
    f.store()
        .settle_request(id, &next, grant.as_ref(), &audit, None)
        .await
        .unwrap();
}

async fn every_kind_is_delivered_once_with_a_valid_signature(backend: Backend) {
    let clock = crate::support::TestClock::new();
    let Some(f) = api_app_with(backend, clock.clone(), quick).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let (events_token, secret) = register(&f, "mail-platform", &receiver).await;
    let ticketing = f.token("ticketing", &[Scope::ConsentRequests]).await;

    let approved = open_request(&f, &ticketing).await;
    answer(&f, approved, Answer::Approve).await;
    let denied = open_request(&f, &ticketing).await;
    answer(&f, denied, Answer::Deny).await;
    let withdrawn = open_request(&f, &ticketing).await;
    answer(&f, withdrawn, Answer::Withdraw).await;
    open_request(&f, &ticketing).await;
    let revoked = f.grant(BACKUP_SPACE, "read", None).await;
    f.revoke(revoked).await;
    let case = f.open_case(f.customer).await;
    let bound = f.grant(MAILBOX, "read", Some(case)).await;
    f.resolve_case(case).await;
    // The jobs, run by hand at the times the portal's clock (which the worker signs and schedules by) shows.
    clock.advance(Span::hours(3));
    let now = || app::ports::Clock::now(clock.as_ref());
    assert_eq!(
        publish_grant_limits(f.store(), now()).await.unwrap(),
        3,
        "three grants reached their limit"
    );
    clock.advance(Span::hours(22));
    assert_eq!(
        expire_requests(f.store(), "http://portal.test", now())
            .await
            .unwrap(),
        1
    );

    receiver.wait_for(14, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = receiver.received();
    assert_eq!(
        received.len(),
        14,
        "{:?}",
        received
            .iter()
            .map(Received::event_type)
            .collect::<Vec<_>>()
    );
    verify_all_at(&secret, &received, now().timestamp(), 26 * 3600);
    let mut types: Vec<String> = received.iter().map(Received::event_type).collect();
    types.sort();
    assert_eq!(
        types,
        [
            "grant.created",
            "grant.created",
            "grant.created",
            "grant.ended",
            "grant.expired",
            "grant.revoked",
            "request.answered",
            "request.answered",
            "request.expired",
            "request.opened",
            "request.opened",
            "request.opened",
            "request.opened",
            "request.withdrawn",
        ]
    );
    let of_type = |wanted: &str| {
        received
            .iter()
            .find(|r| r.event_type() == wanted)
            .unwrap()
            .json()
    };
    let revocation = of_type("grant.revoked");
    assert_eq!(revocation["data"]["grant"], revoked.0);
    assert_eq!(revocation["data"]["customer"], CUSTOMER);
    assert_eq!(revocation["data"]["resource"], BACKUP_SPACE);
    assert_eq!(revocation["data"]["state"], "ended");
    let ended = of_type("grant.ended");
    assert_eq!(
        (
            ended["data"]["grant"].as_i64(),
            ended["data"]["case"].as_i64()
        ),
        (Some(bound.0), Some(case.0))
    );
    assert_eq!(ended["data"]["end_reason"], "case-resolved");
    let expiry = of_type("grant.expired");
    assert_eq!(
        expiry["data"]["request"], approved.0,
        "the approved request's grant ran to its limit"
    );
    for delivery in &received {
        let text = String::from_utf8_lossy(&delivery.body);
        for personal in [
            "Anna",
            "Favre\"",
            "Lausanne",
            "Rue du Bourg",
            "banque",
            SUPPORT,
        ] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
    }

    // The feed holds the same events, under the same ids, in the order they happened.
    let (status, feed) = get(&f, "/api/v1/events?after=0&limit=100", Some(&events_token)).await;
    assert_eq!(status, StatusCode::OK, "{feed}");
    let feed_ids: Vec<String> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["id"].as_str().unwrap().to_owned())
        .collect();
    let mut delivered_ids: Vec<String> = received.iter().map(|r| r.id.clone()).collect();
    delivered_ids.sort_by_key(|id| id.trim_start_matches("evt_").parse::<i64>().unwrap());
    assert_eq!(feed_ids, delivered_ids);
    let counts = settled(&f.app.store, Duration::from_secs(10)).await;
    assert_eq!((counts.delivered, counts.queued, counts.dead), (14, 0, 0));
}

async fn a_failing_receiver_gets_retries_then_a_dead_letter(backend: Backend) {
    let Some(f) = api_app_with(backend, Arc::new(app::ports::SystemClock), |settings| {
        quick(settings);
        settings.webhooks.webhook_max_attempts = 3;
    })
    .await
    else {
        return;
    };
    let receiver = Receiver::start().await;
    register(&f, "mail-platform", &receiver).await;
    receiver.answer(500);
    f.grant(BACKUP_SPACE, "read", None).await;
    receiver.wait_for(3, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = receiver.received();
    assert_eq!(received.len(), 3, "three attempts, then no more");
    assert!(
        received.iter().all(|r| r.id == received[0].id),
        "every retry carries the same id"
    );
    let store = &f.app.store;
    let counts = settled(store, Duration::from_secs(10)).await;
    assert_eq!((counts.delivered, counts.queued, counts.dead), (0, 0, 1));
    let attempts = app::ports::EventDeliveryLog::delivery_attempts(store, 10)
        .await
        .unwrap();
    assert_eq!(attempts.len(), 3);
    assert_eq!(
        attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert!(attempts
        .iter()
        .all(|a| a.http_status == Some(500) && a.delivery_state == "dead"));
    assert_eq!(attempts[0].event, received[0].id);

    // The endpoint still gets what comes next once it answers again.
    receiver.answer(204);
    f.grant(BACKUP_SPACE, "read", None).await;
    let received = receiver.wait_for(4, Duration::from_secs(5)).await;
    assert_eq!(received.len(), 4);
    let counts = settled(store, Duration::from_secs(10)).await;
    assert_eq!((counts.delivered, counts.dead), (1, 1));
}

async fn a_replayed_or_altered_delivery_fails_the_example_verifier(backend: Backend) {
    let Some(f) = api_app_with(backend, Arc::new(app::ports::SystemClock), quick).await else {
        return;
    };
    let first = Receiver::start().await;
    let second = Receiver::start().await;
    let (_, secret) = register(&f, "mail-platform", &first).await;
    let (_, other_secret) = register(&f, "ftp-gateway", &second).await;
    f.grant(BACKUP_SPACE, "read", None).await;
    let delivery = first.wait_for(1, Duration::from_secs(5)).await.remove(0);
    let copy = second.wait_for(1, Duration::from_secs(5)).await.remove(0);
    assert_eq!(delivery.id, copy.id, "one event, one id for every endpoint");
    assert_ne!(
        delivery.signature, copy.signature,
        "each endpoint has its own secret"
    );

    let now = Utc::now().timestamp();
    let mut verifier = Verifier::new(&secret, 300).unwrap();
    let altered = String::from_utf8(delivery.body.clone())
        .unwrap()
        .replace("grant.created", "grant.revoked");
    assert_eq!(
        verifier.verify(delivery.headers(), altered.as_bytes(), now),
        Err(SignatureError::Mismatch)
    );
    let moved = (delivery.timestamp.parse::<i64>().unwrap() + 1).to_string();
    let moved_headers = Headers {
        timestamp: Some(&moved),
        ..delivery.headers()
    };
    assert_eq!(
        verifier.verify(moved_headers, &delivery.body, now),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verifier.verify(copy.headers(), &copy.body, now),
        Err(SignatureError::Mismatch),
        "the other endpoint's signature"
    );
    assert_eq!(
        verifier.verify(delivery.headers(), &delivery.body, now + 301),
        Err(SignatureError::Stale),
        "replayed later"
    );
    assert_eq!(
        verifier.verify(delivery.headers(), &delivery.body, now),
        Ok(())
    );
    assert_eq!(
        verifier.verify(delivery.headers(), &delivery.body, now),
        Err(SignatureError::Replayed)
    );
    let mut other = Verifier::new(&other_secret, 300).unwrap();
    assert_eq!(other.verify(copy.headers(), &copy.body, now), Ok(()));
}

async fn killing_the_server_mid_delivery_loses_nothing(backend: Backend) {
    let settings = |settings: &mut Settings| {
        quick(settings);
        // Long enough that the kill, not the timeout, cuts the first delivery; the lease is twice that.
        settings.webhooks.webhook_timeout_secs = 3;
        settings.webhooks.webhook_lease_secs = 6;
    };
    let Some(f) = api_app_with(backend, Arc::new(app::ports::SystemClock), settings).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let (_, secret) = register(&f, "mail-platform", &receiver).await;
    // The receiver holds the first delivery past the kill.
    receiver.delay(Duration::from_secs(60));
    let grant = f.grant(BACKUP_SPACE, "read", None).await;
    receiver.wait_for(1, Duration::from_secs(5)).await;
    let db = f.app.kill().await;
    // Written while no server runs: queued, not lost.
    let store = db.store().await;
    let audit = AuditEntry {
        at: Utc::now(),
        event: AuditEvent::GrantRevoked,
        actor: Actor::Customer { id: f.customer },
        customer: Some(f.customer),
        resource: None,
        action: None,
        basis: AuditBasis::TheCustomer,
        source: EventSource::Portal,
        detail: None,
    };
    assert!(
        app::ports::ConsentStore::revoke_grant(&store, grant, f.customer, &audit)
            .await
            .unwrap()
    );
    receiver.delay(Duration::ZERO);

    let again = crate::support::spawn_app_on(db, Arc::new(app::ports::SystemClock), settings).await;
    receiver.wait_for(3, Duration::from_secs(30)).await;
    let counts = settled(&again.store, Duration::from_secs(10)).await;
    // Nothing more comes once everything is settled.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = receiver.received();
    let ids: Vec<&str> = received.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(received.len(), 3, "{ids:?}");
    let cut = ids[0];
    assert_eq!(
        ids.iter().filter(|id| **id == cut).count(),
        2,
        "the delivery cut by the kill comes again, under its id: {ids:?}"
    );
    let after_restart: Vec<Received> = received[1..].to_vec();
    let mut types: Vec<String> = after_restart.iter().map(Received::event_type).collect();
    types.sort();
    assert_eq!(types, ["grant.created", "grant.revoked"]);
    verify_all(&secret, &after_restart);
    assert_eq!((counts.delivered, counts.queued, counts.dead), (2, 0, 0));
}

async fn a_service_registers_lists_and_removes_its_endpoints(backend: Backend) {
    let Some(f) = api_app_with(backend, Arc::new(app::ports::SystemClock), quick).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let hook = json!({"url": receiver.url});
    let (status, _) = f.post("/api/v1/webhooks", None, &hook).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let checks = f.token("checks", &[Scope::AccessChecks]).await;
    let (status, _) = f.post("/api/v1/webhooks", Some(&checks), &hook).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let token = f.token("mail-platform", &[Scope::Events]).await;
    for url in [
        "http://platform.example.ch/hook",
        "ftp://127.0.0.1/",
        "https://u:p@platform.example.ch/",
    ] {
        let (status, body) = f
            .post("/api/v1/webhooks", Some(&token), &json!({"url": url}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert_eq!(body["error"]["field"], "url");
    }
    let (status, added) = f.post("/api/v1/webhooks", Some(&token), &hook).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert!(added["secret"].as_str().unwrap().starts_with("whsec_"));
    let (status, list) = get(&f, "/api/v1/webhooks", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["webhooks"].as_array().unwrap().len(), 1);
    assert_eq!(list["webhooks"][0]["url"], receiver.url.as_str());
    assert!(
        list["webhooks"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    let other = f.token("other", &[Scope::Events]).await;
    let (_, others) = get(&f, "/api/v1/webhooks", Some(&other)).await;
    assert_eq!(
        others["webhooks"].as_array().unwrap().len(),
        0,
        "a service sees its own endpoints"
    );

    let path = format!("/api/v1/webhooks/{}", added["id"]);
    let remove = |token: &str| {
        f.app
            .client
            .delete(f.app.url(&path))
            .bearer_auth(token.to_owned())
            .send()
    };
    assert_eq!(
        remove(&other).await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "another service's endpoint"
    );
    let malformed = f
        .app
        .client
        .delete(f.app.url("/api/v1/webhooks/abc"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        remove(&token).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        remove(&token).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    f.grant(BACKUP_SPACE, "read", None).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        receiver.received().is_empty(),
        "a removed endpoint gets nothing"
    );

    let codes: Vec<i32> = match &f.app.store {
        server::storage::SqlStore::Sqlite(pool) => sqlx::query_scalar(
            "SELECT event_code FROM audit_log WHERE event_code IN (7002, 7003) ORDER BY id",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        server::storage::SqlStore::Postgres(pool) => sqlx::query_scalar(
            "SELECT event_code FROM audit_log WHERE event_code IN (7002, 7003) ORDER BY id",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    assert_eq!(
        codes,
        [7002, 7003],
        "registering and removing are audited, refusals write nothing"
    );
}

on_both_backends!(
    every_kind_is_delivered_once_with_a_valid_signature,
    a_failing_receiver_gets_retries_then_a_dead_letter,
    a_replayed_or_altered_delivery_fails_the_example_verifier,
    killing_the_server_mid_delivery_loses_nothing,
    a_service_registers_lists_and_removes_its_endpoints,
);
