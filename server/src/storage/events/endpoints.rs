//! Webhook endpoints, registered by a calling service for itself.

use chrono::{DateTime, Utc};

use crate::storage::audit::{append_audit, AuditValues};
use crate::storage::{in_write_tx, map_error, on_pool, SqlStore};
use app::ports::{AuditEntry, StorageError};

/// An endpoint as its service sees it (never with its secret, which is shown once).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub service: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
}

impl SqlStore {
    /// Registers an endpoint; it receives the events written from now on.
    pub async fn add_webhook_endpoint(
        &self,
        service: &str,
        url: &str,
        secret: &str,
        audit: &AuditEntry,
    ) -> Result<WebhookEndpoint, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let endpoint: WebhookEndpoint = sqlx::query_as(
                "INSERT INTO webhook_endpoints (service, url, secret, created_at) VALUES ($1, $2, $3, $4) \
                 RETURNING id, service, url, created_at",
            )
            .bind(service)
            .bind(url)
            .bind(secret)
            .bind(audit.at)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
            append_audit!(tx, [AuditValues::of(audit)]);
            endpoint
        }))
    }

    /// The service's live endpoints, oldest first.
    pub async fn webhook_endpoints_of(
        &self,
        service: &str,
    ) -> Result<Vec<WebhookEndpoint>, StorageError> {
        on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, service, url, created_at FROM webhook_endpoints \
                 WHERE service = $1 AND removed_at IS NULL ORDER BY id",
            )
            .bind(service)
            .fetch_all(pool)
            .await
        })
        .map_err(map_error)
    }

    /// Removes one of the service's live endpoints and cancels what was still queued for it; false (writing
    /// nothing) when the service has no such live endpoint.
    pub async fn remove_webhook_endpoint(
        &self,
        service: &str,
        id: i64,
        audit: &AuditEntry,
    ) -> Result<bool, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let removed = sqlx::query(
                "UPDATE webhook_endpoints SET removed_at = $1 WHERE id = $2 AND service = $3 AND removed_at IS NULL",
            )
            .bind(audit.at)
            .bind(id)
            .bind(service)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?
            .rows_affected();
            if removed == 1 {
                sqlx::query(
                    "UPDATE webhook_deliveries SET status = 'cancelled', lease_owner = NULL, lease_until = NULL \
                     WHERE endpoint_id = $1 AND status = 'queued'",
                )
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
                append_audit!(tx, [AuditValues::of(audit)]);
            }
            removed == 1
        }))
    }
}
