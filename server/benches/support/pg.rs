use sqlx::{Connection, Executor, PgConnection};

/// A fresh PostgreSQL database for the run, on the server at `DATABASE_URL` (default
/// `postgres://root@127.0.0.1:5432/test`), dropped afterwards.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    /// The database and its URL.
    pub async fn create() -> (Self, String) {
        let admin_url = std::env::var("DATABASE_URL")
            .ok()
            .filter(|url| url.starts_with("postgres"))
            .unwrap_or_else(|| "postgres://root@127.0.0.1:5432/test".to_owned());
        let name = format!("portal_bench_{:08x}", rand::random::<u32>());
        let mut admin = PgConnection::connect(&admin_url).await.unwrap();
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        admin.close().await.ok();
        let (base, _) = admin_url.rsplit_once('/').unwrap();
        let url = format!("{base}/{name}");
        (Self { admin_url, name }, url)
    }

    /// With `--postgres`, a fresh database and its URL, made on `runtime`; otherwise neither (SQLite, the default).
    pub fn when(
        postgres: bool,
        runtime: &tokio::runtime::Runtime,
    ) -> (Option<Self>, Option<String>) {
        if postgres {
            let (database, url) = runtime.block_on(Self::create());
            (Some(database), Some(url))
        } else {
            (None, None)
        }
    }

    /// Connections of the server's pool may still be open; the drop forces them closed.
    pub async fn drop_database(self) {
        let mut admin = PgConnection::connect(&self.admin_url).await.unwrap();
        admin
            .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await
            .unwrap();
    }
}

/// A migrated store for a benchmark: a fresh PostgreSQL database with `postgres` (dropped by the caller through the
/// returned handle), else SQLite in `data_dir`.
pub async fn fresh_store(
    postgres: bool,
    data_dir: &std::path::Path,
) -> (Option<PgDatabase>, server::storage::SqlStore) {
    let (pg, url) = if postgres {
        let (pg, url) = PgDatabase::create().await;
        (Some(pg), url)
    } else {
        (None, format!("sqlite://{}/portal.db", data_dir.display()))
    };
    let store = server::storage::SqlStore::connect(&secrecy::SecretString::from(url), 16)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (pg, store)
}
