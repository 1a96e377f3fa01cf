//! The public charter pages (charter §7, no sign-in): the version in force, the history with dates of effect, a
//! permanent address per version and the differences between two versions; the footer link to them on every page;
//! and the banner that asks a customer to acknowledge a newly published version.

mod banner;
mod diff;
mod pages;

pub use banner::{AcknowledgeBanner, SiteFooter};
pub use diff::{DiffPage, DiffText};
pub use pages::{CharterPage, HistoryPage, VersionPage};

/// A day as the pages write it, in the reader's language.
pub fn day(date: chrono::NaiveDate) -> String {
    crate::ui::locale::day(crate::ui::locale::current_locale(), date)
}

/// The page's words, in one place.
mod words {
    pub const TITLE: &str = "Charte de confidentialité";
    pub const HISTORY: &str = "Historique des versions";
    pub const DIFF: &str = "Différences entre deux versions";
    pub const FRENCH: &str = "Texte original (français) — c’est ce texte qui fait foi";
    pub const ENGLISH: &str = "English translation";
    pub const ENGLISH_NOTE: &str =
        "This is a translation for information only. The French text prevails.";
    pub const IN_FORCE: &str = "en vigueur";
    pub const UPCOMING: &str = "à venir";
    pub const SUPERSEDED: &str = "remplacée";
}

fn status_name(status: crate::api::VersionStatus) -> &'static str {
    match status {
        crate::api::VersionStatus::InForce => words::IN_FORCE,
        crate::api::VersionStatus::Upcoming => words::UPCOMING,
        crate::api::VersionStatus::Superseded => words::SUPERSEDED,
    }
}
