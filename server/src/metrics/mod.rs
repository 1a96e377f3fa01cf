//! What an operator watches: Prometheus metrics in the OpenMetrics text format.
//!
//! Two kinds. What one instance does (requests answered, access checks decided, mails its worker sent) is counted
//! as it happens, per instance; Prometheus adds the instances up. What the database holds (the outbox, the audit
//! log, overdue destructions, sessions) is read at each scrape, so every instance reports the same, true figure
//! and a restart loses nothing. Nothing here carries a customer, an address or a token: labels are route
//! templates, statuses and rule names.

mod figures;
pub mod http;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;

pub use figures::Figures;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: &'static str,
    /// The route's template (`/api/v1/backups/{id}/destroyed`), never the path: paths carry identifiers.
    pub route: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: &'static str,
    pub route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CheckLabels {
    pub decision: &'static str,
    pub basis: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabels {
    pub status: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    pub state: &'static str,
}

/// What this instance's mail worker did.
#[derive(Debug, Clone, Default)]
pub struct MailCounters {
    pub sent: Counter,
    pub retried: Counter,
    pub dead_lettered: Counter,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// Read from the database and the checkpoint file at each scrape.
#[derive(Debug, Default)]
struct Read {
    audit_entries: Gauge,
    audit_unsigned: Gauge,
    checkpoint_age: FloatGauge,
    verification_ok: Gauge,
    verification_age: FloatGauge,
    outbox: Family<StatusLabels, Gauge>,
    outbox_oldest_age: FloatGauge,
    webhooks: Family<StatusLabels, Gauge>,
    overdue_destructions: Gauge,
    sessions: Gauge,
    pool: Family<StateLabels, Gauge>,
    pool_max: Gauge,
}

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    access_checks: Family<CheckLabels, Counter>,
    pub mail: MailCounters,
    read: Read,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 4 s: a page renders in a few milliseconds, a long-poll of the event feed waits up to 25 s
    // and lands in +Inf.
    Histogram::new(exponential_buckets(0.000_5, 2.0, 14))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("portal");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let latency =
            Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register_with_unit(
            "http_request_duration",
            "Time from a request's arrival to its answer's head, by method and route template",
            Unit::Seconds,
            latency.clone(),
        );
        let access_checks = Family::<CheckLabels, Counter>::default();
        registry.register(
            "access_checks",
            "Staff access checks answered, by decision and the rule or basis behind it",
            access_checks.clone(),
        );
        let mail = MailCounters::default();
        registry.register(
            "mail_sent",
            "Messages this instance's worker handed to the relay",
            mail.sent.clone(),
        );
        registry.register(
            "mail_retried",
            "Sending attempts of this instance's worker that failed and were scheduled again",
            mail.retried.clone(),
        );
        registry.register(
            "mail_dead_lettered",
            "Messages this instance's worker gave up on",
            mail.dead_lettered.clone(),
        );
        let read = Read::default();
        read.register(&mut registry);
        Self {
            registry,
            requests,
            latency,
            access_checks,
            mail,
            read,
        }
    }

    pub fn observe_request(&self, labels: RouteLabels, status: u16, seconds: f64) {
        self.latency.get_or_create(&labels).observe(seconds);
        self.requests
            .get_or_create(&RequestLabels {
                method: labels.method,
                route: labels.route,
                status,
            })
            .inc();
    }

    pub fn count_access_check(&self, decision: &'static str, basis: &'static str) {
        self.access_checks
            .get_or_create(&CheckLabels { decision, basis })
            .inc();
    }

    /// The whole exposition, with the read figures as `figures` says.
    pub fn render(&self, figures: &Figures) -> Result<String, std::fmt::Error> {
        self.read.set(figures);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

impl Read {
    fn register(&self, registry: &mut Registry) {
        registry.register(
            "audit_entries",
            "Entries in the audit log (its rate is the appends)",
            self.audit_entries.clone(),
        );
        registry.register(
            "audit_unsigned_entries",
            "Audit entries that no signed checkpoint covers yet",
            self.audit_unsigned.clone(),
        );
        registry.register_with_unit(
            "audit_checkpoint_age",
            "Time since the newest signed checkpoint in this instance's checkpoint file (NaN before the first)",
            Unit::Seconds,
            self.checkpoint_age.clone(),
        );
        registry.register(
            "audit_verification_ok",
            "1 if the last verification of the chain found it intact, 0 if it failed or never ran",
            self.verification_ok.clone(),
        );
        registry.register_with_unit(
            "audit_verification_age",
            "Time since the last verification of the chain finished (NaN if it never ran)",
            Unit::Seconds,
            self.verification_age.clone(),
        );
        registry.register(
            "mail_outbox",
            "Messages in the outbox by status: queued (waiting or retrying), dead (given up)",
            self.outbox.clone(),
        );
        registry.register_with_unit(
            "mail_outbox_oldest_queued_age",
            "Age of the oldest message still queued (0 when none is)",
            Unit::Seconds,
            self.outbox_oldest_age.clone(),
        );
        registry.register(
            "webhook_deliveries",
            "Consent event deliveries by status: queued, dead",
            self.webhooks.clone(),
        );
        registry.register(
            "backup_destructions_overdue",
            "Customer backups past their 7 days whose destruction is flagged overdue and still unconfirmed",
            self.overdue_destructions.clone(),
        );
        registry.register(
            "sessions_active",
            "Signed-in sessions not yet expired",
            self.sessions.clone(),
        );
        registry.register(
            "db_pool_connections",
            "This instance's database connections by state: idle, in_use",
            self.pool.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "The most connections this instance's pool opens",
            self.pool_max.clone(),
        );
    }

    fn set(&self, figures: &Figures) {
        self.audit_entries.set(figures.audit_entries);
        self.audit_unsigned.set(figures.audit_unsigned);
        self.checkpoint_age
            .set(figures.checkpoint_age_secs.unwrap_or(f64::NAN));
        self.verification_ok.set(i64::from(figures.verification_ok));
        self.verification_age
            .set(figures.verification_age_secs.unwrap_or(f64::NAN));
        let status = |status| StatusLabels { status };
        self.outbox
            .get_or_create(&status("queued"))
            .set(figures.outbox_queued);
        self.outbox
            .get_or_create(&status("dead"))
            .set(figures.outbox_dead);
        self.outbox_oldest_age
            .set(figures.outbox_oldest_queued_age_secs);
        self.webhooks
            .get_or_create(&status("queued"))
            .set(figures.webhooks_queued);
        self.webhooks
            .get_or_create(&status("dead"))
            .set(figures.webhooks_dead);
        self.overdue_destructions.set(figures.overdue_destructions);
        self.sessions.set(figures.sessions_active);
        self.pool
            .get_or_create(&StateLabels { state: "idle" })
            .set(figures.pool_idle);
        self.pool
            .get_or_create(&StateLabels { state: "in_use" })
            .set(figures.pool_in_use);
        self.pool_max.set(figures.pool_max);
    }
}
