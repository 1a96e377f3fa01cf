//! One typed settings struct, read once at start-up from an optional TOML file and the environment, then passed
//! explicitly. Secrets are wrapped so that `Debug` and logs never show them.

use app::domain::consent::{AnswerWindow, IdleAfter};
use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Where the SQLite database, mail files and checkpoints live. `PORTAL_DATA_DIR`.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`; absent means a SQLite file in the data directory.
    pub database_url: Option<SecretString>,
    /// `LEPTOS_SITE_ADDR`, as Leptos users expect.
    pub site_addr: SocketAddr,
    /// `LEPTOS_SITE_ROOT`: where `.ci/build-site` (or cargo-leptos) put the compiled site.
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    pub db_max_connections: u32,
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    /// How long a graceful shutdown waits for in-flight requests before giving up.
    pub shutdown_grace_secs: u64,
    /// `PORTAL_PUBLIC_URL`: the address people reach the portal at (links in emails, the origin that state-changing
    /// requests must come from, whether cookies are `Secure`). Absent means `http://` + the listen address.
    pub public_url: Option<String>,
    /// `PORTAL_TRUSTED_PROXIES`: comma-separated addresses or CIDR ranges of the reverse proxies in front of the
    /// portal; only their `X-Forwarded-For` entries are believed.
    pub trusted_proxies: String,
    /// `PORTAL_METRICS_ADDR`: a second listen address serving only `GET /metrics`, without a token, for a
    /// scraper on the operator's network. Absent: no such listener; `/metrics` on the public address always
    /// wants a service token with scope `metrics`.
    pub metrics_addr: Option<SocketAddr>,
    pub session_idle_minutes: u64,
    pub session_absolute_hours: u64,
    /// How long a customer has to answer a consent request before it expires (charter default: 24 hours).
    pub consent_answer_minutes: u64,
    /// After how many days without activity an open support case is flagged to support (`PORTAL_IDLE_CASE_DAYS`,
    /// 1 to 365). A case is never resolved by itself.
    pub idle_case_days: i64,
    /// SMTP relay, sender and the outbox worker's pace (`PORTAL_SMTP_HOST`, `PORTAL_MAIL_FROM`, …).
    #[serde(flatten)]
    pub mail: crate::mail::MailSettings,
    /// Checkpoint signing key and file (`PORTAL_AUDIT_SIGNING_KEY`, `PORTAL_AUDIT_CHECKPOINT_PATH`, …).
    #[serde(flatten)]
    pub audit: crate::audit::AuditSettings,
    /// Grace before an unconfirmed backup destruction is flagged, and the job's pace (`PORTAL_BACKUP_*`).
    #[serde(flatten)]
    pub backups: crate::backups::BackupSettings,
    /// The consent-expiry job's pace (`PORTAL_CONSENT_EXPIRY_SWEEP_MILLIS`).
    #[serde(flatten)]
    pub consent_jobs: crate::consent_expiry::ConsentJobSettings,
    /// Webhook delivery: the worker's pace, time-out and retries (`PORTAL_WEBHOOK_*`).
    #[serde(flatten)]
    pub webhooks: crate::events::WebhookSettings,
}

#[derive(Serialize)]
struct Defaults {
    data_dir: PathBuf,
    site_addr: SocketAddr,
    site_root: PathBuf,
    log_format: LogFormat,
    db_max_connections: u32,
    body_limit_bytes: usize,
    request_timeout_secs: u64,
    shutdown_grace_secs: u64,
    trusted_proxies: String,
    session_idle_minutes: u64,
    session_absolute_hours: u64,
    consent_answer_minutes: u64,
    idle_case_days: i64,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            site_addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            site_root: PathBuf::from("target/site"),
            log_format: LogFormat::Text,
            db_max_connections: 16,
            body_limit_bytes: 64 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 20,
            trusted_proxies: String::new(),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            consent_answer_minutes: 24 * 60,
            idle_case_days: IdleAfter::DEFAULT_DAYS,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("invalid configuration: {0}")]
    Figment(#[from] Box<figment::Error>),
    #[error("invalid configuration: {setting}: {reason}")]
    Invalid {
        setting: &'static str,
        reason: String,
    },
}

/// The environment variables that keep their conventional names instead of the `PORTAL_` prefix.
const CONVENTIONAL: [(&str, &str); 3] = [
    ("DATABASE_URL", "database_url"),
    ("LEPTOS_SITE_ADDR", "site_addr"),
    ("LEPTOS_SITE_ROOT", "site_root"),
];

impl Settings {
    /// Defaults, then the TOML file named by `PORTAL_CONFIG` if any, then `PORTAL_*` variables, then the
    /// conventional names.
    pub fn load() -> Result<Self, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(Defaults::default()));
        if let Ok(path) = std::env::var("PORTAL_CONFIG") {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment
            .merge(Env::prefixed("PORTAL_").ignore(&["CONFIG"]))
            .merge(
                Env::raw()
                    .only(&CONVENTIONAL.map(|(variable, _)| variable))
                    .map(|variable| {
                        CONVENTIONAL
                            .iter()
                            .find(|(name, _)| variable.as_str().eq_ignore_ascii_case(name))
                            .map_or(variable.into(), |(_, key)| (*key).into())
                    }),
            )
            .extract::<Self>()
            .map_err(|error| SettingsError::Figment(Box::new(error)))?
            .validated()
    }

    fn validated(mut self) -> Result<Self, SettingsError> {
        self.trusted_proxy_ranges()?;
        self.consent_answer_window()?;
        self.idle_case_after()?;
        if let Err(reason) = self.backups.grace() {
            return Err(SettingsError::Invalid {
                setting: "backup_destruction_grace_minutes",
                reason: reason.into(),
            });
        }
        if let Err((setting, reason)) = self.audit.validate() {
            return Err(SettingsError::Invalid {
                setting,
                reason: reason.into(),
            });
        }
        if let Some(reason) = self.mail.problem() {
            return Err(SettingsError::Invalid {
                setting: "mail",
                reason,
            });
        }
        let origin = self.public_origin();
        if !(origin.starts_with("http://") || origin.starts_with("https://"))
            || origin.matches('/').count() != 2
        {
            return Err(SettingsError::Invalid {
                setting: "public_url",
                reason: "must be http(s)://host[:port] with nothing after the host".into(),
            });
        }
        if self.audit.audit_log_origin.is_none() {
            self.audit.audit_log_origin =
                Some(crate::audit::AuditSettings::default_origin_for(&origin));
        }
        Ok(self)
    }

    /// `scheme://host[:port]`, without a trailing slash: what browsers send as `Origin`.
    pub fn public_origin(&self) -> String {
        match &self.public_url {
            Some(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
            _ => format!("http://{}", self.site_addr),
        }
    }

    /// Served over TLS (directly or by a proxy): cookies get `Secure` and the `__Host-` prefix, responses get HSTS.
    pub fn is_https(&self) -> bool {
        self.public_origin().starts_with("https://")
    }

    pub fn trusted_proxy_ranges(&self) -> Result<Vec<ipnet::IpNet>, SettingsError> {
        self.trusted_proxies
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| SettingsError::Invalid {
                        setting: "trusted_proxies",
                        reason: format!("{entry:?} is not an IP address or CIDR range"),
                    })
            })
            .collect()
    }

    /// What a portal served over https (which is what production is) lacks before it may serve: a signing key
    /// of the operator's (one made on first start lives and dies with one data directory, and each instance would
    /// make its own), and a relay for the mail it sends (otherwise written to files nobody reads).
    pub fn missing_for_production(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if !self.is_https() {
            return missing;
        }
        if self.audit.audit_signing_key.is_none() && self.audit.audit_signing_key_file.is_none() {
            missing.push("PORTAL_AUDIT_SIGNING_KEY_FILE (or PORTAL_AUDIT_SIGNING_KEY)");
        }
        if self.mail.mail_worker && self.mail.smtp_host.as_deref().is_none_or(str::is_empty) {
            missing.push("PORTAL_SMTP_HOST");
        }
        missing
    }

    pub fn consent_answer_window(&self) -> Result<AnswerWindow, SettingsError> {
        i64::try_from(self.consent_answer_minutes)
            .ok()
            .and_then(|minutes| AnswerWindow::new(chrono::Duration::minutes(minutes)).ok())
            .ok_or(SettingsError::Invalid {
                setting: "consent_answer_minutes",
                reason: "must be between 1 and 43200 (30 days)".into(),
            })
    }

    pub fn idle_case_after(&self) -> Result<IdleAfter, SettingsError> {
        IdleAfter::days(self.idle_case_days).map_err(|invalid| SettingsError::Invalid {
            setting: "idle_case_days",
            reason: invalid.reason.into(),
        })
    }

    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(self.session_idle_minutes * 60)
    }

    pub fn session_absolute(&self) -> Duration {
        Duration::from_secs(self.session_absolute_hours * 3600)
    }

    /// Settings for one test or tool run: defaults, a given data directory and database, any free port.
    pub fn for_data_dir(data_dir: PathBuf, database_url: Option<String>) -> Self {
        let defaults = Defaults::default();
        Self {
            data_dir,
            database_url: database_url.map(SecretString::from),
            site_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            site_root: defaults.site_root,
            log_format: defaults.log_format,
            db_max_connections: defaults.db_max_connections,
            body_limit_bytes: defaults.body_limit_bytes,
            request_timeout_secs: defaults.request_timeout_secs,
            shutdown_grace_secs: defaults.shutdown_grace_secs,
            public_url: None,
            trusted_proxies: defaults.trusted_proxies,
            metrics_addr: None,
            session_idle_minutes: defaults.session_idle_minutes,
            session_absolute_hours: defaults.session_absolute_hours,
            consent_answer_minutes: defaults.consent_answer_minutes,
            idle_case_days: defaults.idle_case_days,
            mail: crate::mail::MailSettings::default(),
            audit: crate::audit::AuditSettings::default(),
            backups: crate::backups::BackupSettings::default(),
            consent_jobs: crate::consent_expiry::ConsentJobSettings::default(),
            webhooks: crate::events::WebhookSettings::default(),
        }
    }

    pub fn database_url(&self) -> SecretString {
        match &self.database_url {
            Some(url) if !url.expose_secret().trim().is_empty() => url.clone(),
            _ => SecretString::from(format!("sqlite://{}/portal.db", self.data_dir.display())),
        }
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail fixes the closure's error type
mod tests {
    use super::*;

    #[test]
    fn the_default_database_is_a_sqlite_file_in_the_data_directory() {
        let settings = Settings::for_data_dir(PathBuf::from("/srv/portal"), None);
        assert_eq!(
            settings.database_url().expose_secret(),
            "sqlite:///srv/portal/portal.db"
        );
        let blank = Settings::for_data_dir(PathBuf::from("d"), Some("  ".into()));
        assert_eq!(blank.database_url().expose_secret(), "sqlite://d/portal.db");
    }

    #[test]
    fn the_consent_answer_window_is_configurable_within_the_domain_bounds() {
        figment::Jail::expect_with(|jail| {
            let defaults = Settings::load().map_err(|error| error.to_string())?;
            assert_eq!(
                defaults.consent_answer_window().ok(),
                Some(AnswerWindow::DEFAULT)
            );
            jail.set_env("PORTAL_CONSENT_ANSWER_MINUTES", "90");
            let settings = Settings::load().map_err(|error| error.to_string())?;
            assert_eq!(
                settings.consent_answer_window().ok().map(AnswerWindow::get),
                Some(chrono::Duration::minutes(90))
            );
            for refused in ["0", "43201"] {
                jail.set_env("PORTAL_CONSENT_ANSWER_MINUTES", refused);
                let error = Settings::load().err().map(|error| error.to_string());
                assert!(
                    error.is_some_and(|text| text.contains("consent_answer_minutes")),
                    "{refused} should be refused"
                );
            }
            Ok(())
        });
    }

    #[test]
    fn debug_output_never_shows_the_database_password() {
        let settings = Settings::for_data_dir(
            PathBuf::from("d"),
            Some("postgres://portal:hunter2@db/portal".into()),
        );
        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    #[test]
    fn environment_names_map_onto_settings() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DATABASE_URL", "postgres://localhost/portal");
            jail.set_env("LEPTOS_SITE_ADDR", "0.0.0.0:8080");
            jail.set_env("PORTAL_DATA_DIR", "/var/lib/portal");
            jail.set_env("PORTAL_LOG_FORMAT", "json");
            let settings = Settings::load().map_err(|error| error.to_string())?;
            assert_eq!(
                settings.database_url().expose_secret(),
                "postgres://localhost/portal"
            );
            assert_eq!(settings.site_addr, SocketAddr::from(([0, 0, 0, 0], 8080)));
            assert_eq!(settings.data_dir, PathBuf::from("/var/lib/portal"));
            assert_eq!(settings.log_format, LogFormat::Json);
            Ok(())
        });
    }

    #[test]
    fn a_malformed_value_is_an_error_that_names_it() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("LEPTOS_SITE_ADDR", "not-an-address");
            let error = Settings::load()
                .err()
                .map(|error| error.to_string())
                .unwrap_or_default();
            assert!(error.to_lowercase().contains("site_addr"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn an_https_portal_needs_its_own_signing_key_and_a_relay() {
        figment::Jail::expect_with(|jail| {
            let load = || Settings::load().map_err(|error| error.to_string());
            assert!(
                load()?.missing_for_production().is_empty(),
                "http is development"
            );
            jail.set_env("PORTAL_PUBLIC_URL", "https://portail.example.ch");
            let missing = load()?.missing_for_production();
            assert_eq!(missing.len(), 2, "{missing:?}");
            assert!(missing[0].contains("PORTAL_AUDIT_SIGNING_KEY_FILE"));
            assert!(missing[1].contains("PORTAL_SMTP_HOST"));
            jail.set_env(
                "PORTAL_AUDIT_SIGNING_KEY_FILE",
                "/etc/privacy-portal/audit.key",
            );
            jail.set_env("PORTAL_MAIL_WORKER", "false");
            assert!(
                load()?.missing_for_production().is_empty(),
                "an instance that sends no mail needs no relay"
            );
            jail.set_env("PORTAL_MAIL_WORKER", "true");
            jail.set_env("PORTAL_SMTP_HOST", "smtp.example.ch");
            assert!(load()?.missing_for_production().is_empty());
            Ok(())
        });
    }

    #[test]
    fn proxies_and_public_url_are_checked_at_load() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PORTAL_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7");
            jail.set_env("PORTAL_PUBLIC_URL", "https://portail.example.ch/");
            let settings = Settings::load().map_err(|error| error.to_string())?;
            assert_eq!(
                settings
                    .trusted_proxy_ranges()
                    .map_err(|error| error.to_string())?
                    .len(),
                2
            );
            assert_eq!(settings.public_origin(), "https://portail.example.ch");
            assert!(settings.is_https());
            jail.set_env("PORTAL_TRUSTED_PROXIES", "10.0.0.0/8, proxy.local");
            let error = Settings::load()
                .err()
                .map(|error| error.to_string())
                .unwrap_or_default();
            assert!(error.contains("proxy.local"), "{error}");
            jail.set_env("PORTAL_TRUSTED_PROXIES", "");
            jail.set_env("PORTAL_PUBLIC_URL", "https://portail.example.ch/login");
            assert!(Settings::load().is_err());
            Ok(())
        });
    }

    #[test]
    fn a_config_file_is_read_and_the_environment_overrides_it() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "portal.toml",
                "data_dir = \"/from/file\"\nbody_limit_bytes = 1000\n",
            )?;
            jail.set_env("PORTAL_CONFIG", "portal.toml");
            jail.set_env("PORTAL_BODY_LIMIT_BYTES", "2000");
            let settings = Settings::load().map_err(|error| error.to_string())?;
            assert_eq!(settings.data_dir, PathBuf::from("/from/file"));
            assert_eq!(settings.body_limit_bytes, 2000);
            Ok(())
        });
    }
}
