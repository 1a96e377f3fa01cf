use super::rows::{ContractRow, TransferRow, CONTRACT_COLUMNS};
use crate::storage::audit::{append_audit, AuditValues};
use crate::storage::rows::ServiceRow;
use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::ports::{
    AuditEntry, Contract, ContractView, CustomerId, Service, StaffId, StorageError, Termination,
};

impl SqlStore {
    pub(super) async fn contracts_of_impl(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<ContractView>, StorageError> {
        let contracts: Vec<ContractRow> = on_pool!(self, pool => {
            sqlx::query_as(&format!(
                "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE customer_id = $1 OR id IN \
                 (SELECT contract_id FROM contract_transfers WHERE from_customer_id = $1) ORDER BY id"
            ))
            .bind(customer.0)
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        let mut views = Vec::with_capacity(contracts.len());
        for row in contracts {
            let contract = Contract::from(row);
            let (services, transfers): (Vec<ServiceRow>, Vec<TransferRow>) = on_pool!(self, pool => {
                let services = sqlx::query_as(
                    "SELECT id, customer_id, kind, name, created_at FROM services WHERE contract_id = $1 ORDER BY id",
                )
                .bind(contract.id.0)
                .fetch_all(pool)
                .await
                .map_err(map_error)?;
                let transfers = sqlx::query_as(
                    "SELECT contract_id, from_customer_id, to_customer_id, transferred_at, recorded_by \
                     FROM contract_transfers WHERE contract_id = $1 ORDER BY id",
                )
                .bind(contract.id.0)
                .fetch_all(pool)
                .await
                .map_err(map_error)?;
                (services, transfers)
            });
            views.push(ContractView {
                contract,
                services: services
                    .into_iter()
                    .map(Service::try_from)
                    .collect::<Result<_, _>>()?,
                transfers: transfers.into_iter().map(Into::into).collect(),
            });
        }
        Ok(views)
    }

    pub(super) async fn contract_by_number_impl(
        &self,
        number: &str,
    ) -> Result<Option<Contract>, StorageError> {
        let row: Option<ContractRow> = on_pool!(self, pool => {
            sqlx::query_as(&format!("SELECT {CONTRACT_COLUMNS} FROM contracts WHERE contract_number = $1"))
                .bind(number.trim())
                .fetch_optional(pool)
                .await
        })
        .map_err(map_error)?;
        Ok(row.map(Contract::from))
    }

    pub(super) async fn terminate_contract_impl(
        &self,
        number: &str,
        by: Option<StaffId>,
        audit: &AuditEntry,
    ) -> Result<Termination, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let existing: Option<ContractRow> = sqlx::query_as(&format!(
                "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE contract_number = $1"
            ))
            .bind(number.trim())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            let Some(existing) = existing.map(Contract::from) else {
                return Ok(Termination::NoSuchContract);
            };
            if existing.is_terminated() {
                return Ok(Termination::AlreadyTerminated(existing));
            }
            let row: ContractRow = sqlx::query_as(&format!(
                "UPDATE contracts SET terminated_at = $1, terminated_by = $2 WHERE id = $3 RETURNING {CONTRACT_COLUMNS}"
            ))
            .bind(audit.at)
            .bind(by.map(|staff| staff.0))
            .bind(existing.id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
            let contract = Contract::from(row);
            let entry = AuditEntry {
                customer: Some(contract.customer),
                ..audit.clone()
            };
            append_audit!(tx, [AuditValues::of(&entry)]);
            Termination::Terminated(contract)
        }))
    }
}
