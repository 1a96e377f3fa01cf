//! The storage conformance suite: every test runs unchanged on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, SubsecRound, TimeZone, Utc};

use crate::support::{Backend, TestDb};
use app::domain::{CustomerNumber, EmailAddress, Language, PhoneNumber, Role};
use app::ports::{
    CustomerId, NewCustomer, NewService, NewStaff, ServiceKind, Storage, StorageError,
};
use server::storage::SqlStore;

async fn store(backend: Backend) -> Option<(TestDb, SqlStore)> {
    let db = TestDb::create(backend).await?;
    let store = db.store().await;
    Some((db, store))
}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_790_000_000 + seconds, 123_456_000)
        .single()
        .expect("valid time")
}

fn customer(n: u32) -> NewCustomer {
    NewCustomer {
        number: CustomerNumber::parse(&format!("C-{n:06}")).unwrap(),
        first_name: "Jeanne".into(),
        last_name: format!("Favre-{n}"),
        email: EmailAddress::parse(&format!("client{n}@exemple.ch")).unwrap(),
        phone: Some(PhoneNumber::parse("021 312 45 67").unwrap()),
        mobile: None,
        language: Language::Fr,
        company: Some("Boulangerie Favre Sàrl".into()),
        street: "Rue du Bourg 12".into(),
        postcode: "1003".into(),
        city: "Lausanne".into(),
        country: "CH".into(),
    }
}

fn mailbox(address: &str) -> NewService {
    NewService {
        kind: ServiceKind::Mailbox,
        name: address.into(),
    }
}

async fn a_customer_reads_back_exactly_as_written(backend: Backend) {
    let Some((_db, store)) = store(backend).await else {
        return;
    };
    let written = customer(1);
    let id = store
        .ensure_customer(&written, &[mailbox("a@exemple.ch")], at(0))
        .await
        .unwrap();

    let by_id = store.customer(id).await.unwrap().expect("customer by id");
    assert_eq!(by_id.details, written);
    assert_eq!(by_id.created_at, at(0));
    assert_eq!(by_id.updated_at, at(0));
    let by_number = store
        .customer_by_number(&written.number)
        .await
        .unwrap()
        .expect("customer by number");
    assert_eq!(by_number, by_id);

    let services = store.services_of(id).await.unwrap();
    assert_eq!(services.len(), 1);
    assert_eq!(
        (
            services[0].kind,
            services[0].name.as_str(),
            services[0].customer
        ),
        (ServiceKind::Mailbox, "a@exemple.ch", id)
    );
}

async fn ensuring_a_customer_twice_changes_nothing(backend: Backend) {
    let Some((_db, store)) = store(backend).await else {
        return;
    };
    let first = store
        .ensure_customer(&customer(1), &[mailbox("a@exemple.ch")], at(0))
        .await
        .unwrap();
    let mut changed = customer(1);
    changed.first_name = "Someone else".into();
    let second = store
        .ensure_customer(
            &changed,
            &[mailbox("a@exemple.ch"), mailbox("b@exemple.ch")],
            at(60),
        )
        .await
        .unwrap();

    assert_eq!(first, second);
    let stored = store.customer(first).await.unwrap().unwrap();
    assert_eq!(
        stored.details.first_name, "Jeanne",
        "an existing customer is left as it is"
    );
    assert_eq!(stored.updated_at, at(0));
    let names: Vec<_> = store
        .services_of(first)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(
        names,
        ["a@exemple.ch", "b@exemple.ch"],
        "missing services are added, none duplicated"
    );
}

async fn another_customers_email_is_a_conflict_that_writes_nothing(backend: Backend) {
    let Some((_db, store)) = store(backend).await else {
        return;
    };
    store
        .ensure_customer(&customer(1), &[], at(0))
        .await
        .unwrap();
    let mut intruder = customer(2);
    intruder.email = customer(1).email;

    let result = store
        .ensure_customer(&intruder, &[mailbox("intruder@exemple.ch")], at(1))
        .await;
    assert!(
        matches!(result, Err(StorageError::Conflict(_))),
        "{result:?}"
    );
    assert_eq!(
        store.customer_by_number(&intruder.number).await.unwrap(),
        None
    );
}

async fn another_customers_service_is_a_conflict_that_rolls_everything_back(backend: Backend) {
    let Some((_db, store)) = store(backend).await else {
        return;
    };
    store
        .ensure_customer(&customer(1), &[mailbox("shared@exemple.ch")], at(0))
        .await
        .unwrap();

    let result = store
        .ensure_customer(
            &customer(2),
            &[mailbox("own@exemple.ch"), mailbox("shared@exemple.ch")],
            at(1),
        )
        .await;
    assert!(
        matches!(result, Err(StorageError::Conflict(_))),
        "{result:?}"
    );
    assert_eq!(
        store.customer_by_number(&customer(2).number).await.unwrap(),
        None,
        "the customer row was rolled back"
    );
    let retry = store
        .ensure_customer(&customer(2), &[mailbox("own@exemple.ch")], at(2))
        .await
        .unwrap();
    let names: Vec<_> = store
        .services_of(retry)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(
        names,
        ["own@exemple.ch"],
        "the service written before the conflict was rolled back too"
    );
}

async fn customer_pages_follow_the_key_without_gaps_or_repeats(backend: Backend) {
    let Some((_db, store)) = store(backend).await else {
        return;
    };
    for n in 1..=7 {
        store
            .ensure_customer(&customer(n), &[], at(i64::from(n)))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut after: Option<CustomerId> = None;
    let mut sizes = Vec::new();
    loop {
        let page = store.customers_page(after, 3).await.unwrap();
        if page.is_empty() {
            break;
        }
        sizes.push(page.len());
        after = page.last().map(|c| c.id);
        seen.extend(page.into_iter().map(|c| c.details.number.to_string()));
    }
    assert_eq!(sizes, [3, 3, 1]);
    let expected: Vec<String> = (1..=7).map(|n| format!("C-{n:06}")).collect();
    assert_eq!(seen, expected);
}

async fn lookups_of_unknown_keys_find_nothing(backend: Backend) {
    let Some((_db, store)) = store(backend).await else {
        return;
    };
    assert_eq!(store.customer(CustomerId(424_242)).await.unwrap(), None);
    assert_eq!(
        store
            .customer_by_number(&CustomerNumber::parse("C-999999").unwrap())
            .await
            .unwrap(),
        None
    );
    assert!(store
        .services_of(CustomerId(424_242))
        .await
        .unwrap()
        .is_empty());
    let nobody = EmailAddress::parse("nobody@exemple.ch").unwrap();
    assert_eq!(store.staff_by_email(&nobody).await.unwrap(), None);
}

async fn staff_roles_accumulate_and_read_back_sorted(backend: Backend) {
    let Some((_db, store)) = store(backend).await else {
        return;
    };
    let email = EmailAddress::parse("camille.rey@staff.exemple.ch").unwrap();
    let first = NewStaff {
        email: email.clone(),
        display_name: "Camille Rey".into(),
        roles: vec![Role::Sysadmin],
    };
    let id = store.ensure_staff(&first, at(0)).await.unwrap();
    let again = NewStaff {
        roles: vec![Role::Support, Role::Sysadmin],
        ..first.clone()
    };
    assert_eq!(store.ensure_staff(&again, at(5)).await.unwrap(), id);

    let member = store
        .staff_by_email(&email)
        .await
        .unwrap()
        .expect("staff member");
    assert_eq!(member.id, id);
    assert_eq!(member.roles, [Role::Support, Role::Sysadmin]);
    assert_eq!(member.display_name, "Camille Rey");
    assert_eq!(member.created_at, at(0));
}

async fn times_keep_microseconds_and_order(backend: Backend) {
    let Some((_db, store)) = store(backend).await else {
        return;
    };
    let precise = Utc::now().trunc_subsecs(6);
    let id = store
        .ensure_customer(&customer(1), &[], precise)
        .await
        .unwrap();
    assert_eq!(
        store.customer(id).await.unwrap().unwrap().created_at,
        precise
    );
    let later = precise + Duration::microseconds(1);
    let id2 = store
        .ensure_customer(&customer(2), &[], later)
        .await
        .unwrap();
    assert!(store.customer(id2).await.unwrap().unwrap().created_at > precise);
}

async fn concurrent_writers_all_succeed(backend: Backend) {
    let Some((_db, store)) = store(backend).await else {
        return;
    };
    let writers: Vec<_> = (1..=40)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .ensure_customer(
                        &customer(n),
                        &[mailbox(&format!("box{n}@exemple.ch"))],
                        at(i64::from(n)),
                    )
                    .await
            })
        })
        .collect();
    for writer in writers {
        writer
            .await
            .unwrap()
            .expect("no writer may fail with a lock error");
    }
    let all = store.customers_page(None, 100).await.unwrap();
    assert_eq!(all.len(), 40);
}

async fn migrating_again_is_harmless(backend: Backend) {
    let Some((db, store)) = store(backend).await else {
        return;
    };
    store.migrate().await.expect("second migration run");
    let id = store
        .ensure_customer(&customer(1), &[], at(0))
        .await
        .unwrap();
    let reopened = db.store().await;
    assert!(reopened.customer(id).await.unwrap().is_some());
}

async fn a_corrupted_row_is_reported_not_passed_on(backend: Backend) {
    let Some((_db, store)) = store(backend).await else {
        return;
    };
    let id = store
        .ensure_customer(&customer(1), &[], at(0))
        .await
        .unwrap();
    let tamper = "UPDATE customers SET email = 'not an address' WHERE id = $1";
    match &store {
        SqlStore::Sqlite(pool) => sqlx::query(tamper).bind(id.0).execute(pool).await.map(drop),
        SqlStore::Postgres(pool) => sqlx::query(tamper).bind(id.0).execute(pool).await.map(drop),
    }
    .unwrap();
    let result = store.customer(id).await;
    assert!(
        matches!(result, Err(StorageError::Corrupt(_))),
        "{result:?}"
    );
}

async fn a_closed_database_is_unavailable(backend: Backend) {
    let Some((_db, store)) = store(backend).await else {
        return;
    };
    store.ping().await.expect("ping while open");
    store.close().await;
    assert!(matches!(
        store.ping().await,
        Err(StorageError::Unavailable(_))
    ));
}

on_both_backends!(
    a_customer_reads_back_exactly_as_written,
    ensuring_a_customer_twice_changes_nothing,
    another_customers_email_is_a_conflict_that_writes_nothing,
    another_customers_service_is_a_conflict_that_rolls_everything_back,
    customer_pages_follow_the_key_without_gaps_or_repeats,
    lookups_of_unknown_keys_find_nothing,
    staff_roles_accumulate_and_read_back_sorted,
    times_keep_microseconds_and_order,
    concurrent_writers_all_succeed,
    migrating_again_is_harmless,
    a_corrupted_row_is_reported_not_passed_on,
    a_closed_database_is_unavailable,
);

/// SQLite's own checkpoint is turned off so that no commit pays for it; the portal's background checkpoint must
/// still copy committed pages into the database file within seconds, or the write-ahead log would grow for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_commits_reach_the_database_file_within_seconds() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    store
        .ensure_customer(&customer(1), &[], at(0))
        .await
        .unwrap();
    // An immutable connection reads the database file alone, ignoring the write-ahead log.
    let file_only = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db.data_dir.path().join("portal.db"))
        .immutable(true);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let mut connection = sqlx::ConnectOptions::connect(&file_only).await.unwrap();
        // Before the first checkpoint the file does not even hold the schema: "no such table" means not yet.
        let customers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers")
            .fetch_one(&mut connection)
            .await
            .unwrap_or(0);
        if customers == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the commit never reached the database file"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
