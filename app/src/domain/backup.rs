//! Backup retention (charter §6): every snapshot is destroyed 7 days after it was taken, whatever the state of the
//! contract it belongs to. The rules take the time as an argument, so that tests can travel through it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::InvalidInput;

/// How long a snapshot may exist. Not configurable: it is the charter's promise.
pub const RETENTION_DAYS: i64 = 7;

/// When the destruction of a snapshot taken at `taken_at` is due.
pub fn due_at(taken_at: DateTime<Utc>) -> DateTime<Utc> {
    taken_at + Duration::days(RETENTION_DAYS)
}

/// How long after its due time the backup system may take to confirm a destruction before it is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestructionGrace(Duration);

impl DestructionGrace {
    pub const DEFAULT_MINUTES: i64 = 6 * 60;
    /// A week: a longer grace would let a snapshot live twice as long as the charter allows.
    pub const MAX_MINUTES: i64 = 7 * 24 * 60;

    pub fn from_minutes(minutes: i64) -> Result<Self, InvalidInput> {
        if !(0..=Self::MAX_MINUTES).contains(&minutes) {
            return Err(InvalidInput::new(
                "backup destruction grace",
                "must be between 0 and 10080 minutes (7 days)",
            ));
        }
        Ok(Self(Duration::minutes(minutes)))
    }

    pub const fn duration(self) -> Duration {
        self.0
    }
}

impl Default for DestructionGrace {
    fn default() -> Self {
        Self(Duration::minutes(Self::DEFAULT_MINUTES))
    }
}

/// Where a snapshot stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SnapshotState {
    /// Kept until its due time.
    Kept,
    /// Must be destroyed now; the grace has not run out.
    Due,
    /// Due for longer than the grace, and not confirmed destroyed.
    Overdue,
    Destroyed,
}

pub fn state(
    taken_at: DateTime<Utc>,
    destroyed_at: Option<DateTime<Utc>>,
    grace: DestructionGrace,
    now: DateTime<Utc>,
) -> SnapshotState {
    let due = due_at(taken_at);
    match destroyed_at {
        Some(at) if at <= now => SnapshotState::Destroyed,
        _ if now < due => SnapshotState::Kept,
        _ if now < due + grace.duration() => SnapshotState::Due,
        _ => SnapshotState::Overdue,
    }
}

/// The whole seconds left until `due`; `None` once it has passed. The pages word it in the reader's language.
pub fn seconds_left(due: DateTime<Utc>, now: DateTime<Utc>) -> Option<i64> {
    let left = (due - now).num_seconds();
    (left > 0).then_some(left)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).single().unwrap()
    }

    #[test]
    fn destruction_is_due_seven_days_after_the_snapshot_was_taken() {
        assert_eq!(due_at(t0()) - t0(), Duration::days(7));
    }

    #[test]
    fn a_snapshot_is_kept_then_due_then_overdue_after_the_grace() {
        let grace = DestructionGrace::default();
        let at = |d: Duration| state(t0(), None, grace, t0() + d);
        assert_eq!(at(Duration::zero()), SnapshotState::Kept);
        assert_eq!(
            at(Duration::days(7) - Duration::seconds(1)),
            SnapshotState::Kept
        );
        assert_eq!(at(Duration::days(7)), SnapshotState::Due);
        assert_eq!(
            at(Duration::days(7) + Duration::hours(6) - Duration::seconds(1)),
            SnapshotState::Due
        );
        assert_eq!(
            at(Duration::days(7) + Duration::hours(6)),
            SnapshotState::Overdue
        );
        let destroyed = Some(t0() + Duration::days(7) + Duration::hours(1));
        assert_eq!(
            state(t0(), destroyed, grace, t0() + Duration::days(30)),
            SnapshotState::Destroyed
        );
    }

    #[test]
    fn the_grace_is_bounded() {
        assert!(DestructionGrace::from_minutes(-1).is_err());
        assert!(DestructionGrace::from_minutes(7 * 24 * 60 + 1).is_err());
        assert_eq!(
            DestructionGrace::from_minutes(360).unwrap(),
            DestructionGrace::default()
        );
    }

    #[test]
    fn the_countdown_runs_until_the_destruction_is_due() {
        let due = due_at(t0());
        let left = |d: Duration| seconds_left(due, due - d);
        assert_eq!(
            left(Duration::days(3) + Duration::hours(4)),
            Some(3 * 86_400 + 4 * 3_600)
        );
        assert_eq!(left(Duration::seconds(1)), Some(1));
        assert_eq!(left(Duration::zero()), None);
        assert_eq!(left(Duration::seconds(-5)), None);
    }
}
