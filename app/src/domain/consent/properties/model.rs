//! The reference model. Deliberately naive: it re-reads the rules from the charter's wording rather than from the
//! domain code, keeps resources as the strings the infrastructure writes, and scans everything on every question.

use std::collections::BTreeMap;

use super::{at, ANSWER_WINDOW_MINUTES, MAX_GRANT_MINUTES, UNIVERSE};
use crate::domain::consent::{Basis, Decision, DenyRule, GrantId, HolderRule, Teams};

#[derive(Debug, Clone)]
pub(super) struct ModelRequest {
    pub(super) target: &'static str,
    pub(super) case: Option<i64>,
    pub(super) actions: u8,
    pub(super) minutes: i64,
    pub(super) opened: i64,
    pub(super) closed: Option<&'static str>,
    /// The staff member who asked.
    pub(super) by: i64,
}

/// Who may use a grant: one person (by number), or the teams in a role mask (bit 0 support, bit 1 sysadmin).
#[derive(Debug, Clone, Copy)]
pub(super) enum ModelHolder {
    Person(i64),
    Teams(u8),
}

impl ModelHolder {
    fn lets_in(self, staff: i64, roles: u8) -> bool {
        match self {
            Self::Person(person) => person == staff,
            Self::Teams(teams) => teams & roles != 0,
        }
    }

    fn rule(self) -> HolderRule {
        match self {
            Self::Person(_) => HolderRule::NamedStaffMember,
            Self::Teams(0b01) => HolderRule::Team(Teams::Support),
            Self::Teams(0b10) => HolderRule::Team(Teams::Sysadmins),
            Self::Teams(_) => HolderRule::Team(Teams::SupportAndSysadmins),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct ModelGrant {
    pub(super) target: &'static str,
    pub(super) case: Option<i64>,
    pub(super) actions: u8,
    pub(super) start: i64,
    pub(super) limit: i64,
    pub(super) revoked: Option<i64>,
    pub(super) holder: ModelHolder,
}

pub(super) fn operational(mask: u8) -> bool {
    mask & 0b011 != 0
}

pub(super) fn is_sysadmin(mask: u8) -> bool {
    mask & 0b010 != 0
}

pub(super) fn is_mailbox(target: &str) -> bool {
    target.starts_with("mailbox:")
}

pub(super) fn takes_consent(target: &str, case: Option<i64>) -> bool {
    target.starts_with("backup-space:") || (is_mailbox(target) && case.is_some())
}

pub(super) fn valid_duration(minutes: i64) -> bool {
    (1..=MAX_GRANT_MINUTES).contains(&minutes)
}

pub(super) fn request_state(request: &ModelRequest, now: i64) -> &'static str {
    match request.closed {
        Some(state) => state,
        None if now >= request.opened + ANSWER_WINDOW_MINUTES => "expired",
        None => "pending",
    }
}

/// The case matters for mailboxes only (charter §5).
pub(super) fn resolved_case(grant: &ModelGrant, resolved: &BTreeMap<i64, i64>) -> Option<i64> {
    grant
        .case
        .filter(|_| is_mailbox(grant.target))
        .and_then(|case| resolved.get(&case).copied())
}

/// Started, limit not reached, not revoked, case not resolved.
pub(super) fn covers(
    grant: &ModelGrant,
    target: &str,
    action: usize,
    now: i64,
    resolved: &BTreeMap<i64, i64>,
) -> bool {
    grant.target == target
        && grant.actions & (1 << action) != 0
        && grant.start <= now
        && now < grant.limit
        && grant.revoked.is_none_or(|r| now < r)
        && resolved_case(grant, resolved).is_none_or(|r| now < r)
}

pub(super) fn ends(grant: &ModelGrant, resolved: &BTreeMap<i64, i64>) -> i64 {
    [
        Some(grant.limit),
        grant.revoked,
        resolved_case(grant, resolved),
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap()
}

#[derive(Debug, Default)]
pub(super) struct Model {
    pub(super) requests: Vec<ModelRequest>,
    pub(super) grants: Vec<ModelGrant>,
}

impl Model {
    pub(super) fn decide(
        &self,
        staff: i64,
        roles: u8,
        index: usize,
        action: usize,
        now: i64,
        resolved: &BTreeMap<i64, i64>,
    ) -> Decision {
        let technical = Decision::Allow {
            basis: Basis::TechnicalOperation,
            expires_at: None,
            usable_by: None,
        };
        if roles == 0 {
            return Decision::Deny {
                rule: DenyRule::NoStaffRole,
            };
        }
        if !operational(roles) {
            return Decision::Deny {
                rule: DenyRule::NotOperationalStaff,
            };
        }
        let (raw, holds) = UNIVERSE[index];
        let data = match holds {
            Some(_) if !is_sysadmin(roles) => {
                return Decision::Deny {
                    rule: DenyRule::SnapshotsAreForSysadmins,
                }
            }
            Some(content) => content,
            None => raw,
        };
        if data.starts_with("web-space:") {
            return technical;
        }
        // Of the grants this person may use, the longest lasting first, then the oldest (lowest id).
        let mut any_covers = false;
        let mut best: Option<(i64, usize)> = None;
        for (i, grant) in self.grants.iter().enumerate() {
            if covers(grant, data, action, now, resolved) {
                any_covers = true;
                let end = ends(grant, resolved);
                if grant.holder.lets_in(staff, roles & 0b011)
                    && best.is_none_or(|(best_end, _)| end > best_end)
                {
                    best = Some((end, i));
                }
            }
        }
        match best {
            Some((end, i)) => Decision::Allow {
                basis: Basis::Grant(GrantId(i as i64 + 1)),
                expires_at: Some(at(end)),
                usable_by: Some(self.grants[i].holder.rule()),
            },
            None if any_covers => Decision::Deny {
                rule: DenyRule::GrantForSomeoneElse,
            },
            None => Decision::Deny {
                rule: DenyRule::NoActiveGrant,
            },
        }
    }
}
