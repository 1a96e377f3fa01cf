use chrono::{DateTime, SubsecRound, Utc};
use std::fmt::Debug;

/// The source of "now". Rules that depend on time (expiry, retention) take it as a parameter so tests can move it.
pub trait Clock: Send + Sync + Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    /// Microseconds are what PostgreSQL keeps; truncating here makes a stored time read back equal on both backends.
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}
