//! Transferring a contract between two customers (entities): refused while the holder's consents on its services
//! are open, then recorded once with an audit entry on each side, shown to both, and the services follow it.

use super::*;
use crate::storage_consent::{draft, fixture, request, t, Fixture, BACKUP};
use app::domain::consent::{GrantTerms, Teams};
use server::backups::{transfer_contract, TransferError};

/// The number of the first customer's first contract, and the other customer's number (who will receive it).
async fn first_contract_and_other_customer(store: &dyn Storage, f: &Fixture) -> (String, String) {
    let contract = store.contracts_of(f.customer).await.unwrap()[0]
        .contract
        .number
        .clone();
    let receiver = store.customer(f.other).await.unwrap().unwrap();
    (contract, receiver.details.number.to_string())
}

async fn a_contract_changes_hands_only_once_its_consents_have_ended(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let store: &dyn Storage = &f.store;
    let (contract, receiver_number) = first_contract_and_other_customer(store, &f).await;
    let terms = GrantTerms::on_customer_initiative(
        draft(BACKUP, None, 60),
        Teams::SupportAndSysadmins,
        t(0),
    )
    .unwrap();
    let grant = store
        .create_grant(
            f.customer,
            &terms,
            None,
            None,
            &f.by_customer(AuditEvent::GrantGivenByCustomer, t(0)),
        )
        .await
        .unwrap();

    let refused = transfer_contract(store, &contract, &receiver_number, t(1)).await;
    match &refused {
        Err(TransferError::ConsentsOpen {
            grants: 1,
            requests: 0,
            ..
        }) => {}
        other => panic!("a live grant must block the transfer: {other:?}"),
    }
    assert!(refused.unwrap_err().to_string().contains("1 live grant(s)"));
    assert_eq!(store.contracts_of(f.other).await.unwrap().len(), 1);

    assert!(store
        .revoke_grant(
            grant,
            f.customer,
            &f.by_customer(AuditEvent::GrantRevoked, t(2))
        )
        .await
        .unwrap());
    let said = transfer_contract(store, &contract, &receiver_number, t(3))
        .await
        .unwrap();
    assert!(
        said.contains(&format!("transferred from C-000001 to {receiver_number}")),
        "{said}"
    );

    // The receiver holds it with its services; the former holder still sees it, as transferred away.
    let theirs = store.contracts_of(f.other).await.unwrap();
    let moved = theirs
        .iter()
        .find(|view| view.contract.number == contract)
        .expect("the receiver holds the contract");
    assert_eq!(moved.contract.customer, f.other);
    assert!(!moved.services.is_empty());
    assert!(moved
        .services
        .iter()
        .all(|service| service.customer == f.other));
    assert_eq!(moved.transfers.len(), 1);
    assert_eq!(moved.transfers[0].from, f.customer);
    assert_eq!(moved.transfers[0].to, f.other);
    assert_eq!(moved.transfers[0].at, t(3));
    let former = store.contracts_of(f.customer).await.unwrap();
    assert_eq!(former.len(), 1);
    assert_eq!(former[0].contract.customer, f.other);
    assert!(store.services_of(f.customer).await.unwrap().is_empty());
    for side in [f.customer, f.other] {
        let logged = entries(store, side, AuditEvent::ContractTransferred).await;
        assert_eq!(logged.len(), 1, "each side's log has the transfer once");
        assert_eq!(logged[0].at, t(3));
    }

    // The export names both sides by their customer numbers.
    let export = server::http::my_data_export::head_of(store, f.other, t(4))
        .await
        .unwrap();
    let exported = export["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|exported| exported["number"] == contract.as_str())
        .unwrap()["transfers"][0]
        .clone();
    assert_eq!(exported["from_customer"], "C-000001");
    assert_eq!(exported["to_customer"], receiver_number.as_str());

    // Recording it again changes nothing.
    let again = transfer_contract(store, &contract, &receiver_number, t(4))
        .await
        .unwrap();
    assert!(again.contains("already held"), "{again}");
    assert_eq!(
        entries(store, f.other, AuditEvent::ContractTransferred)
            .await
            .len(),
        1
    );
    assert!(matches!(
        transfer_contract(store, "K-000000-9", &receiver_number, t(4)).await,
        Err(TransferError::NoSuchContract(_))
    ));
    assert!(matches!(
        transfer_contract(store, &contract, "C-999999", t(4)).await,
        Err(TransferError::NoSuchCustomer(_))
    ));
    assert!(matches!(
        transfer_contract(store, &contract, "someone", t(4)).await,
        Err(TransferError::Invalid(_))
    ));

    // A terminated contract stays where it ended.
    server::backups::terminate_contract(store, &contract, t(5))
        .await
        .unwrap();
    assert!(matches!(
        transfer_contract(store, &contract, "C-000001", t(6)).await,
        Err(TransferError::Terminated(_))
    ));
}

/// A request nobody answered stops counting when its answer window closes, as it does everywhere else, even though
/// its stored state still says pending.
async fn an_unanswered_request_blocks_a_transfer_until_its_answer_window_closes(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let store: &dyn Storage = &f.store;
    let (contract, receiver_number) = first_contract_and_other_customer(store, &f).await;
    let pending = request(BACKUP, None, t(0));
    f.store_request(&pending).await;

    let still_open = pending.answer_by() - Duration::seconds(1);
    match transfer_contract(store, &contract, &receiver_number, still_open).await {
        Err(TransferError::ConsentsOpen {
            grants: 0,
            requests: 1,
            ..
        }) => {}
        other => panic!("a pending request must block the transfer: {other:?}"),
    }
    let said = transfer_contract(store, &contract, &receiver_number, pending.answer_by())
        .await
        .unwrap();
    assert!(said.contains("transferred"), "{said}");
}

async fn the_admin_cli_records_a_transfer(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let store: &dyn Storage = &f.store;
    let contract = store.contracts_of(f.other).await.unwrap()[0]
        .contract
        .number
        .clone();
    let run = |to: &str| {
        crate::support::api::server_command(&f._db)
            .args(["transfer-contract", "--number", &contract, "--to", to])
            .output()
            .unwrap()
    };
    let unknown = run("C-999999");
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no customer has the number C-999999")
    );
    let done = run("C-000001");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(
        String::from_utf8_lossy(&done.stdout).contains(&format!("contract {contract} transferred"))
    );
    assert!(store
        .contracts_of(f.customer)
        .await
        .unwrap()
        .iter()
        .any(|view| view.contract.number == contract && view.contract.customer == f.customer));
}

on_both_backends!(
    a_contract_changes_hands_only_once_its_consents_have_ended,
    an_unanswered_request_blocks_a_transfer_until_its_answer_window_closes,
    the_admin_cli_records_a_transfer,
);
