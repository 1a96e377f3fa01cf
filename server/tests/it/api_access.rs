//! The integration API's access decisions, reports and consent requests over HTTP, with service tokens, on both
//! databases; and the token commands of the admin CLI.

mod cases;
mod checks;
mod reports;
mod requests;
mod service_tokens;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::support::api::{
    api_app, error_code, resource, server_command, ApiApp, BACKUP_SPACE, CUSTOMER, MAILBOX,
    OFFICER, OTHER_CUSTOMER, OTHER_MAILBOX, SUPPORT, SYSADMIN, WEB_SPACE,
};
use crate::support::{Backend, TestDb};
use app::domain::consent::{Action, DenyRule, RequestStateKind};
use app::domain::AuditEvent;
use app::ports::{Actor, AuditBasis, ConsentStore, EventSource};
use server::storage::SqlStore;
use server::tokens::{self, Scope};
