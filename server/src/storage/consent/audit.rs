//! The audit log of consent and access: one flat row per entry, every field in its own column so that the entries
//! can be filtered in SQL and, later, hashed into a chain field by field.

use chrono::{DateTime, Utc};
use serde::de::{value::StrDeserializer, DeserializeOwned, IntoDeserializer};

use super::rows::corrupt;
use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::domain::consent::{Action, GrantId, ResourceId};
use app::domain::{AuditEvent, Role};
use app::ports::{
    Actor, AuditBasis, AuditEntry, CustomerId, EventSource, Outcome, StaffId, StorageError,
};

macro_rules! audit_columns {
    () => {
        "occurred_at, event_code, actor_kind, actor_customer_id, actor_staff_id, actor_roles, customer_id, \
         resource, action, basis_kind, basis_grant_id, basis_rule, outcome, source_kind, source_name, detail"
    };
}

/// Appends `$entries` (an iterator of [`AuditValues`]) through `$executor` in one statement; `returning id` makes it
/// fetch the id of the single entry appended.
macro_rules! insert_audit {
    ($executor:expr, $entries:expr) => {{
        let mut builder = sqlx::QueryBuilder::new(concat!(
            "INSERT INTO audit_log (",
            $crate::storage::consent::audit::audit_columns!(),
            ") "
        ));
        $crate::storage::consent::audit::push_audit_values!(builder, $entries);
        builder
            .build()
            .execute($executor)
            .await
            .map_err($crate::storage::map_error)?
    }};
    ($executor:expr, $entries:expr, returning id) => {{
        let mut builder = sqlx::QueryBuilder::new(concat!(
            "INSERT INTO audit_log (",
            $crate::storage::consent::audit::audit_columns!(),
            ") "
        ));
        $crate::storage::consent::audit::push_audit_values!(builder, $entries);
        builder.push(" RETURNING id");
        builder
            .build_query_scalar::<i64>()
            .fetch_one($executor)
            .await
            .map_err($crate::storage::map_error)?
    }};
}

/// Written as a macro because the builder's database type is only known where it is executed.
macro_rules! push_audit_values {
    ($builder:ident, $entries:expr) => {
        $builder.push_values(
            $entries,
            |mut row, values: $crate::storage::consent::audit::AuditValues<'_>| {
                row.push_bind(values.occurred_at)
                    .push_bind(values.event_code)
                    .push_bind(values.actor_kind)
                    .push_bind(values.actor_customer_id)
                    .push_bind(values.actor_staff_id)
                    .push_bind(values.actor_roles)
                    .push_bind(values.customer_id)
                    .push_bind(values.resource)
                    .push_bind(values.action)
                    .push_bind(values.basis_kind)
                    .push_bind(values.basis_grant_id)
                    .push_bind(values.basis_rule)
                    .push_bind(values.outcome)
                    .push_bind(values.source_kind)
                    .push_bind(values.source_name)
                    .push_bind(values.detail);
            },
        )
    };
}
pub(crate) use {audit_columns, insert_audit, push_audit_values};

/// One entry as the columns store it.
pub(crate) struct AuditValues<'a> {
    pub(super) occurred_at: DateTime<Utc>,
    pub(super) event_code: i32,
    pub(super) actor_kind: &'static str,
    pub(super) actor_customer_id: Option<i64>,
    pub(super) actor_staff_id: Option<i64>,
    pub(super) actor_roles: Option<String>,
    pub(super) customer_id: Option<i64>,
    pub(super) resource: Option<String>,
    pub(super) action: Option<&'static str>,
    pub(super) basis_kind: &'static str,
    pub(super) basis_grant_id: Option<i64>,
    pub(super) basis_rule: Option<&'static str>,
    pub(super) outcome: &'static str,
    pub(super) source_kind: &'static str,
    pub(super) source_name: Option<&'a str>,
    pub(super) detail: Option<&'a str>,
}

impl<'a> AuditValues<'a> {
    pub fn of(entry: &'a AuditEntry) -> Self {
        Self::with_basis(entry, entry.basis)
    }

    /// For a change that creates a grant: the entry names the grant it created, which only the storage knows.
    pub fn with_basis(entry: &'a AuditEntry, basis: AuditBasis) -> Self {
        let (actor_kind, actor_customer_id, actor_staff_id, actor_roles) = match &entry.actor {
            Actor::Customer { id } => ("customer", Some(id.0), None, None),
            Actor::Staff { id, roles } => {
                let names: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
                ("staff", None, Some(id.0), Some(names.join(",")))
            }
            Actor::System => ("system", None, None, None),
        };
        let (basis_kind, basis_grant_id, basis_rule) = match basis {
            AuditBasis::Grant(id) => ("grant", Some(id.0), None),
            AuditBasis::TechnicalOperation => ("technical-operation", None, None),
            AuditBasis::TheCustomer => ("the-customer", None, None),
            AuditBasis::StaffRole => ("staff-role", None, None),
            AuditBasis::Refused(rule) => ("refused", None, Some(rule.as_str())),
        };
        let (source_kind, source_name) = match &entry.source {
            EventSource::Portal => ("portal", None),
            EventSource::Service(name) => ("service", Some(name.as_str())),
        };
        Self {
            occurred_at: entry.at,
            event_code: entry.event.code(),
            actor_kind,
            actor_customer_id,
            actor_staff_id,
            actor_roles,
            customer_id: entry.customer.map(|id| id.0),
            resource: entry.resource.as_ref().map(ResourceId::to_string),
            action: entry.action.map(Action::as_str),
            basis_kind,
            basis_grant_id,
            basis_rule,
            outcome: basis.outcome().as_str(),
            source_kind,
            source_name,
            detail: entry.detail.as_deref(),
        }
    }
}

/// Multi-row statements of a few fixed sizes: a batch of any length is written with few statements, and each
/// size's statement is prepared once per connection and then reused.
const BATCH_SIZES: [usize; 7] = [64, 32, 16, 8, 4, 2, 1];

fn batches<T>(mut entries: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        let size = BATCH_SIZES
            .into_iter()
            .find(|size| *size <= entries.len())?;
        let (batch, rest) = entries.split_at(size);
        entries = rest;
        Some(batch)
    })
}

/// Parses a kebab-case name the way the type's serde form spells it, so that a new variant needs no second list.
fn parse_name<T: DeserializeOwned>(raw: &str) -> Option<T> {
    let deserializer: StrDeserializer<'_, serde::de::value::Error> = raw.into_deserializer();
    T::deserialize(deserializer).ok()
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    occurred_at: DateTime<Utc>,
    event_code: i32,
    actor_kind: String,
    actor_customer_id: Option<i64>,
    actor_staff_id: Option<i64>,
    actor_roles: Option<String>,
    customer_id: Option<i64>,
    resource: Option<String>,
    action: Option<String>,
    basis_kind: String,
    basis_grant_id: Option<i64>,
    basis_rule: Option<String>,
    outcome: String,
    source_kind: String,
    source_name: Option<String>,
    detail: Option<String>,
}

impl AuditRow {
    fn actor(&self) -> Result<Actor, StorageError> {
        let unreadable = || corrupt("audit entry", "has an unreadable actor");
        match (
            self.actor_kind.as_str(),
            self.actor_customer_id,
            self.actor_staff_id,
        ) {
            ("customer", Some(id), None) => Ok(Actor::Customer { id: CustomerId(id) }),
            ("staff", None, Some(id)) => {
                let roles = self
                    .actor_roles
                    .as_deref()
                    .unwrap_or_default()
                    .split(',')
                    .filter(|name| !name.is_empty())
                    .map(Role::parse)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Actor::Staff {
                    id: StaffId(id),
                    roles,
                })
            }
            ("system", None, None) => Ok(Actor::System),
            _ => Err(unreadable()),
        }
    }

    fn basis(&self) -> Result<AuditBasis, StorageError> {
        let basis = match (
            self.basis_kind.as_str(),
            self.basis_grant_id,
            self.basis_rule.as_deref(),
        ) {
            ("grant", Some(id), None) => AuditBasis::Grant(GrantId(id)),
            ("technical-operation", None, None) => AuditBasis::TechnicalOperation,
            ("the-customer", None, None) => AuditBasis::TheCustomer,
            ("staff-role", None, None) => AuditBasis::StaffRole,
            ("refused", None, Some(rule)) => AuditBasis::Refused(
                parse_name(rule).ok_or(corrupt("audit entry", "names an unknown rule"))?,
            ),
            _ => return Err(corrupt("audit entry", "has an unreadable basis")),
        };
        if parse_name::<Outcome>(&self.outcome) != Some(basis.outcome()) {
            return Err(corrupt(
                "audit entry",
                "has an outcome its basis contradicts",
            ));
        }
        Ok(basis)
    }

    fn source(&self) -> Result<EventSource, StorageError> {
        match (self.source_kind.as_str(), &self.source_name) {
            ("portal", None) => Ok(EventSource::Portal),
            ("service", Some(name)) => Ok(EventSource::Service(name.clone())),
            _ => Err(corrupt("audit entry", "has an unreadable source")),
        }
    }
}

impl TryFrom<AuditRow> for (i64, AuditEntry) {
    type Error = StorageError;

    fn try_from(row: AuditRow) -> Result<Self, Self::Error> {
        let entry = AuditEntry {
            at: row.occurred_at,
            event: AuditEvent::from_code(row.event_code)
                .ok_or(corrupt("audit entry", "has an unknown event code"))?,
            actor: row.actor()?,
            customer: row.customer_id.map(CustomerId),
            resource: row.resource.as_deref().map(ResourceId::parse).transpose()?,
            action: row.action.as_deref().map(Action::parse).transpose()?,
            basis: row.basis()?,
            source: row.source()?,
            detail: row.detail.clone(),
        };
        Ok((row.id, entry))
    }
}

impl SqlStore {
    pub(super) async fn record_audit_impl(
        &self,
        entries: &[AuditEntry],
    ) -> Result<(), StorageError> {
        if entries.is_empty() {
            return Ok(());
        }
        in_write_tx!(self, tx => {
            for batch in batches(entries) {
                insert_audit!(&mut *tx, batch.iter().map(AuditValues::of));
            }
        });
        Ok(())
    }

    pub(super) async fn record_reported_access_impl(
        &self,
        service: &str,
        event_id: &str,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let audit_id = insert_audit!(&mut *tx, [AuditValues::of(audit)], returning id);
            let recorded = sqlx::query(
                "INSERT INTO reported_accesses (service, event_id, audit_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (service, event_id) DO NOTHING",
            )
            .bind(service)
            .bind(event_id)
            .bind(audit_id)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?
            .rows_affected();
            if recorded == 0 {
                // Dropping the transaction rolls back the audit entry appended above.
                return Ok(false);
            }
            true
        }))
    }

    pub(super) async fn audit_of_customer_impl(
        &self,
        customer: CustomerId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, AuditEntry)>, StorageError> {
        let rows: Vec<AuditRow> = on_pool!(self, pool => {
            sqlx::query_as(concat!(
                "SELECT id, ", audit_columns!(), " FROM audit_log ",
                "WHERE customer_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
            ))
            .bind(customer.0)
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter()
            .map(<(i64, AuditEntry)>::try_from)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_batch_is_split_into_few_statements_of_fixed_sizes() {
        for length in [0_usize, 1, 2, 63, 64, 65, 127, 200, 1000] {
            let entries = vec![0_u8; length];
            let sizes: Vec<usize> = batches(&entries).map(<[u8]>::len).collect();
            assert_eq!(sizes.iter().sum::<usize>(), length);
            assert!(sizes.iter().all(|size| BATCH_SIZES.contains(size)));
            assert!(sizes.len() <= length / 64 + 6, "{length}: {sizes:?}");
        }
    }
}
