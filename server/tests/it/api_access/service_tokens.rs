//! Service tokens: refused when missing, unknown, revoked or outside their scopes; created and revoked by the CLI.

use super::*;

async fn a_check_needs_a_live_token(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let body =
        json!({"staff": SUPPORT, "customer": CUSTOMER, "resource": WEB_SPACE, "action": "read"});
    let revoked = f.token("old-gateway", &[Scope::AccessChecks]).await;
    tokens::revoke_service_token(f.store(), "old-gateway", Utc::now())
        .await
        .unwrap();
    let unknown = tokens::generate();
    for token in [None, Some(unknown.as_str()), Some(revoked.as_str())] {
        let mut request = f
            .app
            .client
            .post(f.app.url("/api/v1/access-checks"))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap()),
            Some("Bearer"),
            "{token:?}"
        );
        let (status, body) = crate::support::api::read(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}: {body}");
        assert_eq!(error_code(status, &body), "unauthorized");
    }
    assert!(
        f.audit_log().await.is_empty(),
        "an unauthenticated check is not a check"
    );
}

async fn a_revoked_token_stops_working_within_seconds(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.token("ftp-gateway", &[Scope::AccessChecks]).await;
    f.decision(&token, SUPPORT, WEB_SPACE, "read").await;
    tokens::revoke_service_token(f.store(), "ftp-gateway", Utc::now())
        .await
        .unwrap();
    let revoked = Instant::now();
    loop {
        let (status, _) = f.check(&token, SUPPORT, WEB_SPACE, "read").await;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        assert!(
            revoked.elapsed() < std::time::Duration::from_secs(4),
            "the revoked token still works after {:?}",
            revoked.elapsed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn a_token_is_refused_outside_its_scopes(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let reporter = f.token("mail-platform", &[Scope::AccessEvents]).await;
    let (status, body) = f.check(&reporter, SUPPORT, WEB_SPACE, "read").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(error_code(status, &body), "forbidden");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("access-checks"));
    let checker = f.token("ftp-gateway", &[Scope::AccessChecks]).await;
    for path in ["/api/v1/access-events", "/api/v1/consent-requests"] {
        let (status, body) = f.post(path, Some(&checker), &json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    f.decision(&checker, SUPPORT, WEB_SPACE, "read").await;
}

async fn the_cli_creates_and_revokes_service_tokens(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let created = server_command(&db)
        .args([
            "create-service-token",
            "--name",
            "ftp-gateway",
            "--scopes",
            "access-events,access-checks",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&created.stdout);
    assert!(
        created.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let token = stdout.lines().last().unwrap().trim();
    assert!(token.starts_with("pps_") && token.len() == 47, "{stdout}");
    let store = db.store().await;
    let stored = store
        .service_token(&tokens::hash(token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.name, "ftp-gateway");
    assert_eq!(stored.scopes, ["access-checks", "access-events"]);
    assert_eq!(stored.revoked_at, None);

    let failures = [
        vec![
            "create-service-token",
            "--name",
            "other",
            "--scopes",
            "access-checks,admin",
        ],
        vec![
            "create-service-token",
            "--name",
            "ftp-gateway",
            "--scopes",
            "backups",
        ],
        vec![
            "create-service-token",
            "--name",
            "Bad Name",
            "--scopes",
            "backups",
        ],
        vec!["revoke-service-token", "--name", "nobody"],
    ];
    for args in failures {
        let output = server_command(&db).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(output.stdout.is_empty(), "{args:?} printed a token");
        assert!(!stderr.trim().is_empty(), "{args:?} says nothing");
    }
    let unknown_scope = server_command(&db)
        .args(["create-service-token", "--name", "x", "--scopes", "admin"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&unknown_scope.stderr).contains("unknown scope"));

    let revoked = server_command(&db)
        .args(["revoke-service-token", "--name", "ftp-gateway"])
        .output()
        .unwrap();
    assert!(revoked.status.success());
    let stored = store
        .service_token(&tokens::hash(token))
        .await
        .unwrap()
        .unwrap();
    assert!(stored.revoked_at.is_some());
    store.close().await;
}

on_both_backends!(
    a_check_needs_a_live_token,
    a_revoked_token_stops_working_within_seconds,
    a_token_is_refused_outside_its_scopes,
    the_cli_creates_and_revokes_service_tokens,
);
