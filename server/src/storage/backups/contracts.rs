use super::rows::{ContractRow, TransferRow, CONTRACT_COLUMNS};
use crate::storage::audit::{append_audit, AuditValues};
use crate::storage::rows::ServiceRow;
use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::ports::{
    AuditEntry, Contract, ContractTransfer, ContractView, CustomerId, Service, StaffId,
    StorageError, Termination, TransferOutcome,
};

/// The resources (`kind:name`) of a contract's services, as grants and requests name them.
const RESOURCES_OF_CONTRACT: &str =
    "SELECT kind || ':' || name FROM services WHERE contract_id = $1";

/// The contract with this number, read inside the write transaction `$tx` (whose type differs per backend).
macro_rules! contract_by_number {
    ($tx:ident, $number:expr) => {
        sqlx::query_as::<_, ContractRow>(&format!(
            "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE contract_number = $1"
        ))
        .bind($number.trim())
        .fetch_optional(&mut *$tx)
        .await
        .map_err(map_error)?
    };
}

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
            let existing = contract_by_number!(tx, number);
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

    pub(super) async fn transfer_contract_impl(
        &self,
        number: &str,
        to: CustomerId,
        by: Option<StaffId>,
        audit: &AuditEntry,
    ) -> Result<TransferOutcome, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let existing = contract_by_number!(tx, number);
            let Some(contract) = existing.map(Contract::from) else {
                return Ok(TransferOutcome::NoSuchContract);
            };
            if contract.customer == to {
                return Ok(TransferOutcome::AlreadyHeld);
            }
            if contract.is_terminated() {
                return Ok(TransferOutcome::Terminated);
            }
            // The consent domain's "still running" (`Grant::is_active`, `ConsentRequest::state_at`: a request past its
            // answer window has expired whatever its stored state), counted in SQL so that it is read inside this
            // write transaction; the transfer tests hold it to those rules.
            let (grants, requests): (i64, i64) = sqlx::query_as(&format!(
                "SELECT \
                 (SELECT COUNT(*) FROM grants WHERE customer_id = $2 AND revoked_at IS NULL AND limit_at > $3 \
                  AND (case_id IS NULL OR case_id IN (SELECT id FROM support_cases WHERE resolved_at IS NULL)) \
                  AND resource IN ({RESOURCES_OF_CONTRACT})), \
                 (SELECT COUNT(*) FROM consent_requests WHERE customer_id = $2 AND state = 'pending' \
                  AND answer_by > $3 AND resource IN ({RESOURCES_OF_CONTRACT}))"
            ))
            .bind(contract.id.0)
            .bind(contract.customer.0)
            .bind(audit.at)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
            if grants > 0 || requests > 0 {
                return Ok(TransferOutcome::ConsentsOpen {
                    grants: usize::try_from(grants).unwrap_or(usize::MAX),
                    requests: usize::try_from(requests).unwrap_or(usize::MAX),
                });
            }
            sqlx::query(
                "INSERT INTO contract_transfers (contract_id, from_customer_id, to_customer_id, transferred_at, \
                 recorded_by) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(contract.id.0)
            .bind(contract.customer.0)
            .bind(to.0)
            .bind(audit.at)
            .bind(by.map(|staff| staff.0))
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            sqlx::query("UPDATE contracts SET customer_id = $1 WHERE id = $2")
                .bind(to.0)
                .bind(contract.id.0)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            sqlx::query("UPDATE services SET customer_id = $1 WHERE contract_id = $2")
                .bind(to.0)
                .bind(contract.id.0)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            let from_side = AuditEntry {
                customer: Some(contract.customer),
                ..audit.clone()
            };
            let to_side = AuditEntry {
                customer: Some(to),
                ..audit.clone()
            };
            append_audit!(tx, [AuditValues::of(&from_side), AuditValues::of(&to_side)]);
            TransferOutcome::Transferred(ContractTransfer {
                contract: contract.id,
                from: contract.customer,
                to,
                at: audit.at,
                recorded_by: by,
            })
        }))
    }
}
