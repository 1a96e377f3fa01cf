//! "Mes sauvegardes" (charter §6): every snapshot of the customer's data with when it was taken, when its
//! destruction is due (7 days later, whatever the state of the contract), the time left, and when the backup system
//! confirmed its destruction. Also the staff dashboard's list of overdue destructions.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{list_my_backups, list_overdue_destructions, BackupView};
use crate::ui::consent_parts::when;

/// Every text of these screens, in one place (French; English comes with the i18n issue).
mod text {
    pub const TITLE: &str = "Mes sauvegardes";
    pub const LEAD: &str = "Nous sauvegardons vos données et détruisons chaque sauvegarde 7 jours après l’avoir faite, \
        y compris après la résiliation d’un contrat (charte §6). Voici chacune d’elles.";
    pub const NONE: &str = "Aucune sauvegarde de vos données n’est enregistrée.";
    pub const COPY_OF: &str = "Copie de";
    pub const CONTRACT: &str = "Contrat";
    pub const TAKEN: &str = "Faite le";
    pub const DUE: &str = "Destruction prévue le";
    pub const STATE: &str = "État";
    pub const TERMINATED: &str = "résilié le";
    pub const DESTROYED: &str = "détruite le";
    pub const DUE_NOW: &str = "destruction en cours";
    pub const OVERDUE: &str = "destruction en retard : nos équipes sont alertées";
    pub const DESTROYED_IN: &str = "détruite dans";
    pub const OVERDUE_TITLE: &str = "Destructions de sauvegardes en retard";
    pub const OVERDUE_NONE: &str = "Aucune destruction en retard.";
    pub const OVERDUE_LEAD: &str = "Sauvegardes dont le système de sauvegarde n’a pas confirmé la destruction dans le délai de grâce.";
}

/// A snapshot's content as people read it.
pub fn holds_label(holds: &str) -> String {
    match holds.split_once(':') {
        Some(("web-space", domain)) => format!("hébergement web {domain}"),
        Some(("backup-space", name)) => format!("espace de backup {name}"),
        Some(("mailbox", address)) => format!("boîte mail {address}"),
        _ => holds.to_owned(),
    }
}

fn state(snapshot: &BackupView) -> String {
    match (snapshot.destroyed_at, &snapshot.countdown) {
        (Some(at), _) => format!("{} {}", text::DESTROYED, when(at)),
        (None, Some(left)) => format!("{} {left}", text::DESTROYED_IN),
        (None, None) if snapshot.overdue_flagged_at.is_some() => text::OVERDUE.to_owned(),
        (None, None) => text::DUE_NOW.to_owned(),
    }
}

#[component]
pub fn BackupsPage() -> impl IntoView {
    let mine = Resource::new(|| (), |_| list_my_backups());
    view! {
        <Title text=text::TITLE/>
        <h1>{text::TITLE}</h1>
        <p class="lead">{text::LEAD}</p>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || {
                mine.get()
                    .map(|result| match result {
                        Ok(mine) if mine.snapshots.is_empty() => {
                            view! { <p class="muted" id="backups">{text::NONE}</p> }.into_any()
                        }
                        Ok(mine) => view! { <BackupTable snapshots=mine.snapshots show_customer=false/> }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn BackupTable(snapshots: Vec<BackupView>, show_customer: bool) -> impl IntoView {
    view! {
        <table class="table" id="backups">
            <thead>
                <tr>
                    {show_customer.then(|| view! { <th scope="col">"Client"</th> })}
                    <th scope="col">{text::COPY_OF}</th>
                    <th scope="col">{text::CONTRACT}</th>
                    <th scope="col">{text::TAKEN}</th>
                    <th scope="col">{text::DUE}</th>
                    <th scope="col">{text::STATE}</th>
                </tr>
            </thead>
            <tbody>
                {snapshots
                    .into_iter()
                    .map(|snapshot| {
                        let state_text = state(&snapshot);
                        let class = if snapshot.destroyed_at.is_some() {
                            "backup destroyed"
                        } else if snapshot.overdue_flagged_at.is_some() {
                            "backup overdue"
                        } else {
                            "backup"
                        };
                        let contract = match snapshot.contract_terminated_at {
                            Some(at) => format!("{} ({} {})", snapshot.contract, text::TERMINATED, when(at)),
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
    let overdue = Resource::new(|| (), |_| list_overdue_destructions());
    view! {
        <section aria-labelledby="overdue-heading" id="overdue-destructions">
            <h2 id="overdue-heading">{text::OVERDUE_TITLE}</h2>
            <p class="muted">{text::OVERDUE_LEAD}</p>
            <Suspense fallback=|| ()>
                {move || {
                    overdue.get().map(|result| match result {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{text::OVERDUE_NONE}</p> }.into_any(),
                        Ok(list) => view! { <BackupTable snapshots=list show_customer=true/> }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    })
                }}
            </Suspense>
        </section>
    }
}
