//! The relay misbehaving, and the server dying: a relay that is down for a while, one that answers 451 then 250,
//! one that answers 550, a server killed while it drains the outbox.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

use super::sink::{recipient, Sink};
use super::{customer_email, eventually, smtp_settings, MailDb};
use crate::support::api::free_port;
use crate::support::Backend;
use app::ports::SystemClock;

const WITHIN: Duration = Duration::from_secs(30);

async fn a_relay_down_for_a_while_gets_everything_once_when_it_comes_back(backend: Backend) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    for n in 0..5 {
        db.queue(&customer_email(n), "Outage", "body").await;
    }
    let port = free_port();
    let worker = db.worker(&smtp_settings(port));
    // Nobody listens: every message is tried, fails as unreachable and waits, still queued.
    let tried = eventually(WITHIN, || async {
        let rows = db.outbox().await;
        rows.iter().all(|row| row.3 >= 2).then_some(rows)
    })
    .await
    .expect("each message tried at least twice while the relay was down");
    assert!(tried.iter().all(|row| row.2 == "queued"), "{tried:?}");
    assert!(
        tried.iter().all(|row| row
            .4
            .as_deref()
            .is_some_and(|error| error.contains("unreachable"))),
        "{tried:?}"
    );

    let sink = Sink::start_on(port, &[]);
    let rows = db.settled(WITHIN).await;
    assert!(rows.iter().all(|row| row.2 == "sent"), "{rows:?}");
    // Nothing more arrives later: each message was delivered exactly once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    worker.stop().await;
    let messages = sink.messages();
    assert_eq!(messages.len(), 5);
    let mut per_recipient: HashMap<&str, usize> = HashMap::new();
    for message in &messages {
        *per_recipient.entry(recipient(message)).or_default() += 1;
    }
    assert!(
        per_recipient.values().all(|count| *count == 1),
        "{per_recipient:?}"
    );
}

async fn a_451_answer_is_retried_until_accepted(backend: Backend) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    db.queue("patient@example.ch", "Later", "body").await;
    let sink = Sink::start(&["--fail-first", "2"]);
    let worker = db.worker(&smtp_settings(sink.port));
    let rows = db.settled(WITHIN).await;
    worker.stop().await;
    assert_eq!(rows[0].2, "sent", "{rows:?}");
    assert_eq!(rows[0].3, 3, "two 451 answers, then 250: {rows:?}");
    assert_eq!(sink.messages().len(), 1);
}

async fn a_550_answer_dead_letters_the_message_with_the_reason(backend: Backend) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    db.queue("gone@example.ch", "Hello", "body").await;
    db.queue("here@example.ch", "Hello", "body").await;
    let sink = Sink::start(&["--reject", "gone@example.ch"]);
    let worker = db.worker(&smtp_settings(sink.port));
    let rows = db.settled(WITHIN).await;
    // The dead letter is not tried again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.stop().await;
    assert_eq!(rows[0].2, "dead", "{rows:?}");
    assert_eq!(rows[0].3, 1, "a permanent answer is not retried");
    let reason = rows[0].4.clone().unwrap_or_default();
    assert!(
        reason.contains("550") && reason.contains("no such user"),
        "{reason}"
    );
    assert_eq!(rows[1].2, "sent");
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(recipient(&messages[0]), "here@example.ch");
    assert_eq!(db.outbox().await[0].3, 1);
}

async fn a_stopped_worker_finishes_the_message_in_flight_and_gives_the_rest_back(backend: Backend) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    const TOTAL: usize = 40;
    for n in 0..TOTAL {
        db.queue(&customer_email(n as u32), "Graceful", "body")
            .await;
    }
    let sink = Sink::start(&[]);
    let settings = smtp_settings(sink.port);
    let worker = db.worker(&settings);
    sink.wait_for(3, WITHIN).await;
    worker.stop().await;
    let rows = db.outbox().await;
    let sent = rows.iter().filter(|row| row.2 == "sent").count();
    assert!(sent < TOTAL, "stopped too late to test anything");
    assert_eq!(
        sink.messages().len(),
        sent,
        "what was sent is recorded as sent, nothing more"
    );
    let sql = "SELECT COUNT(*) FROM outbox WHERE lease_owner IS NOT NULL";
    let leased: i64 = match &db.store {
        server::storage::SqlStore::Sqlite(pool) => {
            sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
        }
        server::storage::SqlStore::Postgres(pool) => {
            sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
        }
    };
    assert_eq!(leased, 0, "the rest of the batch was given back");

    // Another worker takes them at once (no lease to wait for) and nothing goes twice.
    let next = db.worker(&settings);
    let rows = db.settled(Duration::from_secs(2)).await;
    next.stop().await;
    assert!(rows.iter().all(|row| row.2 == "sent"));
    assert_eq!(sink.wait_for(TOTAL, WITHIN).await.len(), TOTAL);
}

/// The whole server (HTTP and mail worker, as `serve` runs them) on `db`, until the returned task is dropped.
async fn server(db: &MailDb, sink_port: u16) -> tokio::task::JoinHandle<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut settings = db.db.settings();
    settings.site_addr = listener.local_addr().unwrap();
    settings.mail = smtp_settings(sink_port);
    let store = db.store.clone();
    tokio::spawn(async move {
        let _ = server::serve_on(
            listener,
            store,
            Arc::new(SystemClock),
            &settings,
            std::future::pending::<()>(),
        )
        .await;
    })
}

async fn a_server_killed_mid_drain_loses_nothing(backend: Backend) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    const TOTAL: usize = 300;
    for n in 0..TOTAL {
        db.queue(&customer_email(n as u32), "Drained", "body").await;
    }
    let sink = Sink::start(&[]);
    let first = server(&db, sink.port).await;
    sink.wait_for(20, WITHIN).await;
    // Killed where it stands: its leased batch stays leased, the message in flight may or may not be recorded.
    first.abort();
    let _ = first.await;
    let rows = db.outbox().await;
    let sent_before = rows.iter().filter(|row| row.2 == "sent").count();
    assert!(
        sent_before < TOTAL,
        "the kill came too late to test anything"
    );
    assert_eq!(rows.len(), TOTAL);

    let second = server(&db, sink.port).await;
    let rows = db.settled(WITHIN).await;
    second.abort();
    let _ = second.await;
    assert!(rows.iter().all(|row| row.2 == "sent"), "{rows:?}");
    let messages = sink.wait_for(TOTAL, WITHIN).await;
    let mut per_recipient: HashMap<&str, usize> = HashMap::new();
    for message in &messages {
        *per_recipient.entry(recipient(message)).or_default() += 1;
    }
    assert_eq!(per_recipient.len(), TOTAL, "every message arrived");
    let twice = per_recipient.values().filter(|count| **count > 1).count();
    assert!(
        twice <= 1,
        "at most the message in flight goes twice: {twice}"
    );
    assert!(per_recipient.values().all(|count| *count <= 2));
}

on_both_backends!(
    a_relay_down_for_a_while_gets_everything_once_when_it_comes_back,
    a_451_answer_is_retried_until_accepted,
    a_550_answer_dead_letters_the_message_with_the_reason,
    a_stopped_worker_finishes_the_message_in_flight_and_gives_the_rest_back,
    a_server_killed_mid_drain_loses_nothing,
);
