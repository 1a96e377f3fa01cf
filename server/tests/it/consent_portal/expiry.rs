//! A request nobody answers is recorded as expired by the job, once, however many instances run it.

use super::jobs::{seeded_app_with_consent_jobs, MoreInstances};
use super::*;
use crate::support::TestClock;
use app::domain::consent::ConsentRequestId;
use app::ports::Clock;

const EXPIRED: i32 = 2104;

async fn an_unanswered_request_is_recorded_as_expired_once_by_every_instance_s_job(
    backend: Backend,
) {
    let clock = TestClock::new();
    let Some(app) = seeded_app_with_consent_jobs(backend, &clock).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, clock.now()).await;
    let case = open_case(&support, JEANNE, "Webmail très lent").await;
    let requests = [
        request_id(&support, JEANNE, JEANNE_MAILBOX, &case).await,
        request_id(&support, JEANNE, JEANNE_BACKUP, &case).await,
    ];
    let state = |id: &str| {
        let store = app.store.clone();
        let id = ConsentRequestId::parse(id).unwrap();
        async move {
            let record = store.consent_request(id).await.unwrap().unwrap();
            record.request.recorded_state().kind()
        }
    };

    clock.advance(Duration::hours(24) - Duration::seconds(1));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for id in &requests {
        assert_eq!(state(id).await, RequestStateKind::Pending, "still open");
    }
    assert_eq!(count(&app.store, &expired_entries()).await, 0);

    let more = MoreInstances::start(&app, &clock);
    clock.advance(Duration::seconds(1));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    for id in &requests {
        while state(id).await != RequestStateKind::Expired {
            assert!(
                std::time::Instant::now() < deadline,
                "request {id} not recorded as expired"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    more.stop().await;
    assert_eq!(
        count(&app.store, &expired_entries()).await,
        2,
        "one entry per request, whichever job recorded it"
    );
    assert_eq!(
        app::usecases::expire_requests(&app.store, &app.base, clock.now())
            .await
            .unwrap(),
        0,
        "nothing left to record"
    );
    let told = consent_mails_to(&app, SUPPORT).await;
    assert_eq!(told.len(), 2, "the requester is told once of each expiry");
    for id in &requests {
        assert!(
            told.iter().any(|(_, subject, body)| subject
                .contains(&format!("Request {id} expired"))
                && body.contains("/staff/consents")),
            "{told:?}"
        );
    }
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let consents = my_consents(&customer).await;
    assert!(consents.pending.is_empty());
    assert!(consents
        .past_requests
        .iter()
        .all(|request| request.state == RequestStateKind::Expired));
    assert!(audit_events(&app, JEANNE)
        .await
        .contains(&AuditEvent::RequestExpired));
}

fn expired_entries() -> String {
    format!("SELECT COUNT(*) FROM audit_log WHERE event_code = {EXPIRED} AND actor_kind = 'system'")
}

/// A requester who turned the mail off is told by their queue alone; turned on again, the mail comes back.
async fn a_requester_chooses_whether_answers_and_expiries_are_mailed(backend: Backend) {
    let clock = TestClock::new();
    let Some(app) = seeded_app_with_consent_jobs(backend, &clock).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, clock.now()).await;
    let queue = |browser: &crate::support::auth::Browser| {
        let browser = browser.copy();
        async move {
            let reply = browser.call("list-consent-queue", &[]).await;
            ok(&reply, "list-consent-queue");
            serde_json::from_str::<ConsentQueue>(&reply.body).unwrap()
        }
    };
    assert!(
        queue(&support).await.answer_mail,
        "on unless they turn it off"
    );
    ok(
        &support.call("set-answer-mail", &[]).await,
        "set-answer-mail",
    );
    assert!(!queue(&support).await.answer_mail);
    // The queue was just opened: what happens from now on is news.
    clock.advance(Duration::minutes(1));

    let case = open_case(&support, JEANNE, "Webmail très lent").await;
    let unmailed = request_id(&support, JEANNE, JEANNE_BACKUP, &case).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let denied = customer
        .call("deny-request", &[("request", &unmailed)])
        .await;
    ok(&denied, "deny-request");
    let expiring = request_id(&support, JEANNE, JEANNE_MAILBOX, &case).await;
    clock.advance(Duration::hours(24));
    app::usecases::expire_requests(&app.store, &app.base, clock.now())
        .await
        .unwrap();
    assert!(
        consent_mails_to(&app, SUPPORT).await.is_empty(),
        "neither the denial of {unmailed} nor the expiry of {expiring} is mailed"
    );
    // A day later, both have signed in again.
    let support = sign_in_staff(&app, SUPPORT, clock.now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;
    assert!(
        queue(&support)
            .await
            .requests
            .iter()
            .filter(|request| request.news)
            .count()
            == 2,
        "the queue marks both"
    );

    ok(
        &support
            .call("set-answer-mail", &[("answer_mail", "on")])
            .await,
        "set-answer-mail",
    );
    let mailed = request_id(&support, JEANNE, JEANNE_BACKUP, &case).await;
    ok(
        &customer.call("deny-request", &[("request", &mailed)]).await,
        "deny-request",
    );
    let told = consent_mails_to(&app, SUPPORT).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].1.contains(&format!("Request {mailed} denied")),
        "{told:?}"
    );
}

on_both_backends!(
    an_unanswered_request_is_recorded_as_expired_once_by_every_instance_s_job,
    a_requester_chooses_whether_answers_and_expiries_are_mailed,
);
