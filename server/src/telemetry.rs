use tracing_subscriber::{fmt, EnvFilter};

use crate::settings::LogFormat;

/// Structured logs to stderr; `RUST_LOG` refines the default filter.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    // A second initialisation (tests, embedded use) keeps the first subscriber, which is what we want.
    drop(result);
}
