//! Bearer tokens of the services that call the integration API. A token is shown once, when it is created; the
//! database keeps only its SHA-256, so a copy of the database lets nobody call the API.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

use app::domain::AuditEvent;
use app::ports::{Actor, AuditBasis, AuditEntry, Storage, StorageError};

/// Marks a string as this portal's service token, so that secret scanners and people recognise a leaked one.
pub const TOKEN_PREFIX: &str = "pps_";

/// What a service may do with its token, one scope per family of endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    AccessChecks,
    AccessEvents,
    ConsentRequests,
    MailboxStats,
    Backups,
    /// The customer directory sync from the operator's billing or CRM system.
    Directory,
    /// Support cases from the ticketing system: open, update, resolve, and read the consent requests.
    SupportCases,
    /// Consent events: the pull feed and the service's own webhook endpoints.
    Events,
    /// `GET /metrics` on the public address, for a scraper that cannot reach the metrics address.
    Metrics,
}

impl Scope {
    pub const ALL: [Self; 9] = [
        Self::AccessChecks,
        Self::AccessEvents,
        Self::ConsentRequests,
        Self::MailboxStats,
        Self::Backups,
        Self::Directory,
        Self::SupportCases,
        Self::Events,
        Self::Metrics,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AccessChecks => "access-checks",
            Self::AccessEvents => "access-events",
            Self::ConsentRequests => "consent-requests",
            Self::MailboxStats => "mailbox-stats",
            Self::Backups => "backups",
            Self::Directory => "directory",
            Self::SupportCases => "support-cases",
            Self::Events => "events",
            Self::Metrics => "metrics",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, TokenError> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == raw.trim())
            .ok_or_else(|| TokenError::UnknownScope(raw.trim().to_owned()))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("unknown scope {0:?}: the scopes are access-checks, access-events, consent-requests, mailbox-stats, backups, directory, support-cases, events and metrics")]
    UnknownScope(String),
    #[error("name at least one scope")]
    NoScope,
    #[error("a service name has 1 to 64 characters: lower-case letters, digits, '-', '_' or '.'")]
    BadName,
    #[error("a service token named {0} exists or existed: names are never reused")]
    NameTaken(String),
    #[error("no live service token is named {0}")]
    NoSuchToken(String),
    #[error(transparent)]
    Storage(StorageError),
}

/// Parses `access-checks,access-events`: each scope once, in a stable order.
pub fn parse_scopes(raw: &str) -> Result<Vec<Scope>, TokenError> {
    let mut scopes = raw
        .split(',')
        .filter(|part| !part.trim().is_empty())
        .map(Scope::parse)
        .collect::<Result<Vec<_>, _>>()?;
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(TokenError::NoScope);
    }
    Ok(scopes)
}

/// A service's name appears in every audit entry it causes, so it is kept to a plain, printable form.
fn check_name(name: &str) -> Result<(), TokenError> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c);
    if name.is_empty() || name.len() > 64 || !name.chars().all(allowed) {
        return Err(TokenError::BadName);
    }
    Ok(())
}

/// 32 random bytes: guessing is hopeless, so a plain hash (no salt, no stretching) is enough to store it.
pub fn generate() -> String {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Creates a token for `name` and returns it: the only time it exists outside the calling service.
pub async fn create_service_token(
    store: &dyn Storage,
    name: &str,
    scopes: &[Scope],
    now: DateTime<Utc>,
) -> Result<String, TokenError> {
    check_name(name)?;
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(TokenError::NoScope);
    }
    let token = generate();
    let names: Vec<String> = scopes
        .iter()
        .map(|scope| scope.as_str().to_owned())
        .collect();
    let audit = token_entry(
        now,
        AuditEvent::ServiceTokenIssued,
        app::log_detail!("service {name}, scopes {scopes}", scopes = names.join(", ")),
    );
    store
        .create_service_token(name, &hash(&token), &names, &audit, now)
        .await
        .map_err(|error| match error {
            StorageError::Conflict(_) => TokenError::NameTaken(name.to_owned()),
            other => TokenError::Storage(other),
        })?;
    Ok(token)
}

pub async fn revoke_service_token(
    store: &dyn Storage,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), TokenError> {
    let audit = token_entry(
        now,
        AuditEvent::ServiceTokenRevoked,
        app::log_detail!("service {name}"),
    );
    if store
        .revoke_service_token(name, &audit, now)
        .await
        .map_err(TokenError::Storage)?
    {
        Ok(())
    } else {
        Err(TokenError::NoSuchToken(name.to_owned()))
    }
}

/// Tokens are issued and revoked with the admin CLI, on the server itself: whoever runs it acts as the operator,
/// with no portal account to name.
fn token_entry(at: DateTime<Utc>, event: AuditEvent, detail: String) -> AuditEntry {
    AuditEntry::in_portal(
        at,
        event,
        Actor::System,
        None,
        AuditBasis::TechnicalOperation,
        detail,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_url_safe_and_never_repeat() {
        let first = generate();
        let second = generate();
        assert_ne!(first, second);
        let body = first.strip_prefix(TOKEN_PREFIX).unwrap_or_default();
        assert_eq!(body.len(), 43, "32 bytes in unpadded base64");
        assert!(body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(
            hex::encode(hash("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn scopes_are_parsed_once_each_and_unknown_ones_named() {
        let scopes = parse_scopes("access-events, access-checks,access-events").ok();
        assert_eq!(scopes, Some(vec![Scope::AccessChecks, Scope::AccessEvents]));
        assert!(matches!(
            parse_scopes("access-checks,admin"),
            Err(TokenError::UnknownScope(name)) if name == "admin"
        ));
        assert!(matches!(parse_scopes(" , "), Err(TokenError::NoScope)));
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()).ok(), Some(scope));
        }
    }

    #[test]
    fn service_names_are_plain() {
        assert!(check_name("ftp-gateway.prod_1").is_ok());
        for bad in ["", "FTP", "with space", "é", &"a".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
