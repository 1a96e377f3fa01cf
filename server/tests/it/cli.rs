//! The admin CLI as an operator runs it: the built binary, configured through the environment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{BufRead, BufReader},
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

use crate::support::{Backend, TestDb};
use app::domain::EmailAddress;
use app::ports::Storage;

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

#[test]
fn serving_on_https_without_a_signing_key_or_a_relay_is_refused() {
    let db = TestDb::sqlite();
    let output = server(&db)
        .env("PORTAL_PUBLIC_URL", "https://portail.example.ch")
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("PORTAL_AUDIT_SIGNING_KEY_FILE") && said.contains("PORTAL_SMTP_HOST"),
        "{said}"
    );
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
    let port = crate::support::api::free_port();
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

fn run_with_stdin(command: &mut Command, input: &str) -> Output {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn create_user_takes_the_password_on_stdin_and_disable_user_ends_access(backend: Backend) {
    use app::auth::passwords::PasswordHasher;
    use app::domain::Role;
    use app::ports::AccountStore;

    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    run(server(&db).arg("seed-demo"));
    let email = "lea.bonvin@staff.portal.example";
    let args = [
        "create-user",
        "--role",
        "support",
        "--role",
        "sysadmin",
        "--email",
        email,
        "--name",
        "Léa Bonvin",
    ];
    let created = run_with_stdin(server(&db).args(args), "a long enough passphrase\n");
    assert!(created.status.success(), "{}", stderr(&created));

    let store = db.store().await;
    let address = EmailAddress::parse(email).unwrap();
    let account = store
        .account_by_email(&address)
        .await
        .unwrap()
        .expect("account created");
    assert!(
        account.totp_secret.is_none(),
        "staff enrol their second factor at first sign-in"
    );
    let staff = store
        .staff_by_email(&address)
        .await
        .unwrap()
        .expect("staff member created");
    assert_eq!(staff.roles, [Role::Support, Role::Sysadmin]);
    let hasher = PasswordHasher::new(1);
    assert!(
        hasher
            .verify("a long enough passphrase", Some(&account.password_hash))
            .await
            .unwrap()
            .matches
    );

    let again = run_with_stdin(server(&db).args(args), "another long passphrase\n");
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already has an account"),
        "{}",
        stderr(&again)
    );

    let short_args = [
        "create-user",
        "--role",
        "support",
        "--email",
        "x@staff.portal.example",
        "--name",
        "X",
    ];
    let short = run_with_stdin(server(&db).args(short_args), "short\n");
    assert!(!short.status.success());
    assert!(
        stderr(&short).contains("at least 12 characters"),
        "{}",
        stderr(&short)
    );

    let stranger_args = [
        "create-user",
        "--role",
        "customer",
        "--email",
        "nobody@example.ch",
        "--name",
        "N",
    ];
    let stranger = run_with_stdin(
        server(&db).args(stranger_args),
        "a long enough passphrase\n",
    );
    assert!(!stranger.status.success());
    assert!(
        stderr(&stranger).contains("no customer has the email"),
        "{}",
        stderr(&stranger)
    );

    run(server(&db).args(["disable-user", "--email", email]));
    let disabled = store.account_by_email(&address).await.unwrap().unwrap();
    assert!(disabled.disabled_at.is_some());
}

on_both_backends!(
    migrate_then_seed_twice_gives_the_same_demo_data,
    sigterm_stops_a_serving_portal_with_success,
    create_user_takes_the_password_on_stdin_and_disable_user_ends_access,
);
