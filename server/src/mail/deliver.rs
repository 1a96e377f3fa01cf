//! Where built messages go: an SMTP relay through lettre's SMTP client, or, with no relay configured (a first run),
//! `.eml` files in the data directory that any mail client opens.

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::time::Duration;
use tokio::net::TcpStream;

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
    Smtp(Relay),
    Files(PathBuf),
}

/// An SMTP relay. Each message goes over a connection of its own, opened with lettre's SMTP client; the whole
/// exchange (connect, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA) must finish within the timeout.
#[derive(Debug)]
pub struct Relay {
    host: String,
    port: u16,
    tls: SmtpTls,
    credentials: Option<Credentials>,
    timeout: Duration,
    hello: ClientId,
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
        if settings.smtp_tls != SmtpTls::None {
            // Checked once here, so that a host name rustls cannot verify against is a start-up error.
            TlsParameters::new(host.to_owned())
                .map_err(|error| DeliverySetupError(error.to_string()))?;
        }
        let credentials = match (&settings.smtp_username, &settings.smtp_password) {
            (Some(user), Some(password)) => Some(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            )),
            _ => None,
        };
        Ok(Self::Smtp(Relay {
            host: host.to_owned(),
            port: settings.smtp_port(),
            tls: settings.smtp_tls,
            credentials,
            timeout: settings.smtp_timeout(),
            hello: ClientId::default(),
        }))
    }

    pub async fn deliver(&self, outbox_id: i64, message: &Message) -> Result<(), DeliveryError> {
        match self {
            Self::Smtp(relay) => {
                match tokio::time::timeout(relay.timeout, relay.send(message)).await {
                    Ok(result) => result,
                    Err(_) => Err(DeliveryError::Unreachable(format!(
                        "no complete answer within {} s",
                        relay.timeout.as_secs()
                    ))),
                }
            }
            Self::Files(dir) => write_eml(dir, outbox_id, message).await,
        }
    }
}

impl Relay {
    async fn send(&self, message: &Message) -> Result<(), DeliveryError> {
        let mut connection = self.connect().await?;
        if let Some(credentials) = &self.credentials {
            connection
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(classify)?;
        }
        // The bytes are the builder's own rendering of the message, exactly what lettre's transport would send.
        let sent = connection
            .send(message.envelope(), &message.formatted())
            .await
            .map(drop)
            .map_err(classify);
        if sent.is_ok() {
            // The message is accepted; a failing QUIT changes nothing about it.
            let _ = connection.quit().await;
        } else {
            connection.abort().await;
        }
        sent
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, DeliveryError> {
        let unreachable =
            |error: std::io::Error| DeliveryError::Unreachable(format!("cannot connect: {error}"));
        if self.tls == SmtpTls::Tls {
            // TLS from the first byte: lettre opens the socket itself (without TCP_NODELAY, see below).
            let tls = TlsParameters::new(self.host.clone()).map_err(classify)?;
            return AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.timeout),
                &self.hello,
                Some(tls),
                None,
            )
            .await
            .map_err(classify);
        }
        let stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(unreachable)?;
        // lettre writes the message and the closing "." separately: with Nagle's algorithm the second write waits for
        // the server's delayed ACK of the first, 40 ms per message.
        stream.set_nodelay(true).map_err(unreachable)?;
        let mut connection =
            AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
                .await
                .map_err(classify)?;
        if self.tls == SmtpTls::Starttls {
            if !connection.can_starttls() {
                connection.abort().await;
                return Err(DeliveryError::Unreachable(
                    "the relay does not offer STARTTLS, which the settings require".into(),
                ));
            }
            let tls = TlsParameters::new(self.host.clone()).map_err(classify)?;
            connection
                .starttls(tls, &self.hello)
                .await
                .map_err(classify)?;
        }
        Ok(connection)
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
async fn write_eml(
    dir: &std::path::Path,
    outbox_id: i64,
    message: &Message,
) -> Result<(), DeliveryError> {
    let failed = |error: std::io::Error| {
        DeliveryError::Transient(format!("cannot write the mail file: {error}"))
    };
    tokio::fs::create_dir_all(dir).await.map_err(failed)?;
    let name = format!("outbox-{outbox_id:08}.eml");
    let partial = dir.join(format!(".{name}.partial"));
    tokio::fs::write(&partial, message.formatted())
        .await
        .map_err(failed)?;
    tokio::fs::rename(&partial, dir.join(name))
        .await
        .map_err(failed)
}
