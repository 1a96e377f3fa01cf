//! The customer is mailed when a grant ends, whatever ended it (the clock, their revocation, the case resolved),
//! once, however many instances run the job.

use super::jobs::{seeded_app_with_consent_jobs, MoreInstances};
use super::*;
use crate::support::TestClock;
use app::ports::Clock;

const ENDED: &str = "Un accès à vos données a pris fin";

async fn grant(customer: &Browser, resource: &str, minutes: &str, case: Option<&str>) -> String {
    let mut form = vec![
        ("usable_by", "support"),
        ("resource", resource),
        ("action_read", "on"),
        ("duration_minutes", minutes),
    ];
    if let Some(case) = case {
        form.push(("case", case));
    }
    let reply = customer.call("grant-access", &form).await;
    ok(&reply, "grant-access");
    location_param(&reply, "grant")
}

async fn ended_mails(app: &TestApp) -> Vec<String> {
    consent_mails_to(app, CUSTOMER)
        .await
        .into_iter()
        .filter(|(_, subject, _)| subject == ENDED)
        .map(|(_, _, body)| body)
        .collect()
}

async fn wait_for_mails(app: &TestApp, expected: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mails = ended_mails(app).await;
        if mails.len() >= expected || std::time::Instant::now() > deadline {
            return mails;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn the_customer_is_told_once_when_a_grant_ends_and_why(backend: Backend) {
    let clock = TestClock::new();
    let Some(app) = seeded_app_with_consent_jobs(backend, &clock).await else {
        return;
    };
    let more = MoreInstances::start(&app, &clock);
    let support = sign_in_staff(&app, SUPPORT, clock.now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;

    let by_the_clock = grant(&customer, JEANNE_BACKUP, "60", None).await;
    let revoked = grant(&customer, JEANNE_BACKUP, "120", None).await;
    let case = open_case(&support, JEANNE, "Webmail très lent").await;
    let with_the_case = grant(&customer, JEANNE_MAILBOX, "120", Some(&case)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(ended_mails(&app).await.is_empty(), "nothing ended yet");

    ok(
        &customer.call("revoke-grant", &[("grant", &revoked)]).await,
        "revoke-grant",
    );
    let mails = wait_for_mails(&app, 1).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].contains(&format!("accord {revoked}")) && mails[0].contains("vous l’avez retiré"),
        "{}",
        mails[0]
    );

    ok(
        &support.call("resolve-case", &[("case", &case)]).await,
        "resolve-case",
    );
    let mails = wait_for_mails(&app, 2).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(
        mails[1].contains(&format!("accord {with_the_case}"))
            && mails[1].contains("le cas de support pour lequel vous l’aviez donné est résolu"),
        "{}",
        mails[1]
    );

    clock.advance(Duration::minutes(59));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(ended_mails(&app).await.len(), 2, "an hour is not over yet");
    clock.advance(Duration::minutes(1));
    let mails = wait_for_mails(&app, 3).await;
    assert_eq!(mails.len(), 3, "{mails:?}");
    assert!(
        mails[2].contains(&format!("accord {by_the_clock}"))
            && mails[2].contains("la durée que vous aviez accordée est écoulée"),
        "{}",
        mails[2]
    );
    assert!(mails[2].contains("/account/consents"));

    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    more.stop().await;
    assert_eq!(ended_mails(&app).await.len(), 3, "each end is told once");
}

on_both_backends!(the_customer_is_told_once_when_a_grant_ends_and_why);
