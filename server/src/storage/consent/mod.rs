//! Consent storage: support cases, requests, grants, the audit log of consent and access, reported accesses and
//! service tokens. Every change is written in one transaction with its audit entry.

mod cases;
mod grants;
mod requests;
pub(crate) mod rows;
mod tokens;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SqlStore;
use app::domain::consent::{
    CaseReference, CaseSubject, ConsentEvent, ConsentRequest, ConsentRequestId, GrantId,
    GrantTerms, ResourceId, SupportCaseId,
};
use app::ports::{
    AuditEntry, ConsentStore, CustomerId, GrantRecord, NewSupportCase, OutgoingMail, Receipt,
    RequestRecord, ServiceToken, SettleError, StaffId, StorageError, SupportCase,
};
pub(crate) use grants::grants_of_customer;
pub(crate) use requests::requests_of_customer;

#[async_trait]
impl ConsentStore for SqlStore {
    async fn owner_of(&self, resource: &ResourceId) -> Result<Option<CustomerId>, StorageError> {
        self.owner_of_impl(resource).await
    }

    async fn open_case(
        &self,
        case: &NewSupportCase,
        audit: &AuditEntry,
    ) -> Result<SupportCase, StorageError> {
        self.open_case_impl(case, audit).await
    }

    async fn case_by_reference(
        &self,
        reference: &CaseReference,
    ) -> Result<Option<SupportCase>, StorageError> {
        self.case_by_reference_impl(reference).await
    }

    async fn update_case(
        &self,
        id: SupportCaseId,
        subject: Option<(&CaseSubject, &AuditEntry)>,
        at: DateTime<Utc>,
    ) -> Result<Option<SupportCase>, StorageError> {
        self.update_case_impl(id, subject, at).await
    }

    async fn resolve_case(
        &self,
        id: SupportCaseId,
        by: StaffId,
        audit: &AuditEntry,
    ) -> Result<Option<SupportCase>, StorageError> {
        self.resolve_case_impl(id, by, audit).await
    }

    async fn support_case(&self, id: SupportCaseId) -> Result<Option<SupportCase>, StorageError> {
        self.support_case_impl(id).await
    }

    async fn cases_of(&self, customer: CustomerId) -> Result<Vec<SupportCase>, StorageError> {
        self.cases_of_impl(customer).await
    }

    async fn open_cases(&self) -> Result<Vec<SupportCase>, StorageError> {
        self.open_cases_impl().await
    }

    async fn create_request(
        &self,
        customer: CustomerId,
        requested_by: StaffId,
        request: &ConsentRequest,
        audit: &AuditEntry,
        notice: &OutgoingMail,
    ) -> Result<ConsentRequestId, StorageError> {
        self.create_request_impl(customer, requested_by, request, audit, notice)
            .await
    }

    async fn consent_request(
        &self,
        id: ConsentRequestId,
    ) -> Result<Option<RequestRecord>, StorageError> {
        self.consent_request_impl(id).await
    }

    async fn requests_of_customer(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<RequestRecord>, StorageError> {
        requests_of_customer(&mut self.hold().await?, customer).await
    }

    async fn requests_by_staff(
        &self,
        requested_by: Option<StaffId>,
        limit: u32,
    ) -> Result<Vec<RequestRecord>, StorageError> {
        self.requests_by_staff_impl(requested_by, limit).await
    }

    async fn look_at_queue(
        &self,
        staff: StaffId,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StorageError> {
        self.look_at_queue_impl(staff, now).await
    }

    async fn grants_ended_untold(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GrantRecord>, StorageError> {
        self.grants_ended_untold_impl(now, limit).await
    }

    async fn tell_grant_end(
        &self,
        grant: GrantId,
        notice: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        self.tell_grant_end_impl(grant, notice, now).await
    }

    async fn grants_at_limit_unpublished(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<GrantRecord>, StorageError> {
        self.grants_at_limit_unpublished_impl(now, limit).await
    }

    async fn publish_grant_limit(
        &self,
        grant: GrantId,
        event: Option<&ConsentEvent>,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        self.publish_grant_limit_impl(grant, event, now).await
    }

    async fn requests_unseen_unreminded(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RequestRecord>, StorageError> {
        self.requests_unseen_unreminded_impl(now, limit).await
    }

    async fn remind_of_request(
        &self,
        id: ConsentRequestId,
        notice: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        self.remind_of_request_impl(id, notice, now).await
    }

    async fn see_pending_requests(
        &self,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.see_pending_requests_impl(customer, now).await
    }

    async fn requests_past_their_window(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<RequestRecord>, StorageError> {
        self.requests_past_their_window_impl(now, limit).await
    }

    async fn settle_request(
        &self,
        id: ConsentRequestId,
        next: &ConsentRequest,
        grant: Option<&GrantTerms>,
        audit: &AuditEntry,
        notice: Option<&OutgoingMail>,
    ) -> Result<Option<GrantId>, SettleError> {
        self.settle_request_impl(id, next, grant, audit, notice)
            .await
    }

    async fn create_grant(
        &self,
        customer: CustomerId,
        terms: &GrantTerms,
        recorded_by: Option<StaffId>,
        receipt: Option<Receipt<'_>>,
        audit: &AuditEntry,
    ) -> Result<GrantId, StorageError> {
        self.create_grant_impl(customer, terms, recorded_by, receipt, audit)
            .await
    }

    async fn grant(&self, id: GrantId) -> Result<Option<GrantRecord>, StorageError> {
        self.grant_impl(id).await
    }

    async fn revoke_grant(
        &self,
        id: GrantId,
        customer: CustomerId,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError> {
        self.revoke_grant_impl(id, customer, audit).await
    }

    async fn grants_of_customer(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<GrantRecord>, StorageError> {
        grants_of_customer(&mut self.hold().await?, customer).await
    }

    async fn live_grants_on(
        &self,
        resource: &ResourceId,
        now: DateTime<Utc>,
    ) -> Result<Vec<GrantRecord>, StorageError> {
        self.live_grants_on_impl(resource, now).await
    }

    async fn record_audit(&self, entries: &[AuditEntry]) -> Result<(), StorageError> {
        self.record_audit_impl(entries).await
    }

    async fn record_reported_access(
        &self,
        service: &str,
        event_id: &str,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError> {
        self.record_reported_access_impl(service, event_id, audit)
            .await
    }

    async fn audit_of_customer(
        &self,
        customer: CustomerId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, AuditEntry)>, StorageError> {
        self.audit_of_customer_impl(customer, before, limit).await
    }

    async fn create_service_token(
        &self,
        name: &str,
        token_hash: &[u8],
        scopes: &[String],
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.create_service_token_impl(name, token_hash, scopes, audit, now)
            .await
    }

    async fn revoke_service_token(
        &self,
        name: &str,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        self.revoke_service_token_impl(name, audit, now).await
    }

    async fn service_token(&self, token_hash: &[u8]) -> Result<Option<ServiceToken>, StorageError> {
        self.service_token_impl(token_hash).await
    }
}
