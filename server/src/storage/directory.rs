//! The customer directory sync. A batch is one transaction. Each customer keeps the digest of the last record the
//! directory sent, so one query finds the records sent again unchanged, which cost nothing more. For the others,
//! what exists is read in four queries, each record is checked against it (and against the records before it) before
//! anything of it is written, so a refused record writes nothing; then the batch's new customers, contracts and
//! services are written in one statement each, since on SQLite every statement is a round trip to its thread.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

use super::audit::{append_audit, AuditValues};
use super::rows::{bind_customer, select_customers, CustomerRow};
use super::{in_write_tx, map_error, SqlStore};
use app::domain::my_data::PersonalField;
use app::ports::{
    AuditEntry, Customer, CustomerId, DirectoryRecord, DirectoryStore, NewCustomer, ServiceKind,
    StorageError, SyncAudit, SyncOutcome, SyncRefusal,
};
use app::usecases::directory::{changed_fields, digest};

/// Rows per multi-row insert: well under both databases' limits on bound parameters.
const ROWS_PER_INSERT: usize = 1000;

/// A customer the batch knows of: stored (positive id) or created by an earlier record of the batch (negative
/// stand-in until the insert gives it its id).
type Holder = i64;

/// What the batch found in the database, kept up to date as its records are planned.
#[derive(Default)]
struct Known {
    customers: HashMap<String, (Holder, NewCustomer)>,
    /// Email → customer number.
    emails: HashMap<String, String>,
    /// Contract number → holder.
    contracts: HashMap<String, Holder>,
    /// Existing contracts' ids.
    contract_ids: HashMap<String, i64>,
    /// (kind, name) → holder.
    services: HashMap<(ServiceKind, String), Holder>,
}

/// What one record needs written, decided before anything is.
struct Plan {
    holder: Holder,
    created: bool,
    fields: Vec<PersonalField>,
    new_contracts: Vec<usize>,
    new_services: Vec<(usize, usize)>,
}

impl Plan {
    fn writes_nothing(&self) -> bool {
        !self.created
            && self.fields.is_empty()
            && self.new_contracts.is_empty()
            && self.new_services.is_empty()
    }
}

impl Known {
    fn plan(&self, record: &DirectoryRecord, stand_in: Holder) -> Result<Plan, SyncRefusal> {
        let number = record.customer.number.as_str();
        let existing = self.customers.get(number);
        let holder = existing.map_or(stand_in, |(holder, _)| *holder);
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
                Some(owner) if *owner != holder => {
                    return Err(SyncRefusal::ContractTaken(contract.number.clone()));
                }
                Some(_) => {}
                None => new_contracts.push(c),
            }
            for (s, service) in contract.services.iter().enumerate() {
                match self.services.get(&(service.kind, service.name.clone())) {
                    Some(owner) if *owner != holder => {
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
            holder,
            created: existing.is_none(),
            fields: existing.map_or_else(Vec::new, |(_, stored)| {
                changed_fields(stored, &record.customer)
            }),
            new_contracts,
            new_services,
        })
    }

    /// Takes the planned record as if written, for the records after it.
    fn apply(&mut self, record: &DirectoryRecord, plan: &Plan) {
        let number = record.customer.number.to_string();
        if let Some((_, stored)) = self.customers.get(&number) {
            self.emails.remove(stored.email.as_str());
        }
        self.emails
            .insert(record.customer.email.to_string(), number.clone());
        self.customers
            .insert(number, (plan.holder, record.customer.clone()));
        for &c in &plan.new_contracts {
            self.contracts
                .insert(record.contracts[c].number.clone(), plan.holder);
        }
        for &(c, s) in &plan.new_services {
            let service = &record.contracts[c].services[s];
            self.services
                .insert((service.kind, service.name.clone()), plan.holder);
        }
    }
}

fn unique<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut values: Vec<&str> = values.collect();
    values.sort_unstable();
    values.dedup();
    values
}

/// `column IN ($n, …)` for a non-empty list; never true for an empty one.
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
        let digests: Vec<String> = records.iter().map(digest).collect();
        let numbers = unique(records.iter().map(|r| r.customer.number.as_str()));
        let outcomes: Vec<Option<SyncOutcome>> = in_write_tx!(self, tx => {
            let mut query = sqlx::QueryBuilder::new("SELECT customer_number, id, directory_digest FROM customers WHERE ");
            push_in!(query, "customer_number", &numbers);
            let rows: Vec<(String, i64, Option<String>)> =
                query.build_query_as().fetch_all(&mut *tx).await.map_err(map_error)?;
            let stored: HashMap<String, (i64, Option<String>)> =
                rows.into_iter().map(|(number, id, digest)| (number, (id, digest))).collect();
            let as_sent = |index: usize| {
                stored
                    .get(records[index].customer.number.as_str())
                    .filter(|(_, digest)| digest.as_deref() == Some(digests[index].as_str()))
                    .map(|(id, _)| CustomerId(*id))
            };
            let pending: Vec<usize> = (0..records.len()).filter(|&index| as_sent(index).is_none()).collect();
            let mut outcomes: Vec<Option<SyncOutcome>> =
                (0..records.len()).map(|index| as_sent(index).map(SyncOutcome::Unchanged)).collect();

            if !pending.is_empty() {
                let of_pending = |index: &usize| &records[*index];
                let numbers = unique(pending.iter().map(|i| of_pending(i).customer.number.as_str()));
                let emails = unique(pending.iter().map(|i| of_pending(i).customer.email.as_str()));
                let contract_numbers = unique(
                    pending.iter().flat_map(|i| &of_pending(i).contracts).map(|c| c.number.as_str()),
                );
                let mut known = Known::default();
                let mut query = sqlx::QueryBuilder::new(select_customers!("WHERE "));
                push_in!(query, "customer_number", &numbers);
                let rows: Vec<CustomerRow> = query.build_query_as().fetch_all(&mut *tx).await.map_err(map_error)?;
                for row in rows {
                    let customer = Customer::try_from(row)?;
                    known.customers.insert(customer.details.number.to_string(), (customer.id.0, customer.details));
                }
                let mut query = sqlx::QueryBuilder::new("SELECT email, customer_number FROM customers WHERE ");
                push_in!(query, "email", &emails);
                let rows: Vec<(String, String)> = query.build_query_as().fetch_all(&mut *tx).await.map_err(map_error)?;
                known.emails.extend(rows);
                let mut query =
                    sqlx::QueryBuilder::new("SELECT contract_number, id, customer_id FROM contracts WHERE ");
                push_in!(query, "contract_number", &contract_numbers);
                let rows: Vec<(String, i64, i64)> =
                    query.build_query_as().fetch_all(&mut *tx).await.map_err(map_error)?;
                for (number, id, holder) in rows {
                    known.contract_ids.insert(number.clone(), id);
                    known.contracts.insert(number, holder);
                }
                let names = unique(
                    pending
                        .iter()
                        .flat_map(|i| &of_pending(i).contracts)
                        .flat_map(|c| &c.services)
                        .map(|s| s.name.as_str()),
                );
                let mut query = sqlx::QueryBuilder::new("SELECT kind, name, customer_id FROM services WHERE ");
                push_in!(query, "name", &names);
                let rows: Vec<(String, String, i64)> =
                    query.build_query_as().fetch_all(&mut *tx).await.map_err(map_error)?;
                for (kind, name, holder) in rows {
                    known.services.insert((ServiceKind::parse(&kind)?, name), holder);
                }

                // Plan every record before writing any, each seeing the ones before it as written.
                let mut plans: Vec<(usize, Plan)> = Vec::with_capacity(pending.len());
                for &index in &pending {
                    let stand_in = -i64::try_from(index + 1).unwrap_or(i64::MAX);
                    match known.plan(&records[index], stand_in) {
                        Ok(plan) => {
                            known.apply(&records[index], &plan);
                            plans.push((index, plan));
                        }
                        Err(refusal) => outcomes[index] = Some(SyncOutcome::Refused(refusal)),
                    }
                }

                // New customers, in one statement per thousand, each with its id back.
                let mut ids: HashMap<Holder, i64> = HashMap::new();
                let created: Vec<&(usize, Plan)> = plans.iter().filter(|(_, plan)| plan.created).collect();
                for chunk in created.chunks(ROWS_PER_INSERT) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO customers (customer_number, first_name, last_name, email, phone, mobile, \
                         language, company, street, postcode, city, country, created_at, updated_at, \
                         directory_digest) ",
                    );
                    insert.push_values(chunk, |mut row, (index, _)| {
                        let customer = &records[*index].customer;
                        row.push_bind(customer.number.as_str())
                            .push_bind(&customer.first_name)
                            .push_bind(&customer.last_name)
                            .push_bind(customer.email.as_str())
                            .push_bind(customer.phone.as_ref().map(|phone| phone.as_str()))
                            .push_bind(customer.mobile.as_ref().map(|phone| phone.as_str()))
                            .push_bind(customer.language.code())
                            .push_bind(customer.company.as_deref())
                            .push_bind(&customer.street)
                            .push_bind(&customer.postcode)
                            .push_bind(&customer.city)
                            .push_bind(&customer.country)
                            .push_bind(now)
                            .push_bind(now)
                            .push_bind(&digests[*index]);
                    });
                    insert.push(" RETURNING customer_number, id");
                    let rows: Vec<(String, i64)> =
                        insert.build_query_as().fetch_all(&mut *tx).await.map_err(map_error)?;
                    let by_number: HashMap<String, i64> = rows.into_iter().collect();
                    for (index, plan) in chunk {
                        if let Some(id) = by_number.get(records[*index].customer.number.as_str()) {
                            ids.insert(plan.holder, *id);
                        }
                    }
                }
                let id_of = |holder: Holder| if holder > 0 { holder } else { ids.get(&holder).copied().unwrap_or(holder) };

                // Existing customers whose fields changed, or whose digest is new, one by one: they are few.
                let mut changes: Vec<(i64, PersonalField)> = Vec::new();
                for (index, plan) in plans.iter().filter(|(_, plan)| !plan.created) {
                    let id = id_of(plan.holder);
                    if plan.fields.is_empty() {
                        sqlx::query("UPDATE customers SET directory_digest = $1 WHERE id = $2")
                            .bind(&digests[*index])
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(map_error)?;
                        continue;
                    }
                    bind_customer!(
                        sqlx::query(
                            "UPDATE customers SET customer_number = $1, first_name = $2, last_name = $3, email = $4, \
                             phone = $5, mobile = $6, language = $7, company = $8, street = $9, postcode = $10, \
                             city = $11, country = $12, updated_at = $13, directory_digest = $14 WHERE id = $15",
                        ),
                        &records[*index].customer
                    )
                    .bind(now)
                    .bind(&digests[*index])
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_error)?;
                    changes.extend(plan.fields.iter().map(|field| (id, *field)));
                }
                for chunk in changes.chunks(ROWS_PER_INSERT) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO customer_field_changes (customer_id, field, changed_at, actor_kind) ",
                    );
                    insert.push_values(chunk, |mut row, (id, field)| {
                        row.push_bind(*id).push_bind(field.as_str()).push_bind(now).push_bind("system");
                    });
                    insert.build().execute(&mut *tx).await.map_err(map_error)?;
                }

                // New contracts, then the services under them.
                let contracts: Vec<(i64, &app::ports::ContractRecord)> = plans
                    .iter()
                    .flat_map(|(index, plan)| {
                        plan.new_contracts.iter().map(move |&c| (id_of(plan.holder), &records[*index].contracts[c]))
                    })
                    .collect();
                let mut contract_ids = known.contract_ids;
                for chunk in contracts.chunks(ROWS_PER_INSERT) {
                    let mut insert =
                        sqlx::QueryBuilder::new("INSERT INTO contracts (customer_id, contract_number, started_at) ");
                    insert.push_values(chunk, |mut row, (id, contract)| {
                        row.push_bind(*id).push_bind(&contract.number).push_bind(contract.started_at);
                    });
                    insert.push(" RETURNING contract_number, id");
                    let rows: Vec<(String, i64)> =
                        insert.build_query_as().fetch_all(&mut *tx).await.map_err(map_error)?;
                    contract_ids.extend(rows);
                }
                let services: Vec<(i64, Option<i64>, &app::ports::NewService)> = plans
                    .iter()
                    .flat_map(|(index, plan)| {
                        let record = &records[*index];
                        let holder = id_of(plan.holder);
                        let contract_ids = &contract_ids;
                        plan.new_services.iter().map(move |&(c, s)| {
                            let contract = &record.contracts[c];
                            (holder, contract_ids.get(&contract.number).copied(), &contract.services[s])
                        })
                    })
                    .collect();
                for chunk in services.chunks(ROWS_PER_INSERT) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO services (customer_id, kind, name, created_at, contract_id) ",
                    );
                    insert.push_values(chunk, |mut row, (id, contract, service)| {
                        row.push_bind(*id)
                            .push_bind(service.kind.as_str())
                            .push_bind(&service.name)
                            .push_bind(now)
                            .push_bind(*contract);
                    });
                    insert.build().execute(&mut *tx).await.map_err(map_error)?;
                }

                let mut entries: Vec<AuditEntry> = Vec::new();
                for (index, plan) in plans {
                    let customer = CustomerId(id_of(plan.holder));
                    let outcome = if plan.created {
                        SyncOutcome::Created(customer)
                    } else if plan.writes_nothing() {
                        SyncOutcome::Unchanged(customer)
                    } else {
                        SyncOutcome::Updated {
                            customer,
                            fields: plan.fields,
                            contracts_added: plan.new_contracts.len(),
                            services_added: plan.new_services.len(),
                        }
                    };
                    entries.extend(audit(&outcome));
                    outcomes[index] = Some(outcome);
                }
                if !entries.is_empty() {
                    append_audit!(tx, entries.iter().map(AuditValues::of));
                }
            }
            outcomes
        });
        outcomes
            .into_iter()
            .map(|outcome| {
                outcome.ok_or_else(|| {
                    StorageError::Internal("a record was left without an outcome".into())
                })
            })
            .collect()
    }
}
