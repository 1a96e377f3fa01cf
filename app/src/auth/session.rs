//! What a browser session knows about who is signed in, kept in the session store under one key.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::ports::AccountId;

/// The key of [`AuthState`] in the session record.
pub const AUTH_KEY: &str = "auth";
/// Recovery codes just generated, shown once on the next page and then removed.
pub const FRESH_RECOVERY_CODES_KEY: &str = "fresh-recovery-codes";

/// The public name of a session: a hash of its id, so listing sessions never reveals a usable id.
pub fn session_handle(id: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(id.as_bytes())[..16])
}

/// How far a sign-in has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// The password was right; a second-factor code is still due.
    NeedsSecondFactor,
    /// The password was right; the account must enrol a second factor before anything else (staff at first login).
    NeedsEnrolment,
    Complete,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthState {
    pub account: AccountId,
    pub stage: Stage,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub second_factor_at: Option<DateTime<Utc>>,
    pub user_agent: Option<String>,
    /// A TOTP secret shown for enrolment and not yet confirmed by a code.
    pub pending_totp_secret: Option<String>,
    pub idle_limit_secs: i64,
    pub absolute_limit_secs: i64,
}

/// Activity refreshes the idle clock at most this often, so that reading pages does not write to the database on
/// every request.
pub const REFRESH_EVERY_SECS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    /// Still valid; `last_seen_at` should be moved to now and saved.
    Refresh,
    Expired,
}

impl AuthState {
    pub fn new(
        account: AccountId,
        stage: Stage,
        now: DateTime<Utc>,
        user_agent: Option<String>,
        idle: Duration,
        absolute: Duration,
    ) -> Self {
        Self {
            account,
            stage,
            created_at: now,
            last_seen_at: now,
            second_factor_at: None,
            user_agent: user_agent.map(|agent| agent.chars().take(200).collect()),
            pending_totp_secret: None,
            idle_limit_secs: idle.num_seconds(),
            absolute_limit_secs: absolute.num_seconds(),
        }
    }

    /// When the session ends if nothing happens: the earlier of the idle and the absolute limit.
    pub fn expires_at(&self) -> DateTime<Utc> {
        let idle_end = self.last_seen_at + Duration::seconds(self.idle_limit_secs);
        let absolute_end = self.created_at + Duration::seconds(self.absolute_limit_secs);
        idle_end.min(absolute_end)
    }

    pub fn freshness(&self, now: DateTime<Utc>) -> Freshness {
        if now >= self.expires_at() {
            Freshness::Expired
        } else if now - self.last_seen_at >= Duration::seconds(REFRESH_EVERY_SECS) {
            Freshness::Refresh
        } else {
            Freshness::Fresh
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minutes: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000, 0).single().unwrap() + Duration::minutes(minutes)
    }

    fn state() -> AuthState {
        AuthState::new(
            AccountId(1),
            Stage::Complete,
            at(0),
            None,
            Duration::minutes(30),
            Duration::hours(12),
        )
    }

    #[test]
    fn idle_sessions_expire_after_thirty_minutes() {
        let state = state();
        assert_eq!(state.freshness(at(0)), Freshness::Fresh);
        assert_eq!(state.freshness(at(29)), Freshness::Refresh);
        assert_eq!(state.freshness(at(30)), Freshness::Expired);
    }

    #[test]
    fn activity_keeps_a_session_alive_but_never_past_twelve_hours() {
        let mut state = state();
        for minute in (20..=700).step_by(20) {
            assert_ne!(
                state.freshness(at(minute)),
                Freshness::Expired,
                "minute {minute}"
            );
            state.last_seen_at = at(minute);
        }
        assert_eq!(state.freshness(at(719)), Freshness::Refresh);
        assert_eq!(state.freshness(at(720)), Freshness::Expired);
    }

    #[test]
    fn refreshes_happen_at_most_once_a_minute() {
        let state = state();
        assert_eq!(
            state.freshness(at(0) + Duration::seconds(59)),
            Freshness::Fresh
        );
        assert_eq!(state.freshness(at(1)), Freshness::Refresh);
    }

    #[test]
    fn user_agents_are_cut_to_a_readable_length() {
        let long = "x".repeat(1000);
        let state = AuthState::new(
            AccountId(1),
            Stage::Complete,
            at(0),
            Some(long),
            Duration::minutes(1),
            Duration::hours(1),
        );
        assert_eq!(state.user_agent.map(|agent| agent.len()), Some(200));
    }
}
