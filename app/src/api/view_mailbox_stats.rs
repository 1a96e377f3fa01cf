use leptos::prelude::*;

use super::backup_views::MailboxStatsView;
use super::AppError;

/// Support opens one mailbox of a customer and sees its aggregates (charter §5): size in messages and bytes,
/// folder names and messages per folder, as of when the mail platform sent them. Each view is an audit entry the
/// customer sees, written before anything is shown.
#[server(prefix = "/sf", endpoint = "view-mailbox-stats")]
pub async fn view_mailbox_stats(
    customer: String,
    mailbox: String,
) -> Result<MailboxStatsView, AppError> {
    use super::backup_views::{require_supervisor, FolderView};
    use super::consent_flows::*;
    use super::context::*;
    use crate::domain::{AuditEvent, CustomerNumber, EmailAddress};

    let context = app_context()?;
    let supervisor = require_supervisor(&context).await?;
    let number = parsed("customer", CustomerNumber::parse(&customer))?;
    let address = parsed("mailbox", EmailAddress::parse(&mailbox))?;
    let Some(owner) = context
        .store
        .customer_by_number(&number)
        .await
        .map_err(internal)?
    else {
        return fail(AppError::NotFound);
    };
    let audit = audit_entry(
        context.clock.now(),
        AuditEvent::MailboxStatsViewed,
        staff_actor(supervisor.staff()),
        owner.id,
        None,
        crate::log_detail!("size and folder list (supervision)"),
    );
    let Some(record) = context
        .store
        .view_mailbox_stats(owner.id, &address, &audit)
        .await
        .map_err(internal)?
    else {
        return fail(AppError::NotFound);
    };
    Ok(match record {
        Some(record) => MailboxStatsView {
            customer_number: number.to_string(),
            mailbox: address.to_string(),
            as_of: Some(record.as_of),
            messages: record.stats.messages,
            bytes: record.stats.bytes,
            folders: record
                .stats
                .folders
                .into_iter()
                .map(|folder| FolderView {
                    name: folder.name,
                    messages: folder.messages,
                })
                .collect(),
        },
        None => MailboxStatsView {
            customer_number: number.to_string(),
            mailbox: address.to_string(),
            as_of: None,
            messages: 0,
            bytes: 0,
            folders: Vec::new(),
        },
    })
}
