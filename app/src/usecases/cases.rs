//! Support cases: opened, updated and resolved the same way from the portal's screens and from the ticketing system
//! through the API, so that resolving a case ends its mailbox grants whichever side says the problem is solved
//! (charter §5).

use chrono::{DateTime, Utc};

use crate::domain::consent::{CaseReference, CaseSubject, SupportCaseId};
use crate::domain::{AuditEvent, Role};
use crate::ports::{
    Actor, AuditBasis, AuditEntry, ConsentStore, CustomerId, EventSource, NewSupportCase, StaffId,
    StorageError, SupportCase,
};

/// The staff member a case is handled by, with the roles they hold now.
#[derive(Debug, Clone, Copy)]
pub struct CaseHandler<'a> {
    pub id: StaffId,
    pub roles: &'a [Role],
}

impl CaseHandler<'_> {
    fn actor(self) -> Actor {
        Actor::Staff {
            id: self.id,
            roles: self.roles.to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOpening {
    pub customer: CustomerId,
    pub subject: CaseSubject,
    pub reference: Option<CaseReference>,
}

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("only support handles support cases")]
    NotSupport,
    #[error("no such support case")]
    NotFound,
    #[error("this support case is resolved")]
    Resolved,
    #[error("another customer's case has this reference")]
    ReferenceTaken,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Whether a call changed the case or found it as asked: the ticketing system may send the same call twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Changed(SupportCase),
    AsItWas(SupportCase),
}

impl Outcome {
    pub fn case(&self) -> &SupportCase {
        match self {
            Self::Changed(case) | Self::AsItWas(case) => case,
        }
    }
}

fn entry(
    at: DateTime<Utc>,
    event: AuditEvent,
    by: CaseHandler<'_>,
    customer: CustomerId,
    source: EventSource,
    detail: String,
) -> AuditEntry {
    AuditEntry {
        source,
        ..AuditEntry::in_portal(
            at,
            event,
            by.actor(),
            Some(customer),
            AuditBasis::StaffRole,
            detail,
        )
    }
}

fn support_only(by: CaseHandler<'_>) -> Result<(), CaseError> {
    if by.roles.contains(&Role::Support) {
        Ok(())
    } else {
        Err(CaseError::NotSupport)
    }
}

/// Opens a case; with a reference the ticketing system already used for this customer, finds that case instead.
pub async fn open_case(
    store: &dyn ConsentStore,
    by: CaseHandler<'_>,
    opening: CaseOpening,
    source: EventSource,
    now: DateTime<Utc>,
) -> Result<Outcome, CaseError> {
    support_only(by)?;
    if let Some(reference) = &opening.reference {
        if let Some(found) = store.case_by_reference(reference).await? {
            return same_customer(found, opening.customer);
        }
    }
    let audit = entry(
        now,
        AuditEvent::CaseOpened,
        by,
        opening.customer,
        source,
        opening.subject.to_string(),
    );
    let new = NewSupportCase {
        customer: opening.customer,
        subject: opening.subject,
        opened_by: by.id,
        reference: opening.reference.clone(),
    };
    match store.open_case(&new, &audit).await {
        Ok(case) => Ok(Outcome::Changed(case)),
        // Two calls for one ticket at once: the second finds what the first opened.
        Err(StorageError::Conflict(_)) if opening.reference.is_some() => {
            let reference = opening.reference.as_ref().ok_or(CaseError::NotFound)?;
            let found = store
                .case_by_reference(reference)
                .await?
                .ok_or(CaseError::ReferenceTaken)?;
            same_customer(found, opening.customer)
        }
        Err(error) => Err(error.into()),
    }
}

fn same_customer(found: SupportCase, customer: CustomerId) -> Result<Outcome, CaseError> {
    if found.customer == customer {
        Ok(Outcome::AsItWas(found))
    } else {
        Err(CaseError::ReferenceTaken)
    }
}

/// Records that the case was worked on, and its new subject if it has one. A resolved case is not changed.
pub async fn update_case(
    store: &dyn ConsentStore,
    by: CaseHandler<'_>,
    id: SupportCaseId,
    subject: Option<CaseSubject>,
    source: EventSource,
    now: DateTime<Utc>,
) -> Result<SupportCase, CaseError> {
    support_only(by)?;
    let case = store.support_case(id).await?.ok_or(CaseError::NotFound)?;
    if case.resolved_at.is_some() {
        return Err(CaseError::Resolved);
    }
    let subject = subject.filter(|subject| *subject != case.subject);
    let audit = subject.as_ref().map(|_| {
        entry(
            now,
            AuditEvent::CaseUpdated,
            by,
            case.customer,
            source,
            crate::log_detail!("case {id}"),
        )
    });
    let changed = subject.as_ref().zip(audit.as_ref());
    let updated = store
        .update_case(id, changed, now)
        .await?
        .ok_or(CaseError::NotFound)?;
    if updated.resolved_at.is_some() {
        return Err(CaseError::Resolved);
    }
    Ok(updated)
}

/// Resolves the case, which ends every mailbox grant given for it in the same transaction. A case already resolved
/// is left as it was.
pub async fn resolve_case(
    store: &dyn ConsentStore,
    by: CaseHandler<'_>,
    id: SupportCaseId,
    source: EventSource,
    now: DateTime<Utc>,
) -> Result<Outcome, CaseError> {
    support_only(by)?;
    let case = store.support_case(id).await?.ok_or(CaseError::NotFound)?;
    if case.resolved_at.is_some() {
        return Ok(Outcome::AsItWas(case));
    }
    let audit = entry(
        now,
        AuditEvent::CaseResolved,
        by,
        case.customer,
        source,
        crate::log_detail!("case {id}"),
    );
    let resolved = store
        .resolve_case(id, by.id, &audit)
        .await?
        .ok_or(CaseError::NotFound)?;
    if resolved.resolved_at == Some(now) && resolved.resolved_by == Some(by.id) {
        Ok(Outcome::Changed(resolved))
    } else {
        Ok(Outcome::AsItWas(resolved))
    }
}
