//! Issue 8 on both databases: mailbox aggregates pushed by the mail platform (and nothing else), the backup
//! snapshot registry with its 7-day destruction and the overdue job, terminated contracts, snapshot access
//! decisions, mailbox supervision and the customer's backups page.

mod api;
mod retention;
mod screens;
mod storage;
mod transfers;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::api::{error_code, read, ApiApp};
use crate::support::Backend;
use app::domain::consent::{SnapshotContent, SnapshotId};
use app::domain::AuditEvent;
use app::ports::{
    Actor, AuditBasis, AuditEntry, CustomerId, EventSource, NewSnapshot, RegisterOutcome,
    SnapshotRecord, Storage,
};

/// A PUT with the token, as the mail platform sends it.
async fn put(f: &ApiApp, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
    let mut request = f.app.client.put(f.app.url(path)).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    read(request.send().await.unwrap()).await
}

async fn get(f: &ApiApp, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = f.app.client.get(f.app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    read(request.send().await.unwrap()).await
}

/// Registers a snapshot straight in the store, as the API would, taken at `taken_at`.
pub async fn register(
    store: &dyn Storage,
    customer: CustomerId,
    id: &str,
    holds: &str,
    taken_at: DateTime<Utc>,
) -> SnapshotRecord {
    let snapshot = NewSnapshot {
        id: SnapshotId::parse(id).unwrap(),
        customer,
        holds: SnapshotContent::parse(holds).unwrap(),
        taken_at: taken_at.trunc_subsecs(6),
        registered_by: "backup-system".into(),
    };
    let audit = AuditEntry {
        at: taken_at,
        event: AuditEvent::BackupRegistered,
        actor: Actor::System,
        customer: None,
        resource: None,
        action: None,
        basis: AuditBasis::StaffRole,
        source: EventSource::Service("backup-system".into()),
        detail: None,
    };
    match store.register_snapshot(&snapshot, &audit).await.unwrap() {
        RegisterOutcome::Registered(record) => record,
        other => panic!("{id}: {other:?}"),
    }
}

/// The events of the customer's audit log with that code.
async fn entries(store: &dyn Storage, customer: CustomerId, event: AuditEvent) -> Vec<AuditEntry> {
    store
        .audit_of_customer(customer, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, entry)| entry)
        .filter(|entry| entry.event == event)
        .collect()
}
