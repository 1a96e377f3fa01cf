use clap::{Parser, Subcommand};

use crate::tokens::Scope;

/// The privacy portal: the place where the operator's privacy charter is kept and can be checked.
///
/// Configuration comes from the environment (DATABASE_URL, PORTAL_DATA_DIR, LEPTOS_SITE_ADDR, …) and from the
/// optional TOML file named by PORTAL_CONFIG; see README.md.
#[derive(Debug, Parser)]
#[command(name = "server", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal: apply pending migrations, then serve HTTP until SIGTERM or Ctrl-C (the default).
    Serve,
    /// Apply pending database migrations and exit. Safe to run repeatedly and while other instances serve.
    Migrate,
    /// Create the demo customers, staff, services and sign-in accounts if they are missing (see README.md for their
    /// passwords and second-factor secrets). Running it again changes nothing.
    SeedDemo,
    /// Disable a sign-in account at once: it can no longer sign in and all its sessions end.
    DisableUser {
        #[arg(long)]
        email: String,
    },
    /// Create a sign-in account, reading its password from the first line of standard input.
    ///
    /// `--role customer` gives a login to the existing customer with that email; staff roles (support, sysadmin,
    /// privacy-officer; repeat --role for several) create the staff member too. Staff enrol their second factor at
    /// first sign-in.
    CreateUser {
        #[arg(long = "role", required = true, value_name = "ROLE")]
        roles: Vec<String>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Create a bearer token for a service of the operator's infrastructure that calls the integration API
    /// (/api/v1). The token is printed once, alone on the last line of standard output; only its hash is stored.
    CreateServiceToken {
        /// The calling service, as the audit log will name it: lower-case letters, digits, '-', '_' or '.'.
        #[arg(long)]
        name: String,
        /// Comma-separated: access-checks, access-events, consent-requests, mailbox-stats, backups, directory, support-cases, events, metrics.
        #[arg(long, required = true, value_delimiter = ',', value_parser = Scope::parse)]
        scopes: Vec<Scope>,
    },
    /// Recompute the audit log's hash chain and check it against the signed checkpoints. Exits 0 when intact;
    /// otherwise prints the first bad entry and exits non-zero. Reads only (it records the outcome it found).
    AuditVerify {
        /// Hex of the Ed25519 public key the checkpoints must be signed with; default: the configured key's.
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
    },
    /// Check an access-log export (`access-log.json`) without the portal or its database: the checkpoint's
    /// signatures, every entry's hash and inclusion proof, that each entry's readable fields say what was hashed,
    /// and the seal over the list of entries. With a checkpoint kept from before and the consistency proof between
    /// the two (`GET /api/v1/log/consistency?from=OLD&to=NEW`), also that the log only grew since. Exits 0 when
    /// everything checks; otherwise names the first bad entry and exits non-zero.
    VerifyExport {
        /// The export, as downloaded from the access-log page.
        file: std::path::PathBuf,
        /// Hex of the log's Ed25519 public key, as the operator publishes it (never taken from the file).
        #[arg(long, value_name = "HEX")]
        public_key: String,
        /// A signed checkpoint (the text of `GET /api/v1/log/checkpoint`) kept from before.
        #[arg(long, value_name = "FILE", requires = "consistency")]
        older_checkpoint: Option<std::path::PathBuf>,
        /// The JSON of `GET /api/v1/log/consistency` from the older checkpoint's size to the export's.
        #[arg(long, value_name = "FILE", requires = "older_checkpoint")]
        consistency: Option<std::path::PathBuf>,
    },
    /// Back up the portal's own SQLite database while it runs: a consistent copy in FILE and the audit checkpoints
    /// beside it in FILE.checkpoints.jsonl, the copy's audit log verified against them. Never overwrites a file.
    /// The signing key is not copied: keep it in your secret store. On PostgreSQL, use pg_dump (see README.md).
    Backup {
        #[arg(long, value_name = "FILE")]
        to: std::path::PathBuf,
    },
    /// Revoke a service's token. Requests with it are refused within seconds (the API caches a token briefly).
    RevokeServiceToken {
        #[arg(long)]
        name: String,
    },
    /// Terminate a customer's contract. Its backups keep their schedule: each snapshot is still destroyed 7 days
    /// after it was taken. Terminating a contract already terminated changes nothing.
    TerminateContract {
        /// The contract number, e.g. K-100001-1.
        #[arg(long)]
        number: String,
    },
    /// Load the operator's customers, their contracts and services from a file: JSON Lines (the API's records, one
    /// per line) or CSV (`.csv`, one customer and contract per row; see README.md). Existing customers are updated
    /// by customer number, only where something changed; bad records are reported by line and nothing of them is
    /// written. Exits with status 1 when a record was refused.
    ImportCustomers {
        /// The file to read.
        file: std::path::PathBuf,
        /// Send each customer created a link, valid 7 days, to choose their password (to their address of record).
        #[arg(long)]
        invite: bool,
    },
    /// Records that a contract and its services now belong to another customer (entity).
    TransferContract {
        /// The contract number, e.g. K-100001-1.
        #[arg(long)]
        number: String,
        /// The receiving customer's number, e.g. C-100002.
        #[arg(long)]
        to: String,
    },
}
