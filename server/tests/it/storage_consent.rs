//! The consent storage on both backends: records read back exactly, each change writes its audit entry in the
//! same transaction, answers and revocations hold under concurrency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod glance;
mod grants;
mod races;
mod requests;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::support::{Backend, TestDb};
use app::domain::consent::{
    Action, ActionSet, AnswerWindow, ConsentDraft, ConsentRequest, ConsentRequestId, GrantDuration,
    Reason, ReasonCode, ReasonText, ResourceId, SupportCaseId,
};
use app::domain::{AuditEvent, CustomerNumber, EmailAddress, Language, Role};
use app::ports::{
    Actor, AuditBasis, AuditEntry, ConsentStore, CustomerId, EventSource, MailKind, NewCustomer,
    NewService, NewStaff, NewSupportCase, OutgoingMail, ServiceKind, StaffId, Storage, SupportCase,
};
use server::storage::SqlStore;

pub const MAILBOX: &str = "mailbox:jeanne@boulangerie-favre.ch";
pub const BACKUP: &str = "backup-space:backup-favre";
pub const WEB: &str = "web-space:boulangerie-favre.ch";
pub const OTHER_MAILBOX: &str = "mailbox:luca@studio-bernasconi.ch";

/// A fresh database with two customers (the first with a mailbox, a backup space and a web space), one support
/// agent and one system administrator.
pub struct Fixture {
    /// Kept so that the database lives as long as the fixture.
    pub _db: TestDb,
    pub store: SqlStore,
    pub customer: CustomerId,
    pub other: CustomerId,
    pub support: StaffId,
    pub sysadmin: StaffId,
}

/// A fixed instant with microseconds, `minutes` after a base time.
pub fn t(minutes: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 654_321_000)
        .single()
        .expect("valid time")
        + Duration::minutes(minutes)
}

pub fn resource(raw: &str) -> ResourceId {
    ResourceId::parse(raw).unwrap()
}

fn new_customer(n: u32, email: &str) -> NewCustomer {
    NewCustomer {
        number: CustomerNumber::parse(&format!("C-{n:06}")).unwrap(),
        first_name: "Jeanne".into(),
        last_name: format!("Favre-{n}"),
        email: EmailAddress::parse(email).unwrap(),
        phone: None,
        mobile: None,
        language: Language::Fr,
        company: None,
        street: "Rue du Bourg 12".into(),
        postcode: "1003".into(),
        city: "Lausanne".into(),
        country: "CH".into(),
    }
}

fn service(kind: ServiceKind, name: &str) -> NewService {
    NewService {
        kind,
        name: name.into(),
    }
}

async fn staff(store: &SqlStore, email: &str, roles: Vec<Role>) -> StaffId {
    let member = NewStaff {
        email: EmailAddress::parse(email).unwrap(),
        display_name: email.into(),
        roles,
    };
    store.ensure_staff(&member, t(0)).await.unwrap()
}

pub async fn fixture(backend: Backend) -> Option<Fixture> {
    let db = TestDb::create(backend).await?;
    let store = db.store().await;
    let customer = store
        .ensure_customer(
            &new_customer(1, "jeanne@boulangerie-favre.ch"),
            &[
                service(ServiceKind::Mailbox, "jeanne@boulangerie-favre.ch"),
                service(ServiceKind::BackupSpace, "backup-favre"),
                service(ServiceKind::WebSpace, "boulangerie-favre.ch"),
            ],
            t(0),
        )
        .await
        .unwrap();
    let other = store
        .ensure_customer(
            &new_customer(2, "luca@studio-bernasconi.ch"),
            &[service(ServiceKind::Mailbox, "luca@studio-bernasconi.ch")],
            t(0),
        )
        .await
        .unwrap();
    let support = staff(&store, "camille@staff.example.ch", vec![Role::Support]).await;
    let sysadmin = staff(&store, "noah@staff.example.ch", vec![Role::Sysadmin]).await;
    Some(Fixture {
        _db: db,
        store,
        customer,
        other,
        support,
        sysadmin,
    })
}

impl Fixture {
    /// The notice a consent request sends the first customer.
    pub fn request_notice(&self) -> OutgoingMail {
        OutgoingMail {
            kind: MailKind::Consent,
            to: EmailAddress::parse("jeanne@boulangerie-favre.ch").unwrap(),
            customer: Some(self.customer),
            language: Language::Fr,
            subject: "Demande d’accès à vos données".into(),
            body_text: "Répondre : https://portal.example/account/consents".into(),
        }
    }

    /// An entry by the support agent about the first customer.
    pub fn by_support(&self, event: AuditEvent, at: DateTime<Utc>) -> AuditEntry {
        AuditEntry {
            at,
            event,
            actor: Actor::Staff {
                id: self.support,
                roles: vec![Role::Support],
            },
            customer: Some(self.customer),
            resource: None,
            action: None,
            basis: AuditBasis::StaffRole,
            source: EventSource::Portal,
            detail: None,
        }
    }

    /// An entry by the first customer about their own consent.
    pub fn by_customer(&self, event: AuditEvent, at: DateTime<Utc>) -> AuditEntry {
        AuditEntry {
            actor: Actor::Customer { id: self.customer },
            basis: AuditBasis::TheCustomer,
            ..self.by_support(event, at)
        }
    }

    /// Stores `pending` as the support agent's request about the first customer, opened when it says.
    pub async fn store_request(&self, pending: &ConsentRequest) -> ConsentRequestId {
        self.store
            .create_request(
                self.customer,
                self.support,
                pending,
                &self.by_support(AuditEvent::RequestOpened, pending.created_at()),
                &self.request_notice(),
            )
            .await
            .unwrap()
    }

    pub async fn open_case(&self, at: DateTime<Utc>) -> SupportCase {
        let case = NewSupportCase {
            customer: self.customer,
            subject: app::domain::consent::CaseSubject::parse("Webmail is slow").unwrap(),
            opened_by: self.support,
            reference: None,
        };
        self.store
            .open_case(&case, &self.by_support(AuditEvent::CaseOpened, at))
            .await
            .unwrap()
    }

    pub async fn audit_count(&self) -> usize {
        self.store
            .audit_of_customer(self.customer, None, 10_000)
            .await
            .unwrap()
            .len()
    }

    /// Runs one statement with one id parameter, bypassing the storage's checks.
    pub async fn tamper(&self, sql: &str, id: i64) {
        match &self.store {
            SqlStore::Sqlite(pool) => sqlx::query(sql).bind(id).execute(pool).await.map(drop),
            SqlStore::Postgres(pool) => sqlx::query(sql).bind(id).execute(pool).await.map(drop),
        }
        .unwrap();
    }

    pub async fn drop_audit_triggers(&self) {
        crate::support::drop_audit_triggers(&self.store).await;
    }

    pub async fn count(&self, sql: &str) -> i64 {
        match &self.store {
            SqlStore::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            SqlStore::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .unwrap()
    }
}

pub fn draft(raw: &str, case: Option<SupportCaseId>, minutes: i64) -> ConsentDraft {
    ConsentDraft {
        resource: resource(raw),
        case,
        actions: ActionSet::new([Action::Read, Action::Restore]).unwrap(),
        duration: GrantDuration::from_minutes(minutes).unwrap(),
    }
}

/// A pending request opened by support at `at`, answerable for a day.
pub fn request(raw: &str, case: Option<SupportCaseId>, at: DateTime<Utc>) -> ConsentRequest {
    ConsentRequest::open(
        &[Role::Support],
        draft(raw, case, 120),
        Reason {
            code: ReasonCode::CustomerSupport,
            text: ReasonText::parse("Webmail is slow since Monday").unwrap(),
        },
        AnswerWindow::default(),
        at,
    )
    .unwrap()
}
