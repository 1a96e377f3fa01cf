//! Access checks over loopback against the real server (every layer, the audit write included), and a raw axum
//! "hello" handler measured the same way in the same run as the reference:
//!
//! 1. saturation: `--connections` keep-alive connections each sending the next request as soon as the previous
//!    answer arrived, for `--seconds`; prints requests per second;
//! 2. a fixed rate (`--rate`, open loop: each request has its scheduled time, and its latency counts from then, so
//!    a slow answer cannot hide the ones queued behind it); prints p50, p90, p99 and max.
//!
//! Run: `cargo bench -p server --bench access_checks` (SQLite in a temporary directory), or with `-- --postgres`
//! (a fresh database on the server at `DATABASE_URL`, default `postgres://root@127.0.0.1:5432/test`, dropped
//! afterwards). Targets on 2 cores: at least 10,000 checks/s at saturation, p99 at most 5 ms at 5,000/s.
//! Other options: `--connections N` (64), `--seconds S` (10), `--rate R` (5000), `--pool N` (the server's database
//! pool), `--latency-only` (skips the saturation runs). The SQLite file lives under `$TMPDIR`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use axum::{routing::post, Router};
use bytes::Bytes;
use chrono::{Duration as Span, Utc};
use http_body_util::{BodyExt, Full};
use hyper::{client::conn::http1::SendRequest, header, Request, StatusCode};
use hyper_util::rt::TokioIo;
use sqlx::{Connection, Executor, PgConnection};
use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::net::{TcpListener, TcpStream};

use app::domain::consent::{
    ActionSet, CaseSubject, ConsentDraft, GrantDuration, GrantTerms, ResourceId, Teams,
};
use app::domain::{AuditEvent, CustomerNumber, EmailAddress};
use app::ports::{
    Actor, AuditBasis, AuditEntry, Clock, EventSource, NewSupportCase, Storage, SystemClock,
};
use server::{seed, settings::Settings, tokens};

#[derive(Debug)]
struct Options {
    postgres: bool,
    connections: usize,
    seconds: u64,
    rate: u64,
    /// Skips the saturation runs, e.g. to study latency alone.
    latency_only: bool,
    /// The server's database pool size (`PORTAL_DB_MAX_CONNECTIONS`); the default setting when absent.
    pool: Option<u32>,
}

impl Options {
    fn from_args() -> Self {
        let mut options = Self {
            postgres: false,
            connections: 64,
            seconds: 10,
            rate: 5_000,
            latency_only: false,
            pool: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut number = || args.next().and_then(|value| value.parse::<u64>().ok());
            match arg.as_str() {
                "--postgres" => options.postgres = true,
                "--latency-only" => options.latency_only = true,
                "--connections" => options.connections = number().map_or(64, |n| n as usize),
                "--seconds" => options.seconds = number().unwrap_or(10),
                "--rate" => options.rate = number().unwrap_or(5_000),
                "--pool" => options.pool = number().and_then(|n| u32::try_from(n).ok()),
                // cargo bench passes --bench; anything else is not ours either.
                _ => {}
            }
        }
        options
    }
}

/// A fresh PostgreSQL database for the run, dropped afterwards.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    async fn create() -> (Self, String) {
        let admin_url = std::env::var("DATABASE_URL")
            .ok()
            .filter(|url| url.starts_with("postgres"))
            .unwrap_or_else(|| "postgres://root@127.0.0.1:5432/test".to_owned());
        let name = format!("portal_bench_{:08x}", rand::random::<u32>());
        let mut admin = PgConnection::connect(&admin_url).await.unwrap();
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        admin.close().await.ok();
        let (base, _) = admin_url.rsplit_once('/').unwrap();
        let url = format!("{base}/{name}");
        (Self { admin_url, name }, url)
    }

    async fn drop_database(self) {
        let mut admin = PgConnection::connect(&self.admin_url).await.unwrap();
        admin
            .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await
            .unwrap();
    }
}

/// What one measurement sends: where, with which token, and the bodies it cycles through.
#[derive(Debug, Clone)]
struct Target {
    addr: SocketAddr,
    path: &'static str,
    authorization: Option<String>,
    bodies: Arc<Vec<Bytes>>,
}

/// The demo data, plus a backup-space grant and a case-bound mailbox grant so that every kind of decision is made.
async fn seed_grants(store: &dyn Storage) {
    let now = Utc::now();
    let customer = store
        .customer_by_number(&CustomerNumber::parse("C-100001").unwrap())
        .await
        .unwrap()
        .unwrap();
    let support = store
        .staff_by_email(&EmailAddress::parse("camille.rey@staff.portal.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let entry = |event| AuditEntry {
        at: now,
        event,
        actor: Actor::Customer { id: customer.id },
        customer: Some(customer.id),
        resource: None,
        action: None,
        basis: AuditBasis::TheCustomer,
        source: EventSource::Portal,
        detail: None,
    };
    let case = store
        .open_case(
            &NewSupportCase {
                customer: customer.id,
                subject: CaseSubject::parse("Webmail lent depuis lundi").unwrap(),
                opened_by: support.id,
            },
            &AuditEntry {
                actor: Actor::Staff {
                    id: support.id,
                    roles: support.roles.clone(),
                },
                basis: AuditBasis::StaffRole,
                ..entry(AuditEvent::CaseOpened)
            },
        )
        .await
        .unwrap();
    for (resource, case) in [
        ("backup-space:backup-boulangerie-favre", None),
        ("mailbox:jeanne.favre@boulangerie-favre.ch", Some(case.id)),
    ] {
        let draft = ConsentDraft {
            resource: ResourceId::parse(resource).unwrap(),
            case,
            actions: ActionSet::parse("list,read").unwrap(),
            duration: GrantDuration::new(Span::days(1)).unwrap(),
        };
        let terms =
            GrantTerms::on_customer_initiative(draft, Teams::SupportAndSysadmins, now).unwrap();
        store
            .create_grant(
                customer.id,
                &terms,
                None,
                None,
                &entry(AuditEvent::GrantGivenByCustomer),
            )
            .await
            .unwrap();
    }
}

fn check_bodies() -> Vec<Bytes> {
    [
        ("camille.rey@staff.portal.example", "C-100001", "web-space:boulangerie-favre.ch", "read"),
        ("noah.meier@staff.portal.example", "C-100001", "backup-space:backup-boulangerie-favre", "read"),
        ("camille.rey@staff.portal.example", "C-100001", "mailbox:jeanne.favre@boulangerie-favre.ch", "list"),
        ("camille.rey@staff.portal.example", "C-100002", "mailbox:luca@studio-bernasconi.ch", "read"),
        ("samuel.dubois@staff.portal.example", "C-100003", "web-space:rochat-avocats.ch", "write"),
        ("ines.morel@staff.portal.example", "C-100003", "backup-space:backup-rochat-avocats", "read"),
        ("noah.meier@staff.portal.example", "C-100004", "backup-space:backup-keller-velos", "restore"),
        ("camille.rey@staff.portal.example", "C-100005", "mailbox:contact@perrin-photo.ch", "read"),
    ]
    .into_iter()
    .map(|(staff, customer, resource, action)| {
        Bytes::from(
            serde_json::json!({"staff": staff, "customer": customer, "resource": resource, "action": action})
                .to_string(),
        )
    })
    .collect()
}

/// Starts the portal and the reference handler on the current (server) runtime; returns their addresses and a
/// token for the portal.
async fn start_servers(
    database_url: Option<String>,
    dir: &std::path::Path,
    pool: Option<u32>,
) -> (SocketAddr, SocketAddr, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = Settings::for_data_dir(dir.to_path_buf(), database_url);
    settings.site_addr = addr;
    settings.public_url = Some(format!("http://{addr}"));
    if let Some(pool) = pool {
        settings.db_max_connections = pool;
    }
    let store = server::open_store(&settings).await.unwrap();
    seed::seed_demo(&store, SystemClock.now()).await.unwrap();
    seed_grants(&store).await;
    let token = tokens::create_service_token(
        &store,
        "bench",
        &[tokens::Scope::AccessChecks],
        SystemClock.now(),
    )
    .await
    .unwrap();
    tokio::spawn(async move {
        server::serve_on(
            listener,
            store,
            Arc::new(SystemClock),
            &settings,
            std::future::pending(),
        )
        .await
    });

    let hello_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hello_addr = hello_listener.local_addr().unwrap();
    let hello = Router::new().route("/hello", post(|| async { "hello" }));
    tokio::spawn(async move { axum::serve(hello_listener, hello).await });
    (addr, hello_addr, token)
}

async fn connect(addr: SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    sender
}

/// Sends one request and reads the whole answer, so that the connection can carry the next one.
async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    target: &Target,
    body: &Bytes,
) -> Result<Bytes, String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let mut request = Request::post(target.path)
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(authorization) = &target.authorization {
        request = request.header(header::AUTHORIZATION, authorization);
    }
    let request = request.body(Full::new(body.clone())).unwrap();
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if status == StatusCode::OK {
        Ok(bytes)
    } else {
        Err(format!("{status}: {}", String::from_utf8_lossy(&bytes)))
    }
}

#[derive(Debug, Default)]
struct Saturation {
    answered: u64,
    failed: u64,
    per_second: f64,
}

async fn saturate(target: &Target, connections: usize, length: Duration) -> Saturation {
    let deadline = Instant::now() + length;
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|worker| {
            let target = target.clone();
            tokio::spawn(async move {
                let mut sender = connect(target.addr).await;
                let (mut answered, mut failed) = (0_u64, 0_u64);
                let mut i = worker;
                while Instant::now() < deadline {
                    match send(
                        &mut sender,
                        &target,
                        &target.bodies[i % target.bodies.len()],
                    )
                    .await
                    {
                        Ok(_) => answered += 1,
                        Err(_) => {
                            failed += 1;
                            sender = connect(target.addr).await;
                        }
                    }
                    i += 1;
                }
                (answered, failed)
            })
        })
        .collect();
    let mut result = Saturation::default();
    for worker in workers {
        let (answered, failed) = worker.await.unwrap();
        result.answered += answered;
        result.failed += failed;
    }
    result.per_second = result.answered as f64 / started.elapsed().as_secs_f64();
    result
}

#[derive(Debug, Default)]
struct Latencies {
    /// Microseconds from each request's scheduled time to its complete answer, sorted.
    micros: Vec<u64>,
    failed: u64,
}

impl Latencies {
    fn at(&self, quantile: f64) -> f64 {
        let index = ((self.micros.len() as f64 * quantile) as usize).min(self.micros.len() - 1);
        self.micros[index] as f64 / 1000.0
    }

    fn max(&self) -> f64 {
        self.micros.last().copied().unwrap_or_default() as f64 / 1000.0
    }
}

/// Open loop: request `n` is due at `start + n / rate`, worker `n % connections` sends it.
async fn fixed_rate(target: &Target, rate: u64, connections: usize, length: Duration) -> Latencies {
    let total = rate * length.as_secs();
    let gap = Duration::from_secs_f64(1.0 / rate as f64);
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let workers: Vec<_> = (0..connections)
        .map(|worker| {
            let target = target.clone();
            tokio::spawn(async move {
                let mut sender = connect(target.addr).await;
                let mut latencies = Vec::new();
                let mut failed = 0;
                let mut n = worker as u64;
                while n < total {
                    let due = start + gap * u32::try_from(n).unwrap();
                    // A request sent late because the previous one on this connection was slow counts from when
                    // it was due; one sent late because the timer (millisecond-grained) woke late counts from
                    // when it left: that lateness is the client's, not the server's.
                    let since = if tokio::time::Instant::now() < due {
                        tokio::time::sleep_until(due).await;
                        tokio::time::Instant::now()
                    } else {
                        due
                    };
                    let body = &target.bodies[n as usize % target.bodies.len()];
                    if send(&mut sender, &target, body).await.is_err() {
                        failed += 1;
                        sender = connect(target.addr).await;
                    }
                    latencies.push(u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX));
                    n += connections as u64;
                }
                (latencies, failed)
            })
        })
        .collect();
    let mut result = Latencies::default();
    for worker in workers {
        let (latencies, failed) = worker.await.unwrap();
        result.micros.extend(latencies);
        result.failed += failed;
    }
    result.micros.sort_unstable();
    result
}

async fn measure(name: &str, target: &Target, options: &Options) -> (Saturation, Latencies) {
    // Warm-up: connections, caches, the database's pages.
    saturate(target, options.connections, Duration::from_secs(2)).await;
    let saturation = if options.latency_only {
        Saturation {
            per_second: f64::NAN,
            ..Saturation::default()
        }
    } else {
        saturate(
            target,
            options.connections,
            Duration::from_secs(options.seconds),
        )
        .await
    };
    println!(
        "{name}: saturation with {} connections over {} s: {:.0} req/s ({} answered, {} failed)",
        options.connections,
        options.seconds,
        saturation.per_second,
        saturation.answered,
        saturation.failed
    );
    let latencies = fixed_rate(
        target,
        options.rate,
        options.connections,
        Duration::from_secs(options.seconds),
    )
    .await;
    println!(
        "{name}: {} req/s for {} s: {} answered, {} failed; p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        options.rate,
        options.seconds,
        latencies.micros.len(),
        latencies.failed,
        latencies.at(0.50),
        latencies.at(0.90),
        latencies.at(0.99),
        latencies.max(),
    );
    (saturation, latencies)
}

fn main() {
    let options = Options::from_args();
    let dir = tempfile::tempdir().unwrap();
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("server")
        .build()
        .unwrap();
    let (database, url) = if options.postgres {
        let (database, url) = server_runtime.block_on(PgDatabase::create());
        (Some(database), Some(url))
    } else {
        (None, None)
    };
    let (portal, hello, token) =
        server_runtime.block_on(start_servers(url, dir.path(), options.pool));
    println!(
        "access checks on {}, {} cores, {} connections",
        if options.postgres {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        std::thread::available_parallelism().map_or(0, usize::from),
        options.connections
    );

    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("client")
        .build()
        .unwrap();
    client_runtime.block_on(async {
        let checks = Target {
            addr: portal,
            path: "/api/v1/access-checks",
            authorization: Some(format!("Bearer {token}")),
            bodies: Arc::new(check_bodies()),
        };
        let mut sender = connect(portal).await;
        for body in checks.bodies.iter() {
            let answer = send(&mut sender, &checks, body).await.unwrap();
            println!(
                "  {} -> {}",
                String::from_utf8_lossy(body),
                String::from_utf8_lossy(&answer)
            );
        }
        let (portal_saturation, portal_latencies) =
            measure("access checks", &checks, &options).await;
        let reference = Target {
            addr: hello,
            path: "/hello",
            authorization: None,
            bodies: checks.bodies.clone(),
        };
        let (hello_saturation, hello_latencies) = measure("axum hello", &reference, &options).await;
        println!(
            "ratio access checks / hello: throughput {:.2}, p99 at {} req/s {:.2}",
            portal_saturation.per_second / hello_saturation.per_second,
            options.rate,
            portal_latencies.at(0.99) / hello_latencies.at(0.99),
        );
    });
    if let Some(database) = database {
        // Connections of the server's pool are still open; the drop forces them closed.
        server_runtime.block_on(database.drop_database());
    }
    server_runtime.shutdown_background();
    client_runtime.shutdown_background();
}
