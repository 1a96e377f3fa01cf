//! Version 1 as stored is the operator's charter, word for word: the source file less its site banner, in
//! Markdown whose only additions are heading marks.

use crate::support::{Backend, TestDb};
use app::domain::charter::VersionNumber;
use app::ports::CharterStore;
use app::usecases::charter::block_texts;
use server::storage::charter::{FIRST_ENGLISH, FIRST_FRENCH};

/// The operator's file, kept verbatim in the repository beside the Markdown.
const SOURCE: &str = include_str!("../../../charter/source-v1.fr.txt");

/// The paragraphs of the source: every line after the banner, without the spaces (and non-breaking spaces) around
/// it, blank ones left out. That is the whole of the conversion to Markdown, with `#` marks before headings.
fn source_paragraphs(source: &str) -> Vec<String> {
    let mut lines = source.split('\n');
    let banner = lines.next().unwrap();
    assert_eq!(
        banner, "Entreprise ecologiquement engagee",
        "the site banner"
    );
    lines
        .map(|line| line.trim_matches([' ', '\t', '\u{a0}']))
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_repository_keeps_the_operators_file_unchanged() {
    // The shared copy beside the repository is the one the operator gave; a clone without it still has ours.
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/charter/charte-confidentialite-v1.fr.txt"
    );
    match std::fs::read_to_string(shared) {
        Ok(given) => assert_eq!(
            given, SOURCE,
            "server/charter/source-v1.fr.txt differs from {shared}"
        ),
        Err(error) => {
            eprintln!("{shared} not found ({error}); compared with the repository's copy only")
        }
    }
}

#[test]
fn the_markdown_reads_exactly_as_the_operators_text() {
    let expected = source_paragraphs(SOURCE);
    assert_eq!(expected.len(), 26, "paragraphs and headings of the source");
    assert_eq!(block_texts(FIRST_FRENCH), expected);
    // Only heading marks were added: every other line is a source paragraph as it is.
    for line in FIRST_FRENCH.lines().filter(|line| !line.is_empty()) {
        let text = line.trim_start_matches('#').trim_start();
        assert!(expected.iter().any(|paragraph| paragraph == text), "{line}");
    }
}

#[test]
fn the_translation_is_complete() {
    let french = block_texts(FIRST_FRENCH);
    let english = block_texts(FIRST_ENGLISH);
    assert_eq!(
        english.len(),
        french.len(),
        "one English block per French block"
    );
    let headings = |markdown: &str| -> Vec<String> {
        markdown
            .lines()
            .filter(|line| line.starts_with('#'))
            .map(|line| {
                line.split_whitespace()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    let (french_heads, english_heads) = (headings(FIRST_FRENCH), headings(FIRST_ENGLISH));
    assert_eq!(french_heads.len(), english_heads.len());
    for (fr, en) in french_heads.iter().zip(&english_heads).skip(1) {
        assert_eq!(fr, en, "sections are numbered alike");
    }
    for must in [
        "Swiss court",
        "7 days",
        "Infomaniak Network SA",
        "strictly confidential",
    ] {
        assert!(FIRST_ENGLISH.contains(must), "{must}");
    }
}

async fn version_one_is_stored_as_given(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let store = db.store().await;
    // Migrating again (a restart) keeps the one version 1.
    store.migrate().await.unwrap();
    let versions = store.charter_versions().await.unwrap();
    assert_eq!(versions.len(), 1);
    let first = &versions[0];
    assert_eq!(first.number, VersionNumber::FIRST);
    assert_eq!(first.published_by, None);
    assert!(!first.asks_acknowledgement());
    assert_eq!(first.text.french(), FIRST_FRENCH);
    assert_eq!(first.text.english(), FIRST_ENGLISH);
    assert_eq!(block_texts(first.text.french()), source_paragraphs(SOURCE));
    let in_force = store.charter_in_force(chrono::Utc::now()).await.unwrap();
    assert_eq!(
        in_force.map(|version| version.number),
        Some(VersionNumber::FIRST)
    );
}

on_both_backends!(version_one_is_stored_as_given);
