use secrecy::SecretString;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AuditSettings {
    /// `PORTAL_AUDIT_SIGNING_KEY`: the Ed25519 key that signs checkpoints, as the base64 of its 32-byte seed.
    pub audit_signing_key: Option<SecretString>,
    /// `PORTAL_AUDIT_SIGNING_KEY_FILE`: a file holding that base64 seed instead. With neither set, a key is made
    /// on first start in `<data dir>/audit-signing.key` (readable by the portal's user only).
    pub audit_signing_key_file: Option<PathBuf>,
    /// `PORTAL_AUDIT_CHECKPOINT_PATH`: where signed checkpoints are appended, one JSON line each, outside the
    /// database. Default `<data dir>/audit-checkpoints.jsonl`.
    pub audit_checkpoint_path: Option<PathBuf>,
    /// `PORTAL_AUDIT_LOG_ORIGIN`: the log's name in its signed checkpoints (their first line and the signature's
    /// key name), a schema-less URL. Default: the public address's host followed by `/audit-log`. Keep it once
    /// checkpoints are published: verifiers compare it.
    pub audit_log_origin: Option<String>,
    /// How often a checkpoint is signed while entries arrive (at most 60: the charter's "every minute").
    pub audit_checkpoint_secs: u64,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            audit_signing_key: None,
            audit_signing_key_file: None,
            audit_checkpoint_path: None,
            audit_log_origin: None,
            audit_checkpoint_secs: 60,
        }
    }
}

impl AuditSettings {
    pub fn checkpoint_path(&self, data_dir: &Path) -> PathBuf {
        self.audit_checkpoint_path
            .clone()
            .unwrap_or_else(|| data_dir.join("audit-checkpoints.jsonl"))
    }

    pub fn key_file(&self, data_dir: &Path) -> PathBuf {
        self.audit_signing_key_file
            .clone()
            .unwrap_or_else(|| data_dir.join("audit-signing.key"))
    }

    pub fn log_origin(&self) -> String {
        self.audit_log_origin
            .clone()
            .unwrap_or_else(|| "localhost/audit-log".to_owned())
    }

    /// The default origin for a portal reached at `public_origin` (`scheme://host[:port]`).
    pub fn default_origin_for(public_origin: &str) -> String {
        let host = public_origin
            .split_once("://")
            .map_or(public_origin, |(_, rest)| rest);
        format!("{host}/audit-log")
    }

    /// The setting that is wrong, and why.
    pub fn validate(&self) -> Result<(), (&'static str, &'static str)> {
        if !(1..=60).contains(&self.audit_checkpoint_secs) {
            return Err(("audit_checkpoint_secs", "must be between 1 and 60 seconds"));
        }
        if self.audit_log_origin.as_deref().is_some_and(|origin| {
            origin.is_empty()
                || origin
                    .chars()
                    .any(|c| c.is_whitespace() || c == '+' || c.is_control())
        }) {
            return Err((
                "audit_log_origin",
                "must be non-empty, without spaces or '+'",
            ));
        }
        Ok(())
    }
}
