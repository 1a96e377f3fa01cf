//! Invitations: how a customer the operator loaded gets a login of their own.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{AccountId, AuditEntry, CustomerId, OutgoingMail, StorageError};

/// What inviting a customer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invitation {
    Sent,
    /// The customer has a login already: nothing was sent.
    HasLogin,
}

#[async_trait]
pub trait InvitationStore: Send + Sync {
    /// Unless the customer has a login: stores the invitation (superseding earlier ones), queues its mail and writes
    /// `audit`, in one transaction.
    async fn create_invitation(
        &self,
        customer: CustomerId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &OutgoingMail,
        audit: &AuditEntry,
    ) -> Result<Invitation, StorageError>;

    /// If the token is the customer's latest, unused and unexpired, and they still have no login: creates their
    /// account (their email, `password_hash`) and marks the invitation used, atomically.
    async fn accept_invitation(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountId>, StorageError>;
}
