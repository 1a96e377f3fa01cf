//! Support sees a customer's consents from one of the customer's cases, and every look is in the customer's log.

use super::*;
use app::api::CustomerConsents;

async fn support_sees_a_customer_s_consents_from_a_case_and_the_look_is_on_record(
    backend: Backend,
) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let officer = sign_in_staff(&app, PRIVACY_OFFICER, Utc::now()).await;
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let case = open_case(&support, JEANNE, "Webmail très lent").await;
    let request = request_id(&support, JEANNE, JEANNE_MAILBOX, &case).await;
    let granted = customer
        .call(
            "grant-access",
            &[
                ("usable_by", "sysadmins"),
                ("resource", JEANNE_BACKUP),
                ("action_read", "on"),
                ("duration_minutes", "60"),
            ],
        )
        .await;
    ok(&granted, "grant-access");
    let before = audit_events(&app, JEANNE).await;

    let reply = support
        .call("get-customer-consents", &[("case", &case)])
        .await;
    ok(&reply, "get-customer-consents");
    let seen: CustomerConsents = serde_json::from_str(&reply.body).unwrap();
    let shown_case = seen.case.as_ref().expect("the case");
    assert_eq!(shown_case.id.to_string(), case);
    assert_eq!(seen.customer.number, JEANNE);
    assert_eq!(seen.state.pending.len(), 1);
    assert_eq!(seen.state.pending[0].id.to_string(), request);
    assert!(seen.state.pending[0].mine, "the agent's own request");
    assert_eq!(seen.state.active.len(), 1);
    assert_eq!(seen.state.active[0].source, GrantSource::CustomerInitiative);
    assert_eq!(
        seen.state.active[0].usable_by,
        GrantUsers::Teams(Teams::Sysadmins)
    );
    let after = audit_events(&app, JEANNE).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last(), Some(&AuditEvent::ConsentStateViewed));

    let page = support.get(&format!("/staff/cases/{case}")).await;
    ok(&page, "the case's consents page");
    for part in [
        "id=\"active-grants\"",
        "id=\"pending-requests\"",
        "class=\"usable-by\"",
        "Jeanne",
    ] {
        assert!(page.body.contains(part), "{part} in {}", page.body);
    }
    assert_eq!(
        audit_events(&app, JEANNE).await.len(),
        after.len() + 1,
        "the page is a look too"
    );

    let by_number = support
        .call("get-customer-consents", &[("customer_number", JEANNE)])
        .await;
    ok(&by_number, "get-customer-consents by customer number");
    let by_number: CustomerConsents = serde_json::from_str(&by_number.body).unwrap();
    assert_eq!(by_number.customer.number, JEANNE);
    assert!(by_number.case.is_none());
    let ids = |shown: &CustomerConsents| {
        (
            shown
                .state
                .pending
                .iter()
                .map(|request| request.id)
                .collect::<Vec<_>>(),
            shown
                .state
                .active
                .iter()
                .map(|grant| grant.id)
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        ids(&by_number),
        ids(&seen),
        "the same consents, whichever way they are reached"
    );
    let page = support.get(&format!("/staff/customers/{JEANNE}")).await;
    ok(&page, "the customer's consents page");
    assert!(page.body.contains("id=\"active-grants\""), "{}", page.body);
    assert_eq!(
        audit_events(&app, JEANNE).await.len(),
        after.len() + 3,
        "each look is on record"
    );
    let both = support
        .call(
            "get-customer-consents",
            &[("case", case.as_str()), ("customer_number", JEANNE)],
        )
        .await;
    assert_eq!(
        both.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        both.body
    );

    let refused = officer
        .call("get-customer-consents", &[("case", &case)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let unknown = support
        .call("get-customer-consents", &[("case", "999999")])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        audit_events(&app, JEANNE).await.len(),
        after.len() + 3,
        "a refused look shows nothing and is not a look at Jeanne's consents"
    );
}

on_both_backends!(support_sees_a_customer_s_consents_from_a_case_and_the_look_is_on_record);
