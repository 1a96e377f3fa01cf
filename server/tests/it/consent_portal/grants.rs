//! Grants that do not come from a request: given by the customer, or recorded by staff as oral consent.

use super::*;

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
                ("usable_by", "support-and-sysadmins"),
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
                ("usable_by", "support-and-sysadmins"),
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
                ("usable_by", "support-and-sysadmins"),
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
    assert!(decision(&app, SUPPORT, JEANNE_MAILBOX).await.is_allowed());
    let glance = my_glance(&customer).await;
    // The same grant, told the same way (its seconds left move between the two readings).
    let told =
        |grant: &app::api::GrantSummary| (grant.id, grant.resource.clone(), grant.actions.clone());
    assert_eq!(
        glance.active.iter().map(told).collect::<Vec<_>>(),
        consents.active.iter().map(told).collect::<Vec<_>>()
    );
    assert_eq!(glance.pending, 0);

    ok(
        &customer.call("revoke-grant", &[("grant", &grant)]).await,
        "revoke-grant",
    );
    assert!(!decision(&app, SUPPORT, JEANNE_MAILBOX).await.is_allowed());
    let consents = my_consents(&customer).await;
    assert_eq!(consents.ended[0].end_reason, Some(EndReason::Revoked));
    assert!(my_glance(&customer).await.active.is_empty());
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
    assert!(
        body.contains("Camille Rey, et à personne d’autre"),
        "the receipt says who may use the consent: {body}"
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
    assert!(decision(&app, SUPPORT, JEANNE_BACKUP).await.is_allowed());
    assert_eq!(
        decision(&app, SYSADMIN, JEANNE_BACKUP).await,
        Decision::Deny {
            rule: DenyRule::GrantForSomeoneElse
        },
        "the customer agreed on the phone with Camille Rey, not with her colleagues"
    );

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
    assert!(!decision(&app, SUPPORT, JEANNE_BACKUP).await.is_allowed());
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

/// What the integration API answers `staff` about reading Jeanne's backup space.
async fn api_decision(app: &TestApp, token: &str, staff: &str) -> serde_json::Value {
    let reply = app
        .client
        .post(app.url("/api/v1/access-checks"))
        .bearer_auth(token)
        .json(&serde_json::json!({
            "staff": staff, "customer": JEANNE, "resource": JEANNE_BACKUP, "action": "read"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    reply.json().await.unwrap()
}

async fn a_grant_for_one_agent_is_refused_to_a_colleague_until_the_customer_opens_it_to_the_team(
    backend: Backend,
) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let token = server::tokens::create_service_token(
        &app.store,
        "backup-gateway",
        &[server::tokens::Scope::AccessChecks],
        Utc::now(),
    )
    .await
    .unwrap();
    let camille = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;

    let request = request_id(&camille, JEANNE, JEANNE_BACKUP, "").await;
    let approved = customer
        .call("approve-request", &[("request", &request)])
        .await;
    ok(&approved, "approve-request");
    let for_camille = api_decision(&app, &token, SUPPORT).await;
    assert_eq!(for_camille["decision"], "allow", "{for_camille}");
    assert_eq!(for_camille["usable_by"], "named-staff-member");
    // Samuel Dubois is in the support team too, but the customer answered Camille Rey.
    assert_eq!(
        api_decision(&app, &token, SUPPORT_AND_SYSADMIN).await,
        serde_json::json!({"decision": "deny", "basis": "grant-for-someone-else"})
    );
    assert_eq!(
        decision(&app, SUPPORT_AND_SYSADMIN, JEANNE_BACKUP).await,
        Decision::Deny {
            rule: DenyRule::GrantForSomeoneElse
        }
    );
    let consents = my_consents(&customer).await;
    assert_eq!(consents.active.len(), 1);
    assert!(
        matches!(&consents.active[0].usable_by, GrantUsers::StaffMember(who) if who.name == "Camille Rey"),
        "{:?}",
        consents.active[0].usable_by
    );
    let page = customer.get("/account/consents").await;
    ok(&page, "the consents page");
    assert!(page.body.contains("class=\"usable-by\""), "{}", page.body);

    let request = request_id(&camille, JEANNE, JEANNE_BACKUP, "").await;
    let widened = customer
        .call(
            "approve-request",
            &[("request", &request), ("usable_by", "support")],
        )
        .await;
    ok(&widened, "approve-request for the support team");
    let for_samuel = api_decision(&app, &token, SUPPORT_AND_SYSADMIN).await;
    assert_eq!(for_samuel["decision"], "allow", "{for_samuel}");
    assert_eq!(for_samuel["usable_by"], "support");
    assert!(decision(&app, SUPPORT_AND_SYSADMIN, JEANNE_BACKUP)
        .await
        .is_allowed());
    assert_eq!(
        api_decision(&app, &token, SYSADMIN).await["basis"],
        "grant-for-someone-else",
        "opened to support, not to the system administrators"
    );
    let consents = my_consents(&customer).await;
    assert!(consents
        .active
        .iter()
        .any(|grant| grant.usable_by == GrantUsers::Teams(Teams::Support)));

    let refusals = count(
        &app.store,
        "SELECT COUNT(*) FROM audit_log WHERE event_code = 3000 AND outcome = 'denied' \
         AND basis_rule = 'grant-for-someone-else'",
    )
    .await;
    assert_eq!(refusals, 2, "each refusal is on record with its rule");
}

on_both_backends!(
    a_customer_grants_and_revokes_on_their_own,
    a_grant_for_one_agent_is_refused_to_a_colleague_until_the_customer_opens_it_to_the_team,
    oral_consent_sends_a_receipt_that_revokes_in_one_click,
);
