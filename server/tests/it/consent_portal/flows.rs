//! The mailbox consent from request to resolved case, with and without JavaScript, and the other ways a request ends.

use super::*;

async fn a_mailbox_consent_lives_from_the_request_to_the_resolved_case(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;

    let case = open_case(&support, JEANNE, "Webmail très lent").await;
    let request = request_id(&support, JEANNE, JEANNE_MAILBOX, &case).await;
    assert_eq!(
        decision(&app, SUPPORT, JEANNE_MAILBOX).await,
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
    } = decision(&app, SUPPORT, JEANNE_MAILBOX).await
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
        decision(&app, SUPPORT, JEANNE_MAILBOX).await,
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
    assert!(
        shown.body.contains("cas de support"),
        "the page says why, in French"
    );

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
    // Each grant has its own anchor, which the access log links to.
    let grant_anchor = page
        .body
        .split("data-grant=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|id| format!("id=\"grant-{id}\""))
        .expect("an active grant");
    assert!(page.body.contains(&grant_anchor), "{grant_anchor}");
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
    let news_of = |queue: ConsentQueue| {
        queue
            .requests
            .into_iter()
            .find(|shown| shown.id.to_string() == request)
            .map(|shown| (shown.state, shown.news))
    };
    assert_eq!(
        news_of(consent_queue(&sysadmin).await),
        Some((RequestStateKind::Pending, false))
    );

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
        "Cette demande a déjà été refusée."
    );
    assert!(!decision(&app, SYSADMIN, JEANNE_BACKUP).await.is_allowed());
    assert_eq!(
        audit_events(&app, JEANNE).await,
        vec![AuditEvent::RequestOpened, AuditEvent::RequestDenied]
    );
    assert_eq!(
        news_of(consent_queue(&sysadmin).await),
        Some((RequestStateKind::Denied, true)),
        "the requester's queue marks the refusal"
    );
    assert_eq!(
        news_of(consent_queue(&sysadmin).await),
        Some((RequestStateKind::Denied, false)),
        "once seen, it is no longer news"
    );
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    assert_eq!(
        news_of(consent_queue(&support).await),
        Some((RequestStateKind::Denied, false)),
        "news only for the one who asked"
    );
    let page = sysadmin.get("/staff/consents").await;
    ok(&page, "the queue page");
    let told = consent_mails_to(&app, SYSADMIN).await;
    assert_eq!(told.len(), 1, "the requester is told, once: {told:?}");
    assert!(told[0].1.contains(&format!("Request {request} denied")));
    assert!(
        !told[0].2.contains("Pas maintenant"),
        "the customer's reason stays in the portal"
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
    assert_eq!(my_glance(&customer).await.pending, 1);

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
        "Cette demande a expiré sans réponse."
    );
    let consents = my_consents(&customer).await;
    assert!(consents.pending.is_empty() && consents.active.is_empty());
    assert_eq!(consents.past_requests[0].state, RequestStateKind::Expired);
    let glance = my_glance(&customer).await;
    assert_eq!((glance.pending, glance.active.len()), (0, 0));
    let withdraw = support
        .call("withdraw-request", &[("request", &request)])
        .await;
    assert_eq!(withdraw.status, StatusCode::UNPROCESSABLE_ENTITY);
}

on_both_backends!(
    a_mailbox_consent_lives_from_the_request_to_the_resolved_case,
    the_same_flow_works_without_javascript,
    a_customer_denies_with_a_reason,
    only_the_requester_withdraws,
    an_expired_request_cannot_be_approved,
);
