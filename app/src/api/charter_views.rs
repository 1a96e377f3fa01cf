//! What the charter pages receive: plain, serialisable snapshots. The HTML of a text is rendered on the server from
//! its Markdown with raw HTML escaped; the pages insert nothing else as HTML.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Where a version stands at the time of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionStatus {
    InForce,
    /// Published, in force from a later day.
    Upcoming,
    Superseded,
}

/// One version, as the public pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharterPage {
    pub number: u32,
    pub status: VersionStatus,
    pub effective_on: NaiveDate,
    pub published_at: DateTime<Utc>,
    pub summary: String,
    /// The French text, which prevails, rendered.
    pub html_fr: String,
    /// The English translation, rendered.
    pub html_en: String,
    /// The version in force now, for a link to it from an older one.
    pub in_force: Option<u32>,
    /// The version before this one, for a link to the differences.
    pub previous: Option<u32>,
    /// The audit log's name and the hex of the key that signs its checkpoints (charter §2), to compare with what
    /// the operator publishes elsewhere before trusting a proof.
    pub log_origin: String,
    pub log_public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub number: u32,
    pub status: VersionStatus,
    pub effective_on: NaiveDate,
    pub published_at: DateTime<Utc>,
    pub summary: String,
    /// How many customers the terms-change notice went to, when it was queued; none for the first version.
    pub notified: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffPart {
    pub change: Change,
    pub text: String,
}

/// The differences between two versions, word by word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharterDiff {
    pub from: u32,
    pub to: u32,
    /// `fr` (the text that prevails) or `en`.
    pub language: String,
    pub parts: Vec<DiffPart>,
    pub added: usize,
    pub removed: usize,
    /// Every version's number, for the choice of the two to compare.
    pub versions: Vec<u32>,
}

/// The privacy officer's working draft, previewed and compared with the version in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftView {
    /// The draft's Markdown, or the version in force's when there is no draft yet (to start from).
    pub text_fr: String,
    pub text_en: String,
    /// `None` while there is no saved draft.
    pub revision: Option<i64>,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    pub preview_fr: String,
    pub preview_en: String,
    /// From the version in force to the draft (French).
    pub diff: Vec<DiffPart>,
    pub in_force: Option<u32>,
    /// The next version's number, if the draft is published.
    pub next: u32,
    /// The earliest day the draft can come into force: today, or the last version's day if that is later.
    pub earliest: NaiveDate,
    pub history: Vec<HistoryEntry>,
}

/// A published version the signed-in customer has yet to acknowledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharterPrompt {
    pub number: u32,
    pub effective_on: NaiveDate,
    pub summary: String,
    pub previous: Option<u32>,
}

#[cfg(feature = "ssr")]
pub mod convert {
    use chrono::{DateTime, Utc};

    use super::{Change, DiffPart, HistoryEntry, VersionStatus};
    use crate::ports::CharterVersion;
    use crate::usecases::charter::{DiffKind, DiffPiece};

    pub fn status(number: u32, in_force: Option<u32>) -> VersionStatus {
        match in_force {
            Some(current) if number == current => VersionStatus::InForce,
            Some(current) if number < current => VersionStatus::Superseded,
            _ => VersionStatus::Upcoming,
        }
    }

    pub fn history(versions: &[CharterVersion], now: DateTime<Utc>) -> Vec<HistoryEntry> {
        let in_force = in_force(versions, now);
        versions
            .iter()
            .map(|version| HistoryEntry {
                number: version.number.get(),
                status: status(version.number.get(), in_force),
                effective_on: version.effective_at.date_naive(),
                published_at: version.published_at,
                summary: version.summary.clone(),
                notified: version.notice.map(|(customers, _)| customers),
            })
            .collect()
    }

    /// The number of the version in force at `now`, of versions in order.
    pub fn in_force(versions: &[CharterVersion], now: DateTime<Utc>) -> Option<u32> {
        versions
            .iter()
            .filter(|version| version.effective_at <= now)
            .map(|version| version.number.get())
            .max()
    }

    pub fn parts(pieces: Vec<DiffPiece>) -> Vec<DiffPart> {
        pieces
            .into_iter()
            .map(|piece| DiffPart {
                change: match piece.kind {
                    DiffKind::Same => Change::Same,
                    DiffKind::Added => Change::Added,
                    DiffKind::Removed => Change::Removed,
                },
                text: piece.text,
            })
            .collect()
    }
}
