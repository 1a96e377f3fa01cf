//! The customer's messages page and the privacy officer's screens over HTTP, as the browser calls them with and
//! without JavaScript; who may do what is checked on the server.

use chrono::Utc;
use reqwest::StatusCode;

use crate::support::auth::{
    seeded_app, sign_in_customer, sign_in_staff, Reply, CUSTOMER, OTHER_CUSTOMER, PRIVACY_OFFICER,
    SUPPORT,
};
use crate::support::Backend;
use app::domain::CustomerNumber;
use app::ports::{MailStore, Storage};

fn redirected_to(reply: &Reply) -> &str {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply
        .location()
        .unwrap_or_else(|| panic!("no location: {reply:?}"))
}

async fn customers_see_every_message_and_may_turn_off_new_service_announcements(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let officer = sign_in_staff(&app, PRIVACY_OFFICER, Utc::now()).await;
    let announce = [
        ("title", "Object storage"),
        ("description", "S3-compatible, in Geneva."),
    ];
    let reply = officer.call("announce-new-service", &announce).await;
    assert_eq!(
        redirected_to(&reply),
        "/privacy/announcements?done=announced&customers=5"
    );

    let jeanne = sign_in_customer(&app, CUSTOMER).await;
    let page = jeanne.get("/account/messages").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Nouveau service : Object storage"),
        "{}",
        page.body
    );
    assert!(page.body.contains("data-kind=\"new-service\""));
    assert!(page.body.contains("id=\"preferences-form\""));
    assert!(jeanne
        .get("/account")
        .await
        .body
        .contains("href=\"/account/messages\""));

    // Unticked: the box is absent from the form, and announcements stop.
    let reply = jeanne.call("set-mail-preferences", &[]).await;
    assert_eq!(redirected_to(&reply), "/account/messages?done=preferences");
    let number = CustomerNumber::parse("C-100001").unwrap();
    let id = app
        .store
        .customer_by_number(&number)
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(
        !app.store
            .mail_preferences(id)
            .await
            .unwrap()
            .new_service_announcements
    );
    let reply = officer.call("announce-new-service", &announce).await;
    assert_eq!(
        redirected_to(&reply),
        "/privacy/announcements?done=announced&customers=4"
    );
    assert_eq!(app.store.ledger_of(id).await.unwrap().len(), 1);

    // The same form without JavaScript: a plain post, answered with a redirect to the page.
    let plain = app
        .client
        .post(app.url("/sf/set-mail-preferences"))
        .header("origin", &app.base)
        .header("accept", "text/html")
        .form(&[("new_service", "on")]);
    let reply = jeanne.send(plain).await;
    assert!(reply.status.is_redirection(), "{reply:?}");
    assert_eq!(reply.location(), Some("/account/messages?done=preferences"));
    assert!(
        app.store
            .mail_preferences(id)
            .await
            .unwrap()
            .new_service_announcements
    );

    // Only their own messages: the ledger comes from the session, and staff have none.
    let luca = sign_in_customer(&app, OTHER_CUSTOMER).await;
    let theirs = luca.call("list-my-messages", &[]).await.json();
    assert_eq!(
        theirs["messages"].as_array().map(Vec::len),
        Some(2),
        "{theirs}"
    );
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    assert_eq!(
        support.call("list-my-messages", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        support.get("/account/messages").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn the_privacy_officer_declares_an_incident_its_customers_see(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let officer = sign_in_staff(&app, PRIVACY_OFFICER, Utc::now()).await;
    let form = |title: &'static str, numbers: &'static str| {
        vec![
            ("title", title),
            ("what_happened", "A <b>disk array</b> failed."),
            ("what_it_means", "Last night's backups are missing."),
            ("backup_space", "on"),
            ("audience", "list"),
            ("customer_numbers", numbers),
        ]
    };
    let reply = officer
        .call(
            "declare-incident",
            &form("Backup node lost", "C-100001, C-100003\nC-100001"),
        )
        .await;
    let location = redirected_to(&reply).to_owned();
    assert!(
        location.starts_with("/privacy/incidents?done=declared&incident="),
        "{location}"
    );
    assert!(location.ends_with("&customers=2"), "{location}");

    let jeanne = sign_in_customer(&app, CUSTOMER).await;
    for page in ["/account/messages", "/account"] {
        let body = jeanne.get(page).await.body;
        assert!(body.contains("id=\"my-incidents\""), "{page}: {body}");
        assert!(body.contains("Backup node lost"));
        assert!(
            body.contains("A &lt;b&gt;disk array&lt;/b&gt; failed."),
            "escaped on the page"
        );
    }
    let luca = sign_in_customer(&app, OTHER_CUSTOMER).await;
    assert!(!luca
        .get("/account/messages")
        .await
        .body
        .contains("Backup node lost"));
    let list = officer.get("/privacy/incidents").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Backup node lost"));

    // By service: every customer with a mailbox.
    let mut by_service = form("Mail relay outage", "");
    by_service[3] = ("mailbox", "on");
    by_service[4] = ("audience", "services");
    let location = redirected_to(&officer.call("declare-incident", &by_service).await).to_owned();
    assert!(!location.ends_with("&customers=0"), "{location}");

    // Bad input is a form error on its field.
    for (fields, field) in [
        (form("Two\nlines", "C-100001"), "title"),
        (form("Unknown", "C-999999"), "customer_numbers"),
        (form("Nobody", " "), "customer_numbers"),
    ] {
        let reply = officer.call("declare-incident", &fields).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            reply.body
        );
        assert!(reply.body.contains(field), "{field}: {}", reply.body);
    }
    let mut no_service = form("No service", "C-100001");
    no_service.remove(3);
    let reply = officer.call("declare-incident", &no_service).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(reply.body.contains("services"));

    // Nobody else declares or lists incidents.
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let fields = form("Not mine to say", "C-100001");
    assert_eq!(
        support.call("declare-incident", &fields).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        jeanne.call("declare-incident", &fields).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        support.call("list-incidents", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let announce = [("title", "x"), ("description", "y")];
    assert_eq!(
        support.call("announce-new-service", &announce).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.store.incidents().await.unwrap().len(), 2);
}

on_both_backends!(
    customers_see_every_message_and_may_turn_off_new_service_announcements,
    the_privacy_officer_declares_an_incident_its_customers_see,
);
