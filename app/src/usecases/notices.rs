//! The portal's own communications (charter §3): incident notices, new-service announcements and terms-change
//! notices. Each is rendered once per language as text and HTML, from the same parts, with every piece of user
//! data escaped in the HTML, then queued to its recipients in the store's transaction; sending is the mail worker's
//! job, so whoever declares or publishes never waits for it.

use chrono::{DateTime, Utc};

use crate::domain::{AuditEvent, InvalidInput, Role};
use crate::ports::{
    Actor, Affected, AuditBasis, AuditEntry, LocalizedMail, MailKind, NewIncident, RenderedNotice,
    ServiceKind, StaffId, Storage, StorageError,
};

#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A short line that ends up in a mail header (the subject): no control character at all, so that no header can
/// be injected, and a length a mail client shows whole.
pub fn header_line(field: &'static str, raw: &str, max: usize) -> Result<String, InvalidInput> {
    let line = raw.trim();
    if line.is_empty() {
        return Err(InvalidInput::new(field, "must not be empty"));
    }
    if line.chars().any(char::is_control) {
        return Err(InvalidInput::new(field, "must be a single line"));
    }
    if line.chars().count() > max {
        return Err(InvalidInput::new(field, "is too long"));
    }
    Ok(line.to_owned())
}

/// Free text for a body: line breaks kept (as `\n`), other control characters refused.
pub fn body_text(field: &'static str, raw: &str, max: usize) -> Result<String, InvalidInput> {
    let text = normalise_line_endings(raw.trim());
    if text.is_empty() {
        return Err(InvalidInput::new(field, "must not be empty"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(InvalidInput::new(field, "contains control characters"));
    }
    if text.chars().count() > max {
        return Err(InvalidInput::new(field, "is too long"));
    }
    Ok(text)
}

/// `\r\n` and a lone `\r` both become `\n`: a body never carries a bare CR or LF to the mail builder, which turns
/// each `\n` into `\r\n`.
pub fn normalise_line_endings(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Plain text as HTML: escaped, paragraphs at blank lines, line breaks kept, web addresses as links.
pub fn text_to_html(text: &str) -> String {
    let paragraphs: Vec<String> = normalise_line_endings(text)
        .split("\n\n")
        .map(str::trim)
        .filter(|paragraph| !paragraph.is_empty())
        .map(|paragraph| {
            let lines: Vec<String> = paragraph.lines().map(linked_line).collect();
            format!("<p>{}</p>", lines.join("<br>\n"))
        })
        .collect();
    page(&paragraphs.join("\n"))
}

fn linked_line(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            let escaped = escape_html(word);
            if word.starts_with("https://") || word.starts_with("http://") {
                format!("<a href=\"{escaped}\">{escaped}</a>")
            } else {
                escaped
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn page(content: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n<body style=\"font-family: sans-serif; \
         line-height: 1.5; max-width: 40em\">\n{content}\n</body></html>\n"
    )
}

/// A letter from the portal: the parts both the text and the HTML version are built from.
struct Letter<'a> {
    subject: String,
    greeting: &'a str,
    intro: String,
    sections: Vec<(&'a str, &'a str)>,
    link_label: &'a str,
    link: String,
    closing: &'a str,
}

impl Letter<'_> {
    fn render(&self) -> LocalizedMail {
        let mut text = format!("{}\n\n{}\n\n", self.greeting, self.intro);
        let mut html = format!(
            "<p>{}</p>\n<p>{}</p>\n",
            escape_html(self.greeting),
            escape_html(&self.intro)
        );
        for (heading, body) in &self.sections {
            text.push_str(&format!("{heading}\n{body}\n\n"));
            let body_html = body
                .split("\n\n")
                .map(|paragraph| {
                    let lines: Vec<String> = paragraph.lines().map(escape_html).collect();
                    format!("<p>{}</p>", lines.join("<br>\n"))
                })
                .collect::<Vec<_>>()
                .join("\n");
            html.push_str(&format!("<h2>{}</h2>\n{body_html}\n", escape_html(heading)));
        }
        text.push_str(&format!(
            "{}\n{}\n\n{}\n",
            self.link_label, self.link, self.closing
        ));
        let link = escape_html(&self.link);
        html.push_str(&format!(
            "<p>{} <a href=\"{link}\">{link}</a></p>\n<p>{}</p>",
            escape_html(self.link_label),
            escape_html(self.closing)
        ));
        LocalizedMail {
            subject: self.subject.clone(),
            text,
            html: page(&html),
        }
    }
}

fn service_names_fr(services: &[ServiceKind]) -> String {
    services
        .iter()
        .map(|kind| match kind {
            ServiceKind::WebSpace => "hébergement web",
            ServiceKind::BackupSpace => "espace de sauvegarde",
            ServiceKind::Mailbox => "boîtes mail",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn service_names_en(services: &[ServiceKind]) -> String {
    services
        .iter()
        .map(|kind| match kind {
            ServiceKind::WebSpace => "web hosting",
            ServiceKind::BackupSpace => "backup space",
            ServiceKind::Mailbox => "mailboxes",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An incident as the privacy officer wrote it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentText {
    pub title: String,
    pub what_happened: String,
    pub what_it_means: String,
    pub services: Vec<ServiceKind>,
}

impl IncidentText {
    pub fn parse(
        title: &str,
        what_happened: &str,
        what_it_means: &str,
        services: Vec<ServiceKind>,
    ) -> Result<Self, InvalidInput> {
        let mut services = services;
        services.sort_by_key(|kind| kind.as_str());
        services.dedup();
        if services.is_empty() {
            return Err(InvalidInput::new(
                "services",
                "name at least one affected service",
            ));
        }
        Ok(Self {
            title: header_line("title", title, 120)?,
            what_happened: body_text("what_happened", what_happened, 4000)?,
            what_it_means: body_text("what_it_means", what_it_means, 4000)?,
            services,
        })
    }
}

pub fn render_incident(incident: &IncidentText, portal_origin: &str) -> RenderedNotice {
    let link = format!("{portal_origin}/account/messages");
    let french = Letter {
        subject: format!("Incident : {}", incident.title),
        greeting: "Bonjour,",
        intro: format!(
            "Un incident concerne vos services ({}) : {}.",
            service_names_fr(&incident.services),
            incident.title
        ),
        sections: vec![
            ("Ce qui s’est passé", incident.what_happened.as_str()),
            (
                "Ce que cela signifie pour vous",
                incident.what_it_means.as_str(),
            ),
        ],
        link_label: "Cet avis reste consultable dans votre portail :",
        link: link.clone(),
        closing: "Votre responsable de la protection des données",
    }
    .render();
    let english = Letter {
        subject: format!("Incident: {}", incident.title),
        greeting: "Hello,",
        intro: format!(
            "An incident concerns your services ({}): {}.",
            service_names_en(&incident.services),
            incident.title
        ),
        sections: vec![
            ("What happened", incident.what_happened.as_str()),
            ("What it means for you", incident.what_it_means.as_str()),
        ],
        link_label: "This notice stays available in your portal:",
        link,
        closing: "Your data protection officer",
    }
    .render();
    RenderedNotice {
        kind: MailKind::Incident,
        french,
        english,
    }
}

pub fn render_new_service(title: &str, description: &str, portal_origin: &str) -> RenderedNotice {
    let link = format!("{portal_origin}/account/messages");
    let french = Letter {
        subject: format!("Nouveau service : {title}"),
        greeting: "Bonjour,",
        intro: format!("Nous proposons un nouveau service : {title}."),
        sections: vec![("En quelques mots", description)],
        link_label: "Vous pouvez ne plus recevoir ces annonces depuis votre portail :",
        link: link.clone(),
        closing: "Votre hébergeur",
    }
    .render();
    let english = Letter {
        subject: format!("New service: {title}"),
        greeting: "Hello,",
        intro: format!("We offer a new service: {title}."),
        sections: vec![("In a few words", description)],
        link_label: "You can stop these announcements in your portal:",
        link,
        closing: "Your hosting provider",
    }
    .render();
    RenderedNotice {
        kind: MailKind::NewService,
        french,
        english,
    }
}

pub fn render_terms_change(
    version_label: &str,
    summary: &str,
    portal_origin: &str,
) -> RenderedNotice {
    let link = format!("{portal_origin}/charter");
    let french = Letter {
        subject: format!("Notre charte de confidentialité change : version {version_label}"),
        greeting: "Bonjour,",
        intro: format!(
            "La version {version_label} de notre charte de confidentialité est publiée."
        ),
        sections: vec![("Ce qui change", summary)],
        link_label: "Le texte complet, qui fait foi :",
        link: link.clone(),
        closing: "Votre hébergeur",
    }
    .render();
    let english = Letter {
        subject: format!("Our privacy charter changes: version {version_label}"),
        greeting: "Hello,",
        intro: format!("Version {version_label} of our privacy charter is published."),
        sections: vec![("What changes", summary)],
        link_label: "The full text (the French version prevails):",
        link,
        closing: "Your hosting provider",
    }
    .render();
    RenderedNotice {
        kind: MailKind::TermsChange,
        french,
        english,
    }
}

/// Declares an incident: records it with the customers it concerns and queues a notice to each, at once. Returns the
/// incident's id and how many customers it concerns.
pub async fn declare_incident(
    store: &dyn Storage,
    incident: IncidentText,
    affected: Affected,
    declared_by: StaffId,
    roles: &[Role],
    portal_origin: &str,
    now: DateTime<Utc>,
) -> Result<(i64, u64), NoticeError> {
    if let Affected::ByService(kinds) = &affected {
        if kinds.is_empty() {
            return Err(InvalidInput::new("services", "name at least one affected service").into());
        }
    }
    let notice = render_incident(&incident, portal_origin);
    let services = incident
        .services
        .iter()
        .map(|kind| kind.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let audit = notice_entry(
        now,
        AuditEvent::IncidentDeclared,
        staff_actor(declared_by, roles),
        crate::log_detail!(
            "incident {title}, services {services}",
            title = incident.title
        ),
    );
    let new = NewIncident {
        title: incident.title,
        what_happened: incident.what_happened,
        what_it_means: incident.what_it_means,
        services: incident.services,
        affected,
        declared_by,
    };
    Ok(store.declare_incident(&new, &notice, &audit, now).await?)
}

/// Announces a new service to every customer who did not turn these announcements off; returns how many.
pub async fn announce_new_service(
    store: &dyn Storage,
    title: &str,
    description: &str,
    announced_by: StaffId,
    roles: &[Role],
    portal_origin: &str,
    now: DateTime<Utc>,
) -> Result<u64, NoticeError> {
    let title = header_line("title", title, 120)?;
    let description = body_text("description", description, 4000)?;
    let notice = render_new_service(&title, &description, portal_origin);
    let audit = notice_entry(
        now,
        AuditEvent::NewServiceAnnounced,
        staff_actor(announced_by, roles),
        crate::log_detail!("new service {title}"),
    );
    Ok(store
        .queue_notice_to_all(&notice, Some(announced_by), &audit, now)
        .await?)
}

/// Queues the terms-change notice of a newly published charter version to every customer (it cannot be turned off),
/// in a few set-based statements; returns how many were queued. Called when a version is published: it only
/// queues, so publishing never waits for mail to be sent.
///
/// `version_label` is how the version is named to customers (e.g. "2027-01"); `summary` says in a few plain
/// sentences what changes; `portal_origin` is `scheme://host[:port]`, the base of the link to the charter.
pub async fn enqueue_terms_change_notice(
    store: &dyn Storage,
    version_label: &str,
    summary: &str,
    portal_origin: &str,
    now: DateTime<Utc>,
) -> Result<u64, NoticeError> {
    let version_label = header_line("version_label", version_label, 40)?;
    let summary = body_text("summary", summary, 4000)?;
    let notice = render_terms_change(&version_label, &summary, portal_origin);
    let audit = notice_entry(
        now,
        AuditEvent::TermsChangeNoticeQueued,
        Actor::System,
        crate::log_detail!("charter version {version}", version = version_label),
    );
    Ok(store
        .queue_notice_to_all(&notice, None, &audit, now)
        .await?)
}

fn staff_actor(staff: StaffId, roles: &[Role]) -> Actor {
    Actor::Staff {
        id: staff,
        roles: roles.to_vec(),
    }
}

/// A notice concerns many customers at once: its entry names none of them (each sees the notice itself).
fn notice_entry(at: DateTime<Utc>, event: AuditEvent, actor: Actor, detail: String) -> AuditEntry {
    AuditEntry::in_portal(at, event, actor, None, AuditBasis::StaffRole, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_refuse_any_line_break_or_control_character() {
        for injected in [
            "Hello\r\nBcc: victim@example.com",
            "Hello\nBcc: x@y.z",
            "Hello\rX",
            "tab\tinside",
            "nul\0",
        ] {
            assert!(header_line("title", injected, 120).is_err(), "{injected:?}");
        }
        assert_eq!(
            header_line("title", "  Panne de sauvegarde  ", 120)
                .ok()
                .as_deref(),
            Some("Panne de sauvegarde")
        );
        assert!(header_line("title", "", 120).is_err());
        assert!(header_line("title", &"x".repeat(121), 120).is_err());
    }

    #[test]
    fn bodies_keep_line_breaks_only_as_lf() {
        assert_eq!(
            body_text("b", "a\r\nb\rc\nd", 100).ok().as_deref(),
            Some("a\nb\nc\nd")
        );
        assert!(body_text("b", "bell\u{7}", 100).is_err());
    }

    #[test]
    fn user_data_is_escaped_in_the_html_and_kept_as_is_in_the_text() {
        let incident = IncidentText::parse(
            "<script>alert(1)</script>",
            "Tom & \"Jerry\" <b>",
            "Rien 'à' faire",
            vec![ServiceKind::Mailbox],
        )
        .unwrap();
        let notice = render_incident(&incident, "https://portal.example");
        for mail in [&notice.french, &notice.english] {
            assert!(!mail.html.contains("<script>"), "{}", mail.html);
            assert!(mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
            assert!(mail.html.contains("Tom &amp; &quot;Jerry&quot; &lt;b&gt;"));
            assert!(mail.text.contains("Tom & \"Jerry\" <b>"));
            assert!(mail
                .html
                .contains("href=\"https://portal.example/account/messages\""));
        }
    }

    #[test]
    fn each_language_has_its_own_words() {
        let notice = render_terms_change("2027-01", "Durée de conservation", "https://p.example");
        assert!(notice.french.subject.contains("charte"));
        assert!(notice.english.subject.contains("charter"));
        assert!(notice.french.text.starts_with("Bonjour"));
        assert!(notice.english.text.starts_with("Hello"));
        assert_eq!(notice.kind, MailKind::TermsChange);
    }

    #[test]
    fn an_incident_names_at_least_one_service() {
        assert!(IncidentText::parse("t", "a", "b", vec![]).is_err());
        let parsed = IncidentText::parse(
            "t",
            "a",
            "b",
            vec![
                ServiceKind::Mailbox,
                ServiceKind::Mailbox,
                ServiceKind::BackupSpace,
            ],
        )
        .unwrap();
        assert_eq!(
            parsed.services,
            vec![ServiceKind::BackupSpace, ServiceKind::Mailbox]
        );
    }

    #[test]
    fn plain_text_becomes_escaped_paragraphs_with_links() {
        let html = text_to_html("Bonjour <toi>,\n\nLien :\nhttps://p.example/a?b=1&c=2\n");
        assert!(html.contains("<p>Bonjour &lt;toi&gt;,</p>"));
        assert!(html.contains(
            "<a href=\"https://p.example/a?b=1&amp;c=2\">https://p.example/a?b=1&amp;c=2</a>"
        ));
    }
}
