//! The privacy charter's versions (charter §7): what a version's text, number, summary and date of effect may be.
//! The French text prevails; the English one is a translation shown beside it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::InvalidInput;

/// A version's number: 1 for the operator's first charter, then one more at each publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VersionNumber(u32);

impl VersionNumber {
    pub const FIRST: Self = Self(1);

    pub fn new(number: u32) -> Result<Self, InvalidInput> {
        if number == 0 {
            Err(InvalidInput::new("version", "must be 1 or more"))
        } else {
            Ok(Self(number))
        }
    }

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        raw.trim()
            .parse::<u32>()
            .map_err(|_| InvalidInput::new("version", "must be a version number"))
            .and_then(Self::new)
    }

    pub const fn get(self) -> u32 {
        self.0
    }

    pub fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl fmt::Display for VersionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Far more than the charter needs (v1 is about 6,000 characters), and small enough for a form post.
pub const MAX_TEXT_CHARS: usize = 30_000;
pub const MAX_SUMMARY_CHARS: usize = 1_000;

/// A version's text in Markdown, French and English, with line endings as `\n` and no other control character
/// than tabs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharterText {
    french: String,
    english: String,
}

fn markdown(field: &'static str, raw: &str) -> Result<String, InvalidInput> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim_end();
    if text.trim().is_empty() {
        return Err(InvalidInput::new(field, "must not be empty"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(InvalidInput::new(
            field,
            "is too long (30,000 characters at most)",
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(InvalidInput::new(field, "contains control characters"));
    }
    Ok(format!("{text}\n"))
}

impl CharterText {
    pub fn parse(french: &str, english: &str) -> Result<Self, InvalidInput> {
        Ok(Self {
            french: markdown("text_fr", french)?,
            english: markdown("text_en", english)?,
        })
    }

    /// The text that prevails.
    pub fn french(&self) -> &str {
        &self.french
    }

    /// The translation, shown beside the French text.
    pub fn english(&self) -> &str {
        &self.english
    }
}

/// What changed, in a few sentences: it is the body of the terms-change notice.
pub fn summary(raw: &str) -> Result<String, InvalidInput> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(InvalidInput::new("summary", "must not be empty"));
    }
    if text.chars().count() > MAX_SUMMARY_CHARS {
        return Err(InvalidInput::new(
            "summary",
            "is too long (1,000 characters at most)",
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(InvalidInput::new("summary", "contains control characters"));
    }
    Ok(text.to_owned())
}

/// The start (UTC) of the day a new version comes into force: today or later, so that no one is bound by terms
/// published after the fact.
pub fn effective_at(day: NaiveDate, now: DateTime<Utc>) -> Result<DateTime<Utc>, InvalidInput> {
    if day < now.date_naive() {
        return Err(InvalidInput::new("effective_on", "must not be in the past"));
    }
    Ok(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

pub fn parse_day(raw: &str) -> Result<NaiveDate, InvalidInput> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| InvalidInput::new("effective_on", "must be a date (YYYY-MM-DD)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn texts_are_normalised_and_checked() {
        let text = CharterText::parse("# Titre\r\n\r\nTexte  \r\n\n", "# Title\rText").unwrap();
        assert_eq!(text.french(), "# Titre\n\nTexte\n");
        assert_eq!(text.english(), "# Title\nText\n");
        assert_eq!(
            CharterText::parse("  \n", "x").unwrap_err().field,
            "text_fr"
        );
        assert_eq!(
            CharterText::parse("x", "bell\u{7}").unwrap_err().field,
            "text_en"
        );
        assert!(CharterText::parse(&"x".repeat(MAX_TEXT_CHARS + 1), "x").is_err());
    }

    #[test]
    fn a_version_comes_into_force_today_or_later() {
        let now = Utc.with_ymd_and_hms(2027, 3, 10, 15, 0, 0).unwrap();
        let today = now.date_naive();
        assert_eq!(
            effective_at(today, now).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 10, 0, 0, 0).unwrap()
        );
        assert!(effective_at(today.pred_opt().unwrap(), now).is_err());
        assert!(parse_day("10.03.2027").is_err());
        assert_eq!(parse_day("2027-04-01").unwrap().to_string(), "2027-04-01");
    }

    #[test]
    fn version_numbers_start_at_one() {
        assert!(VersionNumber::new(0).is_err());
        assert_eq!(VersionNumber::parse(" 2 ").unwrap().get(), 2);
        assert!(VersionNumber::parse("-1").is_err());
        assert_eq!(VersionNumber::FIRST.next().get(), 2);
        assert!(summary(" ").is_err());
        assert_eq!(
            summary(" Durée\r\nde conservation ").unwrap(),
            "Durée\nde conservation"
        );
    }
}
