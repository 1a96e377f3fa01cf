//! Consent events for the infrastructure: signed webhooks to a real local receiver, retries and dead letters, the
//! pull feed, a server killed mid-delivery, grant limits published by the clock, and reminders.

mod delivery;
mod feed;
mod timers;

use axum::{
    extract::State, http::HeaderMap, http::StatusCode as AxumStatus, routing::post, Router,
};
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::api::*;
use crate::support::Backend;
use server::events::signature::{Headers, Verifier};
use server::settings::Settings;
use server::tokens::Scope;

/// One delivery as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap().to_owned()
    }

    pub fn headers(&self) -> Headers<'_> {
        Headers {
            id: Some(&self.id),
            timestamp: Some(&self.timestamp),
            signature: Some(&self.signature),
        }
    }
}

#[derive(Debug, Default)]
struct Behaviour {
    received: Mutex<Vec<Received>>,
    /// The status it answers; 200 unless a test says otherwise.
    status: AtomicU16,
    /// Milliseconds it waits before answering.
    delay_millis: AtomicU64,
}

/// A webhook receiver on a random loopback port that keeps what it gets.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    behaviour: Arc<Behaviour>,
}

async fn receive(
    State(behaviour): State<Arc<Behaviour>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> AxumStatus {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    behaviour.received.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: body.to_vec(),
    });
    let delay = behaviour.delay_millis.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    AxumStatus::from_u16(behaviour.status.load(Ordering::SeqCst)).unwrap_or(AxumStatus::OK)
}

impl Receiver {
    pub async fn start() -> Self {
        let behaviour = Arc::new(Behaviour::default());
        behaviour.status.store(200, Ordering::SeqCst);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let router = Router::new()
            .route("/hook", post(receive))
            .with_state(behaviour.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            url: format!("http://{addr}/hook"),
            behaviour,
        }
    }

    pub fn answer(&self, status: u16) {
        self.behaviour.status.store(status, Ordering::SeqCst);
    }

    pub fn delay(&self, by: Duration) {
        self.behaviour
            .delay_millis
            .store(u64::try_from(by.as_millis()).unwrap(), Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.behaviour.received.lock().unwrap().clone()
    }

    /// Waits until `count` deliveries arrived, at most `within`.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let received = self.received();
            if received.len() >= count || tokio::time::Instant::now() >= deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The delivery counts once nothing is queued any more: a receiver records a delivery before the worker reads its
/// answer and settles it, so counts read the moment the last delivery arrived may still show it queued.
pub async fn settled(
    store: &dyn app::ports::EventDeliveryLog,
    within: Duration,
) -> app::ports::DeliveryCounts {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let counts = store.delivery_counts().await.unwrap();
        if counts.queued == 0 || tokio::time::Instant::now() >= deadline {
            return counts;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Settings for fast tests: short polls and retries.
pub fn quick(settings: &mut Settings) {
    settings.webhooks.webhook_poll_millis = 50;
    settings.webhooks.webhook_retry_base_millis = 100;
    settings.webhooks.webhook_retry_max_secs = 1;
}

/// Registers `receiver` for a new service; returns the service's token and the endpoint's secret.
pub async fn register(f: &ApiApp, service: &str, receiver: &Receiver) -> (String, String) {
    let token = f.token(service, &[Scope::Events]).await;
    let (status, body) = f
        .post(
            "/api/v1/webhooks",
            Some(&token),
            &json!({"url": receiver.url}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    (token, secret)
}

/// Checks every delivery with the example verifier; each id must come once.
pub fn verify_all(secret: &str, received: &[Received]) {
    verify_all_at(secret, received, Utc::now().timestamp(), 300);
}

/// As [`verify_all`], for a receiver whose clock reads `now` (a test that moved the portal's clock).
pub fn verify_all_at(secret: &str, received: &[Received], now: i64, tolerance_secs: i64) {
    let mut verifier = Verifier::new(secret, tolerance_secs).unwrap();
    for delivery in received {
        verifier
            .verify(delivery.headers(), &delivery.body, now)
            .unwrap_or_else(|error| panic!("{}: {error}", delivery.id));
    }
}

pub async fn get(f: &ApiApp, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = f.app.client.get(f.app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    read(request.send().await.unwrap()).await
}
