//! Disclosures of customer data ordered by a Swiss court (charter §3): the only disclosures there are. A disclosure
//! can only be recorded with the order's authority, reference, date and scope; each is parsed here once, so that a
//! stored order is always a complete one.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::InvalidInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DisclosureId(pub i64);

impl fmt::Display for DisclosureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Trimmed, non-empty text of at most `max` characters without control characters (newlines allowed where
/// `multiline`), so that it reads the same in the ledger, the customer's log and an export.
fn text(
    raw: &str,
    field: &'static str,
    max: usize,
    multiline: bool,
) -> Result<String, InvalidInput> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(InvalidInput::new(field, "is required"));
    }
    if value.chars().count() > max {
        return Err(InvalidInput::new(field, "is too long"));
    }
    let allowed = |c: char| !c.is_control() || (multiline && (c == '\n' || c == '\r'));
    if !value.chars().all(allowed) {
        return Err(InvalidInput::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

macro_rules! text_type {
    ($($(#[$doc:meta])* $name:ident, $field:literal, $max:literal, $multiline:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
                text(raw, $field, $max, $multiline).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidInput;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

text_type! {
    /// The court or authority that issued the order, e.g. "Tribunal cantonal vaudois".
    Authority, "authority", 200, false;
    /// The order's own reference, as the authority numbers it.
    CourtReference, "reference", 100, false;
    /// What the order requires to be disclosed, in the order's words.
    DisclosureScope, "scope", 2000, true;
}

/// A calendar date as a form gives it (`YYYY-MM-DD`).
fn date(raw: &str, field: &'static str) -> Result<NaiveDate, InvalidInput> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(InvalidInput::new(field, "is required"));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| InvalidInput::new(field, "must be a date as YYYY-MM-DD"))
}

/// A court order as the ledger records it. The order date is not in the future; a notification deferral, when
/// the order imposes one, falls after the order date. From that date on the customer sees the disclosure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourtOrder {
    authority: Authority,
    reference: CourtReference,
    ordered_on: NaiveDate,
    scope: DisclosureScope,
    notify_after: Option<NaiveDate>,
}

impl CourtOrder {
    /// Reads a court order from form input; `today` is the date the order is recorded on. `notify_after` blank
    /// means no deferral.
    pub fn parse(
        authority: &str,
        reference: &str,
        ordered_on: &str,
        scope: &str,
        notify_after: &str,
        today: NaiveDate,
    ) -> Result<Self, InvalidInput> {
        let authority = Authority::parse(authority)?;
        let reference = CourtReference::parse(reference)?;
        let ordered_on = date(ordered_on, "ordered_on")?;
        if ordered_on > today {
            return Err(InvalidInput::new("ordered_on", "must not be in the future"));
        }
        let scope = DisclosureScope::parse(scope)?;
        let notify_after = match notify_after.trim() {
            "" => None,
            raw => Some(date(raw, "notify_after")?),
        };
        Self::new(authority, reference, ordered_on, scope, notify_after)
    }

    /// Rebuilds an order from its parts (e.g. read back from storage).
    pub fn new(
        authority: Authority,
        reference: CourtReference,
        ordered_on: NaiveDate,
        scope: DisclosureScope,
        notify_after: Option<NaiveDate>,
    ) -> Result<Self, InvalidInput> {
        if notify_after.is_some_and(|deferral| deferral < ordered_on) {
            return Err(InvalidInput::new(
                "notify_after",
                "must not be before the order date",
            ));
        }
        Ok(Self {
            authority,
            reference,
            ordered_on,
            scope,
            notify_after,
        })
    }

    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    pub fn reference(&self) -> &CourtReference {
        &self.reference
    }

    pub fn ordered_on(&self) -> NaiveDate {
        self.ordered_on
    }

    pub fn scope(&self) -> &DisclosureScope {
        &self.scope
    }

    pub fn notify_after(&self) -> Option<NaiveDate> {
        self.notify_after
    }

    /// The instant the customer may learn of the disclosure: the start (UTC) of the deferral date, if any.
    pub fn visible_from(&self) -> Option<DateTime<Utc>> {
        self.notify_after
            .map(|day| day.and_time(NaiveTime::MIN).and_utc())
    }

    /// Whether the customer may see the disclosure at `now`.
    pub fn visible_at(&self, now: DateTime<Utc>) -> bool {
        self.visible_from().is_none_or(|from| from <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(raw: &str) -> NaiveDate {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap()
    }

    fn order(ordered_on: &str, notify_after: &str) -> Result<CourtOrder, InvalidInput> {
        CourtOrder::parse(
            " Tribunal cantonal vaudois ",
            "PE21.004217",
            ordered_on,
            "Identité du titulaire du contrat",
            notify_after,
            day("2026-11-26"),
        )
    }

    #[test]
    fn a_complete_order_is_read_and_trimmed() {
        let order = order("2026-11-20", "").unwrap();
        assert_eq!(order.authority().as_str(), "Tribunal cantonal vaudois");
        assert_eq!(order.reference().as_str(), "PE21.004217");
        assert_eq!(order.ordered_on(), day("2026-11-20"));
        assert_eq!(order.notify_after(), None);
        assert!(order.visible_at(Utc::now()));
    }

    #[test]
    fn every_part_is_required_and_named_when_missing() {
        let today = day("2026-11-26");
        let missing = |parts: [&str; 4]| {
            CourtOrder::parse(parts[0], parts[1], parts[2], parts[3], "", today)
                .unwrap_err()
                .field
        };
        assert_eq!(missing(["", "R", "2026-11-01", "S"]), "authority");
        assert_eq!(missing(["A", " ", "2026-11-01", "S"]), "reference");
        assert_eq!(missing(["A", "R", "", "S"]), "ordered_on");
        assert_eq!(missing(["A", "R", "2026-11-01", "\n"]), "scope");
    }

    #[test]
    fn dates_must_be_real_and_not_in_the_future() {
        assert_eq!(order("26.11.2026", "").unwrap_err().field, "ordered_on");
        assert_eq!(order("2026-02-30", "").unwrap_err().field, "ordered_on");
        assert_eq!(order("2026-11-27", "").unwrap_err().field, "ordered_on");
        assert!(order("2026-11-26", "").is_ok());
        assert_eq!(
            order("2026-11-20", "soon").unwrap_err().field,
            "notify_after"
        );
    }

    #[test]
    fn a_deferral_falls_after_the_order_and_hides_until_its_day() {
        assert_eq!(
            order("2026-11-20", "2026-11-19").unwrap_err().field,
            "notify_after"
        );
        let order = order("2026-11-20", "2027-01-15").unwrap();
        let start = day("2027-01-15").and_time(NaiveTime::MIN).and_utc();
        assert_eq!(order.visible_from(), Some(start));
        assert!(!order.visible_at(start - chrono::Duration::microseconds(1)));
        assert!(order.visible_at(start));
    }

    #[test]
    fn text_parts_refuse_control_characters_and_excess() {
        assert_eq!(Authority::parse("a\u{7}b").unwrap_err().field, "authority");
        assert!(Authority::parse("a\nb").is_err());
        assert!(DisclosureScope::parse("line one\nline two").is_ok());
        assert!(CourtReference::parse(&"x".repeat(101)).is_err());
        assert!(CourtReference::parse(&"x".repeat(100)).is_ok());
    }
}
