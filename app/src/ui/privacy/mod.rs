//! The privacy officer's tools under `/privacy`. The server functions behind them refuse everyone else; the pages
//! only show what they return.

mod charter;
mod data_requests;
mod disclosures;
mod incidents;
mod log;
mod webhooks;

pub use charter::CharterDraftPage;
pub use data_requests::DataRequestsPage;
pub use disclosures::DisclosuresPage;
pub use incidents::{AnnouncementsPage, IncidentsPage};
pub use log::AuditLogPage;
pub use webhooks::WebhooksPage;
