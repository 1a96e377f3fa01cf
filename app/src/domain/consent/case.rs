//! When a support case counts as left alone. A case is never resolved by time: a mailbox consent ends when the
//! problem is solved (charter §5), which only support or the ticketing system can say. A case nobody touched for a
//! while is shown to support, who decide.

use chrono::{DateTime, Duration, Utc};

use crate::domain::InvalidInput;

/// How long a case may go untouched before support is shown it: 1 to 365 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleAfter(Duration);

impl IdleAfter {
    pub const DEFAULT_DAYS: i64 = 14;

    pub fn days(days: i64) -> Result<Self, InvalidInput> {
        if (1..=365).contains(&days) {
            Ok(Self(Duration::days(days)))
        } else {
            Err(InvalidInput::new(
                "idle case days",
                "must be between 1 and 365",
            ))
        }
    }

    pub fn whole_days(self) -> i64 {
        self.0.num_days()
    }
}

impl Default for IdleAfter {
    fn default() -> Self {
        Self(Duration::days(Self::DEFAULT_DAYS))
    }
}

/// What is known of a case's life for deciding whether it was left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseActivity {
    /// Opened, updated, or consent asked for it: whichever came last.
    pub touched_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl CaseActivity {
    /// An open case nobody touched for `idle` or longer; a resolved case is never idle.
    pub fn is_idle(self, idle: IdleAfter, now: DateTime<Utc>) -> bool {
        self.resolved_at.is_none() && now - self.touched_at >= idle.0
    }

    /// Whole days since the last touch, for a case that is idle; `None` otherwise.
    pub fn idle_days(self, idle: IdleAfter, now: DateTime<Utc>) -> Option<i64> {
        self.is_idle(idle, now)
            .then(|| (now - self.touched_at).num_days())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, 9, 0, 0).unwrap()
    }

    #[test]
    fn an_open_case_is_idle_from_the_set_number_of_days_after_its_last_touch() {
        let idle = IdleAfter::days(7).unwrap();
        let case = CaseActivity {
            touched_at: at(1),
            resolved_at: None,
        };
        assert!(!case.is_idle(idle, at(7)));
        assert!(!case.is_idle(idle, at(8) - Duration::seconds(1)));
        assert!(case.is_idle(idle, at(8)));
        assert_eq!(case.idle_days(idle, at(7)), None);
        assert_eq!(case.idle_days(idle, at(9)), Some(8));
    }

    #[test]
    fn a_resolved_case_is_never_idle() {
        let case = CaseActivity {
            touched_at: at(1),
            resolved_at: Some(at(2)),
        };
        assert!(!case.is_idle(IdleAfter::days(1).unwrap(), at(30)));
    }

    #[test]
    fn the_idle_time_is_bounded() {
        assert!(IdleAfter::days(0).is_err());
        assert!(IdleAfter::days(366).is_err());
        assert_eq!(IdleAfter::days(365).unwrap().whole_days(), 365);
        assert_eq!(IdleAfter::default().whole_days(), 14);
    }
}
