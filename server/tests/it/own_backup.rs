//! The portal's own backup, as an operator takes and restores it: while the portal runs and writes audit entries,
//! a backup (`server backup` on SQLite, `pg_dump` on PostgreSQL, each after copying the checkpoint file) is taken,
//! restored elsewhere, and `server audit-verify` finds the restored log intact.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::support::auth::count;
use crate::support::{spawn_app_on, Backend, TestDb};
use app::domain::AuditEvent;
use app::ports::{Actor, AuditBasis, AuditEntry, ConsentStore, EventSource, StaffId};

fn server(data_dir: &Path, database_url: &str) -> Command {
    let mut command = crate::support::api::server_command_at(data_dir, database_url);
    command.env("RUST_LOG", "warn");
    command
}

async fn output(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("run"))
        .await
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn entry(n: i64) -> AuditEntry {
    AuditEntry {
        at: Utc::now(),
        event: AuditEvent::AccessChecked,
        actor: Actor::Staff {
            id: StaffId(1),
            roles: vec![app::domain::Role::Support],
        },
        customer: None,
        resource: None,
        action: None,
        basis: AuditBasis::TechnicalOperation,
        source: EventSource::Service("backup-server".into()),
        detail: Some(format!("entry {n}")),
    }
}

/// The number in "audit log intact: N entries verified".
fn entries_verified(stdout: &str) -> i64 {
    stdout
        .split("audit log intact: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {stdout}"))
}

async fn a_backup_taken_under_load_restores_and_verifies(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let live_dir = db.data_dir.path().to_path_buf();
    let live_url = db.url.clone();
    let app = spawn_app_on(db, Arc::new(app::ports::SystemClock), |settings| {
        settings.audit.audit_checkpoint_secs = 1;
    })
    .await;
    let checkpoints = live_dir.join("audit-checkpoints.jsonl");

    let writing = Arc::new(AtomicBool::new(true));
    let written = Arc::new(AtomicI64::new(0));
    let writer = tokio::spawn({
        let store = app.store.clone();
        let writing = writing.clone();
        let written = written.clone();
        async move {
            while writing.load(Ordering::SeqCst) {
                let n = written.fetch_add(1, Ordering::SeqCst);
                store.record_audit(&[entry(n)]).await.unwrap();
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
    });
    // Wait for signed checkpoints, so that the backup has some to carry.
    for _ in 0..100 {
        if std::fs::read_to_string(&checkpoints).is_ok_and(|file| file.lines().count() >= 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("portal-backup");
    let checkpoints_copy = server::own_backup::checkpoints_beside(&backup);
    match backend {
        Backend::Sqlite => {
            let mut command = server(&live_dir, &live_url);
            command.arg("backup").arg("--to").arg(&backup);
            let taken = output(command).await;
            assert!(taken.status.success(), "{}", text(&taken));
            let stdout = String::from_utf8_lossy(&taken.stdout);
            assert!(stdout.contains("audit entries verified"), "{stdout}");
            // A second backup to the same place is refused rather than overwriting the first.
            let mut command = server(&live_dir, &live_url);
            command.arg("backup").arg("--to").arg(&backup);
            let again = output(command).await;
            assert!(!again.status.success());
            assert!(
                String::from_utf8_lossy(&again.stderr).contains("already exists"),
                "{}",
                text(&again)
            );
        }
        Backend::Postgres => {
            // `server backup` says to use pg_dump, and copying the checkpoints first is the operator's step.
            let mut command = server(&live_dir, &live_url);
            command.arg("backup").arg("--to").arg(&backup);
            let refused = output(command).await;
            assert!(!refused.status.success());
            assert!(
                String::from_utf8_lossy(&refused.stderr).contains("pg_dump"),
                "{}",
                text(&refused)
            );
            std::fs::copy(&checkpoints, &checkpoints_copy).unwrap();
            let mut dump = Command::new("pg_dump");
            dump.args(["--format=custom", "--no-owner", "--file"])
                .arg(&backup)
                .arg(&live_url);
            let dumped = output(dump).await;
            assert!(dumped.status.success(), "{}", text(&dumped));
        }
    }
    // Writes and checkpoints go on after the backup.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    writing.store(false, Ordering::SeqCst);
    writer.await.unwrap();
    let live_db = app.stop_keeping_db().await;
    let live_entries = count(&live_db.store().await, "SELECT COUNT(*) FROM audit_log").await;

    // The restore: the database and the checkpoints copied with it put in place, with the signing key.
    let Some(restored) = TestDb::create(backend).await else {
        return;
    };
    let restored_dir = restored.data_dir.path();
    match backend {
        Backend::Sqlite => {
            std::fs::copy(&backup, restored_dir.join("portal.db")).unwrap();
        }
        Backend::Postgres => {
            let mut command = Command::new("pg_restore");
            command
                .args(["--no-owner", "--exit-on-error", "--dbname"])
                .arg(&restored.url)
                .arg(&backup);
            let loaded = output(command).await;
            assert!(loaded.status.success(), "{}", text(&loaded));
        }
    }
    std::fs::copy(
        live_dir.join("audit-signing.key"),
        restored_dir.join("audit-signing.key"),
    )
    .unwrap();
    std::fs::copy(
        &checkpoints_copy,
        restored_dir.join("audit-checkpoints.jsonl"),
    )
    .unwrap();
    let mut command = server(restored_dir, &restored.url);
    command.arg("audit-verify");
    let verified = output(command).await;
    assert!(verified.status.success(), "{}", text(&verified));
    let restored_entries = entries_verified(&String::from_utf8_lossy(&verified.stdout));
    assert!(
        restored_entries > 0 && restored_entries < live_entries,
        "taken mid-load: {restored_entries} of {live_entries} entries"
    );

    // The checkpoints copied after the database name entries the backup lacks: the restored log looks truncated,
    // which is why the backup copies them first.
    std::fs::copy(&checkpoints, restored_dir.join("audit-checkpoints.jsonl")).unwrap();
    let mut command = server(restored_dir, &restored.url);
    command.arg("audit-verify");
    let later = output(command).await;
    assert!(!later.status.success(), "{}", text(&later));
    assert!(
        String::from_utf8_lossy(&later.stdout).contains("FAILED verification"),
        "{}",
        text(&later)
    );
}

on_both_backends!(a_backup_taken_under_load_restores_and_verifies);
