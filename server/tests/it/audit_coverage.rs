//! Every server function and API handler that changes state or lets staff read a customer's data writes an audit
//! entry (charter §2: "des systèmes d'audit sont en place sur tous les éléments sensibles"). The list is generated:
//! the server functions are those Leptos registered, the handlers those the API routes to; each is found in the
//! sources and must reach an audit entry, directly or through the functions it calls. The few that need none are
//! named below with the reason, and the test fails if one of those starts writing entries or disappears, so the
//! list cannot go stale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Server functions that change something or are staff's, yet write no entry, and why that is right.
const NEEDS_NO_ENTRY: [(&str, &str); 14] = [
    ("set_language", "a display preference kept in the visitor's session, nobody's data"),
    ("begin_enrolment", "keeps an unconfirmed secret in the session; confirm_enrolment records the enrolment"),
    ("take_recovery_codes", "removes the codes from the session; the enrolment that made them is on record"),
    ("set_mail_preferences", "the customer's own choice of optional mail, shown on their own messages page"),
    ("set_answer_mail", "a staff member's own choice of mail about their requests, nobody else's data"),
    ("save_charter_draft", "a draft of the public charter, no personal data; publishing it is on record (6000)"),
    ("get_charter_draft", "the draft of the public charter, no personal data"),
    (
        "verify_audit_log",
        "recomputes the chain's hashes and stores the outcome the log pages show; it shows no entry to anyone",
    ),
    ("list_incidents", "the incidents declared (each on record, 6200), with counts, not customers"),
    ("list_disclosures", "the court-order ledger, whose entries are themselves audit entries (4000)"),
    ("list_consent_queue", "the staff member's own requests, each on record when opened (2100)"),
    ("list_cases", "support's open cases, each on record when opened (2000): their own work list"),
    (
        "list_open_data_requests",
        "the privacy officer's work list of requests customers addressed to them (each on record, 6110)",
    ),
    (
        "list_webhook_attempts",
        "attempts to deliver consent events to the operator's platforms: event ids and types, endpoints and \
         answers, no customer's data",
    ),
];

/// API handlers that change something yet write no entry, and why.
const HANDLERS_NEEDING_NO_ENTRY: [(&str, &str); 11] = [
    (
        "mailbox_stats::put",
        "the mail platform pushes aggregates; no person reads or opens anything",
    ),
    (
        "backups::due",
        "the backup system's own work list of snapshots to destroy; no person reads it",
    ),
    ("openapi::document", "the public description of the API"),
    (
        "log::latest",
        "the audit log's public checkpoint: sizes, hashes and a signature",
    ),
    (
        "log::history",
        "the audit log's public checkpoints: sizes, hashes and signatures",
    ),
    (
        "log::consistency",
        "a public proof between two checkpoints: hashes only",
    ),
    (
        "log::public_key",
        "the public key that signs the checkpoints",
    ),
    (
        "events::feed",
        "the platforms' feed of consent events: identifiers only, and each event's change is itself on record",
    ),
    (
        "consent_requests::read",
        "a request's state for the service following it: ids, state and times; each change is on record (2100-2104)",
    ),
    (
        "support_cases::read",
        "a case's state for the ticketing system that keeps it; opening, changing and resolving are on record (2000-2002)",
    ),
    (
        "webhooks::list_webhooks",
        "the calling service's own endpoints; registering and removing them are on record (7002, 7003)",
    ),
];

/// Reads that only ever show the caller their own data or public text.
const READ_VERBS: [&str; 2] = ["get", "list"];

/// Where the server functions, the handlers and the flows and use cases they call live. The adapters below them
/// (storage, mail) only store the entries these build.
const FLOW_SOURCES: [&str; 5] = [
    "app/src/api",
    "app/src/usecases",
    "server/src/http/api",
    "server/src/directory_sync.rs",
    "server/src/tokens.rs",
];

/// Whether `text` builds an audit entry of its own: an audit event, or an account security event other than the
/// refusal every guard records (refusing is not the function's own act).
fn writes_entry(text: &str) -> bool {
    text.contains("AuditEvent::")
        || text.contains("audit.record(")
        || text
            .match_indices("SecurityEventKind::")
            .any(|(at, marker)| !text[at + marker.len()..].starts_with("AuthorizationRefused"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    if dir.is_file() {
        return vec![dir.to_owned()];
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable sources").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
    found
}

/// The functions defined at any depth in `text`, each with its text up to the next definition.
fn functions(text: &str) -> Vec<(String, String)> {
    let starts: Vec<(usize, String)> = text
        .match_indices("fn ")
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            before.is_none_or(|c| c.is_whitespace())
        })
        .filter_map(|(at, _)| {
            let name: String = text[at + 3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some((at, name))
        })
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(index, (at, name))| {
            let end = starts.get(index + 1).map_or(text.len(), |(next, _)| *next);
            (name.clone(), text[*at..end].to_owned())
        })
        .collect()
}

/// Whether `body` calls `name` (its own definition, `fn name(`, is not a call).
fn calls(body: &str, name: &str) -> bool {
    body.match_indices(&format!("{name}(")).any(|(at, _)| {
        let before = &body[..at];
        !before.ends_with("fn ")
            && before
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

/// The names of the flow functions that reach an audit entry: those that write one, then those that call one of
/// them, until nothing changes. Names are not paths, so a function shares the verdict of any other of its name in
/// the flow sources (there are few such pairs, e.g. a server function and the use case it calls).
fn auditing_functions(bodies: &BTreeMap<String, Vec<String>>) -> BTreeSet<String> {
    let mut auditing: BTreeSet<String> = bodies
        .iter()
        .filter(|(_, texts)| texts.iter().any(|text| writes_entry(text)))
        .map(|(name, _)| name.clone())
        .collect();
    loop {
        let more: Vec<String> = bodies
            .iter()
            .filter(|(name, _)| !auditing.contains(*name))
            .filter(|(_, texts)| {
                texts
                    .iter()
                    .any(|text| auditing.iter().any(|callee| calls(text, callee)))
            })
            .map(|(name, _)| name.clone())
            .collect();
        if more.is_empty() {
            return auditing;
        }
        auditing.extend(more);
    }
}

struct Sources {
    bodies: BTreeMap<String, Vec<String>>,
    /// Server function endpoint (as in `#[server(endpoint = …)]`) → (function name, its text).
    server_functions: BTreeMap<String, (String, String)>,
}

fn sources() -> Sources {
    let mut bodies: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut server_functions = BTreeMap::new();
    for dir in FLOW_SOURCES {
        for path in rust_files(&root().join(dir)) {
            let text = std::fs::read_to_string(&path).expect("a source file");
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (name, body) in functions(text) {
                bodies.entry(name).or_default().push(body);
            }
            // `#[server(prefix` opens the attribute; `#[server(flatten)]` on an argument is another thing.
            for (at, _) in text.match_indices("#[server(prefix") {
                let attribute = &text[at..text[at..].find(")]").map_or(text.len(), |end| at + end)];
                let endpoint = attribute
                    .split("endpoint = \"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .expect("every server function names its endpoint");
                let (name, body) = functions(&text[at..])
                    .into_iter()
                    .next()
                    .expect("a function after #[server]");
                server_functions.insert(endpoint.to_owned(), (name, body));
            }
        }
    }
    Sources {
        bodies,
        server_functions,
    }
}

fn reads_as_staff(body: &str) -> bool {
    [
        "require_role::<",
        "require_staff(",
        "require_operational(",
        "require_supervisor(",
    ]
    .iter()
    .any(|guard| body.contains(guard))
}

fn changes_state(name: &str) -> bool {
    let verb = name.split('_').next().unwrap_or_default();
    !READ_VERBS.contains(&verb)
}

/// What the check found against what the exemption list says.
#[derive(Default)]
struct Verdicts {
    silent: Vec<String>,
    exempt_but_auditing: Vec<String>,
}

impl Verdicts {
    fn judge(&mut self, what: &str, audits: bool, exempt: bool) {
        match (audits, exempt) {
            (false, false) => self.silent.push(what.to_owned()),
            (true, true) => self.exempt_but_auditing.push(what.to_owned()),
            _ => {}
        }
    }

    /// `unknown`: the exempt names that match nothing, so that the list cannot go stale.
    fn assert_kept(self, list: &str, unknown: &[&&str]) {
        let Self {
            silent,
            exempt_but_auditing,
        } = self;
        assert!(silent.is_empty(), "these write no audit entry: {silent:?}");
        assert!(
            exempt_but_auditing.is_empty(),
            "these write entries now: take them off {list}: {exempt_but_auditing:?}"
        );
        assert!(
            unknown.is_empty(),
            "{list} names what does not exist: {unknown:?}"
        );
    }
}

#[test]
fn every_server_function_that_changes_state_or_reads_as_staff_writes_an_audit_entry() {
    let sources = sources();
    let auditing = auditing_functions(&sources.bodies);
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/sf/").to_owned())
        .collect();
    let found: BTreeSet<String> = sources.server_functions.keys().cloned().collect();
    assert!(registered.len() > 40, "Leptos registered {registered:?}");
    assert_eq!(
        registered, found,
        "the registered server functions are those found in the sources"
    );

    let exempt: BTreeMap<&str, &str> = NEEDS_NO_ENTRY.into_iter().collect();
    let mut verdicts = Verdicts::default();
    let mut checked = 0;
    for (name, body) in sources.server_functions.values() {
        if !changes_state(name) && !reads_as_staff(body) {
            continue;
        }
        checked += 1;
        let audits = writes_entry(body) || auditing.iter().any(|callee| calls(body, callee));
        verdicts.judge(name, audits, exempt.contains_key(name.as_str()));
    }
    let names: BTreeSet<&String> = sources
        .server_functions
        .values()
        .map(|(name, _)| name)
        .collect();
    let unknown: Vec<&&str> = exempt
        .keys()
        .filter(|name| !names.iter().any(|known| known.as_str() == **name))
        .collect();
    assert!(
        checked > 30,
        "only {checked} server functions found to check"
    );
    verdicts.assert_kept("NEEDS_NO_ENTRY", &unknown);
}

#[test]
fn every_api_handler_that_changes_state_writes_an_audit_entry() {
    let sources = sources();
    let auditing = auditing_functions(&sources.bodies);
    let exempt: BTreeMap<&str, &str> = HANDLERS_NEEDING_NO_ENTRY.into_iter().collect();
    let mut verdicts = Verdicts::default();
    for (method, handler) in server::http::api::HANDLERS {
        let (module, name) = handler.split_once("::").expect("module::handler");
        let path = root().join(format!("server/src/http/api/{module}.rs"));
        let text = std::fs::read_to_string(&path).expect("the handler's file");
        let body = functions(&text)
            .into_iter()
            .find(|(found, _)| found == name)
            .map(|(_, body)| body)
            .unwrap_or_else(|| panic!("{handler} is in {}", path.display()));
        let audits = writes_entry(&body) || auditing.iter().any(|callee| calls(&body, callee));
        verdicts.judge(
            &format!("{method} {handler}"),
            audits,
            exempt.contains_key(handler),
        );
    }
    let routed: BTreeSet<&str> = server::http::api::HANDLERS
        .iter()
        .map(|(_, handler)| *handler)
        .collect();
    let unknown: Vec<&&str> = exempt
        .keys()
        .filter(|handler| !routed.contains(**handler))
        .collect();
    verdicts.assert_kept("HANDLERS_NEEDING_NO_ENTRY", &unknown);
}

#[test]
fn the_scanner_finds_entries_written_two_calls_away() {
    let text = "pub async fn outer() {\n    middle(1);\n}\nfn middle(x: u8) {\n    inner();\n}\nfn inner() {\n    \
                let e = AuditEvent::CaseOpened;\n}\nfn unrelated() {\n    remiddle(2);\n}\nfn remiddle(x: u8) {}\n";
    let mut bodies: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, body) in functions(text) {
        bodies.entry(name).or_default().push(body);
    }
    let auditing = auditing_functions(&bodies);
    assert_eq!(
        auditing.into_iter().collect::<Vec<_>>(),
        ["inner", "middle", "outer"],
        "a call to a function whose name merely ends like an auditing one does not count"
    );
}

#[test]
fn a_refusal_by_the_guard_is_not_the_function_s_own_entry() {
    assert!(!writes_entry(
        "let e = event(SecurityEventKind::AuthorizationRefused, c);"
    ));
    assert!(writes_entry(
        "SecurityEventKind::AuthorizationRefused; SecurityEventKind::Logout"
    ));
    assert!(writes_entry("AuditEvent::CaseOpened"));
    assert!(!writes_entry("let audit = 1;"));
}
