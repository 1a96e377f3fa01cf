//! What the clock does to consent, beyond expiring requests: a grant reaching its time limit is published to the
//! infrastructure as an event within a sweep of the limit, and a customer who has not looked at a pending request
//! is reminded of it once, half-way through its answer window. Every instance may run them: each step is a
//! compare-and-set in storage, so each limit is published once and each reminder sent once.

use chrono::{DateTime, Utc};

use super::consent_notices::reminder_notice;
use crate::domain::consent::{ConsentEvent, EndReason};
use crate::ports::{Storage, StorageError};

/// How many grants or requests one pass looks at most; a backlog is worked through pass after pass.
pub const TIMERS_BATCH: u32 = 200;

/// Publishes every grant limit reached by `now`; returns how many grants this call marked. A grant that something
/// else ended first (a revocation, its case) had its event then, and is only marked.
pub async fn publish_grant_limits(
    store: &dyn Storage,
    now: DateTime<Utc>,
) -> Result<usize, StorageError> {
    let mut marked = 0;
    for record in store.grants_at_limit_unpublished(now, TIMERS_BATCH).await? {
        let end = record.grant.end(record.case_resolved_at);
        let event = if end.reason == EndReason::TimeLimit {
            let Some(customer) = store.customer(record.customer).await? else {
                tracing::error!(grant = %record.grant.id(), "the customer of a grant is not on record");
                continue;
            };
            Some(ConsentEvent::grant_ended(
                &record.grant,
                record.request,
                &customer.details.number,
                end,
            ))
        } else {
            None
        };
        if store
            .publish_grant_limit(record.grant.id(), event.as_ref(), now)
            .await?
        {
            marked += 1;
        }
    }
    Ok(marked)
}

/// Reminds each customer of their pending requests that reached half their window unseen; returns how many
/// reminders this call queued.
pub async fn remind_of_requests(
    store: &dyn Storage,
    portal_origin: &str,
    now: DateTime<Utc>,
) -> Result<usize, StorageError> {
    let mut reminded = 0;
    for record in store.requests_unseen_unreminded(now, TIMERS_BATCH).await? {
        if !record.request.reminder_due(now) {
            continue;
        }
        let Some(customer) = store.customer(record.customer).await? else {
            tracing::error!(request = %record.id, "the customer of a request is not on record");
            continue;
        };
        let notice = reminder_notice(&customer, &record.request, portal_origin);
        if store.remind_of_request(record.id, &notice, now).await? {
            reminded += 1;
        }
    }
    Ok(reminded)
}
