//! The access log and the court-order ledger over HTTP, as browsers use them: a customer's own log in the server
//! function, the page and both exports (and never anyone else's); the privacy officer's whole log and ledger, refused
//! to everyone else; the ledger's required fields; a deferral that ends by itself.

use chrono::{Duration, Utc};
use reqwest::StatusCode;

use crate::support::auth::{
    count, seeded_app, seeded_app_with_clock, sign_in_customer, sign_in_staff, Browser, Reply,
    CUSTOMER, OTHER_CUSTOMER, PRIVACY_OFFICER, SUPPORT, SYSADMIN,
};
use crate::support::{Backend, TestApp};
use app::api::{AccessLog, Glance};
use app::domain::consent::{Action, DenyRule, GrantId, ResourceId};
use app::domain::{AuditEvent, CustomerNumber, EmailAddress, Role};
use app::ports::{
    Actor, AuditBasis, AuditEntry, AuditFilter, AuditReader, ConsentStore, CustomerId, EventSource,
    StaffId, Storage,
};

const JEANNE: &str = "C-100001";
const JEANNE_MAILBOX: &str = "mailbox:jeanne.favre@boulangerie-favre.ch";
const DISCLOSURE_RECORDED: i32 = 4000;

async fn customer_id(app: &TestApp, number: &str) -> CustomerId {
    let number = CustomerNumber::parse(number).unwrap();
    app.store
        .customer_by_number(&number)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn staff_id(app: &TestApp, email: &str) -> StaffId {
    let email = EmailAddress::parse(email).unwrap();
    app.store.staff_by_email(&email).await.unwrap().unwrap().id
}

/// An access check by `staff` on `customer`'s mailbox, allowed through a grant or refused.
fn access(
    staff: StaffId,
    roles: Vec<Role>,
    customer: CustomerId,
    allowed: bool,
    detail: &str,
) -> AuditEntry {
    AuditEntry {
        at: Utc::now(),
        event: AuditEvent::AccessChecked,
        actor: Actor::Staff { id: staff, roles },
        customer: Some(customer),
        resource: Some(ResourceId::parse(JEANNE_MAILBOX).unwrap()),
        action: Some(Action::Read),
        basis: if allowed {
            AuditBasis::Grant(GrantId(7))
        } else {
            AuditBasis::Refused(DenyRule::NoActiveGrant)
        },
        source: EventSource::Service("mail-platform".into()),
        detail: Some(detail.to_owned()),
    }
}

fn log_of(reply: &Reply) -> AccessLog {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    serde_json::from_str(&reply.body).unwrap()
}

async fn my_log(browser: &Browser, form: &[(&str, &str)]) -> AccessLog {
    log_of(&browser.call("list-my-access-log", form).await)
}

/// Every entry the customer may see now, newest first, straight from storage.
async fn visible_ids(app: &TestApp, customer: CustomerId) -> Vec<i64> {
    let filter = AuditFilter {
        customer: Some(customer),
        ..AuditFilter::default()
    };
    app.store
        .audit_lines(&filter, true, None, 100_000, Utc::now())
        .await
        .unwrap()
        .iter()
        .map(|line| line.record.id)
        .collect()
}

async fn a_customer_sees_and_exports_their_own_log_only(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let jeanne = customer_id(&app, JEANNE).await;
    let luca = customer_id(&app, "C-100002").await;
    let support = staff_id(&app, SUPPORT).await;
    // Enough of Jeanne's entries for the export to span several of its internal pages.
    let mut entries: Vec<AuditEntry> = (0..2_345)
        .map(|i| {
            access(
                support,
                vec![Role::Support],
                jeanne,
                i % 3 != 0,
                &format!("jeanne-{i}"),
            )
        })
        .collect();
    entries.push(access(
        support,
        vec![Role::Support],
        jeanne,
        true,
        "=HYPERLINK(\"http://evil.example\")",
    ));
    entries.extend((0..5).map(|i| {
        access(
            support,
            vec![Role::Support],
            luca,
            true,
            &format!("luca-secret-{i}"),
        )
    }));
    app.store.record_audit(&entries).await.unwrap();

    let browser = sign_in_customer(&app, CUSTOMER).await;
    let expected = visible_ids(&app, jeanne).await;
    assert!(expected.len() > 2_346);

    // The dashboard's glance: her five newest, although the newest entries of all are Luca's.
    let glance = browser.call("get-my-glance", &[]).await;
    assert_eq!(glance.status, StatusCode::OK, "{}", glance.body);
    let glance: Glance = serde_json::from_str(&glance.body).unwrap();
    let recent: Vec<i64> = glance.recent.iter().map(|entry| entry.id).collect();
    assert_eq!(recent, expected[..5].to_vec());

    // The server function: only her entries, even when asked for someone else's.
    for form in [
        vec![],
        vec![("customer_number", "C-100002")],
        vec![("customer", "2")],
    ] {
        let reply = browser.call("list-my-access-log", &form).await;
        if reply.status == StatusCode::OK {
            let log = log_of(&reply);
            assert_eq!(log.entries.len(), 50);
            assert!(log.entries.iter().all(|entry| entry.customer.is_none()));
            let ids: Vec<i64> = log.entries.iter().map(|entry| entry.id).collect();
            assert_eq!(ids, expected[..50].to_vec(), "{form:?}");
        } else {
            assert!(reply.status.is_client_error(), "{form:?}: {}", reply.body);
        }
    }

    // The page, rendered on the server.
    let page = browser.get("/account/access-log").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("HYPERLINK"),
        "the newest entries are on the page"
    );
    assert!(!page.body.contains("luca-secret"));
    assert!(
        page.body.contains("href=\"/account/consents#grant-7\""),
        "an entry allowed by a grant links to it"
    );
    assert!(
        page.body.contains("Journal pas encore vérifié") || page.body.contains("Journal vérifié")
    );
    assert!(page.body.contains("before="), "a link to older entries");

    // CSV: every entry, formula-safe, as an attachment.
    let csv_reply = browser.get("/account/access-log/export.csv").await;
    assert_eq!(csv_reply.status, StatusCode::OK);
    assert!(csv_reply.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert!(csv_reply.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv_reply.body.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|header| header == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ids: Vec<i64> = rows
        .iter()
        .map(|row| row[column("id")].parse().unwrap())
        .collect();
    assert_eq!(ids, expected);
    let details: Vec<&str> = rows.iter().map(|row| &row[column("detail")]).collect();
    assert!(details.contains(&"'=HYPERLINK(\"http://evil.example\")"));
    assert!(!details.iter().any(|detail| detail.starts_with('=')));
    assert!(!csv_reply.body.contains("luca-secret"));

    // JSON: the versioned document, every entry once, newest first.
    let json_reply = browser.get("/account/access-log/export.json").await;
    assert_eq!(json_reply.status, StatusCode::OK);
    assert!(json_reply.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let document = json_reply.json();
    assert_eq!(document["schema"], "privacy-portal/access-log/v1");
    assert_eq!(document["customer"], JEANNE);
    let entries = document["entries"].as_array().unwrap();
    let ids: Vec<i64> = entries
        .iter()
        .map(|entry| entry["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, expected);
    let hyperlink = entries
        .iter()
        .find(|entry| {
            entry["detail"]
                .as_str()
                .is_some_and(|detail| detail.contains("HYPERLINK"))
        })
        .unwrap();
    assert_eq!(
        hyperlink["detail"], "=HYPERLINK(\"http://evil.example\")",
        "JSON keeps the text as it is"
    );
    assert_eq!(hyperlink["event_code"], 3000);
    assert_eq!(hyperlink["actor_kind"], "staff");
    assert_eq!(hyperlink["actor_roles"], serde_json::json!(["support"]));
    assert_eq!(hyperlink["resource"], JEANNE_MAILBOX);
    assert_eq!(hyperlink["basis"], "grant");
    assert_eq!(hyperlink["basis_ref"], 7);
    assert_eq!(hyperlink["outcome"], "allowed");
    assert_eq!(hyperlink["source"], "mail-platform");
    assert_eq!(hyperlink["hash"].as_str().unwrap().len(), 64);
    assert!(hyperlink["actor_name"].is_string());

    // Luca's own exports hold none of Jeanne's entries.
    let luca_browser = sign_in_customer(&app, OTHER_CUSTOMER).await;
    let theirs = luca_browser
        .get("/account/access-log/export.json")
        .await
        .json();
    let theirs = theirs["entries"].as_array().unwrap();
    assert!(theirs
        .iter()
        .any(|entry| entry["detail"] == "luca-secret-0"));
    assert!(!theirs.iter().any(|entry| entry["detail"]
        .as_str()
        .is_some_and(|d| d.starts_with("jeanne-"))));

    // Staff and strangers get no customer's export.
    let staff = sign_in_staff(&app, SUPPORT, Utc::now()).await;
    for path in [
        "/account/access-log/export.csv",
        "/account/access-log/export.json",
        "/account/access-log",
    ] {
        assert_eq!(
            staff.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        let stranger = Browser::new(&app).get(path).await;
        assert!(
            stranger.status.is_redirection(),
            "{path}: {}",
            stranger.status
        );
        assert!(stranger.location().unwrap().starts_with("/login"));
    }
    assert_eq!(
        staff.call("list-my-access-log", &[]).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn the_customer_filters_narrow_and_pages_follow_on(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let jeanne = customer_id(&app, JEANNE).await;
    let support = staff_id(&app, SUPPORT).await;
    let sysadmin = staff_id(&app, SYSADMIN).await;
    let mut entries = Vec::new();
    for i in 0..40 {
        entries.push(access(
            support,
            vec![Role::Support],
            jeanne,
            true,
            &format!("support-{i}"),
        ));
        entries.push(access(
            sysadmin,
            vec![Role::Sysadmin],
            jeanne,
            false,
            &format!("sysadmin-{i}"),
        ));
    }
    app.store.record_audit(&entries).await.unwrap();
    let browser = sign_in_customer(&app, CUSTOMER).await;

    let denied = my_log(&browser, &[("outcome", "denied")]).await;
    assert_eq!(denied.entries.len(), 40);
    assert!(denied.entries.iter().all(|entry| !entry.allowed));
    let by_role = my_log(&browser, &[("role", "support")]).await;
    assert_eq!(by_role.entries.len(), 40);
    assert!(by_role.entries.iter().all(|entry| entry
        .detail
        .as_deref()
        .unwrap()
        .starts_with("support-")));
    let by_resource = my_log(&browser, &[("resource", JEANNE_MAILBOX)]).await;
    assert_eq!(by_resource.entries.len(), 50);
    assert!(by_resource
        .entries
        .iter()
        .all(|entry| entry.resource.as_ref().unwrap().id == JEANNE_MAILBOX));
    let today = Utc::now().date_naive();
    let yesterday = (today - Duration::days(1)).to_string();
    let tomorrow = (today + Duration::days(1)).to_string();
    let past = my_log(&browser, &[("until", &yesterday)]).await;
    assert!(past.entries.is_empty(), "nothing happened before today");
    let future = my_log(&browser, &[("from", &tomorrow)]).await;
    assert!(future.entries.is_empty());
    let period = my_log(
        &browser,
        &[
            ("from", &today.to_string()),
            ("until", &today.to_string()),
            ("outcome", "denied"),
        ],
    )
    .await;
    assert_eq!(period.entries.len(), 40);

    // Two pages of the same filter: no repeat, no gap.
    let first = my_log(&browser, &[("resource", JEANNE_MAILBOX)]).await;
    let before = first.older.expect("an older page").to_string();
    let second = my_log(
        &browser,
        &[("resource", JEANNE_MAILBOX), ("before", &before)],
    )
    .await;
    assert_eq!(second.entries.len(), 30);
    assert_eq!(second.older, None);
    let mut ids: Vec<i64> = first
        .entries
        .iter()
        .chain(&second.entries)
        .map(|entry| entry.id)
        .collect();
    assert!(ids.windows(2).all(|pair| pair[0] > pair[1]));
    ids.dedup();
    assert_eq!(ids.len(), 80);

    for (field, value) in [
        ("from", "26/11/2026"),
        ("role", "boss"),
        ("outcome", "maybe"),
        ("resource", "disk:x"),
        ("before", "-3"),
    ] {
        let reply = browser.call("list-my-access-log", &[(field, value)]).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(reply.json()["Invalid"]["field"], field);
    }
}

fn order_form<'a>(notify_after: &'a str, ordered_on: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("customer_number", JEANNE),
        ("authority", "Tribunal cantonal vaudois"),
        ("reference", "PE26.004217"),
        ("ordered_on", ordered_on),
        ("scope", "Identité du titulaire du contrat"),
        ("notify_after", notify_after),
    ]
}

async fn only_a_privacy_officer_reads_the_whole_log_and_keeps_the_ledger(backend: Backend) {
    let Some(app) = seeded_app(backend).await else {
        return;
    };
    let jeanne = customer_id(&app, JEANNE).await;
    let luca = customer_id(&app, "C-100002").await;
    let support = staff_id(&app, SUPPORT).await;
    app.store
        .record_audit(&[
            access(support, vec![Role::Support], jeanne, true, "jeanne-entry"),
            access(support, vec![Role::Support], luca, true, "luca-entry"),
        ])
        .await
        .unwrap();
    let today = Utc::now().date_naive().to_string();
    let form = order_form("", &today);
    let calls: [(&str, Vec<(&str, &str)>); 4] = [
        ("list-audit-log", vec![]),
        ("list-disclosures", vec![]),
        ("record-disclosure", form.clone()),
        ("verify-audit-log", vec![]),
    ];
    let customer = sign_in_customer(&app, CUSTOMER).await;
    for email in [SUPPORT, SYSADMIN] {
        let staff = sign_in_staff(&app, email, Utc::now()).await;
        for (name, form) in &calls {
            assert_eq!(
                staff.call(name, form).await.status,
                StatusCode::FORBIDDEN,
                "{email} {name}"
            );
        }
        let page = staff.get("/privacy/log").await;
        assert!(
            !page.body.contains("jeanne-entry"),
            "{email} sees no entry on the privacy officer's page"
        );
    }
    for (name, form) in &calls {
        assert_eq!(
            customer.call(name, form).await.status,
            StatusCode::FORBIDDEN,
            "customer {name}"
        );
    }
    assert_eq!(
        count(&app.store, "SELECT COUNT(*) FROM disclosures").await,
        0
    );

    let officer = sign_in_staff(&app, PRIVACY_OFFICER, Utc::now()).await;
    let whole = log_of(&officer.call("list-audit-log", &[]).await);
    let details: Vec<&str> = whole
        .entries
        .iter()
        .filter_map(|entry| entry.detail.as_deref())
        .collect();
    assert!(details.contains(&"jeanne-entry") && details.contains(&"luca-entry"));
    assert!(whole
        .entries
        .iter()
        .any(|entry| entry.customer.as_ref().is_some_and(|c| c.number == JEANNE)));
    let narrowed = log_of(
        &officer
            .call("list-audit-log", &[("customer_number", "C-100002")])
            .await,
    );
    assert!(narrowed
        .entries
        .iter()
        .all(|entry| entry.customer.as_ref().unwrap().number == "C-100002"));
    let page = officer.get("/privacy/log").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("luca-entry"));

    // Each required part of the order, missing or wrong, is refused on its own field, and nothing is written.
    let entries_before = count(&app.store, "SELECT COUNT(*) FROM audit_log").await;
    for (field, value) in [
        ("customer_number", ""),
        ("customer_number", "C-999999"),
        ("authority", " "),
        ("reference", ""),
        ("ordered_on", ""),
        ("ordered_on", "2999-01-01"),
        ("scope", ""),
        ("notify_after", "bientôt"),
    ] {
        let mut form = form.clone();
        for pair in &mut form {
            if pair.0 == field {
                pair.1 = value;
            }
        }
        let reply = officer.call("record-disclosure", &form).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}: {}",
            reply.body
        );
        assert_eq!(reply.json()["Invalid"]["field"], field, "{field}={value}");
    }
    assert_eq!(
        count(&app.store, "SELECT COUNT(*) FROM disclosures").await,
        0
    );
    assert_eq!(
        count(&app.store, "SELECT COUNT(*) FROM audit_log").await,
        entries_before
    );

    // A complete order: one ledger row, one audit entry in Jeanne's log, which she sees at once.
    let recorded = officer.call("record-disclosure", &form).await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
    assert!(recorded
        .location()
        .unwrap()
        .starts_with("/privacy/disclosures?done=recorded"));
    assert_eq!(
        count(&app.store, "SELECT COUNT(*) FROM disclosures").await,
        1
    );
    assert_eq!(
        count(&app.store, "SELECT COUNT(*) FROM audit_log").await,
        entries_before + 1
    );
    assert_eq!(
        count(&app.store, &format!("SELECT COUNT(*) FROM audit_log WHERE event_code = {DISCLOSURE_RECORDED} AND customer_id = {}", jeanne.0)).await,
        1
    );
    let ledger: serde_json::Value = officer.call("list-disclosures", &[]).await.json();
    assert_eq!(ledger[0]["reference"], "PE26.004217");
    assert_eq!(ledger[0]["visible_to_customer"], true);
    let log = my_log(&customer, &[]).await;
    assert_eq!(log.entries[0].event, AuditEvent::DisclosureRecorded);
    let detail = log.entries[0].detail.clone().unwrap();
    assert!(
        detail.contains("PE26.004217") && detail.contains("Identité du titulaire du contrat"),
        "{detail}"
    );
    let luca_browser = sign_in_customer(&app, OTHER_CUSTOMER).await;
    let theirs = my_log(&luca_browser, &[]).await;
    assert!(theirs
        .entries
        .iter()
        .all(|entry| entry.event != AuditEvent::DisclosureRecorded));
}

async fn a_deferred_disclosure_appears_to_the_customer_once_its_date_has_come(backend: Backend) {
    let Some((app, clock)) = seeded_app_with_clock(backend).await else {
        return;
    };
    let now = app::ports::Clock::now(clock.as_ref());
    let officer = sign_in_staff(&app, PRIVACY_OFFICER, now).await;
    let today = now.date_naive();
    let deferral = (today + Duration::days(2)).to_string();
    let recorded = officer
        .call(
            "record-disclosure",
            &order_form(&deferral, &today.to_string()),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);

    let customer = sign_in_customer(&app, CUSTOMER).await;
    let shows = |log: &AccessLog| {
        log.entries
            .iter()
            .any(|entry| entry.event == AuditEvent::DisclosureRecorded)
    };
    assert!(!shows(&my_log(&customer, &[]).await));
    let export = customer.get("/account/access-log/export.json").await.json();
    assert!(!export["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|entry| entry["event_code"] == DISCLOSURE_RECORDED));
    let ledger: serde_json::Value = officer.call("list-disclosures", &[]).await.json();
    assert_eq!(ledger[0]["visible_to_customer"], false);

    // Two days later (sessions have ended meanwhile) the entry is there, with nobody doing anything.
    clock.advance(Duration::days(2));
    let customer = sign_in_customer(&app, CUSTOMER).await;
    assert!(shows(&my_log(&customer, &[]).await));
    let export = customer.get("/account/access-log/export.json").await.json();
    assert!(export["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|entry| entry["event_code"] == DISCLOSURE_RECORDED));
}

on_both_backends!(
    a_customer_sees_and_exports_their_own_log_only,
    the_customer_filters_narrow_and_pages_follow_on,
    only_a_privacy_officer_reads_the_whole_log_and_keeps_the_ledger,
    a_deferred_disclosure_appears_to_the_customer_once_its_date_has_come,
);
