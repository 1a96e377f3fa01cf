//! The audit log at scale: generates `--entries` (10,000,000) chained entries over `--customers` (100,000)
//! customers, one of whom holds `--big` (100,000) of them, then prints
//!
//! 1. how long generating took (every entry goes through the real chained append, in batches);
//! 2. a customer's log page of 50 rows, warm: p50/p99/max over `--samples` (1,000) reads of page 1 and of page
//!    2,000 of the big customer (keyset: page depth must not matter), and of page 1 of an ordinary customer;
//! 3. the Merkle tree: how long the checkpoint job takes to build it over the whole log (it is off the append path),
//!    then p50/p99/max of `--samples` inclusion proofs of random entries and consistency proofs between random
//!    sizes (each checked against the roots), and the customer's JSON export of 10,000 entries with their proofs;
//! 4. verification of the whole chain and tree against a signed checkpoint (what `server audit-verify` does):
//!    entries per second.
//!
//! Targets: append ≥ 80 % of 35,600 entries/s, page p99 ≤ 10 ms, page 2,000 as fast as page 1, inclusion proof
//! p99 ≤ 2 ms, consistency proof p99 ≤ 5 ms, export of 10,000 entries with proofs ≤ 2 s, verification ≥ 200,000
//! entries/s.
//! Run: `cargo bench -p server --bench audit_log` (SQLite under `$TMPDIR/portal-audit-bench`, kept and reused by
//! the next run when it holds the same number of entries), or `-- --postgres` (a fresh database on the server at
//! `DATABASE_URL`, default `postgres://root@127.0.0.1:5432/test`, dropped afterwards). `--entries 1000000` for a
//! quicker look.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use chrono::{Duration as Span, TimeZone, Utc};
use secrecy::SecretString;
use std::time::{Duration, Instant};

use app::domain::consent::{Action, ResourceId};
use app::domain::{AuditEvent, Role};
use app::ports::{
    Actor, AuditBasis, AuditEntry, AuditFilter, AuditLog, ConsentStore, CustomerId, EventSource,
    StaffId,
};
use server::audit::checkpoint::Checkpoint;
use server::audit::verify::{verify_from, Position};
use server::storage::SqlStore;
use sqlx::Executor;

mod support;
#[path = "audit_log/tree.rs"]
mod tree;
use support::pg::PgDatabase;

struct Options {
    postgres: bool,
    entries: i64,
    customers: i64,
    big: i64,
    samples: usize,
}

impl Options {
    fn from_args() -> Self {
        let mut options = Self {
            postgres: false,
            entries: 10_000_000,
            customers: 100_000,
            big: 100_000,
            samples: 1_000,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut number = || args.next().and_then(|value| value.parse::<i64>().ok());
            match arg.as_str() {
                "--postgres" => options.postgres = true,
                "--entries" => options.entries = number().unwrap_or(options.entries),
                "--customers" => options.customers = number().unwrap_or(options.customers),
                "--big" => options.big = number().unwrap_or(options.big),
                "--samples" => options.samples = number().map_or(1_000, |n| n as usize),
                _ => {}
            }
        }
        options
    }
}

const BIG_CUSTOMER: i64 = 1;
const BATCH: i64 = 5_000;

/// Entry `n` of the data set: every (entries / big)-th entry is the big customer's, the rest spread over the
/// others by a fixed pseudo-random walk, with the mix of events, actors and bases the portal writes.
fn entry(n: i64, options: &Options) -> AuditEntry {
    let stride = (options.entries / options.big).max(1);
    let customer = if n % stride == 0 {
        BIG_CUSTOMER
    } else {
        2 + (n.wrapping_mul(2_654_435_761) % (options.customers - 1)).abs()
    };
    let at = Utc.timestamp_opt(1_790_000_000, 0).single().unwrap() + Span::milliseconds(n * 250);
    let staff = Actor::Staff {
        id: StaffId(1 + n % 40),
        roles: if n % 3 == 0 {
            vec![Role::Sysadmin]
        } else {
            vec![Role::Support]
        },
    };
    let (event, basis, resource, action) = match n % 5 {
        0 => (
            AuditEvent::AccessChecked,
            AuditBasis::TechnicalOperation,
            Some(format!("web-space:site-{customer}.ch")),
            Some(Action::Read),
        ),
        1 => (
            AuditEvent::AccessChecked,
            AuditBasis::Refused(app::domain::consent::DenyRule::NoActiveGrant),
            Some(format!("mailbox:info@site-{customer}.ch")),
            Some(Action::Read),
        ),
        2 => (
            AuditEvent::AccessReported,
            AuditBasis::Grant(app::domain::consent::GrantId(n)),
            Some(format!("backup-space:backup-{customer}")),
            Some(Action::Restore),
        ),
        3 => (AuditEvent::RequestOpened, AuditBasis::StaffRole, None, None),
        _ => (
            AuditEvent::ContactDataViewed,
            AuditBasis::StaffRole,
            None,
            None,
        ),
    };
    AuditEntry {
        at,
        event,
        actor: staff,
        customer: Some(CustomerId(customer)),
        resource: resource.map(|raw| ResourceId::parse(&raw).unwrap()),
        action,
        basis,
        source: if n % 2 == 0 {
            EventSource::Service("backup-server".into())
        } else {
            EventSource::Portal
        },
        detail: Some(format!("ticket T-{n}")),
    }
}

async fn generate(store: &SqlStore, options: &Options) {
    let (existing, _) = store.audit_head().await.unwrap();
    if existing == options.entries {
        println!("data set: reusing {existing} entries");
        return;
    }
    assert_eq!(
        existing, 0,
        "the bench database holds another data set: remove it"
    );
    let started = Instant::now();
    let mut next = 1;
    while next <= options.entries {
        let last = (next + BATCH - 1).min(options.entries);
        let entries: Vec<AuditEntry> = (next..=last).map(|n| entry(n, options)).collect();
        store.record_audit(&entries).await.unwrap();
        next = last + 1;
        if next % 1_000_000 == 1 {
            println!(
                "  {} entries, {:.0} s",
                next - 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    match store {
        SqlStore::Sqlite(pool) => pool.execute("ANALYZE").await.map(drop),
        SqlStore::Postgres(pool) => pool.execute("ANALYZE").await.map(drop),
    }
    .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    if let SqlStore::Sqlite(_) = store {
        let wal = std::env::temp_dir().join("portal-audit-bench/portal.db-wal");
        let bytes = std::fs::metadata(wal).map_or(0, |file| file.len());
        println!(
            "write-ahead log file after the load: {} MiB",
            bytes / (1024 * 1024)
        );
    }
    println!(
        "data set: {} entries generated in {seconds:.0} s ({:.0} entries/s, chained, batches of {BATCH})",
        options.entries,
        options.entries as f64 / seconds
    );
}

fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

async fn time_pages(
    store: &SqlStore,
    label: &str,
    customer: i64,
    before: Option<i64>,
    samples: usize,
) {
    let filter = AuditFilter {
        customer: Some(CustomerId(customer)),
        ..AuditFilter::default()
    };
    let now = Utc::now();
    for _ in 0..20 {
        store
            .audit_page(&filter, true, before, 50, now)
            .await
            .unwrap();
    }
    let mut times = Vec::with_capacity(samples);
    let mut rows = 0;
    for _ in 0..samples {
        let started = Instant::now();
        rows = store
            .audit_page(&filter, true, before, 50, now)
            .await
            .unwrap()
            .len();
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "{label:<40} {rows:>3} rows  p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
}

/// The id that starts page `page` (1-based) of a customer's log, newest first, as the "older entries" link of the
/// page before it would carry it.
async fn keyset_of_page(store: &SqlStore, customer: i64, page: i64) -> Option<i64> {
    if page == 1 {
        return None;
    }
    let sql = "SELECT id FROM audit_log WHERE customer_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2";
    let offset = (page - 1) * 50 - 1;
    let id: i64 = match store {
        SqlStore::Sqlite(pool) => {
            sqlx::query_scalar(sql)
                .bind(customer)
                .bind(offset)
                .fetch_one(pool)
                .await
        }
        SqlStore::Postgres(pool) => {
            sqlx::query_scalar(sql)
                .bind(customer)
                .bind(offset)
                .fetch_one(pool)
                .await
        }
    }
    .unwrap();
    Some(id)
}

#[tokio::main]
async fn main() {
    let options = Options::from_args();
    let mut pg = None;
    let url = if options.postgres {
        let (database, url) = PgDatabase::create().await;
        pg = Some(database);
        url
    } else {
        let dir = std::env::temp_dir().join("portal-audit-bench");
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite://{}/portal.db", dir.display())
    };
    let store = SqlStore::connect(&SecretString::from(url), 8)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    println!(
        "audit log benchmark on {:?}: {} entries, {} customers, customer {BIG_CUSTOMER} holds {}",
        store.backend(),
        options.entries,
        options.customers,
        options.big
    );
    generate(&store, &options).await;

    let deep_page = options.big / 50;
    time_pages(
        &store,
        "big customer, page 1",
        BIG_CUSTOMER,
        None,
        options.samples,
    )
    .await;
    let deep = keyset_of_page(&store, BIG_CUSTOMER, deep_page).await;
    time_pages(
        &store,
        &format!("big customer, page {deep_page}"),
        BIG_CUSTOMER,
        deep,
        options.samples,
    )
    .await;
    time_pages(
        &store,
        "ordinary customer, page 1",
        4_242,
        None,
        options.samples,
    )
    .await;

    let head = tree::build(&store).await;
    tree::time_proofs(&store, head, options.samples).await;
    tree::time_export(&store, BIG_CUSTOMER, head).await;

    let signing = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let key = signing.verifying_key();
    let checkpoint = Checkpoint::Tree {
        note: server::audit::note::sign(
            &signing,
            "bench/audit-log",
            head.size,
            &head.root,
            Utc::now(),
        ),
    };
    let started = Instant::now();
    let (outcome, reached) = verify_from(&store, &[checkpoint], &key, Position::start())
        .await
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(outcome.is_ok(), "{outcome:?}");
    println!(
        "verification: {} entries in {seconds:.1} s = {:.0} entries/s",
        reached.checked,
        reached.checked as f64 / seconds
    );

    store.close().await;
    if let Some(database) = pg {
        database.drop_database().await;
    }
}
