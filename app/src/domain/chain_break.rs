//! What a verification of the audit log's hash chain can find wrong with an entry. The verifier words it in English
//! (`english`: the command line and the stored verification status say it so); a page words it in the reader's
//! language by matching on the variant, recovered from the stored English with `parse`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ChainBreak {
    /// The entry is covered by a signed checkpoint but is not in the log.
    MissingUnderCheckpoint,
    /// The entry comes after a later one (`after`).
    OutOfOrder { after: i64 },
    /// The entry has no hash.
    NoHash,
    /// The entry does not match its hash: it was changed, or entries before it were reordered.
    Changed,
    /// The entry does not match its hash: it was changed, or an entry between `after` and it was removed.
    ChangedOrRemovedBefore { after: i64 },
    /// The entry differs from the signed checkpoint that covers it.
    DiffersFromCheckpoint,
    /// The log ends at `ends_at` but a signed checkpoint covers entries up to `covered_to`.
    Truncated { ends_at: i64, covered_to: i64 },
}

impl ChainBreak {
    /// The verifier's English for this break at `entry` (the first bad entry).
    pub fn english(self, entry: i64) -> String {
        match self {
            Self::MissingUnderCheckpoint => {
                format!("entry {entry}, covered by a signed checkpoint, is missing")
            }
            Self::OutOfOrder { after } => format!("entry {entry} comes after entry {after} in the log"),
            Self::NoHash => format!("entry {entry} has no hash"),
            Self::Changed => format!(
                "entry {entry} does not match its hash: it was changed, or entries before it were reordered"
            ),
            Self::ChangedOrRemovedBefore { after } => format!(
                "entry {entry} does not match its hash: it was changed, or an entry between {after} and {entry} was removed"
            ),
            Self::DiffersFromCheckpoint => {
                format!("entry {entry} differs from the signed checkpoint that covers it")
            }
            Self::Truncated {
                ends_at,
                covered_to,
            } => format!(
                "the log ends at entry {ends_at} but a signed checkpoint covers entries up to {covered_to}: it was truncated"
            ),
        }
    }

    /// The break a stored English `reason` about `entry` names; `None` for words this verifier never wrote.
    pub fn parse(entry: i64, reason: &str) -> Option<Self> {
        let numbers: Vec<i64> = reason
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|digits| digits.parse().ok())
            .collect();
        let mut candidates = vec![
            Self::MissingUnderCheckpoint,
            Self::NoHash,
            Self::Changed,
            Self::DiffersFromCheckpoint,
        ];
        for &n in &numbers {
            candidates.push(Self::OutOfOrder { after: n });
            candidates.push(Self::ChangedOrRemovedBefore { after: n });
            for &m in &numbers {
                candidates.push(Self::Truncated {
                    ends_at: n,
                    covered_to: m,
                });
            }
        }
        candidates
            .into_iter()
            .find(|candidate| candidate.english(entry) == reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_break_is_recovered_from_its_english() {
        let breaks = [
            ChainBreak::MissingUnderCheckpoint,
            ChainBreak::OutOfOrder { after: 12 },
            ChainBreak::NoHash,
            ChainBreak::Changed,
            ChainBreak::ChangedOrRemovedBefore { after: 3 },
            ChainBreak::DiffersFromCheckpoint,
            ChainBreak::Truncated {
                ends_at: 40,
                covered_to: 50,
            },
        ];
        for found in breaks {
            assert_eq!(ChainBreak::parse(7, &found.english(7)), Some(found));
        }
        assert_eq!(ChainBreak::parse(7, "something else at entry 7"), None);
    }
}
