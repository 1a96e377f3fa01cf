//! What the "my data" server functions share: turning stored records into what the screens show.

#[cfg(feature = "ssr")]
mod server_side {
    use chrono::{DateTime, Utc};
    use std::collections::HashMap;

    use crate::api::context::{internal, AppContext};
    use crate::api::my_data_views::{
        days_left, ContractSummary, DataRequestView, EditableValues, FieldView, MyData,
        PurposeView, ServiceView, TransferView,
    };
    use crate::api::AppError;
    use crate::domain::my_data::PersonalField;
    use crate::ports::my_data::personal_value;
    use crate::ports::{ChangedBy, CustomerId, DataRequestRecord, Service};

    pub fn request_view(record: DataRequestRecord, now: DateTime<Utc>) -> DataRequestView {
        DataRequestView {
            id: record.id,
            kind: record.kind.as_str().to_owned(),
            body: record.body,
            filed_at: record.filed_at,
            due_at: record.due_at,
            days_left: days_left(record.due_at, now),
            answered_at: record.answered_at,
            answer: record.answer,
        }
    }

    fn service_view(service: &Service) -> ServiceView {
        ServiceView {
            kind: service.kind.as_str().to_owned(),
            name: service.name.clone(),
            created_at: service.created_at,
        }
    }

    /// "Who changed it", as the customer reads it: themselves, a named staff member, or the operator's tooling.
    async fn author(context: &AppContext, by: ChangedBy) -> Result<String, AppError> {
        Ok(match by {
            ChangedBy::Customer => "you".to_owned(),
            ChangedBy::System => "system".to_owned(),
            ChangedBy::Staff(id) => context
                .store
                .staff_member(id)
                .await
                .map_err(internal)?
                .map_or_else(|| "staff".to_owned(), |staff| staff.display_name),
        })
    }

    /// The customer number of each customer a transfer names, as the customer reads it.
    async fn numbers(
        context: &AppContext,
        ids: Vec<CustomerId>,
    ) -> Result<HashMap<CustomerId, String>, AppError> {
        let mut numbers = HashMap::new();
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(slot) = numbers.entry(id) {
                let number = context
                    .store
                    .customer(id)
                    .await
                    .map_err(internal)?
                    .map_or_else(
                        || "?".to_owned(),
                        |customer| customer.details.number.to_string(),
                    );
                slot.insert(number);
            }
        }
        Ok(numbers)
    }

    pub async fn contracts(
        context: &AppContext,
        customer: CustomerId,
    ) -> Result<Vec<ContractSummary>, AppError> {
        let views = context
            .store
            .contracts_of(customer)
            .await
            .map_err(internal)?;
        let mut ids: Vec<CustomerId> = Vec::new();
        for view in &views {
            for transfer in &view.transfers {
                ids.push(transfer.from);
                ids.push(transfer.to);
            }
        }
        let names = numbers(context, ids).await?;
        let name = |id: CustomerId| names.get(&id).cloned().unwrap_or_default();
        Ok(views
            .into_iter()
            .map(|view| ContractSummary {
                number: view.contract.number.clone(),
                started_at: view.contract.started_at,
                terminated_at: view.contract.terminated_at,
                held: view.contract.customer == customer,
                services: view.services.iter().map(service_view).collect(),
                transfers: view
                    .transfers
                    .iter()
                    .map(|transfer| TransferView {
                        from: name(transfer.from),
                        to: name(transfer.to),
                        at: transfer.at,
                    })
                    .collect(),
            })
            .collect())
    }

    pub async fn my_data(context: &AppContext, id: CustomerId) -> Result<MyData, AppError> {
        let store = context.store.as_ref();
        let now = context.clock.now();
        let customer = store
            .customer(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| internal("the signed-in customer does not exist"))?;
        let changes = store.field_changes(id).await.map_err(internal)?;
        let mut fields = Vec::new();
        for field in PersonalField::ALL {
            // Newest first: the first one found is the last change.
            let last = changes.iter().find(|change| change.field == field);
            let last_changed_by = match last {
                Some(change) => Some(author(context, change.by).await?),
                None => None,
            };
            fields.push(FieldView {
                field: field.as_str().to_owned(),
                value: personal_value(&customer, field),
                purposes: field
                    .purposes()
                    .iter()
                    .map(|purpose| PurposeView {
                        purpose: purpose.as_str().to_owned(),
                        clause: purpose.clause().to_owned(),
                        charter_words: purpose.charter_words().to_owned(),
                    })
                    .collect(),
                self_service: field.self_service(),
                last_changed_at: last.map(|change| change.at),
                last_changed_by,
            });
        }
        let details = &customer.details;
        let editable = EditableValues {
            phone: details.phone.clone().map(String::from).unwrap_or_default(),
            mobile: details.mobile.clone().map(String::from).unwrap_or_default(),
            street: details.street.clone(),
            postcode: details.postcode.clone(),
            city: details.city.clone(),
            country: details.country.clone(),
            language: details.language.code().to_owned(),
        };
        let pending_email = store
            .pending_email_change(id, now)
            .await
            .map_err(internal)?
            .map(|change| (change.new_email.to_string(), change.expires_at));
        let requests = store
            .data_requests_of(id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|record| request_view(record, now))
            .collect();
        Ok(MyData {
            customer_number: details.number.to_string(),
            fields,
            editable,
            pending_email,
            contracts: contracts(context, id).await?,
            requests,
            created_at: customer.created_at,
        })
    }
}

#[cfg(feature = "ssr")]
pub use server_side::*;
