//! Time travel (the clock is passed in): a snapshot becomes due on day 7 and overdue after the grace, whether its
//! contract is active or terminated; the overdue job flags each snapshot once, in the log and on the dashboard.

use super::*;
use crate::support::{spawn_app_with_clock, TestApp, TestClock};
use app::domain::backup::DestructionGrace;
use app::domain::{CustomerNumber, EmailAddress, Language};
use app::ports::{Clock, NewCustomer, NewService, ServiceKind, Termination};
use server::tokens::{self, Scope};
use std::sync::Arc;

fn customer(number: &str, email: &str) -> NewCustomer {
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

struct Fixture {
    app: TestApp,
    clock: Arc<TestClock>,
    token: String,
    active: CustomerId,
    leaving: CustomerId,
}

async fn fixture(backend: Backend) -> Option<Fixture> {
    let clock = TestClock::new();
    let app = spawn_app_with_clock(backend, clock.clone()).await?;
    let now = clock.now();
    let store: &dyn Storage = &app.store;
    let web = |name: &str| NewService {
        kind: ServiceKind::WebSpace,
        name: name.into(),
    };
    let active = store
        .ensure_customer(
            &customer("C-300001", "a@active.ch"),
            &[web("active.ch")],
            now,
        )
        .await
        .unwrap();
    let leaving = store
        .ensure_customer(
            &customer("C-300002", "b@leaving.ch"),
            &[web("leaving.ch")],
            now,
        )
        .await
        .unwrap();
    let token = tokens::create_service_token(store, "backup-system", &[Scope::Backups], now)
        .await
        .unwrap();
    Some(Fixture {
        app,
        clock,
        token,
        active,
        leaving,
    })
}

impl Fixture {
    async fn due_ids(&self) -> Vec<String> {
        let response = self
            .app
            .client
            .get(self.app.url("/api/v1/backups/due"))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["due"]
            .as_array()
            .unwrap()
            .iter()
            .map(|snapshot| snapshot["id"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn register(&self, id: &str, customer: &str, holds: &str) {
        let body = json!({"id": id, "customer": customer, "holds": holds, "taken_at": self.clock.now().to_rfc3339()});
        let response = self
            .app
            .client
            .post(self.app.url("/api/v1/backups"))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, answer) = read(response).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }

    async fn flag(&self) -> Vec<String> {
        server::backups::flag_overdue(
            &self.app.store,
            DestructionGrace::default(),
            self.clock.now(),
        )
        .await
        .unwrap()
        .into_iter()
        .map(|snapshot| snapshot.id.to_string())
        .collect()
    }

    async fn overdue_ids(&self) -> Vec<String> {
        let store: &dyn Storage = &self.app.store;
        store
            .overdue_destructions()
            .await
            .unwrap()
            .into_iter()
            .map(|snapshot| snapshot.id.to_string())
            .collect()
    }
}

async fn due_on_day_seven_and_overdue_after_the_grace_whatever_the_contract(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    f.register("snap-active", "C-300001", "web-space:active.ch")
        .await;
    f.register("snap-leaving", "C-300002", "web-space:leaving.ch")
        .await;
    // The second customer's contract is terminated right after the snapshot: nothing about its 7 days changes.
    let store: &dyn Storage = &f.app.store;
    let contracts = store.contracts_of(f.leaving).await.unwrap();
    assert_eq!(contracts.len(), 1);
    let message =
        server::backups::terminate_contract(store, &contracts[0].contract.number, f.clock.now())
            .await
            .unwrap();
    assert!(message.contains("terminated"), "{message}");
    assert!(store.contracts_of(f.leaving).await.unwrap()[0]
        .contract
        .is_terminated());
    assert!(!store.contracts_of(f.active).await.unwrap()[0]
        .contract
        .is_terminated());

    f.clock.advance(Duration::days(7) - Duration::seconds(1));
    assert!(f.due_ids().await.is_empty(), "kept until day 7");
    f.clock.advance(Duration::seconds(1));
    assert_eq!(
        f.due_ids().await,
        ["snap-active", "snap-leaving"],
        "both due on day 7"
    );

    f.clock.advance(Duration::hours(6) - Duration::seconds(1));
    assert!(f.flag().await.is_empty(), "within the grace");
    assert!(f.overdue_ids().await.is_empty());
    f.clock.advance(Duration::seconds(1));
    // The server's own job runs on the same clock and may have got there first: either way both are flagged.
    f.flag().await;
    assert_eq!(
        f.overdue_ids().await,
        ["snap-active", "snap-leaving"],
        "overdue after the grace"
    );
    f.clock.advance(Duration::hours(1));
    assert!(f.flag().await.is_empty(), "each snapshot is flagged once");

    for customer in [f.active, f.leaving] {
        let flagged = entries(store, customer, AuditEvent::BackupDestructionOverdue).await;
        assert_eq!(flagged.len(), 1, "one entry per snapshot: {flagged:?}");
        assert_eq!(flagged[0].actor, Actor::System);
    }
    let terminated = entries(store, f.leaving, AuditEvent::ContractTerminated).await;
    assert_eq!(terminated.len(), 1);

    // Confirming the destruction takes it off the due list and the dashboard.
    let response = f
        .app
        .client
        .post(f.app.url("/api/v1/backups/snap-leaving/destroyed"))
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(f.due_ids().await, ["snap-active"]);
    assert_eq!(f.overdue_ids().await, ["snap-active"]);
}

async fn the_overdue_job_runs_on_the_clock_it_is_given(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    f.register("snap-job", "C-300001", "web-space:active.ch")
        .await;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let store: Arc<dyn Storage> = Arc::new(f.app.store.clone());
    let job = tokio::spawn(server::backups::run(
        store,
        f.clock.clone(),
        DestructionGrace::default(),
        std::time::Duration::from_millis(20),
        stop_rx,
    ));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(f.overdue_ids().await.is_empty());
    f.clock.advance(Duration::days(7) + Duration::hours(6));
    let mut flagged = Vec::new();
    for _ in 0..100 {
        flagged = f.overdue_ids().await;
        if !flagged.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(flagged, ["snap-job"]);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stop_tx.send(true).unwrap();
    job.await.unwrap();
    let store: &dyn Storage = &f.app.store;
    assert_eq!(
        entries(store, f.active, AuditEvent::BackupDestructionOverdue)
            .await
            .len(),
        1,
        "many sweeps, one entry"
    );
}

async fn terminating_twice_or_an_unknown_contract_changes_nothing(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let store: &dyn Storage = &f.app.store;
    let number = store.contracts_of(f.active).await.unwrap()[0]
        .contract
        .number
        .clone();
    assert_eq!(number, "K-300001-1");
    let audit = AuditEntry {
        at: f.clock.now(),
        event: AuditEvent::ContractTerminated,
        actor: Actor::System,
        customer: None,
        resource: None,
        action: None,
        basis: AuditBasis::StaffRole,
        source: EventSource::Portal,
        detail: None,
    };
    assert!(matches!(
        store
            .terminate_contract(&number, None, &audit)
            .await
            .unwrap(),
        Termination::Terminated(_)
    ));
    assert!(matches!(
        store
            .terminate_contract(&number, None, &audit)
            .await
            .unwrap(),
        Termination::AlreadyTerminated(_)
    ));
    assert!(matches!(
        store
            .terminate_contract("K-999", None, &audit)
            .await
            .unwrap(),
        Termination::NoSuchContract
    ));
    assert!(
        server::backups::terminate_contract(store, "K-999", f.clock.now())
            .await
            .is_err()
    );
    assert_eq!(
        entries(store, f.active, AuditEvent::ContractTerminated)
            .await
            .len(),
        1
    );
    // A service added after the termination gets a new contract.
    store
        .ensure_customer(
            &customer("C-300001", "a@active.ch"),
            &[NewService {
                kind: ServiceKind::Mailbox,
                name: "a@active.ch".into(),
            }],
            f.clock.now(),
        )
        .await
        .unwrap();
    let contracts = store.contracts_of(f.active).await.unwrap();
    assert_eq!(contracts.len(), 2);
    assert_eq!(contracts[1].contract.number, "K-300001-2");
    assert_eq!(contracts[1].services.len(), 1);
    assert_eq!(contracts[1].services[0].name, "a@active.ch");
}

on_both_backends!(
    due_on_day_seven_and_overdue_after_the_grace_whatever_the_contract,
    the_overdue_job_runs_on_the_clock_it_is_given,
    terminating_twice_or_an_unknown_contract_changes_nothing,
);
