//! The integration API as a calling service sees it: a customer with each kind of resource, staff of each role,
//! service tokens, and JSON requests with a bearer token.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::Value;

use std::sync::Arc;

use super::{spawn_app_with_settings, Backend, TestApp};
use app::domain::consent::{
    ActionSet, CaseSubject, ConsentDraft, GrantDuration, GrantId, GrantTerms, ResourceId,
    SupportCaseId, Teams,
};
use app::domain::{AuditEvent, CustomerNumber, EmailAddress, Language, Role};
use app::ports::{
    Actor, AuditBasis, AuditEntry, CustomerId, EventSource, NewCustomer, NewService, NewStaff,
    NewSupportCase, ServiceKind, StaffId, Storage,
};
use app::ports::{Clock, SystemClock};
use server::tokens::{self, Scope};

pub const CUSTOMER: &str = "C-200001";
pub const OTHER_CUSTOMER: &str = "C-200002";
pub const WEB_SPACE: &str = "web-space:favre-exemple.ch";
pub const BACKUP_SPACE: &str = "backup-space:backup-favre";
pub const MAILBOX: &str = "mailbox:anna@favre-exemple.ch";
/// The other customer's mailbox.
pub const OTHER_MAILBOX: &str = "mailbox:luca@bernasconi-exemple.ch";
pub const SUPPORT: &str = "agent@staff.exemple.ch";
pub const SYSADMIN: &str = "admin@staff.exemple.ch";
pub const OFFICER: &str = "dpo@staff.exemple.ch";

/// The running server with two customers and three staff members, and the ids tests need.
pub struct ApiApp {
    pub app: TestApp,
    pub customer: CustomerId,
    pub other: CustomerId,
    pub support: StaffId,
    pub sysadmin: StaffId,
}

fn new_customer(number: &str, email: &str) -> NewCustomer {
    NewCustomer {
        number: CustomerNumber::parse(number).unwrap(),
        first_name: "Anna".into(),
        last_name: "Favre".into(),
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

fn service(kind: ServiceKind, id: &str) -> NewService {
    let name = id.split_once(':').map(|(_, name)| name).unwrap();
    NewService {
        kind,
        name: name.into(),
    }
}

async fn staff(store: &dyn Storage, email: &str, roles: Vec<Role>) -> StaffId {
    let staff = NewStaff {
        email: EmailAddress::parse(email).unwrap(),
        display_name: email.into(),
        roles,
    };
    store.ensure_staff(&staff, Utc::now()).await.unwrap()
}

pub async fn api_app(backend: Backend) -> Option<ApiApp> {
    api_app_with(backend, Arc::new(SystemClock), |_| {}).await
}

/// As [`api_app`], with a clock and settings of the test's.
pub async fn api_app_with(
    backend: Backend,
    clock: Arc<dyn Clock>,
    change: impl FnOnce(&mut server::settings::Settings),
) -> Option<ApiApp> {
    let app = spawn_app_with_settings(backend, clock, change).await?;
    let store: &dyn Storage = &app.store;
    let now = Utc::now();
    let customer = store
        .ensure_customer(
            &new_customer(CUSTOMER, "anna@favre-exemple.ch"),
            &[
                service(ServiceKind::WebSpace, WEB_SPACE),
                service(ServiceKind::BackupSpace, BACKUP_SPACE),
                service(ServiceKind::Mailbox, MAILBOX),
            ],
            now,
        )
        .await
        .unwrap();
    let other = store
        .ensure_customer(
            &new_customer(OTHER_CUSTOMER, "luca@bernasconi-exemple.ch"),
            &[service(ServiceKind::Mailbox, OTHER_MAILBOX)],
            now,
        )
        .await
        .unwrap();
    let support = staff(store, SUPPORT, vec![Role::Support]).await;
    let sysadmin = staff(store, SYSADMIN, vec![Role::Sysadmin]).await;
    staff(store, OFFICER, vec![Role::PrivacyOfficer]).await;
    Some(ApiApp {
        app,
        customer,
        other,
        support,
        sysadmin,
    })
}

pub fn resource(raw: &str) -> ResourceId {
    ResourceId::parse(raw).unwrap()
}

impl ApiApp {
    pub fn store(&self) -> &dyn Storage {
        &self.app.store
    }

    /// A live token for a service of that name.
    pub async fn token(&self, name: &str, scopes: &[Scope]) -> String {
        tokens::create_service_token(self.store(), name, scopes, Utc::now())
            .await
            .unwrap()
    }

    /// A token holding every scope.
    pub async fn full_token(&self, name: &str) -> String {
        self.token(name, &Scope::ALL).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        let mut request = self.app.client.post(self.app.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.unwrap()).await
    }

    /// Any method; a body is sent as JSON when given.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .app
            .client
            .request(method, self.app.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        read(request.send().await.unwrap()).await
    }

    pub async fn check(
        &self,
        token: &str,
        staff: &str,
        resource: &str,
        action: &str,
    ) -> (StatusCode, Value) {
        let customer = if resource == OTHER_MAILBOX {
            OTHER_CUSTOMER
        } else {
            CUSTOMER
        };
        self.post(
            "/api/v1/access-checks",
            Some(token),
            &serde_json::json!({"staff": staff, "customer": customer, "resource": resource, "action": action}),
        )
        .await
    }

    /// The decision alone, for a check that must succeed.
    pub async fn decision(&self, token: &str, staff: &str, resource: &str, action: &str) -> Value {
        let (status, body) = self.check(token, staff, resource, action).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    fn by_support(&self, event: AuditEvent) -> AuditEntry {
        AuditEntry {
            at: Utc::now(),
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

    pub async fn open_case(&self, customer: CustomerId) -> SupportCaseId {
        let case = NewSupportCase {
            customer,
            subject: CaseSubject::parse("Les messages de la banque n'arrivent plus").unwrap(),
            opened_by: self.support,
            reference: None,
        };
        let audit = AuditEntry {
            customer: Some(customer),
            ..self.by_support(AuditEvent::CaseOpened)
        };
        self.store().open_case(&case, &audit).await.unwrap().id
    }

    pub async fn resolve_case(&self, case: SupportCaseId) {
        let audit = self.by_support(AuditEvent::CaseResolved);
        self.store()
            .resolve_case(case, self.support, &audit)
            .await
            .unwrap()
            .unwrap();
    }

    /// A grant the customer gives on their own initiative, for an hour from now.
    pub async fn grant(&self, target: &str, actions: &str, case: Option<SupportCaseId>) -> GrantId {
        let draft = ConsentDraft {
            resource: resource(target),
            case,
            actions: ActionSet::parse(actions).unwrap(),
            duration: GrantDuration::new(Duration::hours(1)).unwrap(),
        };
        let terms =
            GrantTerms::on_customer_initiative(draft, Teams::SupportAndSysadmins, Utc::now())
                .unwrap();
        let audit = AuditEntry {
            actor: Actor::Customer { id: self.customer },
            resource: Some(resource(target)),
            basis: AuditBasis::TheCustomer,
            ..self.by_support(AuditEvent::GrantGivenByCustomer)
        };
        self.store()
            .create_grant(self.customer, &terms, None, None, &audit)
            .await
            .unwrap()
    }

    pub async fn revoke(&self, grant: GrantId) {
        let audit = AuditEntry {
            actor: Actor::Customer { id: self.customer },
            basis: AuditBasis::TheCustomer,
            ..self.by_support(AuditEvent::GrantRevoked)
        };
        assert!(self
            .store()
            .revoke_grant(grant, self.customer, &audit)
            .await
            .unwrap());
    }

    /// The customer's audit log, newest first.
    /// The other customer's log, newest first.
    pub async fn other_audit_log(&self) -> Vec<AuditEntry> {
        self.store()
            .audit_of_customer(self.other, None, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, entry)| entry)
            .collect()
    }

    pub async fn audit_log(&self) -> Vec<AuditEntry> {
        self.store()
            .audit_of_customer(self.customer, None, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, entry)| entry)
            .collect()
    }
}

/// The status and the JSON body; every API answer must have one.
pub async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{status} answered as {content_type:?}: {text}"
    );
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: {e}: {text}"));
    (status, body)
}

/// Asserts the API's error contract and returns the error's code.
pub fn error_code(status: StatusCode, body: &Value) -> String {
    assert!(
        status.is_client_error(),
        "an error must be a 4xx, got {status}: {body}"
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "an error says what is wrong: {body}");
    body["error"]["code"].as_str().unwrap().to_owned()
}

/// The built binary, configured through the environment as an operator runs it.
pub fn server_command(db: &super::TestDb) -> std::process::Command {
    server_command_at(db.data_dir.path(), &db.url)
}

/// As [`server_command`], with a data directory and a database of the caller's.
pub fn server_command_at(data_dir: &std::path::Path, database_url: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORTAL_DATA_DIR", data_dir)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "info");
    command
}

/// A port nobody listens on now, for a server the test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
