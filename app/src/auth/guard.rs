//! Who is asking: the one place where a session becomes an account, and an account becomes a capability.
//!
//! Server functions and page guards never look at roles themselves: they ask for a capability type (`AsCustomer`,
//! `AsSupport`, …) that can only be built here, after every check. Code that holds an `AsSupport` cannot call a
//! function that takes an `AsPrivacyOfficer`: a forgotten check does not compile.

use chrono::{DateTime, Utc};
use tower_sessions::Session;

use super::session::{AuthState, Freshness, Stage, AUTH_KEY};
use crate::domain::Role;
use crate::ports::{Account, AccountId, CustomerId, Principal, StaffId, Storage, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("session store: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A session that belongs to an existing, enabled account and has not expired.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub state: AuthState,
    pub account: Account,
    /// Read with the account: every signed-in page greets its reader by it.
    pub display_name: String,
}

/// Reads the sign-in state of `session`, ending it when it expired or its account is gone or disabled, and moving
/// its idle clock at most once a minute.
pub async fn authenticate(
    session: &Session,
    store: &dyn Storage,
    now: DateTime<Utc>,
) -> Result<Option<Authenticated>, GuardError> {
    let Some(mut state) = session.get::<AuthState>(AUTH_KEY).await? else {
        return Ok(None);
    };
    match state.freshness(now) {
        Freshness::Expired => {
            session.flush().await?;
            return Ok(None);
        }
        Freshness::Refresh => {
            state.last_seen_at = now;
            session.insert(AUTH_KEY, &state).await?;
        }
        Freshness::Fresh => {}
    }
    match store.account_with_name(state.account).await? {
        Some((account, display_name)) if account.disabled_at.is_none() => Ok(Some(Authenticated {
            state,
            account,
            display_name,
        })),
        _ => {
            session.flush().await?;
            Ok(None)
        }
    }
}

/// Why a capability was not granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotSignedIn,
    /// Signed in with a password; the second factor (or its enrolment) is still due.
    Unfinished(Stage),
    WrongKindOfAccount,
    MissingRole(Role),
}

impl Refusal {
    /// What the audit log says of the refusal: stable words, never a Debug print.
    pub fn log_words(self) -> String {
        match self {
            Self::NotSignedIn => crate::log_detail!("not signed in"),
            Self::Unfinished(_) => crate::log_detail!("sign-in not finished"),
            Self::WrongKindOfAccount => crate::log_detail!("wrong kind of account"),
            Self::MissingRole(role) => {
                crate::log_detail!("missing role {role}", role = role.as_str())
            }
        }
    }
}

/// A signed-in customer acting on their own account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsCustomer {
    account: AccountId,
    customer: CustomerId,
}

impl AsCustomer {
    pub fn account(&self) -> AccountId {
        self.account
    }

    pub fn customer(&self) -> CustomerId {
        self.customer
    }
}

/// A signed-in staff member who completed the second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsStaff {
    account: AccountId,
    staff: StaffId,
    roles: Vec<Role>,
    second_factor_at: DateTime<Utc>,
}

impl AsStaff {
    pub fn account(&self) -> AccountId {
        self.account
    }

    pub fn staff(&self) -> StaffId {
        self.staff
    }

    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    pub fn second_factor_at(&self) -> DateTime<Utc> {
        self.second_factor_at
    }
}

macro_rules! role_capability {
    ($($name:ident => $role:expr, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(AsStaff);

        impl $name {
            pub fn staff(&self) -> &AsStaff {
                &self.0
            }
        }

        impl TryFrom<AsStaff> for $name {
            type Error = Refusal;

            fn try_from(staff: AsStaff) -> Result<Self, Refusal> {
                if staff.roles.contains(&$role) { Ok(Self(staff)) } else { Err(Refusal::MissingRole($role)) }
            }
        }
    )*};
}

role_capability! {
    AsSupport => Role::Support, "A staff member acting in the support role.";
    AsSysadmin => Role::Sysadmin, "A staff member acting as a system administrator.";
    AsPrivacyOfficer => Role::PrivacyOfficer, "A staff member acting as privacy officer.";
}

/// A staff member who may see backup metadata (which customer, what a snapshot copies): a system administrator
/// or a privacy officer. Support may not (charter §6: backups are not available to support).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsBackupOverseer(AsStaff);

impl AsBackupOverseer {
    pub fn staff(&self) -> &AsStaff {
        &self.0
    }
}

impl TryFrom<AsStaff> for AsBackupOverseer {
    type Error = Refusal;

    fn try_from(staff: AsStaff) -> Result<Self, Refusal> {
        if staff.roles.contains(&Role::Sysadmin) || staff.roles.contains(&Role::PrivacyOfficer) {
            Ok(Self(staff))
        } else {
            Err(Refusal::MissingRole(Role::Sysadmin))
        }
    }
}

/// How recent the second factor must be for mailbox supervision (charter §5: "strongly secured").
pub const SUPERVISION_SECOND_FACTOR_HOURS: i64 = 12;

/// The second factor was given longer ago than mailbox supervision allows: sign in again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleSecondFactor;

/// Support whose second factor was completed within the last [`SUPERVISION_SECOND_FACTOR_HOURS`]: what the mailbox
/// supervision screens need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsSupervisor(AsSupport);

impl AsSupervisor {
    pub fn new(support: AsSupport, now: DateTime<Utc>) -> Result<Self, StaleSecondFactor> {
        let age = now - support.staff().second_factor_at;
        if age < chrono::Duration::hours(SUPERVISION_SECOND_FACTOR_HOURS) {
            Ok(Self(support))
        } else {
            Err(StaleSecondFactor)
        }
    }

    pub fn staff(&self) -> &AsStaff {
        self.0.staff()
    }
}

fn complete(auth: Option<&Authenticated>) -> Result<&Authenticated, Refusal> {
    let auth = auth.ok_or(Refusal::NotSignedIn)?;
    match auth.state.stage {
        Stage::Complete => Ok(auth),
        unfinished => Err(Refusal::Unfinished(unfinished)),
    }
}

/// Any account whose sign-in is complete, whatever its kind.
pub fn signed_in_fully(auth: Option<&Authenticated>) -> Result<AccountId, Refusal> {
    complete(auth).map(|auth| auth.account.id)
}

pub fn as_customer(auth: Option<&Authenticated>) -> Result<AsCustomer, Refusal> {
    let auth = complete(auth)?;
    match auth.account.principal {
        Principal::Customer(customer) => Ok(AsCustomer {
            account: auth.account.id,
            customer,
        }),
        Principal::Staff(_) => Err(Refusal::WrongKindOfAccount),
    }
}

/// Staff capabilities need the roles, which live with the staff member, so they take the store.
pub async fn as_staff(
    auth: Option<&Authenticated>,
    store: &dyn Storage,
) -> Result<Result<AsStaff, Refusal>, StorageError> {
    let auth = match complete(auth) {
        Ok(auth) => auth,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let (Principal::Staff(staff), Some(second_factor_at)) =
        (auth.account.principal, auth.state.second_factor_at)
    else {
        return Ok(Err(Refusal::WrongKindOfAccount));
    };
    let roles = store.staff_roles(staff).await?;
    Ok(Ok(AsStaff {
        account: auth.account.id,
        staff,
        roles,
        second_factor_at,
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod supervision_tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn support(second_factor_at: DateTime<Utc>) -> AsSupport {
        AsSupport::try_from(AsStaff {
            account: AccountId(1),
            staff: StaffId(2),
            roles: vec![Role::Support],
            second_factor_at,
        })
        .unwrap()
    }

    #[test]
    fn supervision_needs_a_second_factor_from_the_last_twelve_hours() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).single().unwrap();
        let fresh = at + Duration::hours(12) - Duration::seconds(1);
        assert!(AsSupervisor::new(support(at), at).is_ok());
        assert!(AsSupervisor::new(support(at), fresh).is_ok());
        assert_eq!(
            AsSupervisor::new(support(at), at + Duration::hours(12)),
            Err(StaleSecondFactor)
        );
        assert_eq!(
            AsSupervisor::new(support(at), at + Duration::days(2)),
            Err(StaleSecondFactor)
        );
    }
}
