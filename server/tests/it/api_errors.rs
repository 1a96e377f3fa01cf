//! The integration API's error contract: whatever a caller sends wrong, the answer is a 4xx with a JSON body that
//! says what is wrong; and its OpenAPI document describes exactly the routes it serves.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

use crate::support::api::{api_app, error_code, read, ApiApp, CUSTOMER, SUPPORT, WEB_SPACE};
use crate::support::Backend;

on_both_backends!(
    bodies_that_do_not_fit_are_refused_in_json,
    identifiers_that_do_not_parse_name_their_field,
    an_oversized_body_is_refused_in_json,
    unknown_paths_and_methods_are_refused_in_json,
    the_openapi_document_lists_exactly_the_routes_served,
);

const ENDPOINTS: [&str; 3] = [
    "/api/v1/access-checks",
    "/api/v1/access-events",
    "/api/v1/consent-requests",
];

async fn send_raw(
    f: &ApiApp,
    path: &str,
    token: &str,
    content_type: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let mut request = f
        .app
        .client
        .post(f.app.url(path))
        .bearer_auth(token)
        .body(body.to_owned());
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    read(request.send().await.unwrap()).await
}

async fn bodies_that_do_not_fit_are_refused_in_json(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.full_token("ftp-gateway").await;
    let json = Some("application/json");
    for path in ENDPOINTS {
        for (content_type, body, status, code) in [
            (
                json,
                "{\"staff\": ",
                StatusCode::BAD_REQUEST,
                "malformed-json",
            ),
            (json, "", StatusCode::BAD_REQUEST, "malformed-json"),
            (
                json,
                "[1, 2]",
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-body",
            ),
            (json, "{}", StatusCode::UNPROCESSABLE_ENTITY, "invalid-body"),
            (
                None,
                "{}",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
            ),
            (
                Some("text/plain"),
                "{}",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
            ),
            (
                Some("application/x-www-form-urlencoded"),
                "staff=x",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
            ),
        ] {
            let (answered, answer) = send_raw(&f, path, &token, content_type, body).await;
            assert_eq!(answered, status, "{path} {body:?}: {answer}");
            assert_eq!(error_code(answered, &answer), code, "{path}: {answer}");
        }
    }

    let valid =
        json!({"staff": SUPPORT, "customer": CUSTOMER, "resource": WEB_SPACE, "action": "read"});
    let mut extra = valid.clone();
    extra["reason"] = json!("curiosity");
    let mut missing = valid.clone();
    missing.as_object_mut().unwrap().remove("resource");
    let mut wrong_type = valid.clone();
    wrong_type["staff"] = json!(42);
    let mut unknown_action = valid.clone();
    unknown_action["action"] = json!("delete");
    for (body, mentions) in [
        (extra, "reason"),
        (missing, "resource"),
        (wrong_type, "staff"),
        (unknown_action, "action"),
    ] {
        let (status, answer) = f.post("/api/v1/access-checks", Some(&token), &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(error_code(status, &answer), "invalid-body");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(mentions),
            "{message:?} should name {mentions}"
        );
    }
    let (status, answer) = f.post("/api/v1/access-checks", Some(&token), &valid).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn identifiers_that_do_not_parse_name_their_field(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.full_token("ftp-gateway").await;
    for (field, value, reason) in [
        ("staff", "camille", "@"),
        ("customer", "100001", "C-"),
        ("customer", "C-12", "six digits"),
        ("resource", "ftp:backup-x", "kind"),
        ("resource", "mailbox:nobody", "@"),
        ("resource", "web-space:localhost", "domain"),
        ("resource", "jeanne@example.ch", "must start with"),
    ] {
        let mut body = json!({"staff": SUPPORT, "customer": CUSTOMER, "resource": WEB_SPACE, "action": "read"});
        body[field] = json!(value);
        let (status, answer) = f.post("/api/v1/access-checks", Some(&token), &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{value}: {answer}"
        );
        assert_eq!(error_code(status, &answer), "invalid-field");
        assert_eq!(answer["error"]["field"], field, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{value}: {message}");
    }
    assert!(f.audit_log().await.is_empty());
}

async fn an_oversized_body_is_refused_in_json(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = format!("Bearer {}", f.full_token("ftp-gateway").await);
    for path in ENDPOINTS {
        let response = f
            .app
            .post_oversized(
                path,
                &[
                    ("authorization", token.as_str()),
                    ("content-type", "application/json"),
                ],
            )
            .await;
        let (status, answer) = read(response).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {answer}");
        assert_eq!(error_code(status, &answer), "payload-too-large");
    }
}

async fn unknown_paths_and_methods_are_refused_in_json(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.full_token("ftp-gateway").await;
    for (method, path, status, code) in [
        (
            Method::GET,
            "/api/v1/consents",
            StatusCode::NOT_FOUND,
            "not-found",
        ),
        (
            Method::POST,
            "/api/v1/access-checks/1",
            StatusCode::NOT_FOUND,
            "not-found",
        ),
        (Method::GET, "/api/v1", StatusCode::NOT_FOUND, "not-found"),
        (
            Method::GET,
            "/api/v1/access-checks",
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
        ),
        (
            Method::DELETE,
            "/api/v1/consent-requests",
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
        ),
    ] {
        let response = f
            .app
            .client
            .request(method.clone(), f.app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let (answered, answer) = read(response).await;
        assert_eq!(answered, status, "{method} {path}: {answer}");
        assert_eq!(error_code(answered, &answer), code);
    }
}

async fn the_openapi_document_lists_exactly_the_routes_served(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let response = f
        .app
        .client
        .get(f.app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    let (status, document) = read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(document["servers"][0]["url"], "/api/v1");
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );

    let mut documented = BTreeSet::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            documented.insert((method.to_uppercase(), path.clone()));
            let responses = operation["responses"].as_object().unwrap();
            if path.starts_with("/log/") {
                assert_eq!(operation["security"], Value::Null, "{path} is public");
            } else if path != "/openapi.json" {
                assert_eq!(operation["security"], json!([{"bearer": []}]), "{path}");
                // A 422 is for bad input: an operation that takes none cannot answer it.
                let takes_input =
                    operation.get("parameters").is_some() || operation.get("requestBody").is_some();
                let statuses: &[&str] = if takes_input {
                    &["401", "403", "422"]
                } else {
                    &["401", "403"]
                };
                for &status in statuses {
                    assert!(
                        responses[status]["content"]["application/json"]["schema"]["$ref"]
                            .as_str()
                            .is_some_and(|schema| schema.ends_with("/ErrorBody")),
                        "{method} {path} documents its {status} as an ErrorBody"
                    );
                }
            }
        }
    }
    let served: BTreeSet<(String, String)> = server::http::api::ROUTES
        .iter()
        .map(|(method, path)| (method.to_uppercase(), (*path).to_owned()))
        .collect();
    assert_eq!(documented, served);

    // The router is probed as well, in case a route were added outside the table: each documented operation is
    // answered (a protected one asks for a token), and every other method on its path is not allowed.
    for (method, path) in &documented {
        let url = f.app.url(&format!("/api/v1{path}"));
        for probe in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let response = f
                .app
                .client
                .request(Method::from_bytes(probe.as_bytes()).unwrap(), &url)
                .send()
                .await
                .unwrap();
            let status = response.status();
            if probe == method {
                // Answered by the route: a protected one asks for a token; a public one may have nothing yet
                // (no checkpoint signed) or want its query, which the fallback's "no such endpoint" is not.
                let body = response.text().await.unwrap();
                assert!(
                    status == StatusCode::OK
                        || status == StatusCode::UNAUTHORIZED
                        || (path.starts_with("/log/")
                            && [StatusCode::NOT_FOUND, StatusCode::UNPROCESSABLE_ENTITY]
                                .contains(&status)
                            && !body.contains("no such endpoint")),
                    "{probe} {path}: {status} {body}"
                );
            } else if !documented.contains(&(probe.to_owned(), path.clone())) {
                assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{probe} {path}");
            }
        }
    }
}
