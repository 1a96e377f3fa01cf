//! A consent grant: what the customer agreed to, from when, until when at the latest, and how it ends.
//!
//! A grant ends at the first of: its time limit, its revocation, and, for a mailbox, the resolution of its support
//! case (charter §5: the consent "cesse d'être valable dès que le problème est résolu"). The case's state lives
//! with the case, so it is passed in rather than copied into every grant.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::scope::is_operational;
use super::{
    ActionSet, CallReference, CallerIdentification, ConsentDraft, ConsentScope, GrantDuration,
    GrantHolder, GrantId, ScopeError, ScopeReadBack, Teams,
};
use crate::domain::{InvalidInput, Role, StaffId};

/// How the customer's consent was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum GrantOrigin {
    /// The customer approved a request in the portal.
    ApprovedRequest,
    /// The customer granted access in the portal without being asked.
    CustomerInitiative,
    /// The customer agreed on the phone and staff recorded it (charter §4.2: "au moins par voie orale").
    Oral(OralConsent),
}

/// What staff must record for oral consent to count: without all three, nobody could later tell whether the
/// right person agreed to the right thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OralConsent {
    pub identification: CallerIdentification,
    pub call_reference: CallReference,
    pub scope_read_back: ScopeReadBack,
}

/// A grant's content before the storage gives it an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantTerms {
    scope: ConsentScope,
    actions: ActionSet,
    origin: GrantOrigin,
    holder: GrantHolder,
    starts_at: DateTime<Utc>,
    limit: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    #[error("only support and system administrators record oral consent")]
    RecorderNotEntitled,
    #[error(transparent)]
    Scope(#[from] ScopeError),
    #[error("the grant already ended at {}", .0.at)]
    AlreadyEnded(GrantEnd),
}

impl GrantTerms {
    pub(super) fn from_approval(
        scope: ConsentScope,
        actions: ActionSet,
        duration: GrantDuration,
        holder: GrantHolder,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            scope,
            actions,
            origin: GrantOrigin::ApprovedRequest,
            holder,
            starts_at: now,
            limit: now + duration.get(),
        }
    }

    fn from_draft(
        draft: ConsentDraft,
        origin: GrantOrigin,
        holder: GrantHolder,
        now: DateTime<Utc>,
    ) -> Result<Self, ScopeError> {
        Ok(Self {
            scope: ConsentScope::new(draft.resource, draft.case)?,
            actions: draft.actions,
            origin,
            holder,
            starts_at: now,
            limit: now + draft.duration.get(),
        })
    }

    /// The customer grants access without a request, to the teams they choose (nobody asked, so there is nobody
    /// to name); a mailbox still needs the case it is for.
    pub fn on_customer_initiative(
        draft: ConsentDraft,
        teams: Teams,
        now: DateTime<Utc>,
    ) -> Result<Self, ScopeError> {
        Self::from_draft(
            draft,
            GrantOrigin::CustomerInitiative,
            GrantHolder::Teams(teams),
            now,
        )
    }

    /// Staff record consent the customer gave on the phone; the consent was given to the one who recorded it.
    pub fn oral(
        recorder: StaffId,
        recorder_roles: &[Role],
        draft: ConsentDraft,
        consent: OralConsent,
        now: DateTime<Utc>,
    ) -> Result<Self, GrantError> {
        if !is_operational(recorder_roles) {
            return Err(GrantError::RecorderNotEntitled);
        }
        Ok(Self::from_draft(
            draft,
            GrantOrigin::Oral(consent),
            GrantHolder::StaffMember(recorder),
            now,
        )?)
    }

    pub fn from_stored(
        scope: ConsentScope,
        actions: ActionSet,
        origin: GrantOrigin,
        holder: GrantHolder,
        starts_at: DateTime<Utc>,
        limit: DateTime<Utc>,
    ) -> Result<Self, InvalidInput> {
        let length = limit - starts_at;
        if length < GrantDuration::MIN || length > GrantDuration::MAX {
            return Err(InvalidInput::new(
                "grant",
                "its limit is not between one minute and 30 days after its start",
            ));
        }
        Ok(Self {
            scope,
            actions,
            origin,
            holder,
            starts_at,
            limit,
        })
    }

    pub fn scope(&self) -> &ConsentScope {
        &self.scope
    }

    pub const fn actions(&self) -> ActionSet {
        self.actions
    }

    pub fn origin(&self) -> &GrantOrigin {
        &self.origin
    }

    /// Who may use the grant.
    pub const fn holder(&self) -> GrantHolder {
        self.holder
    }

    pub const fn starts_at(&self) -> DateTime<Utc> {
        self.starts_at
    }

    /// The time limit: the grant ends then at the latest.
    pub const fn limit(&self) -> DateTime<Utc> {
        self.limit
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndReason {
    // Declared in the order that breaks ties: a deliberate act is reported rather than the clock.
    Revoked,
    CaseResolved,
    TimeLimit,
}

/// When and why a grant ends, or will end if nothing else happens first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantEnd {
    pub at: DateTime<Utc>,
    pub reason: EndReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    id: GrantId,
    terms: GrantTerms,
    revoked_at: Option<DateTime<Utc>>,
}

impl Grant {
    pub const fn new(id: GrantId, terms: GrantTerms) -> Self {
        Self {
            id,
            terms,
            revoked_at: None,
        }
    }

    pub const fn from_stored(
        id: GrantId,
        terms: GrantTerms,
        revoked_at: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            id,
            terms,
            revoked_at,
        }
    }

    pub const fn id(&self) -> GrantId {
        self.id
    }

    pub const fn terms(&self) -> &GrantTerms {
        &self.terms
    }

    pub const fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.revoked_at
    }

    /// The first of the grant's possible ends. `case_resolved_at` is when the case the grant names was resolved,
    /// if it was; it only counts for a mailbox grant.
    pub fn end(&self, case_resolved_at: Option<DateTime<Utc>>) -> GrantEnd {
        let case_end = case_resolved_at.filter(|_| self.terms.scope.bound_case().is_some());
        [
            Some((self.terms.limit, EndReason::TimeLimit)),
            self.revoked_at.map(|at| (at, EndReason::Revoked)),
            case_end.map(|at| (at, EndReason::CaseResolved)),
        ]
        .into_iter()
        .flatten()
        .min_by_key(|(at, reason)| (*at, *reason))
        .map_or(
            GrantEnd {
                at: self.terms.limit,
                reason: EndReason::TimeLimit,
            },
            |(at, reason)| GrantEnd { at, reason },
        )
    }

    /// Whether the grant covers an access at `now`: started, and not yet ended.
    pub fn is_active(&self, now: DateTime<Utc>, case_resolved_at: Option<DateTime<Utc>>) -> bool {
        self.terms.starts_at <= now && now < self.end(case_resolved_at).at
    }

    /// When the grant ended, if it has by `now`.
    pub fn ended_at(
        &self,
        now: DateTime<Utc>,
        case_resolved_at: Option<DateTime<Utc>>,
    ) -> Option<DateTime<Utc>> {
        Some(self.end(case_resolved_at))
            .filter(|end| end.at <= now)
            .map(|end| end.at)
    }

    /// Why the grant ended, if it has by `now`.
    pub fn end_reason(
        &self,
        now: DateTime<Utc>,
        case_resolved_at: Option<DateTime<Utc>>,
    ) -> Option<EndReason> {
        Some(self.end(case_resolved_at))
            .filter(|end| end.at <= now)
            .map(|end| end.reason)
    }

    /// How long the grant still runs, if it is active.
    pub fn time_left(
        &self,
        now: DateTime<Utc>,
        case_resolved_at: Option<DateTime<Utc>>,
    ) -> Option<Duration> {
        self.is_active(now, case_resolved_at)
            .then(|| self.end(case_resolved_at).at - now)
    }

    /// The customer withdraws consent; it stops covering any access from `now` on.
    pub fn revoke(
        &self,
        now: DateTime<Utc>,
        case_resolved_at: Option<DateTime<Utc>>,
    ) -> Result<Self, GrantError> {
        let end = self.end(case_resolved_at);
        if end.at <= now {
            return Err(GrantError::AlreadyEnded(end));
        }
        Ok(Self {
            revoked_at: Some(now),
            ..self.clone()
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::consent::{Action, ResourceId, SupportCaseId};
    use chrono::TimeZone;

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + minutes * 60, 0)
            .single()
            .unwrap()
    }

    fn draft(resource: &str, case: Option<i64>, minutes: i64) -> ConsentDraft {
        ConsentDraft {
            resource: ResourceId::parse(resource).unwrap(),
            case: case.map(SupportCaseId),
            actions: ActionSet::single(Action::Read),
            duration: GrantDuration::from_minutes(minutes).unwrap(),
        }
    }

    fn oral_consent() -> OralConsent {
        OralConsent {
            identification: CallerIdentification::parse("called back on the number on file")
                .unwrap(),
            call_reference: CallReference::parse("CALL-2026-0412").unwrap(),
            scope_read_back: ScopeReadBack::parse(
                "read access to your mailbox for case 7, two hours",
            )
            .unwrap(),
        }
    }

    /// A mailbox grant for case 7, from t(0) to t(60).
    fn mailbox_grant() -> Grant {
        let terms = GrantTerms::on_customer_initiative(
            draft("mailbox:x@a.ch", Some(7), 60),
            Teams::Support,
            t(0),
        )
        .unwrap();
        Grant::new(GrantId(1), terms)
    }

    fn backup_grant() -> Grant {
        let terms = GrantTerms::on_customer_initiative(
            draft("backup-space:b", Some(7), 60),
            Teams::Support,
            t(0),
        )
        .unwrap();
        Grant::new(GrantId(2), terms)
    }

    #[test]
    fn a_grant_runs_from_its_start_to_its_limit() {
        let grant = mailbox_grant();
        assert!(!grant.is_active(t(-1), None));
        assert!(grant.is_active(t(0), None));
        assert!(grant.is_active(t(59), None));
        assert!(!grant.is_active(t(60), None));
        assert_eq!(grant.time_left(t(45), None), Some(Duration::minutes(15)));
        assert_eq!(grant.ended_at(t(59), None), None);
        assert_eq!(grant.ended_at(t(60), None), Some(t(60)));
        assert_eq!(grant.end_reason(t(90), None), Some(EndReason::TimeLimit));
    }

    #[test]
    fn revocation_ends_a_grant_at_once() {
        let revoked = mailbox_grant().revoke(t(10), None).unwrap();
        assert!(revoked.is_active(t(9), None));
        assert!(!revoked.is_active(t(10), None));
        assert_eq!(revoked.end_reason(t(10), None), Some(EndReason::Revoked));
        assert_eq!(
            revoked.revoke(t(20), None),
            Err(GrantError::AlreadyEnded(GrantEnd {
                at: t(10),
                reason: EndReason::Revoked
            }))
        );
        assert!(matches!(
            mailbox_grant().revoke(t(60), None),
            Err(GrantError::AlreadyEnded(GrantEnd {
                reason: EndReason::TimeLimit,
                ..
            }))
        ));
    }

    #[test]
    fn a_mailbox_grant_ends_when_its_case_is_resolved() {
        let grant = mailbox_grant();
        assert!(!grant.is_active(t(30), Some(t(30))));
        assert!(grant.is_active(t(29), Some(t(30))));
        assert_eq!(
            grant.end_reason(t(30), Some(t(30))),
            Some(EndReason::CaseResolved)
        );
        assert_eq!(
            grant.revoke(t(40), Some(t(30))),
            Err(GrantError::AlreadyEnded(GrantEnd {
                at: t(30),
                reason: EndReason::CaseResolved
            }))
        );
        assert!(
            !grant.is_active(t(0), Some(t(-5))),
            "a grant for a case already resolved never covers anything"
        );
    }

    #[test]
    fn a_backup_space_grant_outlives_the_case_it_cites() {
        assert!(backup_grant().is_active(t(30), Some(t(10))));
        assert_eq!(backup_grant().end(Some(t(10))).reason, EndReason::TimeLimit);
    }

    #[test]
    fn the_first_end_wins_and_a_deliberate_end_is_reported_on_a_tie() {
        let grant = mailbox_grant().revoke(t(20), None).unwrap();
        assert_eq!(
            grant.end(Some(t(25))),
            GrantEnd {
                at: t(20),
                reason: EndReason::Revoked
            }
        );
        assert_eq!(
            grant.end(Some(t(15))),
            GrantEnd {
                at: t(15),
                reason: EndReason::CaseResolved
            }
        );
        assert_eq!(grant.end(Some(t(20))).reason, EndReason::Revoked);
        assert_eq!(
            mailbox_grant().end(Some(t(60))).reason,
            EndReason::CaseResolved
        );
    }

    #[test]
    fn oral_consent_is_recorded_by_operational_staff_with_its_evidence() {
        let oral = GrantTerms::oral(
            StaffId(3),
            &[Role::Support],
            draft("backup-space:b", None, 120),
            oral_consent(),
            t(0),
        )
        .unwrap();
        assert_eq!(oral.limit(), t(120));
        assert_eq!(
            oral.holder(),
            GrantHolder::StaffMember(StaffId(3)),
            "oral consent is given to the one who took the call"
        );
        assert!(
            matches!(oral.origin(), GrantOrigin::Oral(c) if c.call_reference.as_str() == "CALL-2026-0412")
        );
        assert_eq!(
            GrantTerms::oral(
                StaffId(3),
                &[Role::PrivacyOfficer],
                draft("backup-space:b", None, 120),
                oral_consent(),
                t(0)
            ),
            Err(GrantError::RecorderNotEntitled)
        );
        assert_eq!(
            GrantTerms::oral(
                StaffId(3),
                &[Role::Support],
                draft("mailbox:x@a.ch", None, 120),
                oral_consent(),
                t(0)
            ),
            Err(GrantError::Scope(ScopeError::MailboxNeedsSupportCase))
        );
    }

    #[test]
    fn stored_grants_must_have_a_plausible_limit() {
        let terms = mailbox_grant().terms().clone();
        let stored = |limit| {
            GrantTerms::from_stored(
                terms.scope().clone(),
                terms.actions(),
                terms.origin().clone(),
                terms.holder(),
                t(0),
                limit,
            )
        };
        assert_eq!(stored(t(60)), Ok(terms.clone()));
        assert!(stored(t(0)).is_err());
        assert!(stored(t(31 * 24 * 60)).is_err());
    }

    #[test]
    fn oral_consent_from_the_wire_still_needs_every_field() {
        use serde::de::value::{Error, MapDeserializer};
        let with_identification = |identification: &'static str| {
            let fields = [
                ("identification", identification),
                ("call_reference", "C1"),
                ("scope_read_back", "read"),
            ];
            OralConsent::deserialize(MapDeserializer::<_, Error>::new(fields.into_iter()))
        };
        assert!(with_identification("").is_err());
        assert!(with_identification("known voice, customer number").is_ok());
    }
}
