//! The customer directory sync at the size of a real operator:
//!
//! 1. import: 100,000 customers (`--customers N`), each with a contract and 3 services (web space, backup space,
//!    mailbox), from a JSON Lines file through the admin CLI's own function (`server import-customers`): parsing,
//!    checks, writes and one audit entry per customer. Target on SQLite: at least 5,000 customers/s.
//! 2. re-import: the same file again, nothing changed, nothing written. Target: at least 20,000 customers/s.
//! 3. update: the same file with every 10th customer's phone changed (a nightly sync's usual work); no target.
//!
//! Run: `cargo bench -p server --bench directory` (SQLite in a temporary directory), or `-- --postgres` (a fresh
//! database on the server at `DATABASE_URL`, default `postgres://root@127.0.0.1:5432/test`, dropped afterwards).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use chrono::Utc;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use server::import_customers::import_customers;
use server::storage::SqlStore;

mod support;

fn write_file(path: &Path, customers: u64, phone_changed_every: Option<u64>) {
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    for n in 1..=customers {
        let number = 100_000 + n;
        let phone = match phone_changed_every {
            Some(every) if n % every == 0 => "+41 21 555 99 99",
            _ => "+41 21 555 10 20",
        };
        let record = serde_json::json!({
            "number": format!("C-{number}"),
            "first_name": "Marc",
            "last_name": format!("Rochat {n}"),
            "company": if n % 3 == 0 { serde_json::Value::from("Rochat SA") } else { serde_json::Value::Null },
            "email": format!("client{n}@exemple-{}.ch", n % 97),
            "phone": phone,
            "language": if n % 4 == 0 { "en" } else { "fr" },
            "street": "Chemin des Vignes 3",
            "postcode": "1009",
            "city": "Pully",
            "country": "CH",
            "contracts": [{
                "number": format!("K-{number}-1"),
                "started_at": "2024-03-01T00:00:00Z",
                "services": [
                    {"kind": "web-space", "name": format!("site-{n}.ch")},
                    {"kind": "backup-space", "name": format!("backup-{n}")},
                    {"kind": "mailbox", "name": format!("client{n}@exemple-{}.ch", n % 97)},
                ],
            }],
        });
        writeln!(out, "{record}").unwrap();
    }
    out.flush().unwrap();
}

async fn run(store: &SqlStore, what: &str, path: &Path, customers: u64, target: Option<f64>) {
    let started = Instant::now();
    let report = import_customers(store, path, None, Utc::now())
        .await
        .unwrap();
    let took = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let rate = customers as f64 / took;
    let verdict = match target {
        Some(target) if rate < target => format!(" (target >= {target:.0}/s)  ** MISSED **"),
        Some(target) => format!(" (target >= {target:.0}/s)"),
        None => String::new(),
    };
    println!(
        "  {what}: {customers} customers in {took:.2} s = {rate:.0} customers/s{verdict}; {}",
        report.summary
    );
    assert_eq!(report.summary.refused, 0, "{report}");
}

#[tokio::main]
async fn main() {
    let mut customers = 100_000;
    let mut postgres = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--postgres" => postgres = true,
            "--customers" => {
                customers = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(customers)
            }
            _ => {}
        }
    }
    let data_dir = tempfile::tempdir().unwrap();
    let (pg, store) = support::pg::fresh_store(postgres, data_dir.path()).await;
    println!(
        "directory sync benchmark on {}: {customers} customers with 3 services each",
        if postgres { "PostgreSQL" } else { "SQLite" }
    );
    let file = data_dir.path().join("customers.jsonl");
    let changed = data_dir.path().join("customers-changed.jsonl");
    write_file(&file, customers, None);
    write_file(&changed, customers, Some(10));
    run(&store, "import", &file, customers, Some(5_000.0)).await;
    run(
        &store,
        "re-import, unchanged",
        &file,
        customers,
        Some(20_000.0),
    )
    .await;
    run(
        &store,
        "update, every 10th phone changed",
        &changed,
        customers,
        None,
    )
    .await;
    store.close().await;
    if let Some(pg) = pg {
        pg.drop_database().await;
    }
}
