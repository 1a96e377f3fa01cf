//! What the "my data" export covers, table by table, and the generic reading of a customer's rows.
//!
//! [`COVERAGE`] names every table of the schema that refers to a customer or an account, and says how the export
//! covers it. A test (`server/tests/it/my_data/export.rs`) lists those tables from the live schema of both databases
//! and fails when one is missing here, so a new table holding customer data cannot be left out of the export
//! unnoticed: it has to be covered, or excluded here with the reason.

use super::super::{map_error, SqlStore};
use app::ports::{CustomerId, StorageError};

/// How the export covers one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// In a section of the export built from the application's own types (named here).
    Section(&'static str),
    /// Under `tables.<name>`: the customer's rows as stored, every column but these, which hold secrets (hashes
    /// of tokens and passwords, session keys) rather than information about the customer.
    Rows { hidden: &'static [&'static str] },
    /// Not exported, for the reason given.
    Excluded(&'static str),
}

/// Every table holding data about a customer, and how the export covers it.
pub const COVERAGE: &[(&str, Coverage)] = &[
    // The customer's own row has no customer reference column; its fields are the `personal_data` section.
    ("customers", Coverage::Section("personal_data")),
    (
        "customer_field_changes",
        Coverage::Section("personal_data"),
    ),
    ("audit_log", Coverage::Section("access_log")),
    // Through the communications ledger: a transactional message's body may hold a link that still works.
    ("outbox", Coverage::Section("messages")),
    ("incident_customers", Coverage::Section("incidents")),
    ("mail_opt_outs", Coverage::Section("mail_preferences")),
    ("services", Coverage::Section("services")),
    ("data_requests", Coverage::Section("data_requests")),
    (
        "accounts",
        Coverage::Rows {
            hidden: &["password_hash", "totp_secret", "totp_last_step"],
        },
    ),
    ("support_cases", Coverage::Rows { hidden: &[] }),
    ("consent_requests", Coverage::Rows { hidden: &[] }),
    ("grants", Coverage::Rows { hidden: &[] }),
    ("security_events", Coverage::Rows { hidden: &[] }),
    (
        "sessions",
        // The id is the session's key and the handle names it; data is the session's own state.
        Coverage::Rows {
            hidden: &["id", "handle", "data"],
        },
    ),
    // When the customer was invited to set up a login and whether the link was used; the link itself is secret.
    (
        "invitations",
        Coverage::Rows {
            hidden: &["token_hash"],
        },
    ),
    (
        "email_change_confirmations",
        Coverage::Rows {
            hidden: &["token_hash"],
        },
    ),
    ("contracts", Coverage::Section("contracts")),
    ("contract_transfers", Coverage::Section("contracts")),
    ("backup_snapshots", Coverage::Rows { hidden: &[] }),
    ("charter_acknowledgements", Coverage::Rows { hidden: &[] }),
    // Aggregates of the customer's mailboxes (charter §5), folder names included: found through their service.
    ("mailbox_stats", Coverage::Rows { hidden: &[] }),
    ("mailbox_stat_folders", Coverage::Rows { hidden: &[] }),
    (
        "recovery_codes",
        Coverage::Excluded(
            "hashes of one-time sign-in codes: secrets that protect the account, not information about the \
             customer; how many remain unused is shown on /security",
        ),
    ),
    (
        "password_resets",
        Coverage::Excluded(
            "hashes of reset links: secrets; each reset request and its use is in the access log (account \
             security events)",
        ),
    ),
    (
        "disclosures",
        Coverage::Excluded(
            "court-ordered disclosures appear in the access log once the court's notification deferral ends; \
             exporting the ledger itself would reveal a deferred one early",
        ),
    ),
];

/// How the export covers `table`, if it is listed.
pub fn coverage_of(table: &str) -> Option<Coverage> {
    COVERAGE
        .iter()
        .find(|(name, _)| *name == table)
        .map(|(_, coverage)| *coverage)
}

/// Column names that refer to a customer, to one of their accounts or to one of their services; see
/// [`app::ports::MyDataStore::customer_tables`].
fn is_customer_key(column: &str) -> bool {
    column == "customer_id"
        || column == "account_id"
        || column == "service_id"
        || column == CONTRACT_KEY
        || column.ends_with("_customer_id")
}

/// A contract changes hands, so its id says whose a row is only when nothing closer does: a row that also names its
/// customer (a snapshot taken before a transfer, say) belongs to that customer, not to the contract's holder now.
const CONTRACT_KEY: &str = "contract_id";

pub(crate) fn missing_customer() -> StorageError {
    super::corrupt("customer", "does not exist")
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl SqlStore {
    pub(super) async fn customer_tables_impl(
        &self,
    ) -> Result<Vec<(String, Vec<String>)>, StorageError> {
        let columns: Vec<(String, String)> = match self {
            Self::Sqlite(pool) => sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
                 ORDER BY m.name, p.cid",
            )
            .fetch_all(pool)
            .await,
            Self::Postgres(pool) => sqlx::query_as(
                "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%' \
                 ORDER BY table_name, ordinal_position",
            )
            .fetch_all(pool)
            .await,
        }
        .map_err(map_error)?;
        let mut tables: Vec<(String, Vec<String>)> = Vec::new();
        for (table, column) in columns {
            if !is_customer_key(&column) {
                continue;
            }
            match tables.last_mut() {
                Some((name, keys)) if *name == table => keys.push(column),
                _ => tables.push((table, vec![column])),
            }
        }
        for (_, keys) in &mut tables {
            if keys.iter().any(|key| key != CONTRACT_KEY) {
                keys.retain(|key| key != CONTRACT_KEY);
            }
        }
        Ok(tables)
    }

    async fn columns_of(&self, table: &str) -> Result<Vec<String>, StorageError> {
        match self {
            Self::Sqlite(pool) => {
                sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(pool)
                    .await
            }
            Self::Postgres(pool) => sqlx::query_scalar(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(pool)
            .await,
        }
        .map_err(map_error)
    }

    pub(super) async fn customer_rows_impl(
        &self,
        table: &str,
        keys: &[&str],
        hidden: &[&str],
        customer: CustomerId,
    ) -> Result<Vec<serde_json::Value>, StorageError> {
        let columns: Vec<String> = self
            .columns_of(table)
            .await?
            .into_iter()
            .filter(|column| !hidden.contains(&column.as_str()))
            .collect();
        if columns.is_empty() || keys.is_empty() {
            return Ok(Vec::new());
        }
        let pairs = columns
            .iter()
            .map(|column| format!("'{}', {}", column.replace('\'', "''"), quoted(column)))
            .collect::<Vec<_>>()
            .join(", ");
        let filter = keys
            .iter()
            .map(|key| {
                if *key == "account_id" {
                    format!(
                        "{} IN (SELECT id FROM accounts WHERE customer_id = $1)",
                        quoted(key)
                    )
                } else if *key == CONTRACT_KEY {
                    format!(
                        "{} IN (SELECT id FROM contracts WHERE customer_id = $1)",
                        quoted(key)
                    )
                } else if *key == "service_id" {
                    format!(
                        "{} IN (SELECT id FROM services WHERE customer_id = $1)",
                        quoted(key)
                    )
                } else {
                    format!("{} = $1", quoted(key))
                }
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        let order = if columns.iter().any(|column| column == "id") {
            " ORDER BY \"id\""
        } else {
            ""
        };
        let texts: Vec<String> = match self {
            Self::Sqlite(pool) => {
                sqlx::query_scalar(&format!(
                    "SELECT json_object({pairs}) FROM {} WHERE {filter}{order}",
                    quoted(table)
                ))
                .bind(customer.0)
                .fetch_all(pool)
                .await
            }
            Self::Postgres(pool) => {
                sqlx::query_scalar(&format!(
                    "SELECT CAST(json_build_object({pairs}) AS TEXT) FROM {} WHERE {filter}{order}",
                    quoted(table)
                ))
                .bind(customer.0)
                .fetch_all(pool)
                .await
            }
        }
        .map_err(map_error)?;
        texts
            .iter()
            .map(|text| {
                serde_json::from_str(text).map_err(|_| {
                    super::corrupt("export row", "is not the JSON object the database built")
                })
            })
            .collect()
    }
}
