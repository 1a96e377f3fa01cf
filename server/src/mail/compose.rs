//! From an outbox row to a MIME message, only through lettre's builder: multipart text + HTML, a Message-ID derived
//! from the outbox id, no control character in any header value, and bodies with normalised line endings (lettre
//! turns each `\n` into `\r\n` but would pass a lone `\r` through; we never give it one).

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use app::usecases::notices::{normalise_line_endings, text_to_html};

use crate::storage::mail::outbox::{LeasedMail, NoticeBody};

/// Why a message cannot be built. Each is permanent: trying again would build the same thing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    #[error("refused: a control character (CR/LF) in the {0} header")]
    HeaderInjection(&'static str),
    #[error("invalid recipient address: {0}")]
    InvalidAddress(String),
    #[error("the notice this message belongs to is missing")]
    MissingNotice,
    #[error("the message could not be built: {0}")]
    Build(String),
}

/// The sender and the domain Message-IDs are made in.
#[derive(Debug, Clone)]
pub struct Sender {
    pub mailbox: Mailbox,
    domain: String,
}

impl Sender {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mailbox: Mailbox = raw.parse().map_err(|error| format!("{error}"))?;
        let domain = mailbox.email.domain().to_owned();
        Ok(Self { mailbox, domain })
    }

    /// The same outbox row always gets the same Message-ID, so a message delivered twice (a worker dying after
    /// sending, before recording it) is recognisably the same message.
    pub fn message_id(&self, outbox_id: i64) -> String {
        format!("<outbox-{outbox_id}@{}>", self.domain)
    }
}

fn header_value(name: &'static str, value: &str) -> Result<String, ComposeError> {
    if value.chars().any(char::is_control) {
        return Err(ComposeError::HeaderInjection(name));
    }
    Ok(value.to_owned())
}

/// Bodies keep `\n` and `\t` only; every other control character (a lone `\r` included, once normalised) goes.
fn clean_body(text: &str) -> String {
    normalise_line_endings(text)
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// Builds the message; `notice` is the notice's body in the recipient's language when the row is a notice's.
pub fn compose(
    mail: &LeasedMail,
    notice: Option<&NoticeBody>,
    sender: &Sender,
) -> Result<Message, ComposeError> {
    let subject = header_value("Subject", &mail.subject)?;
    let recipient = header_value("To", &mail.recipient)?;
    let to: Mailbox = recipient
        .parse()
        .map_err(|_| ComposeError::InvalidAddress(recipient.clone()))?;
    let (text, html) = match (&mail.body_text, notice) {
        (Some(text), _) => (
            clean_body(text),
            mail.body_html.clone().unwrap_or_else(|| text_to_html(text)),
        ),
        (None, Some(notice)) => (clean_body(&notice.text), notice.html.clone()),
        (None, None) => return Err(ComposeError::MissingNotice),
    };
    Message::builder()
        .from(sender.mailbox.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(sender.message_id(mail.id)))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(clean_body(&html)),
                ),
        )
        .map_err(|error| ComposeError::Build(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::Language;
    use app::ports::MailKind;

    fn mail(subject: &str, recipient: &str, body: &str) -> LeasedMail {
        LeasedMail {
            id: 42,
            kind: MailKind::AccountSecurity,
            recipient: recipient.into(),
            language: Language::En,
            subject: subject.into(),
            body_text: Some(body.into()),
            body_html: None,
            notice_id: None,
            attempts: 0,
        }
    }

    fn sender() -> Sender {
        Sender::parse("Portal <portal@example.ch>").unwrap()
    }

    #[test]
    fn a_line_break_in_any_header_value_is_refused() {
        for subject in ["Hi\r\nBcc: victim@example.com", "Hi\nBcc: v@e.com", "Hi\rX"] {
            assert_eq!(
                compose(&mail(subject, "a@example.ch", "body"), None, &sender()).err(),
                Some(ComposeError::HeaderInjection("Subject"))
            );
        }
        assert_eq!(
            compose(
                &mail("Hi", "a@example.ch\r\nBcc: v@e.com", "b"),
                None,
                &sender()
            )
            .err(),
            Some(ComposeError::HeaderInjection("To"))
        );
        assert!(matches!(
            compose(&mail("Hi", "not an address", "b"), None, &sender()),
            Err(ComposeError::InvalidAddress(_))
        ));
    }

    #[test]
    fn messages_are_multipart_with_a_stable_message_id_and_only_crlf_line_endings() {
        let message = compose(
            &mail("Été <b>", "a@example.ch", "Line one\rline two\n.\nend <b>"),
            None,
            &sender(),
        )
        .unwrap();
        let raw = message.formatted();
        let text = String::from_utf8_lossy(&raw);
        assert!(
            text.contains("Message-ID: <outbox-42@example.ch>"),
            "{text}"
        );
        assert!(text.contains("multipart/alternative"));
        assert!(text.contains("text/plain"));
        assert!(text.contains("text/html"));
        for (index, byte) in raw.iter().enumerate() {
            match byte {
                b'\r' => assert_eq!(raw.get(index + 1), Some(&b'\n'), "bare CR at {index}"),
                b'\n' => assert_eq!(
                    raw.get(index.wrapping_sub(1)),
                    Some(&b'\r'),
                    "bare LF at {index}"
                ),
                _ => {}
            }
        }
        assert!(
            text.contains("&lt;b&gt;"),
            "the HTML part escapes the text: {text}"
        );
    }

    #[test]
    fn a_notice_row_takes_the_notice_body() {
        let mut row = mail("Incident", "a@example.ch", "");
        row.body_text = None;
        row.notice_id = Some(1);
        assert_eq!(
            compose(&row, None, &sender()).err(),
            Some(ComposeError::MissingNotice)
        );
        let body = NoticeBody {
            text: "Notice text".into(),
            html: "<p>Notice</p>".into(),
        };
        let raw = compose(&row, Some(&body), &sender()).unwrap().formatted();
        assert!(String::from_utf8_lossy(&raw).contains("Notice text"));
    }
}
