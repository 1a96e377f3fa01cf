//! The charter's versions, the working draft, the notice of each publication and the customers' acknowledgements.
//! A publication and its audit entry are written in one transaction; published versions are never changed (the
//! triggers of migration 0008 refuse it).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::audit::{append_audit, AuditValues};
use super::consent::rows::corrupt;
use super::{in_write_tx, map_error, on_pool, SqlStore};
use app::domain::charter::{CharterText, VersionNumber};
use app::domain::consent::GrantId;
use app::ports::{
    AuditEntry, CharterDraft, CharterStore, CharterVersion, CustomerId, NewCharterVersion,
    PublishError, StaffId, StorageError,
};

/// Version 1: the operator's charter as given (`source-v1.fr.txt` without its site banner), in Markdown, and our
/// English translation.
pub const FIRST_FRENCH: &str = include_str!("../../charter/v1.fr.md");
pub const FIRST_ENGLISH: &str = include_str!("../../charter/v1.en.md");
const FIRST_SUMMARY: &str = "Charte de confidentialité de l’hébergeur, telle qu’il l’a rédigée.";

/// Version 1 was in force before the portal stored it; it counts from the day the portal received it, so that every
/// grant given in the portal names it.
pub fn first_effective_at() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2026, 11, 26)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

#[derive(Debug, sqlx::FromRow)]
struct VersionRow {
    number: i32,
    text_fr: String,
    text_en: String,
    summary: String,
    effective_at: DateTime<Utc>,
    published_at: DateTime<Utc>,
    published_by: Option<i64>,
    notice_customers: Option<i64>,
    notice_queued_at: Option<DateTime<Utc>>,
}

fn number_of(raw: i32) -> Result<VersionNumber, StorageError> {
    u32::try_from(raw)
        .ok()
        .and_then(|number| VersionNumber::new(number).ok())
        .ok_or_else(|| corrupt("charter version", "has a number below 1"))
}

fn column(number: VersionNumber) -> i32 {
    i32::try_from(number.get()).unwrap_or(i32::MAX)
}

impl VersionRow {
    fn version(self) -> Result<CharterVersion, StorageError> {
        let notice = match (self.notice_customers, self.notice_queued_at) {
            (Some(customers), Some(at)) => Some((u64::try_from(customers).unwrap_or(0), at)),
            _ => None,
        };
        Ok(CharterVersion {
            number: number_of(self.number)?,
            text: CharterText::parse(&self.text_fr, &self.text_en)?,
            summary: self.summary,
            effective_at: self.effective_at,
            published_at: self.published_at,
            published_by: self.published_by.map(StaffId),
            notice,
        })
    }
}

macro_rules! select_versions {
    ($rest:literal) => {
        concat!(
            "SELECT v.number, v.text_fr, v.text_en, v.summary, v.effective_at, v.published_at, v.published_by, \
             n.customers AS notice_customers, n.queued_at AS notice_queued_at FROM charter_versions v \
             LEFT JOIN charter_notices n ON n.version = v.number ",
            $rest
        )
    };
}

impl SqlStore {
    /// Stores version 1 if it is not there yet; run with the migrations, so that a new database starts with the
    /// charter in force.
    pub async fn ensure_first_charter(&self, now: DateTime<Utc>) -> Result<(), StorageError> {
        let text = CharterText::parse(FIRST_FRENCH, FIRST_ENGLISH)?;
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO charter_versions (number, text_fr, text_en, summary, effective_at, published_at, \
                 published_by) VALUES (1, $1, $2, $3, $4, $5, NULL) ON CONFLICT (number) DO NOTHING",
            )
            .bind(text.french())
            .bind(text.english())
            .bind(FIRST_SUMMARY)
            .bind(first_effective_at())
            .bind(now)
            .execute(pool)
            .await
            .map(drop)
        })
        .map_err(map_error)?;
        Ok(())
    }
}

#[async_trait]
impl CharterStore for SqlStore {
    async fn charter_versions(&self) -> Result<Vec<CharterVersion>, StorageError> {
        let rows: Vec<VersionRow> = on_pool!(self, pool => {
            sqlx::query_as(select_versions!("ORDER BY v.number")).fetch_all(pool).await
        })
        .map_err(map_error)?;
        rows.into_iter().map(VersionRow::version).collect()
    }

    async fn charter_version(
        &self,
        number: VersionNumber,
    ) -> Result<Option<CharterVersion>, StorageError> {
        let row: Option<VersionRow> = on_pool!(self, pool => {
            sqlx::query_as(select_versions!("WHERE v.number = $1"))
                .bind(column(number))
                .fetch_optional(pool)
                .await
        })
        .map_err(map_error)?;
        row.map(VersionRow::version).transpose()
    }

    async fn charter_in_force(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Option<CharterVersion>, StorageError> {
        let row: Option<VersionRow> = on_pool!(self, pool => {
            sqlx::query_as(select_versions!("WHERE v.effective_at <= $1 ORDER BY v.number DESC LIMIT 1"))
                .bind(at)
                .fetch_optional(pool)
                .await
        })
        .map_err(map_error)?;
        row.map(VersionRow::version).transpose()
    }

    async fn charter_draft(&self) -> Result<Option<CharterDraft>, StorageError> {
        let row: Option<(String, String, i64, i64, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT text_fr, text_en, revision, updated_by, updated_at FROM charter_draft WHERE singleton = 1",
            )
            .fetch_optional(pool)
            .await
        })
        .map_err(map_error)?;
        row.map(|(french, english, revision, updated_by, updated_at)| {
            Ok(CharterDraft {
                text: CharterText::parse(&french, &english)?,
                revision,
                updated_by: StaffId(updated_by),
                updated_at,
            })
        })
        .transpose()
    }

    async fn save_charter_draft(
        &self,
        text: &CharterText,
        by: StaffId,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        let revision: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO charter_draft (singleton, text_fr, text_en, revision, updated_by, updated_at) \
                 VALUES (1, $1, $2, 1, $3, $4) ON CONFLICT (singleton) DO UPDATE SET text_fr = excluded.text_fr, \
                 text_en = excluded.text_en, revision = charter_draft.revision + 1, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at RETURNING revision",
            )
            .bind(text.french())
            .bind(text.english())
            .bind(by.0)
            .bind(now)
            .fetch_one(pool)
            .await
        })
        .map_err(map_error)?;
        Ok(revision)
    }

    async fn publish_charter(
        &self,
        version: &NewCharterVersion,
        audit: &(dyn Fn(VersionNumber) -> AuditEntry + Sync),
    ) -> Result<VersionNumber, PublishError> {
        Ok(in_write_tx!(self, tx => {
            // Locks the draft, so that a save or a second publication waits for this one.
            let draft: Option<(String, String, i64)> = sqlx::query_as(
                "UPDATE charter_draft SET revision = revision WHERE singleton = 1 RETURNING text_fr, text_en, revision",
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            let Some((french, english, revision)) = draft else {
                return Err(PublishError::NoDraft);
            };
            if revision != version.draft_revision {
                return Err(PublishError::DraftChanged);
            }
            let latest: Option<(i32, String, String, DateTime<Utc>)> = sqlx::query_as(
                "SELECT number, text_fr, text_en, effective_at FROM charter_versions ORDER BY number DESC LIMIT 1",
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            let number = match latest {
                Some((_, latest_fr, latest_en, _)) if latest_fr == french && latest_en == english => {
                    return Err(PublishError::Unchanged);
                }
                Some((_, _, _, latest)) if version.effective_at < latest => {
                    return Err(PublishError::BeforeLatest { latest });
                }
                Some((number, ..)) => number_of(number)?.next(),
                None => VersionNumber::FIRST,
            };
            let entry = audit(number);
            sqlx::query(
                "INSERT INTO charter_versions (number, text_fr, text_en, summary, effective_at, published_at, \
                 published_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(column(number))
            .bind(&french)
            .bind(&english)
            .bind(&version.summary)
            .bind(version.effective_at)
            .bind(entry.at)
            .bind(version.published_by.0)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            sqlx::query("DELETE FROM charter_draft WHERE singleton = 1")
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            // Last, as the chain's writer requires.
            append_audit!(tx, [AuditValues::of(&entry)]);
            number
        }))
    }

    async fn record_charter_notice(
        &self,
        version: VersionNumber,
        customers: u64,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let inserted = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO charter_notices (version, customers, queued_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (version) DO NOTHING",
            )
            .bind(column(version))
            .bind(i64::try_from(customers).unwrap_or(i64::MAX))
            .bind(at)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(map_error)?;
        Ok(inserted == 1)
    }

    async fn charter_to_acknowledge(
        &self,
        customer: CustomerId,
    ) -> Result<Option<CharterVersion>, StorageError> {
        let row: Option<VersionRow> = on_pool!(self, pool => {
            sqlx::query_as(select_versions!(
                "WHERE v.number = (SELECT MAX(number) FROM charter_versions) AND v.published_by IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM charter_acknowledgements a WHERE a.customer_id = $1 \
                 AND a.version = v.number)"
            ))
            .bind(customer.0)
            .fetch_optional(pool)
            .await
        })
        .map_err(map_error)?;
        row.map(VersionRow::version).transpose()
    }

    async fn acknowledge_charter(
        &self,
        customer: CustomerId,
        version: VersionNumber,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let inserted = sqlx::query(
                "INSERT INTO charter_acknowledgements (customer_id, version, acknowledged_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (customer_id, version) DO NOTHING",
            )
            .bind(customer.0)
            .bind(column(version))
            .bind(audit.at)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?
            .rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            append_audit!(tx, [AuditValues::of(audit)]);
            true
        }))
    }

    async fn charter_acknowledgements_of(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<(VersionNumber, DateTime<Utc>)>, StorageError> {
        let rows: Vec<(i32, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT version, acknowledged_at FROM charter_acknowledgements WHERE customer_id = $1 \
                 ORDER BY version",
            )
            .bind(customer.0)
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter()
            .map(|(number, at)| Ok((number_of(number)?, at)))
            .collect()
    }

    async fn grant_charter_version(
        &self,
        grant: GrantId,
    ) -> Result<Option<VersionNumber>, StorageError> {
        let version: Option<Option<i32>> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT charter_version FROM grants WHERE id = $1")
                .bind(grant.0)
                .fetch_optional(pool)
                .await
        })
        .map_err(map_error)?;
        version.flatten().map(number_of).transpose()
    }
}
