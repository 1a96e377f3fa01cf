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

/// The time left until `due`, as a customer reads it: "3 j 4 h", "5 h 12 min", "moins d'une minute"; `None` once
/// it has passed.
pub fn countdown_fr(due: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    let left = due - now;
    if left <= Duration::zero() {
        return None;
    }
    let days = left.num_days();
    let hours = left.num_hours() % 24;
    let minutes = left.num_minutes() % 60;
    Some(if days > 0 {
        format!("{days} j {hours} h")
    } else if hours > 0 {
        format!("{hours} h {minutes} min")
    } else if minutes > 0 {
        format!("{minutes} min")
    } else {
        "moins d’une minute".to_owned()
    })
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
    fn the_countdown_reads_in_days_and_hours_then_hours_and_minutes() {
        let due = due_at(t0());
        let left = |d: Duration| countdown_fr(due, due - d);
        assert_eq!(
            left(Duration::days(3) + Duration::hours(4) + Duration::minutes(5)).as_deref(),
            Some("3 j 4 h")
        );
        assert_eq!(
            left(Duration::hours(5) + Duration::minutes(12)).as_deref(),
            Some("5 h 12 min")
        );
        assert_eq!(left(Duration::minutes(9)).as_deref(), Some("9 min"));
        assert_eq!(
            left(Duration::seconds(30)).as_deref(),
            Some("moins d’une minute")
        );
        assert_eq!(left(Duration::zero()), None);
    }
}
