//! Mailbox supervision (charter §5), for support with a second factor from the last 12 hours: find a customer,
//! open one of their mailboxes, and see only its aggregates (messages, bytes, folders with their message counts)
//! and when they were measured. Opening a mailbox is recorded in the customer's access log. Plain GET forms and
//! links: it works without JavaScript.

use leptos::prelude::*;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::api::{find_mailboxes, view_mailbox_stats, MailboxStatsView, SupervisedCustomer};
use crate::i18n::*;
use crate::ui::consent_parts::when;
use crate::ui::forms::{ErrorSummary, Field, ShownError};
use crate::ui::locale::{current_locale, error_message};
use crate::ui::title::PageTitle;

fn size(locale: Locale, bytes: i64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let value = bytes as f64;
    let (scaled, unit) = if value >= 1e9 {
        (value / 1e9, td_string!(locale, staff.supervision.gigabytes))
    } else if value >= 1e6 {
        (value / 1e6, td_string!(locale, staff.supervision.megabytes))
    } else if value >= 1e3 {
        (value / 1e3, td_string!(locale, staff.supervision.kilobytes))
    } else {
        return td_string!(locale, staff.supervision.bytes, bytes).to_string();
    };
    let value = match locale {
        Locale::fr => format!("{scaled:.1}").replacen('.', ",", 1),
        Locale::en => format!("{scaled:.1}"),
    };
    td_string!(locale, staff.supervision.scaled, value, unit, bytes).to_string()
}

#[component]
pub fn SupervisionPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let asked = move || query.with(|q| q.get("query").unwrap_or_default());
    let opened = move || {
        query.with(|q| {
            (
                q.get("customer").unwrap_or_default(),
                q.get("mailbox").unwrap_or_default(),
            )
        })
    };
    // Read once while the page is built: a source that reads the query could run after the page was dropped.
    let (asked_now, opened_now) = (asked(), opened());
    let shown_query = asked_now.clone();
    let found = Resource::new(move || asked_now.clone(), find_mailboxes);
    let stats = Resource::new(
        move || opened_now.clone(),
        |(customer, mailbox)| async move {
            if customer.is_empty() || mailbox.is_empty() {
                None
            } else {
                Some(view_mailbox_stats(customer, mailbox).await)
            }
        },
    );
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), staff.supervision.title)/>
        <h1>{t!(i18n, staff.supervision.title)}</h1>
        <p class="lead">{t!(i18n, staff.supervision.lead)}</p>
        // The answers are awaited, not read as signals: a resource read only through derived signals was not always
        // waited for by server rendering under load, and the page then came without its error.
        <Transition fallback=|| ()>
            {move || {
                let shown_query = shown_query.clone();
                Suspend::new(async move {
                let (found, stats) = (found.await, stats.await);
                let error = match (&found, &stats) {
                    (Err(error), _) | (_, Some(Err(error))) => Some(ShownError {
                        field: error.field().map(str::to_owned),
                        message: error_message(i18n.get_locale_untracked(), error),
                    }),
                    _ => None,
                };
                let error = Signal::stored(error);
                view! {
                    <Form method="GET" action="/staff/supervision" attr:class="stacked" attr:id="supervision-search">
                        <ErrorSummary error=error/>
                        <Field
                            name="query"
                            label=td_string!(current_locale(), staff.fields.customer_or_email)
                            value=shown_query
                            error=error
                        />
                        <button type="submit">{t!(i18n, staff.supervision.search)}</button>
                    </Form>
                    {found.ok().flatten().map(|customer| view! { <Mailboxes customer/> })}
                    {stats.and_then(Result::ok).map(|stats| view! { <Stats stats/> })}
                }
            })
            }}
        </Transition>
    }
}

#[component]
fn Mailboxes(customer: SupervisedCustomer) -> impl IntoView {
    let i18n = use_i18n();
    let number = customer.customer_number.clone();
    view! {
        <section class="card" id="mailboxes" aria-labelledby="mailboxes-title">
            <h2 id="mailboxes-title">{customer.name} " (" {customer.customer_number.clone()} ")"</h2>
            {if customer.mailboxes.is_empty() {
                view! { <p class="muted">{t!(i18n, staff.supervision.no_mailbox)}</p> }.into_any()
            } else {
                view! {
                    <ul class="link-list">
                        {customer
                            .mailboxes
                            .into_iter()
                            .map(|mailbox| {
                                let href = format!(
                                    "/staff/supervision?customer={}&mailbox={}",
                                    encode(&number),
                                    encode(&mailbox)
                                );
                                view! { <li><a href=href data-mailbox=mailbox.clone()>{mailbox.clone()}</a></li> }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn Stats(stats: MailboxStatsView) -> impl IntoView {
    let i18n = use_i18n();
    let size_text = size(current_locale(), stats.bytes);
    view! {
        <section class="card" id="mailbox-stats" aria-labelledby="mailbox-stats-title">
            <h2 id="mailbox-stats-title">{stats.mailbox.clone()} " (" {stats.customer_number.clone()} ")"</h2>
            {match stats.as_of {
                None => view! { <p class="muted">{t!(i18n, staff.supervision.never_measured)}</p> }.into_any(),
                Some(as_of) => view! {
                    <p class="as-of">{t!(i18n, staff.supervision.as_of)} " " <time datetime=as_of.to_rfc3339()>{when(as_of)}</time></p>
                    <dl>
                        <dt>{t!(i18n, staff.supervision.messages)}</dt><dd id="mailbox-messages">{stats.messages}</dd>
                        <dt>{t!(i18n, staff.supervision.size)}</dt><dd id="mailbox-bytes">{size_text}</dd>
                    </dl>
                    <h3>{t!(i18n, staff.supervision.folders)}</h3>
                    <table class="table" id="mailbox-folders">
                        <thead><tr><th scope="col">{t!(i18n, staff.supervision.folder)}</th><th scope="col">{t!(i18n, staff.supervision.messages)}</th></tr></thead>
                        <tbody>
                            {stats.folders.into_iter().map(|folder| view! {
                                <tr><td>{folder.name}</td><td>{folder.messages}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_the_reader_s_units_with_the_exact_count() {
        assert_eq!(size(Locale::fr, 512), "512 octets");
        assert_eq!(size(Locale::fr, 73_400_320), "73,4 Mo (73400320 octets)");
        assert_eq!(size(Locale::en, 512), "512 bytes");
        assert_eq!(size(Locale::en, 73_400_320), "73.4 MB (73400320 bytes)");
        assert_eq!(encode("a b@c.ch"), "a%20b%40c.ch");
    }
}
