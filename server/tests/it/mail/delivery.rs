//! Messages as the sink receives them: multipart, in each customer's language, a Message-ID from the outbox id,
//! line endings a strict server accepts, no injected header; `.eml` files when no relay is configured; several
//! workers sharing one outbox.

use std::collections::HashSet;
use std::time::Duration;

use super::sink::{recipient, Sink};
use super::{customer_email, smtp_settings, MailDb};
use crate::support::Backend;
use app::ports::{MailStatus, MailStore};
use app::usecases::notices::enqueue_terms_change_notice;
use server::mail::MailSettings;

const WITHIN: Duration = Duration::from_secs(20);

async fn messages_reach_the_sink_once_each_as_multipart_in_each_customers_language(
    backend: Backend,
) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    let french = db.customer(1).await;
    db.customer(2).await;
    let queued = enqueue_terms_change_notice(
        &db.store,
        "2027-01",
        "Retention <b>shortened</b> & clarified",
        "http://portal.example",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(queued, 2);
    // A lone CR and a line holding only a dot: the body is normalised and dot-stuffed, and a strict server (the
    // sink refuses bare CR or LF with 554) takes it.
    db.queue(
        &customer_email(1),
        "Security notice",
        "Line one\rline two\n.\nend",
    )
    .await;
    let sink = Sink::start(&[]);
    let worker = db.worker(&smtp_settings(sink.port));

    let rows = db.settled(WITHIN).await;
    worker.stop().await;
    assert!(rows.iter().all(|row| row.2 == "sent"), "{rows:?}");
    let messages = sink.wait_for(3, WITHIN).await;
    assert_eq!(messages.len(), 3, "each message exactly once");
    for (id, to, ..) in &rows {
        let message = messages
            .iter()
            .find(|message| message.contains(&format!("Message-ID: <outbox-{id}@portal.example>")))
            .unwrap_or_else(|| panic!("no message with the Message-ID of outbox row {id}"));
        assert_eq!(recipient(message), to);
        assert!(message.contains("multipart/alternative"), "{message}");
        assert!(message.contains("text/plain") && message.contains("text/html"));
    }
    let to = |email: &str| {
        messages
            .iter()
            .find(|message| recipient(message) == email && message.contains("2027-01"))
            .cloned()
            .unwrap()
    };
    let french_notice = to(&customer_email(1));
    assert!(french_notice.contains("Bonjour"), "{french_notice}");
    assert!(!french_notice.contains("Hello"));
    let english_notice = to(&customer_email(2));
    assert!(english_notice.contains("Hello"), "{english_notice}");
    assert!(
        english_notice.contains("&lt;b&gt;shortened&lt;/b&gt; &amp; clarified"),
        "user data is escaped in the HTML part: {english_notice}"
    );
    assert!(english_notice.contains("Retention <b>shortened</b> & clarified"));

    let ledger = db.store.ledger_of(french).await.unwrap();
    assert_eq!(
        ledger.len(),
        1,
        "the security notice had no customer: {ledger:?}"
    );
    assert_eq!(ledger[0].status, MailStatus::Sent);
    assert!(ledger[0].sent_at.is_some());
    assert!(ledger[0]
        .body_text
        .as_deref()
        .is_some_and(|body| body.contains("2027-01")));
}

async fn without_an_smtp_relay_messages_become_eml_files(backend: Backend) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    db.queue(
        "someone@example.ch",
        "Sign-in address changed",
        "Hello,\n\nIt changed.\n",
    )
    .await;
    let settings = MailSettings {
        mail_poll_millis: 50,
        ..MailSettings::default()
    };
    let worker = db.worker(&settings);
    let rows = db.settled(WITHIN).await;
    worker.stop().await;
    assert_eq!(rows[0].2, "sent", "{rows:?}");
    let file = db
        .db
        .data_dir
        .path()
        .join("mail")
        .join(format!("outbox-{:08}.eml", rows[0].0));
    let message =
        std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("{} missing", file.display()));
    assert!(
        message.contains("Subject: Sign-in address changed"),
        "{message}"
    );
    assert!(message.contains("To: someone@example.ch"));
    assert!(message.contains(&format!("Message-ID: <outbox-{}@localhost>", rows[0].0)));
    assert!(message.contains("multipart/alternative"));
}

async fn a_header_injection_is_refused_and_dead_lettered(backend: Backend) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    db.queue(
        "victim@example.ch",
        "Hello\r\nBcc: everyone@example.ch",
        "body",
    )
    .await;
    db.queue("fine@example.ch", "Hello", "body").await;
    let sink = Sink::start(&[]);
    let worker = db.worker(&smtp_settings(sink.port));
    let rows = db.settled(WITHIN).await;
    worker.stop().await;
    assert_eq!(rows[0].2, "dead", "{rows:?}");
    assert!(
        rows[0]
            .4
            .as_deref()
            .is_some_and(|error| error.contains("refused") && error.contains("Subject")),
        "{rows:?}"
    );
    assert_eq!(rows[1].2, "sent");
    let messages = sink.wait_for(1, WITHIN).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(recipient(&messages[0]), "fine@example.ch");
    assert!(!messages[0].contains("everyone@example.ch"));
}

async fn two_workers_share_the_outbox_without_sending_twice(backend: Backend) {
    let Some(db) = MailDb::create(backend).await else {
        return;
    };
    for n in 0..60 {
        db.queue(&customer_email(n), "Shared", "body").await;
    }
    let sink = Sink::start(&[]);
    let settings = smtp_settings(sink.port);
    let (first, second) = (db.worker(&settings), db.worker(&settings));
    let rows = db.settled(WITHIN).await;
    first.stop().await;
    second.stop().await;
    assert!(rows.iter().all(|row| row.2 == "sent"), "{rows:?}");
    let messages = sink.wait_for(60, WITHIN).await;
    assert_eq!(messages.len(), 60, "no message twice");
    let recipients: HashSet<&str> = messages.iter().map(|message| recipient(message)).collect();
    assert_eq!(recipients.len(), 60);
}

on_both_backends!(
    messages_reach_the_sink_once_each_as_multipart_in_each_customers_language,
    without_an_smtp_relay_messages_become_eml_files,
    a_header_injection_is_refused_and_dead_lettered,
    two_workers_share_the_outbox_without_sending_twice,
);
