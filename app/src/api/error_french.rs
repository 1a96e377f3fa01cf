//! Field errors in French. Validation words its reasons in English ("The phone must …"); a French reader gets them
//! from `locales/server-errors.fr.json`, a catalogue keyed by the English text as gettext is: the field's name, the
//! reason, or a whole message (whose `{placeholders}` stand for the values the English carries). Anything missing
//! from the catalogue stays in English; a test keeps the catalogue complete for every reason written in the code.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::log_details::captures;

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Catalogue {
    pub(crate) fields: HashMap<String, String>,
    pub(crate) reasons: HashMap<String, String>,
    pub(crate) messages: HashMap<String, String>,
}

pub(crate) const CATALOGUE_JSON: &str = include_str!("../../locales/server-errors.fr.json");

static FRENCH: LazyLock<Catalogue> = LazyLock::new(|| {
    serde_json::from_str(CATALOGUE_JSON).unwrap_or_else(|error| {
        tracing::error!(%error, "the French error catalogue does not parse: field errors stay in English");
        Catalogue::default()
    })
});

/// The French for an English field-error message, when the catalogue has it.
pub fn in_french(message: &str) -> Option<String> {
    translate(&FRENCH, message)
}

fn translate(catalogue: &Catalogue, message: &str) -> Option<String> {
    if let Some(french) = catalogue.messages.get(message) {
        return Some(french.clone());
    }
    let composed = message.strip_prefix("The ").and_then(|rest| {
        catalogue.fields.iter().find_map(|(field, name)| {
            let reason = rest
                .strip_prefix(&field.replace('_', " "))?
                .strip_prefix(' ')?
                .strip_suffix('.')?;
            Some(format!("{name} : {}.", catalogue.reasons.get(reason)?))
        })
    });
    composed.or_else(|| {
        catalogue
            .messages
            .iter()
            .filter(|(english, _)| english.contains('{'))
            .find_map(|(english, french)| fill(french, &captures(english, message)?))
    })
}

fn fill(french: &str, values: &[(String, &str)]) -> Option<String> {
    let mut filled = french.to_owned();
    for (name, value) in values {
        let placeholder = format!("{{{name}}}");
        if !filled.contains(&placeholder) {
            return None;
        }
        filled = filled.replace(&placeholder, value);
    }
    Some(filled)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        let owned = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect()
        };
        Catalogue {
            fields: owned(&[
                ("duration_minutes", "Durée en minutes"),
                ("phone", "Téléphone"),
            ]),
            reasons: owned(&[("must not be empty", "ne doit pas être vide")]),
            messages: owned(&[
                ("This is already your address.", "C’est déjà votre adresse."),
                (
                    "There is no customer with the number {number}.",
                    "Aucun client ne porte le numéro {number}.",
                ),
                ("From {from} to {to}.", "De {from} à {to}."),
            ]),
        }
    }

    #[test]
    fn field_and_reason_are_composed() {
        let french = catalogue();
        assert_eq!(
            translate(&french, "The duration minutes must not be empty.").as_deref(),
            Some("Durée en minutes : ne doit pas être vide.")
        );
        assert_eq!(
            translate(&french, "The phone is odd."),
            None,
            "an unknown reason stays English"
        );
    }

    #[test]
    fn whole_messages_and_their_values_are_translated() {
        let french = catalogue();
        assert_eq!(
            translate(&french, "This is already your address.").as_deref(),
            Some("C’est déjà votre adresse.")
        );
        assert_eq!(
            translate(&french, "There is no customer with the number C-100042.").as_deref(),
            Some("Aucun client ne porte le numéro C-100042.")
        );
        assert_eq!(
            translate(&french, "From 3 to 7.").as_deref(),
            Some("De 3 à 7.")
        );
        assert_eq!(translate(&french, "There is no one."), None);
    }

    /// The arguments of every call to `callee` in the application's sources, as written (literals keep their quotes).
    fn calls(callee: &str) -> Vec<Vec<String>> {
        calls_in(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            callee,
        )
    }

    /// Every Rust source file under `dir`, for the tests that check what the code writes.
    pub(crate) fn rust_sources(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).expect("readable sources").flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(rust_sources(&path));
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                found.push(path);
            }
        }
        found
    }

    /// The names of a pattern's `{placeholders}`, sorted.
    pub(crate) fn placeholder_names(text: &str) -> Vec<String> {
        let mut names: Vec<String> = text
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_owned()))
            .collect();
        names.sort();
        names
    }

    /// The arguments of every call to `callee` in the Rust sources under `dir` (but the catalogues' own).
    pub(crate) fn calls_in(dir: &std::path::Path, callee: &str) -> Vec<Vec<String>> {
        let texts: Vec<String> = rust_sources(dir)
            .into_iter()
            .filter(|path| !path.ends_with("error_french.rs") && !path.ends_with("log_details.rs"))
            .map(|path| std::fs::read_to_string(path).expect("a source file"))
            .collect();
        let mut found = Vec::new();
        for text in &texts {
            for (start, _) in text.match_indices(callee) {
                let mut args = vec![String::new()];
                let (mut depth, mut in_string) = (0, false);
                for ch in text[start + callee.len()..].chars() {
                    match ch {
                        '"' => in_string = !in_string,
                        '(' if !in_string => depth += 1,
                        ')' if !in_string && depth == 0 => break,
                        ')' if !in_string => depth -= 1,
                        ',' if !in_string && depth == 0 => {
                            args.push(String::new());
                            continue;
                        }
                        _ => {}
                    }
                    if let Some(arg) = args.last_mut() {
                        arg.push(ch);
                    }
                }
                found.push(args.into_iter().map(|arg| arg.trim().to_owned()).collect());
            }
        }
        found
    }

    fn literal(arg: &str) -> Option<&str> {
        arg.strip_prefix('"')?
            .strip_suffix('"')
            .filter(|text| !text.contains('"'))
    }

    #[test]
    fn every_reason_and_message_written_in_the_code_has_its_french() {
        let shipped: Catalogue =
            serde_json::from_str(CATALOGUE_JSON).expect("valid JSON of the right shape");
        let mut missing = Vec::new();
        for args in calls("InvalidInput::new(") {
            if let Some(reason) = args.get(1).and_then(|arg| literal(arg)) {
                if !shipped.reasons.contains_key(reason) {
                    missing.push(format!("reason {reason:?}"));
                }
            }
            if let Some(field) = args.first().and_then(|arg| literal(arg)) {
                if !shipped.fields.contains_key(field) {
                    missing.push(format!("field {field:?}"));
                }
            }
        }
        for callee in ["AppError::invalid(", "refuse("] {
            for args in calls(callee) {
                if let Some(message) = args.get(1).and_then(|arg| literal(arg)) {
                    if !shipped.messages.contains_key(message) {
                        missing.push(format!("message {message:?}"));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "not in locales/server-errors.fr.json:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn the_shipped_catalogue_parses_and_its_placeholders_match() {
        let shipped: Catalogue =
            serde_json::from_str(CATALOGUE_JSON).expect("valid JSON of the right shape");
        assert!(
            !shipped.reasons.is_empty()
                && !shipped.fields.is_empty()
                && !shipped.messages.is_empty()
        );
        for (english, french) in &shipped.messages {
            assert_eq!(
                placeholder_names(english),
                placeholder_names(french),
                "placeholders of {english:?}"
            );
        }
    }
}
