//! Mail settings, part of the server's one settings struct (flattened: `PORTAL_SMTP_HOST`, `PORTAL_MAIL_FROM`, …).

use secrecy::SecretString;
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP: only for a relay on the same machine or a test sink.
    None,
    /// Upgrade with STARTTLS, and refuse to send if the server cannot.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct MailSettings {
    /// `PORTAL_SMTP_HOST`. Absent: messages are written as `.eml` files under `<data dir>/mail/` instead.
    pub smtp_host: Option<String>,
    /// `PORTAL_SMTP_PORT`; absent means 25 without TLS, 587 with STARTTLS, 465 with TLS.
    pub smtp_port: Option<u16>,
    pub smtp_tls: SmtpTls,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<SecretString>,
    /// `PORTAL_MAIL_FROM`: the sender, `Name <address>` or a bare address; its domain names the Message-IDs.
    pub mail_from: String,
    /// Sending one message (connect, TLS, every SMTP command) gives up after this long.
    pub smtp_timeout_secs: u64,
    /// `PORTAL_MAIL_WORKER=false` keeps this instance from sending (another instance sends).
    pub mail_worker: bool,
    pub mail_batch_size: u32,
    /// How long a worker holds the messages it took; if it dies, others take them up after this.
    pub mail_lease_secs: u64,
    /// How often an idle worker looks for due messages.
    pub mail_poll_millis: u64,
    /// The first retry's delay; each further one doubles it, up to `mail_retry_max_secs`, with jitter.
    pub mail_retry_base_millis: u64,
    pub mail_retry_max_secs: u64,
    /// A message still failing transiently after this many attempts is dead-lettered.
    pub mail_max_attempts: u32,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_host: None,
            smtp_port: None,
            smtp_tls: SmtpTls::default(),
            smtp_username: None,
            smtp_password: None,
            mail_from: "Portail de confidentialité <privacy-portal@localhost>".to_owned(),
            smtp_timeout_secs: 10,
            mail_worker: true,
            mail_batch_size: 50,
            mail_lease_secs: 120,
            mail_poll_millis: 1000,
            mail_retry_base_millis: 30_000,
            mail_retry_max_secs: 3600,
            mail_max_attempts: 12,
        }
    }
}

impl MailSettings {
    pub fn smtp_port(&self) -> u16 {
        self.smtp_port.unwrap_or(match self.smtp_tls {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        })
    }

    pub fn smtp_timeout(&self) -> Duration {
        Duration::from_secs(self.smtp_timeout_secs.max(1))
    }

    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.mail_lease_secs.max(1))
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.mail_poll_millis.max(10))
    }

    /// Why these settings cannot work, checked at start-up.
    pub fn problem(&self) -> Option<String> {
        if let Err(error) = self.mail_from.parse::<lettre::message::Mailbox>() {
            return Some(format!("mail_from: not a mailbox ({error})"));
        }
        if self.smtp_timeout_secs == 0 || self.smtp_timeout_secs > 120 {
            return Some("smtp_timeout_secs: must be between 1 and 120".into());
        }
        if self.mail_batch_size == 0 || self.mail_max_attempts == 0 {
            return Some("mail_batch_size and mail_max_attempts must be at least 1".into());
        }
        // A lease shorter than one send could let a second worker take a message that is being sent.
        if self.mail_lease_secs < 2 * self.smtp_timeout_secs {
            return Some("mail_lease_secs: must be at least twice smtp_timeout_secs".into());
        }
        if self.smtp_username.is_some() != self.smtp_password.is_some() {
            return Some("smtp_username and smtp_password go together".into());
        }
        None
    }
}
