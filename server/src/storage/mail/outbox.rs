//! The outbox as the mail worker sees it. A worker leases a batch of due messages by pushing their next attempt to
//! the end of its lease: another worker (another instance) skips them until then, and takes them up again if the
//! first one dies before settling them. Settling a message is only accepted from the worker that holds its lease.

use chrono::{DateTime, Utc};

use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::domain::Language;
use app::ports::{MailKind, StorageError};

/// A queued message as a worker took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedMail {
    pub id: i64,
    pub kind: MailKind,
    pub recipient: String,
    pub language: Language,
    pub subject: String,
    /// The body of a single message; `None` for a notice's message, whose body is the notice's.
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    pub notice_id: Option<i64>,
    /// Attempts before this one.
    pub attempts: u32,
}

#[derive(sqlx::FromRow)]
struct LeasedRow {
    id: i64,
    kind: String,
    recipient: String,
    language: String,
    subject: String,
    body_text: Option<String>,
    body_html: Option<String>,
    notice_id: Option<i64>,
    attempts: i32,
}

impl TryFrom<LeasedRow> for LeasedMail {
    type Error = StorageError;

    fn try_from(row: LeasedRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: row.id,
            kind: MailKind::parse(&row.kind)?,
            recipient: row.recipient,
            language: Language::parse(&row.language)?,
            subject: row.subject,
            body_text: row.body_text,
            body_html: row.body_html,
            notice_id: row.notice_id,
            attempts: u32::try_from(row.attempts).unwrap_or_default(),
        })
    }
}

/// A notice's text and HTML in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeBody {
    pub text: String,
    pub html: String,
}

macro_rules! lease_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE outbox SET lease_owner = $1, lease_until = $2, next_attempt_at = $2 WHERE id IN (",
            "SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $3 ",
            "ORDER BY next_attempt_at, id LIMIT $4",
            $lock,
            ") RETURNING id, kind, recipient, language, subject, body_text, body_html, notice_id, attempts"
        )
    };
}

impl SqlStore {
    /// Takes up to `limit` due messages for `owner` until `lease_until`, oldest first.
    pub async fn lease_mail(
        &self,
        owner: &str,
        limit: u32,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<LeasedMail>, StorageError> {
        let limit = i64::from(limit);
        let rows: Vec<LeasedRow> = match self {
            // SQLite has one writer at a time: the immediate transaction is the lock.
            Self::Sqlite(_) => in_write_tx!(self, tx => {
                sqlx::query_as(lease_sql!(""))
                    .bind(owner)
                    .bind(lease_until)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(map_error)?
            }),
            // Concurrent workers on PostgreSQL skip the rows another one is leasing instead of waiting for them.
            Self::Postgres(pool) => sqlx::query_as(lease_sql!(" FOR UPDATE SKIP LOCKED"))
                .bind(owner)
                .bind(lease_until)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await
                .map_err(map_error)?,
        };
        let mut leased = rows
            .into_iter()
            .map(LeasedMail::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        leased.sort_by_key(|mail| mail.id);
        Ok(leased)
    }

    pub async fn notice_body(
        &self,
        notice_id: i64,
        language: Language,
    ) -> Result<Option<NoticeBody>, StorageError> {
        let row: Option<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as(match language {
                Language::Fr => "SELECT text_fr, html_fr FROM notices WHERE id = $1",
                Language::En => "SELECT text_en, html_en FROM notices WHERE id = $1",
            })
            .bind(notice_id)
            .fetch_optional(pool)
            .await
        })
        .map_err(map_error)?;
        Ok(row.map(|(text, html)| NoticeBody { text, html }))
    }

    /// Marks a leased message sent; false when `owner` no longer holds it.
    pub async fn mark_mail_sent(
        &self,
        id: i64,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        self.settle(
            "UPDATE outbox SET status = 'sent', sent_at = $3, attempts = attempts + 1, last_error = $4, \
             lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 AND status = 'queued'",
            id,
            owner,
            now,
            None,
        )
        .await
    }

    /// A transient failure: the message is due again at `next_attempt_at`, with the reason kept.
    pub async fn retry_mail_later(
        &self,
        id: i64,
        owner: &str,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<bool, StorageError> {
        self.settle(
            "UPDATE outbox SET next_attempt_at = $3, attempts = attempts + 1, last_error = $4, \
             lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 AND status = 'queued'",
            id,
            owner,
            next_attempt_at,
            Some(error),
        )
        .await
    }

    /// A permanent failure: the message is dead-lettered with its reason and never tried again.
    pub async fn mark_mail_dead(
        &self,
        id: i64,
        owner: &str,
        now: DateTime<Utc>,
        reason: &str,
    ) -> Result<bool, StorageError> {
        self.settle(
            "UPDATE outbox SET status = 'dead', next_attempt_at = $3, attempts = attempts + 1, last_error = $4, \
             lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 AND status = 'queued'",
            id,
            owner,
            now,
            Some(reason),
        )
        .await
    }

    /// Gives a leased message back untried (a worker stopping), due at once for any worker.
    pub async fn release_mail(
        &self,
        id: i64,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        self.settle(
            "UPDATE outbox SET next_attempt_at = $3, last_error = COALESCE($4, last_error), lease_owner = NULL, \
             lease_until = NULL WHERE id = $1 AND lease_owner = $2 AND status = 'queued'",
            id,
            owner,
            now,
            None,
        )
        .await
    }

    async fn settle(
        &self,
        sql: &'static str,
        id: i64,
        owner: &str,
        at: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<bool, StorageError> {
        let error = error.map(truncated);
        let changed = in_write_tx!(self, tx => {
            sqlx::query(sql)
                .bind(id)
                .bind(owner)
                .bind(at)
                .bind(error.as_deref())
                .execute(&mut *tx)
                .await
                .map_err(map_error)?
                .rows_affected()
        });
        Ok(changed == 1)
    }
}

/// Reasons are kept for people to read; an SMTP server's answer is not allowed to fill the database.
fn truncated(reason: &str) -> String {
    reason.chars().take(500).collect()
}
