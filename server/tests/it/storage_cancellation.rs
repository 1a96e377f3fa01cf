//! A request's future can be dropped at any await: a client hanging up, a task aborted at shutdown. Wherever a write
//! is cancelled, the pool must not hand out a connection still inside that write's transaction (on SQLite it would
//! hold the only write lock for ever; on PostgreSQL the next borrower's statements would run, uncommitted, inside it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use chrono::{TimeZone, Utc};

use crate::support::{Backend, TestDb};
use app::domain::{CustomerNumber, EmailAddress, Language};
use app::ports::{NewCustomer, Storage};
use server::storage::SqlStore;

/// Polls `work` at most `polls` times, letting other tasks run in between, then drops it unfinished.
async fn cancel_after_polls<F: Future>(work: F, polls: usize) {
    let mut work = pin!(work);
    for _ in 0..polls {
        let progress = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx))).await;
        if progress.is_ready() {
            return;
        }
        tokio::task::yield_now().await;
    }
}

fn customer(n: u32) -> NewCustomer {
    NewCustomer {
        number: CustomerNumber::parse(&format!("C-{n:06}")).unwrap(),
        first_name: "Jeanne".into(),
        last_name: format!("Favre-{n}"),
        email: EmailAddress::parse(&format!("client{n}@exemple.ch")).unwrap(),
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

async fn a_write_cancelled_at_any_await_leaves_no_transaction_open(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let store = db.store().await;
    let start = Utc.timestamp_opt(1_790_000_000, 0).single().unwrap();
    // Where an await falls depends on the database's own threads: many writes, cancelled after a varying number of
    // polls or a varying time, reach every await of the write path.
    for n in 0..300u32 {
        let details = customer(n);
        let write =
            store.ensure_customer(&details, &[], start + chrono::Duration::seconds(n.into()));
        if n % 2 == 0 {
            cancel_after_polls(write, (n / 2 % 30) as usize).await;
        } else {
            let _ =
                tokio::time::timeout(Duration::from_micros(u64::from(n * 37 % 3000)), write).await;
        }
    }
    // Let the rollbacks of dropped transactions run, then hold every connection of the pool at once and ask each.
    tokio::time::sleep(Duration::from_millis(200)).await;
    match &store {
        SqlStore::Sqlite(pool) => {
            let mut held = Vec::new();
            for _ in 0..pool.size() {
                held.push(pool.acquire().await.unwrap());
            }
            for connection in &mut held {
                let begun = tokio::time::timeout(
                    Duration::from_secs(3),
                    sqlx::query("BEGIN IMMEDIATE").execute(&mut **connection),
                )
                .await;
                assert!(
                    matches!(begun, Ok(Ok(_))),
                    "a connection could not take the write lock: {begun:?}"
                );
                sqlx::query("ROLLBACK")
                    .execute(&mut **connection)
                    .await
                    .unwrap();
            }
        }
        SqlStore::Postgres(pool) => {
            let mut held = Vec::new();
            for _ in 0..pool.size().max(2) {
                held.push(pool.acquire().await.unwrap());
            }
            // Each held connection looks at the others: between statements, one left inside a transaction shows as
            // "idle in transaction" on the server.
            for connection in &mut held {
                let stuck: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'",
                )
                .fetch_one(&mut **connection)
                .await
                .unwrap();
                assert_eq!(stuck, 0, "pooled connections still inside a transaction");
            }
        }
    }
    // And the store still writes.
    store
        .ensure_customer(&customer(1000), &[], start)
        .await
        .expect("a write after the cancellations");
}

on_both_backends!(a_write_cancelled_at_any_await_leaves_no_transaction_open);
