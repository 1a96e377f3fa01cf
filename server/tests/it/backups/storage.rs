//! What the database itself refuses: a snapshot changes only by its confirmation or overdue flag, once each, and is
//! never removed; contract transfers are history. And the contracts a customer's pages read.

use super::*;
use crate::support::TestDb;
use app::domain::{CustomerNumber, EmailAddress, Language};
use app::ports::{BackupStore, ContractStore, NewCustomer, NewService, ServiceKind};
use server::storage::SqlStore;

async fn execute(store: &SqlStore, sql: &str) -> Result<u64, sqlx::Error> {
    match store {
        SqlStore::Sqlite(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        SqlStore::Postgres(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    }
}

fn new_customer(number: &str, email: &str) -> NewCustomer {
    NewCustomer {
        number: CustomerNumber::parse(number).unwrap(),
        first_name: "Anna".into(),
        last_name: "Favre".into(),
        email: EmailAddress::parse(email).unwrap(),
        phone: None,
        mobile: None,
        language: Language::Fr,
        company: None,
        street: "Rue du Bourg 12".into(),
        postcode: "1003".into(),
        city: "Lausanne".into(),
        country: "CH".into(),
    }
}

async fn snapshots_change_only_by_confirmation_and_contract_transfers_never(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let store = db.store().await;
    let now = Utc::now();
    let services = [NewService {
        kind: ServiceKind::WebSpace,
        name: "favre.ch".into(),
    }];
    let from = store
        .ensure_customer(&new_customer("C-400001", "a@favre.ch"), &services, now)
        .await
        .unwrap();
    let to = store
        .ensure_customer(&new_customer("C-400002", "b@favre.ch"), &[], now)
        .await
        .unwrap();
    register(
        &store,
        from,
        "snap-1",
        "web-space:favre.ch",
        now - Duration::days(8),
    )
    .await;

    for forbidden in [
        "UPDATE backup_snapshots SET taken_at = due_at",
        "UPDATE backup_snapshots SET due_at = taken_at",
        "UPDATE backup_snapshots SET holds = 'web-space:other.ch'",
        "UPDATE backup_snapshots SET customer_id = customer_id + 1",
        "DELETE FROM backup_snapshots",
    ] {
        assert!(execute(&store, forbidden).await.is_err(), "{forbidden}");
    }
    // The one allowed change, once.
    assert_eq!(
        execute(
            &store,
            "UPDATE backup_snapshots SET destroyed_at = taken_at, confirmed_by = 'x'"
        )
        .await
        .unwrap(),
        1
    );
    assert!(
        execute(&store, "UPDATE backup_snapshots SET destroyed_at = due_at")
            .await
            .is_err()
    );
    assert!(
        execute(&store, "UPDATE backup_snapshots SET confirmed_by = 'y'")
            .await
            .is_err()
    );

    // A transfer is recorded once and is then history.
    let contract = store.contracts_of(from).await.unwrap()[0].contract.clone();
    let insert = format!(
        "INSERT INTO contract_transfers (contract_id, from_customer_id, to_customer_id, transferred_at) \
         VALUES ({}, {}, {}, '{}')",
        contract.id.0,
        from.0,
        to.0,
        now.to_rfc3339()
    );
    execute(&store, &insert).await.unwrap();
    execute(
        &store,
        &format!(
            "UPDATE contracts SET customer_id = {} WHERE id = {}",
            to.0, contract.id.0
        ),
    )
    .await
    .unwrap();
    assert!(execute(
        &store,
        "UPDATE contract_transfers SET to_customer_id = from_customer_id"
    )
    .await
    .is_err());
    assert!(execute(&store, "DELETE FROM contract_transfers")
        .await
        .is_err());

    // Both sides see the contract and its transfer; its services follow it.
    for customer in [from, to] {
        let views = store.contracts_of(customer).await.unwrap();
        assert_eq!(views.len(), 1, "{customer:?}");
        assert_eq!(views[0].contract.customer, to);
        assert_eq!(views[0].transfers.len(), 1);
        assert_eq!(views[0].transfers[0].from, from);
        assert_eq!(views[0].transfers[0].to, to);
        assert_eq!(views[0].services.len(), 1);
    }
}

async fn existing_services_get_one_contract_per_customer(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let store = db.store().await;
    let now = Utc::now();
    let services = [
        NewService {
            kind: ServiceKind::WebSpace,
            name: "favre.ch".into(),
        },
        NewService {
            kind: ServiceKind::Mailbox,
            name: "a@favre.ch".into(),
        },
    ];
    let customer = store
        .ensure_customer(&new_customer("C-400003", "a@favre.ch"), &services, now)
        .await
        .unwrap();
    // Seeding again adds nothing.
    store
        .ensure_customer(&new_customer("C-400003", "a@favre.ch"), &services, now)
        .await
        .unwrap();
    let views = store.contracts_of(customer).await.unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].contract.number, "K-400003-1");
    assert_eq!(views[0].services.len(), 2);
    let without: i64 = match &store {
        SqlStore::Sqlite(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM services WHERE contract_id IS NULL")
                .fetch_one(pool)
                .await
                .unwrap()
        }
        SqlStore::Postgres(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM services WHERE contract_id IS NULL")
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(without, 0);
}

async fn the_admin_cli_terminates_a_contract_once(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let store = db.store().await;
    let now = Utc::now();
    let services = [NewService {
        kind: ServiceKind::WebSpace,
        name: "favre.ch".into(),
    }];
    let customer = store
        .ensure_customer(&new_customer("C-400004", "a@favre.ch"), &services, now)
        .await
        .unwrap();
    register(&store, customer, "snap-cli", "web-space:favre.ch", now).await;
    let run = |number: &str| {
        crate::support::api::server_command(&db)
            .args(["terminate-contract", "--number", number])
            .output()
            .unwrap()
    };
    let first = run("K-400004-1");
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        stdout.contains("contract K-400004-1 terminated"),
        "{stdout}"
    );
    assert!(stdout.contains("7 days"), "{stdout}");
    let again = run("K-400004-1");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("already terminated"));
    let unknown = run("K-000000-9");
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no contract has the number K-000000-9")
    );

    let views = store.contracts_of(customer).await.unwrap();
    assert!(views[0].contract.is_terminated());
    assert_eq!(views[0].contract.terminated_by, None);
    assert_eq!(
        entries(&store, customer, AuditEvent::ContractTerminated)
            .await
            .len(),
        1
    );
    // The snapshot keeps its due date.
    let snapshot = store
        .snapshot(&SnapshotId::parse("snap-cli").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(snapshot.due_at - snapshot.taken_at, Duration::days(7));
    assert!(snapshot.contract_terminated_at.is_some());
}

on_both_backends!(
    snapshots_change_only_by_confirmation_and_contract_transfers_never,
    existing_services_get_one_contract_per_customer,
    the_admin_cli_terminates_a_contract_once,
);
