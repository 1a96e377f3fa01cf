//! The dashboard's records, read together on one connection, are what the single reads give, and only the
//! customer's own.

use super::*;
use crate::support::Backend;
use app::domain::consent::{GrantTerms, Teams};
use app::ports::{Affected, AuditFilter, AuditReader, DashboardStore, MailStore, ServiceKind};
use app::usecases::notices::{declare_incident, IncidentText};

async fn the_glance_reads_what_the_single_reads_give(backend: Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let case = f.open_case(t(0)).await;
    f.store_request(&request(MAILBOX, Some(case.id), t(1)))
        .await;
    f.store_request(&request(BACKUP, None, t(2))).await;
    let given =
        GrantTerms::on_customer_initiative(draft(BACKUP, None, 60), Teams::Support, t(3)).unwrap();
    f.store
        .create_grant(
            f.customer,
            &given,
            None,
            None,
            &f.by_customer(AuditEvent::GrantGivenByCustomer, t(3)),
        )
        .await
        .unwrap();
    let about_the_other = |event| AuditEntry {
        customer: Some(f.other),
        ..f.by_support(event, t(4))
    };
    let others_case = f
        .store
        .open_case(
            &NewSupportCase {
                customer: f.other,
                subject: app::domain::consent::CaseSubject::parse("Mail bounces").unwrap(),
                opened_by: f.support,
                reference: None,
            },
            &about_the_other(AuditEvent::CaseOpened),
        )
        .await
        .unwrap();
    f.store
        .create_request(
            f.other,
            f.support,
            &request(OTHER_MAILBOX, Some(others_case.id), t(4)),
            &about_the_other(AuditEvent::RequestOpened),
            &f.request_notice(),
        )
        .await
        .unwrap();
    let text = IncidentText::parse(
        "Mail node lost",
        "A disk failed.",
        "Mail of the last hour is delayed.",
        vec![ServiceKind::Mailbox],
    )
    .unwrap();
    for customer in [f.customer, f.other] {
        declare_incident(
            &f.store,
            text.clone(),
            Affected::Customers(vec![customer]),
            f.sysadmin,
            &[Role::PrivacyOfficer],
            "http://portal.example",
            t(5),
        )
        .await
        .unwrap();
    }

    let glance = f.store.glance_records(f.customer, 3, t(6)).await.unwrap();
    let own_log = AuditFilter {
        customer: Some(f.customer),
        ..AuditFilter::default()
    };
    assert_eq!(
        glance.requests,
        f.store.requests_of_customer(f.customer).await.unwrap()
    );
    assert_eq!(
        glance.requests.len(),
        2,
        "the other customer's request is not read"
    );
    assert_eq!(
        glance.grants,
        f.store.grants_of_customer(f.customer).await.unwrap()
    );
    assert_eq!(glance.grants.len(), 1);
    assert_eq!(
        glance.recent,
        f.store
            .audit_lines(&own_log, true, None, 3, t(6))
            .await
            .unwrap()
    );
    assert_eq!(
        glance.recent.len(),
        3,
        "the newest three of the customer's entries"
    );
    assert!(glance
        .recent
        .iter()
        .all(|line| line.record.entry.customer == Some(f.customer)));
    assert_eq!(
        glance.incidents,
        f.store.incidents_of(f.customer).await.unwrap()
    );
    assert_eq!(
        glance.incidents.len(),
        1,
        "only the incident that concerns them"
    );
}

on_both_backends!(the_glance_reads_what_the_single_reads_give);
