//! One staff access, decided and recorded: the portal's screens and the integration API both come here, so an
//! access is never judged by anything but [`decide`] and never answered before its audit entry is stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::consent::{
    decide, Action, Basis, Decision, DenyRule, GrantView, Resource, ResourceId, SnapshotContent,
};
use crate::domain::{AuditEvent, CustomerNumber, EmailAddress};
use crate::ports::{
    Actor, AuditBasis, AuditEntry, CustomerId, EventSource, GrantRecord, StaffMember, Storage,
    StorageError,
};

/// Who and what a check names: the staff member with their roles, the customer, the owner of the resource. A
/// busy caller may read these through a cache of a couple of seconds, which it must document (a role withdrawn
/// then still counts that long). Grants are never read through it.
#[async_trait]
pub trait Directory: Send + Sync {
    async fn staff(&self, email: &EmailAddress) -> Result<Option<StaffMember>, StorageError>;
    async fn customer(&self, number: &CustomerNumber) -> Result<Option<CustomerId>, StorageError>;
    async fn owner_of(&self, resource: &ResourceId) -> Result<Option<CustomerId>, StorageError>;
}

/// Reads every name from the store, as it is now.
#[derive(Debug, Clone, Copy)]
pub struct StoreDirectory<'a>(pub &'a dyn Storage);

#[async_trait]
impl Directory for StoreDirectory<'_> {
    async fn staff(&self, email: &EmailAddress) -> Result<Option<StaffMember>, StorageError> {
        self.0.staff_by_email(email).await
    }

    async fn customer(&self, number: &CustomerNumber) -> Result<Option<CustomerId>, StorageError> {
        Ok(self
            .0
            .customer_by_number(number)
            .await?
            .map(|customer| customer.id))
    }

    async fn owner_of(&self, resource: &ResourceId) -> Result<Option<CustomerId>, StorageError> {
        self.0.owner_of(resource).await
    }
}

/// Where a check's audit entry goes. `record` returns only once the entry is stored durably: the answer waits
/// for it, so that no access can be allowed without its trace.
#[async_trait]
pub trait AuditSink: Send + Sync {
    async fn record(&self, entry: AuditEntry) -> Result<(), StorageError>;
}

/// Writes each entry in its own transaction: right where checks are rare, such as the portal's screens. The API
/// groups the entries of concurrent checks into one transaction instead.
#[derive(Debug, Clone, Copy)]
pub struct StoreAudit<'a>(pub &'a dyn Storage);

#[async_trait]
impl AuditSink for StoreAudit<'_> {
    async fn record(&self, entry: AuditEntry) -> Result<(), StorageError> {
        self.0.record_audit(std::slice::from_ref(&entry)).await
    }
}

/// The question a caller asks: may this staff member do this to this customer's resource now?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessQuery {
    pub staff: EmailAddress,
    pub customer: CustomerNumber,
    pub resource: ResourceId,
    pub action: Action,
    pub source: EventSource,
    pub now: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccessCheckError {
    #[error("no staff member has this email")]
    UnknownStaff,
    #[error("no customer has this number")]
    UnknownCustomer,
    /// Also for a snapshot the registry does not know, or whose destruction was confirmed.
    #[error("this customer has no such resource")]
    UnknownResource,
    #[error("the check could not be recorded in the audit log")]
    NotRecorded(#[source] StorageError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Decides the access and records the check, allowed or not. An unknown staff member, customer or resource is an
/// error for the caller, who named something that does not exist; it is recorded all the same as a denial with the
/// identifiers as given (charter §2: every decision is audited, denials most of all), attributed to the customer
/// only when that customer owns the resource named.
pub async fn check_access(
    store: &dyn Storage,
    directory: &dyn Directory,
    audit: &dyn AuditSink,
    query: AccessQuery,
) -> Result<Decision, AccessCheckError> {
    // A snapshot is judged by what it holds, as the registry (never the caller) says; a destroyed one no longer
    // exists.
    let snapshot = match registered_snapshot(store, &query.resource).await {
        Ok(snapshot) => Some(snapshot),
        Err(AccessCheckError::UnknownResource) => None,
        Err(error) => return Err(error),
    };
    let grants_on = match &snapshot {
        Some(Some((_, holds))) => holds.id(),
        _ => query.resource.clone(),
    };
    let owner_of = async {
        match &snapshot {
            Some(Some((owner, _))) => Ok(Some(*owner)),
            Some(None) => directory.owner_of(&query.resource).await,
            None => Ok(None),
        }
    };
    // Grants are read from the store, for this check, every time: a revocation that has returned to the customer
    // must never be missed by a check that starts after it.
    let (staff, customer, owner, grants) = tokio::try_join!(
        directory.staff(&query.staff),
        directory.customer(&query.customer),
        owner_of,
        store.live_grants_on(&grants_on, query.now),
    )?;
    let resource = snapshot.and_then(|snapshot| {
        Resource::resolve(query.resource.clone(), snapshot.map(|(_, holds)| holds)).ok()
    });
    let (staff, customer, resource) = match (staff, customer, resource) {
        (Some(staff), Some(customer), Some(resource)) if owner == Some(customer) => {
            (staff, customer, resource)
        }
        (staff, customer, resource) => {
            let (error, rule) = match (&staff, customer, resource) {
                (None, ..) => (AccessCheckError::UnknownStaff, DenyRule::UnknownStaffMember),
                (_, None, _) => (AccessCheckError::UnknownCustomer, DenyRule::UnknownCustomer),
                _ => (
                    AccessCheckError::UnknownResource,
                    DenyRule::NotTheCustomersResource,
                ),
            };
            let entry =
                unknown_party_entry(&query, staff, customer.filter(|c| owner == Some(*c)), rule);
            audit
                .record(entry)
                .await
                .map_err(AccessCheckError::NotRecorded)?;
            return Err(error);
        }
    };
    // A service that moved to another customer keeps its identifier; the previous holder's consent must not
    // open it to staff working for the new one.
    let views: Vec<GrantView<'_>> = grants
        .iter()
        .filter(|record| record.customer == customer)
        .map(GrantRecord::view)
        .collect();
    let decision = decide(
        staff.id,
        &staff.roles,
        &resource,
        query.action,
        &views,
        query.now,
    );
    let entry = AuditEntry {
        at: query.now,
        event: AuditEvent::AccessChecked,
        actor: Actor::Staff {
            id: staff.id,
            roles: staff.roles,
        },
        customer: Some(customer),
        resource: Some(query.resource),
        action: Some(query.action),
        basis: audit_basis(decision),
        source: query.source,
        detail: holder_detail(decision),
    };
    audit
        .record(entry)
        .await
        .map_err(AccessCheckError::NotRecorded)?;
    Ok(decision)
}

/// The denial recorded for a check that named someone or something unknown, with the names as given.
fn unknown_party_entry(
    query: &AccessQuery,
    staff: Option<StaffMember>,
    customer: Option<CustomerId>,
    rule: DenyRule,
) -> AuditEntry {
    AuditEntry {
        at: query.now,
        event: AuditEvent::AccessChecked,
        actor: staff.map_or(Actor::Unidentified, |staff| Actor::Staff {
            id: staff.id,
            roles: staff.roles,
        }),
        customer,
        resource: Some(query.resource.clone()),
        action: Some(query.action),
        basis: AuditBasis::Refused(rule),
        source: query.source.clone(),
        detail: Some(crate::log_detail!(
            "asked as {staff} for customer {customer}",
            staff = query.staff,
            customer = query.customer
        )),
    }
}

/// Which part of the grant let the staff member in: named in person, or through a team the customer chose.
pub fn holder_detail(decision: Decision) -> Option<String> {
    match decision {
        Decision::Allow {
            usable_by: Some(rule),
            ..
        } => Some(crate::log_detail!(
            "grant usable by {holder}",
            holder = rule.as_str()
        )),
        _ => None,
    }
}

/// For a snapshot, its owner and what it holds according to the registry; `Ok(None)` for any other resource.
/// An unregistered or destroyed snapshot is an unknown resource.
pub async fn registered_snapshot(
    store: &dyn Storage,
    resource: &ResourceId,
) -> Result<Option<(CustomerId, SnapshotContent)>, AccessCheckError> {
    let ResourceId::Snapshot(id) = resource else {
        return Ok(None);
    };
    store
        .snapshot(id)
        .await?
        .filter(|snapshot| snapshot.destroyed_at.is_none())
        .map(|snapshot| Some((snapshot.customer, snapshot.holds)))
        .ok_or(AccessCheckError::UnknownResource)
}

/// What the audit log says about a decision: the grant or rule that made it.
pub const fn audit_basis(decision: Decision) -> AuditBasis {
    match decision {
        Decision::Allow {
            basis: Basis::Grant(id),
            ..
        } => AuditBasis::Grant(id),
        Decision::Allow {
            basis: Basis::TechnicalOperation,
            ..
        } => AuditBasis::TechnicalOperation,
        Decision::Deny { rule } => AuditBasis::Refused(rule),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::consent::GrantId;
    use crate::ports::Outcome;

    #[test]
    fn the_audit_names_the_grant_or_the_rule_behind_a_decision() {
        let by_grant = Decision::Allow {
            basis: Basis::Grant(GrantId(4)),
            expires_at: None,
            usable_by: None,
        };
        assert_eq!(audit_basis(by_grant), AuditBasis::Grant(GrantId(4)));
        let technical = Decision::Allow {
            basis: Basis::TechnicalOperation,
            expires_at: None,
            usable_by: None,
        };
        assert_eq!(audit_basis(technical), AuditBasis::TechnicalOperation);
        let refused = audit_basis(Decision::Deny {
            rule: DenyRule::NoActiveGrant,
        });
        assert_eq!(refused, AuditBasis::Refused(DenyRule::NoActiveGrant));
        assert_eq!(refused.outcome(), Outcome::Denied);
    }
}
