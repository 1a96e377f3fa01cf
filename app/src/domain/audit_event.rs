use serde::{Deserialize, Serialize};

use super::SecurityEventKind;

/// The events of the audit log. The numbers are stable: they are stored, exported and searched on, so a code is
/// never reused or renumbered. Account security events keep their own codes (1000-1099).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditEvent {
    CaseOpened,
    CaseResolved,
    RequestOpened,
    RequestApproved,
    RequestDenied,
    RequestWithdrawn,
    RequestExpired,
    GrantGivenByCustomer,
    GrantRecordedOrally,
    GrantRevoked,
    AccessChecked,
    AccessReported,
    /// Support read a customer's contact data to identify a caller.
    ContactDataViewed,
    /// A privacy officer recorded a disclosure ordered by a Swiss court.
    DisclosureRecorded,
    Account(SecurityEventKind),
}

impl AuditEvent {
    /// Every event but the account security ones, which [`SecurityEventKind::ALL`] lists.
    pub const ALL: [Self; 14] = [
        Self::CaseOpened,
        Self::CaseResolved,
        Self::RequestOpened,
        Self::RequestApproved,
        Self::RequestDenied,
        Self::RequestWithdrawn,
        Self::RequestExpired,
        Self::GrantGivenByCustomer,
        Self::GrantRecordedOrally,
        Self::GrantRevoked,
        Self::AccessChecked,
        Self::AccessReported,
        Self::ContactDataViewed,
        Self::DisclosureRecorded,
    ];

    pub const fn code(self) -> i32 {
        match self {
            Self::CaseOpened => 2000,
            Self::CaseResolved => 2001,
            Self::RequestOpened => 2100,
            Self::RequestApproved => 2101,
            Self::RequestDenied => 2102,
            Self::RequestWithdrawn => 2103,
            Self::RequestExpired => 2104,
            Self::GrantGivenByCustomer => 2200,
            Self::GrantRecordedOrally => 2201,
            Self::GrantRevoked => 2202,
            Self::AccessChecked => 3000,
            Self::AccessReported => 3001,
            Self::ContactDataViewed => 3100,
            Self::DisclosureRecorded => 4000,
            Self::Account(kind) => kind.code(),
        }
    }

    pub fn from_code(code: i32) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|event| event.code() == code)
            .or_else(|| SecurityEventKind::from_code(code).map(Self::Account))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let codes: HashSet<i32> = AuditEvent::ALL.iter().map(|event| event.code()).collect();
        assert_eq!(codes.len(), AuditEvent::ALL.len());
        for event in AuditEvent::ALL {
            assert_eq!(AuditEvent::from_code(event.code()), Some(event));
            assert!(
                !(1000..1100).contains(&event.code()),
                "{event:?} collides with the account security codes"
            );
        }
        assert_eq!(
            AuditEvent::from_code(1000),
            Some(AuditEvent::Account(SecurityEventKind::LoginSucceeded))
        );
        assert_eq!(AuditEvent::from_code(999), None);
    }

    #[test]
    fn published_codes_never_change() {
        assert_eq!(AuditEvent::RequestOpened.code(), 2100);
        assert_eq!(AuditEvent::GrantRevoked.code(), 2202);
        assert_eq!(AuditEvent::AccessChecked.code(), 3000);
        assert_eq!(AuditEvent::ContactDataViewed.code(), 3100);
        assert_eq!(AuditEvent::DisclosureRecorded.code(), 4000);
    }

    #[test]
    fn account_security_events_keep_their_own_codes() {
        for kind in SecurityEventKind::ALL {
            let event = AuditEvent::Account(kind);
            assert_eq!(event.code(), kind.code());
            assert_eq!(AuditEvent::from_code(kind.code()), Some(event));
        }
    }
}
