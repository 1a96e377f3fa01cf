//! Consent to staff access and the access policy (charter §4-§6): typed resources, consent requests and their
//! lifecycle, grants and how they end, and the one function that decides each access.

mod action;
mod case;
mod duration;
mod event;
mod grant;
mod holder;
mod ids;
mod policy;
mod reason;
mod request;
mod resource;
mod scope;
mod text;

#[cfg(test)]
mod properties;

pub use action::{Action, ActionSet};
pub use case::{CaseActivity, IdleAfter};
pub use duration::{AnswerWindow, GrantDuration};
pub use event::{ConsentEvent, ConsentEventType, EventData, GrantData, RequestData};
pub use grant::{EndReason, Grant, GrantEnd, GrantError, GrantOrigin, GrantTerms, OralConsent};
pub use holder::{Audience, GrantHolder, HolderRule, Teams};
pub use ids::{ConsentRequestId, GrantId, SupportCaseId};
pub use policy::{decide, Basis, Decision, DenyRule, GrantView};
pub use reason::{Reason, ReasonCode};
pub use request::{
    Approval, ConsentRequest, RequestError, RequestState, RequestStateKind, StoredRequest,
    TransitionError,
};
pub use resource::{
    BackupSpaceName, Resource, ResourceId, ResourceKind, SnapshotContent, SnapshotId,
    WebSpaceDomain,
};
pub use scope::{is_operational, ConsentDraft, ConsentScope, ScopeError};
pub use text::{
    CallReference, CallerIdentification, CaseReference, CaseSubject, LookupReason, ReasonText,
    ScopeReadBack,
};
