//! Downloads of the customer's own access log as CSV and as JSON. They are plain routes rather than server
//! functions because they answer with a file, streamed: the log is read page by page (keyset) while it is sent, so
//! that a log of 100,000 entries never sits in memory at once.
//!
//! The JSON format is versioned: `{"schema": "privacy-portal/access-log/v1", "customer": …, "generated_at": …,
//! "entries": [ … ]}`, each entry as [`ExportEntry`] documents it. A future change of meaning gets a new schema
//! name; fields may only be added within v1. The CSV has the same columns in the same order, one row per entry,
//! and is safe to open in a spreadsheet: a cell that would start a formula gets a leading apostrophe.

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use chrono::{DateTime, Utc};
use futures_util::{stream, Stream, StreamExt};
use serde::Serialize;
use std::{borrow::Cow, sync::Arc};
use tower_sessions::Session;

use app::auth::guard;
use app::domain::AuditEvent;
use app::ports::{
    Actor, AuditBasis, AuditFilter, AuditLine, CustomerId, EventSource, Storage, StorageError,
};

use super::AppState;
use crate::audit::export_proof::{ChainedEntry, EntryProof, ExportCheckpoint, Seal};
use crate::audit::transparency::LogTransparency;

/// The JSON export's schema name; see the module documentation.
pub const JSON_SCHEMA: &str = "privacy-portal/access-log/v1";
pub const CSV_PATH: &str = "/account/access-log/export.csv";
pub const JSON_PATH: &str = "/account/access-log/export.json";

/// Entries read per query while streaming: large enough to amortise the round trip, small enough to keep the
/// memory of one download flat.
const EXPORT_PAGE: u32 = 1_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(CSV_PATH, get(csv_export))
        .route(JSON_PATH, get(json_export))
}

/// One entry of the export. `event_code` is the stable identifier of what happened (see README); `event` is its
/// name for people. Times are RFC 3339 in UTC.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExportEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub event_code: i32,
    pub event: String,
    /// `customer` (you), `staff`, `system` or `unidentified`.
    pub actor_kind: &'static str,
    /// A staff member's name and job function, as they are on record now.
    pub actor_name: Option<String>,
    pub actor_job_title: Option<String>,
    /// The roles the staff member held when they acted.
    pub actor_roles: Vec<&'static str>,
    pub resource: Option<String>,
    pub action: Option<&'static str>,
    /// `grant`, `technical-operation`, `the-customer`, `staff-role`, `refused`, `court-order` or
    /// `account-security`.
    pub basis: &'static str,
    /// The grant or the court-order ledger entry the basis names.
    pub basis_ref: Option<i64>,
    /// For `refused`, the rule that refused.
    pub basis_rule: Option<&'static str>,
    /// `allowed` or `denied`.
    pub outcome: &'static str,
    /// `portal`, or the name of the calling service of the infrastructure.
    pub source: String,
    pub detail: Option<String>,
    /// Hex SHA-256 of the entry chained to the one before it, to compare with a later copy.
    pub hash: String,
    /// In the JSON export: what proves the entry is in the signed log (absent for entries newer than the
    /// export's checkpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof: Option<EntryProof>,
}

const CSV_HEADER: [&str; 17] = [
    "id",
    "at",
    "event_code",
    "event",
    "actor_kind",
    "actor_name",
    "actor_job_title",
    "actor_roles",
    "resource",
    "action",
    "basis",
    "basis_ref",
    "basis_rule",
    "outcome",
    "source",
    "detail",
    "hash",
];

fn event_name(event: AuditEvent) -> String {
    match event {
        AuditEvent::Account(kind) => format!("Account{kind:?}"),
        other => format!("{other:?}"),
    }
}

impl ExportEntry {
    pub fn of(line: AuditLine) -> Self {
        let AuditLine { record, staff } = line;
        let entry = record.entry;
        let (actor_kind, actor_roles) = match &entry.actor {
            Actor::Customer { .. } => ("customer", Vec::new()),
            Actor::Staff { roles, .. } => {
                ("staff", roles.iter().map(|role| role.as_str()).collect())
            }
            Actor::System => ("system", Vec::new()),
            Actor::Unidentified => ("unidentified", Vec::new()),
        };
        let (basis, basis_ref, basis_rule) = match entry.basis {
            AuditBasis::Grant(id) => ("grant", Some(id.0), None),
            AuditBasis::TechnicalOperation => ("technical-operation", None, None),
            AuditBasis::TheCustomer => ("the-customer", None, None),
            AuditBasis::StaffRole => ("staff-role", None, None),
            AuditBasis::Refused(rule) => ("refused", None, Some(rule.as_str())),
            AuditBasis::CourtOrder(id) => ("court-order", Some(id.0), None),
            AuditBasis::AccountSecurity(_) => ("account-security", None, None),
        };
        let (actor_name, actor_job_title) = match staff {
            Some(staff) => (
                Some(staff.name),
                Some(staff.job_title).filter(|title| !title.is_empty()),
            ),
            None => (None, None),
        };
        Self {
            id: record.id,
            at: entry.at,
            event_code: entry.event.code(),
            event: event_name(entry.event),
            actor_kind,
            actor_name,
            actor_job_title,
            actor_roles,
            resource: entry.resource.map(|resource| resource.to_string()),
            action: entry.action.map(|action| action.as_str()),
            basis,
            basis_ref,
            basis_rule,
            outcome: entry.basis.outcome().as_str(),
            source: match entry.source {
                EventSource::Portal => "portal".to_owned(),
                EventSource::Service(name) => name,
            },
            detail: entry.detail,
            hash: record.hash,
            proof: None,
        }
    }

    fn csv_record(&self) -> [String; 17] {
        let optional = |value: Option<&str>| value.unwrap_or_default().to_owned();
        [
            self.id.to_string(),
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            self.event_code.to_string(),
            self.event.clone(),
            self.actor_kind.to_owned(),
            optional(self.actor_name.as_deref()),
            optional(self.actor_job_title.as_deref()),
            self.actor_roles.join(","),
            optional(self.resource.as_deref()),
            optional(self.action),
            self.basis.to_owned(),
            self.basis_ref.map(|id| id.to_string()).unwrap_or_default(),
            optional(self.basis_rule),
            self.outcome.to_owned(),
            self.source.clone(),
            optional(self.detail.as_deref()),
            self.hash.clone(),
        ]
    }
}

/// A spreadsheet runs a cell starting with one of these as a formula (CSV injection); a leading apostrophe makes it
/// text. Applied to every cell, since names, details and service names come from people and callers.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn csv_bytes<'a>(
    records: impl Iterator<Item = [String; 17]> + 'a,
) -> Result<Bytes, std::io::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in records {
        writer
            .write_record(record.iter().map(|cell| formula_safe(cell).into_owned()))
            .map_err(std::io::Error::other)?;
    }
    writer
        .into_inner()
        .map(Bytes::from)
        .map_err(|error| std::io::Error::other(error.to_string()))
}

/// The customer's whole log, newest first, one page per item. `now` is fixed for the whole download, so a
/// deferred disclosure cannot appear half-way through it.
fn pages(
    store: Arc<dyn Storage>,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> impl Stream<Item = Result<Vec<AuditLine>, StorageError>> {
    // The cursor is `Some(before)` while there may be more, `None` once the last page was read.
    stream::unfold(Some(None::<i64>), move |cursor| {
        let store = store.clone();
        async move {
            let before = cursor?;
            let filter = AuditFilter {
                customer: Some(customer),
                ..AuditFilter::default()
            };
            match store
                .audit_lines(&filter, true, before, EXPORT_PAGE, now)
                .await
            {
                Ok(lines) if lines.is_empty() => None,
                Ok(lines) => {
                    let next = (lines.len() == EXPORT_PAGE as usize)
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

/// A failure once the download has started can only cut it short; the log says why.
fn broken(error: StorageError) -> std::io::Error {
    tracing::error!(%error, "an access-log export failed while streaming");
    std::io::Error::other("the export could not be completed")
}

/// The signed-in customer behind this request, or the answer to give instead. The page guard already sends anyone
/// else away; this check does not rely on it.
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

fn download(content_type: &'static str, disposition: &'static str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

async fn csv_export(State(state): State<AppState>, session: Session) -> Response {
    let customer = match customer_of(&state, &session).await {
        Ok(customer) => customer,
        Err(response) => return response,
    };
    let header = csv_bytes(std::iter::once(CSV_HEADER.map(str::to_owned)));
    let rows = pages(state.app.store.clone(), customer, state.app.clock.now()).map(|page| {
        let page = page.map_err(broken)?;
        csv_bytes(
            page.into_iter()
                .map(|line| ExportEntry::of(line).csv_record()),
        )
    });
    let body = stream::once(async move { header }).chain(rows);
    download(
        "text/csv; charset=utf-8",
        "attachment; filename=\"access-log.csv\"",
        Body::from_stream(body),
    )
}

async fn json_export(State(state): State<AppState>, session: Session) -> Response {
    let customer = match customer_of(&state, &session).await {
        Ok(customer) => customer,
        Err(response) => return response,
    };
    let now = state.app.clock.now();
    let number = match state.app.store.customer(customer).await {
        Ok(found) => found.map(|found| found.details.number.to_string()),
        Err(error) => {
            tracing::error!(%error, "export could not read the customer");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let checkpoint = match export_checkpoint(&state.log) {
        Ok(checkpoint) => checkpoint,
        Err(status) => return status.into_response(),
    };
    let size = checkpoint.as_ref().map(|checkpoint| checkpoint.size);
    let generated_at = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let seal = Arc::new(std::sync::Mutex::new(Seal::new(
        number.as_deref().unwrap_or_default(),
        &generated_at,
        size,
    )));
    let opening = format!(
        "{{\"schema\":{},\"customer\":{},\"generated_at\":{},\"checkpoint\":{},\"entries\":[",
        serde_json::Value::from(JSON_SCHEMA),
        serde_json::Value::from(number),
        serde_json::Value::from(generated_at),
        serde_json::to_string(&checkpoint).unwrap_or_else(|_| "null".to_owned()),
    );
    let entries = {
        let seal = seal.clone();
        let log = state.log.clone();
        pages(state.app.store.clone(), customer, now)
            .enumerate()
            .then(move |(index, page)| {
                let seal = seal.clone();
                let log = log.clone();
                async move {
                    let page = page.map_err(broken)?;
                    let entries = with_proofs(&log, page, size).await.map_err(broken)?;
                    let mut chunk = Vec::new();
                    for (position, entry) in entries.iter().enumerate() {
                        if index > 0 || position > 0 {
                            chunk.push(b',');
                        }
                        serde_json::to_writer(&mut chunk, entry).map_err(std::io::Error::other)?;
                    }
                    if let Ok(mut seal) = seal.lock() {
                        for entry in &entries {
                            seal.add(entry.id, &entry.hash);
                        }
                    }
                    Ok::<_, std::io::Error>(Bytes::from(chunk))
                }
            })
    };
    let closing = stream::once(async move {
        let seal = seal
            .lock()
            .map(|seal| seal.clone())
            .map_err(|_| std::io::Error::other("the export's seal was lost"))?;
        let sealed = serde_json::to_string(&seal.sign(state.log.seal_key()))
            .map_err(std::io::Error::other)?;
        Ok(Bytes::from(format!("],\"seal\":{sealed}}}")))
    });
    let body = stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(opening)) })
        .chain(entries)
        .chain(closing);
    download(
        "application/json",
        "attachment; filename=\"access-log.json\"",
        Body::from_stream(body),
    )
}

/// The newest signed checkpoint, as exports carry it; the answer to give when it cannot be read.
pub fn export_checkpoint(log: &LogTransparency) -> Result<Option<ExportCheckpoint>, StatusCode> {
    match log.latest() {
        Ok(latest) => Ok(latest.map(|published| ExportCheckpoint {
            size: published.checkpoint.size,
            root: hex::encode(published.checkpoint.root),
            signed_at: published.checkpoint.signed_at,
            note: published.note,
        })),
        Err(error) => {
            tracing::error!(%error, "export could not read the audit checkpoints");
            Err(StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

/// A page of the export, each entry covered by the checkpoint of `size` with its proof. Read in a few queries
/// per page, whatever its length.
pub async fn with_proofs(
    log: &LogTransparency,
    page: Vec<AuditLine>,
    size: Option<u64>,
) -> Result<Vec<ExportEntry>, StorageError> {
    let mut entries: Vec<ExportEntry> = page.into_iter().map(ExportEntry::of).collect();
    let Some(size) = size else {
        return Ok(entries);
    };
    let covered: Vec<i64> = entries
        .iter()
        .map(|entry| entry.id)
        .filter(|id| *id >= 1 && (*id as u64) <= size)
        .collect();
    if covered.is_empty() {
        return Ok(entries);
    }
    let rows = log.entries_with_previous(&covered).await?;
    let paths = log.inclusion(&covered, size).await?;
    let mut proofs: std::collections::HashMap<i64, EntryProof> = rows
        .into_iter()
        .zip(paths)
        .map(|((row, previous), path)| {
            let proof = EntryProof {
                leaf_index: (row.id - 1) as u64,
                previous_hash: hex::encode(previous),
                chained: ChainedEntry::of(&row),
                inclusion: path.iter().map(hex::encode).collect(),
            };
            (row.id, proof)
        })
        .collect();
    for entry in &mut entries {
        entry.proof = proofs.remove(&entry.id);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_would_start_a_formula_become_text() {
        for dangerous in ["=1+1", "+41 21", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(formula_safe(dangerous), format!("'{dangerous}"));
        }
        for harmless in ["Camille Rey", "", "1+1", "a=b", "'quoted"] {
            assert_eq!(formula_safe(harmless), harmless);
        }
    }

    #[test]
    fn the_csv_header_names_every_column_once() {
        let mut names = CSV_HEADER.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CSV_HEADER.len());
    }
}
