//! The overdue-destruction job (charter §6): a snapshot whose destruction the backup system has not confirmed
//! within the grace after its due time is flagged, once, on the staff dashboard and in the customer's audit log.
//! Every instance may run it: flagging is one transaction that only takes snapshots not flagged yet.

use serde::Deserialize;
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;

use app::domain::backup::DestructionGrace;
use app::domain::AuditEvent;
use app::ports::{
    Actor, AuditBasis, AuditEntry, Clock, EventSource, SnapshotRecord, Storage, StorageError,
    Termination,
};

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct BackupSettings {
    /// `PORTAL_BACKUP_DESTRUCTION_GRACE_MINUTES`: how long after its due time a destruction may go unconfirmed
    /// before it is flagged (0 to 10080; default 360, six hours).
    pub backup_destruction_grace_minutes: i64,
    /// `PORTAL_BACKUP_SWEEP_MILLIS`: how often the job looks for overdue destructions.
    pub backup_sweep_millis: u64,
}

impl Default for BackupSettings {
    fn default() -> Self {
        Self {
            backup_destruction_grace_minutes: DestructionGrace::DEFAULT_MINUTES,
            backup_sweep_millis: 60_000,
        }
    }
}

impl BackupSettings {
    pub fn grace(&self) -> Result<DestructionGrace, &'static str> {
        DestructionGrace::from_minutes(self.backup_destruction_grace_minutes)
            .map_err(|error| error.reason)
    }
}

/// Flags what is overdue at the clock's `now`; returns what it flagged.
pub async fn flag_overdue(
    store: &dyn Storage,
    grace: DestructionGrace,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<SnapshotRecord>, StorageError> {
    store
        .flag_overdue_destructions(now - grace.duration(), now)
        .await
}

/// Runs until `stop` turns true.
pub async fn run(
    store: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    grace: DestructionGrace,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(every.max(Duration::from_millis(10)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        match flag_overdue(store.as_ref(), grace, clock.now()).await {
            Ok(flagged) => {
                for snapshot in &flagged {
                    tracing::warn!(
                        snapshot = %snapshot.id,
                        customer = %snapshot.customer_number,
                        due_at = %snapshot.due_at,
                        "backup destruction overdue"
                    );
                }
            }
            Err(error) => tracing::error!(%error, "could not look for overdue backup destructions"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TerminateError {
    #[error("no contract has the number {0}")]
    NoSuchContract(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// An entry for a contract change made at the operator's console (no staff member); the storage sets its customer.
fn console_audit(
    event: AuditEvent,
    at: chrono::DateTime<chrono::Utc>,
    detail: String,
) -> AuditEntry {
    AuditEntry::in_portal(
        at,
        event,
        Actor::System,
        None,
        AuditBasis::StaffRole,
        detail,
    )
}

/// Terminates a contract from the admin CLI (no staff member: the operator at the console) and says what happened.
pub async fn terminate_contract(
    store: &dyn Storage,
    number: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, TerminateError> {
    let audit = console_audit(
        AuditEvent::ContractTerminated,
        now,
        app::log_detail!("contract {number} terminated", number = number.trim()),
    );
    match store.terminate_contract(number, None, &audit).await? {
        Termination::Terminated(contract) => Ok(format!(
            "contract {} terminated at {}; its backups are still destroyed 7 days after they were taken",
            contract.number,
            now.to_rfc3339()
        )),
        Termination::AlreadyTerminated(contract) => Ok(format!(
            "contract {} was already terminated at {}; nothing changed",
            contract.number,
            contract
                .terminated_at
                .map_or_else(String::new, |at| at.to_rfc3339())
        )),
        Termination::NoSuchContract => Err(TerminateError::NoSuchContract(number.trim().to_owned())),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("no contract has the number {0}")]
    NoSuchContract(String),
    #[error("no customer has the number {0}")]
    NoSuchCustomer(String),
    #[error(transparent)]
    Invalid(#[from] app::domain::InvalidInput),
    #[error("contract {0} is terminated: it stays with the customer who held it when it ended")]
    Terminated(String),
    #[error(
        "contract {number} still has {grants} live grant(s) and {requests} pending request(s) given by or asked of \
         its holder: they must end or be answered before the contract changes hands"
    )]
    ConsentsOpen {
        number: String,
        grants: usize,
        requests: usize,
    },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Records, from the admin CLI, that a contract and its services now belong to another customer (entity), for
/// example after a company was taken over (charter §1). Both customers see the transfer on their pages and in
/// their logs.
pub async fn transfer_contract(
    store: &dyn Storage,
    number: &str,
    to: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, TransferError> {
    use app::domain::CustomerNumber;
    use app::ports::TransferOutcome;

    let number = number.trim();
    let to_number = CustomerNumber::parse(to)?;
    let Some(receiver) = store.customer_by_number(&to_number).await? else {
        return Err(TransferError::NoSuchCustomer(to_number.to_string()));
    };
    let Some(contract) = store.contract_by_number(number).await? else {
        return Err(TransferError::NoSuchContract(number.to_owned()));
    };
    let from_number = store
        .customer(contract.customer)
        .await?
        .map_or_else(String::new, |holder| holder.details.number.to_string());
    let audit = console_audit(
        AuditEvent::ContractTransferred,
        now,
        app::log_detail!("contract {number} transferred from {from_number} to {to_number}"),
    );
    match store
        .transfer_contract(number, receiver.id, None, &audit)
        .await?
    {
        TransferOutcome::Transferred(_) => Ok(format!(
            "contract {number} transferred from {from_number} to {to_number} at {}",
            now.to_rfc3339()
        )),
        TransferOutcome::AlreadyHeld => Ok(format!(
            "contract {number} is already held by {to_number}; nothing changed"
        )),
        TransferOutcome::NoSuchContract => Err(TransferError::NoSuchContract(number.to_owned())),
        TransferOutcome::Terminated => Err(TransferError::Terminated(number.to_owned())),
        TransferOutcome::ConsentsOpen { grants, requests } => Err(TransferError::ConsentsOpen {
            number: number.to_owned(),
            grants,
            requests,
        }),
    }
}

/// Backups and mailbox aggregates of the demo customer Keller Velos (C-100004), whose log no other test reads
/// exactly: a recent web-space snapshot, a backup-space one nearing its due date, and a mailbox snapshot already
/// destroyed. Added once: a snapshot id that exists is left alone, and the aggregates are written only along with
/// the first snapshot, so running the seed again changes nothing.
pub async fn seed_demo_backups(
    store: &dyn Storage,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StorageError> {
    use app::domain::consent::{SnapshotContent, SnapshotId};
    use app::domain::mailbox::{FolderStats, MailboxStats};
    use app::domain::{CustomerNumber, EmailAddress};
    use app::ports::{NewSnapshot, RegisterOutcome};
    use chrono::{Duration, SubsecRound};

    const SERVICE: &str = "demo-backup-system";
    let (Ok(number), Ok(mailbox)) = (
        CustomerNumber::parse("C-100004"),
        EmailAddress::parse("martin.keller@keller-velos.ch"),
    ) else {
        return Ok(());
    };
    let Some(customer) = store.customer_by_number(&number).await? else {
        return Ok(());
    };
    let now = now.trunc_subsecs(6);
    let snapshots = [
        (
            "demo-keller-web-1",
            "web-space:keller-velos.ch",
            Duration::hours(20),
        ),
        (
            "demo-keller-backup-1",
            "backup-space:backup-keller-velos",
            Duration::days(5) + Duration::hours(3),
        ),
        (
            "demo-keller-mail-1",
            "mailbox:martin.keller@keller-velos.ch",
            Duration::days(8),
        ),
    ];
    let mut first_run = false;
    for (id, holds, age) in snapshots {
        let (Ok(id), Ok(holds)) = (SnapshotId::parse(id), SnapshotContent::parse(holds)) else {
            continue;
        };
        let snapshot = NewSnapshot {
            id: id.clone(),
            customer: customer.id,
            holds: holds.clone(),
            taken_at: now - age,
            registered_by: SERVICE.to_owned(),
        };
        let audit = AuditEntry {
            at: now,
            event: AuditEvent::BackupRegistered,
            actor: Actor::System,
            customer: None,
            resource: None,
            action: None,
            basis: AuditBasis::StaffRole,
            source: EventSource::Service(SERVICE.to_owned()),
            detail: Some(app::log_detail!("copy of {holds}")),
        };
        if !matches!(
            store.register_snapshot(&snapshot, &audit).await?,
            RegisterOutcome::Registered(_)
        ) {
            continue;
        }
        first_run = true;
        if age > Duration::days(app::domain::backup::RETENTION_DAYS) {
            let confirmed = AuditEntry {
                event: AuditEvent::BackupDestroyed,
                detail: Some(app::log_detail!(
                    "destruction confirmed by {service}",
                    service = SERVICE
                )),
                ..audit
            };
            store.confirm_destroyed(&id, SERVICE, &confirmed).await?;
        }
    }
    if first_run {
        let folders = [
            ("INBOX", 1184),
            ("Envoyés", 402),
            ("Werkstatt", 231),
            ("Corbeille", 17),
        ]
        .map(|(name, messages)| FolderStats {
            name: name.to_owned(),
            messages,
        })
        .to_vec();
        if let Ok(stats) = MailboxStats::new(1834, 734_003_200, folders) {
            store.put_mailbox_stats(&mailbox, &stats, now).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grace_defaults_to_six_hours_and_is_bounded() {
        let defaults = BackupSettings::default();
        assert_eq!(defaults.grace(), Ok(DestructionGrace::default()));
        assert_eq!(
            DestructionGrace::default().duration(),
            chrono::Duration::hours(6)
        );
        for refused in [-1, 7 * 24 * 60 + 1] {
            let settings = BackupSettings {
                backup_destruction_grace_minutes: refused,
                ..BackupSettings::default()
            };
            assert!(settings.grace().is_err(), "{refused}");
        }
    }
}
