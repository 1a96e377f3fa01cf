//! PLACEHOLDER until the consent storage lands: compiles, refuses everything.
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SqlStore;
use app::domain::consent::{
    ConsentRequest, ConsentRequestId, GrantId, GrantTerms, ResourceId, SupportCaseId,
};
use app::ports::{
    AuditEntry, ConsentStore, CustomerId, GrantRecord, NewSupportCase, OutgoingMail, RequestRecord,
    ServiceToken, SettleError, StaffId, StorageError, SupportCase,
};

fn not_built_yet() -> StorageError {
    StorageError::Internal("consent storage not built yet".into())
}

#[async_trait]
impl ConsentStore for SqlStore {
    async fn owner_of(&self, _resource: &ResourceId) -> Result<Option<CustomerId>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn open_case( &self, _case: &NewSupportCase, _audit: &AuditEntry, ) -> Result<SupportCase, StorageError> {
        Err(not_built_yet().into())
    }

    async fn resolve_case( &self, _id: SupportCaseId, _by: StaffId, _audit: &AuditEntry, ) -> Result<Option<SupportCase>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn support_case(&self, _id: SupportCaseId) -> Result<Option<SupportCase>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn cases_of(&self, _customer: CustomerId) -> Result<Vec<SupportCase>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn open_cases(&self) -> Result<Vec<SupportCase>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn create_request( &self, _customer: CustomerId, _requested_by: StaffId, _request: &ConsentRequest, _audit: &AuditEntry, ) -> Result<ConsentRequestId, StorageError> {
        Err(not_built_yet().into())
    }

    async fn consent_request( &self, _id: ConsentRequestId, ) -> Result<Option<RequestRecord>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn requests_of_customer( &self, _customer: CustomerId, ) -> Result<Vec<RequestRecord>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn requests_by_staff( &self, _requested_by: Option<StaffId>, _limit: u32, ) -> Result<Vec<RequestRecord>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn settle_request( &self, _id: ConsentRequestId, _next: &ConsentRequest, _grant: Option<&GrantTerms>, _audit: &AuditEntry, ) -> Result<Option<GrantId>, SettleError> {
        Err(not_built_yet().into())
    }

    async fn create_grant( &self, _customer: CustomerId, _terms: &GrantTerms, _recorded_by: Option<StaffId>, _receipt: Option<&OutgoingMail>, _audit: &AuditEntry, ) -> Result<GrantId, StorageError> {
        Err(not_built_yet().into())
    }

    async fn grant(&self, _id: GrantId) -> Result<Option<GrantRecord>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn revoke_grant( &self, _id: GrantId, _customer: CustomerId, _audit: &AuditEntry, ) -> Result<bool, StorageError> {
        Err(not_built_yet().into())
    }

    async fn grants_of_customer( &self, _customer: CustomerId, ) -> Result<Vec<GrantRecord>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn live_grants_on( &self, _resource: &ResourceId, _now: DateTime<Utc>, ) -> Result<Vec<GrantRecord>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn record_audit(&self, _entries: &[AuditEntry]) -> Result<(), StorageError> {
        Err(not_built_yet().into())
    }

    async fn record_reported_access( &self, _service: &str, _event_id: &str, _audit: &AuditEntry, ) -> Result<bool, StorageError> {
        Err(not_built_yet().into())
    }

    async fn audit_of_customer( &self, _customer: CustomerId, _before: Option<i64>, _limit: u32, ) -> Result<Vec<(i64, AuditEntry)>, StorageError> {
        Err(not_built_yet().into())
    }

    async fn create_service_token( &self, _name: &str, _token_hash: &[u8], _scopes: &[String], _now: DateTime<Utc>, ) -> Result<(), StorageError> {
        Err(not_built_yet().into())
    }

    async fn revoke_service_token( &self, _name: &str, _now: DateTime<Utc>, ) -> Result<bool, StorageError> {
        Err(not_built_yet().into())
    }

    async fn service_token(&self, _token_hash: &[u8]) -> Result<Option<ServiceToken>, StorageError> {
        Err(not_built_yet().into())
    }
}
