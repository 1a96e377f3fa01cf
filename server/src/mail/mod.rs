//! Sending what the outbox holds (charter §3, PRODUCT §5): lettre over SMTP, or `.eml` files when no relay is
//! configured. Messages are stored by the change that causes them (`crate::storage`); this module only sends.

pub(crate) mod backoff;
pub mod compose;
pub mod deliver;
pub mod settings;
mod worker;

pub use settings::{MailSettings, SmtpTls};
pub use worker::{MailSetupError, MailWorker};
