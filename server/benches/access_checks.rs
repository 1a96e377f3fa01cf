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

use bytes::Bytes;
use chrono::{Duration as Span, Utc};
use hyper::header;
use std::net::SocketAddr;

use app::domain::consent::{
    ActionSet, CaseSubject, ConsentDraft, GrantDuration, GrantTerms, ResourceId, Teams,
};
use app::domain::{AuditEvent, CustomerNumber, EmailAddress};
use app::ports::{
    Actor, AuditBasis, AuditEntry, Clock, EventSource, NewSupportCase, Storage, SystemClock,
};
use server::tokens;

mod support;
use support::load::{self, LoadOptions, Target};
use support::pg::PgDatabase;
use support::portal::Portal;

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
                reference: None,
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
    let portal = Portal::with_demo_data(database_url, dir, pool).await;
    seed_grants(&portal.store).await;
    let token = tokens::create_service_token(
        &portal.store,
        "bench",
        &[tokens::Scope::AccessChecks],
        SystemClock.now(),
    )
    .await
    .unwrap();
    let addr = portal.serve();
    (addr, load::start_hello().await, token)
}

fn main() {
    let options = LoadOptions::from_args(5_000);
    let dir = tempfile::tempdir().unwrap();
    let server_runtime = load::runtime("server");
    let (database, url) = PgDatabase::when(options.postgres, &server_runtime);
    let (portal, hello, token) =
        server_runtime.block_on(start_servers(url, dir.path(), options.pool));
    println!(
        "access checks on {}, {} cores, {} connections",
        options.backend_name(),
        std::thread::available_parallelism().map_or(0, usize::from),
        options.connections
    );

    let client_runtime = load::runtime("client");
    client_runtime.block_on(async {
        let checks = Target::post(portal, "/api/v1/access-checks", check_bodies())
            .with_header(header::CONTENT_TYPE, "application/json")
            .with_header(header::AUTHORIZATION, format!("Bearer {token}"));
        let mut sender = load::connect(portal).await;
        for body in checks.bodies.iter() {
            let answer = load::send(&mut sender, &checks, body).await.unwrap();
            println!(
                "  {} -> {}",
                String::from_utf8_lossy(body),
                String::from_utf8_lossy(&answer)
            );
        }
        let (portal_saturation, portal_latencies) =
            load::measure("access checks", &checks, &options).await;
        let reference = Target::post(hello, "/hello", check_bodies());
        let (hello_saturation, hello_latencies) =
            load::measure("axum hello", &reference, &options).await;
        println!(
            "ratio access checks / hello: throughput {:.2}, p99 at {} req/s {:.2}",
            portal_saturation.per_second / hello_saturation.per_second,
            options.rate,
            portal_latencies.at(0.99) / hello_latencies.at(0.99),
        );
    });
    if let Some(database) = database {
        server_runtime.block_on(database.drop_database());
    }
    server_runtime.shutdown_background();
    client_runtime.shutdown_background();
}
