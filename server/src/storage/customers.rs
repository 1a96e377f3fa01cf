use chrono::{DateTime, Utc};

use super::rows::{bind_customer, select_customers, CustomerRow, ServiceRow};
use super::{in_write_tx, map_error, on_pool, SqlStore};
use app::domain::{CustomerNumber, EmailAddress};
use app::ports::{Customer, CustomerId, NewCustomer, NewService, Service, StorageError};

impl SqlStore {
    pub(super) async fn ensure_customer_impl(
        &self,
        customer: &NewCustomer,
        services: &[NewService],
        now: DateTime<Utc>,
    ) -> Result<CustomerId, StorageError> {
        Ok(in_write_tx!(self, tx => {
            bind_customer!(
                sqlx::query(
                    "INSERT INTO customers (customer_number, first_name, last_name, email, phone, mobile, language, \
                     company, street, postcode, city, country, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
                     ON CONFLICT (customer_number) DO NOTHING",
                ),
                customer
            )
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            let id: i64 = sqlx::query_scalar("SELECT id FROM customers WHERE customer_number = $1")
                .bind(customer.number.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(map_error)?;
            for service in services {
                sqlx::query(
                    "INSERT INTO services (customer_id, kind, name, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (kind, name) DO NOTHING",
                )
                .bind(id)
                .bind(service.kind.as_str())
                .bind(&service.name)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
                let owner: i64 = sqlx::query_scalar("SELECT customer_id FROM services WHERE kind = $1 AND name = $2")
                    .bind(service.kind.as_str())
                    .bind(&service.name)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_error)?;
                if owner != id {
                    return Err(StorageError::Conflict(format!("{} {}", service.kind.as_str(), service.name)));
                }
            }
            // Every service is held under a contract (migration 0007): new services join the customer's current
            // contract, or a new one when all are terminated.
            sqlx::query(
                "INSERT INTO contracts (customer_id, contract_number, started_at) \
                 SELECT $1, 'K-' || substr($2, 3) || '-' || CAST((SELECT COUNT(*) + 1 FROM contracts WHERE customer_id = $1) AS TEXT), $3 \
                 WHERE EXISTS (SELECT 1 FROM services WHERE customer_id = $1 AND contract_id IS NULL) \
                 AND NOT EXISTS (SELECT 1 FROM contracts WHERE customer_id = $1 AND terminated_at IS NULL)",
            )
            .bind(id)
            .bind(customer.number.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            sqlx::query(
                "UPDATE services SET contract_id = \
                 (SELECT MAX(id) FROM contracts WHERE customer_id = $1 AND terminated_at IS NULL) \
                 WHERE customer_id = $1 AND contract_id IS NULL",
            )
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            CustomerId(id)
        }))
    }

    pub(super) async fn customer_impl(
        &self,
        id: CustomerId,
    ) -> Result<Option<Customer>, StorageError> {
        let row: Option<CustomerRow> = on_pool!(self, pool => {
            sqlx::query_as(select_customers!("WHERE id = $1")).bind(id.0).fetch_optional(pool).await
        })
        .map_err(map_error)?;
        row.map(Customer::try_from).transpose()
    }

    pub(super) async fn customer_by_number_impl(
        &self,
        number: &CustomerNumber,
    ) -> Result<Option<Customer>, StorageError> {
        let row: Option<CustomerRow> = on_pool!(self, pool => {
            sqlx::query_as(select_customers!("WHERE customer_number = $1"))
                .bind(number.as_str())
                .fetch_optional(pool)
                .await
        })
        .map_err(map_error)?;
        row.map(Customer::try_from).transpose()
    }

    pub(super) async fn customer_by_email_impl(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<Customer>, StorageError> {
        let row: Option<CustomerRow> = on_pool!(self, pool => {
            sqlx::query_as(select_customers!("WHERE email = $1")).bind(email.as_str()).fetch_optional(pool).await
        })
        .map_err(map_error)?;
        row.map(Customer::try_from).transpose()
    }

    pub(super) async fn customers_page_impl(
        &self,
        after: Option<CustomerId>,
        limit: u32,
    ) -> Result<Vec<Customer>, StorageError> {
        let rows: Vec<CustomerRow> = on_pool!(self, pool => {
            sqlx::query_as(select_customers!("WHERE id > $1 ORDER BY id LIMIT $2"))
                .bind(after.map_or(i64::MIN, |id| id.0))
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(Customer::try_from).collect()
    }

    pub(super) async fn services_of_impl(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<Service>, StorageError> {
        let rows: Vec<ServiceRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, customer_id, kind, name, created_at FROM services WHERE customer_id = $1 ORDER BY id",
            )
            .bind(customer.0)
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter().map(Service::try_from).collect()
    }
}
