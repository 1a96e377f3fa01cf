//! The outbox under a notice to every customer:
//!
//! 1. enqueue: a terms-change notice to 100,000 customers (`--customers N`), through the same entry point the
//!    charter's publication calls (`app::usecases::notices::enqueue_terms_change_notice`); it only queues, so this
//!    is all the publishing request waits for. Target: at most 10 s.
//! 2. drain: the real mail worker sends to the local SMTP sink (`tests/it/support/smtp_sink.py`, aiosmtpd) until
//!    `--drain N` messages (3,000) are sent; prints messages per second. Target: at least 50/s.
//!
//! Run: `cargo bench -p server --bench outbox` (SQLite in a temporary directory), or `-- --postgres` (a fresh
//! database on the server at `DATABASE_URL`, default `postgres://root@127.0.0.1:5432/test`, dropped afterwards).
//! Needs `python3` with aiosmtpd (`bash .ci/setup`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use chrono::Utc;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::ports::SystemClock;
use app::usecases::notices::enqueue_terms_change_notice;
use server::mail::{MailSettings, MailWorker, SmtpTls};
use server::storage::SqlStore;

mod support;

const SINK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/support/smtp_sink.py");

struct Options {
    postgres: bool,
    customers: u64,
    drain: u64,
}

impl Options {
    fn from_args() -> Self {
        let mut options = Self {
            postgres: false,
            customers: 100_000,
            drain: 3_000,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut number = || args.next().and_then(|value| value.parse::<u64>().ok());
            match arg.as_str() {
                "--postgres" => options.postgres = true,
                "--customers" => options.customers = number().unwrap_or(100_000),
                "--drain" => options.drain = number().unwrap_or(3_000),
                // cargo bench passes --bench; anything else is not ours either.
                _ => {}
            }
        }
        options
    }
}

/// Loads `count` customers in multi-row inserts (set-up, not measured).
async fn load_customers(store: &SqlStore, count: u64) {
    const ROWS: u64 = 500;
    let now = Utc::now();
    let mut first = 1;
    while first <= count {
        let last = (first + ROWS - 1).min(count);
        let mut sql = String::from(
            "INSERT INTO customers (customer_number, first_name, last_name, email, language, street, postcode, \
             city, country, created_at, updated_at) VALUES ",
        );
        for (index, _) in (first..=last).enumerate() {
            let p = index * 3;
            if index > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, 'First', 'Last', ${}, ${}, 'Rue 1', '1000', 'Lausanne', 'CH', $1, $1)",
                p + 2,
                p + 3,
                p + 4
            ));
        }
        macro_rules! insert {
            ($pool:expr) => {{
                let mut query = sqlx::query(&sql).bind(now);
                for n in first..=last {
                    query = query
                        .bind(format!("C-{n:06}"))
                        .bind(format!("customer{n}@bench.example.ch"))
                        .bind(if n.is_multiple_of(2) { "en" } else { "fr" });
                }
                query.execute($pool).await.unwrap();
            }};
        }
        match store {
            SqlStore::Sqlite(pool) => insert!(pool),
            SqlStore::Postgres(pool) => insert!(pool),
        }
        first = last + 1;
    }
}

async fn sent(store: &SqlStore) -> i64 {
    let sql = "SELECT COUNT(*) FROM outbox WHERE status = 'sent'";
    match store {
        SqlStore::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        SqlStore::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

#[tokio::main]
async fn main() {
    let options = Options::from_args();
    let data_dir = tempfile::tempdir().unwrap();
    let (pg, store) = support::pg::fresh_store(options.postgres, data_dir.path()).await;
    println!(
        "outbox benchmark on {}: {} customers, drain {} messages",
        if options.postgres {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        options.customers,
        options.drain
    );
    let started = Instant::now();
    load_customers(&store, options.customers).await;
    println!(
        "  set-up: {} customers loaded in {:.1} s",
        options.customers,
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let queued = enqueue_terms_change_notice(
        &store,
        "2027-01",
        "Backups are now destroyed after 7 days; the audit log can be verified by anyone.",
        "https://portal.example.ch",
        Utc::now(),
    )
    .await
    .unwrap();
    let enqueue = started.elapsed();
    println!(
        "  enqueue: terms-change notice to {queued} customers in {:.2} s (target <= 10 s){}",
        enqueue.as_secs_f64(),
        if enqueue <= Duration::from_secs(10) {
            ""
        } else {
            "  ** MISSED **"
        }
    );

    let sink_dir = tempfile::tempdir().unwrap();
    let mut sink = Command::new("python3")
        .arg(SINK)
        .arg(sink_dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (bash .ci/setup)");
    let mut line = String::new();
    BufReader::new(sink.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().strip_prefix("READY ").unwrap().parse().unwrap();
    let settings = MailSettings {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: Some(port),
        smtp_tls: SmtpTls::None,
        mail_from: "Portail <portal@portal.example.ch>".into(),
        mail_poll_millis: 100,
        ..MailSettings::default()
    };
    let worker = MailWorker::new(
        store.clone(),
        Arc::new(SystemClock),
        &settings,
        data_dir.path(),
    )
    .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let task = tokio::spawn(worker.run(stopped));
    let target = i64::try_from(options.drain.min(queued)).unwrap();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if sent(&store).await >= target || started.elapsed() > Duration::from_secs(600) {
            break;
        }
    }
    let drained = started.elapsed();
    stop.send(true).unwrap();
    task.await.unwrap();
    let count = sent(&store).await;
    let rate = count as f64 / drained.as_secs_f64();
    println!(
        "  drain: {count} messages sent to the local aiosmtpd sink in {:.2} s = {rate:.0} msg/s (target >= 50/s){}",
        drained.as_secs_f64(),
        if rate >= 50.0 { "" } else { "  ** MISSED **" }
    );
    let _ = sink.kill();
    let _ = sink.wait();
    store.close().await;
    if let Some(pg) = pg {
        pg.drop_database().await;
    }
}
