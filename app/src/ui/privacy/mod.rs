//! The privacy officer's tools under `/privacy`. The server functions behind them refuse everyone else; the pages
//! only show what they return.

mod disclosures;
mod incidents;
mod log;

pub use disclosures::DisclosuresPage;
pub use incidents::{AnnouncementsPage, IncidentsPage};
pub use log::AuditLogPage;
