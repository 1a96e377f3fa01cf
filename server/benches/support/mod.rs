//! What the HTTP benchmarks share: a throwaway PostgreSQL database and a load generator over keep-alive
//! connections. Each benchmark uses part of it.
#![allow(dead_code)]

pub mod load;
pub mod pg;
pub mod portal;
