use chrono::{DateTime, Utc};

use crate::storage::audit::{append_audit, AuditValues};
use crate::storage::{in_write_tx, map_error, SqlStore};
use app::domain::mailbox::{FolderStats, MailboxStats};
use app::domain::EmailAddress;
use app::ports::{AuditEntry, CustomerId, MailboxStatsRecord, StatsWrite, StorageError};

impl SqlStore {
    pub(super) async fn put_mailbox_stats_impl(
        &self,
        mailbox: &EmailAddress,
        stats: &MailboxStats,
        as_of: DateTime<Utc>,
    ) -> Result<StatsWrite, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let service: Option<i64> =
                sqlx::query_scalar("SELECT id FROM services WHERE kind = 'mailbox' AND name = $1")
                    .bind(mailbox.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_error)?;
            let Some(service) = service else {
                return Ok(StatsWrite::UnknownMailbox);
            };
            sqlx::query(
                "INSERT INTO mailbox_stats (service_id, messages, bytes, as_of) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (service_id) DO UPDATE SET messages = excluded.messages, bytes = excluded.bytes, \
                 as_of = excluded.as_of",
            )
            .bind(service)
            .bind(stats.messages)
            .bind(stats.bytes)
            .bind(as_of)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            sqlx::query("DELETE FROM mailbox_stat_folders WHERE service_id = $1")
                .bind(service)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            // At most 1000 folders of 4 values: within both databases' limit on parameters per statement.
            if !stats.folders.is_empty() {
                let mut builder = sqlx::QueryBuilder::new(
                    "INSERT INTO mailbox_stat_folders (service_id, position, name, messages) ",
                );
                builder.push_values(stats.folders.iter().enumerate(), |mut row, (position, folder)| {
                    row.push_bind(service)
                        .push_bind(i32::try_from(position).unwrap_or(i32::MAX))
                        .push_bind(folder.name.clone())
                        .push_bind(folder.messages);
                });
                builder.build().execute(&mut *tx).await.map_err(map_error)?;
            }
            StatsWrite::Stored
        }))
    }

    pub(super) async fn view_mailbox_stats_impl(
        &self,
        customer: CustomerId,
        mailbox: &EmailAddress,
        audit: &AuditEntry,
    ) -> Result<Option<Option<MailboxStatsRecord>>, StorageError> {
        let (stats, folders) = in_write_tx!(self, tx => {
            let service: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM services WHERE customer_id = $1 AND kind = 'mailbox' AND name = $2",
            )
            .bind(customer.0)
            .bind(mailbox.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            let Some(service) = service else {
                return Ok(None);
            };
            let stats: Option<(i64, i64, DateTime<Utc>)> =
                sqlx::query_as("SELECT messages, bytes, as_of FROM mailbox_stats WHERE service_id = $1")
                    .bind(service)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_error)?;
            let folders: Vec<(String, i64)> = sqlx::query_as(
                "SELECT name, messages FROM mailbox_stat_folders WHERE service_id = $1 ORDER BY position",
            )
            .bind(service)
            .fetch_all(&mut *tx)
            .await
            .map_err(map_error)?;
            let entry = AuditEntry {
                customer: Some(customer),
                resource: Some(app::domain::consent::ResourceId::Mailbox(mailbox.clone())),
                ..audit.clone()
            };
            append_audit!(tx, [AuditValues::of(&entry)]);
            (stats, folders)
        });
        let Some((messages, bytes, as_of)) = stats else {
            return Ok(Some(None));
        };
        let folders = folders
            .into_iter()
            .map(|(name, messages)| FolderStats { name, messages })
            .collect();
        let stats = MailboxStats::new(messages, bytes, folders)?;
        Ok(Some(Some(MailboxStatsRecord {
            mailbox: mailbox.clone(),
            customer,
            stats,
            as_of,
        })))
    }
}
