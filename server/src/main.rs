use clap::Parser;
use std::process::ExitCode;

use app::ports::{Clock, SystemClock};
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
    match run(cli.command.unwrap_or(Command::Serve), settings).await {
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
