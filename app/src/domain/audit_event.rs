use serde::{Deserialize, Serialize};

use super::SecurityEventKind;

/// The events of the audit log. The numbers are stable: they are stored, exported and searched on, so a code is
/// never reused or renumbered. Account security events keep their own codes (1000-1099).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditEvent {
    CaseOpened,
    CaseResolved,
    /// A support case's subject was changed (from the ticketing system).
    CaseUpdated,
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
    /// Support viewed the aggregates (size, folder list) of a customer's mailbox.
    MailboxStatsViewed,
    /// Support found a customer on the supervision screen and saw the addresses of their mailboxes.
    MailboxesListed,
    /// Support or a sysadmin looked at a customer's consents and requests while working on one of their cases.
    ConsentStateViewed,
    /// The backup system registered a snapshot.
    BackupRegistered,
    /// The backup system confirmed a snapshot destroyed.
    BackupDestroyed,
    /// A snapshot was not confirmed destroyed within the grace after its due date.
    BackupDestructionOverdue,
    /// A contract was terminated (its backups keep their 7 days).
    ContractTerminated,
    /// A contract and its services moved to another customer (entity); written for both sides.
    ContractTransferred,
    /// A privacy officer published a new version of the charter.
    CharterPublished,
    /// A customer acknowledged a published version of the charter.
    CharterAcknowledged,
    /// A customer corrected personal fields of theirs (the detail names the fields, never the values).
    PersonalDataCorrected,
    /// A customer asked to change their email; a confirmation link went to the new address.
    EmailChangeRequested,
    /// The operator's directory (billing, CRM) added a customer, with their contracts and services.
    DirectoryRecordCreated,
    /// The operator's directory changed a customer's personal fields (named, never their values) or added contracts
    /// or services.
    DirectoryRecordUpdated,
    /// A customer without a login was sent a link to choose a password (by support, or with the directory import).
    LoginInvitationSent,
    /// A customer filed a request about their data (access, correction, erasure, question).
    DataRequestFiled,
    /// A privacy officer answered a customer's request about their data.
    DataRequestAnswered,
    /// The terms-change notice of a published charter version was queued to every customer.
    TermsChangeNoticeQueued,
    /// A privacy officer declared an incident; the customers it concerns were sent a notice.
    IncidentDeclared,
    /// A privacy officer announced a new service to the customers who accept such announcements.
    NewServiceAnnounced,
    /// A privacy officer read the whole audit log (or one customer's part of it).
    AuditLogRead,
    /// Staff viewed the snapshots whose destruction is overdue (which customer, what they copy).
    OverdueDestructionsViewed,
    /// A service token of the integration API was issued (admin CLI).
    ServiceTokenIssued,
    /// A service token of the integration API was revoked (admin CLI).
    ServiceTokenRevoked,
    /// A service registered a webhook endpoint for consent events.
    WebhookAdded,
    WebhookRemoved,
    Account(SecurityEventKind),
}

impl AuditEvent {
    /// Every event but the account security ones, which [`SecurityEventKind::ALL`] lists.
    pub const ALL: [Self; 41] = [
        Self::CaseOpened,
        Self::CaseResolved,
        Self::CaseUpdated,
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
        Self::MailboxStatsViewed,
        Self::MailboxesListed,
        Self::ConsentStateViewed,
        Self::BackupRegistered,
        Self::BackupDestroyed,
        Self::BackupDestructionOverdue,
        Self::ContractTerminated,
        Self::ContractTransferred,
        Self::CharterPublished,
        Self::CharterAcknowledged,
        Self::PersonalDataCorrected,
        Self::EmailChangeRequested,
        Self::DirectoryRecordCreated,
        Self::DirectoryRecordUpdated,
        Self::LoginInvitationSent,
        Self::DataRequestFiled,
        Self::DataRequestAnswered,
        Self::TermsChangeNoticeQueued,
        Self::IncidentDeclared,
        Self::NewServiceAnnounced,
        Self::AuditLogRead,
        Self::OverdueDestructionsViewed,
        Self::ServiceTokenIssued,
        Self::ServiceTokenRevoked,
        Self::WebhookAdded,
        Self::WebhookRemoved,
    ];

    pub const fn code(self) -> i32 {
        match self {
            Self::CaseOpened => 2000,
            Self::CaseResolved => 2001,
            Self::CaseUpdated => 2002,
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
            Self::MailboxStatsViewed => 3101,
            Self::MailboxesListed => 3102,
            Self::ConsentStateViewed => 3103,
            Self::BackupRegistered => 5000,
            Self::BackupDestroyed => 5001,
            Self::BackupDestructionOverdue => 5002,
            Self::ContractTerminated => 5100,
            Self::ContractTransferred => 5101,
            Self::CharterPublished => 6000,
            Self::CharterAcknowledged => 6001,
            Self::PersonalDataCorrected => 6100,
            Self::EmailChangeRequested => 6101,
            Self::DirectoryRecordCreated => 6120,
            Self::DirectoryRecordUpdated => 6121,
            Self::LoginInvitationSent => 6130,
            Self::DataRequestFiled => 6110,
            Self::DataRequestAnswered => 6111,
            Self::TermsChangeNoticeQueued => 6002,
            Self::IncidentDeclared => 6200,
            Self::NewServiceAnnounced => 6201,
            Self::AuditLogRead => 4100,
            Self::OverdueDestructionsViewed => 5003,
            Self::ServiceTokenIssued => 7000,
            Self::ServiceTokenRevoked => 7001,
            Self::WebhookAdded => 7002,
            Self::WebhookRemoved => 7003,
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
        assert_eq!(AuditEvent::MailboxStatsViewed.code(), 3101);
        assert_eq!(AuditEvent::BackupDestroyed.code(), 5001);
        assert_eq!(AuditEvent::CharterPublished.code(), 6000);
        assert_eq!(AuditEvent::PersonalDataCorrected.code(), 6100);
        assert_eq!(AuditEvent::DataRequestAnswered.code(), 6111);
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
