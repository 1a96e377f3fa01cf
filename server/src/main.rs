use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

use app::auth::passwords::PasswordHasher;
use app::domain::{EmailAddress, NewPassword};
use app::ports::{Clock, SystemClock};
use server::accounts::{create_user, Kind, NewUser};
use server::{cli::Cli, cli::Command, settings::Settings};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(settings.log_format);
    let command = cli.command.unwrap_or(Command::Serve);
    if matches!(command, Command::Serve) {
        let missing = settings.missing_for_production();
        if !missing.is_empty() {
            eprintln!(
                "PORTAL_PUBLIC_URL is https, so this is production: set {} before serving",
                missing.join(" and ")
            );
            return ExitCode::from(2);
        }
    }
    match run(command, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error_chain(error.as_ref()), "command failed");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Serve => server::serve(settings).await?,
        Command::Migrate => {
            let store = server::open_store(&settings).await?;
            tracing::info!(backend = ?store.backend(), "migrations applied");
            store.close().await;
        }
        Command::SeedDemo => {
            let store = server::open_store(&settings).await?;
            let summary = server::seed::seed_demo(&store, SystemClock.now()).await?;
            tracing::info!(
                customers = summary.customers,
                staff = summary.staff,
                "demo data present"
            );
            store.close().await;
        }
        Command::DisableUser { email } => {
            let email = EmailAddress::parse(&email)?;
            let store = server::open_store(&settings).await?;
            let disabled =
                server::accounts::disable_user(&store, &email, SystemClock.now()).await?;
            tracing::info!(account = disabled.0, %email, "account disabled and its sessions ended");
            store.close().await;
        }
        Command::CreateUser { roles, email, name } => {
            let kind = Kind::from_role_names(&roles)?;
            let email = EmailAddress::parse(&email)?;
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let password = NewPassword::parse(line.trim_end_matches(['\r', '\n']))?;
            let store = server::open_store(&settings).await?;
            let hasher = PasswordHasher::new(1);
            let now = SystemClock.now();
            let user = NewUser {
                kind: &kind,
                email: &email,
                name: &name,
                password: &password,
                totp_secret: None,
            };
            let account = create_user(&store, &hasher, &user, now).await?;
            tracing::info!(account = account.0, %email, "account created");
            store.close().await;
        }
        Command::CreateServiceToken { name, scopes } => {
            let store = server::open_store(&settings).await?;
            let created =
                server::tokens::create_service_token(&store, &name, &scopes, SystemClock.now())
                    .await;
            store.close().await;
            let token = created?;
            tracing::info!(%name, "service token created; it is shown once, on standard output");
            writeln!(std::io::stdout(), "{token}")?;
        }
        Command::AuditVerify { public_key } => {
            let store = server::storage::SqlStore::connect(
                &settings.database_url(),
                settings.db_max_connections,
            )
            .await?;
            let started = std::time::Instant::now();
            let verified = server::audit::verify_stored(
                &store,
                &settings.audit,
                &settings.data_dir,
                public_key.as_deref(),
                SystemClock.now(),
            )
            .await;
            store.close().await;
            let status = verified?;
            let seconds = started.elapsed().as_secs_f64();
            let mut out = std::io::stdout();
            match &status.problem {
                None => writeln!(
                    out,
                    "audit log intact: {} entries verified through entry {} in {seconds:.2} s ({:.0} entries/s)",
                    status.entries_checked,
                    status.verified_through,
                    status.entries_checked as f64 / seconds.max(f64::EPSILON),
                )?,
                Some(problem) => {
                    writeln!(out, "audit log FAILED verification: first bad entry {}: {}", problem.entry, problem.reason)?;
                    return Err(Box::new(server::audit::Tampered { entry: problem.entry }));
                }
            }
        }
        Command::VerifyExport {
            file,
            public_key,
            older_checkpoint,
            consistency,
        } => {
            let outcome = server::audit::export_proof::verify_file(
                &file,
                &public_key,
                older_checkpoint.as_deref().zip(consistency.as_deref()),
            );
            let mut out = std::io::stdout();
            match outcome {
                Ok(report) => writeln!(out, "{report}")?,
                Err(refused) => {
                    writeln!(out, "export FAILED verification: {refused}")?;
                    return Err(Box::new(refused));
                }
            }
        }
        Command::Backup { to } => {
            let backup = server::own_backup::back_up(&settings, &to).await?;
            writeln!(std::io::stdout(), "{backup}")?;
        }
        Command::RevokeServiceToken { name } => {
            let store = server::open_store(&settings).await?;
            let revoked =
                server::tokens::revoke_service_token(&store, &name, SystemClock.now()).await;
            store.close().await;
            revoked?;
            tracing::info!(%name, "service token revoked");
        }
        Command::TerminateContract { number } => {
            let store = server::open_store(&settings).await?;
            let terminated =
                server::backups::terminate_contract(&store, &number, SystemClock.now()).await;
            store.close().await;
            writeln!(std::io::stdout(), "{}", terminated?)?;
        }
        Command::ImportCustomers { file, invite } => {
            let store = server::open_store(&settings).await?;
            let origin = settings.public_origin();
            let invite_from = invite.then_some(origin.as_str());
            let imported = server::import_customers::import_customers(
                &store,
                &file,
                invite_from,
                SystemClock.now(),
            )
            .await;
            store.close().await;
            let report = imported?;
            writeln!(std::io::stdout(), "{report}")?;
            if report.summary.refused > 0 {
                std::process::exit(1);
            }
        }
        Command::TransferContract { number, to } => {
            let store = server::open_store(&settings).await?;
            let transferred =
                server::backups::transfer_contract(&store, &number, &to, SystemClock.now()).await;
            store.close().await;
            writeln!(std::io::stdout(), "{}", transferred?)?;
        }
    }
    Ok(())
}

/// Every cause in one line: operators read logs, and "cannot connect" alone does not say why.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
