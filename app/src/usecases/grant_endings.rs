//! Telling the customer that a grant ended, whatever ended it: its time limit, their revocation, or for a mailbox
//! the resolution of its case. A job does it for all three, so that the mail goes out once, from whichever instance
//! gets there first, also for the ends no one acts on (the clock).

use chrono::{DateTime, Utc};

use super::consent_notices::grant_ended_notice;
use crate::ports::{Storage, StorageError};

/// How many grants one pass looks at most; a backlog is worked through pass after pass.
pub const ENDINGS_BATCH: u32 = 200;

/// Tells the customer of every grant that ended by `now` and was not told yet; returns how many this call told.
pub async fn tell_ended_grants(
    store: &dyn Storage,
    portal_origin: &str,
    now: DateTime<Utc>,
) -> Result<usize, StorageError> {
    let mut told = 0;
    for record in store.grants_ended_untold(now, ENDINGS_BATCH).await? {
        let end = record.grant.end(record.case_resolved_at);
        if end.at > now {
            continue;
        }
        let Some(customer) = store.customer(record.customer).await? else {
            tracing::error!(grant = %record.grant.id(), "the customer of an ended grant is not on record");
            continue;
        };
        let notice = grant_ended_notice(&customer, &record.grant, end, portal_origin);
        if store
            .tell_grant_end(record.grant.id(), &notice, now)
            .await?
        {
            told += 1;
        }
    }
    Ok(told)
}
