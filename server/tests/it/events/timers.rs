//! What the clock does: a grant's limit reaches the infrastructure within seconds, and an unseen request is
//! reminded of once, half-way through its window. Time is moved, not waited for.

use super::delivery::open_request;
use super::*;
use crate::support::TestClock;
use chrono::Duration as Span;

fn with_sweep(settings: &mut Settings) {
    quick(settings);
    settings.consent_jobs.consent_expiry_sweep_millis = 100;
}

async fn a_grant_reaching_its_limit_is_published_within_seconds(backend: Backend) {
    let clock = TestClock::new();
    let Some(f) = api_app_with(backend, clock.clone(), with_sweep).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let (_, secret) = register(&f, "mail-platform", &receiver).await;
    let running = f.grant(BACKUP_SPACE, "read", None).await;
    let revoked = f.grant(BACKUP_SPACE, "list", None).await;
    f.revoke(revoked).await;
    // The helpers write at the real time, a moment past the still clock: deliveries are due once it catches up.
    clock.advance(Span::seconds(2));
    receiver.wait_for(3, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 3, "nothing before the limit");

    clock.advance(Span::hours(1) + Span::seconds(1));
    let received = receiver.wait_for(4, Duration::from_secs(3)).await;
    assert_eq!(
        received.len(),
        4,
        "published within a few seconds of the limit"
    );
    let expiry = received[3].json();
    assert_eq!(expiry["type"], "grant.expired");
    assert_eq!(
        expiry["data"]["grant"], running.0,
        "the revoked grant ended before: no second end"
    );
    verify_all_at(
        &secret,
        &received,
        app::ports::Clock::now(clock.as_ref()).timestamp(),
        2 * 3600,
    );
    clock.advance(Span::hours(1));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 4, "published once");
}

const REMINDER: &str = "Rappel : une demande d’accès attend votre réponse";

async fn reminders(f: &ApiApp) -> usize {
    f.store()
        .ledger_of(f.customer)
        .await
        .unwrap()
        .iter()
        .filter(|mail| mail.subject == REMINDER)
        .count()
}

async fn an_unseen_request_is_reminded_of_once_half_way(backend: Backend) {
    let clock = TestClock::new();
    let Some(f) = api_app_with(backend, clock.clone(), with_sweep).await else {
        return;
    };
    let ticketing = f.token("ticketing", &[Scope::ConsentRequests]).await;
    open_request(&f, &ticketing).await;
    clock.advance(Span::hours(11) + Span::minutes(59));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(reminders(&f).await, 0, "not before half the window");
    clock.advance(Span::minutes(2));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while reminders(&f).await == 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(reminders(&f).await, 1, "in the customer's messages");
    clock.advance(Span::hours(3));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(reminders(&f).await, 1, "once");
}

async fn a_request_seen_in_the_portal_needs_no_reminder(backend: Backend) {
    let clock = TestClock::new();
    let Some(f) = api_app_with(backend, clock.clone(), with_sweep).await else {
        return;
    };
    let ticketing = f.token("ticketing", &[Scope::ConsentRequests]).await;
    open_request(&f, &ticketing).await;
    clock.advance(Span::hours(1));
    f.store()
        .see_pending_requests(f.customer, clock_now(&clock))
        .await
        .unwrap();
    clock.advance(Span::hours(13));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(reminders(&f).await, 0);
}

fn clock_now(clock: &TestClock) -> chrono::DateTime<Utc> {
    app::ports::Clock::now(clock)
}

on_both_backends!(
    a_grant_reaching_its_limit_is_published_within_seconds,
    an_unseen_request_is_reminded_of_once_half_way,
    a_request_seen_in_the_portal_needs_no_reminder,
);
