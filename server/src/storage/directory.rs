//! The customer directory sync. A batch is one transaction: what exists is read for the whole batch in four
//! queries, each record is checked against it (and against the records before it) before anything of it is written,
//! so a refused record writes nothing and an unchanged one costs no write at all.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

use super::audit::{append_audit, AuditValues};
use super::rows::{bind_customer, select_customers, CustomerRow};
use super::{in_write_tx, map_error, SqlStore};
use app::ports::{
    AuditEntry, Customer, CustomerId, DirectoryRecord, DirectoryStore, NewCustomer, ServiceKind,
    StorageError, SyncAudit, SyncOutcome, SyncRefusal,
};
use app::usecases::directory::changed_fields;

/// What the batch found in the database, kept up to date as its records are written.
#[derive(Default)]
struct Known {
    customers: HashMap<String, (CustomerId, NewCustomer)>,
    /// Email → customer number.
    emails: HashMap<String, String>,
    /// Contract number → (contract id, customer id).
    contracts: HashMap<String, (i64, i64)>,
    /// (kind, name) → customer id.
    services: HashMap<(ServiceKind, String), i64>,
}

/// What one record needs written, decided before any of it is.
struct Plan {
    fields: Vec<app::domain::my_data::PersonalField>,
    new_contracts: Vec<usize>,
    new_services: Vec<(usize, usize)>,
}

impl Known {
    fn plan(&self, record: &DirectoryRecord) -> Result<Plan, SyncRefusal> {
        let number = record.customer.number.as_str();
        let existing = self.customers.get(number);
        let id = existing.map(|(id, _)| id.0);
        if self
            .emails
            .get(record.customer.email.as_str())
            .is_some_and(|owner| owner != number)
        {
            return Err(SyncRefusal::EmailTaken);
        }
        let mut new_contracts = Vec::new();
        let mut new_services = Vec::new();
        for (c, contract) in record.contracts.iter().enumerate() {
            match self.contracts.get(&contract.number) {
                Some((_, owner)) if Some(*owner) != id => {
                    return Err(SyncRefusal::ContractTaken(contract.number.clone()));
                }
                Some(_) => {}
                None => new_contracts.push(c),
            }
            for (s, service) in contract.services.iter().enumerate() {
                match self.services.get(&(service.kind, service.name.clone())) {
                    Some(owner) if Some(*owner) != id => {
                        return Err(SyncRefusal::ServiceTaken(format!(
                            "{}:{}",
                            service.kind.as_str(),
                            service.name
                        )));
                    }
                    Some(_) => {}
                    None => new_services.push((c, s)),
                }
            }
        }
        Ok(Plan {
            fields: existing.map_or_else(Vec::new, |(_, stored)| {
                changed_fields(stored, &record.customer)
            }),
            new_contracts,
            new_services,
        })
    }
}

fn unique<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut values: Vec<&str> = values.collect();
    values.sort_unstable();
    values.dedup();
    values
}

/// `column IN ($n, …)` for a non-empty list; `FALSE` for an empty one.
macro_rules! push_in {
    ($builder:expr, $column:literal, $values:expr) => {{
        let values = $values;
        if values.is_empty() {
            $builder.push("1 = 0");
        } else {
            $builder.push(concat!($column, " IN ("));
            let mut list = $builder.separated(", ");
            for value in values {
                list.push_bind(value);
            }
            list.push_unseparated(")");
        }
    }};
}

#[async_trait]
impl DirectoryStore for SqlStore {
    async fn sync_customers(
        &self,
        records: &[DirectoryRecord],
        audit: SyncAudit<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SyncOutcome>, StorageError> {
        let numbers = unique(records.iter().map(|r| r.customer.number.as_str()));
        let emails = unique(records.iter().map(|r| r.customer.email.as_str()));
        let contract_numbers = unique(
            records
                .iter()
                .flat_map(|r| &r.contracts)
                .map(|c| c.number.as_str()),
        );
        let services_of = |kind: ServiceKind| {
            unique(
                records
                    .iter()
                    .flat_map(|r| &r.contracts)
                    .flat_map(|c| &c.services)
                    .filter(move |s| s.kind == kind)
                    .map(|s| s.name.as_str()),
            )
        };
        let service_names = ServiceKind::ALL.map(|kind| (kind, services_of(kind)));
        Ok(in_write_tx!(self, tx => {
            let mut known = Known::default();
            let mut query = sqlx::QueryBuilder::new(select_customers!("WHERE "));
            push_in!(query, "customer_number", &numbers);
            let rows: Vec<CustomerRow> = query.build_query_as().fetch_all(&mut *tx).await.map_err(map_error)?;
            for row in rows {
                let customer = Customer::try_from(row)?;
                known.customers.insert(customer.details.number.to_string(), (customer.id, customer.details));
            }
            let mut query = sqlx::QueryBuilder::new("SELECT email, customer_number FROM customers WHERE ");
            push_in!(query, "email", &emails);
            let rows: Vec<(String, String)> = query.build_query_as().fetch_all(&mut *tx).await.map_err(map_error)?;
            known.emails.extend(rows);
            let mut query = sqlx::QueryBuilder::new("SELECT contract_number, id, customer_id FROM contracts WHERE ");
            push_in!(query, "contract_number", &contract_numbers);
            let rows: Vec<(String, i64, i64)> = query.build_query_as().fetch_all(&mut *tx).await.map_err(map_error)?;
            known.contracts.extend(rows.into_iter().map(|(number, id, owner)| (number, (id, owner))));
            for (kind, names) in &service_names {
                if names.is_empty() {
                    continue;
                }
                let mut query = sqlx::QueryBuilder::new("SELECT name, customer_id FROM services WHERE kind = ");
                query.push_bind(kind.as_str()).push(" AND ");
                push_in!(query, "name", names);
                let rows: Vec<(String, i64)> = query.build_query_as().fetch_all(&mut *tx).await.map_err(map_error)?;
                known.services.extend(rows.into_iter().map(|(name, owner)| ((*kind, name), owner)));
            }

            let mut outcomes = Vec::with_capacity(records.len());
            let mut entries: Vec<AuditEntry> = Vec::new();
            for record in records {
                let plan = match known.plan(record) {
                    Ok(plan) => plan,
                    Err(refusal) => {
                        outcomes.push(SyncOutcome::Refused(refusal));
                        continue;
                    }
                };
                let customer = &record.customer;
                let number = customer.number.to_string();
                let existing = known.customers.get(&number).map(|(id, _)| *id);
                let unchanged = plan.fields.is_empty() && plan.new_contracts.is_empty() && plan.new_services.is_empty();
                let id = match existing {
                    Some(id) if unchanged => {
                        outcomes.push(SyncOutcome::Unchanged(id));
                        continue;
                    }
                    Some(id) => {
                        if !plan.fields.is_empty() {
                            bind_customer!(
                                sqlx::query(
                                    "UPDATE customers SET customer_number = $1, first_name = $2, last_name = $3, \
                                     email = $4, phone = $5, mobile = $6, language = $7, company = $8, street = $9, \
                                     postcode = $10, city = $11, country = $12, updated_at = $13 WHERE id = $14",
                                ),
                                customer
                            )
                            .bind(now)
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_error)?;
                            for field in &plan.fields {
                                sqlx::query(
                                    "INSERT INTO customer_field_changes (customer_id, field, changed_at, actor_kind) \
                                     VALUES ($1, $2, $3, 'system')",
                                )
                                .bind(id.0)
                                .bind(field.as_str())
                                .bind(now)
                                .execute(&mut *tx)
                                .await
                                .map_err(map_error)?;
                            }
                        }
                        id
                    }
                    None => {
                        let id: i64 = bind_customer!(
                            sqlx::query_scalar(
                                "INSERT INTO customers (customer_number, first_name, last_name, email, phone, mobile, \
                                 language, company, street, postcode, city, country, created_at, updated_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
                            ),
                            customer
                        )
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(map_error)?;
                        CustomerId(id)
                    }
                };
                if let Some((_, stored)) = known.customers.get(&number) {
                    known.emails.remove(stored.email.as_str());
                }
                known.emails.insert(customer.email.to_string(), number.clone());
                known.customers.insert(number, (id, customer.clone()));
                for &c in &plan.new_contracts {
                    let contract = &record.contracts[c];
                    let contract_id: i64 = sqlx::query_scalar(
                        "INSERT INTO contracts (customer_id, contract_number, started_at) VALUES ($1, $2, $3) \
                         RETURNING id",
                    )
                    .bind(id.0)
                    .bind(&contract.number)
                    .bind(contract.started_at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_error)?;
                    known.contracts.insert(contract.number.clone(), (contract_id, id.0));
                }
                for &(c, s) in &plan.new_services {
                    let contract = &record.contracts[c];
                    let service = &contract.services[s];
                    let contract_id = known.contracts.get(&contract.number).map(|(contract_id, _)| *contract_id);
                    sqlx::query(
                        "INSERT INTO services (customer_id, kind, name, created_at, contract_id) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(id.0)
                    .bind(service.kind.as_str())
                    .bind(&service.name)
                    .bind(now)
                    .bind(contract_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_error)?;
                    known.services.insert((service.kind, service.name.clone()), id.0);
                }
                let outcome = if existing.is_some() {
                    SyncOutcome::Updated {
                        customer: id,
                        fields: plan.fields,
                        contracts_added: plan.new_contracts.len(),
                        services_added: plan.new_services.len(),
                    }
                } else {
                    SyncOutcome::Created(id)
                };
                entries.extend(audit(&outcome));
                outcomes.push(outcome);
            }
            if !entries.is_empty() {
                append_audit!(tx, entries.iter().map(AuditValues::of));
            }
            outcomes
        }))
    }
}
