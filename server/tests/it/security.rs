//! The security baseline as a browser meets it: hardening headers on every kind of response, a fresh CSP nonce
//! that the page's inline scripts carry, and refusal of state-changing requests from other sites.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::{spawn_app, Backend, TestApp};
use reqwest::{Method, Response, StatusCode};

/// The nonce named in `script-src`, after checking the rest of the policy.
fn checked_nonce(response: &Response) -> String {
    let what = response.url().path().to_owned();
    let headers = response.headers();
    let policy = headers
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap();
    let script_src = policy
        .split(';')
        .map(str::trim)
        .find(|directive| directive.starts_with("script-src "))
        .unwrap_or_else(|| panic!("{what}: no script-src in {policy}"));
    assert!(!policy.contains("unsafe-inline"), "{what}: {policy}");
    for directive in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(
            policy.contains(directive),
            "{what}: {directive} missing from {policy}"
        );
    }
    script_src
        .split_whitespace()
        .find_map(|source| source.strip_prefix("'nonce-")?.strip_suffix('\''))
        .unwrap_or_else(|| panic!("{what}: no nonce in {script_src}"))
        .to_owned()
}

fn assert_hardened(response: &Response, cache_control: Option<&str>) {
    let what = response.url().path().to_owned();
    let nonce = checked_nonce(response);
    assert!(nonce.len() >= 22, "{what}: at least 128 bits: {nonce}");
    let headers = response.headers();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
        ("x-frame-options", "DENY"),
        (
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        assert_eq!(
            headers.get(name).map(|v| v.to_str().unwrap()),
            Some(value),
            "{what}: {name}"
        );
    }
    assert!(
        headers.get("strict-transport-security").is_none(),
        "{what}: no HSTS over plain HTTP"
    );
    if let Some(expected) = cache_control {
        assert_eq!(
            headers.get("cache-control").map(|v| v.to_str().unwrap()),
            Some(expected),
            "{what}: cache-control"
        );
    }
}

async fn get(app: &TestApp, path: &str) -> Response {
    app.client.get(app.url(path)).send().await.unwrap()
}

async fn every_kind_of_response_is_hardened(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let page = get(&app, "/").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_hardened(&page, Some("no-store"));

    for probe in ["/healthz", "/readyz"] {
        let response = get(&app, probe).await;
        assert_eq!(response.status(), StatusCode::OK, "{probe}");
        assert_hardened(&response, Some("no-store"));
    }

    let missing = get(&app, "/no/such/page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_hardened(&missing, Some("no-store"));

    // Plain `cargo test` has no compiled site, so the stylesheet is a 404 there; after `.ci/build-site` it is
    // served, and may keep the file server's caching.
    let stylesheet = get(&app, "/pkg/portal.css").await;
    if stylesheet.status() == StatusCode::OK {
        assert_hardened(&stylesheet, None);
    } else {
        assert_eq!(stylesheet.status(), StatusCode::NOT_FOUND);
        assert_hardened(&stylesheet, Some("no-store"));
    }

    let too_large = app
        .post_oversized("/sf/anything", &[("sec-fetch-site", "same-origin")])
        .await;
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_hardened(&too_large, Some("no-store"));

    let refused = app
        .client
        .post(app.url("/sf/anything"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_hardened(&refused, Some("no-store"));
}

/// Every `<script` tag in the HTML, up to its `>`.
fn script_tags(html: &str) -> Vec<&str> {
    html.match_indices("<script")
        .map(|(start, _)| {
            let rest = &html[start..];
            &rest[..rest.find('>').unwrap_or(rest.len())]
        })
        .collect()
}

async fn each_page_gets_a_fresh_nonce_that_its_scripts_carry(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut nonces = Vec::new();
    for path in ["/", "/", "/no/such/page"] {
        let response = get(&app, path).await;
        let nonce = checked_nonce(&response);
        let html = response.text().await.unwrap();
        let scripts = script_tags(&html);
        assert!(
            !scripts.is_empty(),
            "{path}: the hydration script is inline: {html}"
        );
        for tag in scripts {
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: a script without this response's nonce {nonce}: {tag}"
            );
        }
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a nonce is never reused");
    assert_ne!(nonces[1], nonces[2]);
}

async fn post(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> StatusCode {
    let mut request = app.client.request(Method::POST, app.url(path)).body("x=1");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().status()
}

async fn requests_from_other_sites_cannot_change_state(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let refused = app
        .client
        .post(app.url("/sf/anything"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "neither header");
    assert!(refused.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(
        refused.text().await.unwrap(),
        "This request did not come from the portal itself."
    );

    let base = app.base.clone();
    for headers in [
        vec![("origin", "http://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site"), ("origin", base.as_str())],
        vec![("sec-fetch-site", "none"), ("origin", base.as_str())],
        vec![("sec-fetch-site", "cross-site"), ("origin", base.as_str())],
    ] {
        assert_eq!(
            post(&app, "/sf/anything", &headers).await,
            StatusCode::FORBIDDEN,
            "{headers:?}"
        );
    }
    for method in [Method::PUT, Method::DELETE, Method::PATCH] {
        let status = app
            .client
            .request(method.clone(), app.url("/sf/anything"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{method}");
    }

    for headers in [
        vec![("origin", base.as_str())],
        vec![("sec-fetch-site", "same-origin")],
        vec![("sec-fetch-site", "same-origin"), ("origin", base.as_str())],
    ] {
        assert_ne!(
            post(&app, "/sf/anything", &headers).await,
            StatusCode::FORBIDDEN,
            "{headers:?}"
        );
    }
}

async fn the_bearer_token_api_and_safe_methods_are_not_checked(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    assert_ne!(post(&app, "/api/v1/x", &[]).await, StatusCode::FORBIDDEN);
    assert_ne!(
        post(&app, "/api/v1/x", &[("sec-fetch-site", "cross-site")]).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&app, "/api/v2/x", &[]).await,
        StatusCode::FORBIDDEN,
        "only v1 is exempt"
    );
    let page = app
        .client
        .get(app.url("/"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "following a link from elsewhere works"
    );
}

on_both_backends!(
    every_kind_of_response_is_hardened,
    each_page_gets_a_fresh_nonce_that_its_scripts_carry,
    requests_from_other_sites_cannot_change_state,
    the_bearer_token_api_and_safe_methods_are_not_checked,
);
