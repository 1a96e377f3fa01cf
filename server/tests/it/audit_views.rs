//! Reading the audit log: the filtered, keyset-paged query on both backends, the court-order ledger and its
//! deferral, and the customer's and privacy officer's screens and exports over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod ledger;
mod portal;
mod query;
