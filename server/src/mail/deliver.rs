//! Where built messages go: an SMTP relay through lettre, or, with no relay configured (a first run), `.eml` files
//! in the data directory that any mail client opens.

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use std::path::PathBuf;

use super::settings::{MailSettings, SmtpTls};

/// How a delivery failed, which decides what happens to the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The relay could not be reached or did not answer in time: nothing else will get through either for now.
    #[error("relay unreachable: {0}")]
    Unreachable(String),
    /// A 4xx answer, or a local failure that may pass: try again later.
    #[error("transient failure: {0}")]
    Transient(String),
    /// A 5xx answer: the relay will never take this message.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

#[derive(Debug)]
pub enum Delivery {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

#[derive(Debug, thiserror::Error)]
#[error("the SMTP settings cannot work: {0}")]
pub struct DeliverySetupError(String);

impl Delivery {
    pub fn from_settings(
        settings: &MailSettings,
        data_dir: &std::path::Path,
    ) -> Result<Self, DeliverySetupError> {
        let Some(host) = settings
            .smtp_host
            .as_deref()
            .map(str::trim)
            .filter(|host| !host.is_empty())
        else {
            return Ok(Self::Files(data_dir.join("mail")));
        };
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|error| DeliverySetupError(error.to_string()))
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(settings.smtp_port())
            .timeout(Some(settings.smtp_timeout()))
            .tls(match settings.smtp_tls {
                SmtpTls::None => Tls::None,
                SmtpTls::Starttls => Tls::Required(tls(host)?),
                SmtpTls::Tls => Tls::Wrapper(tls(host)?),
            });
        if let (Some(user), Some(password)) = (&settings.smtp_username, &settings.smtp_password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(Self::Smtp(builder.build()))
    }

    pub async fn deliver(&self, outbox_id: i64, message: &Message) -> Result<(), DeliveryError> {
        match self {
            Self::Smtp(transport) => transport
                .send(message.clone())
                .await
                .map(drop)
                .map_err(classify),
            Self::Files(dir) => write_eml(dir, outbox_id, message).await,
        }
    }
}

fn classify(error: lettre::transport::smtp::Error) -> DeliveryError {
    let text = error.to_string();
    if error.is_permanent() {
        DeliveryError::Permanent(text)
    } else if error.is_transient() {
        DeliveryError::Transient(text)
    } else {
        // Connection refused, timeouts, TLS and protocol trouble: the relay, not this message.
        DeliveryError::Unreachable(text)
    }
}

/// Writes `outbox-<id>.eml` whole or not at all (a temporary file renamed into place), so a reader never sees half
/// a message and a second delivery of the same row replaces the first.
async fn write_eml(dir: &std::path::Path, outbox_id: i64, message: &Message) -> Result<(), DeliveryError> {
    let failed = |error: std::io::Error| DeliveryError::Transient(format!("cannot write the mail file: {error}"));
    tokio::fs::create_dir_all(dir).await.map_err(failed)?;
    let name = format!("outbox-{outbox_id:08}.eml");
    let partial = dir.join(format!(".{name}.partial"));
    tokio::fs::write(&partial, message.formatted()).await.map_err(failed)?;
    tokio::fs::rename(&partial, dir.join(name)).await.map_err(failed)
}
