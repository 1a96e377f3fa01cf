//! What staff may touch, named the way the operator's infrastructure names it (`mailbox:jeanne@example.ch`).
//!
//! Two types, because a snapshot's identifier does not say what it holds: [`ResourceId`] is what a caller writes,
//! [`Resource`] is what the policy judges, with a snapshot's content taken from the portal's own registry. Trusting
//! the caller's word about a snapshot's content would let a mailbox copy pass for a web-space copy.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::domain::{EmailAddress, InvalidInput};

const FIELD: &str = "resource";

/// A customer's public web space, named by its domain (lower-cased: domains are case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebSpaceDomain(String);

impl WebSpaceDomain {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let domain = raw.trim().to_lowercase();
        if domain.is_empty() {
            return Err(InvalidInput::new(FIELD, "a web space needs a domain"));
        }
        if domain.len() > 253 {
            return Err(InvalidInput::new(
                FIELD,
                "a domain has at most 253 characters",
            ));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let label_ok = |label: &&str| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if labels.len() < 2 || !labels.iter().all(label_ok) {
            return Err(InvalidInput::new(
                FIELD,
                "a web space is named by a domain such as example.ch",
            ));
        }
        Ok(Self(domain))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A private backup space, by its account name. Not lower-cased for the caller: two names differing in case would
/// be two spaces to the FTP server, so upper case is refused rather than silently merged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BackupSpaceName(String);

impl BackupSpaceName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(InvalidInput::new(FIELD, "a backup space needs a name"));
        }
        if name.len() > Self::MAX_CHARS {
            return Err(InvalidInput::new(
                FIELD,
                "a backup space name has at most 64 characters",
            ));
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c);
        let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if !name.chars().all(allowed)
            || !edge_ok(name.chars().next())
            || !edge_ok(name.chars().last())
        {
            return Err(InvalidInput::new(
                FIELD,
                "a backup space name has lower-case letters, digits, '-', '_' or '.', and starts and ends with a letter or digit",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A backup snapshot, by the identifier the backup system registered it under.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SnapshotId(String);

impl SnapshotId {
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let id = raw.trim();
        if id.is_empty() {
            return Err(InvalidInput::new(FIELD, "a snapshot needs an identifier"));
        }
        if id.len() > Self::MAX_CHARS {
            return Err(InvalidInput::new(
                FIELD,
                "a snapshot identifier has at most 128 characters",
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.:".contains(c);
        if !id.chars().all(allowed) || !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(InvalidInput::new(
                FIELD,
                "a snapshot identifier has letters, digits, '-', '_', '.' or ':', and starts with a letter or digit",
            ));
        }
        Ok(Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The four kinds of resource, as written before the `:` of an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    WebSpace,
    BackupSpace,
    Mailbox,
    Snapshot,
}

impl ResourceKind {
    pub const ALL: [Self; 4] = [
        Self::WebSpace,
        Self::BackupSpace,
        Self::Mailbox,
        Self::Snapshot,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::WebSpace => "web-space",
            Self::BackupSpace => "backup-space",
            Self::Mailbox => "mailbox",
            Self::Snapshot => "snapshot",
        }
    }
}

/// A resource as a caller names it: `web-space:<domain>`, `backup-space:<name>`, `mailbox:<address>` or
/// `snapshot:<id>`. Serialised as that string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ResourceId {
    WebSpace(WebSpaceDomain),
    BackupSpace(BackupSpaceName),
    Mailbox(EmailAddress),
    Snapshot(SnapshotId),
}

impl ResourceId {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let (kind, value) = raw.trim().split_once(':').ok_or(InvalidInput::new(
            FIELD,
            "must start with web-space:, backup-space:, mailbox: or snapshot:",
        ))?;
        match kind {
            "web-space" => WebSpaceDomain::parse(value).map(Self::WebSpace),
            "backup-space" => BackupSpaceName::parse(value).map(Self::BackupSpace),
            "mailbox" => EmailAddress::parse(value)
                .map(Self::Mailbox)
                .map_err(|e| InvalidInput::new(FIELD, e.reason)),
            "snapshot" => SnapshotId::parse(value).map(Self::Snapshot),
            _ => Err(InvalidInput::new(
                FIELD,
                "the kind must be web-space, backup-space, mailbox or snapshot",
            )),
        }
    }

    pub const fn kind(&self) -> ResourceKind {
        match self {
            Self::WebSpace(_) => ResourceKind::WebSpace,
            Self::BackupSpace(_) => ResourceKind::BackupSpace,
            Self::Mailbox(_) => ResourceKind::Mailbox,
            Self::Snapshot(_) => ResourceKind::Snapshot,
        }
    }

    fn value(&self) -> &str {
        match self {
            Self::WebSpace(domain) => domain.as_str(),
            Self::BackupSpace(name) => name.as_str(),
            Self::Mailbox(address) => address.as_str(),
            Self::Snapshot(id) => id.as_str(),
        }
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind().as_str(), self.value())
    }
}

impl TryFrom<String> for ResourceId {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ResourceId> for String {
    fn from(value: ResourceId) -> Self {
        value.to_string()
    }
}

/// What a snapshot is a copy of. Serialised as that resource's identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum SnapshotContent {
    WebSpace(WebSpaceDomain),
    BackupSpace(BackupSpaceName),
    Mailbox(EmailAddress),
}

impl SnapshotContent {
    /// Parses the identifier of the copied resource; a snapshot of a snapshot does not exist.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        match ResourceId::parse(raw)? {
            ResourceId::WebSpace(domain) => Ok(Self::WebSpace(domain)),
            ResourceId::BackupSpace(name) => Ok(Self::BackupSpace(name)),
            ResourceId::Mailbox(address) => Ok(Self::Mailbox(address)),
            ResourceId::Snapshot(_) => Err(InvalidInput::new(
                FIELD,
                "a snapshot holds a web space, a backup space or a mailbox",
            )),
        }
    }

    pub fn id(&self) -> ResourceId {
        match self {
            Self::WebSpace(domain) => ResourceId::WebSpace(domain.clone()),
            Self::BackupSpace(name) => ResourceId::BackupSpace(name.clone()),
            Self::Mailbox(address) => ResourceId::Mailbox(address.clone()),
        }
    }
}

impl fmt::Display for SnapshotContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.id().fmt(f)
    }
}

impl TryFrom<String> for SnapshotContent {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SnapshotContent> for String {
    fn from(value: SnapshotContent) -> Self {
        value.to_string()
    }
}

macro_rules! string_conversions {
    ($($name:ident),*) => {$(
        impl TryFrom<String> for $name {
            type Error = InvalidInput;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
string_conversions!(WebSpaceDomain, BackupSpaceName, SnapshotId);

/// A resource as the access policy judges it: a snapshot comes with what it holds, so that it can be judged by
/// the rules of that data (charter §6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resource {
    WebSpace(WebSpaceDomain),
    BackupSpace(BackupSpaceName),
    Mailbox(EmailAddress),
    Snapshot {
        id: SnapshotId,
        holds: SnapshotContent,
    },
}

impl Resource {
    /// Completes a caller's identifier. `snapshot_holds` is what the snapshot registry says the snapshot is a copy
    /// of: required for a snapshot (an unregistered snapshot is unknown), refused for anything else.
    pub fn resolve(
        id: ResourceId,
        snapshot_holds: Option<SnapshotContent>,
    ) -> Result<Self, InvalidInput> {
        match (id, snapshot_holds) {
            (ResourceId::Snapshot(id), Some(holds)) => Ok(Self::Snapshot { id, holds }),
            (ResourceId::Snapshot(_), None) => {
                Err(InvalidInput::new(FIELD, "this snapshot is not registered"))
            }
            (_, Some(_)) => Err(InvalidInput::new(
                FIELD,
                "only a snapshot holds a copy of other data",
            )),
            (ResourceId::WebSpace(domain), None) => Ok(Self::WebSpace(domain)),
            (ResourceId::BackupSpace(name), None) => Ok(Self::BackupSpace(name)),
            (ResourceId::Mailbox(address), None) => Ok(Self::Mailbox(address)),
        }
    }

    pub fn id(&self) -> ResourceId {
        match self {
            Self::WebSpace(domain) => ResourceId::WebSpace(domain.clone()),
            Self::BackupSpace(name) => ResourceId::BackupSpace(name.clone()),
            Self::Mailbox(address) => ResourceId::Mailbox(address.clone()),
            Self::Snapshot { id, .. } => ResourceId::Snapshot(id.clone()),
        }
    }
}

impl From<SnapshotContent> for Resource {
    fn from(content: SnapshotContent) -> Self {
        match content {
            SnapshotContent::WebSpace(domain) => Self::WebSpace(domain),
            SnapshotContent::BackupSpace(name) => Self::BackupSpace(name),
            SnapshotContent::Mailbox(address) => Self::Mailbox(address),
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.id().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(raw: &str) -> String {
        ResourceId::parse(raw).map_or_else(|e| format!("error: {e}"), |id| id.to_string())
    }

    #[test]
    fn identifiers_print_as_they_were_parsed() {
        for raw in [
            "mailbox:jeanne@example.ch",
            "backup-space:backup-boulangerie-favre",
            "web-space:boulangerie-favre.ch",
            "snapshot:2026-03-01T02:00:00Z.mail-7",
        ] {
            assert_eq!(round_trip(raw), raw);
        }
    }

    #[test]
    fn identifiers_are_normalised_where_the_infrastructure_ignores_case() {
        assert_eq!(
            round_trip(" web-space:Boulangerie-Favre.CH "),
            "web-space:boulangerie-favre.ch"
        );
        assert_eq!(
            round_trip("mailbox:Jeanne@Example.CH"),
            "mailbox:Jeanne@example.ch"
        );
    }

    #[test]
    fn malformed_identifiers_say_what_is_wrong() {
        for (raw, reason) in [
            ("jeanne@example.ch", "must start with web-space:, backup-space:, mailbox: or snapshot:"),
            ("ftp:backup-x", "the kind must be web-space, backup-space, mailbox or snapshot"),
            ("mailbox:jeanne", "must contain an @"),
            ("mailbox:", "is required"),
            ("web-space:localhost", "a web space is named by a domain such as example.ch"),
            ("web-space:-bad.ch", "a web space is named by a domain such as example.ch"),
            ("backup-space:", "a backup space needs a name"),
            ("backup-space:Backup-X", "a backup space name has lower-case letters, digits, '-', '_' or '.', and starts and ends with a letter or digit"),
            ("backup-space:../etc", "a backup space name has lower-case letters, digits, '-', '_' or '.', and starts and ends with a letter or digit"),
            ("snapshot:a/b", "a snapshot identifier has letters, digits, '-', '_', '.' or ':', and starts with a letter or digit"),
        ] {
            assert_eq!(
                ResourceId::parse(raw),
                Err(InvalidInput::new("resource", reason)),
                "{raw}"
            );
        }
        assert!(ResourceId::parse(&format!("snapshot:{}", "a".repeat(129))).is_err());
        assert!(ResourceId::parse(&format!("backup-space:{}", "a".repeat(65))).is_err());
    }

    // serde_json is a server-only dependency.
    #[cfg(feature = "ssr")]
    #[test]
    fn identifiers_serialise_as_their_string_form() -> Result<(), serde_json::Error> {
        let id =
            ResourceId::parse("mailbox:jeanne@example.ch").map_err(serde::de::Error::custom)?;
        let json = serde_json::to_string(&id)?;
        assert_eq!(json, "\"mailbox:jeanne@example.ch\"");
        assert_eq!(serde_json::from_str::<ResourceId>(&json)?, id);
        assert!(serde_json::from_str::<ResourceId>("\"mailbox:nobody\"").is_err());
        let content: SnapshotContent = serde_json::from_str("\"backup-space:backup-x\"")?;
        assert_eq!(content.to_string(), "backup-space:backup-x");
        assert!(serde_json::from_str::<SnapshotContent>("\"snapshot:s1\"").is_err());
        Ok(())
    }

    #[test]
    fn a_snapshot_is_only_judged_with_what_the_registry_says_it_holds() -> Result<(), InvalidInput>
    {
        let holds = SnapshotContent::parse("mailbox:jeanne@example.ch")?;
        let snapshot = Resource::resolve(ResourceId::parse("snapshot:s1")?, Some(holds.clone()))?;
        assert_eq!(snapshot.to_string(), "snapshot:s1");
        assert!(matches!(snapshot, Resource::Snapshot { holds: h, .. } if h == holds));
        assert!(Resource::resolve(ResourceId::parse("snapshot:s1")?, None).is_err());
        assert!(Resource::resolve(ResourceId::parse("web-space:a.ch")?, Some(holds)).is_err());
        assert_eq!(
            Resource::resolve(ResourceId::parse("web-space:a.ch")?, None)?.id(),
            ResourceId::parse("web-space:a.ch")?
        );
        Ok(())
    }
}
