//! Login latency under a steady 20 sign-ins per second (open loop: requests start on schedule whether or not the
//! previous ones finished), against the real router on loopback with a SQLite database and the demo accounts.
//!
//! Run: `cargo bench -p server --bench login_latency` (release profile). Prints p50, p90, p99 and max.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Duration;

use server::seed;
use tokio::time::Instant;

mod support;
use support::portal::Portal;

const RATE_PER_SEC: u64 = 20;
const SECONDS: u64 = 30;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let addr = Portal::with_demo_data(None, dir.path(), None).await.serve();

    let client = reqwest::Client::new();
    let base = format!("http://{addr}");
    // Five customers in turn, so that no account's throttle or row is the only one exercised.
    let emails = [
        "jeanne.favre@boulangerie-favre.ch",
        "luca@studio-bernasconi.ch",
        "as.rochat@rochat-avocats.ch",
        "martin.keller@keller-velos.ch",
        "elodie.perrin@bluewin.ch",
    ];
    let total = RATE_PER_SEC * SECONDS;
    let interval = Duration::from_millis(1000 / RATE_PER_SEC);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..total {
        tokio::time::sleep_until(start + interval * u32::try_from(i).unwrap()).await;
        let client = client.clone();
        let base = base.clone();
        let email = emails[usize::try_from(i).unwrap() % emails.len()];
        tasks.push(tokio::spawn(async move {
            let began = Instant::now();
            let response = client
                .post(format!("{base}/sf/log-in"))
                .header("origin", &base)
                .header("accept", "application/json")
                .form(&[("email", email), ("password", seed::DEMO_PASSWORD)])
                .send()
                .await
                .unwrap();
            let ok = response.status().is_success() || response.status().is_redirection();
            (began.elapsed(), ok)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (latency, ok) = task.await.unwrap();
        if !ok {
            failures += 1;
        }
        latencies.push(latency);
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "logins: {} at {RATE_PER_SEC}/s over {SECONDS} s, {failures} failed; p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        at(0.50).as_secs_f64() * 1000.0,
        at(0.90).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0,
    );
}
