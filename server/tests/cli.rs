//! The admin CLI as an operator runs it: the built binary, configured through the environment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{
    io::{BufRead, BufReader},
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use app::domain::EmailAddress;
use app::ports::Storage;
use support::{Backend, TestDb};

fn server(db: &TestDb) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORTAL_DATA_DIR", db.data_dir.path())
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "info");
    command
}

fn run(command: &mut Command) -> Output {
    let output = command.output().expect("run server binary");
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn help_explains_every_subcommand() {
    let db = TestDb::sqlite();
    let output = run(server(&db).arg("--help"));
    let help = String::from_utf8_lossy(&output.stdout);
    for subcommand in ["serve", "migrate", "seed-demo"] {
        assert!(
            help.contains(subcommand),
            "{subcommand} missing from:\n{help}"
        );
    }
}

#[test]
fn an_unknown_database_scheme_is_a_clear_error() {
    let db = TestDb::sqlite();
    let output = server(&db)
        .env("DATABASE_URL", "mysql://localhost/portal")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("DATABASE_URL must start with sqlite:// or postgres://"),
        "{stderr}"
    );
}

#[test]
fn a_secret_in_the_database_url_never_reaches_the_log() {
    let db = TestDb::sqlite();
    let output = server(&db)
        .env(
            "DATABASE_URL",
            "postgres://portal:s3cr3t-pw@127.0.0.1:1/portal?connect_timeout=1",
        )
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let everything = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!everything.contains("s3cr3t-pw"), "{everything}");
}

async fn migrate_then_seed_twice_gives_the_same_demo_data(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    run(server(&db).arg("migrate"));
    run(server(&db).arg("seed-demo"));
    let store = db.store().await;
    let first = store.customers_page(None, 100).await.unwrap();
    run(server(&db).arg("seed-demo"));
    let second = store.customers_page(None, 100).await.unwrap();

    assert_eq!(first.len(), 5);
    assert_eq!(first, second, "a second seed changes nothing");
    let support = EmailAddress::parse("camille.rey@staff.portal.example").unwrap();
    assert!(store.staff_by_email(&support).await.unwrap().is_some());
    let jeanne = first
        .iter()
        .find(|c| c.details.last_name == "Favre")
        .expect("Jeanne Favre");
    assert_eq!(
        jeanne.details.mobile.as_ref().map(|p| p.as_str()),
        Some("+41794561234")
    );
    assert_eq!(store.services_of(jeanne.id).await.unwrap().len(), 4);
}

async fn sigterm_stops_a_serving_portal_with_success(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = server(&db)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("start server");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let started = Instant::now();
    loop {
        let line = lines
            .next()
            .expect("server log ended before it listened")
            .unwrap();
        if line.contains("portal listening") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
    }
    let ready = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .unwrap();
    assert_eq!(ready.status(), reqwest::StatusCode::OK);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit {exit:?}; log: {rest:?}");
    assert!(
        rest.iter().any(|line| line.contains("portal stopped")),
        "{rest:?}"
    );
}

on_both_backends!(
    migrate_then_seed_twice_gives_the_same_demo_data,
    sigterm_stops_a_serving_portal_with_success
);
