//! Random histories checked against the reference model, and revocation checked on its own.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use std::collections::BTreeMap;

use super::model::{
    operational, request_state, resolved_case, takes_consent, valid_duration, Model, ModelGrant,
    ModelHolder, ModelRequest,
};
use super::{
    at, draft, oral_consent, reason, resource, roles, ACTIONS, CONSENT_TARGETS, MAX_GRANT_MINUTES,
    UNIVERSE,
};
use crate::domain::consent::*;
use crate::domain::StaffId;

#[derive(Debug, Clone)]
enum Event {
    Open {
        target: usize,
        case: Option<i64>,
        actions: u8,
        minutes: i64,
        roles: u8,
        by: i64,
    },
    /// `widen` opens the grant to a team (an index into [`TEAMS`]) instead of the requester.
    Approve {
        request: usize,
        shorter: Option<i64>,
        widen: Option<usize>,
    },
    Deny {
        request: usize,
    },
    Withdraw {
        request: usize,
    },
    Expire {
        request: usize,
    },
    Grant {
        target: usize,
        case: Option<i64>,
        actions: u8,
        minutes: i64,
        /// The roles and number of the staff member who records an oral consent.
        oral_by: Option<(u8, i64)>,
        /// The teams (an index into [`TEAMS`]) a grant on the customer's initiative is for.
        teams: usize,
        /// Twice is a double submission: two grants identical to the minute, a tie for the policy to break.
        copies: usize,
    },
    Revoke {
        grant: usize,
    },
    Resolve {
        case: i64,
    },
    Advance {
        minutes: i64,
    },
    Check {
        staff: i64,
        roles: u8,
        resource: usize,
        action: usize,
    },
}

/// The teams a customer may open a grant to, with their role masks for the model.
const TEAMS: [(Teams, u8); 3] = [
    (Teams::Support, 0b01),
    (Teams::Sysadmins, 0b10),
    (Teams::SupportAndSysadmins, 0b11),
];

/// Few staff members, so that the same person asks, records and checks often.
fn staff() -> impl Strategy<Value = i64> {
    1i64..=3
}

/// Round durations often, so that ends coincide and ties and boundaries get exercised.
fn minutes() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => 1i64..=3000,
        6 => prop::sample::select(vec![1, 30, 60, 120, 1440]),
        1 => Just(MAX_GRANT_MINUTES),
        1 => Just(MAX_GRANT_MINUTES + 1),
        1 => -5i64..=0,
    ]
}

fn advance() -> impl Strategy<Value = i64> {
    prop_oneof![
        1 => 0i64..=900,
        1 => prop::sample::select(vec![0, 1, 30, 60, 720]),
    ]
}

fn case() -> impl Strategy<Value = Option<i64>> {
    prop::option::weighted(0.8, 1i64..=3)
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        3 => (0..CONSENT_TARGETS, case(), 1u8..16, minutes(), 0u8..8, staff())
            .prop_map(|(target, case, actions, minutes, roles, by)| Event::Open { target, case, actions, minutes, roles, by }),
        3 => (any::<usize>(), prop::option::of(minutes()), prop::option::of(0..TEAMS.len()))
            .prop_map(|(request, shorter, widen)| Event::Approve { request, shorter, widen }),
        1 => any::<usize>().prop_map(|request| Event::Deny { request }),
        1 => any::<usize>().prop_map(|request| Event::Withdraw { request }),
        1 => any::<usize>().prop_map(|request| Event::Expire { request }),
        2 => (0..CONSENT_TARGETS, case(), 1u8..16, minutes(), prop::option::of((0u8..8, staff())), 0..TEAMS.len(), 1usize..=2)
            .prop_map(|(target, case, actions, minutes, oral_by, teams, copies)| Event::Grant { target, case, actions, minutes, oral_by, teams, copies }),
        2 => any::<usize>().prop_map(|grant| Event::Revoke { grant }),
        1 => (1i64..=3).prop_map(|case| Event::Resolve { case }),
        3 => advance().prop_map(|minutes| Event::Advance { minutes }),
        8 => (staff(), 0u8..8, 0..UNIVERSE.len(), 0..ACTIONS.len())
            .prop_map(|(staff, roles, resource, action)| Event::Check { staff, roles, resource, action }),
    ]
}

/// The domain's side of a history, with the reference model beside it.
#[derive(Debug, Default)]
struct World {
    now: i64,
    requests: Vec<ConsentRequest>,
    grants: Vec<Grant>,
    /// Case resolutions are a fact both sides are told, in minutes.
    resolved: BTreeMap<i64, i64>,
    revocations: Vec<(GrantId, i64)>,
    model: Model,
}

fn transition_kind(error: &TransitionError) -> &'static str {
    match error {
        TransitionError::Expired { .. } => "expired",
        TransitionError::Closed { .. } => "closed",
        TransitionError::LongerThanRequested { .. } => "longer",
        TransitionError::StillOpen { .. } => "still-open",
    }
}

impl World {
    fn case_resolved_at(&self, grant: &Grant) -> Option<DateTime<Utc>> {
        let case = grant.terms().scope().case()?;
        self.resolved.get(&case.0).map(|m| at(*m))
    }

    /// What the model expects of answering a request now: `Ok` or the kind of refusal.
    fn model_answer(&self, i: usize) -> Result<(), &'static str> {
        match request_state(&self.model.requests[i], self.now) {
            "pending" => Ok(()),
            "expired" => Err("expired"),
            _ => Err("closed"),
        }
    }

    fn apply(&mut self, event: &Event) -> Result<(), TestCaseError> {
        let now = self.now;
        match *event {
            Event::Open {
                target,
                case,
                actions,
                minutes,
                roles: mask,
                by,
            } => {
                let expected = operational(mask)
                    && takes_consent(UNIVERSE[target].0, case)
                    && valid_duration(minutes);
                let opened = GrantDuration::from_minutes(minutes)
                    .ok()
                    .and_then(|duration| {
                        ConsentRequest::open(
                            &roles(mask),
                            draft(target, case, actions, duration),
                            reason(),
                            AnswerWindow::default(),
                            at(now),
                        )
                        .ok()
                    });
                prop_assert_eq!(opened.is_some(), expected, "open {:?}", event);
                if let Some(request) = opened {
                    self.requests.push(request);
                    let target = UNIVERSE[target].0;
                    self.model.requests.push(ModelRequest {
                        target,
                        case,
                        actions,
                        minutes,
                        opened: now,
                        closed: None,
                        by,
                    });
                }
            }
            Event::Approve {
                request,
                shorter,
                widen,
            } => {
                if self.requests.is_empty() || shorter.is_some_and(|m| !valid_duration(m)) {
                    return Ok(());
                }
                let i = request % self.requests.len();
                let asked = self.model.requests[i].clone();
                let granted = shorter.unwrap_or(asked.minutes);
                let expected = if self.model_answer(i).is_ok() && granted > asked.minutes {
                    Err("longer")
                } else {
                    self.model_answer(i)
                };
                let shorter = shorter.map(|m| GrantDuration::from_minutes(m).unwrap());
                let (holder, model_holder) = match widen {
                    Some(team) => (
                        GrantHolder::Teams(TEAMS[team].0),
                        ModelHolder::Teams(TEAMS[team].1),
                    ),
                    None => (
                        GrantHolder::StaffMember(StaffId(asked.by)),
                        ModelHolder::Person(asked.by),
                    ),
                };
                let outcome = self.requests[i].approve(at(now), shorter, holder);
                prop_assert_eq!(
                    outcome.as_ref().map(|_| ()).map_err(transition_kind),
                    expected
                );
                if let Ok(approval) = outcome {
                    self.requests[i] = approval.request;
                    let id = GrantId(self.grants.len() as i64 + 1);
                    self.grants.push(Grant::new(id, approval.grant));
                    self.model.requests[i].closed = Some("approved");
                    self.model.grants.push(ModelGrant {
                        target: asked.target,
                        case: asked.case,
                        actions: asked.actions,
                        start: now,
                        limit: now + granted,
                        revoked: None,
                        holder: model_holder,
                    });
                }
            }
            Event::Deny { request } | Event::Withdraw { request } => {
                if self.requests.is_empty() {
                    return Ok(());
                }
                let i = request % self.requests.len();
                let expected = self.model_answer(i);
                let (outcome, state) = match event {
                    Event::Deny { .. } => (self.requests[i].deny(at(now), None), "denied"),
                    _ => (self.requests[i].withdraw(at(now)), "withdrawn"),
                };
                prop_assert_eq!(
                    outcome.as_ref().map(|_| ()).map_err(transition_kind),
                    expected
                );
                if let Ok(request) = outcome {
                    self.requests[i] = request;
                    self.model.requests[i].closed = Some(state);
                }
            }
            Event::Expire { request } => {
                if self.requests.is_empty() {
                    return Ok(());
                }
                let i = request % self.requests.len();
                let request = &self.model.requests[i];
                let expected = match (request.closed, request_state(request, now)) {
                    (None, "pending") => Err("still-open"),
                    (None, _) => Ok(()),
                    (Some(_), _) => Err("closed"),
                };
                let outcome = self.requests[i].expire(at(now));
                prop_assert_eq!(
                    outcome.as_ref().map(|_| ()).map_err(transition_kind),
                    expected
                );
                if let Ok(request) = outcome {
                    self.requests[i] = request;
                    self.model.requests[i].closed = Some("expired");
                }
            }
            Event::Grant {
                target,
                case,
                actions,
                minutes,
                oral_by,
                teams,
                copies,
            } => {
                let expected = valid_duration(minutes)
                    && takes_consent(UNIVERSE[target].0, case)
                    && oral_by.is_none_or(|(mask, _)| operational(mask));
                let terms = GrantDuration::from_minutes(minutes)
                    .ok()
                    .and_then(|duration| {
                        let draft = draft(target, case, actions, duration);
                        match oral_by {
                            Some((mask, by)) => GrantTerms::oral(
                                StaffId(by),
                                &roles(mask),
                                draft,
                                oral_consent(),
                                at(now),
                            )
                            .ok(),
                            None => {
                                GrantTerms::on_customer_initiative(draft, TEAMS[teams].0, at(now))
                                    .ok()
                            }
                        }
                    });
                prop_assert_eq!(terms.is_some(), expected, "grant {:?}", event);
                for terms in terms.iter().cycle().take(copies) {
                    let id = GrantId(self.grants.len() as i64 + 1);
                    self.grants.push(Grant::new(id, terms.clone()));
                    let target = UNIVERSE[target].0;
                    self.model.grants.push(ModelGrant {
                        target,
                        case,
                        actions,
                        start: now,
                        limit: now + minutes,
                        revoked: None,
                        holder: oral_by.map_or(ModelHolder::Teams(TEAMS[teams].1), |(_, by)| {
                            ModelHolder::Person(by)
                        }),
                    });
                }
            }
            Event::Revoke { grant } => {
                if self.grants.is_empty() {
                    return Ok(());
                }
                let i = grant % self.grants.len();
                let model = &self.model.grants[i];
                let still_running = now < model.limit
                    && model.revoked.is_none()
                    && resolved_case(model, &self.resolved).is_none_or(|r| now < r);
                let outcome =
                    self.grants[i].revoke(at(now), self.case_resolved_at(&self.grants[i]));
                prop_assert_eq!(outcome.is_ok(), still_running, "revoke grant {}", i + 1);
                if let Ok(revoked) = outcome {
                    self.revocations.push((revoked.id(), now));
                    self.grants[i] = revoked;
                    self.model.grants[i].revoked = Some(now);
                }
            }
            Event::Resolve { case } => {
                self.resolved.entry(case).or_insert(now);
            }
            Event::Advance { minutes } => self.now += minutes,
            Event::Check {
                staff,
                roles: mask,
                resource: index,
                action,
            } => self.check(staff, mask, index, action)?,
        }
        Ok(())
    }

    fn check(
        &self,
        staff: i64,
        mask: u8,
        index: usize,
        action: usize,
    ) -> Result<(), TestCaseError> {
        let now = self.now;
        let mut views: Vec<GrantView<'_>> = self
            .grants
            .iter()
            .map(|grant| GrantView {
                grant,
                case_resolved_at: self.case_resolved_at(grant),
            })
            .collect();
        let decision = decide(
            StaffId(staff),
            &roles(mask),
            &resource(index),
            ACTIONS[action],
            &views,
            at(now),
        );
        let expected = self
            .model
            .decide(staff, mask, index, action, now, &self.resolved);
        prop_assert_eq!(
            decision,
            expected,
            "staff {} {:?} {} {} at minute {}",
            staff,
            roles(mask),
            UNIVERSE[index].0,
            ACTIONS[action],
            now
        );

        views.reverse();
        prop_assert_eq!(
            decide(
                StaffId(staff),
                &roles(mask),
                &resource(index),
                ACTIONS[action],
                &views,
                at(now)
            ),
            decision,
            "the order grants are given in must not matter"
        );

        if let Decision::Allow {
            basis: Basis::Grant(id),
            ..
        } = decision
        {
            for (revoked, when) in &self.revocations {
                prop_assert!(
                    *revoked != id || now < *when,
                    "grant {} revoked at {} still allows at {}",
                    id,
                    when,
                    now
                );
            }
            let grant = &self.grants[(id.0 - 1) as usize];
            prop_assert!(
                grant
                    .terms()
                    .holder()
                    .admits(StaffId(staff), &roles(mask))
                    .is_some(),
                "grant {} given to {:?} lets in staff member {}",
                id,
                grant.terms().holder(),
                staff
            );
            if let Some(case) = grant.terms().scope().bound_case() {
                let resolved = self.resolved.get(&case.0);
                prop_assert!(
                    resolved.is_none_or(|r| now < *r),
                    "case {} resolved, grant {} still allows",
                    case,
                    id
                );
            }
        }

        for (request, model) in self.requests.iter().zip(&self.model.requests) {
            prop_assert_eq!(
                request.state_at(at(now)).kind().as_str(),
                request_state(model, now)
            );
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_policy_agrees_with_the_reference_model_over_random_histories(
        events in prop::collection::vec(event(), 1..80)
    ) {
        let mut world = World::default();
        for event in &events {
            world.apply(event)?;
        }
    }

    #[test]
    fn after_revocation_no_check_at_or_after_that_time_allows_through_the_revoked_grant(
        target in 1usize..5,
        grant_minutes in 1i64..=3000,
        other_minutes in 1i64..=3000,
        revoke_seed in 0i64..3000,
        checks in prop::collection::vec((0i64..6000, 1i64..=3, 0u8..8, 0..UNIVERSE.len(), 0..ACTIONS.len()), 1..40),
    ) {
        let case = Some(1);
        let make = |id, minutes| {
            let duration = GrantDuration::from_minutes(minutes).unwrap();
            Grant::new(GrantId(id), GrantTerms::on_customer_initiative(draft(target, case, 0b1111, duration), Teams::SupportAndSysadmins, at(0)).unwrap())
        };
        // Revoked while it still runs: revoking an ended grant is refused, which another test covers.
        let revoke_at = revoke_seed % grant_minutes;
        let grants = [make(1, grant_minutes).revoke(at(revoke_at), None).unwrap(), make(2, other_minutes)];
        let views: Vec<GrantView<'_>> = grants.iter().map(|grant| GrantView { grant, case_resolved_at: None }).collect();
        for (offset, staff, mask, index, action) in checks {
            let decision = decide(StaffId(staff), &roles(mask), &resource(index), ACTIONS[action], &views, at(revoke_at + offset));
            prop_assert!(
                !matches!(decision, Decision::Allow { basis: Basis::Grant(GrantId(1)), .. }),
                "allowed through the revoked grant {} minutes after revocation", offset
            );
        }
    }
}
