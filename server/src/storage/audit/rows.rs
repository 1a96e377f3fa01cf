//! Audit entries read back from their columns, refusing anything the writer would never have stored.

use chrono::{DateTime, Utc};
use serde::de::{value::StrDeserializer, DeserializeOwned, IntoDeserializer};

use crate::storage::consent::rows::corrupt;
use app::domain::audit_chain::ChainFields;
use app::domain::consent::{Action, GrantId, ResourceId};
use app::domain::{AuditEvent, DisclosureId, Role};
use app::ports::{
    Actor, AuditBasis, AuditEntry, AuditRecord, CustomerId, EventSource, Outcome, StaffId,
    StorageError,
};

/// Parses a kebab-case name the way the type's serde form spells it, so that a new variant needs no second list.
fn parse_name<T: DeserializeOwned>(raw: &str) -> Option<T> {
    let deserializer: StrDeserializer<'_, serde::de::value::Error> = raw.into_deserializer();
    T::deserialize(deserializer).ok()
}

#[derive(Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub entry_hash: Option<Vec<u8>>,
    pub occurred_at: DateTime<Utc>,
    pub event_code: i32,
    pub actor_kind: String,
    pub actor_customer_id: Option<i64>,
    pub actor_staff_id: Option<i64>,
    pub actor_roles: Option<String>,
    pub customer_id: Option<i64>,
    pub resource: Option<String>,
    pub action: Option<String>,
    pub basis_kind: String,
    pub basis_ref: Option<i64>,
    pub basis_rule: Option<String>,
    pub outcome: String,
    pub source_kind: String,
    pub source_name: Option<String>,
    pub detail: Option<String>,
}

impl AuditRow {
    pub fn chain_fields(&self) -> ChainFields<'_> {
        ChainFields {
            id: self.id,
            occurred_at_micros: self.occurred_at.timestamp_micros(),
            event_code: self.event_code,
            actor_kind: &self.actor_kind,
            actor_customer_id: self.actor_customer_id,
            actor_staff_id: self.actor_staff_id,
            actor_roles: self.actor_roles.as_deref(),
            customer_id: self.customer_id,
            resource: self.resource.as_deref(),
            action: self.action.as_deref(),
            basis_kind: &self.basis_kind,
            basis_ref: self.basis_ref,
            basis_rule: self.basis_rule.as_deref(),
            outcome: &self.outcome,
            source_kind: &self.source_kind,
            source_name: self.source_name.as_deref(),
            detail: self.detail.as_deref(),
        }
    }

    fn actor(&self) -> Result<Actor, StorageError> {
        let unreadable = || corrupt("audit entry", "has an unreadable actor");
        match (
            self.actor_kind.as_str(),
            self.actor_customer_id,
            self.actor_staff_id,
        ) {
            ("customer", Some(id), None) => Ok(Actor::Customer { id: CustomerId(id) }),
            ("staff", None, Some(id)) => {
                let roles = self
                    .actor_roles
                    .as_deref()
                    .unwrap_or_default()
                    .split(',')
                    .filter(|name| !name.is_empty())
                    .map(Role::parse)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Actor::Staff {
                    id: StaffId(id),
                    roles,
                })
            }
            ("system", None, None) => Ok(Actor::System),
            ("unidentified", None, None) => Ok(Actor::Unidentified),
            _ => Err(unreadable()),
        }
    }

    fn basis(&self) -> Result<AuditBasis, StorageError> {
        let outcome = parse_name::<Outcome>(&self.outcome)
            .ok_or(corrupt("audit entry", "has an unknown outcome"))?;
        let basis = match (
            self.basis_kind.as_str(),
            self.basis_ref,
            self.basis_rule.as_deref(),
        ) {
            ("grant", Some(id), None) => AuditBasis::Grant(GrantId(id)),
            ("technical-operation", None, None) => AuditBasis::TechnicalOperation,
            ("the-customer", None, None) => AuditBasis::TheCustomer,
            ("staff-role", None, None) => AuditBasis::StaffRole,
            ("refused", None, Some(rule)) => AuditBasis::Refused(
                parse_name(rule).ok_or(corrupt("audit entry", "names an unknown rule"))?,
            ),
            ("court-order", Some(id), None) => AuditBasis::CourtOrder(DisclosureId(id)),
            ("account-security", None, None) => AuditBasis::AccountSecurity(outcome),
            _ => return Err(corrupt("audit entry", "has an unreadable basis")),
        };
        if basis.outcome() != outcome {
            return Err(corrupt(
                "audit entry",
                "has an outcome its basis contradicts",
            ));
        }
        Ok(basis)
    }

    fn source(&self) -> Result<EventSource, StorageError> {
        match (self.source_kind.as_str(), &self.source_name) {
            ("portal", None) => Ok(EventSource::Portal),
            ("service", Some(name)) => Ok(EventSource::Service(name.clone())),
            _ => Err(corrupt("audit entry", "has an unreadable source")),
        }
    }

    pub fn entry(&self) -> Result<AuditEntry, StorageError> {
        Ok(AuditEntry {
            at: self.occurred_at,
            event: AuditEvent::from_code(self.event_code)
                .ok_or(corrupt("audit entry", "has an unknown event code"))?,
            actor: self.actor()?,
            customer: self.customer_id.map(CustomerId),
            resource: self
                .resource
                .as_deref()
                .map(ResourceId::parse)
                .transpose()?,
            action: self.action.as_deref().map(Action::parse).transpose()?,
            basis: self.basis()?,
            source: self.source()?,
            detail: self.detail.clone(),
        })
    }
}

impl TryFrom<AuditRow> for AuditRecord {
    type Error = StorageError;

    fn try_from(row: AuditRow) -> Result<Self, Self::Error> {
        Ok(AuditRecord {
            id: row.id,
            entry: row.entry()?,
            hash: row
                .entry_hash
                .as_deref()
                .map(hex::encode)
                .unwrap_or_default(),
        })
    }
}
