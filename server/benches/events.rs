//! Consent events to a local webhook receiver (an axum handler in this process, answering 204):
//!
//! 1. throughput: `--events N` (5,000) grants given while no worker runs, each an event queued for the endpoint;
//!    then the real webhook worker delivers them, signed, and the time until the receiver holds all of them gives
//!    events delivered per second. Target: at least 500/s.
//! 2. latency: with the worker running as in `serve` (woken by the commit), `--revocations N` (300) grants are
//!    revoked one by one at `--rate R` per second (20); for each, the time from the revocation's call into storage
//!    (the step the portal's revoke button takes, audit entry and event in one transaction) to the receiver holding
//!    its `grant.revoked`. Prints p50, p90, p99 and max. Target: p99 at most 1 s on 2 cores.
//!
//! Run: `cargo bench -p server --bench events` (SQLite in a temporary directory), or `-- --postgres` (a fresh
//! database on the server at `DATABASE_URL`, default `postgres://root@127.0.0.1:5432/test`, dropped afterwards).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use axum::{body::Bytes, extract::State, http::StatusCode, routing::post, Router};
use chrono::{Duration as Span, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

use app::domain::consent::{
    ActionSet, ConsentDraft, GrantDuration, GrantId, GrantTerms, ResourceId, Teams,
};
use app::domain::{AuditEvent, CustomerNumber};
use app::ports::{
    Actor, AuditBasis, AuditEntry, ConsentStore, CustomerId, EventDeliveryLog, EventSource,
    Storage, SystemClock,
};
use server::events::{WebhookSettings, WebhookWorker};
use server::storage::SqlStore;

mod support;
use support::pg::PgDatabase;
use support::portal::Portal;

struct Options {
    postgres: bool,
    events: usize,
    revocations: usize,
    rate: u64,
}

impl Options {
    fn from_args() -> Self {
        let mut options = Self {
            postgres: false,
            events: 5_000,
            revocations: 300,
            rate: 20,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut number = || args.next().and_then(|value| value.parse::<u64>().ok());
            match arg.as_str() {
                "--postgres" => options.postgres = true,
                "--events" => options.events = number().map_or(5_000, |n| n as usize),
                "--revocations" => options.revocations = number().map_or(300, |n| n as usize),
                "--rate" => options.rate = number().unwrap_or(20).max(1),
                _ => {}
            }
        }
        options
    }
}

/// What the receiver holds: how many deliveries, and when each revocation arrived.
#[derive(Default)]
struct Receipts {
    count: usize,
    revoked: HashMap<i64, Instant>,
}

async fn receive(State(receipts): State<Arc<Mutex<Receipts>>>, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let mut receipts = receipts.lock().unwrap();
    receipts.count += 1;
    if event["type"] == "grant.revoked" {
        receipts
            .revoked
            .insert(event["data"]["grant"].as_i64().unwrap(), at);
    }
    StatusCode::NO_CONTENT
}

async fn start_receiver(receipts: Arc<Mutex<Receipts>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = Router::new()
        .route("/hook", post(receive))
        .with_state(receipts);
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}/hook")
}

fn entry(event: AuditEvent, customer: Option<CustomerId>) -> AuditEntry {
    AuditEntry {
        at: Utc::now(),
        event,
        actor: customer.map_or(Actor::System, |id| Actor::Customer { id }),
        customer,
        resource: None,
        action: None,
        basis: if customer.is_some() {
            AuditBasis::TheCustomer
        } else {
            AuditBasis::TechnicalOperation
        },
        source: EventSource::Portal,
        detail: None,
    }
}

async fn give_grant(store: &SqlStore, customer: CustomerId) -> GrantId {
    let draft = ConsentDraft {
        resource: ResourceId::parse("backup-space:backup-boulangerie-favre").unwrap(),
        case: None,
        actions: ActionSet::parse("read").unwrap(),
        duration: GrantDuration::new(Span::hours(1)).unwrap(),
    };
    let terms = GrantTerms::on_customer_initiative(draft, Teams::Support, Utc::now()).unwrap();
    store
        .create_grant(
            customer,
            &terms,
            None,
            None,
            &entry(AuditEvent::GrantGivenByCustomer, Some(customer)),
        )
        .await
        .unwrap()
}

async fn wait_for(receipts: &Mutex<Receipts>, count: usize, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while receipts.lock().unwrap().count < count {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    true
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    let index = ((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1));
    sorted
        .get(index)
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

fn main() {
    let options = Options::from_args();
    let dir = tempfile::tempdir().unwrap();
    let runtime = support::load::runtime("bench");
    let (database, url) = PgDatabase::when(options.postgres, &runtime);
    runtime.block_on(async {
        let store = Portal::with_demo_data(url, dir.path(), None).await.store;
        let customer = Storage::customer_by_number(&store, &CustomerNumber::parse("C-100001").unwrap())
            .await
            .unwrap()
            .unwrap()
            .id;
        let receipts = Arc::new(Mutex::new(Receipts::default()));
        let url = start_receiver(receipts.clone()).await;
        let secret = server::events::signature::new_secret();
        store
            .add_webhook_endpoint("bench", &url, &secret, &entry(AuditEvent::WebhookAdded, None))
            .await
            .unwrap();
        println!(
            "consent events on {}, {} cores",
            if options.postgres { "PostgreSQL" } else { "SQLite" },
            std::thread::available_parallelism().map_or(0, usize::from)
        );

        let started = Instant::now();
        for _ in 0..options.events {
            give_grant(&store, customer).await;
        }
        let written = started.elapsed();
        println!(
            "  written: {} events in {:.2} s ({:.0}/s; grant, audit entry, event and delivery in one transaction each)",
            options.events,
            written.as_secs_f64(),
            options.events as f64 / written.as_secs_f64()
        );

        let settings = WebhookSettings::default();
        let worker = WebhookWorker::new(store.clone(), Arc::new(SystemClock), &settings).unwrap();
        let (stop, stopped) = watch::channel(false);
        let started = Instant::now();
        let running = tokio::spawn(worker.run(stopped));
        let all = wait_for(&receipts, options.events, Duration::from_secs(600)).await;
        let delivering = started.elapsed();
        // The receiver may hold the last batch a moment before the worker's settling commits.
        let mut counts = store.delivery_counts().await.unwrap();
        for _ in 0..100 {
            if counts.queued == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            counts = store.delivery_counts().await.unwrap();
        }
        println!(
            "  delivered: {} events in {:.2} s = {:.0} events/s (target >= 500/s){}; deliveries delivered {}, queued {}, dead {}",
            receipts.lock().unwrap().count,
            delivering.as_secs_f64(),
            options.events as f64 / delivering.as_secs_f64(),
            if all { "" } else { " — NOT ALL ARRIVED" },
            counts.delivered,
            counts.queued,
            counts.dead
        );

        let mut grants = Vec::with_capacity(options.revocations);
        for _ in 0..options.revocations {
            grants.push(give_grant(&store, customer).await);
        }
        let expected = options.events + 2 * options.revocations;
        let mut revoked_at = HashMap::new();
        let every = Duration::from_secs_f64(1.0 / options.rate as f64);
        let start = tokio::time::Instant::now();
        for (index, grant) in grants.iter().enumerate() {
            tokio::time::sleep_until(start + every * u32::try_from(index).unwrap()).await;
            revoked_at.insert(grant.0, Instant::now());
            assert!(store
                .revoke_grant(*grant, customer, &entry(AuditEvent::GrantRevoked, Some(customer)))
                .await
                .unwrap());
        }
        let all = wait_for(&receipts, expected, Duration::from_secs(60)).await;
        let arrived = receipts.lock().unwrap().revoked.clone();
        let mut latencies: Vec<Duration> = revoked_at
            .iter()
            .filter_map(|(grant, at)| arrived.get(grant).map(|received| received.duration_since(*at)))
            .collect();
        latencies.sort();
        println!(
            "  revocation -> webhook received, {} revocations at {}/s: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms (target p99 <= 1000 ms){}",
            latencies.len(),
            options.rate,
            quantile(&latencies, 0.5),
            quantile(&latencies, 0.9),
            quantile(&latencies, 0.99),
            latencies.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
            if all { "" } else { " — NOT ALL ARRIVED" }
        );
        let _ = stop.send(true);
        let _ = running.await;
        store.close().await;
    });
    if let Some(database) = database {
        runtime.block_on(database.drop_database());
    }
}
