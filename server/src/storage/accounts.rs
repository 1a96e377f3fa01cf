use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use super::audit::{append_audit, AuditValues};
use super::{in_write_tx, insert_mail, map_error, on_pool, SqlStore};
use app::domain::{AuditEvent, EmailAddress, Language, Role, SecurityEventKind};
use app::ports::{
    Account, AccountId, AccountStore, Actor, AuditBasis, AuditEntry, CustomerId, EndSessions,
    EventSource, NewAccount, Outcome, OutgoingMail, Principal, SecurityEvent, SessionSummary,
    StaffId, StorageError,
};

/// Failures older than this no longer count towards a throttle delay.
const THROTTLE_MEMORY_MINUTES: i64 = 15;

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    customer_id: Option<i64>,
    staff_id: Option<i64>,
    email: String,
    password_hash: String,
    totp_secret: Option<String>,
    totp_last_step: Option<i64>,
    disabled_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl TryFrom<AccountRow> for Account {
    type Error = StorageError;

    fn try_from(row: AccountRow) -> Result<Self, Self::Error> {
        let principal = match (row.customer_id, row.staff_id) {
            (Some(customer), None) => Principal::Customer(CustomerId(customer)),
            (None, Some(staff)) => Principal::Staff(StaffId(staff)),
            _ => {
                return Err(StorageError::Corrupt(app::domain::InvalidInput::new(
                    "account",
                    "has no single principal",
                )))
            }
        };
        Ok(Self {
            id: AccountId(row.id),
            principal,
            email: EmailAddress::parse(&row.email)?,
            password_hash: row.password_hash,
            totp_secret: row.totp_secret,
            totp_last_step: row.totp_last_step,
            disabled_at: row.disabled_at,
            created_at: row.created_at,
        })
    }
}

const ACCOUNT_COLUMNS: &str =
    "a.id, a.customer_id, a.staff_id, a.email, a.password_hash, a.totp_secret, \
                               a.totp_last_step, a.disabled_at, a.created_at";

/// An account with the customer or staff member it signs in as, for what is said of the person.
const ACCOUNT_AND_PERSON: &str = "accounts a LEFT JOIN customers c ON c.id = a.customer_id \
                                  LEFT JOIN staff s ON s.id = a.staff_id";

/// The name a person is greeted by: a customer's first and last name, a staff member's display name, else the email.
const DISPLAY_NAME: &str = "COALESCE(c.first_name || ' ' || c.last_name, s.display_name, a.email)";

#[derive(sqlx::FromRow)]
struct NamedAccountRow {
    #[sqlx(flatten)]
    account: AccountRow,
    display_name: String,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    occurred_at: DateTime<Utc>,
    event_code: i32,
    account_id: Option<i64>,
    email: Option<String>,
    client_ip: Option<String>,
    detail: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    handle: String,
    user_agent: Option<String>,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

/// An id no session has, so that `id <> $n` keeps every session.
fn kept_session(end: EndSessions<'_>) -> &str {
    match end {
        EndSessions::All => "",
        EndSessions::AllBut(id) => id,
    }
}

const END_SESSIONS: &str = "DELETE FROM sessions WHERE account_id = $1 AND id <> $2";

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_account(
        &self,
        account: &NewAccount,
        now: DateTime<Utc>,
    ) -> Result<AccountId, StorageError> {
        let (customer, staff) = match account.principal {
            Principal::Customer(id) => (Some(id.0), None),
            Principal::Staff(id) => (None, Some(id.0)),
        };
        let id: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO accounts (customer_id, staff_id, email, password_hash, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(customer)
            .bind(staff)
            .bind(account.email.as_str())
            .bind(&account.password_hash)
            .bind(now)
            .fetch_one(pool)
            .await
        })
        .map_err(map_error)?;
        Ok(AccountId(id))
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, StorageError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = $1");
        let row: Option<AccountRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await)
                .map_err(map_error)?;
        row.map(Account::try_from).transpose()
    }

    async fn account_by_email(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<Account>, StorageError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.email = $1");
        let row: Option<AccountRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(email.as_str()).fetch_optional(pool).await)
                .map_err(map_error)?;
        row.map(Account::try_from).transpose()
    }

    async fn account_with_name(
        &self,
        id: AccountId,
    ) -> Result<Option<(Account, String)>, StorageError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, {DISPLAY_NAME} AS display_name FROM {ACCOUNT_AND_PERSON} WHERE a.id = $1"
        );
        let row: Option<NamedAccountRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await)
                .map_err(map_error)?;
        row.map(|row| Ok((Account::try_from(row.account)?, row.display_name)))
            .transpose()
    }

    async fn account_profile(
        &self,
        id: AccountId,
    ) -> Result<Option<(String, Language)>, StorageError> {
        let sql = format!(
            "SELECT {DISPLAY_NAME}, COALESCE(c.language, 'fr') FROM {ACCOUNT_AND_PERSON} WHERE a.id = $1"
        );
        let row: Option<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await
        })
        .map_err(map_error)?;
        row.map(|(name, language)| Ok((name, Language::parse(&language)?)))
            .transpose()
    }

    async fn set_password_hash(
        &self,
        id: AccountId,
        hash: &str,
        end: Option<EndSessions<'_>>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(hash)
                .bind(now)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            if let Some(end) = end {
                sqlx::query(END_SESSIONS).bind(id.0).bind(kept_session(end)).execute(&mut *tx).await.map_err(map_error)?;
            }
        });
        Ok(())
    }

    async fn set_second_factor(
        &self,
        id: AccountId,
        secret: Option<&str>,
        accepted_step: Option<i64>,
        recovery_code_hashes: &[String],
        end: EndSessions<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE accounts SET totp_secret = $1, totp_last_step = $2, updated_at = $3 WHERE id = $4")
                .bind(secret)
                .bind(accepted_step)
                .bind(now)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            for hash in recovery_code_hashes {
                sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
                    .bind(id.0)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_error)?;
            }
            sqlx::query(END_SESSIONS).bind(id.0).bind(kept_session(end)).execute(&mut *tx).await.map_err(map_error)?;
        });
        Ok(())
    }

    async fn use_totp_step(&self, id: AccountId, step: i64) -> Result<bool, StorageError> {
        // One conditional UPDATE: two requests racing with the same code cannot both see it as unused.
        let updated = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE accounts SET totp_last_step = $1 WHERE id = $2 \
                 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            )
            .bind(step)
            .bind(id.0)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(map_error)?;
        Ok(updated == 1)
    }

    async fn use_recovery_code(
        &self,
        id: AccountId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let updated = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
            )
            .bind(now)
            .bind(id.0)
            .bind(code_hash)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(map_error)?;
        Ok(updated == 1)
    }

    async fn unused_recovery_codes(&self, id: AccountId) -> Result<u32, StorageError> {
        let count: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL")
                .bind(id.0)
                .fetch_one(pool)
                .await
        })
        .map_err(map_error)?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn disable_account(&self, id: AccountId, now: DateTime<Utc>) -> Result<(), StorageError> {
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE accounts SET disabled_at = $1, updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            sqlx::query(END_SESSIONS).bind(id.0).bind("").execute(&mut *tx).await.map_err(map_error)?;
        });
        Ok(())
    }

    async fn throttle(&self, key: &str) -> Result<Option<(u32, DateTime<Utc>)>, StorageError> {
        let row: Option<(i32, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT failures, last_failure_at FROM login_throttle WHERE throttle_key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await
        })
        .map_err(map_error)?;
        Ok(row.map(|(failures, last)| (u32::try_from(failures).unwrap_or(0), last)))
    }

    async fn record_throttle_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let forget_before = now - Duration::minutes(THROTTLE_MEMORY_MINUTES);
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO login_throttle (throttle_key, failures, last_failure_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (throttle_key) DO UPDATE SET \
                 failures = CASE WHEN login_throttle.last_failure_at < $3 THEN 1 ELSE login_throttle.failures + 1 END, \
                 last_failure_at = excluded.last_failure_at",
            )
            .bind(key)
            .bind(now)
            .bind(forget_before)
            .execute(pool)
            .await
            .map(drop)
        })
        .map_err(map_error)
    }

    async fn clear_throttle(&self, key: &str) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1").bind(key).execute(pool).await.map(drop)
        })
        .map_err(map_error)
    }

    async fn create_password_reset(
        &self,
        id: AccountId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        in_write_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(id.0)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            insert_mail!(&mut *tx, mail, now);
        });
        Ok(())
    }

    async fn complete_password_reset(
        &self,
        token_hash: &str,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountId>, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let account: Option<i64> = sqlx::query_scalar(
                "UPDATE password_resets SET used_at = $1 \
                 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING account_id",
            )
            .bind(now)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            if let Some(account) = account {
                sqlx::query("UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3")
                    .bind(new_hash)
                    .bind(now)
                    .bind(account)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_error)?;
                sqlx::query(END_SESSIONS).bind(account).bind("").execute(&mut *tx).await.map_err(map_error)?;
            }
            account.map(AccountId)
        }))
    }

    async fn queue_mail(
        &self,
        mail: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => { insert_mail!(pool, mail, now); });
        Ok(())
    }

    async fn record_security_event(&self, event: &SecurityEvent) -> Result<(), StorageError> {
        in_write_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO security_events (occurred_at, event_code, account_id, email, client_ip, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(event.at)
            .bind(event.kind.code())
            .bind(event.account.map(|id| id.0))
            .bind(event.email.as_deref())
            .bind(event.client_ip.as_deref())
            .bind(event.detail.as_deref())
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            let holder: Option<(Option<i64>, Option<i64>)> = match event.account {
                Some(account) => sqlx::query_as("SELECT customer_id, staff_id FROM accounts WHERE id = $1")
                    .bind(account.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_error)?,
                None => None,
            };
            let actor = match holder {
                Some((Some(customer), _)) => Actor::Customer { id: CustomerId(customer) },
                Some((None, Some(staff))) => {
                    let roles: Vec<String> =
                        sqlx::query_scalar("SELECT role FROM staff_roles WHERE staff_id = $1 ORDER BY role")
                            .bind(staff)
                            .fetch_all(&mut *tx)
                            .await
                            .map_err(map_error)?;
                    let roles = roles.iter().map(|role| Role::parse(role)).collect::<Result<Vec<_>, _>>()?;
                    Actor::Staff { id: StaffId(staff), roles }
                }
                _ => Actor::Unidentified,
            };
            let entry = security_audit_entry(event, actor);
            append_audit!(tx, [AuditValues::of(&entry)]);
        });
        Ok(())
    }

    async fn security_events(
        &self,
        id: AccountId,
        limit: u32,
    ) -> Result<Vec<SecurityEvent>, StorageError> {
        let rows: Vec<EventRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT occurred_at, event_code, account_id, email, client_ip, detail FROM security_events \
                 WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(id.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        rows.into_iter()
            .map(|row| {
                let kind = SecurityEventKind::from_code(row.event_code).ok_or_else(|| {
                    StorageError::Corrupt(app::domain::InvalidInput::new(
                        "security event",
                        "has an unknown code",
                    ))
                })?;
                Ok(SecurityEvent {
                    kind,
                    at: row.occurred_at,
                    account: row.account_id.map(AccountId),
                    email: row.email,
                    client_ip: row.client_ip,
                    detail: row.detail,
                })
            })
            .collect()
    }

    async fn sessions_of(
        &self,
        id: AccountId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionSummary>, StorageError> {
        let rows: Vec<SessionRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT handle, user_agent, created_at, last_seen_at FROM sessions \
                 WHERE account_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC",
            )
            .bind(id.0)
            .bind(now)
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)?;
        Ok(rows
            .into_iter()
            .map(|row| SessionSummary {
                handle: row.handle,
                user_agent: row.user_agent,
                created_at: row.created_at,
                last_seen_at: row.last_seen_at,
            })
            .collect())
    }

    async fn end_session(&self, id: AccountId, handle: &str) -> Result<bool, StorageError> {
        let deleted = on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND handle = $2")
                .bind(id.0)
                .bind(handle)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(map_error)?;
        Ok(deleted == 1)
    }
}

/// The audit log's copy of an account security event: about the account holder, who is the subject when a
/// customer; the address it came from is kept in the detail, which the customer reads in their log.
fn security_audit_entry(event: &SecurityEvent, actor: Actor) -> AuditEntry {
    let customer = match &actor {
        Actor::Customer { id } => Some(*id),
        _ => None,
    };
    let outcome = if event.kind.is_refusal() {
        Outcome::Denied
    } else {
        Outcome::Allowed
    };
    let detail = match (&event.client_ip, &event.detail) {
        (Some(ip), Some(detail)) => Some(app::log_detail!("{detail} (ip {ip})")),
        (Some(ip), None) => Some(app::log_detail!("ip {ip}")),
        (None, detail) => detail.clone(),
    };
    AuditEntry {
        at: event.at,
        event: AuditEvent::Account(event.kind),
        actor,
        customer,
        resource: None,
        action: None,
        basis: AuditBasis::AccountSecurity(outcome),
        source: EventSource::Portal,
        detail,
    }
}
