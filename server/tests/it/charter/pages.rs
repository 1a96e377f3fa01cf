//! The public charter pages over HTTP: no sign-in, the version in force in French with its translation beside it,
//! the history, the permanent address of each version, the difference page, and the footer link on every page.

use reqwest::StatusCode;

use crate::support::auth::Browser;
use crate::support::{spawn_app, Backend};

async fn the_charter_is_public_in_french_with_its_translation(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let anyone = Browser::new(&app);
    for path in ["/charter", "/charter/v/1"] {
        let page = anyone.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.body.contains("id=\"charter-version\""), "{path}");
        assert!(page.body.contains("data-version=\"1\""), "{path}");
        assert!(
            page.body
                .contains("<h3>1. Quelles sont les données collectées ?</h3>"),
            "{path}"
        );
        assert!(
            page.body.contains("sauf sur ordonnance judiciaire suisse"),
            "{path}"
        );
        assert!(page.body.contains("lang=\"en\""), "{path}");
        assert!(page.body.contains("What data is collected?"), "{path}");
        assert!(page.body.contains("The French text prevails."), "{path}");
    }
    let history = anyone.get("/charter/history").await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(history.body.contains("href=\"/charter/v/1\""));
    assert!(
        history.body.contains("26.11.2026"),
        "version 1's date of effect"
    );

    let missing = anyone.get("/charter/v/7").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let nonsense = anyone.get("/charter/v/abc").await;
    assert_eq!(nonsense.status, StatusCode::UNPROCESSABLE_ENTITY);

    let same = anyone.get("/charter/diff?from=1&to=1").await;
    assert_eq!(same.status, StatusCode::OK);
    assert!(same.body.contains("id=\"no-changes\""));
    for bad in [
        "/charter/diff?from=0&to=1",
        "/charter/diff?from=1&to=9",
        "/charter/diff?lang=de",
    ] {
        let reply = anyone.get(bad).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(reply.body.contains("id=\"diff-error\""), "{bad}");
    }

    for path in ["/", "/login", "/charter/history", "/no-such-page"] {
        let page = anyone.get(path).await;
        assert!(
            page.body.contains("id=\"footer-charter\"") && page.body.contains("href=\"/charter\""),
            "{path} has the footer link"
        );
    }
}

on_both_backends!(the_charter_is_public_in_french_with_its_translation);
