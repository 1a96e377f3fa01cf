//! Who may use a grant. The charter has the customer authorise "l'un de nos collaborateurs" (§4.2) with consent
//! that is "exprès, spécifique et ponctuel" (§5): by default a grant names the one staff member who asked for it or
//! who recorded it on the phone, and only the customer widens it to a whole team.

use serde::{Deserialize, Serialize};

use crate::domain::{InvalidInput, Role, StaffId};

/// A team a customer may open a grant to. Privacy officers never use grants, so they are no such team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Teams {
    Support,
    Sysadmins,
    SupportAndSysadmins,
}

impl Teams {
    pub const ALL: [Self; 3] = [Self::Support, Self::Sysadmins, Self::SupportAndSysadmins];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Support => "support",
            Self::Sysadmins => "sysadmins",
            Self::SupportAndSysadmins => "support-and-sysadmins",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|teams| teams.as_str() == raw.trim())
            .ok_or(InvalidInput::new(
                "usable_by",
                "must be support, sysadmins or support-and-sysadmins",
            ))
    }

    fn include(self, roles: &[Role]) -> bool {
        roles.iter().any(|role| match (self, role) {
            (Self::Support, Role::Support) | (Self::Sysadmins, Role::Sysadmin) => true,
            (Self::SupportAndSysadmins, role) => matches!(role, Role::Support | Role::Sysadmin),
            _ => false,
        })
    }
}

/// Who a grant lets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum GrantHolder {
    /// Only this staff member.
    StaffMember(StaffId),
    /// Any member of these teams, as the customer chose.
    Teams(Teams),
}

/// Which part of a grant's holder let a staff member in: the audit entry of an access names it. Written as one
/// word (`named-staff-member`, or the team's name) in the API's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum HolderRule {
    /// The grant names this very staff member.
    NamedStaffMember,
    /// The customer opened the grant to a team this staff member belongs to.
    Team(Teams),
}

impl HolderRule {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NamedStaffMember => "named-staff-member",
            Self::Team(teams) => teams.as_str(),
        }
    }
}

impl From<HolderRule> for &'static str {
    fn from(rule: HolderRule) -> Self {
        rule.as_str()
    }
}

impl TryFrom<String> for HolderRule {
    type Error = InvalidInput;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        if raw == Self::NamedStaffMember.as_str() {
            return Ok(Self::NamedStaffMember);
        }
        Teams::parse(&raw).map(Self::Team)
    }
}

impl GrantHolder {
    /// Whether the staff member `id` holding `roles` may use the grant, and by which rule.
    pub fn admits(self, id: StaffId, roles: &[Role]) -> Option<HolderRule> {
        match self {
            Self::StaffMember(named) => (named == id).then_some(HolderRule::NamedStaffMember),
            Self::Teams(teams) => teams.include(roles).then_some(HolderRule::Team(teams)),
        }
    }

    pub const fn staff_member(self) -> Option<StaffId> {
        match self {
            Self::StaffMember(id) => Some(id),
            Self::Teams(_) => None,
        }
    }
}

/// What the customer chooses when answering a request: the one who asked (the default), or a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    Requester,
    Teams(Teams),
}

impl Audience {
    pub const REQUESTER: &'static str = "requester";

    /// Parses the form's choice; an empty choice is the default, the requester.
    pub fn parse(raw: Option<&str>) -> Result<Self, InvalidInput> {
        match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
            None | Some(Self::REQUESTER) => Ok(Self::Requester),
            Some(raw) => Teams::parse(raw).map(Self::Teams).map_err(|_| {
                InvalidInput::new(
                    "usable_by",
                    "must be requester, support, sysadmins or support-and-sysadmins",
                )
            }),
        }
    }

    pub const fn holder(self, requester: StaffId) -> GrantHolder {
        match self {
            Self::Requester => GrantHolder::StaffMember(requester),
            Self::Teams(teams) => GrantHolder::Teams(teams),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGENT: StaffId = StaffId(1);
    const OTHER: StaffId = StaffId(2);

    #[test]
    fn a_named_grant_admits_its_staff_member_only() {
        let holder = GrantHolder::StaffMember(AGENT);
        assert_eq!(
            holder.admits(AGENT, &[Role::Support]),
            Some(HolderRule::NamedStaffMember)
        );
        assert_eq!(holder.admits(OTHER, &[Role::Support, Role::Sysadmin]), None);
    }

    #[test]
    fn a_team_grant_admits_the_members_of_the_teams_it_names() {
        let support = GrantHolder::Teams(Teams::Support);
        assert_eq!(
            support.admits(OTHER, &[Role::Support]),
            Some(HolderRule::Team(Teams::Support))
        );
        assert_eq!(support.admits(OTHER, &[Role::Sysadmin]), None);
        assert_eq!(support.admits(OTHER, &[Role::PrivacyOfficer]), None);
        let both = GrantHolder::Teams(Teams::SupportAndSysadmins);
        for roles in [&[Role::Support][..], &[Role::Sysadmin]] {
            assert!(both.admits(OTHER, roles).is_some());
        }
        assert_eq!(both.admits(OTHER, &[Role::PrivacyOfficer]), None);
        assert!(GrantHolder::Teams(Teams::Sysadmins)
            .admits(AGENT, &[Role::Sysadmin])
            .is_some());
    }

    #[test]
    fn the_customer_s_choice_defaults_to_the_requester() {
        assert_eq!(Audience::parse(None), Ok(Audience::Requester));
        assert_eq!(Audience::parse(Some(" ")), Ok(Audience::Requester));
        assert_eq!(
            Audience::parse(Some("sysadmins")).map(|audience| audience.holder(AGENT)),
            Ok(GrantHolder::Teams(Teams::Sysadmins))
        );
        assert_eq!(
            Audience::parse(Some("requester")).map(|audience| audience.holder(AGENT)),
            Ok(GrantHolder::StaffMember(AGENT))
        );
        assert!(Audience::parse(Some("everyone")).is_err());
        for teams in Teams::ALL {
            assert_eq!(Teams::parse(teams.as_str()), Ok(teams));
        }
    }
}
