//! A consent request from support or a system administrator, and its lifecycle: pending, then approved, denied,
//! expired or withdrawn, never anything again after that.
//!
//! Expiry needs no job to happen: a pending request whose answer window has passed is expired for every rule here,
//! whether or not the storage has recorded it yet. [`ConsentRequest::expire`] only lets a job record it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::scope::is_operational;
use super::{
    ActionSet, AnswerWindow, ConsentDraft, ConsentScope, GrantDuration, GrantHolder, GrantTerms,
    Reason, ReasonText, ScopeError,
};
use crate::domain::{InvalidInput, Role};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRequest {
    scope: ConsentScope,
    actions: ActionSet,
    reason: Reason,
    duration: GrantDuration,
    created_at: DateTime<Utc>,
    answer_by: DateTime<Utc>,
    state: RequestState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum RequestState {
    Pending,
    /// `duration` is what the customer agreed to: the requested one or shorter.
    Approved {
        at: DateTime<Utc>,
        duration: GrantDuration,
    },
    Denied {
        at: DateTime<Utc>,
        reason: Option<ReasonText>,
    },
    /// `at` is the end of the answer window, not when someone noticed.
    Expired {
        at: DateTime<Utc>,
    },
    Withdrawn {
        at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestStateKind {
    Pending,
    Approved,
    Denied,
    Expired,
    Withdrawn,
}

impl RequestStateKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn",
        }
    }
}

impl RequestState {
    pub const fn kind(&self) -> RequestStateKind {
        match self {
            Self::Pending => RequestStateKind::Pending,
            Self::Approved { .. } => RequestStateKind::Approved,
            Self::Denied { .. } => RequestStateKind::Denied,
            Self::Expired { .. } => RequestStateKind::Expired,
            Self::Withdrawn { .. } => RequestStateKind::Withdrawn,
        }
    }

    /// When the request left `Pending`.
    pub const fn closed_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::Pending => None,
            Self::Approved { at, .. }
            | Self::Denied { at, .. }
            | Self::Expired { at }
            | Self::Withdrawn { at } => Some(*at),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("only support and system administrators ask for consent")]
    RequesterNotEntitled,
    #[error(transparent)]
    Scope(#[from] ScopeError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the request expired unanswered at {at}")]
    Expired { at: DateTime<Utc> },
    #[error("the request was already {} at {at}", state.as_str())]
    Closed {
        state: RequestStateKind,
        at: DateTime<Utc>,
    },
    #[error("the customer may shorten the requested duration, not extend it")]
    LongerThanRequested {
        requested: GrantDuration,
        offered: GrantDuration,
    },
    #[error("the request stays open until {until}")]
    StillOpen { until: DateTime<Utc> },
}

/// An approval: the request as it now stands, and the grant to store with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub request: ConsentRequest,
    pub grant: GrantTerms,
}

/// A request as the storage keeps it, to be checked again on the way back in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    pub scope: ConsentScope,
    pub actions: ActionSet,
    pub reason: Reason,
    pub duration: GrantDuration,
    pub created_at: DateTime<Utc>,
    pub answer_by: DateTime<Utc>,
    pub state: RequestState,
}

impl ConsentRequest {
    /// Opens a request. Refused for a web space or a snapshot (no consent applies), for a mailbox without a
    /// support case, and for anyone without an operational role.
    pub fn open(
        requester_roles: &[Role],
        draft: ConsentDraft,
        reason: Reason,
        window: AnswerWindow,
        now: DateTime<Utc>,
    ) -> Result<Self, RequestError> {
        if !is_operational(requester_roles) {
            return Err(RequestError::RequesterNotEntitled);
        }
        Ok(Self {
            scope: ConsentScope::new(draft.resource, draft.case)?,
            actions: draft.actions,
            reason,
            duration: draft.duration,
            created_at: now,
            answer_by: now + window.get(),
            state: RequestState::Pending,
        })
    }

    pub fn from_stored(stored: StoredRequest) -> Result<Self, InvalidInput> {
        if stored.answer_by <= stored.created_at {
            return Err(InvalidInput::new(
                "request",
                "its answer window ends before it was opened",
            ));
        }
        if let RequestState::Approved { duration, .. } = stored.state {
            if duration > stored.duration {
                return Err(InvalidInput::new(
                    "request",
                    "it was approved for longer than requested",
                ));
            }
        }
        Ok(Self {
            scope: stored.scope,
            actions: stored.actions,
            reason: stored.reason,
            duration: stored.duration,
            created_at: stored.created_at,
            answer_by: stored.answer_by,
            state: stored.state,
        })
    }

    pub fn scope(&self) -> &ConsentScope {
        &self.scope
    }

    pub const fn actions(&self) -> ActionSet {
        self.actions
    }

    pub fn reason(&self) -> &Reason {
        &self.reason
    }

    pub const fn requested_duration(&self) -> GrantDuration {
        self.duration
    }

    pub const fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// The customer may answer strictly before this instant.
    pub const fn answer_by(&self) -> DateTime<Utc> {
        self.answer_by
    }

    /// The state as last recorded, which may still say pending after the answer window closed.
    pub fn recorded_state(&self) -> &RequestState {
        &self.state
    }

    /// The state as it truly is at `now`.
    pub fn state_at(&self, now: DateTime<Utc>) -> RequestState {
        match self.state {
            RequestState::Pending if now >= self.answer_by => {
                RequestState::Expired { at: self.answer_by }
            }
            ref state => state.clone(),
        }
    }

    /// Whether the customer is to be reminded of the request at `now`: still open, with half of its answer window
    /// gone. Whether they already saw it in the portal, or were reminded, is on record beside it, not here.
    pub fn reminder_due(&self, now: DateTime<Utc>) -> bool {
        let halfway = self.created_at + (self.answer_by - self.created_at) / 2;
        now >= halfway && self.state_at(now) == RequestState::Pending
    }

    fn ensure_open(&self, now: DateTime<Utc>) -> Result<(), TransitionError> {
        match self.state_at(now) {
            RequestState::Pending => Ok(()),
            RequestState::Expired { at } => Err(TransitionError::Expired { at }),
            closed => Err(TransitionError::Closed {
                state: closed.kind(),
                at: closed.closed_at().unwrap_or(self.answer_by),
            }),
        }
    }

    fn with_state(&self, state: RequestState) -> Self {
        Self {
            state,
            ..self.clone()
        }
    }

    /// The customer agrees, for the requested duration or a shorter one, to `holder` (the requester unless the
    /// customer widened it to a team); the grant starts now.
    pub fn approve(
        &self,
        now: DateTime<Utc>,
        shorter: Option<GrantDuration>,
        holder: GrantHolder,
    ) -> Result<Approval, TransitionError> {
        self.ensure_open(now)?;
        let duration = shorter.unwrap_or(self.duration);
        if duration > self.duration {
            return Err(TransitionError::LongerThanRequested {
                requested: self.duration,
                offered: duration,
            });
        }
        Ok(Approval {
            request: self.with_state(RequestState::Approved { at: now, duration }),
            grant: GrantTerms::from_approval(
                self.scope.clone(),
                self.actions,
                duration,
                holder,
                now,
            ),
        })
    }

    pub fn deny(
        &self,
        now: DateTime<Utc>,
        reason: Option<ReasonText>,
    ) -> Result<Self, TransitionError> {
        self.ensure_open(now)?;
        Ok(self.with_state(RequestState::Denied { at: now, reason }))
    }

    /// The requester takes the request back. Checking that the caller is the requester is the caller's job: the
    /// domain does not know staff identities.
    pub fn withdraw(&self, now: DateTime<Utc>) -> Result<Self, TransitionError> {
        self.ensure_open(now)?;
        Ok(self.with_state(RequestState::Withdrawn { at: now }))
    }

    /// Records that the answer window closed, for a job that tidies up and notifies the requester.
    pub fn expire(&self, now: DateTime<Utc>) -> Result<Self, TransitionError> {
        match self.ensure_open(now) {
            Ok(()) => Err(TransitionError::StillOpen {
                until: self.answer_by,
            }),
            Err(TransitionError::Expired { at }) if self.state == RequestState::Pending => {
                Ok(self.with_state(RequestState::Expired { at }))
            }
            Err(TransitionError::Expired { at }) => Err(TransitionError::Closed {
                state: RequestStateKind::Expired,
                at,
            }),
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::consent::Teams;
    use crate::domain::StaffId;

    const AGENT: GrantHolder = GrantHolder::StaffMember(StaffId(5));
    use crate::domain::consent::{Action, ReasonCode, ResourceId, SupportCaseId};
    use chrono::{Duration, TimeZone};

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + minutes * 60, 0)
            .single()
            .unwrap_or_default()
    }

    fn minutes(m: i64) -> GrantDuration {
        GrantDuration::from_minutes(m).unwrap()
    }

    fn reason() -> Reason {
        Reason {
            code: ReasonCode::CustomerSupport,
            text: ReasonText::parse("webmail is slow").unwrap(),
        }
    }

    fn draft(resource: &str, case: Option<i64>) -> ConsentDraft {
        ConsentDraft {
            resource: ResourceId::parse(resource).unwrap(),
            case: case.map(SupportCaseId),
            actions: ActionSet::single(Action::Read),
            duration: minutes(120),
        }
    }

    /// A pending request for a mailbox opened at t(0), answerable until t(24 h).
    fn pending() -> ConsentRequest {
        ConsentRequest::open(
            &[Role::Support],
            draft("mailbox:jeanne@example.ch", Some(7)),
            reason(),
            AnswerWindow::default(),
            t(0),
        )
        .unwrap()
    }

    #[test]
    fn a_mailbox_request_without_a_case_is_refused_at_construction() {
        let open = |roles: &[Role], resource, case| {
            ConsentRequest::open(
                roles,
                draft(resource, case),
                reason(),
                AnswerWindow::default(),
                t(0),
            )
            .map(|r| r.scope().resource().to_string())
        };
        assert_eq!(
            open(&[Role::Support], "mailbox:jeanne@example.ch", None),
            Err(RequestError::Scope(ScopeError::MailboxNeedsSupportCase))
        );
        assert_eq!(
            open(&[Role::Sysadmin], "backup-space:backup-x", None),
            Ok("backup-space:backup-x".to_owned())
        );
        assert_eq!(
            open(&[Role::Support], "web-space:a.ch", None),
            Err(RequestError::Scope(ScopeError::WebSpaceNeedsNoConsent))
        );
        assert_eq!(
            open(&[Role::Sysadmin], "snapshot:s1", Some(7)),
            Err(RequestError::Scope(ScopeError::SnapshotFollowsItsData))
        );
    }

    #[test]
    fn only_operational_staff_ask_for_consent() {
        for roles in [&[][..], &[Role::PrivacyOfficer]] {
            assert_eq!(
                ConsentRequest::open(
                    roles,
                    draft("backup-space:b", None),
                    reason(),
                    AnswerWindow::default(),
                    t(0)
                ),
                Err(RequestError::RequesterNotEntitled)
            );
        }
    }

    #[test]
    fn a_request_is_open_for_its_answer_window_only() {
        let request = pending();
        assert_eq!(request.answer_by(), t(24 * 60));
        assert_eq!(request.state_at(t(24 * 60 - 1)), RequestState::Pending);
        assert_eq!(
            request.state_at(t(24 * 60)),
            RequestState::Expired { at: t(24 * 60) }
        );
        let short = ConsentRequest::open(
            &[Role::Support],
            draft("backup-space:b", None),
            reason(),
            AnswerWindow::new(Duration::hours(2)).unwrap(),
            t(0),
        )
        .unwrap();
        assert_eq!(short.state_at(t(120)).kind(), RequestStateKind::Expired);
    }

    #[test]
    fn approval_starts_a_grant_for_the_requested_duration() {
        let approval = pending().approve(t(30), None, AGENT).unwrap();
        assert_eq!(
            approval.request.recorded_state(),
            &RequestState::Approved {
                at: t(30),
                duration: minutes(120)
            }
        );
        assert_eq!(approval.grant.starts_at(), t(30));
        assert_eq!(approval.grant.limit(), t(150));
        assert_eq!(approval.grant.scope(), pending().scope());
        assert_eq!(approval.grant.actions(), ActionSet::single(Action::Read));
        assert_eq!(approval.grant.holder(), AGENT);
        let widened = pending()
            .approve(t(30), None, GrantHolder::Teams(Teams::Sysadmins))
            .unwrap();
        assert_eq!(widened.grant.holder(), GrantHolder::Teams(Teams::Sysadmins));
    }

    #[test]
    fn the_customer_may_shorten_the_duration_but_not_extend_it() {
        let shorter = pending().approve(t(0), Some(minutes(15)), AGENT).unwrap();
        assert_eq!(shorter.grant.limit(), t(15));
        assert!(pending().approve(t(0), Some(minutes(120)), AGENT).is_ok());
        assert_eq!(
            pending()
                .approve(t(0), Some(minutes(121)), AGENT)
                .map(|_| ()),
            Err(TransitionError::LongerThanRequested {
                requested: minutes(120),
                offered: minutes(121)
            })
        );
    }

    #[test]
    fn an_expired_request_can_no_longer_be_answered() {
        let late = t(24 * 60);
        let expired = Err(TransitionError::Expired { at: late });
        assert_eq!(pending().approve(late, None, AGENT).map(|_| ()), expired);
        assert_eq!(pending().deny(late, None).map(|_| ()), expired);
        assert_eq!(pending().withdraw(late).map(|_| ()), expired);
    }

    #[test]
    fn an_answered_request_is_never_answered_again() {
        let denied = pending()
            .deny(t(5), ReasonText::parse("not now").ok())
            .unwrap();
        let closed = Err(TransitionError::Closed {
            state: RequestStateKind::Denied,
            at: t(5),
        });
        assert_eq!(denied.approve(t(6), None, AGENT).map(|_| ()), closed);
        assert_eq!(denied.deny(t(6), None).map(|_| ()), closed);
        assert_eq!(denied.withdraw(t(6)).map(|_| ()), closed);
        assert_eq!(denied.expire(t(24 * 60)).map(|_| ()), closed);
        let approved = pending().approve(t(5), None, AGENT).unwrap().request;
        assert!(matches!(
            approved.deny(t(6), None),
            Err(TransitionError::Closed {
                state: RequestStateKind::Approved,
                ..
            })
        ));
        assert_eq!(
            approved.state_at(t(10_000)).kind(),
            RequestStateKind::Approved,
            "an answered request does not expire"
        );
    }

    #[test]
    fn the_requester_may_withdraw_a_pending_request() {
        let withdrawn = pending().withdraw(t(3)).unwrap();
        assert_eq!(
            withdrawn.recorded_state(),
            &RequestState::Withdrawn { at: t(3) }
        );
        assert!(matches!(
            withdrawn.approve(t(4), None, AGENT),
            Err(TransitionError::Closed {
                state: RequestStateKind::Withdrawn,
                ..
            })
        ));
    }

    #[test]
    fn expiry_is_recorded_only_once_the_window_has_closed() {
        assert_eq!(
            pending().expire(t(60)),
            Err(TransitionError::StillOpen { until: t(24 * 60) })
        );
        let expired = pending().expire(t(30 * 60)).unwrap();
        assert_eq!(
            expired.recorded_state(),
            &RequestState::Expired { at: t(24 * 60) }
        );
        assert!(matches!(
            expired.expire(t(31 * 60)),
            Err(TransitionError::Closed {
                state: RequestStateKind::Expired,
                ..
            })
        ));
    }

    #[test]
    fn stored_requests_are_checked_on_the_way_back_in() {
        let request = pending();
        let stored = |state, answer_by| StoredRequest {
            scope: request.scope().clone(),
            actions: request.actions(),
            reason: request.reason().clone(),
            duration: request.requested_duration(),
            created_at: request.created_at(),
            answer_by,
            state,
        };
        assert_eq!(
            ConsentRequest::from_stored(stored(RequestState::Pending, request.answer_by())),
            Ok(request.clone())
        );
        assert!(ConsentRequest::from_stored(stored(RequestState::Pending, t(0))).is_err());
        let too_long = RequestState::Approved {
            at: t(1),
            duration: minutes(121),
        };
        assert!(ConsentRequest::from_stored(stored(too_long, request.answer_by())).is_err());
    }

    #[test]
    fn a_reminder_is_due_from_half_the_window_until_it_closes_and_only_while_pending() {
        let request = pending();
        // Opened at t(0), answerable for 24 h: half-way is 12 h in.
        assert!(!request.reminder_due(t(0)));
        assert!(!request.reminder_due(t(12 * 60 - 1)));
        assert!(request.reminder_due(t(12 * 60)));
        assert!(request.reminder_due(t(24 * 60 - 1)));
        assert!(
            !request.reminder_due(t(24 * 60)),
            "expired: nothing to answer"
        );
        let denied = request.deny(t(60), None).unwrap();
        assert!(!denied.reminder_due(t(13 * 60)), "answered");
    }
}
