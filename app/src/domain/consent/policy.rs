//! The access policy: may this staff member do this to this resource now? One pure function, so that the API,
//! the screens and the tests all ask the same question the same way.
//!
//! - Web space (§4.1): support and system administrators, as a technical operation, without consent.
//! - Backup space (§4.2) and mailbox (§5): only with an active grant for that exact resource and that action that
//!   names this staff member, or a team of theirs the customer opened it to.
//! - Snapshot (§6): never support; a system administrator under the rules of the data the snapshot holds.
//! - A privacy officer oversees and holds no access through that role; no role, no access.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

use super::scope::is_operational;
use super::{Action, Grant, GrantId, HolderRule, Resource, ResourceId, SnapshotContent};
use crate::domain::{Role, StaffId};

/// A grant together with the state of the case it names, which is all the policy needs to know whether it is
/// still in force.
#[derive(Debug, Clone, Copy)]
pub struct GrantView<'a> {
    pub grant: &'a Grant,
    pub case_resolved_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "grant_id", rename_all = "kebab-case")]
pub enum Basis {
    /// The customer's consent.
    Grant(GrantId),
    /// Keeping a web space running, which the charter allows without consent.
    TechnicalOperation,
}

/// The rule that refused an access, stable enough to be counted and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DenyRule {
    /// The person holds no staff role at all.
    NoStaffRole,
    /// Only a privacy officer: that role never reaches customers' data.
    NotOperationalStaff,
    /// Backups are for system administrators only, never support (§6).
    SnapshotsAreForSysadmins,
    /// Private data without an active grant for that resource and action (§4.2, §5).
    NoActiveGrant,
    /// A grant covers the access, but the customer gave it to another staff member (§4.2 "l'un de nos
    /// collaborateurs") and not to a team of this one's.
    GrantForSomeoneElse,
    /// The check named a staff member the portal does not know.
    UnknownStaffMember,
    /// The check named a customer number the portal does not know.
    UnknownCustomer,
    /// The check named a resource the customer does not hold (or a snapshot the registry does not know).
    NotTheCustomersResource,
}

impl DenyRule {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NoStaffRole => "no-staff-role",
            Self::NotOperationalStaff => "not-operational-staff",
            Self::SnapshotsAreForSysadmins => "snapshots-are-for-sysadmins",
            Self::NoActiveGrant => "no-active-grant",
            Self::GrantForSomeoneElse => "grant-for-someone-else",
            Self::UnknownStaffMember => "unknown-staff-member",
            Self::UnknownCustomer => "unknown-customer",
            Self::NotTheCustomersResource => "not-the-customers-resource",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "kebab-case")]
pub enum Decision {
    /// `expires_at` is when the grant used ends at the latest; none for a technical operation. `usable_by` says
    /// how the grant names the staff member: in person, or through a team the customer opened it to.
    Allow {
        basis: Basis,
        expires_at: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        usable_by: Option<HolderRule>,
    },
    Deny {
        rule: DenyRule,
    },
}

impl Decision {
    pub const fn is_allowed(&self) -> bool {
        matches!(self, Self::Allow { .. })
    }
}

/// Decides one access by the staff member `staff`. `grants` may hold any grants (ended, for other resources, of
/// other customers, for other staff): only one active at `now` for exactly this resource and action, that admits
/// this staff member, counts.
pub fn decide(
    staff: StaffId,
    staff_roles: &[Role],
    resource: &Resource,
    action: Action,
    grants: &[GrantView<'_>],
    now: DateTime<Utc>,
) -> Decision {
    if staff_roles.is_empty() {
        return deny(DenyRule::NoStaffRole);
    }
    if !is_operational(staff_roles) {
        return deny(DenyRule::NotOperationalStaff);
    }
    match resource {
        Resource::WebSpace(_) => technical_operation(),
        Resource::BackupSpace(_) | Resource::Mailbox(_) => {
            with_grant((staff, staff_roles), &resource.id(), action, grants, now)
        }
        Resource::Snapshot { holds, .. } => {
            if !staff_roles.contains(&Role::Sysadmin) {
                return deny(DenyRule::SnapshotsAreForSysadmins);
            }
            match holds {
                SnapshotContent::WebSpace(_) => technical_operation(),
                SnapshotContent::BackupSpace(_) | SnapshotContent::Mailbox(_) => {
                    with_grant((staff, staff_roles), &holds.id(), action, grants, now)
                }
            }
        }
    }
}

const fn deny(rule: DenyRule) -> Decision {
    Decision::Deny { rule }
}

const fn technical_operation() -> Decision {
    Decision::Allow {
        basis: Basis::TechnicalOperation,
        expires_at: None,
        usable_by: None,
    }
}

/// Of the grants covering the access for this staff member, the one that lasts longest is named (its end is the
/// latest the answer could hold, which tells the infrastructure nothing it may cache: every access asks again);
/// equal ends go to the oldest grant, so the same history always gives the same answer.
fn with_grant(
    (staff, roles): (StaffId, &[Role]),
    target: &ResourceId,
    action: Action,
    grants: &[GrantView<'_>],
    now: DateTime<Utc>,
) -> Decision {
    let mut covering = grants
        .iter()
        .filter(|view| {
            let terms = view.grant.terms();
            terms.scope().resource() == *target
                && terms.actions().contains(action)
                && view.grant.is_active(now, view.case_resolved_at)
        })
        .peekable();
    if covering.peek().is_none() {
        return deny(DenyRule::NoActiveGrant);
    }
    covering
        .filter_map(|view| {
            let rule = view.grant.terms().holder().admits(staff, roles)?;
            Some((
                view.grant.end(view.case_resolved_at).at,
                view.grant.id(),
                rule,
            ))
        })
        .max_by_key(|(ends_at, id, _)| (*ends_at, Reverse(*id)))
        .map_or(
            deny(DenyRule::GrantForSomeoneElse),
            |(ends_at, id, rule)| Decision::Allow {
                basis: Basis::Grant(id),
                expires_at: Some(ends_at),
                usable_by: Some(rule),
            },
        )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::consent::{
        ActionSet, ConsentDraft, GrantDuration, GrantHolder, GrantTerms, SupportCaseId, Teams,
    };

    const AGENT: StaffId = StaffId(11);
    use chrono::TimeZone;

    const SUPPORT: &[Role] = &[Role::Support];
    const SYSADMIN: &[Role] = &[Role::Sysadmin];
    const BOTH: &[Role] = &[Role::Support, Role::Sysadmin];
    const OFFICER: &[Role] = &[Role::PrivacyOfficer];

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + minutes * 60, 0)
            .single()
            .unwrap()
    }

    fn resource(raw: &str) -> Resource {
        Resource::resolve(ResourceId::parse(raw).unwrap(), None).unwrap()
    }

    fn snapshot_of(raw: &str) -> Resource {
        Resource::resolve(
            ResourceId::parse("snapshot:s1").unwrap(),
            Some(SnapshotContent::parse(raw).unwrap()),
        )
        .unwrap()
    }

    /// A grant numbered `id` for `actions` on `target`, from t(0) for `minutes`, bound to case 7.
    fn grant(id: i64, target: &str, actions: &str, minutes: i64) -> Grant {
        let draft = ConsentDraft {
            resource: ResourceId::parse(target).unwrap(),
            case: Some(SupportCaseId(7)),
            actions: ActionSet::parse(actions).unwrap(),
            duration: GrantDuration::from_minutes(minutes).unwrap(),
        };
        Grant::new(
            GrantId(id),
            GrantTerms::on_customer_initiative(draft, Teams::SupportAndSysadmins, t(0)).unwrap(),
        )
    }

    fn open(grants: &[Grant]) -> Vec<GrantView<'_>> {
        grants
            .iter()
            .map(|grant| GrantView {
                grant,
                case_resolved_at: None,
            })
            .collect()
    }

    fn allowed_by(id: i64, minutes: i64) -> Decision {
        Decision::Allow {
            basis: Basis::Grant(GrantId(id)),
            expires_at: Some(t(minutes)),
            usable_by: Some(HolderRule::Team(Teams::SupportAndSysadmins)),
        }
    }

    const TECHNICAL: Decision = Decision::Allow {
        basis: Basis::TechnicalOperation,
        expires_at: None,
        usable_by: None,
    };

    /// A backup-space grant from t(0) for an hour, held as `holder` says.
    fn held_by(id: i64, holder: GrantHolder) -> Grant {
        let draft = ConsentDraft {
            resource: ResourceId::parse("backup-space:b").unwrap(),
            case: None,
            actions: ActionSet::parse("read").unwrap(),
            duration: GrantDuration::from_minutes(60).unwrap(),
        };
        let terms = match holder {
            GrantHolder::StaffMember(staff) => {
                GrantTerms::oral(staff, SUPPORT, draft, oral(), t(0)).unwrap()
            }
            GrantHolder::Teams(teams) => {
                GrantTerms::on_customer_initiative(draft, teams, t(0)).unwrap()
            }
        };
        Grant::new(GrantId(id), terms)
    }

    fn oral() -> crate::domain::consent::OralConsent {
        use crate::domain::consent::{CallReference, CallerIdentification, ScopeReadBack};
        crate::domain::consent::OralConsent {
            identification: CallerIdentification::parse("known voice").unwrap(),
            call_reference: CallReference::parse("C-1").unwrap(),
            scope_read_back: ScopeReadBack::parse("read your backups").unwrap(),
        }
    }

    #[test]
    fn a_grant_given_to_one_agent_lets_in_that_agent_only() {
        let backup = resource("backup-space:b");
        let grants = [held_by(1, GrantHolder::StaffMember(AGENT))];
        let check =
            |staff, roles| decide(staff, roles, &backup, Action::Read, &open(&grants), t(1));
        assert_eq!(
            check(AGENT, SUPPORT),
            Decision::Allow {
                basis: Basis::Grant(GrantId(1)),
                expires_at: Some(t(60)),
                usable_by: Some(HolderRule::NamedStaffMember),
            }
        );
        for roles in [SUPPORT, SYSADMIN, BOTH] {
            assert_eq!(
                check(StaffId(12), roles),
                deny(DenyRule::GrantForSomeoneElse),
                "a colleague of the agent the customer named"
            );
        }
        assert_eq!(
            check(AGENT, OFFICER),
            deny(DenyRule::NotOperationalStaff),
            "naming a person does not make a privacy officer operational staff"
        );
    }

    #[test]
    fn a_grant_opened_to_a_team_lets_in_its_members_only() {
        let backup = resource("backup-space:b");
        let to_sysadmins = [held_by(1, GrantHolder::Teams(Teams::Sysadmins))];
        let views = open(&to_sysadmins);
        let check = |roles| decide(StaffId(12), roles, &backup, Action::Read, &views, t(1));
        assert_eq!(check(SUPPORT), deny(DenyRule::GrantForSomeoneElse));
        assert!(check(SYSADMIN).is_allowed());
        assert!(check(BOTH).is_allowed());
        let both = [
            held_by(1, GrantHolder::StaffMember(AGENT)),
            held_by(2, GrantHolder::Teams(Teams::Support)),
        ];
        assert_eq!(
            decide(
                StaffId(12),
                SUPPORT,
                &backup,
                Action::Read,
                &open(&both),
                t(1)
            ),
            Decision::Allow {
                basis: Basis::Grant(GrantId(2)),
                expires_at: Some(t(60)),
                usable_by: Some(HolderRule::Team(Teams::Support)),
            },
            "the grant that admits the agent is the one named, whatever else covers the resource"
        );
    }

    #[test]
    fn web_spaces_are_open_to_support_and_sysadmins_as_a_technical_operation() {
        let web = resource("web-space:a.ch");
        for roles in [SUPPORT, SYSADMIN, BOTH] {
            for action in Action::ALL {
                assert_eq!(decide(AGENT, roles, &web, action, &[], t(0)), TECHNICAL);
            }
        }
    }

    #[test]
    fn without_an_operational_role_nothing_is_allowed() {
        let grants = [grant(1, "backup-space:b", "read", 60)];
        for raw in ["web-space:a.ch", "backup-space:b"] {
            assert_eq!(
                decide(
                    AGENT,
                    &[],
                    &resource(raw),
                    Action::Read,
                    &open(&grants),
                    t(1)
                ),
                deny(DenyRule::NoStaffRole)
            );
            assert_eq!(
                decide(
                    AGENT,
                    OFFICER,
                    &resource(raw),
                    Action::Read,
                    &open(&grants),
                    t(1)
                ),
                deny(DenyRule::NotOperationalStaff),
                "a privacy officer does not use customers' consents"
            );
        }
    }

    #[test]
    fn private_data_needs_an_active_grant_for_that_resource_and_action() {
        let grants = [
            grant(1, "backup-space:b", "read,list", 60),
            grant(2, "mailbox:x@a.ch", "read", 60),
        ];
        let views = open(&grants);
        for roles in [SUPPORT, SYSADMIN] {
            let check =
                |raw: &str, action, at| decide(AGENT, roles, &resource(raw), action, &views, at);
            assert_eq!(
                check("backup-space:b", Action::Read, t(1)),
                allowed_by(1, 60)
            );
            assert_eq!(
                check("backup-space:b", Action::List, t(59)),
                allowed_by(1, 60)
            );
            assert_eq!(
                check("mailbox:x@a.ch", Action::Read, t(0)),
                allowed_by(2, 60)
            );
            for (raw, action, at) in [
                ("backup-space:b", Action::Restore, t(1)),
                ("backup-space:b", Action::Read, t(60)),
                ("backup-space:b", Action::Read, t(-1)),
                ("backup-space:other", Action::Read, t(1)),
                ("mailbox:y@a.ch", Action::Read, t(1)),
                ("mailbox:x@a.ch", Action::Write, t(1)),
            ] {
                assert_eq!(
                    check(raw, action, at),
                    deny(DenyRule::NoActiveGrant),
                    "{raw} {action}"
                );
            }
        }
    }

    #[test]
    fn a_revoked_grant_or_a_resolved_case_no_longer_counts() {
        let revoked = [grant(1, "backup-space:b", "read", 60)
            .revoke(t(10), None)
            .unwrap()];
        let backup = resource("backup-space:b");
        assert_eq!(
            decide(AGENT, SUPPORT, &backup, Action::Read, &open(&revoked), t(9)),
            allowed_by(1, 10)
        );
        assert_eq!(
            decide(
                AGENT,
                SUPPORT,
                &backup,
                Action::Read,
                &open(&revoked),
                t(10)
            ),
            deny(DenyRule::NoActiveGrant)
        );
        let mailbox = [grant(2, "mailbox:x@a.ch", "read", 60)];
        let resolved = [GrantView {
            grant: &mailbox[0],
            case_resolved_at: Some(t(20)),
        }];
        let inbox = resource("mailbox:x@a.ch");
        assert_eq!(
            decide(AGENT, SUPPORT, &inbox, Action::Read, &resolved, t(19)),
            allowed_by(2, 20)
        );
        assert_eq!(
            decide(AGENT, SUPPORT, &inbox, Action::Read, &resolved, t(20)),
            deny(DenyRule::NoActiveGrant)
        );
    }

    #[test]
    fn support_never_reaches_a_snapshot_even_with_a_grant() {
        let grants = [
            grant(1, "mailbox:x@a.ch", "read", 60),
            grant(2, "backup-space:b", "read", 60),
        ];
        for raw in ["web-space:a.ch", "backup-space:b", "mailbox:x@a.ch"] {
            assert_eq!(
                decide(
                    AGENT,
                    SUPPORT,
                    &snapshot_of(raw),
                    Action::Read,
                    &open(&grants),
                    t(1)
                ),
                deny(DenyRule::SnapshotsAreForSysadmins)
            );
        }
    }

    #[test]
    fn sysadmins_reach_a_snapshot_under_the_rules_of_what_it_holds() {
        let grants = [
            grant(1, "mailbox:x@a.ch", "restore", 60),
            grant(2, "backup-space:b", "read", 30),
        ];
        let views = open(&grants);
        let check = |roles, raw: &str, action| {
            decide(AGENT, roles, &snapshot_of(raw), action, &views, t(1))
        };
        assert_eq!(
            check(SYSADMIN, "web-space:a.ch", Action::Restore),
            TECHNICAL
        );
        assert_eq!(
            check(SYSADMIN, "mailbox:x@a.ch", Action::Restore),
            allowed_by(1, 60)
        );
        assert_eq!(
            check(BOTH, "backup-space:b", Action::Read),
            allowed_by(2, 30)
        );
        assert_eq!(
            check(SYSADMIN, "mailbox:x@a.ch", Action::Read),
            deny(DenyRule::NoActiveGrant)
        );
        assert_eq!(
            check(SYSADMIN, "mailbox:y@a.ch", Action::Restore),
            deny(DenyRule::NoActiveGrant)
        );
        assert_eq!(
            check(SYSADMIN, "backup-space:c", Action::Read),
            deny(DenyRule::NoActiveGrant)
        );
    }

    #[test]
    fn of_several_grants_the_longest_lasting_is_named_whatever_their_order() {
        let grants = [
            grant(3, "backup-space:b", "read", 30),
            grant(5, "backup-space:b", "read", 90),
            grant(4, "backup-space:b", "read", 90),
            grant(6, "backup-space:b", "read", 120)
                .revoke(t(40), None)
                .unwrap(),
            grant(7, "backup-space:b", "list", 150),
        ];
        let backup = resource("backup-space:b");
        let mut views = open(&grants);
        for _ in 0..2 {
            let check = |action, at| decide(AGENT, SUPPORT, &backup, action, &views, at);
            assert_eq!(
                check(Action::Read, t(1)),
                allowed_by(4, 90),
                "equal ends: the oldest"
            );
            assert_eq!(check(Action::Read, t(35)), allowed_by(4, 90));
            assert_eq!(check(Action::List, t(1)), allowed_by(7, 150));
            assert_eq!(check(Action::Read, t(90)), deny(DenyRule::NoActiveGrant));
            views.reverse();
        }
    }

    // serde_json is a server-only dependency.
    #[cfg(feature = "ssr")]
    #[test]
    fn decisions_serialise_in_the_shape_the_api_answers_with() {
        let allow = serde_json::to_value(allowed_by(4, 90)).unwrap();
        assert_eq!(
            allow,
            serde_json::json!({
                "decision": "allow",
                "basis": {"kind": "grant", "grant_id": 4},
                "expires_at": t(90),
                "usable_by": "support-and-sysadmins",
            })
        );
        let refuse = serde_json::to_value(deny(DenyRule::NoActiveGrant)).unwrap();
        assert_eq!(
            refuse,
            serde_json::json!({"decision": "deny", "rule": "no-active-grant"})
        );
        assert_eq!(
            serde_json::to_value(DenyRule::NotOperationalStaff).unwrap(),
            DenyRule::NotOperationalStaff.as_str()
        );
    }
}
