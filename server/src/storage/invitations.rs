//! Invitations to choose a password, stored as their token's hash.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::audit::{append_audit, AuditValues};
use super::{in_write_tx, insert_mail, map_error, SqlStore};
use app::ports::{
    AccountId, AuditEntry, CustomerId, Invitation, InvitationStore, OutgoingMail, StorageError,
};

#[async_trait]
impl InvitationStore for SqlStore {
    async fn create_invitation(
        &self,
        customer: CustomerId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &OutgoingMail,
        audit: &AuditEntry,
    ) -> Result<Invitation, StorageError> {
        let now = audit.at;
        Ok(in_write_tx!(self, tx => {
            let has_login: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE customer_id = $1")
                .bind(customer.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
            if has_login.is_some() {
                Invitation::HasLogin
            } else {
                sqlx::query(
                    "UPDATE invitations SET superseded_at = $1 \
                     WHERE customer_id = $2 AND used_at IS NULL AND superseded_at IS NULL",
                )
                .bind(now)
                .bind(customer.0)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
                sqlx::query(
                    "INSERT INTO invitations (token_hash, customer_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(token_hash)
                .bind(customer.0)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
                insert_mail!(&mut *tx, mail, now);
                append_audit!(tx, [AuditValues::of(audit)]);
                Invitation::Sent
            }
        }))
    }

    async fn accept_invitation(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountId>, StorageError> {
        Ok(in_write_tx!(self, tx => {
            let customer: Option<i64> = sqlx::query_scalar(
                "UPDATE invitations SET used_at = $1 \
                 WHERE token_hash = $2 AND used_at IS NULL AND superseded_at IS NULL AND expires_at > $1 \
                 AND NOT EXISTS (SELECT 1 FROM accounts WHERE accounts.customer_id = invitations.customer_id) \
                 RETURNING customer_id",
            )
            .bind(now)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            match customer {
                Some(customer) => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO accounts (customer_id, email, password_hash, created_at, updated_at) \
                         SELECT id, email, $2, $3, $3 FROM customers WHERE id = $1 RETURNING id",
                    )
                    .bind(customer)
                    .bind(password_hash)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_error)?;
                    Some(AccountId(id))
                }
                None => None,
            }
        }))
    }
}
