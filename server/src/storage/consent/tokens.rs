//! The calling services' bearer tokens, stored hashed.

use chrono::{DateTime, Utc};

use super::rows::TokenRow;
use crate::storage::audit::{append_audit, AuditValues};
use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::ports::{AuditEntry, ServiceToken, StorageError};

impl SqlStore {
    pub(super) async fn create_service_token_impl(
        &self,
        name: &str,
        token_hash: &[u8],
        scopes: &[String],
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        // JSON rather than a separator, so that any scope name reads back exactly.
        let scopes =
            serde_json::to_string(scopes).map_err(|error| StorageError::Internal(error.into()))?;
        in_write_tx!(self, tx => {
            sqlx::query("INSERT INTO service_tokens (name, token_hash, scopes, created_at) VALUES ($1, $2, $3, $4)")
                .bind(name)
                .bind(token_hash)
                .bind(&scopes)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            append_audit!(tx, [AuditValues::of(audit)]);
        });
        Ok(())
    }

    pub(super) async fn revoke_service_token_impl(
        &self,
        name: &str,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let revoked = sqlx::query(
                "UPDATE service_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?
            .rows_affected();
            if revoked == 1 {
                append_audit!(tx, [AuditValues::of(audit)]);
            }
            revoked == 1
        }))
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
