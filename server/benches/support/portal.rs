use app::ports::{Clock, SystemClock};
use server::{seed, settings::Settings, storage::SqlStore};
use std::{net::SocketAddr, sync::Arc};
use tokio::net::TcpListener;

/// A portal with the demo data, bound but not yet serving, so that a benchmark can add its own data first.
pub struct Portal {
    pub addr: SocketAddr,
    pub store: SqlStore,
    listener: TcpListener,
    settings: Settings,
}

impl Portal {
    /// On SQLite in `dir`, or on `database_url`; `pool` sets the database pool when given.
    pub async fn with_demo_data(
        database_url: Option<String>,
        dir: &std::path::Path,
        pool: Option<u32>,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut settings = Settings::for_data_dir(dir.to_path_buf(), database_url);
        settings.site_addr = addr;
        settings.public_url = Some(format!("http://{addr}"));
        if let Some(pool) = pool {
            settings.db_max_connections = pool;
        }
        let store = server::open_store(&settings).await.unwrap();
        seed::seed_demo(&store, SystemClock.now()).await.unwrap();
        Self {
            addr,
            store,
            listener,
            settings,
        }
    }

    /// Serves in the background on the current runtime, with the system clock, until the runtime ends.
    pub fn serve(self) -> SocketAddr {
        let Self {
            addr,
            store,
            listener,
            settings,
        } = self;
        tokio::spawn(async move {
            server::serve_on(
                listener,
                store,
                Arc::new(SystemClock),
                &settings,
                std::future::pending(),
            )
            .await
        });
        addr
    }
}
