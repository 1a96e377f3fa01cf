//! The customer directory sync: records from the operator's billing or CRM system, by file through the admin CLI
//! and in batches through the API, on both databases. Good records are stored, each bad one is reported with its
//! line and reason and writes nothing, a re-import changes nothing, and each change is audited by field name.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Write;

use crate::support::api::{
    api_app, error_code, server_command, ApiApp, CUSTOMER, OTHER_CUSTOMER, OTHER_MAILBOX,
};
use crate::support::Backend;
use app::domain::my_data::PersonalField;
use app::domain::{AuditEvent, CustomerNumber};
use app::ports::{ChangedBy, EventSource, ServiceKind, Storage};
use server::storage::SqlStore;
use server::tokens::Scope;

fn record(number: &str, email: &str, mailbox: &str) -> Value {
    let digits = &number[2..];
    json!({
        "number": number,
        "first_name": "Marc",
        "last_name": "Rochat",
        "company": "Rochat Menuiserie SA",
        "email": email,
        "phone": "+41 21 555 10 20",
        "language": "fr",
        "street": "Chemin des Vignes 3",
        "postcode": "1009",
        "city": "Pully",
        "country": "CH",
        "contracts": [{
            "number": format!("K-{digits}-1"),
            "started_at": "2024-03-01T00:00:00Z",
            "services": [
                {"kind": "web-space", "name": format!("rochat-{digits}.ch")},
                {"kind": "backup-space", "name": format!("backup-rochat-{digits}")},
                {"kind": "mailbox", "name": mailbox},
            ],
        }],
    })
}

fn jsonl(lines: &[String]) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .unwrap();
    for line in lines {
        writeln!(file, "{line}").unwrap();
    }
    file
}

fn import(f: &ApiApp, file: &std::path::Path) -> (i32, String) {
    let output = server_command(&f.app.db)
        .arg("import-customers")
        .arg(file)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    (output.status.code().unwrap_or(-1), stdout)
}

async fn audit_entries(store: &SqlStore) -> i64 {
    const SQL: &str = "SELECT COUNT(*) FROM audit_log";
    match store {
        SqlStore::Sqlite(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await,
        SqlStore::Postgres(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await,
    }
    .unwrap()
}

async fn customer(store: &dyn Storage, number: &str) -> Option<app::ports::Customer> {
    store
        .customer_by_number(&CustomerNumber::parse(number).unwrap())
        .await
        .unwrap()
}

async fn an_import_stores_the_good_records_and_reports_each_bad_one(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let mailbox_of_other = OTHER_MAILBOX.trim_start_matches("mailbox:");
    let mut bad_kind = record("C-300004", "m4@rochat.ch", "m4@rochat.ch");
    bad_kind["contracts"][0]["services"][0]["kind"] = json!("ftp");
    let lines = [
        record("C-300001", "marc@rochat.ch", "marc@rochat.ch").to_string(),
        // Its third service is the other customer's: nothing of it may be written, not even its first two.
        record("C-300002", "julie@rochat.ch", mailbox_of_other).to_string(),
        "{\"number\": \"C-300003\", \"first_name\": ".to_owned(),
        bad_kind.to_string(),
        record("C-300005", "anna@favre-exemple.ch", "m5@rochat.ch").to_string(),
        String::new(),
        record("C-300006", "lea@rochat.ch", "lea@rochat.ch").to_string(),
    ];
    let file = jsonl(&lines);
    let before = audit_entries(&f.app.store).await;
    let (code, out) = import(&f, file.path());
    assert_eq!(code, 1, "a refused record makes the run fail: {out}");
    assert!(
        out.contains(&format!(
            "line 2: refused: services: mailbox:{mailbox_of_other} belongs to another customer"
        )),
        "{out}"
    );
    assert!(out.contains("line 3: refused: EOF while parsing"), "{out}");
    assert!(
        out.contains("line 4: refused: services.kind: must be web-space, backup-space or mailbox"),
        "{out}"
    );
    assert!(
        out.contains("line 5: refused: email: another customer has this email"),
        "{out}"
    );
    assert!(
        out.ends_with("created 2, updated 0, unchanged 0, refused 4\n"),
        "{out}"
    );

    let store = f.store();
    let created = customer(store, "C-300001")
        .await
        .expect("a good record is stored");
    assert_eq!(
        created.details.company.as_deref(),
        Some("Rochat Menuiserie SA")
    );
    assert_eq!(created.details.postcode, "1009");
    let services = store.services_of(created.id).await.unwrap();
    let kinds: Vec<ServiceKind> = services.iter().map(|service| service.kind).collect();
    assert_eq!(kinds.len(), 3, "{services:?}");
    let contracts = store.contracts_of(created.id).await.unwrap();
    assert_eq!(contracts.len(), 1);
    assert_eq!(contracts[0].contract.number, "K-300001-1");
    assert_eq!(
        contracts[0].services.len(),
        3,
        "each service under its contract"
    );
    assert!(customer(store, "C-300006").await.is_some());
    for refused in ["C-300002", "C-300003", "C-300004", "C-300005"] {
        assert!(
            customer(store, refused).await.is_none(),
            "{refused} is not half-written"
        );
    }
    assert!(store
        .owner_of(&app::domain::consent::ResourceId::parse("web-space:rochat-300002.ch").unwrap())
        .await
        .unwrap()
        .is_none());
    // One audit entry per customer created, by the CLI, naming no value.
    assert_eq!(audit_entries(&f.app.store).await, before + 2);
    let log = store.audit_of_customer(created.id, None, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    let entry = &log[0].1;
    assert_eq!(entry.event, AuditEvent::DirectoryRecordCreated);
    assert_eq!(entry.source, EventSource::Service("admin-cli".into()));

    // The same file again: the good records are unchanged and nothing is written.
    let (_, again) = import(&f, file.path());
    assert!(
        again.ends_with("created 0, updated 0, unchanged 2, refused 4\n"),
        "{again}"
    );
    assert_eq!(
        audit_entries(&f.app.store).await,
        before + 2,
        "a re-import writes no audit entry"
    );
}

async fn a_changed_record_updates_only_what_changed_and_says_which_fields(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let first = record("C-300001", "marc@rochat.ch", "marc@rochat.ch");
    let (code, out) = import(&f, jsonl(&[first.to_string()]).path());
    assert_eq!(code, 0, "{out}");
    let mut changed = first.clone();
    changed["phone"] = json!("+41 21 555 99 99");
    changed["city"] = json!("Lutry");
    changed["postcode"] = json!("1095");
    changed["contracts"][0]["services"]
        .as_array_mut()
        .unwrap()
        .push(json!({"kind": "mailbox", "name": "atelier@rochat.ch"}));
    let (code, out) = import(&f, jsonl(&[changed.to_string()]).path());
    assert_eq!(code, 0, "{out}");
    assert!(
        out.ends_with("created 0, updated 1, unchanged 0, refused 0\n"),
        "{out}"
    );
    let store = f.store();
    let stored = customer(store, "C-300001").await.unwrap();
    assert_eq!(stored.details.city, "Lutry");
    assert_eq!(
        stored
            .details
            .phone
            .as_ref()
            .map(|phone| phone.as_str().to_owned()),
        Some("+41215559999".to_owned())
    );
    assert_eq!(store.services_of(stored.id).await.unwrap().len(), 4);
    // "My data" shows which fields the operator's directory changed, and when; never the old value.
    let changes = store.field_changes(stored.id).await.unwrap();
    let fields: Vec<PersonalField> = changes.iter().map(|change| change.field).collect();
    assert!(
        fields.contains(&PersonalField::Phone) && fields.contains(&PersonalField::PostalAddress),
        "{changes:?}"
    );
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(changes.iter().all(|change| change.by == ChangedBy::System));
    let log = store.audit_of_customer(stored.id, None, 10).await.unwrap();
    let entry = &log[0].1;
    assert_eq!(entry.event, AuditEvent::DirectoryRecordUpdated);
    assert_eq!(
        entry.detail.as_deref(),
        Some("changed: phone, postal_address; contracts added: 0; services added: 1")
    );
    assert!(
        !entry
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("Lutry"),
        "never a value"
    );
}

async fn a_csv_file_imports_as_json_lines_do(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    write!(
        file,
        "number,first_name,last_name,company,email,phone,mobile,language,street,postcode,city,country,contract,\
         contract_started_at,web_spaces,backup_spaces,mailboxes\n\
         C-300010,Léa,Mottier,,lea@mottier.ch,,+41 79 555 00 11,en,Rue Centrale 5,1003,Lausanne,CH,K-300010-1,\
         2025-01-15T00:00:00Z,mottier.ch,,lea@mottier.ch info@mottier.ch\n\
         C-300011,Paul,Mottier,,paul@mottier.ch,,,fr,Rue Centrale 5,100,Lausanne,CH,,,,,\n"
    )
    .unwrap();
    let (code, out) = import(&f, file.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("line 3: refused: postcode: must be four digits in Switzerland"),
        "{out}"
    );
    assert!(
        out.ends_with("created 1, updated 0, unchanged 0, refused 1\n"),
        "{out}"
    );
    let store = f.store();
    let lea = customer(store, "C-300010").await.unwrap();
    assert_eq!(lea.details.company, None);
    assert_eq!(lea.details.first_name, "Léa");
    let names: Vec<String> = store
        .services_of(lea.id)
        .await
        .unwrap()
        .into_iter()
        .map(|service| service.name)
        .collect();
    assert_eq!(names, ["mottier.ch", "lea@mottier.ch", "info@mottier.ch"]);
}

async fn the_api_answers_each_record_of_a_batch(backend: Backend) {
    let Some(f) = api_app(backend).await else {
        return;
    };
    let token = f.token("crm", &[Scope::Directory]).await;
    let other = f.token("ticketing", &[Scope::SupportCases]).await;
    let mut taken = record("C-300002", "x@rochat.ch", "x@rochat.ch");
    taken["contracts"][0]["number"] = json!("K-300001-1");
    let body = json!({"customers": [
        record("C-300001", "marc@rochat.ch", "marc@rochat.ch"),
        {"number": "C-300003"},
        taken,
        record(CUSTOMER, "anna@favre-exemple.ch", "anna@favre-exemple.ch"),
    ]});
    let (status, answer) = f
        .post("/api/v1/directory/customers", Some(&other), &body)
        .await;
    assert_eq!(error_code(status, &answer), "forbidden");
    let (status, answer) = f
        .post("/api/v1/directory/customers", Some(&token), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results[0]["outcome"], "created");
    assert_eq!(results[0]["number"], "C-300001");
    assert_eq!(results[1]["outcome"], "refused");
    assert!(
        results[1]["reason"]
            .as_str()
            .unwrap()
            .contains("missing field"),
        "{answer}"
    );
    assert_eq!(results[2]["outcome"], "refused");
    assert_eq!(results[2]["field"], "contracts");
    // An existing customer of the portal: its personal fields come from the directory from now on.
    assert_eq!(results[3]["outcome"], "updated", "{answer}");
    assert_eq!(
        answer["summary"],
        json!({"created": 1, "updated": 1, "unchanged": 0, "refused": 2, "invited": 0})
    );
    let log = f.audit_log().await;
    let synced = log
        .iter()
        .find(|entry| entry.event == AuditEvent::DirectoryRecordUpdated)
        .unwrap();
    assert_eq!(synced.source, EventSource::Service("crm".into()));
    assert!(customer(f.store(), OTHER_CUSTOMER).await.is_some());
    let (status, answer) = f
        .post(
            "/api/v1/directory/customers",
            Some(&token),
            &json!({"customers": []}),
        )
        .await;
    assert_eq!(error_code(status, &answer), "invalid-field");
    assert_eq!(answer["error"]["field"], "customers");
    // Asked to, the sync invites the customers it creates, and only those.
    let body = json!({"invite": true, "customers": [
        record("C-300007", "paul@rochat.ch", "paul@rochat.ch"),
        record("C-300001", "marc@rochat.ch", "marc@rochat.ch"),
    ]});
    let (status, answer) = f
        .post("/api/v1/directory/customers", Some(&token), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["results"][0]["invited"], true, "{answer}");
    assert_eq!(answer["results"][1]["outcome"], "unchanged");
    assert_eq!(answer["summary"]["invited"], 1);
    let invited = customer(f.store(), "C-300007").await.unwrap();
    let log = f
        .store()
        .audit_of_customer(invited.id, None, 10)
        .await
        .unwrap();
    assert_eq!(log[0].1.event, AuditEvent::LoginInvitationSent);
}

on_both_backends!(
    an_import_stores_the_good_records_and_reports_each_bad_one,
    a_changed_record_updates_only_what_changed_and_says_which_fields,
    a_csv_file_imports_as_json_lines_do,
    the_api_answers_each_record_of_a_batch,
);
