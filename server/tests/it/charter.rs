//! The charter (charter §7, issue 7): version 1 is the operator's text, versions are published with their audit entry
//! and never change, the public pages and the difference between versions, the privacy officer's draft and
//! publication with its notice, customers' acknowledgements, and the version a grant was given under.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod flow;
mod pages;
mod storage;
mod text;
