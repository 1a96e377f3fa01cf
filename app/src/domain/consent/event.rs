//! What the operator's infrastructure is told when a grant or a consent request changes. A platform holding a staff
//! session open on a customer's mailbox or backup space drops it on a grant's end instead of waiting for its next
//! access check. Events carry identifiers only: the platform already knows the customer's number and the resource,
//! and nothing else about the customer leaves the portal.
//!
//! The `type` names and the fields of `data` are a published format: they are spelt out here, never derived from
//! Rust names, so that renaming a variant cannot change what receivers parse.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{
    ConsentRequest, ConsentRequestId, EndReason, Grant, GrantEnd, GrantHolder, GrantId,
    RequestStateKind,
};
use crate::domain::CustomerNumber;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentEventType {
    GrantCreated,
    GrantRevoked,
    /// Reached its time limit.
    GrantExpired,
    /// A mailbox grant whose support case was resolved (charter §5).
    GrantEnded,
    RequestOpened,
    /// Approved or denied by the customer.
    RequestAnswered,
    RequestWithdrawn,
    RequestExpired,
}

impl ConsentEventType {
    pub const ALL: [Self; 8] = [
        Self::GrantCreated,
        Self::GrantRevoked,
        Self::GrantExpired,
        Self::GrantEnded,
        Self::RequestOpened,
        Self::RequestAnswered,
        Self::RequestWithdrawn,
        Self::RequestExpired,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::GrantCreated => "grant.created",
            Self::GrantRevoked => "grant.revoked",
            Self::GrantExpired => "grant.expired",
            Self::GrantEnded => "grant.ended",
            Self::RequestOpened => "request.opened",
            Self::RequestAnswered => "request.answered",
            Self::RequestWithdrawn => "request.withdrawn",
            Self::RequestExpired => "request.expired",
        }
    }

    /// Whether a staff member's access through the grant must stop now.
    pub const fn ends_access(self) -> bool {
        matches!(
            self,
            Self::GrantRevoked | Self::GrantExpired | Self::GrantEnded
        )
    }

    const fn of_end(reason: EndReason) -> Self {
        match reason {
            EndReason::Revoked => Self::GrantRevoked,
            EndReason::CaseResolved => Self::GrantEnded,
            EndReason::TimeLimit => Self::GrantExpired,
        }
    }

    const fn of_request(state: RequestStateKind) -> Self {
        match state {
            RequestStateKind::Pending => Self::RequestOpened,
            RequestStateKind::Approved | RequestStateKind::Denied => Self::RequestAnswered,
            RequestStateKind::Withdrawn => Self::RequestWithdrawn,
            RequestStateKind::Expired => Self::RequestExpired,
        }
    }
}

/// One event, in the Standard Webhooks payload shape: `{"type", "timestamp", "data"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentEvent {
    #[serde(rename = "type", serialize_with = "type_name")]
    pub event_type: ConsentEventType,
    /// When the change happened (for an end at the time limit: the limit).
    pub timestamp: DateTime<Utc>,
    pub data: EventData,
}

fn type_name<S: serde::Serializer>(
    event_type: &ConsentEventType,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(event_type.as_str())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum EventData {
    Grant(GrantData),
    Request(RequestData),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantData {
    pub grant: i64,
    /// The request whose approval created the grant.
    pub request: Option<i64>,
    pub customer: CustomerNumber,
    pub resource: String,
    /// The support case a mailbox grant is bound to.
    pub case: Option<i64>,
    pub actions: String,
    pub usable_by: GrantHolder,
    pub starts_at: DateTime<Utc>,
    pub limit: DateTime<Utc>,
    /// `active` or `ended`.
    pub state: &'static str,
    pub ended_at: Option<DateTime<Utc>>,
    /// `revoked`, `case-resolved` or `time-limit`.
    pub end_reason: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestData {
    pub request: i64,
    pub customer: CustomerNumber,
    pub resource: String,
    pub case: Option<i64>,
    pub actions: String,
    /// `pending`, `approved`, `denied`, `withdrawn` or `expired`.
    pub state: &'static str,
    pub created_at: DateTime<Utc>,
    pub answer_by: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The grant an approval created.
    pub grant: Option<i64>,
}

const fn end_reason_name(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Revoked => "revoked",
        EndReason::CaseResolved => "case-resolved",
        EndReason::TimeLimit => "time-limit",
    }
}

impl ConsentEvent {
    /// A grant given: by an approval (`request`), on the customer's initiative, or as oral consent.
    pub fn grant_created(
        grant: &Grant,
        request: Option<ConsentRequestId>,
        customer: &CustomerNumber,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            event_type: ConsentEventType::GrantCreated,
            timestamp: at,
            data: EventData::Grant(grant_data(grant, request, customer, None)),
        }
    }

    /// A grant's end; the type says why it ended.
    pub fn grant_ended(
        grant: &Grant,
        request: Option<ConsentRequestId>,
        customer: &CustomerNumber,
        end: GrantEnd,
    ) -> Self {
        Self {
            event_type: ConsentEventType::of_end(end.reason),
            timestamp: end.at,
            data: EventData::Grant(grant_data(grant, request, customer, Some(end))),
        }
    }

    /// A request as it now stands: opened while pending, then answered, withdrawn or expired.
    pub fn request_changed(
        id: ConsentRequestId,
        request: &ConsentRequest,
        customer: &CustomerNumber,
        grant: Option<GrantId>,
    ) -> Self {
        let state = request.recorded_state();
        let scope = request.scope();
        Self {
            event_type: ConsentEventType::of_request(state.kind()),
            timestamp: state.closed_at().unwrap_or_else(|| request.created_at()),
            data: EventData::Request(RequestData {
                request: id.0,
                customer: customer.clone(),
                resource: scope.resource().to_string(),
                case: scope.case().map(|case| case.0),
                actions: request.actions().to_string(),
                state: state.kind().as_str(),
                created_at: request.created_at(),
                answer_by: request.answer_by(),
                closed_at: state.closed_at(),
                grant: grant.map(|grant| grant.0),
            }),
        }
    }

    /// The grant or request the event is about, for looking events up.
    pub const fn subject(&self) -> (&'static str, i64) {
        match &self.data {
            EventData::Grant(data) => ("grant", data.grant),
            EventData::Request(data) => ("request", data.request),
        }
    }
}

fn grant_data(
    grant: &Grant,
    request: Option<ConsentRequestId>,
    customer: &CustomerNumber,
    end: Option<GrantEnd>,
) -> GrantData {
    let terms = grant.terms();
    GrantData {
        grant: grant.id().0,
        request: request.map(|request| request.0),
        customer: customer.clone(),
        resource: terms.scope().resource().to_string(),
        case: terms.scope().case().map(|case| case.0),
        actions: terms.actions().to_string(),
        usable_by: terms.holder(),
        starts_at: terms.starts_at(),
        limit: terms.limit(),
        state: if end.is_some() { "ended" } else { "active" },
        ended_at: end.map(|end| end.at),
        end_reason: end.map(|end| end_reason_name(end.reason)),
    }
}

#[cfg(all(test, feature = "ssr"))]
#[allow(clippy::unwrap_used)]
#[path = "event_tests.rs"]
mod tests;
