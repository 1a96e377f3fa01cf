//! What staff do to a resource. Closed on purpose: a consent names actions, and an action nobody named cannot be
//! consented to by accident.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::domain::InvalidInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// See which files, folders or messages exist, without opening them.
    List,
    /// Open content.
    Read,
    /// Change or add content.
    Write,
    /// Put back content from a copy.
    Restore,
}

impl Action {
    pub const ALL: [Self; 4] = [Self::List, Self::Read, Self::Write, Self::Restore];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::List => "list",
            Self::Read => "read",
            Self::Write => "write",
            Self::Restore => "restore",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|action| action.as_str() == raw.trim())
            .ok_or(InvalidInput::new(
                "action",
                "must be list, read, write or restore",
            ))
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The actions one consent covers: at least one, each once. Serialised as a list of action names.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Action>", into = "Vec<Action>")]
pub struct ActionSet(u8);

impl ActionSet {
    pub fn new(actions: impl IntoIterator<Item = Action>) -> Result<Self, InvalidInput> {
        let bits = actions
            .into_iter()
            .fold(0, |bits, action| bits | action.bit());
        if bits == 0 {
            return Err(InvalidInput::new("actions", "name at least one action"));
        }
        Ok(Self(bits))
    }

    pub const fn single(action: Action) -> Self {
        Self(action.bit())
    }

    /// Parses a comma-separated list such as `read,restore`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let actions = raw
            .split(',')
            .filter(|part| !part.trim().is_empty())
            .map(Action::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(actions)
    }

    pub const fn contains(self, action: Action) -> bool {
        self.0 & action.bit() != 0
    }

    /// The actions in a fixed order, so that printing a set is stable.
    pub fn iter(self) -> impl Iterator<Item = Action> {
        Action::ALL
            .into_iter()
            .filter(move |action| self.contains(*action))
    }
}

impl fmt::Debug for ActionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for ActionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Action::as_str).collect();
        f.write_str(&names.join(","))
    }
}

impl TryFrom<Vec<Action>> for ActionSet {
    type Error = InvalidInput;
    fn try_from(value: Vec<Action>) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<ActionSet> for Vec<Action> {
    fn from(value: ActionSet) -> Self {
        value.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_through_their_names() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Ok(action));
        }
        assert!(Action::parse("delete").is_err());
        assert!(Action::parse("READ").is_err());
    }

    #[test]
    fn a_set_holds_exactly_the_actions_named() -> Result<(), InvalidInput> {
        let set = ActionSet::parse("restore, read,read")?;
        assert!(set.contains(Action::Read) && set.contains(Action::Restore));
        assert!(!set.contains(Action::List) && !set.contains(Action::Write));
        assert_eq!(set.to_string(), "read,restore");
        assert_eq!(ActionSet::parse(&set.to_string()), Ok(set));
        Ok(())
    }

    #[test]
    fn a_consent_for_nothing_is_refused() {
        assert_eq!(
            ActionSet::parse(" , "),
            Err(InvalidInput::new("actions", "name at least one action"))
        );
        assert!(ActionSet::new([]).is_err());
        assert!(ActionSet::parse("read,erase").is_err());
    }
}
