//! A privacy officer drafts (raw HTML shown escaped), compares and publishes a version; every customer gets the
//! terms-change notice; a customer sees the banner everywhere in their area until they acknowledge the version.
//! Everyone else is refused.

use chrono::Utc;
use reqwest::StatusCode;

use crate::support::auth::{
    count, seeded_app, sign_in_customer, sign_in_staff, Browser, CUSTOMER, OTHER_CUSTOMER,
    PRIVACY_OFFICER, SUPPORT,
};
use crate::support::{Backend, TestApp};

const DRAFT_FR: &str = "# Charte de confidentialité\n\nToutes les sauvegardes sont détruites après 14 jours.\n\n<script>alert('fr')</script>\n";
const DRAFT_EN: &str = "# Privacy charter\n\nAll backups are destroyed after 14 days.\n";

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    count(&app.store, sql).await
}

fn revision_of(page: &str) -> String {
    let marker = "name=\"revision\" value=\"";
    let start = page
        .find(marker)
        .expect("the publish form names the draft's revision")
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

async fn publish_notify_acknowledge(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let officer = sign_in_staff(&app, PRIVACY_OFFICER, Utc::now()).await;
    let page = officer.get("/privacy/charter").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Conscients de lʼimportance"),
        "the draft starts from the version in force"
    );

    let empty = officer
        .call("save-charter-draft", &[("text_fr", " "), ("text_en", "x")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.json()["Invalid"]["field"],
        "text_fr",
        "{}",
        empty.body
    );

    // Even a text that tries to close the text area it is edited in stays text.
    let hostile_en = format!("{DRAFT_EN}\n</textarea><script>alert('en')</script>\n");
    let saved = officer
        .call(
            "save-charter-draft",
            &[("text_fr", DRAFT_FR), ("text_en", &hostile_en)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let page = officer.get("/privacy/charter").await;
    assert!(
        page.body
            .contains("&lt;script&gt;alert(&#39;fr&#39;)&lt;/script&gt;")
            || page
                .body
                .contains("&lt;script&gt;alert('fr')&lt;/script&gt;"),
        "shown escaped"
    );
    if let Some(at) = page.body.find("<script>alert") {
        panic!(
            "never passed through: …{}…",
            &page.body[at.saturating_sub(300)..(at + 100).min(page.body.len())]
        );
    }
    assert!(
        page.body.contains("<ins>") && page.body.contains("<del>"),
        "the differences with version 1"
    );
    let revision = revision_of(&page.body);

    let past = officer
        .call(
            "publish-charter",
            &[
                ("revision", &revision),
                ("effective_on", "2020-01-01"),
                ("summary", "x"),
            ],
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(past.json()["Invalid"]["field"], "effective_on");
    let stale = officer
        .call(
            "publish-charter",
            &[
                ("revision", "999"),
                ("effective_on", &Utc::now().format("%Y-%m-%d").to_string()),
                ("summary", "x"),
            ],
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        stale.body
    );
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM charter_versions").await,
        1
    );

    let customers = scalar(&app, "SELECT COUNT(*) FROM customers").await;
    let today = Utc::now().format("%Y-%m-%d").to_string();
    let published = officer
        .call(
            "publish-charter",
            &[
                ("revision", &revision),
                ("effective_on", &today),
                ("summary", "Les sauvegardes sont gardées 14 jours."),
            ],
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert_eq!(
        published.location(),
        Some(format!("/privacy/charter?done=published&version=2&customers={customers}").as_str())
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'terms-change'"
        )
        .await,
        customers,
        "every customer is sent the notice"
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE event_code = 6000"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT customers FROM charter_notices WHERE version = 2"
        )
        .await,
        customers
    );

    // Public at once, escaped there too, and compared word by word.
    let anyone = Browser::new(&app);
    let charter = anyone.get("/charter").await;
    assert!(charter.body.contains("data-version=\"2\""));
    assert!(!charter.body.contains("<script>alert"));
    let diff = anyone.get("/charter/diff?from=1&to=2").await;
    assert_eq!(diff.status, StatusCode::OK);
    assert!(diff.body.contains("<ins>") && diff.body.contains("[début d’ajout]"));
    assert!(diff.body.contains("<del>") && diff.body.contains("[début de suppression]"));
    assert!(diff.body.contains("14"));

    // The customer is asked on every page of their area, and can still use it.
    let customer = sign_in_customer(&app, CUSTOMER).await;
    for path in ["/account", "/account/consents", "/account/messages"] {
        let page = customer.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("id=\"charter-banner\""), "{path}");
    }
    let ledger = customer.call("list-my-messages", &[]).await;
    assert!(ledger.body.contains("terms-change"), "{}", ledger.body);
    let wrong = customer
        .call("acknowledge-charter", &[("version", "1")])
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "version 1 asks no acknowledgement"
    );
    let acknowledged = customer
        .call(
            "acknowledge-charter",
            &[("version", "2"), ("back", "/account/consents")],
        )
        .await;
    assert_eq!(acknowledged.status, StatusCode::OK, "{}", acknowledged.body);
    assert_eq!(
        acknowledged.location(),
        Some("/account/consents?done=charter-acknowledged")
    );
    let elsewhere = customer
        .call(
            "acknowledge-charter",
            &[("version", "2"), ("back", "https://evil.example/account")],
        )
        .await;
    assert_eq!(
        elsewhere.location(),
        Some("/account?done=charter-acknowledged"),
        "only our own pages"
    );
    assert!(!customer
        .get("/account")
        .await
        .body
        .contains("id=\"charter-banner\""));
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE event_code = 6001"
        )
        .await,
        1,
        "acknowledged once"
    );
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM charter_acknowledgements").await,
        1
    );
    let other = sign_in_customer(&app, OTHER_CUSTOMER).await;
    assert!(other
        .get("/account")
        .await
        .body
        .contains("id=\"charter-banner\""));
}

async fn only_privacy_officers_draft_and_publish(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let customer = sign_in_customer(&app, CUSTOMER).await;
    let support = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    let anyone = Browser::new(&app);
    for browser in [&customer, &support] {
        for (name, form) in [
            (
                "save-charter-draft",
                vec![("text_fr", "# x"), ("text_en", "# y")],
            ),
            (
                "publish-charter",
                vec![
                    ("revision", "1"),
                    ("effective_on", "2030-01-01"),
                    ("summary", "s"),
                ],
            ),
            ("get-charter-draft", vec![]),
            ("send-charter-notice", vec![("version", "1")]),
        ] {
            let reply = browser.call(name, &form).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{name}: {}",
                reply.body
            );
        }
    }
    let reply = anyone
        .call(
            "save-charter-draft",
            &[("text_fr", "# x"), ("text_en", "# y")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let officer = sign_in_staff(&app, PRIVACY_OFFICER, Utc::now()).await;
    let reply = officer
        .call("acknowledge-charter", &[("version", "1")])
        .await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "only customers acknowledge"
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM charter_draft").await, 0);
    assert_eq!(
        customer.get("/privacy/charter").await.status,
        StatusCode::FORBIDDEN
    );
}

on_both_backends!(
    publish_notify_acknowledge,
    only_privacy_officers_draft_and_publish
);
