//! Server rendering of the portal's pages over loopback against the real router (sessions, CSRF and CSP layers, the
//! guard, the database), with a raw axum "hello" handler measured the same way in the same run as the reference.
//! For each page: saturation at `--connections` (64) keep-alive connections, then latency at a fixed rate
//! (`--rate`, 1,000/s, open loop), each for `--seconds` (10); then the ratio to the raw handler, the bytes of each
//! page, and the peak RSS of the process (the server and the load generator together: an upper bound for the server).
//!
//! The signed-in pages are requested with a customer's session (Jeanne Favre, demo data) and a support agent's
//! session with the second factor done (Camille Rey), both made through the real sign-in server functions.
//!
//! Run: `cargo bench -p server --bench pages` (SQLite in a temporary directory), or with `-- --postgres` (a fresh
//! database on the server at `DATABASE_URL`, default `postgres://root@127.0.0.1:5432/test`, dropped afterwards).
//! A path such as `/account` (repeatable) measures only that page; `--pool N` sets the server's database pool.
//! Targets on 2 cores: `/account` ≥ 3,000 req/s and p99 ≤ 20 ms at 1,000/s, `/login` ≥ 10,000 req/s, peak RSS ≤ 200
//! MB. Then 500 requests per page are abandoned mid-render; the run fails when the server panicked (the panic hook
//! counts them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use bytes::Bytes;
use hyper::{header, StatusCode};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use app::ports::{Clock, SystemClock};
use server::seed;

mod support;
use support::load::{self, LoadOptions, Target};
use support::pg::PgDatabase;
use support::portal::Portal;

const CUSTOMER: &str = "jeanne.favre@boulangerie-favre.ch";
const SUPPORT: &str = "camille.rey@staff.portal.example";
/// Camille Rey's TOTP secret, as README.md publishes it for the demo.
const SUPPORT_TOTP: &str = "MNQW22LMNRSS44TFPEWWIZLNN4WXI33U";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Anyone,
    Customer,
    Support,
}

/// Requests per page whose connection is closed mid-render (see `load::abandon`).
const ABANDONED: usize = 500;

const PAGES: [(&str, Who, &str); 7] = [
    ("/login", Who::Anyone, "password"),
    ("/", Who::Anyone, "<main"),
    ("/charter", Who::Anyone, "<main"),
    ("/account", Who::Customer, "Jeanne"),
    ("/account/consents", Who::Customer, "<main"),
    ("/account/access-log", Who::Customer, "<main"),
    ("/staff/consents", Who::Support, "<main"),
];

/// Calls a server function as a browser's form does and returns the session cookie it answers with (or `cookie`
/// unchanged when it sets none).
async fn call(addr: SocketAddr, name: &str, form: &str, cookie: Option<&str>) -> Option<String> {
    let mut target = Target::post(
        addr,
        &format!("/sf/{name}"),
        vec![Bytes::from(form.to_owned())],
    )
    .with_header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
    .with_header(header::ORIGIN, format!("http://{addr}"));
    if let Some(cookie) = cookie {
        target = target.with_header(header::COOKIE, cookie);
    }
    let mut sender = load::connect(addr).await;
    let answer = load::exchange(&mut sender, &target, &target.bodies[0])
        .await
        .unwrap();
    assert!(
        answer.status.is_success() || answer.status.is_redirection(),
        "{name}: {} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
    answer
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("portal_session="))
        .and_then(|value| value.split(';').next())
        .map(str::to_owned)
        .or_else(|| cookie.map(str::to_owned))
}

async fn sign_in(addr: SocketAddr, email: &str, totp: Option<&str>) -> String {
    let form = format!(
        "email={}&password={}",
        email.replace('@', "%40"),
        seed::DEMO_PASSWORD
    );
    let cookie = call(addr, "log-in", &form, None)
        .await
        .expect("sign-in sets a session cookie");
    let Some(secret) = totp else { return cookie };
    let code = app::auth::totp::code_at(secret, SystemClock.now()).unwrap();
    call(
        addr,
        "verify-second-factor",
        &format!("code={code}"),
        Some(&cookie),
    )
    .await
    .expect("the second factor keeps a session")
}

/// Fetches the page once and checks that it is the page, not a redirect to the sign-in or an error.
async fn check_page(target: &Target, expected: &str) -> usize {
    let mut sender = load::connect(target.addr).await;
    let answer = load::exchange(&mut sender, target, &target.bodies[0])
        .await
        .unwrap();
    let body = String::from_utf8_lossy(&answer.body);
    assert_eq!(answer.status, StatusCode::OK, "{}: {body}", target.path);
    assert!(
        body.contains(expected),
        "{} lacks {expected:?}",
        target.path
    );
    answer.body.len()
}

fn main() {
    let options = LoadOptions::from_args(1_000);
    let only: Vec<&str> = options
        .rest
        .iter()
        .map(String::as_str)
        .filter(|arg| arg.starts_with('/'))
        .collect();
    let panics = Arc::new(AtomicU64::new(0));
    {
        let panics = panics.clone();
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            panics.fetch_add(1, Ordering::Relaxed);
            default_hook(info);
        }));
    }
    let dir = tempfile::tempdir().unwrap();
    let server_runtime = load::runtime("server");
    let (database, url) = PgDatabase::when(options.postgres, &server_runtime);
    let portal = server_runtime.block_on(async {
        Portal::with_demo_data(url, dir.path(), options.pool)
            .await
            .serve()
    });
    let hello = server_runtime.block_on(load::start_hello());
    println!(
        "pages on {}, {} cores, {} connections, fixed rate {}/s",
        options.backend_name(),
        std::thread::available_parallelism().map_or(0, usize::from),
        options.connections,
        options.rate
    );

    let client_runtime = load::runtime("client");
    client_runtime.block_on(async {
        let customer = sign_in(portal, CUSTOMER, None).await;
        let support = sign_in(portal, SUPPORT, Some(SUPPORT_TOTP)).await;
        let (hello_saturation, hello_latencies) =
            load::measure("axum hello", &Target::get(hello, "/hello"), &options).await;
        let mut rows = Vec::new();
        for (path, who, expected) in PAGES {
            if !only.is_empty() && !only.contains(&path) {
                continue;
            }
            let mut target = Target::get(portal, path).with_header(header::ACCEPT, "text/html");
            match who {
                Who::Anyone => {}
                Who::Customer => target = target.with_header(header::COOKIE, customer.clone()),
                Who::Support => target = target.with_header(header::COOKIE, support.clone()),
            }
            let bytes = check_page(&target, expected).await;
            let (saturation, latencies) = load::measure(path, &target, &options).await;
            load::abandon(&target, ABANDONED).await;
            rows.push((path, bytes, saturation, latencies));
        }
        println!();
        println!(
            "| page | bytes | req/s at {} connections | × hello | server CPU µs/req | p50 / p90 / p99 / max ms at {}/s | failed |",
            options.connections, options.rate
        );
        println!("|---|---|---|---|---|---|---|");
        println!(
            "| raw axum hello | 5 | {:.0} | 1 | {:.0} | {:.2} / {:.2} / {:.2} / {:.2} | {} |",
            hello_saturation.per_second,
            hello_saturation.server_cpu_micros,
            hello_latencies.at(0.50),
            hello_latencies.at(0.90),
            hello_latencies.at(0.99),
            hello_latencies.max(),
            hello_saturation.failed + hello_latencies.failed,
        );
        for (path, bytes, saturation, latencies) in rows {
            println!(
                "| `{path}` | {bytes} | {:.0} | {:.3} | {:.0} | {:.2} / {:.2} / {:.2} / {:.2} | {} |",
                saturation.per_second,
                saturation.per_second / hello_saturation.per_second,
                saturation.server_cpu_micros,
                latencies.at(0.50),
                latencies.at(0.90),
                latencies.at(0.99),
                latencies.max(),
                saturation.failed + latencies.failed,
            );
        }
        // The tasks of the last abandoned pages end shortly after their connections.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    });
    println!("requests abandoned mid-render: {ABANDONED} per page");
    println!(
        "peak RSS (server and load generator): {:.0} MiB",
        load::peak_rss_mib()
    );
    let panicked = panics.load(Ordering::Relaxed);
    println!("panics: {panicked}");
    if let Some(database) = database {
        server_runtime.block_on(database.drop_database());
    }
    server_runtime.shutdown_background();
    client_runtime.shutdown_background();
    assert_eq!(panicked, 0, "the server panicked while serving pages");
}
