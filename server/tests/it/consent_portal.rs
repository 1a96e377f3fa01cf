//! The consent screens' server functions over HTTP, as the browser calls them with and without JavaScript: support
//! opens cases and asks, customers answer, grant and revoke, and every decision the access policy takes afterwards
//! follows what happened in the portal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod endings;
mod expiry;
mod flows;
mod grants;
mod jobs;
mod refusals;
mod staff_view;

use chrono::{Duration, Utc};
use reqwest::StatusCode;

use crate::support::auth::{
    count, events, seeded_app, seeded_app_with_clock, sign_in_customer, sign_in_staff, Browser,
    Reply, CUSTOMER, OTHER_CUSTOMER, PRIVACY_OFFICER, SUPPORT, SUPPORT_AND_SYSADMIN, SYSADMIN,
};
use crate::support::{Backend, TestApp};
use app::api::{ConsentQueue, Glance, GrantSource, GrantUsers, MyConsents, OneGrant};
use app::domain::consent::{
    decide, Action, Basis, Decision, DenyRule, EndReason, GrantView, RequestStateKind, Resource,
    ResourceId, Teams,
};
use app::domain::{AuditEvent, CustomerNumber, EmailAddress, Role};
use app::ports::{ConsentStore, CustomerId, Storage};

const JEANNE: &str = "C-100001";
const LUCA: &str = "C-100002";
const JEANNE_MAILBOX: &str = "mailbox:jeanne.favre@boulangerie-favre.ch";
const JEANNE_BACKUP: &str = "backup-space:backup-boulangerie-favre";
const LUCA_MAILBOX: &str = "mailbox:luca@studio-bernasconi.ch";
const AUTHORIZATION_REFUSED: i32 = 1040;

/// The value of `name` in the query of the reply's `Location`.
fn location_param(reply: &Reply, name: &str) -> String {
    let location = reply
        .location()
        .unwrap_or_else(|| panic!("no location: {reply:?}"));
    let (_, query) = location.split_once('?').expect("a query");
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {location}"))
        .to_owned()
}

fn ok(reply: &Reply, what: &str) {
    assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.body);
}

async fn open_case(support: &Browser, customer: &str, subject: &str) -> String {
    let reply = support
        .call(
            "open-case",
            &[("customer_number", customer), ("subject", subject)],
        )
        .await;
    ok(&reply, "open-case");
    assert_eq!(location_param(&reply, "customer"), customer);
    location_param(&reply, "case")
}

async fn ask(
    support: &Browser,
    customer: &str,
    resource: &str,
    case: &str,
    minutes: &str,
) -> Reply {
    support
        .call(
            "request-consent",
            &[
                ("customer_number", customer),
                ("resource", resource),
                ("action_read", "on"),
                ("reason_code", "customer-support"),
                ("reason_text", "Les messages n’arrivent plus depuis lundi."),
                ("case", case),
                ("duration_minutes", minutes),
            ],
        )
        .await
}

async fn request_id(support: &Browser, customer: &str, resource: &str, case: &str) -> String {
    let reply = ask(support, customer, resource, case, "120").await;
    ok(&reply, "request-consent");
    location_param(&reply, "request")
}

async fn my_consents(customer: &Browser) -> MyConsents {
    let reply = customer.call("list-my-consents", &[]).await;
    ok(&reply, "list-my-consents");
    serde_json::from_str(&reply.body).unwrap()
}

/// What the customer's dashboard reads: its counts must agree with the consents page.
async fn my_glance(customer: &Browser) -> Glance {
    let reply = customer.call("get-my-glance", &[]).await;
    ok(&reply, "get-my-glance");
    serde_json::from_str(&reply.body).unwrap()
}

async fn consent_queue(staff: &Browser) -> ConsentQueue {
    let reply = staff.call("list-consent-queue", &[]).await;
    ok(&reply, "list-consent-queue");
    serde_json::from_str(&reply.body).unwrap()
}

async fn customer_id(app: &TestApp, number: &str) -> CustomerId {
    let number = CustomerNumber::parse(number).unwrap();
    app.store
        .customer_by_number(&number)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// What the access policy answers now for the staff member signed in as `staff` reading `resource`, from the
/// grants the storage holds.
async fn decision(app: &TestApp, staff: &str, resource: &str) -> Decision {
    let staff = app
        .store
        .staff_by_email(&EmailAddress::parse(staff).unwrap())
        .await
        .unwrap()
        .expect("a demo staff member");
    let resource = ResourceId::parse(resource).unwrap();
    let now = Utc::now();
    let records = app.store.live_grants_on(&resource, now).await.unwrap();
    let views: Vec<GrantView<'_>> = records.iter().map(|record| record.view()).collect();
    decide(
        staff.id,
        &staff.roles,
        &Resource::resolve(resource, None).unwrap(),
        Action::Read,
        &views,
        now,
    )
}

async fn audit_events(app: &TestApp, customer: &str) -> Vec<AuditEvent> {
    let customer = customer_id(app, customer).await;
    let mut entries = app
        .store
        .audit_of_customer(customer, None, 100)
        .await
        .unwrap();
    entries.reverse();
    // Sign-ins are in the same log; these tests follow the consent events.
    entries
        .into_iter()
        .map(|(_, entry)| entry.event)
        .filter(|event| !matches!(event, AuditEvent::Account(_)))
        .collect()
}

/// Consent mails in the outbox, oldest first, as (recipient, subject, body).
async fn consent_mails(app: &TestApp) -> Vec<(String, String, String)> {
    let sql = "SELECT recipient, subject, body_text FROM outbox WHERE kind = 'consent' ORDER BY id";
    match &app.store {
        server::storage::SqlStore::Sqlite(pool) => {
            sqlx::query_as(sql).fetch_all(pool).await.unwrap()
        }
        server::storage::SqlStore::Postgres(pool) => {
            sqlx::query_as(sql).fetch_all(pool).await.unwrap()
        }
    }
}

/// The consent mails to `recipient`, oldest first, as (recipient, subject, body).
async fn consent_mails_to(app: &TestApp, recipient: &str) -> Vec<(String, String, String)> {
    consent_mails(app)
        .await
        .into_iter()
        .filter(|(to, _, _)| to == recipient)
        .collect()
}

/// Posts a form to a server function as a browser without JavaScript does: it expects a page, and comes from one.
async fn post_plain(
    app: &TestApp,
    browser: &Browser,
    name: &str,
    page: &str,
    form: &[(&str, &str)],
) -> Reply {
    let request = app
        .client
        .post(app.url(&format!("/sf/{name}")))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .header("referer", app.url(page))
        .form(form);
    browser.send(request).await
}
