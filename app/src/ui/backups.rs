//! "Mes sauvegardes" (charter §6): every snapshot of the customer's data with when it was taken, when its
//! destruction is due (7 days later, whatever the state of the contract), the time left, and when the backup system
//! confirmed its destruction. Also the staff dashboard's list of overdue destructions.

use leptos::prelude::*;

use crate::api::{list_my_backups, list_overdue_destructions, BackupView};
use crate::i18n::*;
use crate::ui::consent_parts::{time_left, when};
use crate::ui::forms::ErrorText;
use crate::ui::locale::current_locale;
use crate::ui::title::PageTitle;

/// A snapshot's content as people read it.
pub fn holds_label(holds: &str) -> String {
    let locale = current_locale();
    match holds.split_once(':') {
        Some(("web-space", domain)) => {
            td_string!(locale, log.backups.holds.web_space, domain).to_string()
        }
        Some(("backup-space", name)) => {
            td_string!(locale, log.backups.holds.backup_space, name).to_string()
        }
        Some(("mailbox", address)) => {
            td_string!(locale, log.backups.holds.mailbox, address).to_string()
        }
        _ => holds.to_owned(),
    }
}

fn state(locale: Locale, snapshot: &BackupView) -> String {
    match (snapshot.destroyed_at, snapshot.seconds_left) {
        (Some(at), _) => {
            let date = when(at);
            td_string!(locale, log.backups.destroyed, date).to_string()
        }
        (None, Some(seconds)) => {
            let left = time_left(seconds);
            td_string!(locale, log.backups.destroyed_in, left).to_string()
        }
        (None, None) if snapshot.overdue_flagged_at.is_some() => {
            td_string!(locale, log.backups.overdue).to_owned()
        }
        (None, None) => td_string!(locale, log.backups.due_now).to_owned(),
    }
}

#[component]
pub fn BackupsPage() -> impl IntoView {
    let i18n = use_i18n();
    let mine = Resource::new(|| (), |_| list_my_backups());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), log.backups.title)/>
        <h1>{t!(i18n, log.backups.title)}</h1>
        <p class="lead">{t!(i18n, log.backups.lead)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, log.loading)}</p> }>
            {move || {
                mine.get()
                    .map(|result| match result {
                        Ok(mine) if mine.snapshots.is_empty() => {
                            view! { <p class="muted" id="backups">{t!(i18n, log.backups.none)}</p> }.into_any()
                        }
                        Ok(mine) => view! { <BackupTable snapshots=mine.snapshots show_customer=false/> }.into_any(),
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn BackupTable(snapshots: Vec<BackupView>, show_customer: bool) -> impl IntoView {
    let i18n = use_i18n();
    let locale = current_locale();
    view! {
        <table class="table" id="backups">
            <thead>
                <tr>
                    {show_customer.then(|| view! { <th scope="col">{t!(i18n, log.backups.customer)}</th> })}
                    <th scope="col">{t!(i18n, log.backups.copy_of)}</th>
                    <th scope="col">{t!(i18n, log.backups.contract)}</th>
                    <th scope="col">{t!(i18n, log.backups.taken)}</th>
                    <th scope="col">{t!(i18n, log.backups.due)}</th>
                    <th scope="col">{t!(i18n, log.backups.state)}</th>
                </tr>
            </thead>
            <tbody>
                {snapshots
                    .into_iter()
                    .map(|snapshot| {
                        let state_text = state(locale, &snapshot);
                        let class = if snapshot.destroyed_at.is_some() {
                            "backup destroyed"
                        } else if snapshot.overdue_flagged_at.is_some() {
                            "backup overdue"
                        } else {
                            "backup"
                        };
                        let contract = match snapshot.contract_terminated_at {
                            Some(at) => {
                                let (contract, date) = (&snapshot.contract, when(at));
                                td_string!(locale, log.backups.contract_terminated, contract, date).to_string()
                            }
                            None => snapshot.contract.clone(),
                        };
                        view! {
                            <tr class=class data-snapshot=snapshot.id.clone()>
                                {show_customer.then(|| view! { <td>{snapshot.customer_number.clone()}</td> })}
                                <td>{holds_label(&snapshot.holds)}</td>
                                <td class="contract">{contract}</td>
                                <td><time datetime=snapshot.taken_at.to_rfc3339()>{when(snapshot.taken_at)}</time></td>
                                <td><time class="due" datetime=snapshot.due_at.to_rfc3339()>{when(snapshot.due_at)}</time></td>
                                <td class="state">{state_text}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// For the staff dashboard: what the backup system has not confirmed destroyed in time.
#[component]
pub fn OverdueDestructions() -> impl IntoView {
    let i18n = use_i18n();
    let overdue = Resource::new(|| (), |_| list_overdue_destructions());
    view! {
        <section aria-labelledby="overdue-heading" id="overdue-destructions">
            <h2 id="overdue-heading">{t!(i18n, log.backups.overdue_title)}</h2>
            <p class="muted">{t!(i18n, log.backups.overdue_lead)}</p>
            <Suspense fallback=|| ()>
                {move || {
                    overdue.get().map(|result| match result {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t!(i18n, log.backups.overdue_none)}</p> }.into_any(),
                        Ok(list) => view! { <BackupTable snapshots=list show_customer=true/> }.into_any(),
                        Err(error) => view! { <ErrorText error/> }.into_any(),
                    })
                }}
            </Suspense>
        </section>
    }
}
