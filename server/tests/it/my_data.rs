//! "My data" (issue 7): the export covers every table that holds customer data (checked against the live schema of
//! both databases), corrections with their validation and audit entries, the email change confirmed by a link, and
//! requests about one's data with their 30-day clock and the privacy officer's list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod export;
mod portal;
