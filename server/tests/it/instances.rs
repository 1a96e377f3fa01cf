//! Two `server serve` processes on one PostgreSQL database, as an operator runs them behind a load balancer: a
//! session made on one works on the other; a grant revoked through one is denied at the other's next check; an
//! overdue destruction is flagged once; one instance at a time signs checkpoints, every instance's file holds them
//! all, and a forged one in the database is caught; a terms-change notice goes out once in total, also when one
//! instance is killed with SIGKILL mid-drain.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{Duration as Span, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tempfile::TempDir;

use crate::mail::sink::Sink;
use crate::mail::{add_customer, eventually};
use crate::support::api::{free_port, server_command_at};
use crate::support::auth::{count, Browser, CUSTOMER, DEMO_PASSWORD, SUPPORT};
use crate::support::TestDb;
use app::domain::consent::{ActionSet, ConsentDraft, GrantDuration, GrantTerms, ResourceId, Teams};
use app::domain::{AuditEvent, CustomerNumber};
use app::ports::{Actor, AuditBasis, AuditEntry, ConsentStore, EventSource, Storage};
use app::usecases::notices::enqueue_terms_change_notice;
use server::storage::SqlStore;
use server::tokens::Scope;

/// The seed of both instances' signing key, bytes 0 to 31.
const SIGNING_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const BACKUP_SPACE: &str = "backup-space:backup-boulangerie-favre";
/// Customers added to the demo's, so that the drain lasts long enough to be cut.
const EXTRA_CUSTOMERS: u32 = 300;

/// One `server serve` process, killed if the test ends without stopping it.
struct Instance {
    child: Child,
    base: String,
    data_dir: TempDir,
    log: PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server(data_dir: &Path, database_url: &str) -> Command {
    let mut command = server_command_at(data_dir, database_url);
    command.env("PORTAL_AUDIT_SIGNING_KEY", SIGNING_KEY);
    command
}

async fn start(database_url: &str, public: &str, port: u16, smtp_port: u16) -> Instance {
    let data_dir = tempfile::tempdir().unwrap();
    let log = data_dir.path().join("server.log");
    let child = server(data_dir.path(), database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("PORTAL_PUBLIC_URL", public)
        .env("PORTAL_AUDIT_CHECKPOINT_SECS", "1")
        .env("PORTAL_BACKUP_SWEEP_MILLIS", "200")
        .env("PORTAL_SMTP_HOST", "127.0.0.1")
        .env("PORTAL_SMTP_PORT", smtp_port.to_string())
        .env("PORTAL_SMTP_TLS", "none")
        .env("PORTAL_SMTP_TIMEOUT_SECS", "1")
        .env("PORTAL_MAIL_LEASE_SECS", "2")
        .env("PORTAL_MAIL_POLL_MILLIS", "50")
        .env("PORTAL_MAIL_RETRY_BASE_MILLIS", "100")
        .env("PORTAL_MAIL_FROM", "Portail <portal@portal.example>")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("start server");
    let instance = Instance {
        child,
        base: format!("http://127.0.0.1:{port}"),
        data_dir,
        log,
    };
    let started = Instant::now();
    while !std::fs::read_to_string(&instance.log).is_ok_and(|log| log.contains("portal listening"))
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start: {}",
            std::fs::read_to_string(&instance.log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    instance
}

async fn check(base: &str, token: &str) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/access-checks"))
        .bearer_auth(token)
        .json(&json!({
            "staff": SUPPORT, "customer": "C-100001", "resource": BACKUP_SPACE, "action": "read",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn one_hour_grant(store: &SqlStore, customer: app::ports::CustomerId) -> i64 {
    let resource = ResourceId::parse(BACKUP_SPACE).unwrap();
    let draft = ConsentDraft {
        resource: resource.clone(),
        case: None,
        actions: ActionSet::parse("read").unwrap(),
        duration: GrantDuration::new(Span::hours(1)).unwrap(),
    };
    let terms =
        GrantTerms::on_customer_initiative(draft, Teams::SupportAndSysadmins, Utc::now()).unwrap();
    let audit = AuditEntry {
        at: Utc::now(),
        event: AuditEvent::GrantGivenByCustomer,
        actor: Actor::Customer { id: customer },
        customer: Some(customer),
        resource: Some(resource),
        action: None,
        basis: AuditBasis::TheCustomer,
        source: EventSource::Portal,
        detail: None,
    };
    store
        .create_grant(customer, &terms, None, None, &audit)
        .await
        .unwrap()
        .0
}

async fn text(store: &SqlStore, sql: &str) -> Vec<String> {
    match store {
        SqlStore::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        SqlStore::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
    }
}

fn audit_verify(instance: &Instance, database_url: &str) -> Output {
    server(instance.data_dir.path(), database_url)
        .env("RUST_LOG", "warn")
        .arg("audit-verify")
        .output()
        .unwrap()
}

/// The outbox id in each message's Message-ID, one per message received.
fn outbox_ids(messages: &[String]) -> Vec<i64> {
    messages
        .iter()
        .filter_map(|message| {
            message
                .lines()
                .find_map(|line| line.strip_prefix("Message-ID: <outbox-"))
                .and_then(|rest| rest.split('@').next())
                .and_then(|id| id.parse().ok())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgres_database() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let store = db.store().await;
    server::seed::seed_demo(&store, Utc::now()).await.unwrap();
    for n in 0..EXTRA_CUSTOMERS {
        add_customer(&store, n).await;
    }
    let jeanne = store
        .customer_by_number(&CustomerNumber::parse("C-100001").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let token = server::tokens::create_service_token(
        &store,
        "mail-platform",
        &[Scope::AccessChecks],
        Utc::now(),
    )
    .await
    .unwrap();
    let sink = Sink::start(&[]);
    let public = format!("http://127.0.0.1:{}", free_port());
    let a_port = public.rsplit(':').next().unwrap().parse().unwrap();
    let a = start(&db.url, &public, a_port, sink.port).await;
    // The first to start signs; the second starts once that is settled, so that the test knows which one signs.
    let leases = "SELECT COUNT(*) FROM job_leases WHERE job = 'audit-signer'";
    eventually(Duration::from_secs(10), || async {
        (count(&store, leases).await == 1).then_some(())
    })
    .await
    .expect("the first instance signs");
    let b = start(&db.url, &public, free_port(), sink.port).await;

    // A session made on one works on the other.
    let on_a = Browser::at(&a.base);
    let signed_in = on_a.log_in(CUSTOMER, DEMO_PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let on_b = on_a.through(&b.base);
    let me = on_b.me().await.expect("signed in on the other instance");
    assert!(me.to_string().contains("Favre"), "{me}");
    assert_eq!(on_b.get("/account").await.status, StatusCode::OK);

    // A grant revoked through one is denied at the next check on the other.
    let grant = one_hour_grant(&store, jeanne).await;
    assert_eq!(check(&b.base, &token).await["decision"], "allow");
    let revoked = on_a
        .call("revoke-grant", &[("grant", &grant.to_string())])
        .await;
    assert!(revoked.status.is_success(), "{}", revoked.body);
    assert_eq!(check(&b.base, &token).await["basis"], "no-active-grant");

    // An overdue destruction is flagged once, though both instances sweep every 200 ms.
    crate::backups::register(
        &store,
        jeanne,
        "snap-late",
        BACKUP_SPACE,
        Utc::now() - Span::days(8),
    )
    .await;
    let flagged = format!(
        "SELECT COUNT(*) FROM audit_log WHERE event_code = {}",
        AuditEvent::BackupDestructionOverdue.code()
    );
    eventually(Duration::from_secs(10), || async {
        (count(&store, &flagged).await == 1).then_some(())
    })
    .await
    .expect("the overdue destruction is flagged");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(count(&store, &flagged).await, 1, "flagged once in all");

    // One signer, one verifier: each checkpoint is verified once, and the start-up walk happened once.
    let signer = |sql: &'static str| {
        let store = &store;
        async move { text(store, sql).await }
    };
    let holder_before = signer("SELECT holder FROM job_leases WHERE job = 'audit-signer'").await;
    assert_eq!(holder_before.len(), 1);
    let last_id = "SELECT last_id FROM audit_chain";
    eventually(Duration::from_secs(10), || async {
        let covered = count(
            &store,
            "SELECT COALESCE(MAX(size), 0) FROM audit_checkpoints",
        )
        .await;
        let verifications = count(&store, "SELECT COUNT(*) FROM audit_verifications").await;
        let checkpoints = count(&store, "SELECT COUNT(*) FROM audit_checkpoints").await;
        (covered == count(&store, last_id).await && verifications == checkpoints + 1).then_some(())
    })
    .await
    .expect(
        "every entry signed, each checkpoint verified once and the log walked once at start-up",
    );

    // A terms-change notice queued once goes out once in total, though an instance dies mid-drain.
    let queued = enqueue_terms_change_notice(
        &store,
        "2027-01",
        "Retention shortened",
        &public,
        Utc::now(),
    )
    .await
    .unwrap();
    let notices = "SELECT COUNT(*) FROM outbox WHERE kind = 'terms-change'";
    assert_eq!(count(&store, notices).await, i64::try_from(queued).unwrap());
    sink.wait_for(20, Duration::from_secs(20)).await;
    let mut a = a;
    a.child.kill().unwrap(); // SIGKILL
    a.child.wait().unwrap();
    let sent_at_kill = count(
        &store,
        "SELECT COUNT(*) FROM outbox WHERE kind = 'terms-change' AND status = 'sent'",
    )
    .await;
    assert!(
        sent_at_kill < i64::try_from(queued).unwrap(),
        "the kill came too late to test anything"
    );
    eventually(Duration::from_secs(30), || async {
        (count(
            &store,
            "SELECT COUNT(*) FROM outbox WHERE status = 'queued'",
        )
        .await
            == 0)
            .then_some(())
    })
    .await
    .expect("the other instance drains the rest");
    let terms_ids: Vec<i64> = text(
        &store,
        "SELECT CAST(id AS TEXT) FROM outbox WHERE kind = 'terms-change' AND status = 'sent'",
    )
    .await
    .iter()
    .map(|id| id.parse().unwrap())
    .collect();
    assert_eq!(terms_ids.len(), queued as usize, "every notice sent");
    let messages = sink
        .wait_for(terms_ids.len(), Duration::from_secs(10))
        .await;
    let mut received: HashMap<i64, usize> = HashMap::new();
    for id in outbox_ids(&messages) {
        *received.entry(id).or_default() += 1;
    }
    let lost = terms_ids
        .iter()
        .filter(|id| !received.contains_key(id))
        .count();
    let duplicated: usize = terms_ids
        .iter()
        .map(|id| received.get(id).copied().unwrap_or(0).saturating_sub(1))
        .sum();
    eprintln!(
        "terms-change notices: {queued} queued, {} received once or more, {duplicated} duplicated, {lost} lost; \
         {sent_at_kill} recorded sent when one instance was killed",
        terms_ids.len() - lost
    );
    assert_eq!(lost, 0);
    assert!(
        duplicated <= 1,
        "at most the message in flight at the kill goes twice, under its Message-ID: {duplicated}"
    );

    // The signing passes to the survivor once the dead one's lease runs out; its file holds every checkpoint,
    // its own and the dead one's.
    assert_eq!(check(&b.base, &token).await["decision"], "deny");
    eventually(Duration::from_secs(15), || async {
        let holder = text(
            &store,
            "SELECT holder FROM job_leases WHERE job = 'audit-signer'",
        )
        .await;
        let covered = count(
            &store,
            "SELECT COALESCE(MAX(size), 0) FROM audit_checkpoints",
        )
        .await;
        (holder != holder_before && covered == count(&store, last_id).await).then_some(())
    })
    .await
    .expect("the surviving instance signs what came after the kill");
    let sizes = count(
        &store,
        "SELECT COALESCE(MAX(size), 0) FROM audit_checkpoints",
    )
    .await;
    let in_b_file = eventually(Duration::from_secs(5), || async {
        let file =
            std::fs::read_to_string(b.data_dir.path().join("audit-checkpoints.jsonl")).ok()?;
        let lines = file.lines().count();
        (lines as i64 == count(&store, "SELECT COUNT(*) FROM audit_checkpoints").await)
            .then_some(lines)
    })
    .await
    .expect("the survivor's file holds every checkpoint in the database");
    assert!(in_b_file > 1 && sizes > 0);
    let verified = audit_verify(&b, &db.url);
    assert!(
        verified.status.success() && String::from_utf8_lossy(&verified.stdout).contains("intact"),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );

    // A checkpoint forged into the database, signed with another key, is a finding.
    let forged = server::audit::checkpoint::Checkpoint::Tree {
        note: server::audit::note::sign(
            &ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
            "127.0.0.1/audit-log",
            u64::try_from(sizes).unwrap(),
            &[0; 32],
            Utc::now(),
        ),
    };
    store
        .record_checkpoint(
            sizes + 1,
            &server::audit::checkpoint::to_line(&forged).unwrap(),
            "intruder",
            Utc::now(),
        )
        .await
        .unwrap();
    let caught = audit_verify(&b, &db.url);
    assert!(!caught.status.success());
    assert!(
        String::from_utf8_lossy(&caught.stdout).contains("FAILED verification"),
        "{}",
        String::from_utf8_lossy(&caught.stdout)
    );
}
