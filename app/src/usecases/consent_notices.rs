//! What the customer is told when someone asks for access to their data. The portal's form and the integration API
//! both open requests; the notice is built here once so that neither can open one silently. The staff member who
//! asked is told in turn of the answer, or of the expiry.

use crate::domain::consent::{
    ConsentRequest, ConsentRequestId, EndReason, Grant, GrantEnd, ResourceId,
};
use crate::domain::Language;
use crate::ports::{Customer, MailKind, OutgoingMail, StaffMember};

/// The consent request notice, in the customer's language, pointing to where they answer.
pub fn request_notice(
    customer: &Customer,
    request: &ConsentRequest,
    portal_origin: &str,
) -> OutgoingMail {
    let resource = request.scope().resource();
    let actions = request.actions();
    let reason = request.reason().text.as_str();
    let until = request.answer_by().format("%d.%m.%Y %H:%M UTC");
    let link = format!("{portal_origin}/account/consents");
    let language = customer.details.language;
    let (subject, body_text) = match language {
        Language::Fr => (
            "Demande d’accès à vos données".to_owned(),
            format!(
                "Bonjour,\n\nNotre équipe demande votre accord pour accéder à {resource} ({actions}).\nMotif : \
                 {reason}\n\nVous pouvez accepter, raccourcir la durée ou refuser jusqu’au {until} :\n{link}\n\n\
                 Sans réponse de votre part, la demande expire et personne n’accède à vos données.\n"
            ),
        ),
        Language::En => (
            "Request for access to your data".to_owned(),
            format!(
                "Hello,\n\nOur team asks for your consent to access {resource} ({actions}).\nReason: {reason}\n\n\
                 You may approve, shorten the duration or deny until {until}:\n{link}\n\nWithout your answer the \
                 request expires and nobody accesses your data.\n"
            ),
        ),
    };
    OutgoingMail {
        kind: MailKind::Consent,
        to: customer.details.email.clone(),
        customer: Some(customer.id),
        language,
        subject,
        body_text,
    }
}

/// The reminder of a request the customer has not looked at, half-way through its answer window (once).
pub fn reminder_notice(
    customer: &Customer,
    request: &ConsentRequest,
    portal_origin: &str,
) -> OutgoingMail {
    let resource = request.scope().resource();
    let actions = request.actions();
    let until = request.answer_by().format("%d.%m.%Y %H:%M UTC");
    let link = format!("{portal_origin}/account/consents");
    let text = match customer.details.language {
        Language::Fr => (
            "Rappel : une demande d’accès attend votre réponse".to_owned(),
            format!(
                "Bonjour,\n\nNotre équipe attend toujours votre réponse à sa demande d’accès à {resource} \
                 ({actions}). Vous pouvez répondre jusqu’au {until} :\n{link}\n\nSans réponse, la demande expire \
                 et personne n’accède à vos données. Ceci est le seul rappel.\n"
            ),
        ),
        Language::En => (
            "Reminder: a request for access awaits your answer".to_owned(),
            format!(
                "Hello,\n\nOur team is still waiting for your answer to its request for access to {resource} \
                 ({actions}). You may answer until {until}:\n{link}\n\nWithout your answer the request expires \
                 and nobody accesses your data. This is the only reminder.\n"
            ),
        ),
    };
    OutgoingMail::to_customer(MailKind::Consent, customer, text)
}

/// What became of a request, as its requester is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Approved,
    Denied,
    Expired,
}

/// The notice to the staff member who asked: the customer answered, or the window closed unanswered. Staff read
/// French and English, so it carries both; it names no reason the customer gave (their queue shows it). None when
/// the requester turned this mail off: their queue marks the request either way.
pub fn requester_notice(
    requester: &StaffMember,
    request: ConsentRequestId,
    resource: &ResourceId,
    answer: Answer,
    portal_origin: &str,
) -> Option<OutgoingMail> {
    if !requester.answer_mail {
        return None;
    }
    let (sujet, subject, fait, done) = match answer {
        Answer::Approved => (
            "accordée",
            "approved",
            "Le client a accepté votre demande",
            "The customer approved your request",
        ),
        Answer::Denied => (
            "refusée",
            "denied",
            "Le client a refusé votre demande",
            "The customer denied your request",
        ),
        Answer::Expired => (
            "expirée",
            "expired",
            "Votre demande est restée sans réponse et a expiré",
            "Your request went unanswered and expired",
        ),
    };
    let link = format!("{portal_origin}/staff/consents");
    Some(OutgoingMail {
        kind: MailKind::Consent,
        to: requester.email.clone(),
        customer: None,
        language: Language::Fr,
        subject: format!("Demande {request} {sujet} / Request {request} {subject}"),
        body_text: format!(
            "{fait} d’accès à {resource} (demande {request}).\nVotre file : {link}\n\n\
             {done} for access to {resource} (request {request}).\nYour queue: {link}\n"
        ),
    })
}

/// The "grant ended" mail to the customer: which access ended, when, and why, in their language.
pub fn grant_ended_notice(
    customer: &Customer,
    grant: &Grant,
    end: GrantEnd,
    portal_origin: &str,
) -> OutgoingMail {
    let resource = grant.terms().scope().resource();
    let actions = grant.terms().actions();
    let id = grant.id();
    let at = end.at.format("%d.%m.%Y %H:%M UTC");
    let link = format!("{portal_origin}/account/consents");
    let language = customer.details.language;
    let text = match language {
        Language::Fr => {
            let why = match end.reason {
                EndReason::TimeLimit => "la durée que vous aviez accordée est écoulée",
                EndReason::CaseResolved => {
                    "le cas de support pour lequel vous l’aviez donné est résolu"
                }
                EndReason::Revoked => "vous l’avez retiré",
            };
            (
                "Un accès à vos données a pris fin".to_owned(),
                format!(
                    "Bonjour,\n\nL’accès que vous aviez donné à {resource} ({actions}, accord {id}) a pris fin le \
                     {at} : {why}.\nPlus personne de notre équipe ne peut s’en servir.\n\nVos accords : {link}\n"
                ),
            )
        }
        Language::En => {
            let why = match end.reason {
                EndReason::TimeLimit => "the time you allowed has run out",
                EndReason::CaseResolved => "the support case you gave it for is resolved",
                EndReason::Revoked => "you revoked it",
            };
            (
                "An access to your data has ended".to_owned(),
                format!(
                    "Hello,\n\nThe access you gave to {resource} ({actions}, consent {id}) ended on {at}: {why}.\n\
                     Nobody in our team can use it any more.\n\nYour consents: {link}\n"
                ),
            )
        }
    };
    OutgoingMail::to_customer(MailKind::Consent, customer, text)
}
