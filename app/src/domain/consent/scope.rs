//! What one consent can cover. Only private data needs consent: a web space is open to technical staff by the
//! charter (§4.1), and a snapshot follows the rules of the data it copies (§6), so a consent always names the
//! backup space or mailbox itself, never a web space or a snapshot.

use serde::{Deserialize, Serialize};

use super::{ActionSet, BackupSpaceName, GrantDuration, ResourceId, SupportCaseId};
use crate::domain::{EmailAddress, Role};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ConsentScope {
    /// A backup space may cite the case it is for; the consent does not end with that case (charter §4.2).
    BackupSpace {
        space: BackupSpaceName,
        case: Option<SupportCaseId>,
    },
    /// A mailbox consent is valid for one support case only and ends when it is resolved (charter §5).
    Mailbox {
        mailbox: EmailAddress,
        case: SupportCaseId,
    },
}

/// Why a resource cannot be the subject of a consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("a web space needs no consent: support and system administrators reach it as a technical operation")]
    WebSpaceNeedsNoConsent,
    #[error("a snapshot follows the rules of the data it holds: ask for consent to that backup space or mailbox")]
    SnapshotFollowsItsData,
    #[error("consent to a mailbox is only valid for a support case: name the case")]
    MailboxNeedsSupportCase,
}

impl ConsentScope {
    pub fn new(resource: ResourceId, case: Option<SupportCaseId>) -> Result<Self, ScopeError> {
        match resource {
            ResourceId::BackupSpace(space) => Ok(Self::BackupSpace { space, case }),
            ResourceId::Mailbox(mailbox) => case
                .map(|case| Self::Mailbox { mailbox, case })
                .ok_or(ScopeError::MailboxNeedsSupportCase),
            ResourceId::WebSpace(_) => Err(ScopeError::WebSpaceNeedsNoConsent),
            ResourceId::Snapshot(_) => Err(ScopeError::SnapshotFollowsItsData),
        }
    }

    pub fn resource(&self) -> ResourceId {
        match self {
            Self::BackupSpace { space, .. } => ResourceId::BackupSpace(space.clone()),
            Self::Mailbox { mailbox, .. } => ResourceId::Mailbox(mailbox.clone()),
        }
    }

    /// The case named with the consent, for context or binding.
    pub const fn case(&self) -> Option<SupportCaseId> {
        match self {
            Self::BackupSpace { case, .. } => *case,
            Self::Mailbox { case, .. } => Some(*case),
        }
    }

    /// The case whose resolution ends the consent: only a mailbox consent is bound to one.
    pub const fn bound_case(&self) -> Option<SupportCaseId> {
        match self {
            Self::BackupSpace { .. } => None,
            Self::Mailbox { case, .. } => Some(*case),
        }
    }
}

/// What a request asks for, or what a customer or an oral consent gives, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentDraft {
    pub resource: ResourceId,
    pub case: Option<SupportCaseId>,
    pub actions: ActionSet,
    pub duration: GrantDuration,
}

/// The roles that do operational work on customers' data and so may ask for consent or record it. A privacy
/// officer oversees; they never touch customers' data themselves.
pub fn is_operational(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|role| matches!(role, Role::Support | Role::Sysadmin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::InvalidInput;

    #[test]
    fn only_backup_spaces_and_mailboxes_take_consent() -> Result<(), InvalidInput> {
        let case = Some(SupportCaseId(9));
        let scope = |raw: &str, case| ResourceId::parse(raw).map(|id| ConsentScope::new(id, case));
        assert_eq!(
            scope("web-space:a.ch", case)?,
            Err(ScopeError::WebSpaceNeedsNoConsent)
        );
        assert_eq!(
            scope("snapshot:s1", case)?,
            Err(ScopeError::SnapshotFollowsItsData)
        );
        assert_eq!(
            scope("mailbox:x@a.ch", None)?,
            Err(ScopeError::MailboxNeedsSupportCase)
        );
        let mailbox = scope("mailbox:x@a.ch", case)?;
        assert_eq!(mailbox.as_ref().map(ConsentScope::bound_case), Ok(case));
        let backup = scope("backup-space:b", case)?;
        assert_eq!(backup.as_ref().map(ConsentScope::case), Ok(case));
        assert_eq!(
            backup.as_ref().map(ConsentScope::bound_case),
            Ok(None),
            "a backup-space consent outlives the case it cites"
        );
        assert_eq!(
            backup.map(|s| s.resource().to_string()),
            Ok("backup-space:b".to_owned())
        );
        Ok(())
    }
}
