//! Property tests of the consent domain. The histories replay random sequences of requests, answers, grants,
//! revocations, case resolutions and passing time through the domain and through a reference model (`model.rs`)
//! written from the charter's wording with nothing but strings, bit masks and minutes; every access check along
//! the way must get the same answer from both.
#![allow(clippy::unwrap_used)]

mod histories;
mod identifiers;
mod model;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::domain::Role;

const ACTIONS: [Action; 4] = [Action::List, Action::Read, Action::Write, Action::Restore];

/// Everything a check may target; a snapshot lists what it holds.
const UNIVERSE: [(&str, Option<&str>); 9] = [
    ("web-space:a.ch", None),
    ("backup-space:b1", None),
    ("backup-space:b2", None),
    ("mailbox:x@a.ch", None),
    ("mailbox:y@a.ch", None),
    ("snapshot:s-web", Some("web-space:a.ch")),
    ("snapshot:s-b1", Some("backup-space:b1")),
    ("snapshot:s-x", Some("mailbox:x@a.ch")),
    ("snapshot:s-y", Some("mailbox:y@a.ch")),
];

/// Requests and direct grants may name the first six, so that the refused kinds come up too.
const CONSENT_TARGETS: usize = 6;
const ANSWER_WINDOW_MINUTES: i64 = 24 * 60;
const MAX_GRANT_MINUTES: i64 = 30 * 24 * 60;

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 0).single().unwrap() + Duration::minutes(minutes)
}

/// Bit 0 support, bit 1 sysadmin, bit 2 privacy officer.
fn roles(mask: u8) -> Vec<Role> {
    [Role::Support, Role::Sysadmin, Role::PrivacyOfficer]
        .into_iter()
        .enumerate()
        .filter(|(bit, _)| mask & (1 << bit) != 0)
        .map(|(_, role)| role)
        .collect()
}

fn action_set(mask: u8) -> ActionSet {
    ActionSet::new(
        ACTIONS
            .into_iter()
            .enumerate()
            .filter(|(bit, _)| mask & (1 << bit) != 0)
            .map(|(_, action)| action),
    )
    .unwrap()
}

fn resource(index: usize) -> Resource {
    let (raw, holds) = UNIVERSE[index];
    Resource::resolve(
        ResourceId::parse(raw).unwrap(),
        holds.map(|h| SnapshotContent::parse(h).unwrap()),
    )
    .unwrap()
}

fn draft(target: usize, case: Option<i64>, actions: u8, duration: GrantDuration) -> ConsentDraft {
    ConsentDraft {
        resource: ResourceId::parse(UNIVERSE[target].0).unwrap(),
        case: case.map(SupportCaseId),
        actions: action_set(actions),
        duration,
    }
}

fn reason() -> Reason {
    Reason {
        code: ReasonCode::CustomerSupport,
        text: ReasonText::parse("the customer reports a problem").unwrap(),
    }
}

fn oral_consent() -> OralConsent {
    OralConsent {
        identification: CallerIdentification::parse("called back on the number on file").unwrap(),
        call_reference: CallReference::parse("CALL-1").unwrap(),
        scope_read_back: ScopeReadBack::parse("as requested").unwrap(),
    }
}
