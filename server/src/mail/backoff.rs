//! When to try a message again after a transient failure: exponential back-off with jitter, so that many messages
//! that failed together (a relay outage) do not all come back at the same instant.

use std::time::Duration;

/// The delay before attempt `attempts + 1`, given `attempts` failed ones (at least 1): `base · 2^(attempts-1)`
/// capped at `max`, then scaled into its upper half by `jitter` in `[0, 1)` ("equal jitter").
pub fn retry_delay(attempts: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exponent = attempts.saturating_sub(1).min(30);
    let full = base.saturating_mul(1 << exponent).min(max);
    let jitter = jitter.clamp(0.0, 1.0);
    full / 2 + full.mul_f64(jitter / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_and_jitter_stays_in_the_upper_half() {
        let base = Duration::from_secs(30);
        let max = Duration::from_secs(3600);
        assert_eq!(retry_delay(1, base, max, 0.0), Duration::from_secs(15));
        assert_eq!(retry_delay(1, base, max, 1.0), Duration::from_secs(30));
        assert_eq!(retry_delay(2, base, max, 1.0), Duration::from_secs(60));
        assert_eq!(retry_delay(3, base, max, 1.0), Duration::from_secs(120));
        assert_eq!(retry_delay(20, base, max, 1.0), max);
        assert_eq!(retry_delay(u32::MAX, base, max, 0.0), max / 2);
        let jittered = retry_delay(4, base, max, 0.37);
        assert!(jittered >= Duration::from_secs(120) && jittered <= Duration::from_secs(240));
    }
}
