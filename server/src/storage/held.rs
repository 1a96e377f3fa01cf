//! One connection borrowed from the pool for several reads in a row. Each read through the pool borrows and returns
//! a connection of its own, and sqlx pings every connection it takes back: on SQLite two hand-offs to the
//! connection's thread and back per read. A page that reads four things holds one connection instead.

use sqlx::{pool::PoolConnection, Postgres, Sqlite};

use super::{map_error, SqlStore};
use app::ports::StorageError;

pub(crate) enum HeldConnection {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// Runs `$body` with `$connection` bound to the held connection, as an executor. The body is compiled once per
/// backend, as with `on_pool!`.
macro_rules! on_connection {
    ($held:expr, $connection:ident => $body:expr) => {
        match $held {
            $crate::storage::held::HeldConnection::Sqlite(held) => {
                let $connection = &mut **held;
                $body
            }
            $crate::storage::held::HeldConnection::Postgres(held) => {
                let $connection = &mut **held;
                $body
            }
        }
    };
}
pub(crate) use on_connection;

impl SqlStore {
    /// A connection of the pool, returned to it when dropped.
    pub(crate) async fn hold(&self) -> Result<HeldConnection, StorageError> {
        Ok(match self {
            Self::Sqlite(pool) => HeldConnection::Sqlite(pool.acquire().await.map_err(map_error)?),
            Self::Postgres(pool) => {
                HeldConnection::Postgres(pool.acquire().await.map_err(map_error)?)
            }
        })
    }
}
