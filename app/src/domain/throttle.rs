//! Login throttling: growing delays after repeated failures, never a lock-out that a stranger could trigger.

use chrono::{DateTime, Duration, Utc};

/// Failures allowed before any delay applies.
pub const FREE_ATTEMPTS: u32 = 5;
/// The longest a legitimate user ever has to wait before trying again.
pub const MAX_DELAY_SECS: i64 = 60;

/// How long the caller must still wait before the next attempt, if at all.
pub fn wait_before_next_attempt(
    failures: u32,
    last_failure: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Duration> {
    if failures < FREE_ATTEMPTS {
        return None;
    }
    let exponent = (failures - FREE_ATTEMPTS).min(6);
    let delay = Duration::seconds((1_i64 << exponent).min(MAX_DELAY_SECS));
    let allowed_at = last_failure + delay;
    (now < allowed_at).then(|| allowed_at - now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn the_first_failures_cost_nothing() {
        for failures in 0..FREE_ATTEMPTS {
            assert_eq!(wait_before_next_attempt(failures, t(0), t(0)), None);
        }
    }

    #[test]
    fn delays_double_then_stop_growing_at_a_minute() {
        let waits: Vec<i64> = (FREE_ATTEMPTS..FREE_ATTEMPTS + 9)
            .map(|failures| {
                wait_before_next_attempt(failures, t(0), t(0)).map_or(0, |d| d.num_seconds())
            })
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn the_wait_runs_from_the_last_failure() {
        assert_eq!(
            wait_before_next_attempt(8, t(0), t(5)).map(|d| d.num_seconds()),
            Some(3)
        );
        assert_eq!(wait_before_next_attempt(8, t(0), t(8)), None);
        assert_eq!(
            wait_before_next_attempt(100, t(0), t(61)),
            None,
            "even after many failures, a minute is enough"
        );
    }
}
