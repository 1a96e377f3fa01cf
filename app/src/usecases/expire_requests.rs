//! Recording that a consent request expired unanswered. Expiry needs no job to take effect (the domain reads a
//! pending request past its window as expired), but the charter wants every sensitive event on record (§2): this
//! writes the request's `expired` state and its audit entry, once, whichever instance of the portal gets there first.

use chrono::{DateTime, Utc};

use super::consent_notices::{requester_notice, Answer};
use crate::domain::consent::TransitionError;
use crate::domain::AuditEvent;
use crate::ports::{
    Actor, AuditBasis, AuditEntry, EventSource, RequestRecord, SettleError, Storage, StorageError,
};

/// How many requests one pass records at most; a backlog is worked through pass after pass.
pub const EXPIRY_BATCH: u32 = 200;

/// Records every request whose answer window closed by `now`; returns how many this call recorded. A request
/// another instance recorded first is skipped.
/// The requester of each is told, by a notice queued with the record.
pub async fn expire_requests(
    store: &dyn Storage,
    portal_origin: &str,
    now: DateTime<Utc>,
) -> Result<usize, StorageError> {
    let mut recorded = 0;
    for record in store.requests_past_their_window(now, EXPIRY_BATCH).await? {
        let expired = match record.request.expire(now) {
            Ok(expired) => expired,
            // Not yet expired, or closed meanwhile: nothing to record.
            Err(TransitionError::StillOpen { .. } | TransitionError::Closed { .. }) => continue,
            Err(error) => {
                tracing::error!(request = %record.id, %error, "a request past its window did not expire");
                continue;
            }
        };
        let notice = store
            .staff_member(record.requested_by)
            .await?
            .and_then(|requester| {
                requester_notice(
                    &requester,
                    record.id,
                    &record.request.scope().resource(),
                    Answer::Expired,
                    portal_origin,
                )
            });
        match store
            .settle_request(
                record.id,
                &expired,
                None,
                &expiry_entry(&record, now),
                notice.as_ref(),
            )
            .await
        {
            Ok(_) => recorded += 1,
            Err(SettleError::NoLongerPending) => {}
            Err(SettleError::Storage(error)) => return Err(error),
        }
    }
    Ok(recorded)
}

fn expiry_entry(record: &RequestRecord, now: DateTime<Utc>) -> AuditEntry {
    let request = &record.request;
    AuditEntry {
        at: now,
        event: AuditEvent::RequestExpired,
        actor: Actor::System,
        customer: Some(record.customer),
        resource: Some(request.scope().resource()),
        action: None,
        basis: AuditBasis::StaffRole,
        source: EventSource::Portal,
        detail: Some(crate::log_detail!(
            "request {id}: no answer by {moment}",
            id = record.id,
            moment = request.answer_by().format("%Y-%m-%d %H:%M UTC")
        )),
    }
}
