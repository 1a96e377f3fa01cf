use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerId, OutgoingMail, StaffId, StorageError};
use crate::domain::{EmailAddress, Language, SecurityEventKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountId(pub i64);

/// Whom an account logs in as: exactly one customer or one staff member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Principal {
    Customer(CustomerId),
    Staff(StaffId),
}

impl Principal {
    /// The customer this account signs in as, if it is a customer's.
    pub const fn customer(self) -> Option<CustomerId> {
        match self {
            Self::Customer(id) => Some(id),
            Self::Staff(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub principal: Principal,
    pub email: EmailAddress,
    pub password_hash: String,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub principal: Principal,
    pub email: EmailAddress,
    pub password_hash: String,
    /// Base32 TOTP secret once a second factor is enrolled.
    pub totp_secret: Option<String>,
    /// The last time step whose code was accepted: no code of that step or older is accepted again.
    pub totp_last_step: Option<i64>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("principal", &self.principal)
            .field("email", &self.email)
            .field("totp_enrolled", &self.totp_secret.is_some())
            .field("disabled_at", &self.disabled_at)
            .finish_non_exhaustive()
    }
}

/// A browser session of an account, as its owner sees it in "my sessions".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// Not the session id itself: a hash of it, enough to name it without being able to use it.
    pub handle: String,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityEvent {
    pub kind: SecurityEventKind,
    pub at: DateTime<Utc>,
    pub account: Option<AccountId>,
    pub email: Option<String>,
    pub client_ip: Option<String>,
    pub detail: Option<String>,
}

/// Which of an account's sessions a change ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndSessions<'a> {
    All,
    AllBut(&'a str),
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Fails with `Conflict` when the email or the principal already has an account.
    async fn create_account(
        &self,
        account: &NewAccount,
        now: DateTime<Utc>,
    ) -> Result<AccountId, StorageError>;

    async fn account(&self, id: AccountId) -> Result<Option<Account>, StorageError>;

    async fn account_by_email(&self, email: &EmailAddress)
        -> Result<Option<Account>, StorageError>;

    /// The account with the name it is greeted by, in one reading: what every signed-in page needs first.
    async fn account_with_name(
        &self,
        id: AccountId,
    ) -> Result<Option<(Account, String)>, StorageError>;

    /// Language and display name for mail and greetings.
    async fn account_profile(
        &self,
        id: AccountId,
    ) -> Result<Option<(String, Language)>, StorageError>;

    /// Replaces the password hash; when `end` is given, ends those sessions in the same transaction.
    async fn set_password_hash(
        &self,
        id: AccountId,
        hash: &str,
        end: Option<EndSessions<'_>>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// Enrols (`Some`) or removes (`None`) the second factor, replaces the recovery codes, and ends the sessions
    /// named by `end`, all at once.
    async fn set_second_factor(
        &self,
        id: AccountId,
        secret: Option<&str>,
        accepted_step: Option<i64>,
        recovery_code_hashes: &[String],
        end: EndSessions<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// Records that the code of `step` was used; false when that step or a later one already was (a replay).
    async fn use_totp_step(&self, id: AccountId, step: i64) -> Result<bool, StorageError>;

    /// Marks an unused recovery code as used; false when there is no such unused code.
    async fn use_recovery_code(
        &self,
        id: AccountId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError>;

    async fn unused_recovery_codes(&self, id: AccountId) -> Result<u32, StorageError>;

    /// Disables the account and ends all its sessions.
    async fn disable_account(&self, id: AccountId, now: DateTime<Utc>) -> Result<(), StorageError>;

    /// Failures recorded under a throttle key (an account or a client address) and when the last one happened.
    async fn throttle(&self, key: &str) -> Result<Option<(u32, DateTime<Utc>)>, StorageError>;

    async fn record_throttle_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    async fn clear_throttle(&self, key: &str) -> Result<(), StorageError>;

    /// Stores a reset token's hash and queues the mail that carries the token, in one transaction.
    async fn create_password_reset(
        &self,
        id: AccountId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError>;

    /// If the token is unused and unexpired: marks it used, sets the new hash and ends every session of the account,
    /// atomically, and says whose account it was.
    async fn complete_password_reset(
        &self,
        token_hash: &str,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountId>, StorageError>;

    async fn queue_mail(&self, mail: &OutgoingMail, now: DateTime<Utc>)
        -> Result<(), StorageError>;

    async fn record_security_event(&self, event: &SecurityEvent) -> Result<(), StorageError>;

    async fn security_events(
        &self,
        id: AccountId,
        limit: u32,
    ) -> Result<Vec<SecurityEvent>, StorageError>;

    async fn sessions_of(
        &self,
        id: AccountId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionSummary>, StorageError>;

    /// Ends the account's session named by `handle`; false when it has no such session.
    async fn end_session(&self, id: AccountId, handle: &str) -> Result<bool, StorageError>;
}
