//! An audit entry as its columns store it, and the one way entries are appended: chained to the last one, in the
//! transaction of the change they record.

use chrono::{DateTime, SubsecRound, Utc};

use app::domain::audit_chain::{self, ChainFields, Hash};
use app::domain::consent::{Action, ResourceId};
use app::ports::{Actor, AuditBasis, AuditEntry, EventSource};

macro_rules! audit_columns {
    () => {
        "occurred_at, event_code, actor_kind, actor_customer_id, actor_staff_id, actor_roles, customer_id, \
         resource, action, basis_kind, basis_ref, basis_rule, outcome, source_kind, source_name, detail"
    };
}

/// Appends `$entries` (an iterator of [`AuditValues`]) to the chain inside the write transaction `$tx`, and
/// evaluates to their ids in order. It locks the chain's head row first: concurrent appends queue there, on
/// PostgreSQL as on SQLite, so the chain never forks. Call it last in a transaction, after the change's own rows,
/// so that every transaction takes its locks in the same order.
macro_rules! append_audit {
    ($tx:ident, $entries:expr) => {{
        let values: Vec<$crate::storage::audit::AuditValues<'_>> = $entries.into_iter().collect();
        let head: (i64, Option<Vec<u8>>) = sqlx::query_as(
            "UPDATE audit_chain SET last_id = last_id WHERE singleton = 1 RETURNING last_id, last_hash",
        )
        .fetch_one(&mut *$tx)
        .await
        .map_err($crate::storage::map_error)?;
        let links = $crate::storage::audit::link(head, &values)?;
        for (values, links) in $crate::storage::audit::batches(&values).zip($crate::storage::audit::batches(&links)) {
            let mut builder = sqlx::QueryBuilder::new(concat!(
                "INSERT INTO audit_log (id, entry_hash, ",
                $crate::storage::audit::audit_columns!(),
                ") "
            ));
            builder.push_values(values.iter().zip(links), |mut row, (values, (id, hash))| {
                row.push_bind(*id)
                    .push_bind(hash.to_vec())
                    .push_bind(values.occurred_at)
                    .push_bind(values.event_code)
                    .push_bind(values.actor_kind)
                    .push_bind(values.actor_customer_id)
                    .push_bind(values.actor_staff_id)
                    .push_bind(values.actor_roles.clone())
                    .push_bind(values.customer_id)
                    .push_bind(values.resource.clone())
                    .push_bind(values.action)
                    .push_bind(values.basis_kind)
                    .push_bind(values.basis_ref)
                    .push_bind(values.basis_rule)
                    .push_bind(values.outcome)
                    .push_bind(values.source_kind)
                    .push_bind(values.source_name)
                    .push_bind(values.detail);
            });
            builder
                .build()
                .execute(&mut *$tx)
                .await
                .map_err($crate::storage::map_error)?;
        }
        if let Some((last_id, last_hash)) = links.last() {
            sqlx::query("UPDATE audit_chain SET last_id = $1, last_hash = $2 WHERE singleton = 1")
                .bind(*last_id)
                .bind(last_hash.to_vec())
                .execute(&mut *$tx)
                .await
                .map_err($crate::storage::map_error)?;
        }
        let ids: Vec<i64> = links.into_iter().map(|(id, _)| id).collect();
        ids
    }};
}
pub(crate) use {append_audit, audit_columns};

/// One entry as the columns store it.
#[derive(Debug, Clone)]
pub(crate) struct AuditValues<'a> {
    pub(crate) occurred_at: DateTime<Utc>,
    pub(crate) event_code: i32,
    pub(crate) actor_kind: &'static str,
    pub(crate) actor_customer_id: Option<i64>,
    pub(crate) actor_staff_id: Option<i64>,
    pub(crate) actor_roles: Option<String>,
    pub(crate) customer_id: Option<i64>,
    pub(crate) resource: Option<String>,
    pub(crate) action: Option<&'static str>,
    pub(crate) basis_kind: &'static str,
    pub(crate) basis_ref: Option<i64>,
    pub(crate) basis_rule: Option<&'static str>,
    pub(crate) outcome: &'static str,
    pub(crate) source_kind: &'static str,
    pub(crate) source_name: Option<&'a str>,
    pub(crate) detail: Option<&'a str>,
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
            Actor::Unidentified => ("unidentified", None, None, None),
        };
        let (basis_kind, basis_ref, basis_rule) = match basis {
            AuditBasis::Grant(id) => ("grant", Some(id.0), None),
            AuditBasis::TechnicalOperation => ("technical-operation", None, None),
            AuditBasis::TheCustomer => ("the-customer", None, None),
            AuditBasis::StaffRole => ("staff-role", None, None),
            AuditBasis::Refused(rule) => ("refused", None, Some(rule.as_str())),
            AuditBasis::CourtOrder(id) => ("court-order", Some(id.0), None),
            AuditBasis::AccountSecurity(_) => ("account-security", None, None),
        };
        let (source_kind, source_name) = match &entry.source {
            EventSource::Portal => ("portal", None),
            EventSource::Service(name) => ("service", Some(name.as_str())),
        };
        Self {
            // Both databases keep microseconds: hashing anything finer would hash what is not stored.
            occurred_at: entry.at.trunc_subsecs(6),
            event_code: entry.event.code(),
            actor_kind,
            actor_customer_id,
            actor_staff_id,
            actor_roles,
            customer_id: entry.customer.map(|id| id.0),
            resource: entry.resource.as_ref().map(ResourceId::to_string),
            action: entry.action.map(Action::as_str),
            basis_kind,
            basis_ref,
            basis_rule,
            outcome: basis.outcome().as_str(),
            source_kind,
            source_name,
            detail: entry.detail.as_deref(),
        }
    }

    pub(crate) fn chain_fields(&self, id: i64) -> ChainFields<'_> {
        ChainFields {
            id,
            occurred_at_micros: self.occurred_at.timestamp_micros(),
            event_code: self.event_code,
            actor_kind: self.actor_kind,
            actor_customer_id: self.actor_customer_id,
            actor_staff_id: self.actor_staff_id,
            actor_roles: self.actor_roles.as_deref(),
            customer_id: self.customer_id,
            resource: self.resource.as_deref(),
            action: self.action,
            basis_kind: self.basis_kind,
            basis_ref: self.basis_ref,
            basis_rule: self.basis_rule,
            outcome: self.outcome,
            source_kind: self.source_kind,
            source_name: self.source_name,
            detail: self.detail,
        }
    }
}

/// Gives each entry its id and hash, continuing the chain from its head `(last id, last hash)`.
pub(crate) fn link(
    (last_id, last_hash): (i64, Option<Vec<u8>>),
    values: &[AuditValues<'_>],
) -> Result<Vec<(i64, Hash)>, app::ports::StorageError> {
    let mut previous: Hash = match last_hash {
        None if last_id == 0 => audit_chain::GENESIS,
        None => {
            return Err(crate::storage::consent::rows::corrupt(
                "audit chain",
                "has entries that were never sealed into the chain",
            ))
        }
        Some(bytes) => bytes.try_into().map_err(|_| {
            crate::storage::consent::rows::corrupt(
                "audit chain",
                "has a head hash of the wrong length",
            )
        })?,
    };
    Ok((last_id + 1..)
        .zip(values)
        .map(|(id, values)| {
            previous = audit_chain::entry_hash(&previous, &values.chain_fields(id));
            (id, previous)
        })
        .collect())
}

/// Multi-row statements of a few fixed sizes: a batch of any length is written with few statements, and each
/// size's statement is prepared once per connection and then reused.
const BATCH_SIZES: [usize; 7] = [64, 32, 16, 8, 4, 2, 1];

pub(crate) fn batches<T>(mut entries: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        let size = BATCH_SIZES
            .into_iter()
            .find(|size| *size <= entries.len())?;
        let (batch, rest) = entries.split_at(size);
        entries = rest;
        Some(batch)
    })
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
