use chrono::{Duration, TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::domain::consent::{
    Action, ActionSet, AnswerWindow, ConsentDraft, GrantDuration, GrantTerms, Reason, ReasonCode,
    ReasonText, ResourceId, SupportCaseId, Teams,
};
use crate::domain::Role;

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000, 0).single().unwrap() + Duration::minutes(minutes)
}

fn customer() -> CustomerNumber {
    CustomerNumber::parse("C-100001").unwrap()
}

fn draft(resource: &str, case: Option<i64>) -> ConsentDraft {
    ConsentDraft {
        resource: ResourceId::parse(resource).unwrap(),
        case: case.map(SupportCaseId),
        actions: ActionSet::single(Action::Read),
        duration: GrantDuration::from_minutes(60).unwrap(),
    }
}

fn mailbox_grant() -> Grant {
    let terms = GrantTerms::on_customer_initiative(
        draft("mailbox:jeanne@example.ch", Some(7)),
        Teams::Support,
        t(0),
    )
    .unwrap();
    Grant::new(GrantId(42), terms)
}

#[test]
fn the_published_type_names_do_not_change() {
    let names: Vec<&str> = ConsentEventType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(
        names,
        [
            "grant.created",
            "grant.revoked",
            "grant.expired",
            "grant.ended",
            "request.opened",
            "request.answered",
            "request.withdrawn",
            "request.expired"
        ]
    );
    let ending: Vec<&str> = ConsentEventType::ALL
        .iter()
        .filter(|t| t.ends_access())
        .map(|t| t.as_str())
        .collect();
    assert_eq!(ending, ["grant.revoked", "grant.expired", "grant.ended"]);
}

#[test]
fn a_grant_event_carries_identifiers_and_times_only() {
    let grant = mailbox_grant();
    let created = ConsentEvent::grant_created(&grant, None, &customer(), t(0));
    assert_eq!(
        serde_json::to_value(&created).unwrap(),
        json!({
            "type": "grant.created",
            "timestamp": "2027-01-15T08:00:00Z",
            "data": {
                "grant": 42,
                "request": null,
                "customer": "C-100001",
                "resource": "mailbox:jeanne@example.ch",
                "case": 7,
                "actions": "read",
                "usable_by": {"kind": "teams", "value": "support"},
                "starts_at": "2027-01-15T08:00:00Z",
                "limit": "2027-01-15T09:00:00Z",
                "state": "active",
                "ended_at": null,
                "end_reason": null
            }
        })
    );
}

#[test]
fn each_way_a_grant_ends_has_its_type_and_says_when_and_why() {
    let grant = mailbox_grant();
    let revoked = grant.revoke(t(10), None).unwrap();
    let cases = [
        (revoked.end(None), "grant.revoked", "revoked", t(10)),
        (
            grant.end(Some(t(20))),
            "grant.ended",
            "case-resolved",
            t(20),
        ),
        (grant.end(None), "grant.expired", "time-limit", t(60)),
    ];
    for (end, event_type, reason, at) in cases {
        let event = ConsentEvent::grant_ended(&grant, None, &customer(), end);
        let value = serde_json::to_value(&event).unwrap();
        assert_eq!(value["type"], event_type);
        assert_eq!(value["data"]["state"], "ended");
        assert_eq!(value["data"]["end_reason"], reason);
        assert_eq!(event.timestamp, at);
        assert_eq!(value["data"]["ended_at"], serde_json::to_value(at).unwrap());
        assert!(event.event_type.ends_access());
    }
}

#[test]
fn a_request_event_follows_the_request_through_its_states() {
    let reason = Reason {
        code: ReasonCode::CustomerSupport,
        text: ReasonText::parse("webmail is slow").unwrap(),
    };
    let request = ConsentRequest::open(
        &[Role::Support],
        draft("backup-space:backup-favre", None),
        reason,
        AnswerWindow::default(),
        t(0),
    )
    .unwrap();
    let id = ConsentRequestId(5);
    let opened = ConsentEvent::request_changed(id, &request, &customer(), None);
    let value = serde_json::to_value(&opened).unwrap();
    assert_eq!(value["type"], "request.opened");
    assert_eq!(value["data"]["state"], "pending");
    assert_eq!(value["data"]["request"], 5);
    assert_eq!(value["data"]["grant"], serde_json::Value::Null);
    assert_eq!(opened.subject(), ("request", 5));

    let approval = request
        .approve(
            t(5),
            None,
            crate::domain::consent::GrantHolder::Teams(Teams::Support),
        )
        .unwrap();
    let answered =
        ConsentEvent::request_changed(id, &approval.request, &customer(), Some(GrantId(9)));
    let value = serde_json::to_value(&answered).unwrap();
    assert_eq!(value["type"], "request.answered");
    assert_eq!(value["data"]["state"], "approved");
    assert_eq!(value["data"]["grant"], 9);
    assert_eq!(answered.timestamp, t(5));

    let denied = request.deny(t(6), None).unwrap();
    let value = serde_json::to_value(ConsentEvent::request_changed(
        id,
        &denied,
        &customer(),
        None,
    ))
    .unwrap();
    assert_eq!(
        (value["type"].as_str(), value["data"]["state"].as_str()),
        (Some("request.answered"), Some("denied"))
    );

    let withdrawn = request.withdraw(t(7)).unwrap();
    let value = serde_json::to_value(ConsentEvent::request_changed(
        id,
        &withdrawn,
        &customer(),
        None,
    ))
    .unwrap();
    assert_eq!(value["type"], "request.withdrawn");

    let expired = request.expire(t(24 * 60)).unwrap();
    let event = ConsentEvent::request_changed(id, &expired, &customer(), None);
    assert_eq!(
        serde_json::to_value(&event).unwrap()["type"],
        "request.expired"
    );
    assert_eq!(event.timestamp, t(24 * 60), "at the end of the window");
}
