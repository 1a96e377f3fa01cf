//! A log each customer can verify: the public checkpoints and consistency proofs of the API, and the access-log
//! export checked by `server verify-export` without the database — intact, and after every kind of hand edit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;

use crate::support::api::server_command;
use crate::support::auth::{sign_in_customer, CUSTOMER};
use crate::support::{Backend, TestApp};
use app::domain::merkle;
use app::domain::{AuditEvent, CustomerNumber};
use app::ports::{Actor, AuditBasis, AuditEntry, ConsentStore, EventSource, Storage, SystemClock};
use server::audit::export_proof::{self, ExportFile};
use server::audit::{note, AuditSettings, Auditor};

/// The demo data, with the server's own checkpoint job slowed to once an hour: the test signs when it means to.
async fn quiet_app(backend: Backend) -> Option<TestApp> {
    let app = crate::support::spawn_app_with_settings(backend, Arc::new(SystemClock), |settings| {
        settings.audit.audit_checkpoint_secs = 3_600;
    })
    .await?;
    server::seed::seed_demo(&app.store, Utc::now())
        .await
        .unwrap();
    Some(app)
}

async fn jeanne_entries(app: &TestApp, details: &[&str]) {
    let number = CustomerNumber::parse("C-100001").unwrap();
    let jeanne = app
        .store
        .customer_by_number(&number)
        .await
        .unwrap()
        .unwrap()
        .id;
    let entries: Vec<AuditEntry> = details
        .iter()
        .map(|detail| AuditEntry {
            at: Utc::now(),
            event: AuditEvent::AccessChecked,
            actor: Actor::System,
            customer: Some(jeanne),
            resource: None,
            action: None,
            basis: AuditBasis::TechnicalOperation,
            source: EventSource::Service("backup-server".into()),
            detail: Some((*detail).to_owned()),
        })
        .collect();
    app.store.record_audit(&entries).await.unwrap();
}

fn auditor(app: &TestApp) -> Auditor {
    Auditor::new(
        app.store.clone(),
        Arc::new(SystemClock),
        &AuditSettings::default(),
        app.db.data_dir.path(),
    )
    .unwrap()
}

async fn api(app: &TestApp, path: &str) -> (StatusCode, String) {
    let reply = app
        .client
        .get(format!("{}/api/v1{path}", app.base))
        .send()
        .await
        .unwrap();
    (reply.status(), reply.text().await.unwrap())
}

async fn public_key(app: &TestApp) -> ed25519_dalek::VerifyingKey {
    let (status, body) = api(app, "/log/public-key").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let view: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(view["origin"], "localhost/audit-log");
    assert!(view["verifier_key"]
        .as_str()
        .unwrap()
        .starts_with("localhost/audit-log+"));
    server::audit::keys::parse_public_key(view["public_key"].as_str().unwrap()).unwrap()
}

async fn checkpoints_and_consistency_are_public(backend: Backend) {
    // An empty log has nothing to sign (the server's own checkpoint job finds nothing either).
    let Some(empty) = crate::support::spawn_app(backend).await else {
        return;
    };
    let (status, body) = api(&empty, "/log/checkpoint").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains("no checkpoint"), "{body}");
    drop(empty);
    let Some(app) = quiet_app(backend).await else {
        return;
    };
    let key = public_key(&app).await;

    auditor(&app).checkpoint().await.unwrap().unwrap();
    let (status, first_note) = api(&app, "/log/checkpoint").await;
    assert_eq!(status, StatusCode::OK);
    let first = note::open(&first_note, &key, Some("localhost/audit-log")).unwrap();
    jeanne_entries(&app, &["later-1", "later-2", "later-3"]).await;
    auditor(&app).checkpoint().await.unwrap().unwrap();
    let (_, second_note) = api(&app, "/log/checkpoint").await;
    let second = note::open(&second_note, &key, None).unwrap();
    assert_eq!(second.size, first.size + 3);

    let (status, body) = api(&app, "/log/checkpoints").await;
    assert_eq!(status, StatusCode::OK);
    let history: Value = serde_json::from_str(&body).unwrap();
    let sizes: Vec<u64> = history["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|checkpoint| checkpoint["size"].as_u64().unwrap())
        .collect();
    // The server's own job signs once as it starts, maybe while the demo data is written.
    assert_eq!(
        sizes[sizes.len() - 2..],
        [first.size, second.size],
        "{sizes:?}"
    );
    let (_, body) = api(
        &app,
        &format!("/log/checkpoints?from_size={}", first.size + 1),
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["checkpoints"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let (status, body) = api(
        &app,
        &format!("/log/consistency?from={}&to={}", first.size, second.size),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let proof: Value = serde_json::from_str(&body).unwrap();
    let hashes: Vec<merkle::Hash> = proof["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hash| {
            STANDARD
                .decode(hash.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        })
        .collect();
    assert!(merkle::verify_consistency(
        first.size,
        second.size,
        &first.root,
        &second.root,
        &hashes
    ));
    assert!(!merkle::verify_consistency(
        first.size,
        second.size,
        &[0; 32],
        &second.root,
        &hashes
    ));

    for (query, field) in [
        (format!("from={}&to={}", second.size, first.size), "from"),
        (format!("from=1&to={}", second.size + 1), "to"),
        ("from=abc&to=3".to_owned(), "from"),
        ("to=3".to_owned(), "from"),
        ("from=-1&to=3".to_owned(), "from"),
    ] {
        let (status, body) = api(&app, &format!("/log/consistency?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["error"]["field"],
            field,
            "{query}"
        );
    }
    let (status, _) = api(&app, "/log/consistency?from=1&to=2&extra=1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing public names a customer.
    assert!(!body.contains("C-100001") && !second_note.contains("jeanne"));
}

/// Flips a bit of every stored tree node; returns how many.
async fn corrupt_tree_nodes(app: &TestApp) -> usize {
    flip_tree_nodes(app).await
}

async fn restore_tree_nodes(app: &TestApp) {
    flip_tree_nodes(app).await;
}

async fn flip_tree_nodes(app: &TestApp) -> usize {
    let select = "SELECT position, hash FROM audit_tree_nodes";
    let update = "UPDATE audit_tree_nodes SET hash = $1 WHERE position = $2";
    let rows: Vec<(i64, Vec<u8>)> = match &app.store {
        server::storage::SqlStore::Sqlite(pool) => sqlx::query_as(select).fetch_all(pool).await,
        server::storage::SqlStore::Postgres(pool) => sqlx::query_as(select).fetch_all(pool).await,
    }
    .unwrap();
    for (position, mut hash) in rows.clone() {
        hash[0] ^= 1;
        match &app.store {
            server::storage::SqlStore::Sqlite(pool) => sqlx::query(update)
                .bind(hash)
                .bind(position)
                .execute(pool)
                .await
                .map(drop),
            server::storage::SqlStore::Postgres(pool) => sqlx::query(update)
                .bind(hash)
                .bind(position)
                .execute(pool)
                .await
                .map(drop),
        }
        .unwrap();
    }
    rows.len()
}

fn verify(
    document: &Value,
    key: &ed25519_dalek::VerifyingKey,
) -> Result<export_proof::Verified, export_proof::Refused> {
    let file: ExportFile = serde_json::from_value(document.clone()).unwrap();
    export_proof::verify(&file, key)
}

fn entry_with_proof(document: &Value) -> usize {
    document["entries"]
        .as_array()
        .unwrap()
        .iter()
        .position(|entry| entry.get("proof").is_some())
        .unwrap()
}

async fn the_export_proves_each_entry_and_every_edit_is_found(backend: Backend) {
    let Some(app) = quiet_app(backend).await else {
        return;
    };
    let key = public_key(&app).await;
    // Enough entries for the tree to store nodes (subtrees of 16 leaves or more).
    let fillers: Vec<String> = (0..20).map(|n| format!("filler-{n}")).collect();
    let fillers: Vec<&str> = fillers.iter().map(String::as_str).collect();
    jeanne_entries(&app, &fillers).await;
    jeanne_entries(&app, &["proved-1", "proved-2", "proved-3"]).await;
    auditor(&app).checkpoint().await.unwrap().unwrap();
    let (_, older_note) = api(&app, "/log/checkpoint").await;
    jeanne_entries(&app, &["pending-1", "pending-2"]).await;

    let browser = sign_in_customer(&app, CUSTOMER).await;
    // The page says what its own entries' proofs show: the five new entries and the sign-in are on page 1, three
    // of them after the checkpoint.
    let page: app::api::AccessLog =
        serde_json::from_str(&browser.call("list-my-access-log", &[]).await.body).unwrap();
    let inclusion = page.inclusion.expect("a checkpoint was signed");
    assert_eq!(inclusion.pending, 3, "{inclusion:?}");
    assert_eq!(inclusion.proved, page.entries.len() - 3, "{inclusion:?}");
    assert!(inclusion.failed.is_empty());
    let html = browser.get("/account/access-log").await.body;
    assert!(html.contains("id=\"inclusion\""), "{html}");
    let charter = browser.get("/charter").await.body;
    assert!(
        charter.contains(&hex::encode(key.as_bytes())),
        "the public page shows the key"
    );
    // A tree node rewritten in the database: the page's proofs no longer hold, and it says which entries.
    let nodes = corrupt_tree_nodes(&app).await;
    assert!(nodes > 0);
    let page: app::api::AccessLog =
        serde_json::from_str(&browser.call("list-my-access-log", &[]).await.body).unwrap();
    assert!(!page.inclusion.unwrap().failed.is_empty());
    restore_tree_nodes(&app).await;

    let reply = browser.get("/account/access-log/export.json").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let document = reply.json();
    let verified = verify(&document, &key).unwrap();
    assert!(verified.proved >= 3, "{verified:?}");
    for entry in document["entries"].as_array().unwrap() {
        let detail = entry["detail"].as_str().unwrap_or_default();
        if detail.starts_with("proved-") {
            assert!(entry.get("proof").is_some(), "{entry}");
        }
        if detail.starts_with("pending-") {
            assert!(entry.get("proof").is_none(), "{entry}");
        }
    }
    // The two entries after the checkpoint, and the sign-in's own entry.
    assert_eq!(verified.pending, 3, "{verified:?}");

    // The same check, stand-alone, on the file as downloaded.
    let path = app.db.data_dir.path().join("access-log.json");
    std::fs::write(&path, &reply.body).unwrap();
    let hex_key = hex::encode(key.as_bytes());
    let output = server_command(&app.db)
        .args([
            "verify-export",
            path.to_str().unwrap(),
            "--public-key",
            &hex_key,
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("entries proved to be in the audit log"),
        "{stdout}"
    );
    assert!(
        stdout.contains("3 newer entries are not yet under a signed checkpoint"),
        "{stdout}"
    );

    // The my-data export carries the same checkpoint and proofs for its copy of the log.
    let mine = browser.get("/account/data/export.json").await.json();
    assert_eq!(mine["access_log_checkpoint"], document["checkpoint"]);
    let size = mine["access_log_checkpoint"]["size"].as_u64().unwrap();
    let root: merkle::Hash = hex::decode(mine["access_log_checkpoint"]["root"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let mut proved = 0;
    for entry in mine["access_log"].as_array().unwrap() {
        let Some(proof) = entry.get("proof") else {
            assert!(entry["id"].as_u64().unwrap() > size, "{entry}");
            continue;
        };
        let leaf = merkle::leaf_hash(&hex::decode(entry["hash"].as_str().unwrap()).unwrap());
        let path: Vec<merkle::Hash> = proof["inclusion"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hash| {
                hex::decode(hash.as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap()
            })
            .collect();
        let index = proof["leaf_index"].as_u64().unwrap();
        assert!(
            merkle::verify_inclusion(index, size, &leaf, &path, &root),
            "{entry}"
        );
        proved += 1;
    }
    assert_eq!(proved, verified.proved);

    let at = entry_with_proof(&document);
    let id = document["entries"][at]["id"].as_i64().unwrap();
    let refused_at = |edited: &Value| verify(edited, &key).unwrap_err();

    let mut readable_changed = document.clone();
    readable_changed["entries"][at]["detail"] = "nothing happened".into();
    let refused = refused_at(&readable_changed);
    assert_eq!(refused.entry, Some(id), "{refused}");

    let mut both_changed = readable_changed.clone();
    both_changed["entries"][at]["proof"]["chained"]["detail"] = "nothing happened".into();
    let refused = refused_at(&both_changed);
    assert_eq!(refused.entry, Some(id));
    assert!(
        refused.reason.contains("does not match its hash"),
        "{refused}"
    );

    let mut proof_altered = document.clone();
    let first_hash = proof_altered["entries"][at]["proof"]["inclusion"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let flipped = format!(
        "{}{}",
        if first_hash.starts_with('0') {
            "1"
        } else {
            "0"
        },
        &first_hash[1..]
    );
    proof_altered["entries"][at]["proof"]["inclusion"][0] = flipped.into();
    let refused = refused_at(&proof_altered);
    assert_eq!(refused.entry, Some(id));
    assert!(refused.reason.contains("proof fails"), "{refused}");

    let mut removed = document.clone();
    removed["entries"].as_array_mut().unwrap().remove(at);
    let refused = refused_at(&removed);
    assert_eq!(refused.entry, Some(id), "{refused}");
    assert!(refused.reason.contains("removed"), "{refused}");

    let mut added = document.clone();
    let mut invented = added["entries"][at].clone();
    invented["id"] = 999_999.into();
    added["entries"].as_array_mut().unwrap().push(invented);
    let refused = refused_at(&added);
    assert_eq!(refused.entry, Some(999_999), "{refused}");
    assert!(refused.reason.contains("added"), "{refused}");

    let mut resigned = document.clone();
    let intruder = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let checkpoint = &document["checkpoint"];
    let root: merkle::Hash = hex::decode(checkpoint["root"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    resigned["checkpoint"]["note"] = note::sign(
        &intruder,
        "localhost/audit-log",
        checkpoint["size"].as_u64().unwrap(),
        &root,
        Utc::now(),
    )
    .into();
    assert!(refused_at(&resigned)
        .reason
        .contains("checkpoint is refused"));
    assert!(
        verify(&document, &intruder.verifying_key()).is_err(),
        "another key proves nothing"
    );

    // The older checkpoint the customer kept is a prefix of the newer one.
    jeanne_entries(&app, &["newest"]).await;
    auditor(&app).checkpoint().await.unwrap().unwrap();
    let newer = browser.get("/account/access-log/export.json").await;
    std::fs::write(&path, &newer.body).unwrap();
    let newer_size = newer.json()["checkpoint"]["size"].as_u64().unwrap();
    let older_size = note::open(&older_note, &key, None).unwrap().size;
    let (_, proof) = api(
        &app,
        &format!("/log/consistency?from={older_size}&to={newer_size}"),
    )
    .await;
    let older_path = app.db.data_dir.path().join("older-checkpoint.txt");
    let proof_path = app.db.data_dir.path().join("consistency.json");
    std::fs::write(&older_path, &older_note).unwrap();
    std::fs::write(&proof_path, &proof).unwrap();
    let run = |proof_file: &std::path::Path| {
        server_command(&app.db)
            .args([
                "verify-export",
                path.to_str().unwrap(),
                "--public-key",
                &hex_key,
            ])
            .arg("--older-checkpoint")
            .arg(&older_path)
            .arg("--consistency")
            .arg(proof_file)
            .output()
            .unwrap()
    };
    let output = run(&proof_path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("the log of {older_size} entries")),
        "{stdout}"
    );
    let mut forged: Value = serde_json::from_str(&proof).unwrap();
    forged["proof"][0] = STANDARD.encode([7_u8; 32]).into();
    let forged_path = app.db.data_dir.path().join("forged.json");
    std::fs::write(&forged_path, forged.to_string()).unwrap();
    let output = run(&forged_path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(stdout.contains("is not a prefix"), "{stdout}");
}

on_both_backends!(
    checkpoints_and_consistency_are_public,
    the_export_proves_each_entry_and_every_edit_is_found,
);
