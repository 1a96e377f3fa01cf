//! The integration tests, as one binary: the server is linked once instead of once per file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

mod api_access;
mod api_errors;
mod audit_chain;
mod audit_coverage;
mod audit_proofs;
mod audit_tree;
mod audit_views;
mod auth_enrolment;
mod auth_expiry;
mod auth_hardening;
mod auth_login;
mod auth_reset;
mod auth_sessions;
mod auth_throttle;
mod authz_matrix;
mod backups;
mod charter;
mod cli;
mod consent_portal;
mod contact_lookup;
mod directory;
mod events;
mod http;
mod instances;
mod invitations;
mod language;
mod mail;
mod metrics;
mod my_data;
mod own_backup;
mod security;
mod storage_cancellation;
mod storage_conformance;
mod storage_consent;
