//! The `detail` of an audit entry, in the reader's language. The portal words the details it writes in stable English
//! (`log_detail!`), and they are stored as written: the detail is part of the entry's chain hash, so an entry keeps
//! the words it was written with. `locales/log-details.json` words each pattern for the reader, keyed by the English
//! pattern as gettext is: `{placeholders}` stand for the values the stored text carries. A value is reworded too when
//! it is a word of the catalogue (an action, a field, a role) or a list of them; `{date}` (`2026-11-27`) and
//! `{moment}` (`2026-11-27 14:00 UTC`) are written as the reader's dates; `{detail}` and `{why}` hold a detail of
//! their own, worded in turn; `{text}` is what a person typed and stays as typed, as do a court order's
//! `{authority}`, `{reference}` and `{scope}`. Patterns of details written before this wording (a Debug print such as
//! `Complete`) are in the catalogue too, so old entries read as well as new ones.
//! A detail no pattern matches (what a person typed: a case subject, a reason) is shown as stored.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime};

use crate::i18n::Locale;

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Language {
    /// Stored English pattern → the reader's words. In English, a pattern missing here is shown as it is stored
    /// (with its values reworded).
    #[serde(default)]
    pub(crate) patterns: HashMap<String, String>,
    /// A word found as a value (or in a comma-separated list of values) → the reader's word.
    #[serde(default)]
    pub(crate) words: HashMap<String, String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Catalogue {
    pub(crate) fr: Language,
    pub(crate) en: Language,
    /// Every pattern with `{placeholders}` either language knows, the most specific (most literal text) first;
    /// sorted once, not for each entry of a log page.
    #[serde(skip)]
    by_specificity: std::sync::OnceLock<Vec<Template>>,
}

/// A pattern with placeholders, and the literal text it starts with: a detail that does not start so is not that
/// pattern, which rules out most patterns for a given detail before any matching (a log page rewords every entry).
#[derive(Debug)]
struct Template {
    pattern: String,
    prefix_len: usize,
}

impl Template {
    fn may_match(&self, text: &str) -> bool {
        text.starts_with(&self.pattern[..self.prefix_len])
    }
}

impl Catalogue {
    fn templates_by_specificity(&self) -> &[Template] {
        self.by_specificity.get_or_init(|| {
            let mut patterns: Vec<&String> = self
                .fr
                .patterns
                .keys()
                .chain(self.en.patterns.keys())
                .filter(|pattern| pattern.contains('{'))
                .collect();
            patterns.sort_by_key(|pattern| (std::cmp::Reverse(literal_length(pattern)), *pattern));
            patterns.dedup();
            patterns
                .into_iter()
                .map(|pattern| Template {
                    prefix_len: pattern.find('{').unwrap_or(pattern.len()),
                    pattern: pattern.clone(),
                })
                .collect()
        })
    }

    fn knows_exactly(&self, text: &str) -> bool {
        self.fr.patterns.contains_key(text) || self.en.patterns.contains_key(text)
    }
}

/// How much of `pattern` is text rather than `{placeholders}`.
fn literal_length(pattern: &str) -> usize {
    pattern
        .split('{')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.len()
            } else {
                part.split_once('}').map_or(0, |(_, rest)| rest.len())
            }
        })
        .sum()
}

pub(crate) const CATALOGUE_JSON: &str = include_str!("../../locales/log-details.json");

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    serde_json::from_str(CATALOGUE_JSON).unwrap_or_else(|error| {
        tracing::error!(%error, "the log-detail catalogue does not parse: details are shown as stored");
        Catalogue::default()
    })
});

/// A stored detail as the reader reads it in `locale`; as stored when the catalogue does not know it.
pub fn shown(detail: &str, locale: Locale) -> String {
    worded(&CATALOGUE, detail, locale)
}

fn worded(catalogue: &Catalogue, detail: &str, locale: Locale) -> String {
    match translate(catalogue, detail, locale, 0) {
        Some(words) => capitalised(&words),
        None => detail.to_owned(),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Placeholders that hold a number: a pattern matches only when they do.
const NUMBERS: [&str; 3] = ["id", "minutes", "version"];
/// Placeholders that hold words of the catalogue (or a list of them): a pattern matches only when they do.
const WORDS: [&str; 5] = ["actions", "fields", "role", "kind", "code"];

fn translate(catalogue: &Catalogue, text: &str, locale: Locale, depth: u8) -> Option<String> {
    if depth > 3 {
        return None;
    }
    let (language, english) = match locale {
        Locale::fr => (&catalogue.fr, false),
        Locale::en => (&catalogue.en, true),
    };
    let target = |pattern: &str| -> Option<String> {
        language
            .patterns
            .get(pattern)
            .cloned()
            .or_else(|| english.then(|| pattern.to_owned()))
    };
    if catalogue.knows_exactly(text) {
        return target(text);
    }
    if let Some(list) = words(language, text) {
        return Some(list);
    }
    catalogue
        .templates_by_specificity()
        .iter()
        .filter(|template| template.may_match(text))
        .find_map(|Template { pattern, .. }| {
            let values = captures(pattern, text)?;
            let mut filled = target(pattern)?;
            for (name, value) in values {
                let shown = match name.as_str() {
                    _ if NUMBERS.contains(&name.as_str()) => value
                        .chars()
                        .all(|c| c.is_ascii_digit())
                        .then(|| value.to_owned())
                        .filter(|value| !value.is_empty())?,
                    "date" => crate::ui::locale::day(
                        locale,
                        NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?,
                    ),
                    "moment" => crate::ui::locale::moment(
                        locale,
                        NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M UTC")
                            .ok()?
                            .and_utc(),
                    ),
                    "detail" | "why" => translate(catalogue, value, locale, depth + 1)
                        .unwrap_or_else(|| value.to_owned()),
                    _ if WORDS.contains(&name.as_str()) => words(language, value)?,
                    "text" | "authority" | "reference" | "scope" => value.to_owned(),
                    _ => words(language, value).unwrap_or_else(|| value.to_owned()),
                };
                let placeholder = format!("{{{name}}}");
                if !filled.contains(&placeholder) {
                    return None;
                }
                filled = filled.replace(&placeholder, &shown);
            }
            Some(filled)
        })
}

/// A word of the catalogue, or a comma-separated list of them (`read,list`), in the reader's words.
fn words(language: &Language, text: &str) -> Option<String> {
    let shown: Option<Vec<&str>> = text
        .split(',')
        .map(|word| language.words.get(word.trim()).map(String::as_str))
        .collect();
    Some(shown?.join(", "))
}

/// The values `text` holds where `pattern` has `{name}`s, by name; `None` when it is not that pattern. Shared
/// with the French catalogue of error messages.
pub(crate) fn captures<'t>(pattern: &str, text: &'t str) -> Option<Vec<(String, &'t str)>> {
    let mut values = Vec::new();
    let mut rest = text;
    let mut literal = pattern;
    loop {
        match literal.split_once('{') {
            None => return (rest == literal).then_some(values),
            Some((before, after)) => {
                rest = rest.strip_prefix(before)?;
                let (name, next) = after.split_once('}')?;
                let next_literal = next.split('{').next().unwrap_or_default();
                let end = if next_literal.is_empty() {
                    rest.len()
                } else if next.contains('{') {
                    rest.find(next_literal)?
                } else {
                    // The last value runs to where the pattern's closing words begin.
                    rest.len().checked_sub(next_literal.len())?
                };
                if end == 0 {
                    return None;
                }
                values.push((name.to_owned(), &rest[..end]));
                rest = &rest[end..];
                literal = next;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Catalogue {
        serde_json::from_str(CATALOGUE_JSON).expect("valid JSON of the right shape")
    }

    #[test]
    fn sign_in_details_read_calmly_old_and_new() {
        let catalogue = shipped();
        let fr = |detail| worded(&catalogue, detail, Locale::fr);
        let en = |detail| worded(&catalogue, detail, Locale::en);
        assert_eq!(
            fr("sign-in complete (ip 127.0.0.1)"),
            "Connexion complète (adresse IP 127.0.0.1)"
        );
        assert_eq!(
            fr("Complete (ip 127.0.0.1)"),
            "Connexion complète (adresse IP 127.0.0.1)",
            "written before the stable wording"
        );
        assert_eq!(
            en("Complete (ip 127.0.0.1)"),
            "Sign-in complete (IP address 127.0.0.1)"
        );
        assert_eq!(fr("ip 192.0.2.7"), "Adresse IP 192.0.2.7");
        assert_eq!(en("ip 192.0.2.7"), "IP address 192.0.2.7");
        assert_eq!(
            fr("NeedsSecondFactor (ip ::1)"),
            "Mot de passe accepté, deuxième facteur attendu (adresse IP ::1)"
        );
    }

    #[test]
    fn values_dates_and_refusals_are_worded_for_the_reader() {
        let catalogue = shipped();
        let fr = |detail| worded(&catalogue, detail, Locale::fr);
        let en = |detail| worded(&catalogue, detail, Locale::en);
        assert_eq!(
            fr("charter version 2, in force from 2026-11-27"),
            "Charte, version 2, en vigueur dès le 27.11.2026"
        );
        assert_eq!(
            en("charter version 2, in force from 2026-11-27"),
            "Charter version 2, in force from 27 Nov 2026"
        );
        assert_eq!(
            fr("request 12: read,list for 30 min"),
            "Demande 12 : lecture, liste pendant 30 min"
        );
        assert_eq!(
            en("request 12: read,list for 30 min"),
            "Request 12: read, list for 30 min"
        );
        assert_eq!(
            fr("request 12: je préfère pas, for 5 min"),
            "Demande 12 refusée : je préfère pas, for 5 min",
            "a typed reason is not taken for words of the portal"
        );
        assert_eq!(
            fr("MissingRole(PrivacyOfficer) at /privacy/log"),
            "Refusé sur /privacy/log : rôle délégué à la protection des données manquant"
        );
        assert_eq!(
            fr("missing role privacy-officer at /privacy/log"),
            "Refusé sur /privacy/log : rôle délégué à la protection des données manquant"
        );
        assert_eq!(fr("phone, postal_address"), "Téléphone, adresse postale");
        assert_eq!(
            fr("changed: phone, postal_address"),
            "Modifié : téléphone, adresse postale"
        );
        assert_eq!(
            en("changed: phone,postal_address"),
            "Changed: phone, postal address"
        );
        let order = "ordered by Tribunal civil, Lausanne on 2026-11-20 (reference PE26.004217): read list, contract";
        assert_eq!(
            fr(order),
            "Ordonné par Tribunal civil, Lausanne le 20.11.2026 (référence PE26.004217) : read list, contract",
            "what the officer typed stays as typed, words of the portal or not"
        );
        assert_eq!(
            en(order),
            "Ordered by Tribunal civil, Lausanne on 20 Nov 2026 (reference PE26.004217): read list, contract"
        );
    }

    #[test]
    fn what_people_typed_is_shown_as_typed() {
        let catalogue = shipped();
        for typed in [
            "Le client a appelé pour sa boîte",
            "Tribunal cantonal, PE26.004217",
            "request x",
        ] {
            assert_eq!(worded(&catalogue, typed, Locale::fr), typed);
            assert_eq!(worded(&catalogue, typed, Locale::en), typed);
        }
    }

    /// The first argument of every `log_detail!` in the application's and the server's sources.
    fn written_patterns() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found = Vec::new();
        for dir in [root.join("src"), root.join("../server/src")] {
            for args in crate::api::error_french::tests::calls_in(&dir, "log_detail!(") {
                let first = args.first().cloned().unwrap_or_default();
                found.push(first);
            }
        }
        found
    }

    #[test]
    fn every_detail_written_in_the_code_has_its_french_and_no_debug_print() {
        let catalogue = shipped();
        let written = written_patterns();
        assert!(written.len() > 20, "found {written:?}");
        let mut wrong = Vec::new();
        for arg in written {
            let Some(pattern) = arg
                .strip_prefix('"')
                .and_then(|arg| arg.strip_suffix('"'))
                .filter(|pattern| !pattern.contains('"'))
            else {
                wrong.push(format!("{arg}: the pattern must be a string literal"));
                continue;
            };
            let names_plain = pattern.split('{').skip(1).all(|part| {
                part.split_once('}').is_some_and(|(name, _)| {
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                })
            });
            if !names_plain {
                wrong.push(format!("{pattern:?}: name every placeholder, no {{:?}}"));
            }
            if !catalogue.fr.patterns.contains_key(pattern) {
                wrong.push(format!(
                    "{pattern:?} has no French in locales/log-details.json"
                ));
            }
        }
        // What a refusal names, shown as the `{why}` of "{why} at {path}".
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for callee in ["forbid(", "forbid_with("] {
            for args in crate::api::error_french::tests::calls_in(&root, callee) {
                let Some(why) = args.get(2) else { continue };
                match why.strip_prefix('"').and_then(|why| why.strip_suffix('"')) {
                    Some(why) if catalogue.fr.patterns.contains_key(why) => {}
                    Some(why) => {
                        wrong.push(format!("{why:?} has no French in locales/log-details.json"))
                    }
                    None if why == "why" || why.contains("log_words()") => {}
                    None => wrong.push(format!("{why}: a refusal is named by a literal")),
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn the_shipped_catalogue_keeps_its_placeholders() {
        let catalogue = shipped();
        let names = crate::api::error_french::tests::placeholder_names;
        for language in [&catalogue.fr, &catalogue.en] {
            for (english, worded) in &language.patterns {
                assert_eq!(names(english), names(worded), "placeholders of {english:?}");
            }
        }
        for english in catalogue.en.patterns.keys() {
            assert!(
                catalogue.fr.patterns.contains_key(english),
                "{english:?} has no French"
            );
        }
        let mut fr_words: Vec<_> = catalogue.fr.words.keys().collect();
        let mut en_words: Vec<_> = catalogue.en.words.keys().collect();
        fr_words.sort();
        en_words.sort();
        assert_eq!(fr_words, en_words, "both languages word the same values");
    }
}
