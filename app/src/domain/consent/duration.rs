//! The two lengths of time a consent involves: how long a grant lasts, and how long a request waits for an answer.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::domain::InvalidInput;

/// How long a grant lasts at most: from one minute to thirty days. Access to private data is meant to be
/// one-time (charter §4.2, §5), so no consent is open-ended. Serialised as whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct GrantDuration(Duration);

impl GrantDuration {
    pub const MIN: Duration = Duration::minutes(1);
    pub const MAX: Duration = Duration::days(30);

    pub fn new(duration: Duration) -> Result<Self, InvalidInput> {
        if duration < Self::MIN {
            return Err(InvalidInput::new("duration", "must be at least one minute"));
        }
        if duration > Self::MAX {
            return Err(InvalidInput::new("duration", "must be at most 30 days"));
        }
        Ok(Self(duration))
    }

    pub fn from_minutes(minutes: i64) -> Result<Self, InvalidInput> {
        Duration::try_minutes(minutes)
            .ok_or(InvalidInput::new("duration", "must be at most 30 days"))
            .and_then(Self::new)
    }

    pub const fn get(self) -> Duration {
        self.0
    }
}

impl TryFrom<i64> for GrantDuration {
    type Error = InvalidInput;
    fn try_from(seconds: i64) -> Result<Self, Self::Error> {
        Duration::try_seconds(seconds)
            .ok_or(InvalidInput::new("duration", "must be at most 30 days"))
            .and_then(Self::new)
    }
}

impl From<GrantDuration> for i64 {
    fn from(value: GrantDuration) -> Self {
        value.0.num_seconds()
    }
}

/// How long a request stays open for the customer's answer before it expires. 24 hours unless configured
/// otherwise; from one minute to thirty days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AnswerWindow(Duration);

impl AnswerWindow {
    pub const DEFAULT: Self = Self(Duration::hours(24));

    pub fn new(duration: Duration) -> Result<Self, InvalidInput> {
        if duration < Duration::minutes(1) || duration > Duration::days(30) {
            return Err(InvalidInput::new(
                "answer window",
                "must be between one minute and 30 days",
            ));
        }
        Ok(Self(duration))
    }

    pub const fn get(self) -> Duration {
        self.0
    }
}

impl Default for AnswerWindow {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_last_between_a_minute_and_thirty_days() {
        assert!(GrantDuration::new(Duration::seconds(59)).is_err());
        assert!(GrantDuration::from_minutes(1).is_ok());
        assert!(GrantDuration::new(Duration::days(30)).is_ok());
        assert!(GrantDuration::new(Duration::days(30) + Duration::seconds(1)).is_err());
        assert!(GrantDuration::from_minutes(i64::MAX).is_err());
        assert_eq!(GrantDuration::try_from(3600).map(i64::from), Ok(3600));
        assert!(GrantDuration::try_from(-60).is_err());
    }

    #[test]
    fn requests_wait_a_day_unless_configured_otherwise() {
        assert_eq!(AnswerWindow::default().get(), Duration::hours(24));
        assert!(AnswerWindow::new(Duration::hours(2)).is_ok());
        assert!(AnswerWindow::new(Duration::zero()).is_err());
        assert!(AnswerWindow::new(Duration::days(31)).is_err());
    }
}
