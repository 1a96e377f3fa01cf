//! tower-sessions' store on the portal's own database, so that every instance shares sessions and an account's
//! sessions can be listed and ended server-side.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, SessionStore},
};

use super::{map_error, on_pool, SqlStore};
use app::auth::session::{session_handle, AuthState, AUTH_KEY};

/// What the `sessions` row holds besides the record: who, from what, and until when.
struct Columns {
    handle: String,
    account: Option<i64>,
    data: String,
    user_agent: Option<String>,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

fn columns(record: &Record) -> Result<Columns, session_store::Error> {
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let auth: Option<AuthState> = record
        .data
        .get(AUTH_KEY)
        .and_then(|value| serde_json::from_value(value.clone()).ok());
    let record_expiry = DateTime::<Utc>::from_timestamp(record.expiry_date.unix_timestamp(), 0)
        .unwrap_or_else(Utc::now);
    let now = Utc::now();
    Ok(match auth {
        Some(auth) => Columns {
            handle: session_handle(&record.id.to_string()),
            account: Some(auth.account.0),
            data,
            expires_at: auth.expires_at(),
            user_agent: auth.user_agent,
            created_at: auth.created_at,
            last_seen_at: auth.last_seen_at,
        },
        None => Columns {
            handle: session_handle(&record.id.to_string()),
            account: None,
            data,
            user_agent: None,
            created_at: now,
            last_seen_at: now,
            expires_at: record_expiry,
        },
    })
}

fn backend(error: app::ports::StorageError) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

const UPDATE: &str =
    "UPDATE sessions SET account_id = $2, data = $3, user_agent = $4, last_seen_at = $5, \
                      expires_at = $6 WHERE id = $1";

const INSERT_NEW: &str = "INSERT INTO sessions (id, handle, account_id, data, user_agent, created_at, last_seen_at, \
                          expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING";

impl SqlStore {
    async fn write_session(
        &self,
        sql: &str,
        id: &str,
        columns: &Columns,
    ) -> Result<u64, session_store::Error> {
        on_pool!(self, pool => {
            sqlx::query(sql)
                .bind(id)
                .bind(&columns.handle)
                .bind(columns.account)
                .bind(&columns.data)
                .bind(columns.user_agent.as_deref())
                .bind(columns.created_at)
                .bind(columns.last_seen_at)
                .bind(columns.expires_at)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(|error| backend(map_error(error)))
    }

    /// Removes sessions past their end; run from time to time, since expired rows are never loaded anyway.
    pub async fn delete_expired_sessions(
        &self,
        now: DateTime<Utc>,
    ) -> Result<u64, app::ports::StorageError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(map_error)
    }
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits, so a collision is practically impossible; if one happens, draw again rather than
        // overwrite somebody else's session.
        loop {
            let columns = columns(record)?;
            if self
                .write_session(INSERT_NEW, &record.id.to_string(), &columns)
                .await?
                == 1
            {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Updates only: a session ended elsewhere (logout, password change, "end this session") while one of its
    /// requests was running stays ended instead of being written back by that request.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let columns = columns(record)?;
        on_pool!(self, pool => {
            sqlx::query(UPDATE)
                .bind(record.id.to_string())
                .bind(columns.account)
                .bind(&columns.data)
                .bind(columns.user_agent.as_deref())
                .bind(columns.last_seen_at)
                .bind(columns.expires_at)
                .execute(pool)
                .await
                .map(drop)
        })
        .map_err(|error| backend(map_error(error)))
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(id.to_string())
                .bind(Utc::now())
                .fetch_optional(pool)
                .await
        })
        .map_err(|error| backend(map_error(error)))?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        let data =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id.to_string()).execute(pool).await.map(drop)
        })
        .map_err(|error| backend(map_error(error)))
    }
}
