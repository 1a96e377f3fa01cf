//! Consent events for the operator's infrastructure, delivered two ways: signed webhooks pushed by a worker of
//! the server ([`worker`]), and the pull feed `GET /api/v1/events` for platforms that cannot receive calls. Both
//! read the event outbox (`crate::storage::events`), which the changes write in their own transactions.

pub mod settings;
pub mod signature;
pub mod worker;

pub use settings::WebhookSettings;
pub use worker::WebhookWorker;
