//! An access the operator's infrastructure reports after the fact. It is recorded with the basis the policy finds
//! for it at the moment it happened, so an access that happened without one stands out in the customer's log.

use chrono::{DateTime, Duration, Utc};
use std::fmt;

use super::access_check::{audit_basis, AccessCheckError};
use crate::domain::consent::{decide, Action, Decision, GrantView, Resource, ResourceId};
use crate::domain::{AuditEvent, CustomerNumber, EmailAddress, InvalidInput};
use crate::ports::{Actor, AuditEntry, EventSource, GrantRecord, Storage, StorageError};

/// The reporting service's own identifier for the event; a report sent twice carries the same one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventId(String);

impl EventId {
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        if raw.is_empty() {
            return Err(InvalidInput::new("event_id", "is required"));
        }
        if raw.len() > Self::MAX_CHARS {
            return Err(InvalidInput::new("event_id", "has at most 128 characters"));
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidInput::new(
                "event_id",
                "has printable ASCII characters only, without spaces",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedAccess {
    /// The reporting service, as its token names it: event ids are unique per service.
    pub service: String,
    pub event_id: EventId,
    pub staff: EmailAddress,
    pub customer: CustomerNumber,
    pub resource: ResourceId,
    pub action: Action,
    pub occurred_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutcome {
    /// Recorded with the decision the policy gives the access as of when it happened.
    Recorded { decision: Decision },
    /// The service had reported this event before; nothing was written.
    AlreadyRecorded,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no staff member has this email")]
    UnknownStaff,
    #[error("no customer has this number")]
    UnknownCustomer,
    #[error("this customer has no such resource")]
    UnknownResource,
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// How far ahead of the portal's clock a reporting machine's clock may run.
const CLOCK_SKEW: Duration = Duration::minutes(5);
/// Older reports are refused: the customer's log would otherwise fill with events nobody can still check.
const OLDEST: Duration = Duration::days(30);

pub async fn report_access(
    store: &dyn Storage,
    report: ReportedAccess,
) -> Result<ReportOutcome, ReportError> {
    if report.occurred_at > report.now + CLOCK_SKEW {
        return Err(InvalidInput::new("occurred_at", "is in the future").into());
    }
    if report.occurred_at < report.now - OLDEST {
        return Err(InvalidInput::new("occurred_at", "must be within the last 30 days").into());
    }
    let snapshot = super::access_check::registered_snapshot(store, &report.resource)
        .await
        .map_err(|error| match error {
            AccessCheckError::Storage(error) => ReportError::Storage(error),
            _ => ReportError::UnknownResource,
        })?;
    let owner_of = async {
        match &snapshot {
            Some((owner, _)) => Ok(Some(*owner)),
            None => store.owner_of(&report.resource).await,
        }
    };
    let (staff, customer, owner) = tokio::try_join!(
        store.staff_by_email(&report.staff),
        store.customer_by_number(&report.customer),
        owner_of,
    )?;
    let staff = staff.ok_or(ReportError::UnknownStaff)?;
    let customer = customer.ok_or(ReportError::UnknownCustomer)?;
    if owner != Some(customer.id) {
        return Err(ReportError::UnknownResource);
    }
    let resource = Resource::resolve(report.resource.clone(), snapshot.map(|(_, holds)| holds))
        .map_err(|_| ReportError::UnknownResource)?;
    // Every grant, ended ones included: one revoked since the access may still have covered it when it happened.
    // The staff member's roles are today's, as no history of roles is kept.
    let grants = store.grants_of_customer(customer.id).await?;
    let views: Vec<GrantView<'_>> = grants.iter().map(GrantRecord::view).collect();
    let decision = decide(
        staff.id,
        &staff.roles,
        &resource,
        report.action,
        &views,
        report.occurred_at,
    );
    let entry = AuditEntry {
        at: report.occurred_at,
        event: AuditEvent::AccessReported,
        actor: Actor::Staff {
            id: staff.id,
            roles: staff.roles,
        },
        customer: Some(customer.id),
        resource: Some(report.resource),
        action: Some(report.action),
        basis: audit_basis(decision),
        source: EventSource::Service(report.service.clone()),
        detail: super::access_check::holder_detail(decision),
    };
    let recorded = store
        .record_reported_access(&report.service, report.event_id.as_str(), &entry)
        .await?;
    Ok(if recorded {
        ReportOutcome::Recorded { decision }
    } else {
        ReportOutcome::AlreadyRecorded
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_bounded_printable_tokens() {
        assert!(EventId::parse("ftp-gw:2026-03-01:000123").is_ok());
        assert!(EventId::parse(&"e".repeat(128)).is_ok());
        for bad in ["", "two words", "tab\there", "é", &"e".repeat(129)] {
            assert_eq!(
                EventId::parse(bad).map_err(|e| e.field),
                Err("event_id"),
                "{bad:?}"
            );
        }
    }
}
