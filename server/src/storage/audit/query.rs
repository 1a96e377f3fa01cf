//! Reading the log for people: a customer's own entries, or the whole log for a privacy officer, filtered and
//! paged by keyset on the entry id (newest first), so that page 2,000 costs what page 1 does.
//!
//! The statement is assembled from the filters actually given rather than written once with `($n IS NULL OR …)`
//! guards: the planners of both databases then see plain conditions and keep walking `audit_log_by_customer`
//! (customer, id) backwards for a customer's page, stopping after `limit` rows.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::AuditRow;
use crate::storage::held::{on_connection, HeldConnection};
use crate::storage::{map_error, SqlStore};
use app::ports::{AuditFilter, AuditLine, AuditReader, AuditRecord, StaffDisplay, StorageError};

#[async_trait]
impl AuditReader for SqlStore {
    async fn audit_lines(
        &self,
        filter: &AuditFilter,
        as_customer: bool,
        before: Option<i64>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<AuditLine>, StorageError> {
        audit_lines(
            &mut self.hold().await?,
            filter,
            as_customer,
            before,
            limit,
            now,
        )
        .await
    }
}

/// The entry's columns prefixed with the table alias, and the staff member's name and job looked up per row
/// returned (scalar subqueries run only for the rows the LIMIT keeps).
const SELECT: &str = "SELECT a.id, a.entry_hash, a.occurred_at, a.event_code, a.actor_kind, a.actor_customer_id, \
     a.actor_staff_id, a.actor_roles, a.customer_id, a.resource, a.action, a.basis_kind, a.basis_ref, \
     a.basis_rule, a.outcome, a.source_kind, a.source_name, a.detail, \
     (SELECT s.display_name FROM staff s WHERE s.id = a.actor_staff_id) AS staff_name, \
     (SELECT s.job_title FROM staff s WHERE s.id = a.actor_staff_id) AS staff_job_title \
     FROM audit_log a WHERE a.id < ";

#[derive(Debug, sqlx::FromRow)]
struct LineRow {
    #[sqlx(flatten)]
    entry: AuditRow,
    staff_name: Option<String>,
    staff_job_title: Option<String>,
}

impl LineRow {
    fn line(self) -> Result<AuditLine, StorageError> {
        let staff = self.staff_name.map(|name| StaffDisplay {
            name,
            job_title: self.staff_job_title.unwrap_or_default(),
        });
        Ok(AuditLine {
            record: AuditRecord::try_from(self.entry)?,
            staff,
        })
    }
}

/// `actor_roles` holds the role names joined by commas; wrapping both sides in commas matches whole names only.
fn role_pattern(role: app::domain::Role) -> String {
    format!("%,{},%", role.as_str())
}

/// Appends the conditions of `filter` (and, for a customer's own view, the deferral rule) to `$builder`, whose
/// statement already ends with `a.id < <before>`.
macro_rules! push_conditions {
    ($builder:ident, $filter:expr, $as_customer:expr, $now:expr) => {{
        let filter: &AuditFilter = $filter;
        if let Some(customer) = filter.customer {
            $builder.push(" AND a.customer_id = ").push_bind(customer.0);
        }
        if let Some(resource) = &filter.resource {
            $builder.push(" AND a.resource = ").push_bind(resource.to_string());
        }
        if let Some(role) = filter.staff_role {
            $builder
                .push(" AND a.actor_kind = 'staff' AND (',' || a.actor_roles || ',') LIKE ")
                .push_bind(role_pattern(role));
        }
        if let Some(from) = filter.from {
            $builder.push(" AND a.occurred_at >= ").push_bind(from);
        }
        if let Some(until) = filter.until {
            $builder.push(" AND a.occurred_at < ").push_bind(until);
        }
        if let Some(outcome) = filter.outcome {
            $builder.push(" AND a.outcome = ").push_bind(outcome.as_str());
        }
        if $as_customer {
            // A court order may forbid telling the customer until a date; after it the entry shows by itself.
            $builder
                .push(
                    " AND (a.basis_kind <> 'court-order' OR NOT EXISTS (SELECT 1 FROM disclosures d \
                     WHERE d.id = a.basis_ref AND d.notify_after IS NOT NULL AND d.notify_after > ",
                )
                .push_bind($now)
                .push("))");
        }
    }};
}

impl SqlStore {
    pub(super) async fn audit_page_impl(
        &self,
        filter: &AuditFilter,
        as_customer: bool,
        before: Option<i64>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<AuditRecord>, StorageError> {
        Ok(audit_lines(
            &mut self.hold().await?,
            filter,
            as_customer,
            before,
            limit,
            now,
        )
        .await?
        .into_iter()
        .map(|line| line.record)
        .collect())
    }

    /// The statement's plan as the database explains it, for the benchmark and for checking the index is used.
    pub async fn explain_audit_page(
        &self,
        filter: &AuditFilter,
        as_customer: bool,
        before: Option<i64>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<String, StorageError> {
        match self {
            Self::Sqlite(pool) => {
                let mut builder = QueryBuilder::new(format!("EXPLAIN QUERY PLAN {SELECT}"));
                builder.push_bind(before.unwrap_or(i64::MAX));
                push_conditions!(builder, filter, as_customer, now);
                builder
                    .push(" ORDER BY a.id DESC LIMIT ")
                    .push_bind(i64::from(limit));
                let rows: Vec<(i64, i64, i64, String)> = builder
                    .build_query_as()
                    .fetch_all(pool)
                    .await
                    .map_err(map_error)?;
                Ok(rows
                    .into_iter()
                    .map(|(_, _, _, detail)| detail)
                    .collect::<Vec<_>>()
                    .join("\n"))
            }
            Self::Postgres(pool) => {
                let mut builder = QueryBuilder::new(format!("EXPLAIN {SELECT}"));
                builder.push_bind(before.unwrap_or(i64::MAX));
                push_conditions!(builder, filter, as_customer, now);
                builder
                    .push(" ORDER BY a.id DESC LIMIT ")
                    .push_bind(i64::from(limit));
                let rows: Vec<(String,)> = builder
                    .build_query_as()
                    .fetch_all(pool)
                    .await
                    .map_err(map_error)?;
                Ok(rows
                    .into_iter()
                    .map(|(line,)| line)
                    .collect::<Vec<_>>()
                    .join("\n"))
            }
        }
    }
}

/// A page of the log for people, newest first: entries older than `before`, at most `limit`.
pub(crate) async fn audit_lines(
    held: &mut HeldConnection,
    filter: &AuditFilter,
    as_customer: bool,
    before: Option<i64>,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Vec<AuditLine>, StorageError> {
    // A customer's view without a customer would be the whole log: refuse to build it rather than trust callers.
    if as_customer && filter.customer.is_none() {
        return Ok(Vec::new());
    }
    let rows: Vec<LineRow> = on_connection!(held, connection => {
        let mut builder = QueryBuilder::new(SELECT);
        builder.push_bind(before.unwrap_or(i64::MAX));
        push_conditions!(builder, filter, as_customer, now);
        builder.push(" ORDER BY a.id DESC LIMIT ").push_bind(i64::from(limit));
        builder.build_query_as().fetch_all(connection).await
    })
    .map_err(map_error)?;
    rows.into_iter().map(LineRow::line).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::Role;

    #[test]
    fn a_role_matches_whole_names_only() {
        assert_eq!(role_pattern(Role::Support), "%,support,%");
        assert_eq!(role_pattern(Role::PrivacyOfficer), "%,privacy-officer,%");
    }
}
