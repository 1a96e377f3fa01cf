use leptos::prelude::*;
use leptos_meta::Title;

/// The charter's promises as the portal keeps them, one line each, with the clause they come from.
const PROMISES: [(&str, &str, &str); 6] = [
    ("§1", "Vos données", "Vous voyez chaque donnée personnelle que nous conservons, à quoi elle sert, et vous pouvez l’exporter."),
    ("§2", "Audit", "Chaque accès sensible du personnel laisse une trace que vous pouvez consulter et vérifier."),
    ("§3", "Divulgation", "Rien n’est communiqué à un tiers sans ordonnance judiciaire suisse."),
    ("§4.2", "Espace de backup privé", "Aucun membre du personnel n’y accède sans votre accord exprès."),
    ("§5", "Messagerie", "Un accès n’est possible qu’avec votre accord lié à un seul cas de support, et prend fin avec lui."),
    ("§6", "Sauvegardes", "Toutes les sauvegardes sont détruites 7 jours après avoir été prises."),
];

#[component]
pub fn HomePage() -> impl IntoView {
    // Open by default so that everything is readable without JavaScript; the toggle only helps once hydrated.
    let (details_shown, set_details_shown) = signal(true);

    view! {
        <Title text="Accueil"/>
        <h1>"Nos engagements, vérifiables"</h1>
        <p class="lead">
            "Ce portail est l’endroit où nous tenons les promesses de notre charte de confidentialité, "
            "et où vous pouvez vérifier que nous les tenons."
        </p>
        <button
            type="button"
            id="promises-toggle"
            class="button secondary"
            aria-controls="promises"
            aria-expanded=move || details_shown.get().to_string()
            on:click=move |_| set_details_shown.update(|shown| *shown = !*shown)
        >
            {move || if details_shown.get() { "Masquer le détail" } else { "Afficher le détail" }}
        </button>
        <ul id="promises" class="promises">
            {PROMISES
                .into_iter()
                .map(|(clause, title, detail)| {
                    view! {
                        <li>
                            <span class="clause">{clause}</span>
                            <strong>{title}</strong>
                            <p class="detail" hidden=move || !details_shown.get()>{detail}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
