//! The calling services' bearer tokens, stored hashed.

use chrono::{DateTime, Utc};

use super::rows::TokenRow;
use crate::storage::{map_error, on_pool, SqlStore};
use app::ports::{ServiceToken, StorageError};

impl SqlStore {
    pub(super) async fn create_service_token_impl(
        &self,
        name: &str,
        token_hash: &[u8],
        scopes: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        // JSON rather than a separator, so that any scope name reads back exactly.
        let scopes =
            serde_json::to_string(scopes).map_err(|error| StorageError::Internal(error.into()))?;
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO service_tokens (name, token_hash, scopes, created_at) VALUES ($1, $2, $3, $4)")
                .bind(name)
                .bind(token_hash)
                .bind(&scopes)
                .bind(now)
                .execute(pool)
                .await
                .map(drop)
        })
        .map_err(map_error)
    }

    pub(super) async fn revoke_service_token_impl(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let revoked = on_pool!(self, pool => {
            sqlx::query("UPDATE service_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(name)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(map_error)?;
        Ok(revoked == 1)
    }

    pub(super) async fn service_token_impl(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<ServiceToken>, StorageError> {
        let row: Option<TokenRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT name, scopes, created_at, revoked_at FROM service_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(pool)
                .await
        })
        .map_err(map_error)?;
        row.map(ServiceToken::try_from).transpose()
    }
}
