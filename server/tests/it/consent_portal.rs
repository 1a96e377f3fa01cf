//! The consent screens' server functions over HTTP, as the browser calls them with and without JavaScript: support
//! opens cases and asks, customers answer, grant and revoke, and every decision the access policy takes afterwards
//! follows what happened in the portal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use reqwest::StatusCode;

use crate::support::auth::{
    count, events, seeded_app, seeded_app_with_clock, sign_in_customer, sign_in_staff, Browser,
    Reply, CUSTOMER, OTHER_CUSTOMER, PRIVACY_OFFICER, SUPPORT, SUPPORT_AND_SYSADMIN, SYSADMIN,
};
use crate::support::{Backend, TestApp};
use app::api::{ConsentQueue, GrantSource, MyConsents, OneGrant};
use app::domain::consent::{
    decide, Action, Basis, Decision, DenyRule, EndReason, GrantView, RequestStateKind, Resource,
    ResourceId,
};
use app::domain::{AuditEvent, CustomerNumber, Role};
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

async fn customer_id(app: &TestApp, number: &str) -> CustomerId {
    let number = CustomerNumber::parse(number).unwrap();
    app.store
        .customer_by_number(&number)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// What the access policy answers now for `roles` reading `resource`, from the grants the storage holds.
async fn decision(app: &TestApp, roles: &[Role], resource: &str) -> Decision {
    let resource = ResourceId::parse(resource).unwrap();
    let now = Utc::now();
    let records = app.store.live_grants_on(&resource, now).await.unwrap();
    let views: Vec<GrantView<'_>> = records.iter().map(|record| record.view()).collect();
    decide(
        roles,
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
    entries.into_iter().map(|(_, entry)| entry.event).collect()
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

async fn a_mailbox_consent_lives_from_the_request_to_the_resolved_case(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;

    let case = open_case(&support, JEANNE, "Webmail très lent").await;
    let request = request_id(&support, JEANNE, JEANNE_MAILBOX, &case).await;
    assert_eq!(
        decision(&app, &[Role::Support], JEANNE_MAILBOX).await,
        Decision::Deny {
            rule: DenyRule::NoActiveGrant
        },
        "asking gives nothing yet"
    );

    let consents = my_consents(&customer).await;
    assert_eq!(consents.pending.len(), 1);
    let pending = &consents.pending[0];
    assert_eq!(pending.id.to_string(), request);
    assert_eq!(pending.requested_by.name, "Camille Rey");
    assert_eq!(pending.requested_by.roles, vec![Role::Support]);
    assert_eq!(pending.resource.id, JEANNE_MAILBOX);
    assert_eq!(pending.actions, vec![Action::Read]);
    assert_eq!(pending.requested_minutes, 120);
    assert_eq!(
        pending.reason_text,
        "Les messages n’arrivent plus depuis lundi."
    );
    let shown_case = pending.case.as_ref().expect("the case is shown");
    assert_eq!(shown_case.id.to_string(), case);
    assert_eq!(shown_case.subject, "Webmail très lent");
    assert_eq!(pending.answer_by - pending.created_at, Duration::hours(24));
    let notices = consent_mails(&app).await;
    assert_eq!(notices.len(), 1, "the customer is told by mail");
    assert_eq!(notices[0].0, CUSTOMER);
    assert!(
        notices[0].2.contains("/account/consents"),
        "{}",
        notices[0].2
    );

    let longer = customer
        .call(
            "approve-request",
            &[("request", &request), ("approved_minutes", "121")],
        )
        .await;
    assert_eq!(
        longer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        longer.body
    );
    assert_eq!(longer.json()["Invalid"]["field"], "approved_minutes");

    let approved = customer
        .call(
            "approve-request",
            &[("request", &request), ("approved_minutes", "30")],
        )
        .await;
    ok(&approved, "approve-request");
    assert_eq!(
        approved.location(),
        Some(format!("/account/consents?done=approved&request={request}").as_str())
    );
    let consents = my_consents(&customer).await;
    assert!(consents.pending.is_empty());
    assert_eq!(consents.active.len(), 1);
    let grant = &consents.active[0];
    assert_eq!(grant.source, GrantSource::ApprovedRequest);
    assert_eq!(
        grant.ends_at - grant.starts_at,
        Duration::minutes(30),
        "shortened"
    );
    assert!((1700..=1800).contains(&grant.seconds_left.unwrap()));
    assert_eq!(consents.past_requests[0].state, RequestStateKind::Approved);
    assert_eq!(consents.past_requests[0].approved_minutes, Some(30));
    let Decision::Allow {
        basis: Basis::Grant(allowed_by),
        ..
    } = decision(&app, &[Role::Support], JEANNE_MAILBOX).await
    else {
        panic!("the approved request allows reading the mailbox");
    };
    assert_eq!(allowed_by, grant.id);

    let twice = customer
        .call("approve-request", &[("request", &request)])
        .await;
    assert_eq!(
        twice.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        twice.body
    );

    let resolved = support.call("resolve-case", &[("case", &case)]).await;
    ok(&resolved, "resolve-case");
    assert_eq!(
        decision(&app, &[Role::Support], JEANNE_MAILBOX).await,
        Decision::Deny {
            rule: DenyRule::NoActiveGrant
        },
        "resolving the case ended the grant"
    );
    let consents = my_consents(&customer).await;
    assert!(consents.active.is_empty());
    assert_eq!(consents.ended.len(), 1);
    assert_eq!(consents.ended[0].end_reason, Some(EndReason::CaseResolved));
    let again = support.call("resolve-case", &[("case", &case)]).await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );

    assert_eq!(
        audit_events(&app, JEANNE).await,
        vec![
            AuditEvent::CaseOpened,
            AuditEvent::RequestOpened,
            AuditEvent::RequestApproved,
            AuditEvent::CaseResolved,
        ]
    );
}

/// Read and list access to Jeanne's mailbox for 90 minutes, for `case`.
fn mailbox_form(case: &str) -> [(&str, &str); 8] {
    [
        ("customer_number", JEANNE),
        ("resource", JEANNE_MAILBOX),
        ("action_read", "on"),
        ("action_list", "on"),
        ("reason_code", "customer-support"),
        ("reason_text", "Vérifier les dossiers"),
        ("case", case),
        ("duration_minutes", "90"),
    ]
}

async fn the_same_flow_works_without_javascript(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;

    let opened = post_plain(
        &app,
        &support,
        "open-case",
        "/staff/cases",
        &[("customer_number", JEANNE), ("subject", "Boîte pleine")],
    )
    .await;
    assert_eq!(opened.status, StatusCode::FOUND, "{}", opened.body);
    let case = location_param(&opened, "case");
    let page = support.get(opened.location().unwrap()).await;
    ok(&page, "cases page");
    assert!(page.body.contains("Boîte pleine"), "the new case is listed");
    assert!(
        page.body.contains(&format!(
            "/staff/consents/new?customer={JEANNE}&amp;case={case}"
        )),
        "the case links to a request for it"
    );

    let without_case = post_plain(
        &app,
        &support,
        "request-consent",
        "/staff/consents/new",
        &mailbox_form(""),
    )
    .await;
    assert_eq!(without_case.status, StatusCode::FOUND);
    let back = without_case.location().unwrap();
    assert!(
        back.starts_with("/staff/consents/new?error=invalid&field=case"),
        "sent back to the form with the field: {back}"
    );
    let shown = support.get(back).await;
    assert!(shown.body.contains("support case"), "the page says why");

    let asked = post_plain(
        &app,
        &support,
        "request-consent",
        "/staff/consents/new",
        &mailbox_form(&case),
    )
    .await;
    assert_eq!(asked.status, StatusCode::FOUND, "{}", asked.body);
    let request = location_param(&asked, "request");
    let queue = support.get(asked.location().unwrap()).await;
    ok(&queue, "queue page");
    assert!(queue.body.contains(&format!("data-request=\"{request}\"")));
    assert!(
        queue.body.contains("en attente, encore 23 h"),
        "time left is shown"
    );

    let page = customer.get("/account/consents").await;
    ok(&page, "consents page");
    assert!(page.body.contains("Camille Rey (support)"), "who asks");
    assert!(page.body.contains("Vérifier les dossiers"), "why");
    assert!(page.body.contains("lister, lire"), "for what");
    assert!(page.body.contains("max=\"90\""), "no longer than asked");

    let approved = post_plain(
        &app,
        &customer,
        "approve-request",
        "/account/consents",
        &[("request", &request), ("approved_minutes", "45")],
    )
    .await;
    assert_eq!(approved.status, StatusCode::FOUND, "{}", approved.body);
    let page = customer.get(approved.location().unwrap()).await;
    assert!(page.body.contains("id=\"active-grants\""));
    assert!(page.body.contains("Vous avez accepté la demande"));
    assert!(
        page.body.contains("44 min") || page.body.contains("45 min"),
        "time left"
    );

    let resolved = post_plain(
        &app,
        &support,
        "resolve-case",
        "/staff/cases",
        &[("case", &case)],
    )
    .await;
    assert_eq!(resolved.status, StatusCode::FOUND, "{}", resolved.body);
    assert_eq!(
        resolved.location(),
        Some(format!("/staff/cases?done=resolved&case={case}").as_str())
    );
    let page = customer.get("/account/consents").await;
    assert!(page.body.contains("id=\"no-active\""));
    assert!(page.body.contains("cas de support résolu"));
}

async fn a_customer_denies_with_a_reason(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let sysadmin = sign_in_staff(&app, SYSADMIN, Utc::now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let request = request_id(&sysadmin, JEANNE, JEANNE_BACKUP, "").await;

    let denied = customer
        .call(
            "deny-request",
            &[("request", &request), ("reason", "Pas maintenant, merci.")],
        )
        .await;
    ok(&denied, "deny-request");
    let consents = my_consents(&customer).await;
    assert!(consents.pending.is_empty() && consents.active.is_empty());
    assert_eq!(consents.past_requests[0].state, RequestStateKind::Denied);
    assert_eq!(
        consents.past_requests[0].deny_reason.as_deref(),
        Some("Pas maintenant, merci.")
    );
    let late = customer
        .call("approve-request", &[("request", &request)])
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        late.json()["Invalid"]["message"],
        "This request was already denied."
    );
    assert!(!decision(&app, &[Role::Sysadmin], JEANNE_BACKUP)
        .await
        .is_allowed());
    assert_eq!(
        audit_events(&app, JEANNE).await,
        vec![AuditEvent::RequestOpened, AuditEvent::RequestDenied]
    );
}

async fn only_the_requester_withdraws(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let colleague = sign_in_staff(&app, SUPPORT_AND_SYSADMIN, Utc::now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let request = request_id(&support, JEANNE, JEANNE_BACKUP, "").await;

    let queue = colleague.call("list-consent-queue", &[]).await;
    ok(&queue, "list-consent-queue");
    let queue: ConsentQueue = serde_json::from_str(&queue.body).unwrap();
    assert_eq!(queue.requests.len(), 1, "the team's requests are visible");
    assert!(!queue.requests[0].mine);

    let refused = colleague
        .call("withdraw-request", &[("request", &request)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let withdrawn = support
        .call("withdraw-request", &[("request", &request)])
        .await;
    ok(&withdrawn, "withdraw-request");

    let queue: ConsentQueue =
        serde_json::from_str(&support.call("list-consent-queue", &[]).await.body).unwrap();
    assert!(queue.requests[0].mine);
    assert_eq!(queue.requests[0].state, RequestStateKind::Withdrawn);
    let late = customer
        .call("approve-request", &[("request", &request)])
        .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    assert_eq!(
        audit_events(&app, JEANNE).await,
        vec![AuditEvent::RequestOpened, AuditEvent::RequestWithdrawn]
    );
}

async fn an_expired_request_cannot_be_approved(backend: Backend) {
    let Some((app, clock)) = seeded_app_with_clock(backend).await else {
        return;
    };
    let now = app::ports::Clock::now(clock.as_ref());
    let support = sign_in_staff(&app, SUPPORT, now).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let request = request_id(&support, JEANNE, JEANNE_BACKUP, "").await;
    assert_eq!(my_consents(&customer).await.pending.len(), 1);

    clock.advance(Duration::hours(24));
    // A day outlives any session: both sign in again.
    let later = app::ports::Clock::now(clock.as_ref());
    let support = sign_in_staff(&app, SUPPORT, later).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let late = customer
        .call("approve-request", &[("request", &request)])
        .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    assert_eq!(
        late.json()["Invalid"]["message"],
        "This request expired unanswered."
    );
    let consents = my_consents(&customer).await;
    assert!(consents.pending.is_empty() && consents.active.is_empty());
    assert_eq!(consents.past_requests[0].state, RequestStateKind::Expired);
    let withdraw = support
        .call("withdraw-request", &[("request", &request)])
        .await;
    assert_eq!(withdraw.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_customer_cannot_touch_another_customers_consent(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let jeanne = sign_in_customer(&app, CUSTOMER).await;
    let luca = sign_in_customer(&app, OTHER_CUSTOMER).await;
    let request = request_id(&support, JEANNE, JEANNE_BACKUP, "").await;

    for (name, form) in [
        ("approve-request", vec![("request", request.as_str())]),
        ("deny-request", vec![("request", request.as_str())]),
        ("approve-request", vec![("request", "999999")]),
    ] {
        let reply = luca.call(name, &form).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{name}: {}",
            reply.body
        );
        assert_eq!(reply.json(), serde_json::json!("NotFound"));
    }
    assert_eq!(my_consents(&jeanne).await.pending.len(), 1, "untouched");
    assert!(
        my_consents(&luca).await.pending.is_empty(),
        "not shown to Luca"
    );

    let granted = jeanne
        .call(
            "grant-access",
            &[
                ("resource", JEANNE_BACKUP),
                ("action_read", "on"),
                ("duration_minutes", "60"),
            ],
        )
        .await;
    ok(&granted, "grant-access");
    let grant = location_param(&granted, "grant");
    let revoke = luca.call("revoke-grant", &[("grant", &grant)]).await;
    assert_eq!(revoke.status, StatusCode::NOT_FOUND, "{}", revoke.body);
    let shown = luca.call("get-my-grant", &[("grant", &grant)]).await;
    assert_eq!(shown.json(), serde_json::Value::Null);
    let page = luca
        .get(&format!("/account/consents/grants/{grant}/revoke"))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("revoke-form"));
    assert!(decision(&app, &[Role::Sysadmin], JEANNE_BACKUP)
        .await
        .is_allowed());

    let plain = post_plain(
        &app,
        &luca,
        "revoke-grant",
        "/account/consents",
        &[("grant", &grant)],
    )
    .await;
    assert_eq!(plain.location(), Some("/account/consents?error=not-found"));
    let page = luca.get("/account/consents?error=not-found").await;
    assert!(page
        .body
        .contains("There is no such item, or it is not yours."));
}

async fn roles_are_checked_on_the_server(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let sysadmin = sign_in_staff(&app, SYSADMIN, Utc::now()).await;
    let officer = sign_in_staff(&app, PRIVACY_OFFICER, Utc::now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let request = request_id(&support, JEANNE, JEANNE_BACKUP, "").await;

    let refused_before = events(&app.store, AUTHORIZATION_REFUSED).await.len();
    let support_approves = support
        .call("approve-request", &[("request", &request)])
        .await;
    assert_eq!(support_approves.status, StatusCode::FORBIDDEN);
    let officer_asks = ask(&officer, JEANNE, JEANNE_BACKUP, "", "60").await;
    assert_eq!(
        officer_asks.status,
        StatusCode::FORBIDDEN,
        "{}",
        officer_asks.body
    );
    for name in ["list-consent-queue", "list-cases"] {
        let reply = officer.call(name, &[]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}");
    }
    let sysadmin_opens = sysadmin
        .call(
            "open-case",
            &[("customer_number", JEANNE), ("subject", "x")],
        )
        .await;
    assert_eq!(
        sysadmin_opens.status,
        StatusCode::FORBIDDEN,
        "cases are support's"
    );
    let customer_asks = ask(&customer, JEANNE, JEANNE_BACKUP, "", "60").await;
    assert_eq!(customer_asks.status, StatusCode::FORBIDDEN);
    let anonymous = Browser::new(&app).call("list-my-consents", &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        events(&app.store, AUTHORIZATION_REFUSED).await.len(),
        refused_before + 6,
        "every refusal is on record"
    );
    assert_eq!(
        my_consents(&customer).await.pending.len(),
        1,
        "nothing changed"
    );

    let sysadmin_asks = request_id(&sysadmin, JEANNE, JEANNE_BACKUP, "").await;
    assert_ne!(sysadmin_asks, request, "a system administrator may ask");
}

async fn requests_name_the_customers_own_resource_and_open_case(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let jeanne_case = open_case(&support, JEANNE, "Jeanne").await;
    let luca_case = open_case(&support, LUCA, "Luca").await;
    let closed_case = open_case(&support, JEANNE, "Fini").await;
    ok(
        &support
            .call("resolve-case", &[("case", &closed_case)])
            .await,
        "resolve-case",
    );

    let cases = [
        (JEANNE_MAILBOX, "", "case"),
        (JEANNE_MAILBOX, luca_case.as_str(), "case"),
        (JEANNE_MAILBOX, closed_case.as_str(), "case"),
        (JEANNE_MAILBOX, "not a number", "case"),
        (LUCA_MAILBOX, jeanne_case.as_str(), "resource"),
        ("web-space:boulangerie-favre.ch", "", "resource"),
        (
            "mailbox:nobody@boulangerie-favre.ch",
            jeanne_case.as_str(),
            "resource",
        ),
        ("mailbox:", jeanne_case.as_str(), "resource"),
    ];
    for (resource, case, field) in cases {
        let reply = ask(&support, JEANNE, resource, case, "60").await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{resource} {case}: {}",
            reply.body
        );
        assert_eq!(reply.json()["Invalid"]["field"], field, "{resource} {case}");
    }
    for (customer, minutes, field) in [
        ("C-999999", "60", "customer_number"),
        (JEANNE, "0", "duration_minutes"),
        (JEANNE, "99999", "duration_minutes"),
    ] {
        let reply = ask(&support, customer, JEANNE_BACKUP, "", minutes).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert_eq!(reply.json()["Invalid"]["field"], field);
    }
    let no_action = support
        .call(
            "request-consent",
            &[
                ("customer_number", JEANNE),
                ("resource", JEANNE_BACKUP),
                ("reason_code", "customer-support"),
                ("reason_text", "x"),
                ("duration_minutes", "60"),
            ],
        )
        .await;
    assert_eq!(no_action.json()["Invalid"]["field"], "actions");
    let queue: ConsentQueue =
        serde_json::from_str(&support.call("list-consent-queue", &[]).await.body).unwrap();
    assert!(queue.requests.is_empty(), "nothing was asked");
    let good = ask(&support, JEANNE, JEANNE_MAILBOX, &jeanne_case, "60").await;
    ok(&good, "a mailbox with the customer's open case");
}

async fn a_customer_grants_and_revokes_on_their_own(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let consents = my_consents(&customer).await;
    let offered: Vec<&str> = consents.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        offered.len(),
        3,
        "backup space and two mailboxes, no web space: {offered:?}"
    );
    assert!(offered.contains(&JEANNE_BACKUP) && offered.contains(&JEANNE_MAILBOX));

    let mailbox_without_case = customer
        .call(
            "grant-access",
            &[
                ("resource", JEANNE_MAILBOX),
                ("action_read", "on"),
                ("duration_minutes", "60"),
            ],
        )
        .await;
    assert_eq!(
        mailbox_without_case.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(mailbox_without_case.json()["Invalid"]["field"], "case");
    let someone_elses = customer
        .call(
            "grant-access",
            &[
                ("resource", LUCA_MAILBOX),
                ("action_read", "on"),
                ("duration_minutes", "60"),
            ],
        )
        .await;
    assert_eq!(someone_elses.json()["Invalid"]["field"], "resource");

    let case = open_case(&support, JEANNE, "Règle de tri").await;
    assert_eq!(
        my_consents(&customer).await.open_cases[0].id.to_string(),
        case
    );
    let granted = customer
        .call(
            "grant-access",
            &[
                ("resource", JEANNE_MAILBOX),
                ("action_list", "on"),
                ("action_read", "on"),
                ("duration_minutes", "60"),
                ("case", &case),
            ],
        )
        .await;
    ok(&granted, "grant-access");
    let grant = location_param(&granted, "grant");
    let consents = my_consents(&customer).await;
    assert_eq!(consents.active[0].source, GrantSource::CustomerInitiative);
    assert_eq!(consents.active[0].actions, vec![Action::List, Action::Read]);
    assert!(decision(&app, &[Role::Support], JEANNE_MAILBOX)
        .await
        .is_allowed());

    ok(
        &customer.call("revoke-grant", &[("grant", &grant)]).await,
        "revoke-grant",
    );
    assert!(!decision(&app, &[Role::Support], JEANNE_MAILBOX)
        .await
        .is_allowed());
    let consents = my_consents(&customer).await;
    assert_eq!(consents.ended[0].end_reason, Some(EndReason::Revoked));
    let twice = customer.call("revoke-grant", &[("grant", &grant)]).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        audit_events(&app, JEANNE).await,
        vec![
            AuditEvent::CaseOpened,
            AuditEvent::GrantGivenByCustomer,
            AuditEvent::GrantRevoked
        ]
    );
}

async fn oral_consent_sends_a_receipt_that_revokes_in_one_click(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let officer = sign_in_staff(&app, PRIVACY_OFFICER, Utc::now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let form = [
        ("customer_number", JEANNE),
        ("resource", JEANNE_BACKUP),
        ("action_read", "on"),
        ("action_restore", "on"),
        ("duration_minutes", "120"),
        (
            "identification",
            "Rappelée au numéro du contrat, numéro de client confirmé",
        ),
        ("call_reference", "CALL-2026-0412"),
        (
            "scope_read_back",
            "Restaurer votre espace de backup, deux heures",
        ),
    ];
    let refused = officer.call("record-oral-consent", &form).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let missing = support.call("record-oral-consent", &form[..6]).await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.body
    );
    assert!(consent_mails(&app).await.is_empty());

    let recorded = support.call("record-oral-consent", &form).await;
    ok(&recorded, "record-oral-consent");
    let grant = location_param(&recorded, "grant");
    let revoke_path = format!("/account/consents/grants/{grant}/revoke");
    let mails = consent_mails(&app).await;
    assert_eq!(mails.len(), 1);
    let (to, subject, body) = &mails[0];
    assert_eq!(to, CUSTOMER);
    assert!(subject.contains("téléphone"), "{subject}");
    assert!(
        body.contains(&format!("{}{revoke_path}", app.base)),
        "{body}"
    );
    assert!(
        body.contains("CALL-2026-0412") && body.contains("Camille Rey"),
        "{body}"
    );

    let consents = my_consents(&customer).await;
    assert_eq!(consents.active[0].source, GrantSource::Oral);
    assert_eq!(
        consents.active[0].call_reference.as_deref(),
        Some("CALL-2026-0412")
    );
    assert_eq!(
        consents.active[0].recorded_by.as_ref().unwrap().name,
        "Camille Rey"
    );

    let page = customer.get(&revoke_path).await;
    ok(&page, "revoke page");
    assert!(page.body.contains("id=\"revoke-form\""));
    assert!(
        page.body.contains("action=\"/sf/revoke-grant\""),
        "a plain form"
    );
    let page = customer.get(&revoke_path).await;
    ok(&page, "opening the link twice");
    let shown: Option<OneGrant> = serde_json::from_str(
        &customer
            .call("get-my-grant", &[("grant", &grant)])
            .await
            .body,
    )
    .unwrap();
    assert!(
        shown.unwrap().grant.active,
        "opening the page revoked nothing"
    );
    assert!(decision(&app, &[Role::Sysadmin], JEANNE_BACKUP)
        .await
        .is_allowed());

    let revoked = post_plain(
        &app,
        &customer,
        "revoke-grant",
        &revoke_path,
        &[("grant", &grant)],
    )
    .await;
    assert_eq!(revoked.status, StatusCode::FOUND, "{}", revoked.body);
    assert_eq!(
        revoked.location(),
        Some(format!("/account/consents?done=revoked&grant={grant}").as_str())
    );
    assert!(!decision(&app, &[Role::Sysadmin], JEANNE_BACKUP)
        .await
        .is_allowed());
    let page = customer.get(&revoke_path).await;
    assert!(page.body.contains("id=\"already-ended\""));
    assert!(!page.body.contains("id=\"revoke-form\""));
    assert_eq!(
        audit_events(&app, JEANNE).await,
        vec![AuditEvent::GrantRecordedOrally, AuditEvent::GrantRevoked]
    );
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'consent'"
        )
        .await,
        1
    );
}

async fn the_pages_render_for_their_people_only(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;
    for path in [
        "/staff/consents",
        "/staff/consents/new",
        "/staff/consents/oral",
        "/staff/cases",
    ] {
        let page = support.get(path).await;
        ok(&page, path);
        assert!(page.body.contains("<form"), "{path}");
        assert_eq!(
            customer.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let staff_home = support.get("/staff").await;
    assert!(staff_home.body.contains("href=\"/staff/consents\""));
    let page = customer.get("/account/consents").await;
    ok(&page, "/account/consents");
    assert!(page.body.contains("id=\"grant-form\""));
    assert!(page.body.contains("id=\"no-pending\""));
    let home = customer.get("/account").await;
    assert!(home.body.contains("href=\"/account/consents\""));
    assert_eq!(
        support.get("/account/consents").await.status,
        StatusCode::FORBIDDEN
    );
    let officer = sign_in_staff(&app, PRIVACY_OFFICER, Utc::now()).await;
    assert!(!officer.get("/staff").await.body.contains("support-tools"));
    let as_a_browser = app
        .client
        .get(app.url("/staff/consents"))
        .header("accept", "text/html");
    let refused = officer.send(as_a_browser).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "not sent elsewhere");
    assert!(refused.body.contains("You are not allowed to do this."));
    let anonymous = Browser::new(&app)
        .get("/account/consents/grants/1/revoke")
        .await;
    assert_eq!(
        anonymous.location(),
        Some("/login?next=/account/consents/grants/1/revoke"),
        "the receipt's link leads through sign-in"
    );
}

on_both_backends!(
    a_mailbox_consent_lives_from_the_request_to_the_resolved_case,
    the_same_flow_works_without_javascript,
    a_customer_denies_with_a_reason,
    only_the_requester_withdraws,
    an_expired_request_cannot_be_approved,
    a_customer_cannot_touch_another_customers_consent,
    roles_are_checked_on_the_server,
    requests_name_the_customers_own_resource_and_open_case,
    a_customer_grants_and_revokes_on_their_own,
    oral_consent_sends_a_receipt_that_revokes_in_one_click,
    the_pages_render_for_their_people_only,
);
