//! Signing in over HTTP as a browser does. The session cookie is kept by hand rather than in a cookie jar, so that a
//! test can read it, compare it before and after, and replay an old one.

use chrono::{DateTime, Utc};
use reqwest::{header::HeaderMap, RequestBuilder, StatusCode};
use serde_json::Value;
use std::sync::{Arc, Mutex};

use super::{spawn_app, spawn_app_with_clock, Backend, TestApp, TestClock};
use app::ports::{AccountId, AccountStore};
use server::storage::SqlStore;

pub use server::seed::DEMO_PASSWORD;

/// The cookie's name over plain HTTP, which is what tests serve on.
pub const SESSION_COOKIE: &str = "portal_session";

pub const CUSTOMER: &str = "jeanne.favre@boulangerie-favre.ch";
pub const OTHER_CUSTOMER: &str = "luca@studio-bernasconi.ch";
pub const THIRD_CUSTOMER: &str = "as.rochat@rochat-avocats.ch";
pub const SUPPORT: &str = "camille.rey@staff.portal.example";
pub const SYSADMIN: &str = "noah.meier@staff.portal.example";
pub const PRIVACY_OFFICER: &str = "ines.morel@staff.portal.example";
pub const SUPPORT_AND_SYSADMIN: &str = "samuel.dubois@staff.portal.example";

/// The demo staff's TOTP secrets, as README.md publishes them.
pub fn totp_secret(email: &str) -> &'static str {
    match email {
        SUPPORT => "MNQW22LMNRSS44TFPEWWIZLNN4WXI33U",
        SYSADMIN => "NZXWC2BONVSWSZLSFVSGK3LPFV2G65DQ",
        PRIVACY_OFFICER => "NFXGK4ZONVXXEZLMFVSGK3LPFV2G65DQ",
        SUPPORT_AND_SYSADMIN => "ONQW25LFNQXGI5LCN5UXGLLEMVWW6LLU",
        other => panic!("{other} is not a demo staff member"),
    }
}

pub fn code_at(secret: &str, at: DateTime<Utc>) -> String {
    app::auth::totp::code_at(secret, at).unwrap()
}

/// The server with the demo accounts.
pub async fn seeded_app(backend: Backend) -> Option<TestApp> {
    let app = spawn_app(backend).await?;
    server::seed::seed_demo(&app.store, Utc::now())
        .await
        .unwrap();
    Some(app)
}

/// The server with the demo accounts and a clock the test moves.
pub async fn seeded_app_with_clock(backend: Backend) -> Option<(TestApp, Arc<TestClock>)> {
    let clock = TestClock::new();
    let app = spawn_app_with_clock(backend, clock.clone()).await?;
    server::seed::seed_demo(&app.store, app::ports::Clock::now(clock.as_ref()))
        .await
        .unwrap();
    Some((app, clock))
}

pub async fn account_id(store: &SqlStore, email: &str) -> AccountId {
    let email = app::domain::EmailAddress::parse(email).unwrap();
    store.account_by_email(&email).await.unwrap().unwrap().id
}

/// A single `COUNT(*)`-like integer.
pub async fn count(store: &SqlStore, sql: &str) -> i64 {
    match store {
        SqlStore::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        SqlStore::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

/// Whether the database refuses a statement written around the storage (its constraints and triggers).
pub async fn refused(store: &SqlStore, sql: &str) -> bool {
    match store {
        SqlStore::Sqlite(pool) => sqlx::query(sql).execute(pool).await.is_err(),
        SqlStore::Postgres(pool) => sqlx::query(sql).execute(pool).await.is_err(),
    }
}

/// Security events of one code, as (account id, detail).
pub async fn events(store: &SqlStore, code: i32) -> Vec<(Option<i64>, Option<String>)> {
    let sql = "SELECT account_id, detail FROM security_events WHERE event_code = $1 ORDER BY id";
    match store {
        SqlStore::Sqlite(pool) => sqlx::query_as(sql)
            .bind(code)
            .fetch_all(pool)
            .await
            .unwrap(),
        SqlStore::Postgres(pool) => sqlx::query_as(sql)
            .bind(code)
            .fetch_all(pool)
            .await
            .unwrap(),
    }
}

/// What came back, read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get("location")
            .map(|value| value.to_str().unwrap())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }

    /// The `Set-Cookie` for the session, if the response sent one.
    pub fn session_set_cookie(&self) -> Option<&str> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|value| value.to_str().unwrap())
            .find(|cookie| cookie.starts_with(&format!("{SESSION_COOKIE}=")))
    }
}

/// One browser: its own session cookie, the portal's own `Origin` on every request, redirects not followed.
#[derive(Debug)]
pub struct Browser {
    base: String,
    /// The portal's public origin, which its pages' requests carry.
    origin: String,
    client: reqwest::Client,
    cookie: Mutex<Option<String>>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self::at(&app.base)
    }

    /// A browser for the portal at `base`, which is also its public origin.
    pub fn at(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            origin: base.to_owned(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookie: Mutex::new(None),
        }
    }

    /// The session id the browser holds, if any.
    pub fn cookie(&self) -> Option<String> {
        self.cookie.lock().unwrap().clone()
    }

    /// Makes the browser send `value` from now on, as a replayed or planted cookie.
    pub fn set_cookie(&self, value: Option<&str>) {
        *self.cookie.lock().unwrap() = value.map(str::to_owned);
    }

    /// A second browser presenting the same cookie, as a thief would.
    pub fn copy(&self) -> Self {
        self.through(&self.base)
    }

    /// The same browser reaching the same portal through another of its instances, at `base`, as a load balancer
    /// would send it.
    pub fn through(&self, base: &str) -> Self {
        Self {
            base: base.to_owned(),
            origin: self.origin.clone(),
            client: self.client.clone(),
            cookie: Mutex::new(self.cookie()),
        }
    }

    /// Calls the server function at `/sf/<name>` with a form body, as the hydrated page does.
    pub async fn call(&self, name: &str, form: &[(&str, &str)]) -> Reply {
        let request = self
            .client
            .post(format!("{}/sf/{name}", self.base))
            .header("origin", &self.origin)
            .form(form);
        self.send(request).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    /// Sends the request with the held cookie, then keeps whatever cookie the response sets or removes.
    pub async fn send(&self, mut request: RequestBuilder) -> Reply {
        if let Some(value) = self.cookie() {
            request = request.header("cookie", format!("{SESSION_COOKIE}={value}"));
        }
        let response = request.send().await.unwrap();
        let reply = Reply {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        };
        if let Some(set) = reply.session_set_cookie() {
            let value = set
                .split(';')
                .next()
                .and_then(|pair| pair.split_once('='))
                .map(|(_, value)| value.to_owned())
                .unwrap_or_default();
            let removed = value.is_empty() || set.to_lowercase().contains("max-age=0");
            self.set_cookie((!removed).then_some(value.as_str()));
        }
        reply
    }

    /// Who `get-me` says is signed in (fully), as its JSON, or `None`.
    pub async fn me(&self) -> Option<Value> {
        let reply = self.call("get-me", &[]).await;
        assert_eq!(reply.status, StatusCode::OK, "get-me: {}", reply.body);
        Some(reply.json()).filter(|me| !me.is_null())
    }

    pub async fn log_in(&self, email: &str, password: &str) -> Reply {
        self.call("log-in", &[("email", email), ("password", password)])
            .await
    }
}

/// A browser signed in as the customer with the demo password.
pub async fn sign_in_customer(app: &TestApp, email: &str) -> Browser {
    let browser = Browser::new(app);
    let reply = browser.log_in(email, DEMO_PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "log in {email}: {}",
        reply.body
    );
    assert_eq!(reply.location(), Some("/account"), "log in {email}");
    browser
}

/// A browser signed in as the demo staff member, password and then a code for `now`. When that code was already used
/// (a second sign-in within 30 s), the next step's code is accepted instead, as the server tolerates one step of drift.
pub async fn sign_in_staff(app: &TestApp, email: &str, now: DateTime<Utc>) -> Browser {
    let browser = sign_in_staff_password_only(app, email).await;
    for offset in [0, 30] {
        let code = code_at(totp_secret(email), now + chrono::Duration::seconds(offset));
        let reply = browser
            .call("verify-second-factor", &[("code", &code)])
            .await;
        if reply.status == StatusCode::OK {
            assert_eq!(reply.location(), Some("/staff"), "{email}");
            return browser;
        }
    }
    panic!("{email}: no code was accepted");
}

/// A browser where the staff member gave the right password and still owes the second factor.
pub async fn sign_in_staff_password_only(app: &TestApp, email: &str) -> Browser {
    let browser = Browser::new(app);
    let reply = browser.log_in(email, DEMO_PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "log in {email}: {}",
        reply.body
    );
    assert_eq!(reply.location(), Some("/login/second-factor"), "{email}");
    browser
}
