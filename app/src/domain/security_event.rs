use serde::{Deserialize, Serialize};

/// Account security events. The numbers are stable: they are stored, exported and searched on, so a code is never
/// reused or renumbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SecurityEventKind {
    LoginSucceeded,
    LoginFailed,
    LoginThrottled,
    Logout,
    SecondFactorSucceeded,
    SecondFactorFailed,
    SecondFactorEnrolled,
    SecondFactorDisabled,
    RecoveryCodeUsed,
    PasswordChanged,
    PasswordResetRequested,
    PasswordResetCompleted,
    EmailChanged,
    SessionEnded,
    AuthorizationRefused,
    AccountCreated,
    AccountDisabled,
}

impl SecurityEventKind {
    pub const ALL: [Self; 17] = [
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::LoginThrottled,
        Self::Logout,
        Self::SecondFactorSucceeded,
        Self::SecondFactorFailed,
        Self::SecondFactorEnrolled,
        Self::SecondFactorDisabled,
        Self::RecoveryCodeUsed,
        Self::PasswordChanged,
        Self::PasswordResetRequested,
        Self::PasswordResetCompleted,
        Self::EmailChanged,
        Self::SessionEnded,
        Self::AuthorizationRefused,
        Self::AccountCreated,
        Self::AccountDisabled,
    ];

    /// A refusal (a failed or throttled sign-in, a wrong second factor, a refused authorization) rather than
    /// something done.
    pub const fn is_refusal(self) -> bool {
        matches!(
            self,
            Self::LoginFailed
                | Self::LoginThrottled
                | Self::SecondFactorFailed
                | Self::AuthorizationRefused
        )
    }

    pub fn from_code(code: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub const fn code(self) -> i32 {
        match self {
            Self::LoginSucceeded => 1000,
            Self::LoginFailed => 1001,
            Self::LoginThrottled => 1002,
            Self::Logout => 1003,
            Self::SecondFactorSucceeded => 1010,
            Self::SecondFactorFailed => 1011,
            Self::SecondFactorEnrolled => 1012,
            Self::SecondFactorDisabled => 1013,
            Self::RecoveryCodeUsed => 1014,
            Self::PasswordChanged => 1020,
            Self::PasswordResetRequested => 1021,
            Self::PasswordResetCompleted => 1022,
            Self::EmailChanged => 1023,
            Self::SessionEnded => 1030,
            Self::AuthorizationRefused => 1040,
            Self::AccountCreated => 1050,
            Self::AccountDisabled => 1051,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_read_back() {
        let codes: HashSet<i32> = SecurityEventKind::ALL
            .iter()
            .map(|kind| kind.code())
            .collect();
        assert_eq!(codes.len(), SecurityEventKind::ALL.len());
        for kind in SecurityEventKind::ALL {
            assert_eq!(SecurityEventKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(SecurityEventKind::from_code(1), None);
    }
}
