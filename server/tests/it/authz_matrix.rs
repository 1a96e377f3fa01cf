//! Who may call what: every sign-in server function and every guarded page, called by each kind of caller, against
//! a table of expected answers. The table is printed (`--nocapture`) so the matrix can be read as a whole.
//!
//! Calls use harmless arguments where the function changes something (a wrong current password, a code that is
//! never right), so that a `422` shows the caller got past the authorization check and a `401`/`403` shows they did
//! not. A redirect cell shows where it leads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use reqwest::StatusCode;

use crate::support::auth::{
    account_id, events, seeded_app_with_clock, sign_in_customer, sign_in_staff,
    sign_in_staff_password_only, Browser, Reply, CUSTOMER, OTHER_CUSTOMER, PRIVACY_OFFICER,
    SUPPORT, SUPPORT_AND_SYSADMIN, SYSADMIN, THIRD_CUSTOMER,
};
use crate::support::Backend;
use app::auth::session::session_handle;
use app::ports::Clock;

const CALLERS: [&str; 7] = [
    "anonymous",
    "customer",
    "other customer",
    "staff, no 2nd factor",
    "support",
    "sysadmin",
    "privacy officer",
];

/// Stands for the handle of another session of the customer, which only that customer may end.
const CUSTOMERS_OTHER_SESSION: &str = "<customer's other session>";
const NEVER_A_CODE: &str = "12345";
const WRONG_PASSWORD: &str = "not the current password";

enum Target {
    Page(&'static str),
    Function(&'static str, &'static [(&'static str, &'static str)]),
}

struct Row {
    target: Target,
    expected: [&'static str; 7],
    /// Counts as a failure for the client address, so the clock moves past any delay before each call.
    throttled: bool,
}

const fn page(path: &'static str, expected: [&'static str; 7]) -> Row {
    Row {
        target: Target::Page(path),
        expected,
        throttled: false,
    }
}

const fn function(
    name: &'static str,
    form: &'static [(&'static str, &'static str)],
    expected: [&'static str; 7],
) -> Row {
    Row {
        target: Target::Function(name, form),
        expected,
        throttled: false,
    }
}

const TO_LOGIN_ACCOUNT: &str = "303 /login?next=/account";
const TO_SECOND_FACTOR: &str = "303 /login/second-factor";

/// In order: the rows that end sessions come last.
const MATRIX: [Row; 24] = [
    page(
        "/account",
        [
            TO_LOGIN_ACCOUNT,
            "200",
            "200",
            TO_SECOND_FACTOR,
            "403",
            "403",
            "403",
        ],
    ),
    page(
        "/account/security",
        [
            "303 /login?next=/account/security",
            "404",
            "404",
            TO_SECOND_FACTOR,
            "403",
            "403",
            "403",
        ],
    ),
    page(
        "/security",
        [
            "303 /login?next=/security",
            "200",
            "200",
            TO_SECOND_FACTOR,
            "200",
            "200",
            "200",
        ],
    ),
    page(
        "/staff",
        [
            "303 /login?next=/staff",
            "403",
            "403",
            TO_SECOND_FACTOR,
            "200",
            "200",
            "200",
        ],
    ),
    function(
        "get-me",
        &[],
        ["200 null", "200", "200", "200 null", "200", "200", "200"],
    ),
    // The security page's count of unused recovery codes: anyone fully signed in, their own.
    function(
        "get-my-recovery-code-count",
        &[],
        ["200 null", "200", "200", "200 null", "200", "200", "200"],
    ),
    // The customer's dashboard: a customer's own, refused (and logged) to staff.
    function(
        "get-my-glance",
        &[],
        ["401", "200", "200", "401", "403", "403", "403"],
    ),
    // A requester's choice of mail about their requests: support and system administrators, who ask.
    function(
        "set-answer-mail",
        &[("answer_mail", "on")],
        ["401", "403", "403", "401", "200", "200", "403"],
    ),
    // Webhook delivery attempts: privacy officers only.
    function(
        "list-webhook-attempts",
        &[],
        ["401", "403", "403", "401", "403", "403", "200"],
    ),
    function(
        "list-sessions",
        &[],
        ["401", "200", "200", "401", "200", "200", "200"],
    ),
    function(
        "take-recovery-codes",
        &[],
        ["401", "200", "200", "401", "200", "200", "200"],
    ),
    // Staff are enrolled already: replacing a second factor from a session is refused to everyone.
    function(
        "begin-enrolment",
        &[],
        ["401", "200", "200", "401", "403", "403", "403"],
    ),
    function(
        "confirm-enrolment",
        &[("code", NEVER_A_CODE)],
        ["401", "422", "422", "401", "403", "403", "403"],
    ),
    function(
        "verify-second-factor",
        &[("code", NEVER_A_CODE)],
        ["401", "401", "401", "422", "401", "401", "401"],
    ),
    function(
        "change-password",
        &[
            ("current_password", WRONG_PASSWORD),
            ("new_password", "a new long passphrase"),
        ],
        ["401", "422", "422", "401", "422", "422", "422"],
    ),
    function(
        "request-email-change",
        &[
            ("password", WRONG_PASSWORD),
            ("email", "new.address@example.ch"),
        ],
        ["401", "422", "422", "401", "403", "403", "403"],
    ),
    function(
        "disable-second-factor",
        &[("password", WRONG_PASSWORD)],
        ["401", "422", "422", "401", "403", "403", "403"],
    ),
    function(
        "end-session",
        &[("handle", CUSTOMERS_OTHER_SESSION)],
        ["401", "200", "422", "401", "422", "422", "422"],
    ),
    Row {
        throttled: true,
        ..function(
            "request-password-reset",
            &[("email", "nobody@example.ch")],
            ["200", "200", "200", "200", "200", "200", "200"],
        )
    },
    Row {
        throttled: true,
        ..function(
            "reset-password",
            &[
                (
                    "token",
                    "0000000000000000000000000000000000000000000000000000000000000000",
                ),
                ("password", "a new long passphrase"),
            ],
            ["410", "410", "410", "410", "410", "410", "410"],
        )
    },
    // An invitation's link: anyone holding it, signed in or not; a link that is not one is gone for everyone.
    Row {
        throttled: true,
        ..function(
            "accept-invitation",
            &[
                (
                    "token",
                    "0000000000000000000000000000000000000000000000000000000000000000",
                ),
                ("password", "a new long passphrase"),
            ],
            ["410", "410", "410", "410", "410", "410", "410"],
        )
    },
    // Inviting a customer to set up a login: support only (an unknown customer shows they got past the check).
    function(
        "invite-customer",
        &[("customer_number", "C-999999")],
        ["401", "403", "403", "401", "422", "403", "403"],
    ),
    function(
        "log-out",
        &[],
        ["200", "200", "200", "200", "200", "200", "200"],
    ),
    Row {
        throttled: true,
        ..function(
            "log-in",
            &[
                ("email", THIRD_CUSTOMER),
                ("password", crate::support::auth::DEMO_PASSWORD),
            ],
            ["200", "200", "200", "200", "200", "200", "200"],
        )
    },
];

impl Target {
    fn label(&self) -> String {
        match self {
            Self::Page(path) => format!("GET {path}"),
            Self::Function(name, _) => format!("POST /sf/{name}"),
        }
    }

    /// The path an `AuthorizationRefused` event names.
    fn path(&self) -> String {
        match self {
            Self::Page(path) => (*path).to_owned(),
            Self::Function(name, _) => format!("/sf/{name}"),
        }
    }
}

fn describe(reply: &Reply) -> String {
    let status = reply.status.as_u16();
    match reply.location() {
        Some(location) if reply.status.is_redirection() => format!("{status} {location}"),
        // Functions that only act answer `null` too, but they also say where to go next; `get-me` does not.
        None if reply.status == StatusCode::OK && reply.body == "null" => "200 null".to_owned(),
        _ => status.to_string(),
    }
}

fn print_matrix(rows: &[(String, Vec<String>)]) {
    let width = 34;
    let cell = 33;
    let mut table = format!("{:<width$}", "");
    for caller in CALLERS {
        table.push_str(&format!(" | {caller:<cell$}"));
    }
    table.push('\n');
    for (label, cells) in rows {
        table.push_str(&format!("{label:<width$}"));
        for value in cells {
            table.push_str(&format!(" | {value:<cell$}"));
        }
        table.push('\n');
    }
    eprintln!("{table}");
}

async fn every_caller_gets_the_expected_answer(backend: Backend) {
    let Some((app, clock)) = seeded_app_with_clock(backend).await else {
        return;
    };
    let customers_other_session = sign_in_customer(&app, CUSTOMER).await;
    let other_handle = session_handle(&customers_other_session.cookie().unwrap());
    let callers = [
        Browser::new(&app),
        sign_in_customer(&app, CUSTOMER).await,
        sign_in_customer(&app, OTHER_CUSTOMER).await,
        sign_in_staff_password_only(&app, SUPPORT_AND_SYSADMIN).await,
        sign_in_staff(&app, SUPPORT, clock.now()).await,
        sign_in_staff(&app, SYSADMIN, clock.now()).await,
        sign_in_staff(&app, PRIVACY_OFFICER, clock.now()).await,
    ];
    let accounts = [
        None,
        Some(account_id(&app.store, CUSTOMER).await),
        Some(account_id(&app.store, OTHER_CUSTOMER).await),
        Some(account_id(&app.store, SUPPORT_AND_SYSADMIN).await),
        Some(account_id(&app.store, SUPPORT).await),
        Some(account_id(&app.store, SYSADMIN).await),
        Some(account_id(&app.store, PRIVACY_OFFICER).await),
    ];

    let mut printed = Vec::new();
    let mut mismatches = Vec::new();
    let mut refusals = Vec::new();
    for row in &MATRIX {
        let mut cells = vec![String::new(); CALLERS.len()];
        // Refusals first: a success that uses the object up (ending a session) must not hide a refusal.
        let mut order: Vec<usize> = (0..CALLERS.len()).collect();
        order.sort_by_key(|&column| row.expected[column].starts_with('2'));
        for column in order {
            if row.throttled {
                clock.advance(Duration::seconds(61));
            }
            let caller = &callers[column];
            let reply = match &row.target {
                Target::Page(path) => caller.get(path).await,
                Target::Function(name, form) => {
                    let form: Vec<(&str, &str)> = form
                        .iter()
                        .map(|&(field, value)| match value {
                            CUSTOMERS_OTHER_SESSION => (field, other_handle.as_str()),
                            value => (field, value),
                        })
                        .collect();
                    caller.call(name, &form).await
                }
            };
            let cell = describe(&reply);
            if cell != row.expected[column] {
                mismatches.push(format!(
                    "{} as {}: expected {}, got {cell} ({})",
                    row.target.label(),
                    CALLERS[column],
                    row.expected[column],
                    reply.body.chars().take(200).collect::<String>()
                ));
            }
            if reply.status == StatusCode::FORBIDDEN {
                refusals.push((accounts[column], row.target.path()));
            }
            cells[column] = cell;
        }
        printed.push((row.target.label(), cells));
    }
    print_matrix(&printed);
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));

    // Every refusal of the wrong kind of account left a trace naming who and where.
    let logged = events(&app.store, 1040).await;
    assert_eq!(logged.len(), refusals.len(), "{logged:?}");
    for (account, path) in refusals {
        assert!(
            logged.iter().any(|(who, detail)| {
                *who == account.map(|id| id.0)
                    && detail
                        .as_deref()
                        .is_some_and(|d| d.ends_with(&format!(" at {path}")))
            }),
            "no AuthorizationRefused for {account:?} at {path}: {logged:?}"
        );
    }
}

on_both_backends!(every_caller_gets_the_expected_answer);
