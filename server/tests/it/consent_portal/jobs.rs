//! What the consent jobs' tests share: a seeded portal whose own job sweeps every 20 ms on a test clock, and more
//! instances of the job on the same database, as several servers would run them.

use std::sync::Arc;

use super::*;
use crate::support::{spawn_app_with_settings, TestClock};
use app::ports::Clock;

pub async fn seeded_app_with_consent_jobs(
    backend: Backend,
    clock: &Arc<TestClock>,
) -> Option<TestApp> {
    let app = spawn_app_with_settings(backend, clock.clone(), |settings| {
        settings.consent_jobs.consent_expiry_sweep_millis = 20;
    })
    .await?;
    server::seed::seed_demo(&app.store, clock.now())
        .await
        .unwrap();
    Some(app)
}

/// Two more instances' jobs, beside the server's own; they run until `stop` is sent `true`.
pub struct MoreInstances {
    stop: tokio::sync::watch::Sender<bool>,
    jobs: Vec<tokio::task::JoinHandle<()>>,
}

impl MoreInstances {
    pub fn start(app: &TestApp, clock: &Arc<TestClock>) -> Self {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let jobs = (0..2)
            .map(|_| {
                let store: Arc<dyn app::ports::Storage> = Arc::new(app.store.clone());
                let clock: Arc<dyn Clock> = clock.clone();
                tokio::spawn(server::consent_expiry::run(
                    store,
                    clock,
                    Arc::from(app.base.as_str()),
                    std::time::Duration::from_millis(5),
                    stopped.clone(),
                ))
            })
            .collect();
        Self { stop, jobs }
    }

    pub async fn stop(self) {
        self.stop.send(true).unwrap();
        for job in self.jobs {
            job.await.unwrap();
        }
    }
}
