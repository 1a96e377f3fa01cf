//! The pull feed: the same events in order after a cursor, long polls woken by a new event, clear errors.

use super::*;

async fn the_feed_returns_the_events_in_order_after_a_cursor(backend: Backend) {
    let Some(f) = api_app_with(backend, Arc::new(app::ports::SystemClock), quick).await else {
        return;
    };
    let token = f.token("ftp-gateway", &[Scope::Events]).await;
    let first = f.grant(BACKUP_SPACE, "read", None).await;
    f.revoke(first).await;
    let second = f.grant(BACKUP_SPACE, "read,list", None).await;
    f.revoke(second).await;
    f.grant(BACKUP_SPACE, "list", None).await;

    let mut after = 0;
    let mut pages = Vec::new();
    loop {
        let (status, page) = get(
            &f,
            &format!("/api/v1/events?after={after}&limit=2"),
            Some(&token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let events = page["events"].as_array().unwrap().clone();
        if events.is_empty() {
            assert_eq!(page["next_after"], after, "an empty page keeps the cursor");
            break;
        }
        assert!(events.len() <= 2);
        after = page["next_after"].as_i64().unwrap();
        assert_eq!(events.last().unwrap()["cursor"], after);
        pages.extend(events);
    }
    let types: Vec<&str> = pages
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "grant.created",
            "grant.revoked",
            "grant.created",
            "grant.revoked",
            "grant.created"
        ]
    );
    let cursors: Vec<i64> = pages
        .iter()
        .map(|event| event["cursor"].as_i64().unwrap())
        .collect();
    assert!(
        cursors.windows(2).all(|pair| pair[0] < pair[1]),
        "{cursors:?}"
    );
    assert_eq!(pages[1]["data"]["grant"], first.0);
    assert_eq!(pages[1]["id"], format!("evt_{}", cursors[1]));
    let (_, again) = get(
        &f,
        &format!("/api/v1/events?after={}", cursors[2]),
        Some(&token),
    )
    .await;
    let rest: Vec<i64> = again["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cursor"].as_i64().unwrap())
        .collect();
    assert_eq!(
        rest,
        cursors[3..],
        "reading again from a cursor gives the same events"
    );
}

async fn a_long_poll_answers_when_an_event_arrives(backend: Backend) {
    let Some(f) = api_app_with(backend, Arc::new(app::ports::SystemClock), quick).await else {
        return;
    };
    let f = Arc::new(f);
    let token = f.token("ftp-gateway", &[Scope::Events]).await;
    let started = tokio::time::Instant::now();
    let (_, empty) = get(&f, "/api/v1/events?after=0&wait=1", Some(&token)).await;
    assert!(empty["events"].as_array().unwrap().is_empty());
    assert!(started.elapsed() >= Duration::from_millis(950), "it waited");

    let poll = {
        let f = f.clone();
        let token = token.clone();
        tokio::spawn(async move {
            let started = tokio::time::Instant::now();
            let answer = get(&f, "/api/v1/events?after=0&wait=20", Some(&token)).await;
            (answer, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    f.grant(BACKUP_SPACE, "read", None).await;
    let ((status, page), waited) = poll.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["events"][0]["type"], "grant.created");
    assert!(
        waited < Duration::from_secs(3),
        "woken by the event, not by the end of the wait: {waited:?}"
    );
}

async fn the_feed_says_what_is_wrong(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.token("ftp-gateway", &[Scope::Events]).await;
    for (query, field) in [
        ("after=-1", "after"),
        ("after=x", "after"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("wait=26", "wait"),
    ] {
        let (status, body) = get(&f, &format!("/api/v1/events?{query}"), Some(&token)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}");
    }
    let (status, _) = get(&f, "/api/v1/events", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let checks = f.token("checks", &[Scope::AccessChecks]).await;
    let (status, _) = get(&f, "/api/v1/events", Some(&checks)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

on_both_backends!(
    the_feed_returns_the_events_in_order_after_a_cursor,
    a_long_poll_answers_when_an_event_arrives,
    the_feed_says_what_is_wrong,
);
