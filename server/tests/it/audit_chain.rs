//! The audit log's tamper evidence on both backends: the database refuses changes, `server audit-verify` finds a
//! flipped, deleted, reordered or truncated entry (made possible by dropping the triggers, as an intruder with the
//! database owner's rights would), checkpoints are signed while entries arrive and at shutdown, and entries
//! written before the chain existed are sealed into it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, TimeZone, Utc};
use std::sync::Arc;

use crate::support::{api::server_command, spawn_app, Backend, TestDb};
use app::domain::{AuditEvent, SecurityEventKind};
use app::ports::{
    Actor, AuditBasis, AuditEntry, AuditFilter, AuditLog, ConsentStore, CustomerId, EventSource,
    Outcome, StaffId, SystemClock,
};
use server::audit::{checkpoint, note, AuditSettings, Auditor};
use server::storage::SqlStore;

const ENTRIES: i64 = 12;

fn entry(n: i64) -> AuditEntry {
    AuditEntry {
        at: Utc
            .timestamp_opt(1_800_000_000 + n, 123_456_789)
            .single()
            .unwrap(),
        event: AuditEvent::AccessChecked,
        actor: Actor::Staff {
            id: StaffId(1),
            roles: vec![app::domain::Role::Support],
        },
        customer: Some(CustomerId(1 + n % 3)),
        resource: None,
        action: None,
        basis: AuditBasis::TechnicalOperation,
        source: EventSource::Service("backup-server".into()),
        detail: Some(format!("entry {n}")),
    }
}

/// A database holding a signed chain of [`ENTRIES`] entries.
async fn signed_log(backend: Backend) -> Option<(TestDb, SqlStore)> {
    let db = TestDb::create(backend).await?;
    let store = db.store().await;
    let entries: Vec<AuditEntry> = (1..=ENTRIES).map(entry).collect();
    store.record_audit(&entries[..5]).await.unwrap();
    store.record_audit(&entries[5..]).await.unwrap();
    let auditor = auditor(&db, &store);
    let signed = auditor
        .checkpoint()
        .await
        .unwrap()
        .expect("a checkpoint for new entries");
    assert_eq!(signed.covers(), ENTRIES);
    assert!(
        auditor.checkpoint().await.unwrap().is_none(),
        "nothing new, nothing signed"
    );
    Some((db, store))
}

fn auditor(db: &TestDb, store: &SqlStore) -> Auditor {
    Auditor::new(
        store.clone(),
        Arc::new(SystemClock),
        &AuditSettings::default(),
        db.data_dir.path(),
    )
    .unwrap()
}

async fn execute(store: &SqlStore, sql: &str) -> Result<u64, sqlx::Error> {
    match store {
        SqlStore::Sqlite(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()),
        SqlStore::Postgres(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()),
    }
}

/// Runs `server audit-verify` and returns (success, stdout).
fn audit_verify(db: &TestDb) -> (bool, String) {
    let output = server_command(db).arg("audit-verify").output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.success(), stdout)
}

fn assert_fails_at(db: &TestDb, entry: i64) {
    let (success, stdout) = audit_verify(db);
    assert!(!success, "verification must fail: {stdout}");
    assert!(
        stdout.contains(&format!("first bad entry {entry}:")),
        "expected entry {entry} named first: {stdout}"
    );
}

async fn an_intact_log_verifies(backend: Backend) {
    let Some((db, store)) = signed_log(backend).await else {
        return;
    };
    let (success, stdout) = audit_verify(&db);
    assert!(success, "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{ENTRIES} entries verified through entry {ENTRIES}"
        )),
        "{stdout}"
    );
    let status = store.verification_status().await.unwrap().unwrap();
    assert_eq!((status.verified_through, status.problem), (ENTRIES, None));
}

async fn the_database_refuses_to_change_or_remove_an_entry(backend: Backend) {
    let Some((_db, store)) = signed_log(backend).await else {
        return;
    };
    for sql in [
        "UPDATE audit_log SET detail = 'edited' WHERE id = 3",
        "UPDATE audit_log SET entry_hash = NULL WHERE id = 3",
        "DELETE FROM audit_log WHERE id = 3",
        "DELETE FROM audit_log",
    ] {
        let refused = execute(&store, sql).await.unwrap_err();
        assert!(
            refused.to_string().contains("append-only"),
            "{sql}: {refused}"
        );
    }
    if store.backend() == server::storage::Backend::Postgres {
        assert!(execute(&store, "TRUNCATE audit_log CASCADE").await.is_err());
    }
}

async fn a_flipped_entry_fails_verification(backend: Backend) {
    let Some((db, store)) = signed_log(backend).await else {
        return;
    };
    crate::support::drop_audit_triggers(&store).await;
    execute(&store, "UPDATE audit_log SET outcome = 'denied', basis_kind = 'refused', basis_rule = 'no-grant' WHERE id = 7")
        .await
        .unwrap();
    assert_fails_at(&db, 7);
}

async fn a_deleted_entry_fails_verification(backend: Backend) {
    let Some((db, store)) = signed_log(backend).await else {
        return;
    };
    crate::support::drop_audit_triggers(&store).await;
    assert_eq!(
        execute(&store, "DELETE FROM audit_log WHERE id = 4")
            .await
            .unwrap(),
        1
    );
    assert_fails_at(&db, 5);
}

async fn reordered_entries_fail_verification(backend: Backend) {
    let Some((db, store)) = signed_log(backend).await else {
        return;
    };
    crate::support::drop_audit_triggers(&store).await;
    // Entries 5 and 6 swap places, hashes and all.
    for sql in [
        "UPDATE audit_log SET id = 1000 WHERE id = 5",
        "UPDATE audit_log SET id = 5 WHERE id = 6",
        "UPDATE audit_log SET id = 6 WHERE id = 1000",
    ] {
        execute(&store, sql).await.unwrap();
    }
    assert_fails_at(&db, 5);
}

async fn a_truncated_log_fails_verification(backend: Backend) {
    let Some((db, store)) = signed_log(backend).await else {
        return;
    };
    crate::support::drop_audit_triggers(&store).await;
    // The last three entries go, and the head row is made to agree: the chain itself is consistent.
    execute(&store, "DELETE FROM audit_log WHERE id > 9")
        .await
        .unwrap();
    execute(&store, "UPDATE audit_chain SET last_id = 9, last_hash = (SELECT entry_hash FROM audit_log WHERE id = 9)")
        .await
        .unwrap();
    assert_fails_at(&db, 10);
}

async fn a_rewritten_and_rehashed_log_fails_at_its_checkpoint(backend: Backend) {
    let Some((db, store)) = signed_log(backend).await else {
        return;
    };
    // The intruder empties the log and the tree and writes it again through the portal's own writer, entry 3
    // changed: every stored hash and node agrees with the entries, only the signed root does not.
    crate::support::drop_audit_triggers(&store).await;
    for sql in [
        "DELETE FROM audit_log",
        "UPDATE audit_chain SET last_id = 0, last_hash = NULL",
        "DELETE FROM audit_tree_nodes",
        "UPDATE audit_tree SET size = 0, frontier = substr(frontier, 1, 0)",
    ] {
        execute(&store, sql).await.unwrap();
    }
    let mut entries: Vec<AuditEntry> = (1..=ENTRIES).map(entry).collect();
    entries[2].detail = Some("nothing happened".into());
    store.record_audit(&entries).await.unwrap();
    store.extend_audit_tree().await.unwrap();
    assert_fails_at(&db, ENTRIES);
}

async fn a_changed_tree_node_fails_verification(backend: Backend) {
    let Some((db, store)) = signed_log(backend).await else {
        return;
    };
    let more: Vec<AuditEntry> = (ENTRIES + 1..=20).map(entry).collect();
    store.record_audit(&more).await.unwrap();
    auditor(&db, &store).checkpoint().await.unwrap().unwrap();
    let (success, stdout) = audit_verify(&db);
    assert!(success, "{stdout}");
    // The node over entries 1 to 16 (level 4, index 0: position 4), one bit flipped.
    let select = "SELECT hash FROM audit_tree_nodes WHERE position = 4";
    let update = "UPDATE audit_tree_nodes SET hash = $1 WHERE position = 4";
    let mut hash: Vec<u8> = match &store {
        SqlStore::Sqlite(pool) => sqlx::query_scalar(select).fetch_one(pool).await,
        SqlStore::Postgres(pool) => sqlx::query_scalar(select).fetch_one(pool).await,
    }
    .unwrap();
    hash[31] ^= 1;
    match &store {
        SqlStore::Sqlite(pool) => sqlx::query(update).bind(hash).execute(pool).await.map(drop),
        SqlStore::Postgres(pool) => sqlx::query(update).bind(hash).execute(pool).await.map(drop),
    }
    .unwrap();
    let (success, stdout) = audit_verify(&db);
    assert!(!success, "{stdout}");
    assert!(
        stdout.contains("first bad entry 1:") && stdout.contains("entries 1 to 16"),
        "{stdout}"
    );
}

async fn a_checkpoint_signed_with_another_key_is_refused(backend: Backend) {
    let Some((db, store)) = signed_log(backend).await else {
        return;
    };
    let path = AuditSettings::default().checkpoint_path(db.data_dir.path());
    let intruder = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let head = store.audit_tree_head().await.unwrap();
    let forged = checkpoint::Checkpoint::Tree {
        note: note::sign(
            &intruder,
            &AuditSettings::default().log_origin(),
            head.size,
            &head.root,
            Utc::now(),
        ),
    };
    checkpoint::append(&path, &forged).unwrap();
    assert_fails_at(&db, ENTRIES);
}

async fn entries_from_before_the_chain_are_sealed_into_it(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let store = db.store().await;
    // As the rows of an older release: no hash, and a head that was never computed.
    for id in 1..=3 {
        execute(
            &store,
            &format!(
                "INSERT INTO audit_log (id, occurred_at, event_code, actor_kind, basis_kind, outcome, source_kind) \
                 VALUES ({id}, '2026-11-01 10:00:0{id}+00:00', 2000, 'system', 'staff-role', 'allowed', 'portal')"
            ),
        )
        .await
        .unwrap();
    }
    execute(
        &store,
        "UPDATE audit_chain SET last_id = 3, last_hash = NULL",
    )
    .await
    .unwrap();
    assert!(
        store.record_audit(&[entry(1)]).await.is_err(),
        "no append onto an unsealed chain"
    );
    assert_eq!(store.seal_unhashed_audit_entries().await.unwrap(), 3);
    assert_eq!(
        store.seal_unhashed_audit_entries().await.unwrap(),
        0,
        "sealed once"
    );
    store.record_audit(&[entry(4)]).await.unwrap();
    auditor(&db, &store).checkpoint().await.unwrap().unwrap();
    let (success, stdout) = audit_verify(&db);
    assert!(success, "{stdout}");
    assert!(
        stdout.contains("4 entries verified through entry 4"),
        "{stdout}"
    );
}

async fn the_server_signs_a_checkpoint_at_shutdown(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    app.store.record_audit(&[entry(1), entry(2)]).await.unwrap();
    let path = AuditSettings::default().checkpoint_path(app.db.data_dir.path());
    let db = app.stop_keeping_db().await;
    let checkpoints = checkpoint::read_all(&path).unwrap();
    assert_eq!(
        checkpoints.last().map(checkpoint::Checkpoint::covers),
        Some(2),
        "{checkpoints:?}"
    );
    let (success, stdout) = audit_verify(&db);
    assert!(success, "{stdout}");
}

async fn a_security_event_leaves_one_chained_entry(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let store = db.store().await;
    let at = Utc::now();
    app::ports::AccountStore::record_security_event(
        &store,
        &app::ports::SecurityEvent {
            kind: SecurityEventKind::LoginFailed,
            at,
            account: None,
            email: Some("nobody@example.ch".into()),
            client_ip: Some("192.0.2.7".into()),
            detail: None,
        },
    )
    .await
    .unwrap();
    let page = store
        .audit_page(
            &AuditFilter::default(),
            false,
            None,
            10,
            at + Duration::seconds(1),
        )
        .await
        .unwrap();
    assert_eq!(page.len(), 1, "{page:?}");
    let recorded = &page[0].entry;
    assert_eq!(
        recorded.event,
        AuditEvent::Account(SecurityEventKind::LoginFailed)
    );
    assert_eq!(recorded.actor, Actor::Unidentified);
    assert_eq!(recorded.basis, AuditBasis::AccountSecurity(Outcome::Denied));
    assert_eq!(recorded.detail.as_deref(), Some("ip 192.0.2.7"));
}

on_both_backends!(
    an_intact_log_verifies,
    the_database_refuses_to_change_or_remove_an_entry,
    a_flipped_entry_fails_verification,
    a_deleted_entry_fails_verification,
    reordered_entries_fail_verification,
    a_truncated_log_fails_verification,
    a_checkpoint_signed_with_another_key_is_refused,
    a_rewritten_and_rehashed_log_fails_at_its_checkpoint,
    a_changed_tree_node_fails_verification,
    entries_from_before_the_chain_are_sealed_into_it,
    the_server_signs_a_checkpoint_at_shutdown,
    a_security_event_leaves_one_chained_entry,
);
