//! The export's coverage against the live schema, and the export itself over HTTP.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::auth::{seeded_app, sign_in_customer, sign_in_staff, CUSTOMER, SUPPORT};
use crate::support::{Backend, TestDb};
use app::domain::{AuditEvent, CustomerNumber};
use app::ports::{Actor, AuditBasis, AuditEntry, ConsentStore, EventSource, MyDataStore, Storage};
use server::storage::my_data::export::{coverage_of, COVERAGE};
use server::storage::SqlStore;

/// The tables of the live schema that refer to a customer and that the coverage list does not name.
async fn uncovered(store: &SqlStore) -> Vec<String> {
    store
        .customer_tables()
        .await
        .unwrap()
        .into_iter()
        .map(|(table, _)| table)
        .filter(|table| coverage_of(table).is_none())
        .collect()
}

async fn every_table_holding_customer_data_is_exported_or_excluded_with_a_reason(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let store = db.store().await;
    let tables = store.customer_tables().await.unwrap();
    // The detection itself finds what it must, or the check below would pass vacuously.
    for expected in [
        "grants",
        "consent_requests",
        "outbox",
        "audit_log",
        "data_requests",
        "sessions",
    ] {
        assert!(
            tables.iter().any(|(table, _)| table == expected),
            "{expected} not detected: {tables:?}"
        );
    }
    assert_eq!(
        uncovered(&store).await,
        Vec::<String>::new(),
        "tables holding customer data that the my-data export does not cover: add each to \
         server::storage::my_data::export::COVERAGE (exported, or excluded with the reason)"
    );
    // Nothing listed is stale: every table named exists (customers has no reference column of its own).
    for (table, _) in COVERAGE {
        assert!(
            *table == "customers" || tables.iter().any(|(name, _)| name == table),
            "{table} is listed in COVERAGE but not in the schema"
        );
    }
    // A new table referring to a customer is caught.
    let create =
        "CREATE TABLE loyalty_points (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL)";
    match &store {
        SqlStore::Sqlite(pool) => sqlx::query(create).execute(pool).await.map(drop),
        SqlStore::Postgres(pool) => sqlx::query(create).execute(pool).await.map(drop),
    }
    .unwrap();
    assert_eq!(uncovered(&store).await, vec!["loyalty_points".to_owned()]);
    // So is one that reaches the customer only through a contract, which then is its key; where a table names its
    // customer too, the contract is not a key (it may have changed hands since the row was written).
    let create =
        "CREATE TABLE contract_invoices (id INTEGER PRIMARY KEY, contract_id INTEGER NOT NULL)";
    match &store {
        SqlStore::Sqlite(pool) => sqlx::query(create).execute(pool).await.map(drop),
        SqlStore::Postgres(pool) => sqlx::query(create).execute(pool).await.map(drop),
    }
    .unwrap();
    assert_eq!(
        uncovered(&store).await,
        vec!["contract_invoices".to_owned(), "loyalty_points".to_owned()]
    );
    let tables = store.customer_tables().await.unwrap();
    let keys_of = |name: &str| {
        tables
            .iter()
            .find(|(table, _)| table == name)
            .map(|(_, keys)| keys.clone())
            .unwrap_or_default()
    };
    assert_eq!(keys_of("contract_invoices"), ["contract_id"]);
    assert_eq!(keys_of("backup_snapshots"), ["customer_id"]);
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => vec![text.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(members) => members
            .iter()
            .flat_map(|(key, value)| {
                let mut found = strings(value);
                found.push(key.clone());
                found
            })
            .collect(),
        _ => Vec::new(),
    }
}

async fn the_export_holds_everything_about_the_customer_and_nothing_else(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let jeanne = sign_in_customer(&app, CUSTOMER).await;
    let filed = jeanne
        .call(
            "file-data-request",
            &[
                ("kind", "access"),
                ("body", "Quelles données <b>gardez</b>-vous ?"),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);

    // More log than one page of the streamed export holds, so that it spans several.
    let jeanne_id = app
        .store
        .customer_by_number(&CustomerNumber::parse("C-100001").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let entries: Vec<AuditEntry> = (0..2_100)
        .map(|i| AuditEntry {
            at: chrono::Utc::now(),
            event: AuditEvent::AccessReported,
            actor: Actor::System,
            customer: Some(jeanne_id),
            resource: None,
            action: None,
            basis: AuditBasis::TechnicalOperation,
            source: EventSource::Service("ftp-gateway".into()),
            detail: Some(format!("bulk-{i}")),
        })
        .collect();
    app.store.record_audit(&entries).await.unwrap();

    let reply = jeanne.get("/account/data/export.json").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let export: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(export["schema"], "privacy-portal/my-data/v1");
    assert_eq!(export["schema_version"], 1);
    assert_eq!(export["customer_number"], "C-100001");
    let fields = export["personal_data"].as_array().unwrap();
    assert_eq!(fields.len(), 9);
    for field in fields {
        assert!(!field["purposes"].as_array().unwrap().is_empty(), "{field}");
    }
    assert_eq!(fields[4]["value"], CUSTOMER);
    assert!(
        !export["contracts"].as_array().unwrap().is_empty(),
        "{export}"
    );
    assert_eq!(export["data_requests"][0]["kind"], "access");
    for table in [
        "accounts",
        "grants",
        "consent_requests",
        "support_cases",
        "sessions",
        "security_events",
        "backup_snapshots",
        "charter_acknowledgements",
    ] {
        assert!(export["tables"][table].is_array(), "{table} missing");
    }
    assert_eq!(export["tables"]["accounts"][0]["email"], CUSTOMER);
    assert!(!export["tables"]["sessions"].as_array().unwrap().is_empty());
    // The log: her sign-in and her request are in it.
    let log = export["access_log"].as_array().unwrap();
    assert!(
        log.iter().any(|entry| entry["event_code"] == 6110),
        "{log:?}"
    );
    let bulk = log
        .iter()
        .filter(|entry| {
            entry["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("bulk-"))
        })
        .count();
    assert_eq!(bulk, 2_100);
    // No secret and no one else's data.
    let text = reply.body.as_str();
    for secret in ["$argon2", "password_hash", "totp_secret", "token_hash"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    for other in ["C-100002", "luca@studio-bernasconi.ch"] {
        assert!(
            !strings(&export).iter().any(|s| s.contains(other)),
            "{other} leaked"
        );
    }

    // The readable page: the same, escaped.
    let page = jeanne.get("/account/data/export").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Journal des accès"));
    assert!(page.body.contains("Rue") || page.body.contains(CUSTOMER));
    assert!(page.body.contains("&lt;b&gt;gardez&lt;/b&gt;"));
    assert!(!page.body.contains("<b>gardez"));
    assert!(page.body.trim_end().ends_with("</html>"));

    // Only a signed-in customer gets one.
    let anonymous = app
        .client
        .get(app.url("/account/data/export.json"))
        .send()
        .await
        .unwrap();
    assert_ne!(anonymous.status(), StatusCode::OK);
    let support = sign_in_staff(&app, SUPPORT, chrono::Utc::now()).await;
    assert_ne!(
        support.get("/account/data/export.json").await.status,
        StatusCode::OK
    );
}

on_both_backends!(
    every_table_holding_customer_data_is_exported_or_excluded_with_a_reason,
    the_export_holds_everything_about_the_customer_and_nothing_else,
);
