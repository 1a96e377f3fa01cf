//! Recording consent a customer gave on the phone, after identifying them and reading the scope back.

use leptos::prelude::*;
use leptos_meta::Title;

use super::SupportNav;
use crate::api::RecordOralConsent;
use crate::ui::consent_parts::{ActionChoices, Input, TextArea};
use crate::ui::forms::{form_error, query_flag, ErrorSummary};

#[component]
pub fn OralConsentPage() -> impl IntoView {
    let record = ServerAction::<RecordOralConsent>::new();
    let error = form_error(record.value());
    let customer = query_flag("customer").get_untracked();
    let case = query_flag("case").get_untracked();
    view! {
        <Title text="Enregistrer un consentement oral"/>
        <h1>"Enregistrer un consentement oral"</h1>
        <SupportNav/>
        <p>
            "Seulement après avoir identifié l’appelant et lui avoir relu ce qu’il autorise. Le client reçoit aussitôt un reçu par e-mail avec un lien pour retirer son accord en un clic."
        </p>
        <ActionForm action=record attr:class="form" attr:id="oral-consent-form">
            <ErrorSummary error/>
            <Input name="customer_number" label="Numéro de client" value=customer error/>
            <Input name="resource" label="Donnée concernée" value=None hint="mailbox:… ou backup-space:…" error/>
            <ActionChoices error/>
            <Input
                name="case"
                label="Cas de support"
                kind="number"
                required=false
                value=case
                min=Some(1)
                hint="Obligatoire pour une boîte mail."
                error
            />
            <Input
                name="duration_minutes"
                label="Durée, en minutes"
                kind="number"
                value=Some("60".to_owned())
                min=Some(1)
                max=Some(43_200)
                error
            />
            <TextArea
                name="identification"
                label="Comment l’appelant a été identifié"
                hint="Par exemple : rappelé au numéro du contrat, numéro de client confirmé."
                error
            />
            <Input name="call_reference" label="Référence de l’appel" error/>
            <TextArea name="scope_read_back" label="Ce qui a été relu au client" error/>
            <button type="submit" class="button">"Enregistrer"</button>
        </ActionForm>
    }
}
