//! Which language a page is written in: this browser's choice (the switch), else the customer's language of record
//! at sign-in, else `Accept-Language`, else French.

use reqwest::StatusCode;

use crate::support::auth::{seeded_app, Browser, CUSTOMER, DEMO_PASSWORD, OTHER_CUSTOMER};
use crate::support::{Backend, TestApp};

const CHOICE: &str = "i18n_pref_locale";

async fn home(app: &TestApp, headers: &[(&str, &str)]) -> String {
    let mut request = app.client.get(app.url("/"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

fn is_english(html: &str) -> bool {
    html.contains("lang=\"en\"") && html.contains("Our commitments, verifiable")
}

fn is_french(html: &str) -> bool {
    html.contains("lang=\"fr\"") && html.contains("Nos engagements, vérifiables")
}

/// The value of the language cookie the response sets, if it sets one.
fn chosen(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap())
        .find_map(|cookie| cookie.strip_prefix(&format!("{CHOICE}=")))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
}

async fn without_a_choice_the_browser_s_languages_decide(backend: Backend) {
    let Some(app) = crate::support::spawn_app(backend).await else {
        return;
    };
    assert!(
        is_french(&home(&app, &[]).await),
        "French when nothing is asked"
    );
    assert!(is_english(
        &home(&app, &[("accept-language", "en-GB,en;q=0.9")]).await
    ));
    assert!(
        is_french(&home(&app, &[("accept-language", "de-CH,fr-CH;q=0.8,en;q=0.5")]).await),
        "the first language the portal has"
    );
    assert!(is_french(
        &home(&app, &[("accept-language", "x-klingon")]).await
    ));
}

async fn the_switch_remembers_the_choice_over_the_browser_s_languages(backend: Backend) {
    let Some(app) = crate::support::spawn_app(backend).await else {
        return;
    };
    let browser = Browser::new(&app);
    let reply = browser
        .call(
            "set-language",
            &[("language", "en"), ("back", "/charter/history")],
        )
        .await;
    assert_eq!(reply.location(), Some("/charter/history"), "{}", reply.body);
    let cookie = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap())
        .find(|cookie| cookie.starts_with(CHOICE))
        .expect("the choice is stored")
        .to_owned();
    for attribute in ["Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=31536000"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert_eq!(chosen(&reply.headers).as_deref(), Some("en"));

    let html = home(
        &app,
        &[
            ("cookie", "i18n_pref_locale=en"),
            ("accept-language", "fr-CH"),
        ],
    )
    .await;
    assert!(is_english(&html), "the choice beats Accept-Language");
    let html = home(
        &app,
        &[("cookie", "other=1"), ("cookie", "i18n_pref_locale=en")],
    )
    .await;
    assert!(
        is_english(&html),
        "a choice in a second Cookie header (HTTP/2) counts"
    );
    let html = home(
        &app,
        &[("cookie", "i18n_pref_locale=xx"), ("accept-language", "en")],
    )
    .await;
    assert!(is_english(&html), "an unknown choice is ignored");

    let away = browser
        .call(
            "set-language",
            &[("language", "fr"), ("back", "//evil.example/")],
        )
        .await;
    assert_eq!(away.location(), Some("/"), "never back to another site");
    let unknown = browser
        .call("set-language", &[("language", "de"), ("back", "/")])
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    assert_eq!(
        chosen(&unknown.headers),
        None,
        "nothing is stored for a refused language"
    );
}

async fn a_customer_s_language_of_record_applies_at_sign_in_unless_the_browser_chose(
    backend: Backend,
) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    // Luca Bernasconi has English on record, Jeanne Favre French.
    let reply = Browser::new(&app)
        .log_in(OTHER_CUSTOMER, DEMO_PASSWORD)
        .await;
    assert_eq!(reply.location(), Some("/account"), "{}", reply.body);
    assert_eq!(chosen(&reply.headers).as_deref(), Some("en"));
    let reply = Browser::new(&app).log_in(CUSTOMER, DEMO_PASSWORD).await;
    assert_eq!(chosen(&reply.headers).as_deref(), Some("fr"));

    let browser = Browser::new(&app);
    let request = app
        .client
        .post(app.url("/sf/log-in"))
        .header("origin", app.base.clone())
        .header("cookie", "i18n_pref_locale=fr")
        .form(&[("email", OTHER_CUSTOMER), ("password", DEMO_PASSWORD)]);
    let reply = browser.send(request).await;
    assert_eq!(reply.location(), Some("/account"), "{}", reply.body);
    assert_eq!(
        chosen(&reply.headers),
        None,
        "the browser's own choice stays"
    );

    let refused = Browser::new(&app)
        .log_in(OTHER_CUSTOMER, "not-the-password")
        .await;
    assert_eq!(
        chosen(&refused.headers),
        None,
        "nothing about the account before it is signed in"
    );
}

async fn field_errors_are_in_the_reader_s_language(backend: Backend) {
    let Some(app) = crate::support::spawn_app(backend).await else {
        return;
    };
    let catalogue: serde_json::Value =
        serde_json::from_str(include_str!("../../../app/locales/server-errors.fr.json")).unwrap();
    let french = format!(
        "{} : {}.",
        catalogue["fields"]["language"].as_str().unwrap(),
        catalogue["reasons"]["must be fr or en"].as_str().unwrap()
    );
    let browser = Browser::new(&app);
    let refused = browser
        .call("set-language", &[("language", "de"), ("back", "/")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.json()["Invalid"]["message"],
        french.as_str(),
        "French by default"
    );

    let in_english = app
        .client
        .post(app.url("/sf/set-language"))
        .header("origin", app.base.clone())
        .header("accept-language", "en-GB,en;q=0.8")
        .form(&[("language", "de"), ("back", "/")]);
    let refused = browser.send(in_english).await;
    assert_eq!(
        refused.json()["Invalid"]["message"],
        "The language must be fr or en."
    );
}

on_both_backends!(
    field_errors_are_in_the_reader_s_language,
    without_a_choice_the_browser_s_languages_decide,
    the_switch_remembers_the_choice_over_the_browser_s_languages,
    a_customer_s_language_of_record_applies_at_sign_in_unless_the_browser_chose,
);
