//! Asking a customer for consent. Reached from a support case with the customer and the case filled in.

use leptos::prelude::*;
use leptos_meta::Title;

use super::SupportNav;
use crate::api::RequestConsent;
use crate::ui::consent_parts::{reason_options, ActionChoices, Choice, Input, TextArea};
use crate::ui::forms::{form_error, query_flag, ErrorSummary};

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let request = ServerAction::<RequestConsent>::new();
    let error = form_error(request.value());
    let customer = query_flag("customer").get_untracked();
    let case = query_flag("case").get_untracked();
    let resource = query_flag("resource").get_untracked();
    view! {
        <Title text="Nouvelle demande de consentement"/>
        <h1>"Nouvelle demande de consentement"</h1>
        <SupportNav/>
        <p>
            "Le client voit qui demande, pourquoi, pour faire quoi et pour combien de temps ; il accepte, raccourcit la durée ou refuse. Sans réponse dans les 24 heures, la demande expire."
        </p>
        <ActionForm action=request attr:class="form" attr:id="request-form">
            <ErrorSummary error/>
            <Input name="customer_number" label="Numéro de client" value=customer hint="Par exemple C-100001." error/>
            <Input
                name="resource"
                label="Donnée concernée"
                value=resource
                hint="mailbox:adresse@domaine.ch ou backup-space:nom-de-l-espace"
                error
            />
            <ActionChoices error/>
            <Choice name="reason_code" label="Motif" options=reason_options() error/>
            <TextArea name="reason_text" label="Explication pour le client" error/>
            <Input
                name="case"
                label="Cas de support"
                kind="number"
                required=false
                value=case
                min=Some(1)
                hint="Obligatoire pour une boîte mail : le cas doit être ouvert et concerner ce client."
                error
            />
            <Input
                name="duration_minutes"
                label="Durée demandée, en minutes"
                kind="number"
                value=Some("120".to_owned())
                min=Some(1)
                max=Some(43_200)
                error
            />
            <button type="submit" class="button">"Envoyer la demande"</button>
        </ActionForm>
    }
}
