//! Creating sign-in accounts from the admin CLI and the demo seed.

use chrono::{DateTime, Utc};

use app::auth::passwords::{HashError, PasswordHasher};
use app::domain::{EmailAddress, InvalidInput, NewPassword, Role, SecurityEventKind};
use app::ports::{
    AccountId, EndSessions, NewAccount, NewStaff, Principal, SecurityEvent, Storage, StorageError,
};

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error("no customer has the email {0}: customers come from the contract system, create them there first")]
    NoSuchCustomer(String),
    #[error("a customer account cannot also hold staff roles")]
    MixedRoles,
    #[error("at least one --role is required")]
    NoRole,
    #[error("{0} already has an account")]
    Exists(String),
    #[error("no account signs in with {0}")]
    NoSuchAccount(String),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What `create-user` was asked for: `customer`, or one or more staff roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Customer,
    Staff(Vec<Role>),
}

impl Kind {
    pub fn from_role_names(names: &[String]) -> Result<Self, CreateUserError> {
        if names.is_empty() {
            return Err(CreateUserError::NoRole);
        }
        if names.iter().any(|name| name == "customer") {
            return if names.len() == 1 {
                Ok(Self::Customer)
            } else {
                Err(CreateUserError::MixedRoles)
            };
        }
        Ok(Self::Staff(
            names
                .iter()
                .map(|name| Role::parse(name))
                .collect::<Result<_, _>>()?,
        ))
    }
}

#[derive(Debug)]
pub struct NewUser<'a> {
    pub kind: &'a Kind,
    pub email: &'a EmailAddress,
    pub name: &'a str,
    pub password: &'a NewPassword,
    /// Staff enrol their second factor at first sign-in unless one is given here (the demo accounts).
    pub totp_secret: Option<&'a str>,
}

/// Creates an account for an existing customer, or a staff member with their roles and account.
pub async fn create_user(
    store: &dyn Storage,
    hasher: &PasswordHasher,
    user: &NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<AccountId, CreateUserError> {
    let NewUser {
        kind,
        email,
        name,
        password,
        totp_secret,
    } = *user;
    if store.account_by_email(email).await?.is_some() {
        return Err(CreateUserError::Exists(email.to_string()));
    }
    let principal = match kind {
        Kind::Customer => {
            let customer = store
                .customer_by_email(email)
                .await?
                .ok_or_else(|| CreateUserError::NoSuchCustomer(email.to_string()))?;
            Principal::Customer(customer.id)
        }
        Kind::Staff(roles) => {
            let staff = NewStaff {
                email: email.clone(),
                display_name: name.trim().to_owned(),
                roles: roles.clone(),
            };
            Principal::Staff(store.ensure_staff(&staff, now).await?)
        }
    };
    let password_hash = hasher.hash(password).await?;
    let account = store
        .create_account(
            &NewAccount {
                principal,
                email: email.clone(),
                password_hash,
            },
            now,
        )
        .await
        .map_err(|error| match error {
            StorageError::Conflict(_) => CreateUserError::Exists(email.to_string()),
            other => other.into(),
        })?;
    if let Some(secret) = totp_secret {
        store
            .set_second_factor(account, Some(secret), None, &[], EndSessions::All, now)
            .await?;
    }
    store
        .record_security_event(&SecurityEvent {
            kind: SecurityEventKind::AccountCreated,
            at: now,
            account: Some(account),
            email: Some(email.to_string()),
            client_ip: None,
            detail: Some(app::log_detail!("admin CLI")),
        })
        .await?;
    Ok(account)
}

/// Disables the account that signs in with `email` and ends all its sessions at once.
pub async fn disable_user(
    store: &dyn Storage,
    email: &EmailAddress,
    now: DateTime<Utc>,
) -> Result<AccountId, CreateUserError> {
    let account = store
        .account_by_email(email)
        .await?
        .ok_or_else(|| CreateUserError::NoSuchAccount(email.to_string()))?;
    store.disable_account(account.id, now).await?;
    store
        .record_security_event(&SecurityEvent {
            kind: SecurityEventKind::AccountDisabled,
            at: now,
            account: Some(account.id),
            email: Some(email.to_string()),
            client_ip: None,
            detail: Some(app::log_detail!("admin CLI")),
        })
        .await?;
    Ok(account.id)
}
