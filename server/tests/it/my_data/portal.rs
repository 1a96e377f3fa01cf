//! The "my data" page and its forms over HTTP: corrections (validation, audit), the email change by link, and
//! requests about one's data with the privacy officer's list.

use chrono::{Duration, Utc};
use reqwest::StatusCode;

use crate::support::auth::{
    count, seeded_app, sign_in_customer, sign_in_staff, Browser, Reply, CUSTOMER, OTHER_CUSTOMER,
    PRIVACY_OFFICER, SUPPORT,
};
use crate::support::{Backend, TestApp};
use app::domain::CustomerNumber;
use app::ports::{CustomerId, MyDataStore, Storage};

async fn jeanne_id(app: &TestApp) -> CustomerId {
    let number = CustomerNumber::parse("C-100001").unwrap();
    app.store
        .customer_by_number(&number)
        .await
        .unwrap()
        .unwrap()
        .id
}

fn redirected_to(reply: &Reply) -> &str {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply
        .location()
        .unwrap_or_else(|| panic!("no location: {reply:?}"))
}

fn error_field(reply: &Reply) -> String {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    reply.json()["Invalid"]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

const GOOD: [(&str, &str); 7] = [
    ("phone", "021 555 01 23"),
    ("mobile", "079 123 45 67"),
    ("street", "Rue du Bourg 12"),
    ("postcode", "1003"),
    ("city", "Lausanne"),
    ("country", "CH"),
    ("language", "en"),
];

fn with(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    GOOD.iter()
        .map(|(name, value)| {
            let value = changes
                .iter()
                .find(|(changed, _)| changed == name)
                .map_or(*value, |(_, value)| *value);
            (*name, value)
        })
        .collect()
}

async fn corrections_are_validated_written_and_audited(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let id = jeanne_id(&app).await;
    let jeanne = sign_in_customer(&app, CUSTOMER).await;
    let page = jeanne.get("/account/data").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"personal-fields\""));
    assert!(
        page.body.contains("titulaire d’un contrat"),
        "the charter's words"
    );

    // Bad input: an error on the field, and nothing written.
    for (bad, field) in [
        (with(&[("phone", "011 123 45 67")]), "phone"),
        (with(&[("mobile", "079-ABC-45-67")]), "mobile"),
        (with(&[("postcode", "10034")]), "postcode"),
        (with(&[("country", "Suisse")]), "country"),
        (with(&[("street", " ")]), "street"),
        (with(&[("language", "de")]), "language"),
    ] {
        let reply = jeanne.call("correct-my-data", &bad).await;
        assert_eq!(error_field(&reply), field, "{bad:?}");
    }
    assert_eq!(
        count(&app.store, "SELECT COUNT(*) FROM customer_field_changes").await,
        0
    );
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM audit_log WHERE event_code = 6100"
        )
        .await,
        0
    );

    // Without JavaScript the error comes back in the page's query, next to the field.
    let plain = app
        .client
        .post(app.url("/sf/correct-my-data"))
        .header("origin", &app.base)
        .header("referer", app.url("/account/data"))
        .header("accept", "text/html")
        .form(&with(&[("phone", "12")]));
    let reply = jeanne.send(plain).await;
    assert!(reply.status.is_redirection(), "{reply:?}");
    let location = reply.location().unwrap().to_owned();
    assert!(
        location.starts_with("/account/data?error=invalid&field=phone"),
        "{location}"
    );
    let shown = jeanne.get(&location).await;
    assert!(
        shown.body.contains("id=\"field-phone-error\""),
        "{}",
        shown.body
    );

    // A good correction: E.164, one change row per field, one audit entry naming the fields.
    let reply = jeanne.call("correct-my-data", &GOOD).await;
    assert_eq!(redirected_to(&reply), "/account/data?done=corrected");
    let stored = app.store.customer(id).await.unwrap().unwrap().details;
    assert_eq!(
        stored.phone.map(String::from).as_deref(),
        Some("+41215550123")
    );
    assert_eq!(
        stored.mobile.map(String::from).as_deref(),
        Some("+41791234567")
    );
    assert_eq!(stored.language.code(), "en");
    let changes = app.store.field_changes(id).await.unwrap();
    let fields: Vec<&str> = changes.iter().map(|change| change.field.as_str()).collect();
    assert!(
        fields.contains(&"phone") && fields.contains(&"mobile") && fields.contains(&"language")
    );
    let entries = count(
        &app.store,
        "SELECT COUNT(*) FROM audit_log WHERE event_code = 6100 AND actor_kind = 'customer'",
    )
    .await;
    assert_eq!(entries, 1);
    // The page says who changed it and when.
    let page = jeanne.get("/account/data").await;
    assert!(page.body.contains("par vous"), "{}", page.body);

    // The same values again: nothing changes, nothing is logged.
    let reply = jeanne.call("correct-my-data", &GOOD).await;
    assert_eq!(redirected_to(&reply), "/account/data?done=unchanged");
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM audit_log WHERE event_code = 6100"
        )
        .await,
        1
    );
    // An empty phone clears it.
    let reply = jeanne
        .call("correct-my-data", &with(&[("phone", "")]))
        .await;
    assert_eq!(redirected_to(&reply), "/account/data?done=corrected");
    assert!(app
        .store
        .customer(id)
        .await
        .unwrap()
        .unwrap()
        .details
        .phone
        .is_none());

    // Staff have no "my data".
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    assert_eq!(
        support.call("correct-my-data", &GOOD).await.status,
        StatusCode::FORBIDDEN
    );
}

/// The link of the last confirmation mail queued to `address`.
async fn link_sent_to(app: &TestApp, address: &str) -> String {
    let body: String = match &app.store {
        server::storage::SqlStore::Sqlite(pool) => sqlx::query_scalar(
            "SELECT body_text FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(address)
        .fetch_one(pool)
        .await
        .unwrap(),
        server::storage::SqlStore::Postgres(pool) => sqlx::query_scalar(
            "SELECT body_text FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(address)
        .fetch_one(pool)
        .await
        .unwrap(),
    };
    let start = body.find("/email-confirmation/").expect("a link");
    body[start..].split_whitespace().next().unwrap().to_owned()
}

async fn a_new_email_takes_effect_only_through_the_link_sent_to_it(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let id = jeanne_id(&app).await;
    let jeanne = sign_in_customer(&app, CUSTOMER).await;
    let new = "jeanne@favre-nouvelle.ch";
    let wrong = jeanne
        .call(
            "request-email-change",
            &[("email", new), ("password", "not her password")],
        )
        .await;
    assert_eq!(error_field(&wrong), "password");
    let taken = jeanne
        .call(
            "request-email-change",
            &[
                ("email", OTHER_CUSTOMER),
                ("password", server::seed::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(error_field(&taken), "email");
    let bad = jeanne
        .call(
            "request-email-change",
            &[
                ("email", "jeanne@"),
                ("password", server::seed::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(error_field(&bad), "email");

    let reply = jeanne
        .call(
            "request-email-change",
            &[("email", new), ("password", server::seed::DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(redirected_to(&reply), "/account/data?done=email-link-sent");
    // Nothing changed yet; the page shows the pending address.
    assert_eq!(
        app.store
            .customer(id)
            .await
            .unwrap()
            .unwrap()
            .details
            .email
            .as_str(),
        CUSTOMER
    );
    assert!(jeanne.get("/account/data").await.body.contains(new));
    let path = link_sent_to(&app, new).await;
    let token = path.trim_start_matches("/email-confirmation/").to_owned();
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'account-security'"
        )
        .await,
        1
    );

    // Opening the link shows a button; only posting it confirms. No sign-in needed.
    let stranger = Browser::new(&app);
    let page = stranger.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("confirm-email-form"));
    assert_eq!(
        app.store
            .customer(id)
            .await
            .unwrap()
            .unwrap()
            .details
            .email
            .as_str(),
        CUSTOMER
    );
    let confirmed = stranger
        .call("confirm-email-change", &[("token", &token)])
        .await;
    assert_eq!(
        redirected_to(&confirmed),
        "/account/data?done=email-changed"
    );
    assert_eq!(
        app.store
            .customer(id)
            .await
            .unwrap()
            .unwrap()
            .details
            .email
            .as_str(),
        new
    );
    assert_eq!(
        count(
            &app.store,
            &format!("SELECT COUNT(*) FROM accounts WHERE email = '{new}'")
        )
        .await,
        1
    );
    // The old address is told; the change is in the log as an account security event; and signs in.
    assert_eq!(
        count(&app.store, &format!("SELECT COUNT(*) FROM outbox WHERE recipient = '{CUSTOMER}' AND kind = 'account-security'")).await,
        1
    );
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM audit_log WHERE event_code = 1023 AND customer_id IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM customer_field_changes WHERE field = 'email'"
        )
        .await,
        1
    );
    let again = Browser::new(&app);
    assert_eq!(
        again.log_in(new, server::seed::DEMO_PASSWORD).await.status,
        StatusCode::OK
    );
    // A link works once.
    let reused = stranger
        .call("confirm-email-change", &[("token", &token)])
        .await;
    assert_eq!(reused.status, StatusCode::GONE);
    let forged = stranger
        .call("confirm-email-change", &[("token", "00")])
        .await;
    assert_eq!(forged.status, StatusCode::GONE);
}

async fn requests_about_ones_data_run_on_a_30_day_clock(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let id = jeanne_id(&app).await;
    let jeanne = sign_in_customer(&app, CUSTOMER).await;
    for (bad, field) in [
        (vec![("kind", "delete"), ("body", "x")], "kind"),
        (vec![("kind", "erasure"), ("body", "  ")], "body"),
    ] {
        assert_eq!(
            error_field(&jeanne.call("file-data-request", &bad).await),
            field
        );
    }
    let before = Utc::now();
    let reply = jeanne
        .call(
            "file-data-request",
            &[("kind", "erasure"), ("body", "Effacez mon ancien numéro.")],
        )
        .await;
    assert!(redirected_to(&reply).starts_with("/account/data?done=request-filed"));
    let requests = app.store.data_requests_of(id).await.unwrap();
    assert_eq!(requests.len(), 1);
    let due = requests[0].due_at - requests[0].filed_at;
    assert_eq!(due, Duration::days(30));
    assert!(requests[0].filed_at >= before - Duration::seconds(1));
    let page = jeanne.get("/account/data").await;
    assert!(page.body.contains("jours restants"), "the clock is shown");

    // The customer cannot see the officer's list; support cannot either.
    assert_eq!(
        jeanne.call("list-open-data-requests", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    assert_eq!(
        support.call("list-open-data-requests", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let request = requests[0].id.to_string();
    assert_eq!(
        support
            .call(
                "answer-data-request",
                &[("request", &request), ("answer", "Fait.")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let officer = sign_in_staff(&app, PRIVACY_OFFICER, Utc::now()).await;
    let open = officer.call("list-open-data-requests", &[]).await.json();
    assert_eq!(open.as_array().map(Vec::len), Some(1), "{open}");
    assert_eq!(open[0]["customer_number"], "C-100001");
    assert_eq!(open[0]["request"]["days_left"], 29);
    assert!(officer
        .get("/privacy/data-requests")
        .await
        .body
        .contains("Effacez mon ancien"));
    let empty = officer
        .call(
            "answer-data-request",
            &[("request", &request), ("answer", " ")],
        )
        .await;
    assert_eq!(error_field(&empty), "answer");
    let unknown = officer
        .call(
            "answer-data-request",
            &[("request", "999999"), ("answer", "Fait.")],
        )
        .await;
    assert_eq!(error_field(&unknown), "request", "no such request");
    let answered = officer
        .call(
            "answer-data-request",
            &[
                ("request", &request),
                ("answer", "Numéro effacé le jour même."),
            ],
        )
        .await;
    assert_eq!(
        redirected_to(&answered),
        "/privacy/data-requests?done=answered"
    );
    let told = format!(
        "SELECT COUNT(*) FROM outbox WHERE recipient = '{CUSTOMER}' AND customer_id = {} AND kind = 'data-request' \
         AND subject = 'Réponse à votre demande concernant vos données' \
         AND body_text LIKE '%/account/data#requests%' AND body_text NOT LIKE '%Numéro effacé%'",
        id.0
    );
    assert_eq!(
        count(&app.store, &told).await,
        1,
        "she is told there is an answer, with a link and without the answer itself"
    );
    let twice = officer
        .call(
            "answer-data-request",
            &[("request", &request), ("answer", "Encore.")],
        )
        .await;
    assert_eq!(error_field(&twice), "request");
    assert_eq!(
        count(&app.store, &told).await,
        1,
        "a refused answer sends nothing"
    );
    assert_eq!(
        officer.call("list-open-data-requests", &[]).await.json(),
        serde_json::json!([])
    );
    assert!(jeanne
        .get("/account/data")
        .await
        .body
        .contains("Numéro effacé le jour même."));
    // Both steps are in her log.
    assert_eq!(
        count(&app.store, &format!("SELECT COUNT(*) FROM audit_log WHERE customer_id = {} AND event_code IN (6110, 6111)", id.0)).await,
        2
    );
}

on_both_backends!(
    corrections_are_validated_written_and_audited,
    a_new_email_takes_effect_only_through_the_link_sent_to_it,
    requests_about_ones_data_run_on_a_30_day_clock,
);
