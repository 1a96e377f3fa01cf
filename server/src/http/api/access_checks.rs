//! `POST /api/v1/access-checks`: the infrastructure asks, before any staff access, whether it may happen.

use axum::{extract::State, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use app::domain::consent::{Action, Basis, Decision, DenyRule, HolderRule, ResourceId, Teams};
use app::domain::{CustomerNumber, EmailAddress};
use app::ports::EventSource;
use app::usecases::{check_access, AccessCheckError, AccessQuery};

use super::auth::{AccessChecks, Authorized};
use super::error::{ApiError, ApiJson, ErrorBody};
use super::ApiState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessCheckRequest {
    /// The staff member's email, as the portal knows them.
    #[schema(example = "camille.rey@staff.portal.example")]
    pub staff: String,
    /// The customer number the resource belongs to.
    #[schema(example = "C-100001")]
    pub customer: String,
    /// `web-space:<domain>`, `backup-space:<name>`, `mailbox:<address>` or `snapshot:<id>`.
    #[schema(example = "mailbox:jeanne.favre@boulangerie-favre.ch")]
    pub resource: String,
    pub action: ActionName,
}

/// What the staff member would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActionName {
    List,
    Read,
    Write,
    Restore,
}

impl From<ActionName> for Action {
    fn from(action: ActionName) -> Self {
        match action {
            ActionName::List => Self::List,
            ActionName::Read => Self::Read,
            ActionName::Write => Self::Write,
            ActionName::Restore => Self::Restore,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionName {
    Allow,
    Deny,
}

/// Why: the customer's grant, a technical operation on a web space, or the rule that refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BasisName {
    Grant,
    TechnicalOperation,
    NoStaffRole,
    NotOperationalStaff,
    SnapshotsAreForSysadmins,
    NoActiveGrant,
    /// A grant covers the access, but the customer gave it to another staff member.
    GrantForSomeoneElse,
    /// Never in a decision: the check is answered 422 (and recorded as a denial).
    UnknownStaffMember,
    /// Never in a decision: the check is answered 422 (and recorded as a denial).
    UnknownCustomer,
    /// Never in a decision: the check is answered 422 (and recorded as a denial).
    NotTheCustomersResource,
}

/// How the grant names the staff member: in person (the one who asked, or who recorded the oral consent), or
/// through a team the customer opened it to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UsableByName {
    NamedStaffMember,
    Support,
    Sysadmins,
    SupportAndSysadmins,
}

impl From<HolderRule> for UsableByName {
    fn from(rule: HolderRule) -> Self {
        match rule {
            HolderRule::NamedStaffMember => Self::NamedStaffMember,
            HolderRule::Team(Teams::Support) => Self::Support,
            HolderRule::Team(Teams::Sysadmins) => Self::Sysadmins,
            HolderRule::Team(Teams::SupportAndSysadmins) => Self::SupportAndSysadmins,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessCheckResponse {
    pub decision: DecisionName,
    pub basis: BasisName,
    /// The grant that allows the access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<i64>,
    /// When the grant ends at the latest if nothing ends it sooner. It is no licence to cache: the customer may
    /// revoke, or the case be resolved, at any moment, and that takes effect at the very next check. Ask before
    /// every access; a session held open (IMAP, FTP) must be checked again at least every 30 seconds and closed
    /// on a deny.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// For an allow through a grant: whether it names this staff member or a team of theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usable_by: Option<UsableByName>,
}

impl From<Decision> for AccessCheckResponse {
    fn from(decision: Decision) -> Self {
        match decision {
            Decision::Allow {
                basis,
                expires_at,
                usable_by,
            } => Self {
                decision: DecisionName::Allow,
                basis: match basis {
                    Basis::Grant(_) => BasisName::Grant,
                    Basis::TechnicalOperation => BasisName::TechnicalOperation,
                },
                grant_id: match basis {
                    Basis::Grant(id) => Some(id.0),
                    Basis::TechnicalOperation => None,
                },
                expires_at,
                usable_by: usable_by.map(UsableByName::from),
            },
            Decision::Deny { rule } => Self {
                decision: DecisionName::Deny,
                basis: match rule {
                    DenyRule::NoStaffRole => BasisName::NoStaffRole,
                    DenyRule::NotOperationalStaff => BasisName::NotOperationalStaff,
                    DenyRule::SnapshotsAreForSysadmins => BasisName::SnapshotsAreForSysadmins,
                    DenyRule::NoActiveGrant => BasisName::NoActiveGrant,
                    DenyRule::GrantForSomeoneElse => BasisName::GrantForSomeoneElse,
                    DenyRule::UnknownStaffMember => BasisName::UnknownStaffMember,
                    DenyRule::UnknownCustomer => BasisName::UnknownCustomer,
                    DenyRule::NotTheCustomersResource => BasisName::NotTheCustomersResource,
                },
                grant_id: None,
                expires_at: None,
                usable_by: None,
            },
        }
    }
}

/// Decide a staff access
///
/// Every check, allowed or not, is in the customer's audit log before the answer leaves; one that names an unknown
/// staff member, customer or resource is recorded as a denial too. A grant the customer revoked, or a mailbox
/// grant whose case was resolved, never allows a check made after that; a grant given to one staff member allows
/// no one else.
///
/// Never cache an answer, an allow least of all: ask before every access. Where a session stays open (an IMAP or
/// FTP session of a staff member), check again at least every 30 seconds and close the session on a deny.
#[utoipa::path(
    post,
    path = "/access-checks",
    tag = "access",
    request_body = AccessCheckRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The decision", body = AccessCheckResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, unknown or revoked token", body = ErrorBody),
        (status = 403, description = "The token lacks the access-checks scope", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body not sent as JSON", body = ErrorBody),
        (status = 422, description = "A field is invalid, or names a staff member, customer or resource the portal does not know (recorded as a denial)", body = ErrorBody),
        (status = 503, description = "The check could not be recorded; it was not answered", body = ErrorBody),
    )
)]
pub async fn check(
    State(state): State<ApiState>,
    service: Authorized<AccessChecks>,
    ApiJson(request): ApiJson<AccessCheckRequest>,
) -> Result<Json<AccessCheckResponse>, ApiError> {
    let query = AccessQuery {
        staff: EmailAddress::parse(&request.staff).map_err(|e| ApiError::invalid("staff", &e))?,
        customer: CustomerNumber::parse(&request.customer)
            .map_err(|e| ApiError::invalid("customer", &e))?,
        resource: ResourceId::parse(&request.resource)
            .map_err(|e| ApiError::invalid("resource", &e))?,
        action: request.action.into(),
        source: EventSource::Service(service.caller.name.clone()),
        now: state.clock.now(),
    };
    let checked = check_access(
        state.store.as_ref(),
        state.directory.as_ref(),
        &state.audit,
        query,
    )
    .await;
    let (decision, basis) = match &checked {
        Ok(Decision::Allow {
            basis: Basis::Grant(_),
            ..
        }) => ("allow", "grant"),
        Ok(Decision::Allow {
            basis: Basis::TechnicalOperation,
            ..
        }) => ("allow", "technical-operation"),
        Ok(Decision::Deny { rule }) => ("deny", rule.as_str()),
        Err(AccessCheckError::UnknownStaff) => ("deny", DenyRule::UnknownStaffMember.as_str()),
        Err(AccessCheckError::UnknownCustomer) => ("deny", DenyRule::UnknownCustomer.as_str()),
        Err(AccessCheckError::UnknownResource) => {
            ("deny", DenyRule::NotTheCustomersResource.as_str())
        }
        Err(AccessCheckError::NotRecorded(_) | AccessCheckError::Storage(_)) => {
            ("unavailable", "unavailable")
        }
    };
    state.metrics.count_access_check(decision, basis);
    checked
        .map(|decision| Json(decision.into()))
        .map_err(|error| match error {
            AccessCheckError::UnknownStaff => {
                ApiError::unknown("unknown-staff", "staff", "no staff member has this email")
            }
            AccessCheckError::UnknownCustomer => ApiError::unknown(
                "unknown-customer",
                "customer",
                "no customer has this number",
            ),
            AccessCheckError::UnknownResource => ApiError::unknown(
                "unknown-resource",
                "resource",
                "this customer has no such resource",
            ),
            AccessCheckError::NotRecorded(error) | AccessCheckError::Storage(error) => {
                ApiError::unavailable(&error)
            }
        })
}
