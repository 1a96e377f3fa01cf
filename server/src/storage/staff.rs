use chrono::{DateTime, Utc};

use super::rows::StaffRow;
use super::{in_write_tx, map_error, on_pool, SqlStore};
use app::domain::{EmailAddress, Role};
use app::ports::{NewStaff, StaffId, StaffMember, StorageError};

impl SqlStore {
    pub(super) async fn ensure_staff_impl(
        &self,
        staff: &NewStaff,
        now: DateTime<Utc>,
    ) -> Result<StaffId, StorageError> {
        Ok(in_write_tx!(self, tx => {
            sqlx::query(
                "INSERT INTO staff (email, display_name, created_at, updated_at) VALUES ($1, $2, $3, $3) \
                 ON CONFLICT (email) DO NOTHING",
            )
            .bind(staff.email.as_str())
            .bind(&staff.display_name)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
            let id: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE email = $1")
                .bind(staff.email.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(map_error)?;
            for role in &staff.roles {
                sqlx::query(
                    "INSERT INTO staff_roles (staff_id, role, granted_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (staff_id, role) DO NOTHING",
                )
                .bind(id)
                .bind(role.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            }
            StaffId(id)
        }))
    }

    pub(super) async fn staff_by_email_impl(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<StaffMember>, StorageError> {
        let found: Option<(StaffRow, Vec<String>)> = on_pool!(self, pool => {
            let row: Option<StaffRow> =
                sqlx::query_as("SELECT id, email, display_name, created_at, answer_mail FROM staff WHERE email = $1")
                    .bind(email.as_str())
                    .fetch_optional(pool)
                    .await
                    .map_err(map_error)?;
            match row {
                None => None,
                Some(row) => {
                    let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM staff_roles WHERE staff_id = $1")
                        .bind(row.id().0)
                        .fetch_all(pool)
                        .await
                        .map_err(map_error)?;
                    Some((row, roles))
                }
            }
        });
        found.map(|(row, roles)| row.with_roles(roles)).transpose()
    }

    pub(super) async fn staff_member_impl(
        &self,
        id: StaffId,
    ) -> Result<Option<StaffMember>, StorageError> {
        let email: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT email FROM staff WHERE id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await
        })
        .map_err(map_error)?;
        match email {
            None => Ok(None),
            Some(email) => {
                self.staff_by_email_impl(&EmailAddress::parse(&email)?)
                    .await
            }
        }
    }

    pub(super) async fn set_answer_mail_impl(
        &self,
        staff: StaffId,
        on: bool,
    ) -> Result<(), StorageError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE staff SET answer_mail = $1 WHERE id = $2")
                .bind(on)
                .bind(staff.0)
                .execute(pool)
                .await
                .map(drop)
        })
        .map_err(map_error)
    }

    pub(super) async fn staff_roles_impl(&self, staff: StaffId) -> Result<Vec<Role>, StorageError> {
        let names: Vec<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT role FROM staff_roles WHERE staff_id = $1 ORDER BY role")
                .bind(staff.0)
                .fetch_all(pool)
                .await
        })
        .map_err(map_error)?;
        let mut roles = names
            .iter()
            .map(|name| Role::parse(name))
            .collect::<Result<Vec<_>, _>>()?;
        roles.sort_unstable();
        Ok(roles)
    }
}
