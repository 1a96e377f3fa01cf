//! Inviting a customer who has no login to choose a password: a one-time link, valid 7 days, of which only the
//! hash is kept. The mail names nothing but the portal, so a forwarded or intercepted one says little.

use chrono::{DateTime, Duration, Utc};

use crate::auth::tokens;
use crate::domain::{AuditEvent, Language};
use crate::ports::{
    Actor, AuditBasis, AuditEntry, Customer, EventSource, Invitation, InvitationStore, MailKind,
    OutgoingMail, StorageError,
};

pub const VALID_FOR_DAYS: i64 = 7;

/// Where an invitation's link leads, for the page that takes it.
pub const PATH: &str = "/welcome";

fn mail(customer: &Customer, link: &str) -> OutgoingMail {
    let words = match customer.details.language {
        Language::Fr => (
            "Votre accès au portail de confidentialité".to_owned(),
            format!(
                "Bonjour,\n\nVous pouvez désormais consulter vos données, le journal des accès à vos données et vos \
                 accords dans notre portail de confidentialité. Pour choisir votre mot de passe, ouvrez ce lien dans \
                 les {VALID_FOR_DAYS} jours :\n{link}\n\nLe lien ne sert qu'une fois. Si vous n'attendiez pas ce \
                 message, ignorez-le : aucun accès n'est créé sans vous.\n"
            ),
        ),
        Language::En => (
            "Your login to the privacy portal".to_owned(),
            format!(
                "Hello,\n\nYou can now see your data, the log of accesses to it and your consents in our privacy \
                 portal. To choose your password, open this link within {VALID_FOR_DAYS} days:\n{link}\n\nThe link \
                 works once. If you did not expect this message, ignore it: no login is created without you.\n"
            ),
        ),
    };
    OutgoingMail::to_customer(MailKind::AccountSecurity, customer, words)
}

/// Sends the customer an invitation unless they have a login; `by` is who asked (support, or the system for an
/// import), recorded in the customer's log.
pub async fn invite_customer(
    store: &dyn InvitationStore,
    customer: &Customer,
    public_origin: &str,
    by: Actor,
    source: EventSource,
    now: DateTime<Utc>,
) -> Result<Invitation, StorageError> {
    let (token, hash) = tokens::new_link_token();
    let link = format!("{public_origin}{PATH}/{token}");
    let audit = AuditEntry {
        source,
        ..AuditEntry::in_portal(
            now,
            AuditEvent::LoginInvitationSent,
            by,
            Some(customer.id),
            AuditBasis::StaffRole,
            crate::log_detail!("valid {days} days", days = VALID_FOR_DAYS),
        )
    };
    store
        .create_invitation(
            customer.id,
            &hash,
            now + Duration::days(VALID_FOR_DAYS),
            &mail(customer, &link),
            &audit,
        )
        .await
}
