//! The customer directory sync as the API and the admin CLI share it: raw records in, one outcome per record out,
//! in the order they came. Records that do not parse are answered without reaching the database; the others go to
//! the storage in one batch.

use chrono::{DateTime, Utc};
use serde::Serialize;

use app::domain::my_data::PersonalField;
use app::ports::{
    Actor, CustomerId, EventSource, Invitation, Storage, StorageError, SyncOutcome, SyncRefusal,
};
use app::usecases::directory::{parse, sync_audit, RawRecord};
use app::usecases::invitations::invite_customer;

/// The most records one call takes: one transaction holds the database's write lock while it runs.
pub const MAX_BATCH: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum RecordResult {
    Created {
        #[serde(skip)]
        customer: CustomerId,
        /// Whether a link to choose a password went to the new customer (when the call asked for it).
        invited: bool,
    },
    Updated {
        /// The personal fields that changed (never their values).
        fields: Vec<PersonalField>,
        contracts_added: usize,
        services_added: usize,
    },
    Unchanged,
    Refused {
        /// The record's field at fault, when one is.
        #[serde(skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        reason: String,
    },
}

impl RecordResult {
    pub fn refused(field: Option<&str>, reason: impl Into<String>) -> Self {
        Self::Refused {
            field: field.map(str::to_owned),
            reason: reason.into(),
        }
    }
}

impl From<SyncOutcome> for RecordResult {
    fn from(outcome: SyncOutcome) -> Self {
        match outcome {
            SyncOutcome::Created(customer) => Self::Created {
                customer,
                invited: false,
            },
            SyncOutcome::Updated {
                fields,
                contracts_added,
                services_added,
                ..
            } => Self::Updated {
                fields,
                contracts_added,
                services_added,
            },
            SyncOutcome::Unchanged(_) => Self::Unchanged,
            SyncOutcome::Refused(SyncRefusal::EmailTaken) => {
                Self::refused(Some("email"), "another customer has this email")
            }
            SyncOutcome::Refused(SyncRefusal::ServiceTaken(service)) => Self::refused(
                Some("services"),
                format!("{service} belongs to another customer"),
            ),
            SyncOutcome::Refused(SyncRefusal::ContractTaken(number)) => Self::refused(
                Some("contracts"),
                format!(
                    "contract {number} belongs to another customer; moving a contract is a transfer \
                     (server transfer-contract)"
                ),
            ),
        }
    }
}

/// How many records ended each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub refused: usize,
    /// New customers sent a link to choose a password.
    pub invited: usize,
}

impl Summary {
    pub fn add(&mut self, result: &RecordResult) {
        match result {
            RecordResult::Created { invited, .. } => {
                self.created += 1;
                self.invited += usize::from(*invited);
            }
            RecordResult::Updated { .. } => self.updated += 1,
            RecordResult::Unchanged => self.unchanged += 1,
            RecordResult::Refused { .. } => self.refused += 1,
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "created {}, updated {}, unchanged {}, refused {}",
            self.created, self.updated, self.unchanged, self.refused
        )?;
        if self.invited > 0 {
            write!(f, ", invited {}", self.invited)?;
        }
        Ok(())
    }
}

/// Syncs one batch (at most [`MAX_BATCH`]): each entry is a record, or why it could not be read. With
/// `invite_from` (the portal's public origin), each customer created is sent a link to choose a password.
pub async fn sync_batch(
    store: &dyn Storage,
    batch: Vec<Result<RawRecord, String>>,
    source: EventSource,
    invite_from: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<RecordResult>, StorageError> {
    let mut results: Vec<Option<RecordResult>> = Vec::with_capacity(batch.len());
    let mut records = Vec::with_capacity(batch.len());
    let mut positions = Vec::with_capacity(batch.len());
    for (position, raw) in batch.into_iter().enumerate() {
        match raw.map(|raw| parse(&raw)) {
            Ok(Ok(record)) => {
                records.push(record);
                positions.push(position);
                results.push(None);
            }
            Ok(Err(invalid)) => {
                results.push(Some(RecordResult::refused(
                    Some(invalid.field),
                    invalid.reason,
                )));
            }
            Err(unreadable) => results.push(Some(RecordResult::refused(None, unreadable))),
        }
    }
    if !records.is_empty() {
        let audit = sync_audit(source.clone(), now);
        let outcomes = store.sync_customers(&records, &audit, now).await?;
        for (position, outcome) in positions.into_iter().zip(outcomes) {
            results[position] = Some(outcome.into());
        }
    }
    if let Some(origin) = invite_from {
        for result in results.iter_mut().flatten() {
            if let RecordResult::Created { customer, invited } = result {
                let Some(found) = store.customer(*customer).await? else {
                    continue;
                };
                let sent =
                    invite_customer(store, &found, origin, Actor::System, source.clone(), now)
                        .await?;
                *invited = sent == Invitation::Sent;
            }
        }
    }
    Ok(results
        .into_iter()
        .map(|result| result.unwrap_or_else(|| RecordResult::refused(None, "not synced")))
        .collect())
}
