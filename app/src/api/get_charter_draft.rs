use leptos::prelude::*;

use super::charter_views::DraftView;
use super::AppError;

/// The working draft for a privacy officer: its Markdown, its preview (rendered with raw HTML escaped) and its
/// differences with the version in force. Without a draft, the version in force is offered to start from.
#[server(prefix = "/sf", endpoint = "get-charter-draft")]
pub async fn get_charter_draft() -> Result<DraftView, AppError> {
    use super::charter_views::convert;
    use super::consent_flows::Labels;
    use super::context::*;
    use crate::auth::guard::AsPrivacyOfficer;
    use crate::usecases::charter::{render_markdown, word_diff};

    let context = app_context()?;
    require_role::<AsPrivacyOfficer>(&context).await?;
    let now = context.clock.now();
    let versions = context.store.charter_versions().await.map_err(internal)?;
    let in_force_number = convert::in_force(&versions, now);
    let in_force = versions
        .iter()
        .find(|version| Some(version.number.get()) == in_force_number);
    let draft = context.store.charter_draft().await.map_err(internal)?;
    let (text_fr, text_en) = match (&draft, in_force) {
        (Some(draft), _) => (
            draft.text.french().to_owned(),
            draft.text.english().to_owned(),
        ),
        (None, Some(version)) => (
            version.text.french().to_owned(),
            version.text.english().to_owned(),
        ),
        (None, None) => (String::new(), String::new()),
    };
    let diff = match (&draft, in_force) {
        (Some(draft), Some(version)) => {
            convert::parts(word_diff(version.text.french(), draft.text.french()))
        }
        _ => Vec::new(),
    };
    let updated_by = match &draft {
        Some(draft) => Some(
            Labels::new(context.store.as_ref())
                .staff(draft.updated_by)
                .await
                .map_err(internal)?
                .name,
        ),
        None => None,
    };
    let last_day = versions
        .last()
        .map(|version| version.effective_at.date_naive());
    Ok(DraftView {
        preview_fr: draft
            .as_ref()
            .map(|draft| render_markdown(draft.text.french()))
            .unwrap_or_default(),
        preview_en: draft
            .as_ref()
            .map(|draft| render_markdown(draft.text.english()))
            .unwrap_or_default(),
        text_fr,
        text_en,
        revision: draft.as_ref().map(|draft| draft.revision),
        updated_by,
        updated_at: draft.as_ref().map(|draft| draft.updated_at),
        diff,
        in_force: in_force_number,
        next: versions
            .last()
            .map_or(1, |version| version.number.get() + 1),
        earliest: last_day.map_or(now.date_naive(), |day| day.max(now.date_naive())),
        history: convert::history(&versions, now),
    })
}
