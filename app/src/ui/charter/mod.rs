//! The public charter pages (charter §7, no sign-in): the version in force, the history with dates of effect, a
//! permanent address per version and the differences between two versions; the footer link to them on every page;
//! and the banner that asks a customer to acknowledge a newly published version.

mod banner;
mod diff;
mod pages;

pub use banner::{AcknowledgeBanner, SiteFooter};
pub use diff::{DiffPage, DiffText};
pub use pages::{CharterPage, HistoryPage, VersionPage};

use leptos_i18n::Locale as _;

use crate::api::VersionStatus;
use crate::i18n::*;
use crate::ui::locale::current_locale;

/// A day as the pages write it, in the reader's language.
pub fn day(date: chrono::NaiveDate) -> String {
    crate::ui::locale::day(current_locale(), date)
}

/// The reader's language as a `lang` value, for the portal's own words set inside a text in the other language.
fn reader_lang() -> &'static str {
    current_locale().as_str()
}

fn status_name(locale: Locale, status: VersionStatus) -> &'static str {
    match status {
        VersionStatus::InForce => td_string!(locale, charter.status.in_force),
        VersionStatus::Upcoming => td_string!(locale, charter.status.upcoming),
        VersionStatus::Superseded => td_string!(locale, charter.status.superseded),
    }
}
