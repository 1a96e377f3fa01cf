//! "Everything the portal holds about me" (charter §1, issue 7): one JSON document at `/account/data/export.json`
//! and the same content as a readable page at `/account/data/export`. Both are streamed: the access log, the one
//! part that grows without bound, is read page by page while it is sent (as the access-log export does); the rest
//! is small and read first.
//!
//! # JSON schema, `"schema": "privacy-portal/my-data/v1"`, `"schema_version": 1`
//!
//! ```text
//! {
//!   "schema": "privacy-portal/my-data/v1", "schema_version": 1,
//!   "generated_at": RFC 3339 UTC, "customer_number": "C-100001",
//!   "personal_data": [ { "field", "value", "purposes": [ {"purpose", "clause", "charter_words"} ],
//!                        "self_service", "last_changed_at", "last_changed_by" } ],
//!   "field_changes": [ { "field", "at", "by" } ],           // newest first; the fact only, never the values
//!   "contracts": [ { "number", "started_at", "terminated_at", "held", "services": [ {"kind", "name",
//!                    "created_at"} ], "transfers": [ {"from", "to", "from_customer", "to_customer", "at"} ] } ],
//!                                                           // from/to: internal ids (kept for v1 readers);
//!                                                           // *_customer: the customer numbers
//!   "messages": [ { "id", "kind", "subject", "body_text", "status", "created_at", "sent_at" } ],
//!   "incidents": [ { "id", "title", "what_happened", "what_it_means", "services", "declared_at" } ],
//!   "mail_preferences": { "new_service_announcements" },
//!   "data_requests": [ { "id", "kind", "body", "filed_at", "due_at", "answered_at", "answer" } ],
//!   "tables": { "<table>": [ { "<column>": value, … } ] },   // see COVERAGE: consents, grants, cases, sign-in
//!                                                           // account, sessions, security events, charter
//!                                                           // acknowledgements, backups, mailbox aggregates, …
//!   "access_log_checkpoint": the signed checkpoint the entries' proofs refer to (or null),
//!   "access_log": [ entries as in privacy-portal/access-log/v1, with their proofs ]   // last, streamed
//! }
//! ```
//!
//! Fields may be added within v1 (and `tables` gains a key when a table is added to the coverage list); a change of
//! meaning gets `schema_version` 2. Which tables are covered, and why the few excluded ones are, is
//! [`crate::storage::my_data::export::COVERAGE`]; a test fails when a table of the schema is in neither.

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::{stream, Stream, StreamExt};
use serde_json::{json, Map, Value};
use std::collections::hash_map::{Entry, HashMap};
use std::sync::Arc;
use tower_sessions::Session;

use app::auth::guard;
use app::domain::my_data::PersonalField;
use app::ports::my_data::personal_value;
use app::ports::{AuditFilter, AuditLine, ChangedBy, CustomerId, Storage, StorageError};

use super::exports::ExportEntry;
use super::AppState;
use crate::storage::my_data::export::{Coverage, COVERAGE};

pub const SCHEMA: &str = "privacy-portal/my-data/v1";
pub const SCHEMA_VERSION: u32 = 1;
pub const JSON_PATH: &str = "/account/data/export.json";
pub const HTML_PATH: &str = "/account/data/export";

const LOG_PAGE: u32 = 1_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(JSON_PATH, get(json_export))
        .route(HTML_PATH, get(html_export))
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn changed_by(by: ChangedBy) -> Value {
    match by {
        ChangedBy::Customer => json!("customer"),
        ChangedBy::System => json!("system"),
        ChangedBy::Staff(id) => json!({ "staff": id.0 }),
    }
}

/// Every part of the export but the access log, in the order the document has them.
pub async fn head_of(
    store: &dyn Storage,
    id: CustomerId,
    now: DateTime<Utc>,
) -> Result<Map<String, Value>, StorageError> {
    let customer = store
        .customer(id)
        .await?
        .ok_or_else(crate::storage::my_data::export::missing_customer)?;
    let changes = store.field_changes(id).await?;
    let personal_data: Vec<Value> = PersonalField::ALL
        .into_iter()
        .map(|field| {
            let last = changes.iter().find(|change| change.field == field);
            json!({
                "field": field.as_str(),
                "value": personal_value(&customer, field),
                "purposes": field.purposes().iter().map(|purpose| json!({
                    "purpose": purpose.as_str(),
                    "clause": purpose.clause(),
                    "charter_words": purpose.charter_words(),
                })).collect::<Vec<_>>(),
                "self_service": field.self_service(),
                "last_changed_at": last.map(|change| time(change.at)),
                "last_changed_by": last.map(|change| changed_by(change.by)),
            })
        })
        .collect();
    let field_changes: Vec<Value> = changes
        .iter()
        .map(|change| {
            json!({ "field": change.field.as_str(), "at": time(change.at), "by": changed_by(change.by) })
        })
        .collect();
    let views = store.contracts_of(id).await?;
    let mut numbers: HashMap<CustomerId, String> = HashMap::new();
    for transfer in views.iter().flat_map(|view| &view.transfers) {
        for party in [transfer.from, transfer.to] {
            if let Entry::Vacant(slot) = numbers.entry(party) {
                let number = store
                    .customer(party)
                    .await?
                    .map_or_else(String::new, |party| party.details.number.to_string());
                slot.insert(number);
            }
        }
    }
    let number_of = |party: CustomerId| numbers.get(&party).cloned().unwrap_or_default();
    let contracts: Vec<Value> = views
        .into_iter()
        .map(|view| {
            json!({
                "number": view.contract.number,
                "started_at": time(view.contract.started_at),
                "terminated_at": view.contract.terminated_at.map(time),
                "held": view.contract.customer == id,
                "services": view.services.iter().map(|service| json!({
                    "kind": service.kind.as_str(),
                    "name": service.name,
                    "created_at": time(service.created_at),
                })).collect::<Vec<_>>(),
                "transfers": view.transfers.iter().map(|transfer| json!({
                    "from": transfer.from.0,
                    "to": transfer.to.0,
                    "from_customer": number_of(transfer.from),
                    "to_customer": number_of(transfer.to),
                    "at": time(transfer.at),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let messages: Vec<Value> = store
        .ledger_of(id)
        .await?
        .into_iter()
        .map(|entry| {
            json!({
                "id": entry.id,
                "kind": entry.kind.as_str(),
                "subject": entry.subject,
                "body_text": entry.body_text,
                "status": entry.status.as_str(),
                "created_at": time(entry.created_at),
                "sent_at": entry.sent_at.map(time),
            })
        })
        .collect();
    let incidents: Vec<Value> = store
        .incidents_of(id)
        .await?
        .into_iter()
        .map(|incident| {
            json!({
                "id": incident.id,
                "title": incident.title,
                "what_happened": incident.what_happened,
                "what_it_means": incident.what_it_means,
                "services": incident.services.iter().map(|kind| kind.as_str()).collect::<Vec<_>>(),
                "declared_at": time(incident.declared_at),
            })
        })
        .collect();
    let preferences = store.mail_preferences(id).await?;
    let data_requests: Vec<Value> = store
        .data_requests_of(id)
        .await?
        .into_iter()
        .map(|request| {
            json!({
                "id": request.id,
                "kind": request.kind.as_str(),
                "body": request.body,
                "filed_at": time(request.filed_at),
                "due_at": time(request.due_at),
                "answered_at": request.answered_at.map(time),
                "answer": request.answer,
            })
        })
        .collect();
    let live = store.customer_tables().await?;
    let mut tables = Map::new();
    for (table, coverage) in COVERAGE {
        let Coverage::Rows { hidden } = coverage else {
            continue;
        };
        // The keys come from the live schema, so a column added later that refers to the customer is used too.
        let Some((_, keys)) = live.iter().find(|(name, _)| name == table) else {
            continue;
        };
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let rows = store.customer_rows(table, &keys, hidden, id).await?;
        tables.insert((*table).to_owned(), Value::Array(rows));
    }
    let mut head = Map::new();
    head.insert("schema".into(), json!(SCHEMA));
    head.insert("schema_version".into(), json!(SCHEMA_VERSION));
    head.insert("generated_at".into(), json!(time(now)));
    head.insert(
        "customer_number".into(),
        json!(customer.details.number.to_string()),
    );
    head.insert("personal_data".into(), Value::Array(personal_data));
    head.insert("field_changes".into(), Value::Array(field_changes));
    head.insert("contracts".into(), Value::Array(contracts));
    head.insert("messages".into(), Value::Array(messages));
    head.insert("incidents".into(), Value::Array(incidents));
    head.insert(
        "mail_preferences".into(),
        json!({ "new_service_announcements": preferences.new_service_announcements }),
    );
    head.insert("data_requests".into(), Value::Array(data_requests));
    head.insert("tables".into(), Value::Object(tables));
    Ok(head)
}

/// The customer's whole log, newest first, one page per item (the access-log export's way).
fn log_pages(
    store: Arc<dyn Storage>,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> impl Stream<Item = Result<Vec<AuditLine>, StorageError>> {
    stream::unfold(Some(None::<i64>), move |cursor| {
        let store = store.clone();
        async move {
            let before = cursor?;
            let filter = AuditFilter {
                customer: Some(customer),
                ..AuditFilter::default()
            };
            match store
                .audit_lines(&filter, true, before, LOG_PAGE, now)
                .await
            {
                Ok(lines) if lines.is_empty() => None,
                Ok(lines) => {
                    let next = (lines.len() == LOG_PAGE as usize)
                        .then(|| lines.last().map(|line| line.record.id))
                        .flatten()
                        .map(Some);
                    Some((Ok(lines), next))
                }
                Err(error) => Some((Err(error), None)),
            }
        }
    })
}

fn broken(error: StorageError) -> std::io::Error {
    tracing::error!(%error, "a my-data export failed while streaming");
    std::io::Error::other("the export could not be completed")
}

async fn customer_of(state: &AppState, session: &Session) -> Result<CustomerId, Response> {
    let context = &state.app;
    let auth = guard::authenticate(session, context.store.as_ref(), context.clock.now())
        .await
        .map_err(|error| {
            tracing::error!(%error, "export could not read the session");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        })?;
    match guard::as_customer(auth.as_ref()) {
        Ok(customer) => Ok(customer.customer()),
        Err(guard::Refusal::NotSignedIn | guard::Refusal::Unfinished(_)) => {
            Err(StatusCode::UNAUTHORIZED.into_response())
        }
        Err(_) => Err(StatusCode::FORBIDDEN.into_response()),
    }
}

async fn prepared(
    state: &AppState,
    session: &Session,
) -> Result<(CustomerId, DateTime<Utc>, Map<String, Value>), Response> {
    let customer = customer_of(state, session).await?;
    let now = state.app.clock.now();
    match head_of(state.app.store.as_ref(), customer, now).await {
        Ok(head) => Ok((customer, now, head)),
        Err(error) => {
            tracing::error!(%error, "my-data export could not be prepared");
            Err(StatusCode::SERVICE_UNAVAILABLE.into_response())
        }
    }
}

async fn json_export(State(state): State<AppState>, session: Session) -> Response {
    let (customer, now, head) = match prepared(&state, &session).await {
        Ok(prepared) => prepared,
        Err(response) => return response,
    };
    let mut opening = match serde_json::to_vec(&Value::Object(head)) {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "my-data export could not be serialised");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let checkpoint = match super::exports::export_checkpoint(&state.log) {
        Ok(checkpoint) => checkpoint,
        Err(status) => return status.into_response(),
    };
    let size = checkpoint.as_ref().map(|checkpoint| checkpoint.size);
    // Reopen the object to append the checkpoint and the streamed log as its last members.
    opening.pop();
    opening.extend_from_slice(b",\"access_log_checkpoint\":");
    opening.extend_from_slice(
        serde_json::to_string(&checkpoint)
            .unwrap_or_else(|_| "null".to_owned())
            .as_bytes(),
    );
    opening.extend_from_slice(b",\"access_log\":[");
    let log = state.log.clone();
    let entries = log_pages(state.app.store.clone(), customer, now)
        .enumerate()
        .then(move |(index, page)| {
            let log = log.clone();
            async move {
                let page = page.map_err(broken)?;
                let entries = super::exports::with_proofs(&log, page, size)
                    .await
                    .map_err(broken)?;
                let mut chunk = Vec::new();
                for (position, entry) in entries.iter().enumerate() {
                    if index > 0 || position > 0 {
                        chunk.push(b',');
                    }
                    serde_json::to_writer(&mut chunk, entry).map_err(std::io::Error::other)?;
                }
                Ok::<_, std::io::Error>(Bytes::from(chunk))
            }
        });
    let body = stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(opening)) })
        .chain(entries)
        .chain(stream::once(async { Ok(Bytes::from_static(b"]}")) }));
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"my-data.json\"",
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Any JSON value as readable HTML: an object as a list of names and values, a list of objects as a table.
fn render(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push('–'),
        Value::Bool(true) => out.push_str("oui"),
        Value::Bool(false) => out.push_str("non"),
        Value::Number(number) => out.push_str(&number.to_string()),
        Value::String(text) => out.push_str(&escape(text)),
        Value::Array(items) if items.is_empty() => {
            out.push_str("<span class=\"muted\">aucun</span>")
        }
        Value::Array(items) if items.iter().all(Value::is_object) => {
            let mut columns: Vec<&String> = Vec::new();
            for item in items.iter().filter_map(Value::as_object) {
                for key in item.keys() {
                    if !columns.contains(&key) {
                        columns.push(key);
                    }
                }
            }
            out.push_str("<div class=\"table-scroll\"><table><thead><tr>");
            for column in &columns {
                out.push_str(&format!("<th scope=\"col\">{}</th>", escape(column)));
            }
            out.push_str("</tr></thead><tbody>");
            for item in items.iter().filter_map(Value::as_object) {
                out.push_str("<tr>");
                for column in &columns {
                    out.push_str("<td>");
                    render(item.get(*column).unwrap_or(&Value::Null), out);
                    out.push_str("</td>");
                }
                out.push_str("</tr>");
            }
            out.push_str("</tbody></table></div>");
        }
        Value::Array(items) => {
            out.push_str("<ul>");
            for item in items {
                out.push_str("<li>");
                render(item, out);
                out.push_str("</li>");
            }
            out.push_str("</ul>");
        }
        Value::Object(members) => {
            out.push_str("<dl>");
            for (key, value) in members {
                out.push_str(&format!("<dt>{}</dt><dd>", escape(key)));
                render(value, out);
                out.push_str("</dd>");
            }
            out.push_str("</dl>");
        }
    }
}

/// The section titles of the readable page, in French like the rest of the portal.
fn section_title(key: &str) -> &str {
    match key {
        "personal_data" => "Données personnelles et leur usage",
        "field_changes" => "Modifications de vos données",
        "contracts" => "Contrats, services et transferts",
        "messages" => "Messages envoyés",
        "incidents" => "Incidents qui vous concernent",
        "mail_preferences" => "Préférences de messages",
        "data_requests" => "Demandes au sujet de vos données",
        "tables" => "Autres enregistrements (consentements, accès accordés, compte, sessions, charte, sauvegardes…)",
        other => other,
    }
}

async fn html_export(State(state): State<AppState>, session: Session) -> Response {
    let (customer, now, head) = match prepared(&state, &session).await {
        Ok(prepared) => prepared,
        Err(response) => return response,
    };
    let mut opening = String::from(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Mes données : export complet · Portail de confidentialité</title>\
         <link rel=\"stylesheet\" href=\"/pkg/portal.css\"></head><body><main id=\"main\" class=\"export\">\
         <h1>Tout ce que nous conservons à votre sujet</h1>",
    );
    opening.push_str(&format!(
        "<p class=\"lead\">Client {}, export du {} (schéma {SCHEMA}). \
         <a href=\"{JSON_PATH}\">Le même contenu en JSON</a> · <a href=\"/account/data\">Retour à mes données</a></p>",
        escape(head.get("customer_number").and_then(Value::as_str).unwrap_or_default()),
        escape(&now.format("%d.%m.%Y %H:%M UTC").to_string()),
    ));
    for (key, value) in &head {
        if matches!(
            key.as_str(),
            "schema" | "schema_version" | "generated_at" | "customer_number"
        ) {
            continue;
        }
        opening.push_str(&format!(
            "<section id=\"export-{}\"><h2>{}</h2>",
            escape(key),
            escape(section_title(key))
        ));
        if let Value::Object(tables) = value {
            if key == "tables" {
                for (table, rows) in tables {
                    opening.push_str(&format!("<h3 id=\"table-{0}\">{0}</h3>", escape(table)));
                    render(rows, &mut opening);
                }
                opening.push_str("</section>");
                continue;
            }
        }
        render(value, &mut opening);
        opening.push_str("</section>");
    }
    opening.push_str(
        "<section id=\"export-access_log\"><h2>Journal des accès</h2><div class=\"table-scroll\"><table>\
         <thead><tr><th scope=\"col\">n°</th><th scope=\"col\">quand</th><th scope=\"col\">événement</th>\
         <th scope=\"col\">qui</th><th scope=\"col\">ressource</th><th scope=\"col\">base</th>\
         <th scope=\"col\">résultat</th><th scope=\"col\">détail</th></tr></thead><tbody>",
    );
    let rows = log_pages(state.app.store.clone(), customer, now).map(|page| {
        let page = page.map_err(broken)?;
        let mut chunk = String::new();
        for line in page {
            let entry = ExportEntry::of(line);
            let who = match (&entry.actor_name, entry.actor_kind) {
                (Some(name), _) => name.clone(),
                (None, "customer") => "vous".to_owned(),
                (None, kind) => kind.to_owned(),
            };
            chunk.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                entry.id,
                escape(&entry.at.format("%d.%m.%Y %H:%M:%S").to_string()),
                escape(&entry.event),
                escape(&who),
                escape(entry.resource.as_deref().unwrap_or_default()),
                escape(entry.basis),
                escape(entry.outcome),
                escape(entry.detail.as_deref().unwrap_or_default()),
            ));
        }
        Ok::<_, std::io::Error>(Bytes::from(chunk))
    });
    let body = stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(opening)) })
        .chain(rows)
        .chain(stream::once(async {
            Ok(Bytes::from_static(
                b"</tbody></table></div></section></main></body></html>",
            ))
        }));
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Body::from_stream(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readable_page_escapes_what_people_wrote() {
        let mut out = String::new();
        render(
            &json!([{ "subject": "<script>alert(1)</script>", "n": 1 }]),
            &mut out,
        );
        assert!(out.contains("&lt;script&gt;"));
        assert!(!out.contains("<script>"));
    }
}
