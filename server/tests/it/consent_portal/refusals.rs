//! What the server refuses: other customers' consents, the wrong roles, resources and cases that are not the customer's, pages for the wrong people.

use super::*;

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
                ("usable_by", "support-and-sysadmins"),
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
    assert!(decision(&app, SYSADMIN, JEANNE_BACKUP).await.is_allowed());

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
        .contains("Cet élément n’existe pas, ou il n’est pas le vôtre."));
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
    assert!(refused
        .body
        .contains("Vous n’êtes pas autorisé à faire ceci."));
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
    a_customer_cannot_touch_another_customers_consent,
    roles_are_checked_on_the_server,
    requests_name_the_customers_own_resource_and_open_case,
    the_pages_render_for_their_people_only,
);
