//! The charter's texts as people read them (Markdown rendered with no raw HTML, word-level differences between two
//! texts), and the two steps that change something: a privacy officer publishing a version, which sends the
//! terms-change notice to every customer, and a customer acknowledging one.

use chrono::{DateTime, Utc};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use super::notices::{self, NoticeError};
use crate::domain::charter::VersionNumber;
use crate::domain::AuditEvent;
use crate::ports::{
    Actor, AuditBasis, AuditEntry, CustomerId, EventSource, NewCharterVersion, PublishError,
    StaffId, Storage, StorageError,
};

/// Markdown to HTML for the charter pages and the draft's preview. Raw HTML, block or inline, is shown as text
/// (escaped), never passed through; links keep only web, mail and in-site addresses; images become their
/// description, so that a text can neither run a script nor load anything. Headings go one level down, under the
/// page's own title.
pub fn render_markdown(markdown: &str) -> String {
    let mut dropped_links = Vec::new();
    let events = Parser::new(markdown).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Some(Event::Start(Tag::Heading {
            level: lower(level),
            id,
            classes,
            attrs,
        })),
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(lower(level)))),
        // Only the image's description, which comes as text between these two, is kept.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let safe = safe_address(&dest_url);
            dropped_links.push(!safe);
            safe.then_some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::End(TagEnd::Link) => {
            let dropped = dropped_links.pop().unwrap_or(false);
            (!dropped).then_some(Event::End(TagEnd::Link))
        }
        other => Some(other),
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

fn safe_address(address: &CowStr<'_>) -> bool {
    let lower = address.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || (lower.starts_with('/') && !lower.starts_with("//"))
        || lower.starts_with('#')
}

/// The text of each block (heading, paragraph, list item…) of a Markdown text, as a reader sees it: what the tests
/// compare to the operator's plain-text charter.
pub fn block_texts(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(text) | Event::Code(text) => current.push_str(&text),
            Event::SoftBreak | Event::HardBreak => current.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item)
                if !current.is_empty() =>
            {
                blocks.push(std::mem::take(&mut current));
            }
            _ => {}
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffKind {
    Same,
    Added,
    Removed,
}

/// A run of words that is in both texts, only in the newer one, or only in the older one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffPiece {
    pub kind: DiffKind,
    pub text: String,
}

/// Word-level differences from `old` to `new`, in reading order, consecutive words of one kind joined. A
/// pathological pair of texts gives up after a second and reports a coarser (still correct) difference.
pub fn word_diff(old: &str, new: &str) -> Vec<DiffPiece> {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .timeout(std::time::Duration::from_secs(1))
        .diff_words(old, new);
    let mut pieces: Vec<DiffPiece> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            similar::ChangeTag::Equal => DiffKind::Same,
            similar::ChangeTag::Insert => DiffKind::Added,
            similar::ChangeTag::Delete => DiffKind::Removed,
        };
        let word = change.value();
        match pieces.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(word),
            _ => pieces.push(DiffPiece {
                kind,
                text: word.to_owned(),
            }),
        }
    }
    tidy(pieces)
}

/// Whitespace alone between a deletion and an addition would split one replacement in two for the reader: it
/// counts as changed on both sides. And a change never starts or ends with its spaces, which stay unmarked.
fn tidy(pieces: Vec<DiffPiece>) -> Vec<DiffPiece> {
    let mut out: Vec<DiffPiece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        if piece.kind == DiffKind::Same || piece.text.trim().is_empty() {
            match out.last_mut() {
                Some(last) if last.kind == piece.kind => last.text.push_str(&piece.text),
                _ => out.push(piece),
            }
            continue;
        }
        let leading = piece.text.len() - piece.text.trim_start().len();
        let trailing = piece.text.len() - piece.text.trim_end().len();
        let (head, rest) = piece.text.split_at(leading);
        let (body, tail) = rest.split_at(rest.len() - trailing);
        for (kind, text) in [
            (DiffKind::Same, head),
            (piece.kind, body),
            (DiffKind::Same, tail),
        ] {
            if text.is_empty() {
                continue;
            }
            match out.last_mut() {
                Some(last) if last.kind == kind => last.text.push_str(text),
                _ => out.push(DiffPiece {
                    kind,
                    text: text.to_owned(),
                }),
            }
        }
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum PublishCharterError {
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// The version is published and on record, but its notice could not be queued; it can be sent again.
    #[error("version {version} is published, but its notice could not be queued")]
    Notice {
        version: VersionNumber,
        #[source]
        error: NoticeError,
    },
}

/// The audit entry of a publication, naming the version and its date of effect.
fn published_entry(
    by: StaffId,
    roles: &[crate::domain::Role],
    version: VersionNumber,
    effective_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AuditEntry {
    AuditEntry {
        at: now,
        event: AuditEvent::CharterPublished,
        actor: Actor::Staff {
            id: by,
            roles: roles.to_vec(),
        },
        customer: None,
        resource: None,
        action: None,
        basis: AuditBasis::StaffRole,
        source: EventSource::Portal,
        detail: Some(crate::log_detail!(
            "charter version {version}, in force from {date}",
            date = effective_at.format("%Y-%m-%d")
        )),
    }
}

/// Publishes the working draft as the next version (with its audit entry, in one transaction), then queues the
/// terms-change notice to every customer and records that it was. Returns the version and how many customers were
/// notified.
pub async fn publish_version(
    store: &dyn Storage,
    version: NewCharterVersion,
    roles: &[crate::domain::Role],
    portal_origin: &str,
    now: DateTime<Utc>,
) -> Result<(VersionNumber, u64), PublishCharterError> {
    let entry = |number: VersionNumber| {
        published_entry(
            version.published_by,
            roles,
            number,
            version.effective_at,
            now,
        )
    };
    let number = store.publish_charter(&version, &entry).await?;
    let customers = send_notice(store, number, &version.summary, portal_origin, now)
        .await
        .map_err(|error| PublishCharterError::Notice {
            version: number,
            error,
        })?;
    Ok((number, customers))
}

/// Queues the terms-change notice of `version` to every customer, unless it already was. Returns how many.
pub async fn send_notice(
    store: &dyn Storage,
    version: VersionNumber,
    summary: &str,
    portal_origin: &str,
    now: DateTime<Utc>,
) -> Result<u64, NoticeError> {
    if let Some((customers, _)) = store
        .charter_version(version)
        .await?
        .and_then(|stored| stored.notice)
    {
        return Ok(customers);
    }
    let customers = notices::enqueue_terms_change_notice(
        store,
        &version.to_string(),
        summary,
        portal_origin,
        now,
    )
    .await?;
    store.record_charter_notice(version, customers, now).await?;
    Ok(customers)
}

/// Records that the customer acknowledged `version`, with its audit entry; `false` when they already had.
pub async fn acknowledge(
    store: &dyn Storage,
    customer: CustomerId,
    version: VersionNumber,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    let entry = AuditEntry {
        at: now,
        event: AuditEvent::CharterAcknowledged,
        actor: Actor::Customer { id: customer },
        customer: Some(customer),
        resource: None,
        action: None,
        basis: AuditBasis::TheCustomer,
        source: EventSource::Portal,
        detail: Some(crate::log_detail!("charter version {version}")),
    };
    store.acknowledge_charter(customer, version, &entry).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_escaped_never_passed_through() {
        for source in [
            "<script>alert(1)</script>",
            "Texte <script>alert(1)</script> en ligne",
            "<img src=x onerror=alert(1)>",
            "<div onclick=\"x()\">bloc</div>\n\npara",
        ] {
            let html = render_markdown(source);
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("<div"), "{html}");
        }
        assert!(render_markdown("<script>alert(1)</script>").contains("&lt;script&gt;"));
    }

    #[test]
    fn only_safe_links_are_kept_and_images_become_text() {
        let html = render_markdown(
            "[a](javascript:alert(1)) [b](https://example.ch) ![c](https://x/y.png)",
        );
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.ch\">b</a>"),
            "{html}"
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains('c'), "{html}");
        assert!(render_markdown("## 1. Titre\n\nTexte").contains("<h3>1. Titre</h3>"));
    }

    #[test]
    fn the_difference_marks_words_added_and_removed() {
        let pieces = word_diff(
            "Toutes les sauvegardes sont détruites après 7 jours.",
            "Toutes les sauvegardes sont effacées après 14 jours.",
        );
        let of = |kind| {
            pieces
                .iter()
                .filter(|piece| piece.kind == kind)
                .map(|piece| piece.text.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(of(DiffKind::Removed), vec!["détruites", "7"]);
        assert_eq!(of(DiffKind::Added), vec!["effacées", "14"]);
        let old: String = pieces
            .iter()
            .filter(|piece| piece.kind != DiffKind::Added)
            .map(|piece| piece.text.as_str())
            .collect();
        assert_eq!(old, "Toutes les sauvegardes sont détruites après 7 jours.");
        assert!(word_diff("même texte", "même texte")
            .iter()
            .all(|piece| piece.kind == DiffKind::Same));
    }

    #[test]
    fn the_charter_blocks_read_as_plain_text() {
        assert_eq!(
            block_texts("# Titre\n\n## 1. Section ?\n\nUn paragraphe (p.ex, etc).\n"),
            vec!["Titre", "1. Section ?", "Un paragraphe (p.ex, etc)."]
        );
    }
}
