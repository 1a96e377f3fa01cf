//! Consent rows as the databases return them, parsed back through the domain's own checks: a row edited into
//! something the domain would never build is reported as corrupt rather than judged by the access policy.

use chrono::{DateTime, Utc};

use app::domain::consent::{
    ActionSet, CallReference, CallerIdentification, CaseReference, CaseSubject, ConsentRequest,
    ConsentRequestId, ConsentScope, Grant, GrantDuration, GrantHolder, GrantId, GrantOrigin,
    GrantTerms, OralConsent, Reason, ReasonCode, ReasonText, RequestState, ResourceId,
    ScopeReadBack, StoredRequest, SupportCaseId, Teams,
};
use app::domain::InvalidInput;
use app::ports::{
    CustomerId, GrantRecord, RequestRecord, ServiceToken, StaffId, StorageError, SupportCase,
};

pub(crate) fn corrupt(field: &'static str, reason: &'static str) -> StorageError {
    StorageError::Corrupt(InvalidInput::new(field, reason))
}

fn scope(resource: &str, case: Option<i64>) -> Result<ConsentScope, StorageError> {
    ConsentScope::new(ResourceId::parse(resource)?, case.map(SupportCaseId)).map_err(|_| {
        corrupt(
            "consent scope",
            "names a resource or case no consent can cover",
        )
    })
}

macro_rules! select_cases {
    ($rest:literal) => {
        concat!(
            "SELECT id, customer_id, subject, opened_by, opened_at, resolved_at, resolved_by, reference, touched_at \
             FROM support_cases ",
            $rest
        )
    };
}
pub(super) use select_cases;

#[derive(sqlx::FromRow)]
pub(super) struct CaseRow {
    id: i64,
    customer_id: i64,
    subject: String,
    opened_by: i64,
    opened_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    resolved_by: Option<i64>,
    reference: Option<String>,
    touched_at: DateTime<Utc>,
}

impl CaseRow {
    pub(super) const fn customer_id(&self) -> i64 {
        self.customer_id
    }
}

impl TryFrom<CaseRow> for SupportCase {
    type Error = StorageError;

    fn try_from(row: CaseRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: SupportCaseId(row.id),
            customer: CustomerId(row.customer_id),
            subject: CaseSubject::parse(&row.subject)?,
            opened_by: StaffId(row.opened_by),
            opened_at: row.opened_at,
            resolved_at: row.resolved_at,
            resolved_by: row.resolved_by.map(StaffId),
            reference: row
                .reference
                .as_deref()
                .map(CaseReference::parse)
                .transpose()?,
            touched_at: row.touched_at,
        })
    }
}

macro_rules! select_requests {
    ($rest:literal) => {
        concat!(
            "SELECT r.id, r.customer_id, r.requested_by, r.resource, r.case_id, r.actions, r.reason_code, ",
            "r.reason_text, r.duration_seconds, r.created_at, r.answer_by, r.state, r.closed_at, ",
            "r.approved_seconds, r.deny_reason, g.id AS grant_id ",
            "FROM consent_requests r LEFT JOIN grants g ON g.request_id = r.id ",
            $rest
        )
    };
}
pub(super) use select_requests;

#[derive(sqlx::FromRow)]
pub(super) struct RequestRow {
    id: i64,
    customer_id: i64,
    requested_by: i64,
    resource: String,
    case_id: Option<i64>,
    actions: String,
    reason_code: String,
    reason_text: String,
    duration_seconds: i64,
    created_at: DateTime<Utc>,
    answer_by: DateTime<Utc>,
    state: String,
    closed_at: Option<DateTime<Utc>>,
    approved_seconds: Option<i64>,
    deny_reason: Option<String>,
    grant_id: Option<i64>,
}

impl RequestRow {
    fn state(&self) -> Result<RequestState, StorageError> {
        let closed = || {
            self.closed_at
                .ok_or(corrupt("request", "is closed without a time"))
        };
        Ok(match (self.state.as_str(), self.closed_at) {
            ("pending", None) => RequestState::Pending,
            ("pending", Some(_)) => return Err(corrupt("request", "is pending yet closed")),
            ("approved", _) => RequestState::Approved {
                at: closed()?,
                duration: GrantDuration::try_from(
                    self.approved_seconds
                        .ok_or(corrupt("request", "is approved without a duration"))?,
                )?,
            },
            ("denied", _) => RequestState::Denied {
                at: closed()?,
                reason: self
                    .deny_reason
                    .as_deref()
                    .map(ReasonText::parse)
                    .transpose()?,
            },
            ("expired", _) => RequestState::Expired { at: closed()? },
            ("withdrawn", _) => RequestState::Withdrawn { at: closed()? },
            _ => return Err(corrupt("request", "has an unknown state")),
        })
    }
}

impl TryFrom<RequestRow> for RequestRecord {
    type Error = StorageError;

    fn try_from(row: RequestRow) -> Result<Self, Self::Error> {
        let request = ConsentRequest::from_stored(StoredRequest {
            scope: scope(&row.resource, row.case_id)?,
            actions: ActionSet::parse(&row.actions)?,
            reason: Reason {
                code: ReasonCode::parse(&row.reason_code)?,
                text: ReasonText::parse(&row.reason_text)?,
            },
            duration: GrantDuration::try_from(row.duration_seconds)?,
            created_at: row.created_at,
            answer_by: row.answer_by,
            state: row.state()?,
        })?;
        Ok(Self {
            id: ConsentRequestId(row.id),
            customer: CustomerId(row.customer_id),
            requested_by: StaffId(row.requested_by),
            request,
            grant: row.grant_id.map(GrantId),
        })
    }
}

/// The columns of a request's state, as [`RequestRow::state`] reads them back.
pub(super) struct StateColumns<'a> {
    pub state: &'static str,
    pub closed_at: Option<DateTime<Utc>>,
    pub approved_seconds: Option<i64>,
    pub deny_reason: Option<&'a str>,
}

impl<'a> StateColumns<'a> {
    pub fn of(state: &'a RequestState) -> Self {
        let (approved_seconds, deny_reason) = match state {
            RequestState::Approved { duration, .. } => (Some(i64::from(*duration)), None),
            RequestState::Denied { reason, .. } => (None, reason.as_ref().map(ReasonText::as_str)),
            _ => (None, None),
        };
        Self {
            state: state.kind().as_str(),
            closed_at: state.closed_at(),
            approved_seconds,
            deny_reason,
        }
    }
}

macro_rules! select_grants {
    ($rest:literal) => {
        concat!(
            "SELECT g.id, g.customer_id, g.resource, g.case_id, g.actions, g.origin, g.oral_identification, ",
            "g.oral_call_reference, g.oral_scope_read_back, g.request_id, g.recorded_by, g.starts_at, g.limit_at, ",
            "g.revoked_at, g.usable_by_staff, g.usable_by_teams, c.resolved_at AS case_resolved_at ",
            "FROM grants g LEFT JOIN support_cases c ON c.id = g.case_id ",
            $rest
        )
    };
}
pub(super) use select_grants;

#[derive(sqlx::FromRow)]
pub(super) struct GrantRow {
    id: i64,
    customer_id: i64,
    resource: String,
    case_id: Option<i64>,
    actions: String,
    origin: String,
    oral_identification: Option<String>,
    oral_call_reference: Option<String>,
    oral_scope_read_back: Option<String>,
    request_id: Option<i64>,
    recorded_by: Option<i64>,
    starts_at: DateTime<Utc>,
    limit_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    usable_by_staff: Option<i64>,
    usable_by_teams: Option<String>,
    case_resolved_at: Option<DateTime<Utc>>,
}

impl GrantRow {
    fn holder(&self) -> Result<GrantHolder, StorageError> {
        match (self.usable_by_staff, self.usable_by_teams.as_deref()) {
            (Some(staff), None) => Ok(GrantHolder::StaffMember(StaffId(staff))),
            (None, Some(teams)) => Ok(GrantHolder::Teams(Teams::parse(teams)?)),
            _ => Err(corrupt(
                "grant",
                "must name either one staff member or teams who may use it",
            )),
        }
    }

    fn origin(&self) -> Result<GrantOrigin, StorageError> {
        let field = |value: &Option<String>| {
            value
                .clone()
                .ok_or(corrupt("grant", "is oral without all its evidence"))
        };
        match self.origin.as_str() {
            "approved-request" => Ok(GrantOrigin::ApprovedRequest),
            "customer-initiative" => Ok(GrantOrigin::CustomerInitiative),
            "oral" => Ok(GrantOrigin::Oral(OralConsent {
                identification: CallerIdentification::parse(&field(&self.oral_identification)?)?,
                call_reference: CallReference::parse(&field(&self.oral_call_reference)?)?,
                scope_read_back: ScopeReadBack::parse(&field(&self.oral_scope_read_back)?)?,
            })),
            _ => Err(corrupt("grant", "has an unknown origin")),
        }
    }
}

impl TryFrom<GrantRow> for GrantRecord {
    type Error = StorageError;

    fn try_from(row: GrantRow) -> Result<Self, Self::Error> {
        let terms = GrantTerms::from_stored(
            scope(&row.resource, row.case_id)?,
            ActionSet::parse(&row.actions)?,
            row.origin()?,
            row.holder()?,
            row.starts_at,
            row.limit_at,
        )?;
        Ok(Self {
            grant: Grant::from_stored(GrantId(row.id), terms, row.revoked_at),
            customer: CustomerId(row.customer_id),
            request: row.request_id.map(ConsentRequestId),
            recorded_by: row.recorded_by.map(StaffId),
            case_resolved_at: row.case_resolved_at,
        })
    }
}

/// The holder columns of a grant, as [`GrantRow::holder`] reads them back.
pub(super) fn holder_columns(holder: GrantHolder) -> (Option<i64>, Option<&'static str>) {
    match holder {
        GrantHolder::StaffMember(staff) => (Some(staff.0), None),
        GrantHolder::Teams(teams) => (None, Some(teams.as_str())),
    }
}

/// The origin columns of a grant, as [`GrantRow::origin`] reads them back.
pub(super) struct OriginColumns<'a> {
    pub origin: &'static str,
    pub identification: Option<&'a str>,
    pub call_reference: Option<&'a str>,
    pub scope_read_back: Option<&'a str>,
}

impl<'a> OriginColumns<'a> {
    pub fn of(origin: &'a GrantOrigin) -> Self {
        let plain = |origin| Self {
            origin,
            identification: None,
            call_reference: None,
            scope_read_back: None,
        };
        match origin {
            GrantOrigin::ApprovedRequest => plain("approved-request"),
            GrantOrigin::CustomerInitiative => plain("customer-initiative"),
            GrantOrigin::Oral(consent) => Self {
                origin: "oral",
                identification: Some(consent.identification.as_str()),
                call_reference: Some(consent.call_reference.as_str()),
                scope_read_back: Some(consent.scope_read_back.as_str()),
            },
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct TokenRow {
    name: String,
    scopes: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

impl TryFrom<TokenRow> for ServiceToken {
    type Error = StorageError;

    fn try_from(row: TokenRow) -> Result<Self, Self::Error> {
        Ok(Self {
            name: row.name,
            scopes: serde_json::from_str(&row.scopes)
                .map_err(|_| corrupt("service token", "has unreadable scopes"))?,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        })
    }
}
