//! Steps the consent server functions share: who may act, reading form input into domain types, the audit entry
//! each change writes, and turning stored records into what the screens show.

#[cfg(feature = "ssr")]
mod server_side {
    use chrono::{DateTime, Utc};
    use std::collections::HashMap;

    use crate::api::consent_views::{
        CaseRef, ConsentState, CustomerLabel, GrantSource, GrantSummary, GrantUsers, RequestView,
        ResourceLabel, StaffLabel,
    };
    use crate::api::context::{fail, forbid, internal, require_staff, AppContext};
    use crate::api::AppError;
    use crate::auth::guard::{AsCustomer, AsStaff};
    use crate::domain::consent::{
        is_operational, Action, ActionSet, GrantDuration, GrantHolder, GrantOrigin, RequestState,
        RequestStateKind, ResourceId, ScopeError, SupportCaseId, TransitionError,
    };
    use crate::domain::{AuditEvent, CustomerNumber, InvalidInput, Language};
    use crate::ports::{
        Actor, AuditBasis, AuditEntry, Customer, CustomerId, EventSource, GrantRecord, MailKind,
        OutgoingMail, RequestRecord, SettleError, StaffId, Storage, StorageError, SupportCase,
    };
    use crate::usecases::cases::{CaseError, CaseHandler};

    /// Support or a system administrator: the roles that ask for consent and record it. A privacy officer oversees
    /// and is refused, and the refusal is on record like any other.
    pub async fn require_operational(context: &AppContext) -> Result<AsStaff, AppError> {
        let staff = require_staff(context).await?;
        if is_operational(staff.roles()) {
            Ok(staff)
        } else {
            forbid(
                context,
                Some(staff.account()),
                "missing role support or sysadmin",
            )
            .await
        }
    }

    /// The input error `invalid`, shown next to the form field `field`.
    pub fn on_field(field: &str, invalid: InvalidInput) -> AppError {
        AppError::Invalid {
            field: field.to_owned(),
            message: AppError::from(invalid).to_string(),
        }
    }

    pub fn refuse<T>(field: &str, message: &str) -> Result<T, AppError> {
        fail(AppError::invalid(field, message))
    }

    pub fn parsed<T>(field: &str, result: Result<T, InvalidInput>) -> Result<T, AppError> {
        result.or_else(|invalid| fail(on_field(field, invalid)))
    }

    /// An optional form field: absent and blank are the same.
    pub fn given(raw: Option<String>) -> Option<String> {
        raw.map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    /// The ticked action checkboxes (`action_list`, `action_read`, …), each present only when ticked.
    pub fn ticked_actions(ticked: [Option<String>; 4]) -> Result<ActionSet, AppError> {
        let actions = Action::ALL
            .into_iter()
            .zip(ticked)
            .filter(|(_, box_value)| box_value.is_some())
            .map(|(action, _)| action);
        parsed("actions", ActionSet::new(actions))
    }

    pub fn minutes(field: &str, raw: &str) -> Result<GrantDuration, AppError> {
        let Ok(minutes) = raw.trim().parse::<i64>() else {
            return refuse(field, "The duration must be a whole number of minutes.");
        };
        parsed(field, GrantDuration::from_minutes(minutes))
    }

    pub fn scope_error(error: ScopeError) -> AppError {
        let field = match error {
            ScopeError::MailboxNeedsSupportCase => "case",
            ScopeError::WebSpaceNeedsNoConsent | ScopeError::SnapshotFollowsItsData => "resource",
        };
        AppError::invalid(field, capitalised(&error.to_string()))
    }

    fn capitalised(text: &str) -> String {
        let mut chars = text.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    }

    pub fn transition_error(error: TransitionError) -> AppError {
        match error {
            TransitionError::Expired { .. } => {
                AppError::invalid("request", "This request expired unanswered.")
            }
            TransitionError::Closed { state, .. } => AppError::invalid(
                "request",
                format!("This request was already {}.", state.as_str()),
            ),
            TransitionError::LongerThanRequested { .. } => AppError::invalid(
                "approved_minutes",
                "You may shorten the requested duration, not extend it.",
            ),
            TransitionError::StillOpen { .. } => internal(error),
        }
    }

    pub fn settle_error(error: SettleError) -> AppError {
        match error {
            SettleError::NoLongerPending => {
                AppError::invalid("request", "This request was answered in the meantime.")
            }
            SettleError::Storage(error) => internal(error),
        }
    }

    pub async fn customer_by_number(context: &AppContext, raw: &str) -> Result<Customer, AppError> {
        let number = parsed("customer_number", CustomerNumber::parse(raw))?;
        match context
            .store
            .customer_by_number(&number)
            .await
            .map_err(internal)?
        {
            Some(customer) => Ok(customer),
            None => refuse("customer_number", "There is no customer with this number."),
        }
    }

    /// A backup space or mailbox of `customer`, named as `mailbox:…` or `backup-space:…`.
    pub async fn resource_of(
        context: &AppContext,
        customer: CustomerId,
        raw: &str,
    ) -> Result<ResourceId, AppError> {
        let resource = parsed("resource", ResourceId::parse(raw))?;
        let owner = context.store.owner_of(&resource).await.map_err(internal)?;
        if owner != Some(customer) {
            return refuse(
                "resource",
                "This customer has no such backup space or mailbox.",
            );
        }
        Ok(resource)
    }

    /// The support case a consent names, if one is given: it must be the customer's and still open.
    pub async fn open_case_of(
        context: &AppContext,
        customer: CustomerId,
        raw: Option<String>,
    ) -> Result<Option<SupportCaseId>, AppError> {
        let Some(raw) = given(raw) else {
            return Ok(None);
        };
        let id = parsed("case", SupportCaseId::parse(&raw))?;
        match context.store.support_case(id).await.map_err(internal)? {
            Some(case) if case.customer == customer && case.resolved_at.is_none() => Ok(Some(id)),
            Some(case) if case.customer == customer => {
                refuse("case", "This support case is already resolved.")
            }
            _ => refuse("case", "This customer has no such support case."),
        }
    }

    /// How an audit detail names who may use a grant.
    pub fn holder_word(holder: GrantHolder) -> &'static str {
        match holder {
            GrantHolder::StaffMember(_) => "named-staff-member",
            GrantHolder::Teams(teams) => teams.as_str(),
        }
    }

    /// The notice telling the staff member who asked what became of their request; none when they are no longer
    /// on record, or chose not to be mailed (their queue marks it all the same).
    pub async fn requester_notice_of(
        context: &AppContext,
        record: &RequestRecord,
        answer: crate::usecases::consent_notices::Answer,
    ) -> Result<Option<OutgoingMail>, AppError> {
        let requester = context
            .store
            .staff_member(record.requested_by)
            .await
            .map_err(internal)?;
        Ok(requester.and_then(|requester| {
            crate::usecases::consent_notices::requester_notice(
                &requester,
                record.id,
                &record.request.scope().resource(),
                answer,
                &context.auth.public_origin,
            )
        }))
    }

    pub fn staff_actor(staff: &AsStaff) -> Actor {
        Actor::Staff {
            id: staff.staff(),
            roles: staff.roles().to_vec(),
        }
    }

    pub fn case_handler(staff: &AsStaff) -> CaseHandler<'_> {
        CaseHandler {
            id: staff.staff(),
            roles: staff.roles(),
        }
    }

    /// A case use case's refusal as the support screens show it.
    pub fn case_refusal<T>(error: CaseError) -> Result<T, AppError> {
        match error {
            CaseError::NotSupport => fail(AppError::Forbidden),
            CaseError::NotFound | CaseError::ReferenceTaken => fail(AppError::NotFound),
            CaseError::Resolved => refuse("case", "This support case is already resolved."),
            CaseError::Storage(error) => Err(internal(error)),
        }
    }

    pub fn customer_actor(customer: &AsCustomer) -> Actor {
        Actor::Customer {
            id: customer.customer(),
        }
    }

    /// An entry about a change made in the portal's screens.
    pub fn audit_entry(
        at: DateTime<Utc>,
        event: AuditEvent,
        actor: Actor,
        customer: CustomerId,
        resource: Option<ResourceId>,
        detail: String,
    ) -> AuditEntry {
        let basis = match actor {
            Actor::Customer { .. } => AuditBasis::TheCustomer,
            Actor::Staff { .. } | Actor::System | Actor::Unidentified => AuditBasis::StaffRole,
        };
        AuditEntry {
            at,
            event,
            actor,
            customer: Some(customer),
            resource,
            action: None,
            basis,
            source: EventSource::Portal,
            detail: Some(detail),
        }
    }

    /// A consent mail to the customer, in their language.
    pub fn mail_to(
        customer: &Customer,
        french: (String, String),
        english: (String, String),
    ) -> OutgoingMail {
        let language = customer.details.language;
        let (subject, body_text) = match language {
            Language::Fr => french,
            Language::En => english,
        };
        OutgoingMail {
            kind: MailKind::Consent,
            to: customer.details.email.clone(),
            customer: Some(customer.id),
            language,
            subject,
            body_text,
        }
    }

    pub fn resource_label(resource: &ResourceId) -> ResourceLabel {
        let id = resource.to_string();
        let name = id
            .split_once(':')
            .map_or_else(|| id.clone(), |(_, name)| name.to_owned());
        ResourceLabel {
            id,
            kind: resource.kind(),
            name,
        }
    }

    /// Builds views, looking each staff member, customer and case up once per page.
    pub struct Labels<'a> {
        store: &'a dyn Storage,
        staff: HashMap<StaffId, StaffLabel>,
        customers: HashMap<CustomerId, CustomerLabel>,
        cases: HashMap<SupportCaseId, Option<CaseRef>>,
    }

    impl<'a> Labels<'a> {
        pub fn new(store: &'a dyn Storage) -> Self {
            Self {
                store,
                staff: HashMap::new(),
                customers: HashMap::new(),
                cases: HashMap::new(),
            }
        }

        pub async fn staff(&mut self, id: StaffId) -> Result<StaffLabel, StorageError> {
            if let Some(label) = self.staff.get(&id) {
                return Ok(label.clone());
            }
            let label = match self.store.staff_member(id).await? {
                Some(member) => StaffLabel {
                    name: member.display_name,
                    roles: member.roles,
                },
                None => StaffLabel {
                    name: format!("#{}", id.0),
                    roles: Vec::new(),
                },
            };
            self.staff.insert(id, label.clone());
            Ok(label)
        }

        pub async fn customer(&mut self, id: CustomerId) -> Result<CustomerLabel, StorageError> {
            if let Some(label) = self.customers.get(&id) {
                return Ok(label.clone());
            }
            let label = match self.store.customer(id).await? {
                Some(customer) => customer_label(&customer),
                None => CustomerLabel {
                    number: String::new(),
                    name: format!("#{}", id.0),
                },
            };
            self.customers.insert(id, label.clone());
            Ok(label)
        }

        pub async fn case(
            &mut self,
            id: Option<SupportCaseId>,
        ) -> Result<Option<CaseRef>, StorageError> {
            let Some(id) = id else {
                return Ok(None);
            };
            if let Some(case) = self.cases.get(&id) {
                return Ok(case.clone());
            }
            let case = self
                .store
                .support_case(id)
                .await?
                .map(|case| case_ref(&case));
            self.cases.insert(id, case.clone());
            Ok(case)
        }

        pub async fn request(
            &mut self,
            record: &RequestRecord,
            viewer: Option<StaffId>,
            now: DateTime<Utc>,
        ) -> Result<RequestView, StorageError> {
            let request = &record.request;
            let state = request.state_at(now);
            let (approved_minutes, deny_reason) = match &state {
                RequestState::Approved { duration, .. } => {
                    (Some(duration.get().num_minutes()), None)
                }
                RequestState::Denied { reason, .. } => {
                    (None, reason.as_ref().map(|reason| reason.to_string()))
                }
                _ => (None, None),
            };
            Ok(RequestView {
                id: record.id,
                customer: self.customer(record.customer).await?,
                requested_by: self.staff(record.requested_by).await?,
                mine: viewer == Some(record.requested_by),
                resource: resource_label(&request.scope().resource()),
                case: self.case(request.scope().case()).await?,
                actions: request.actions().iter().collect(),
                reason_code: request.reason().code,
                reason_text: request.reason().text.to_string(),
                requested_minutes: request.requested_duration().get().num_minutes(),
                created_at: request.created_at(),
                answer_by: request.answer_by(),
                state: state.kind(),
                closed_at: state.closed_at(),
                approved_minutes,
                deny_reason,
                grant: record.grant,
                news: false,
            })
        }

        /// Everything of the customer's consents, as `viewer` (staff, or none for the customer) sees it.
        pub async fn consent_state(
            &mut self,
            customer: CustomerId,
            viewer: Option<StaffId>,
            now: DateTime<Utc>,
        ) -> Result<ConsentState, StorageError> {
            let mut state = ConsentState {
                pending: Vec::new(),
                active: Vec::new(),
                past_requests: Vec::new(),
                ended: Vec::new(),
            };
            for record in &self.store.requests_of_customer(customer).await? {
                let view = self.request(record, viewer, now).await?;
                if view.state == RequestStateKind::Pending {
                    state.pending.push(view);
                } else {
                    state.past_requests.push(view);
                }
            }
            for record in &self.store.grants_of_customer(customer).await? {
                let view = self.grant(record, now).await?;
                if view.active {
                    state.active.push(view);
                } else {
                    state.ended.push(view);
                }
            }
            Ok(state)
        }

        pub async fn grant(
            &mut self,
            record: &GrantRecord,
            now: DateTime<Utc>,
        ) -> Result<GrantSummary, StorageError> {
            let grant = &record.grant;
            let terms = grant.terms();
            let resolved = record.case_resolved_at;
            let (source, call_reference) = match terms.origin() {
                GrantOrigin::ApprovedRequest => (GrantSource::ApprovedRequest, None),
                GrantOrigin::CustomerInitiative => (GrantSource::CustomerInitiative, None),
                GrantOrigin::Oral(oral) => {
                    (GrantSource::Oral, Some(oral.call_reference.to_string()))
                }
            };
            let recorded_by = match record.recorded_by {
                Some(staff) => Some(self.staff(staff).await?),
                None => None,
            };
            let usable_by = match terms.holder() {
                GrantHolder::StaffMember(staff) => {
                    GrantUsers::StaffMember(self.staff(staff).await?)
                }
                GrantHolder::Teams(teams) => GrantUsers::Teams(teams),
            };
            Ok(GrantSummary {
                id: grant.id(),
                resource: resource_label(&terms.scope().resource()),
                case: self.case(terms.scope().case()).await?,
                actions: terms.actions().iter().collect(),
                source,
                recorded_by,
                call_reference,
                usable_by,
                starts_at: terms.starts_at(),
                ends_at: grant.end(resolved).at,
                active: grant.is_active(now, resolved),
                end_reason: grant.end_reason(now, resolved),
                seconds_left: grant
                    .time_left(now, resolved)
                    .map(|left| left.num_seconds()),
            })
        }
    }

    pub fn customer_label(customer: &Customer) -> CustomerLabel {
        let details = &customer.details;
        let person = format!("{} {}", details.first_name, details.last_name);
        CustomerLabel {
            number: details.number.to_string(),
            name: match &details.company {
                Some(company) => format!("{person}, {company}"),
                None => person,
            },
        }
    }

    pub fn case_ref(case: &SupportCase) -> CaseRef {
        CaseRef {
            id: case.id,
            subject: case.subject.to_string(),
            resolved_at: case.resolved_at,
        }
    }
}

#[cfg(feature = "ssr")]
pub use server_side::*;
