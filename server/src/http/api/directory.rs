//! The staff members, customers and resource owners that access checks name, read through [`TtlCache`]s: a busy
//! service asks about the same few people and resources all day, and each lookup saved is a database round trip
//! per check. Grants are not here: every check reads them from the database.

use async_trait::async_trait;
use std::sync::Arc;

use app::domain::consent::ResourceId;
use app::domain::{CustomerNumber, EmailAddress};
use app::ports::{CustomerId, StaffMember, Storage, StorageError};
use app::usecases::Directory;

use super::cache::{TtlCache, TTL};

#[derive(Debug)]
pub struct CachedDirectory {
    store: Arc<dyn Storage>,
    staff: TtlCache<EmailAddress, StaffMember>,
    customers: TtlCache<CustomerNumber, CustomerId>,
    owners: TtlCache<ResourceId, CustomerId>,
}

impl CachedDirectory {
    pub fn new(store: Arc<dyn Storage>) -> Self {
        Self {
            store,
            staff: TtlCache::new(TTL),
            customers: TtlCache::new(TTL),
            owners: TtlCache::new(TTL),
        }
    }
}

#[async_trait]
impl Directory for CachedDirectory {
    async fn staff(&self, email: &EmailAddress) -> Result<Option<StaffMember>, StorageError> {
        self.staff
            .get_or_fetch(email, self.store.staff_by_email(email))
            .await
    }

    async fn customer(&self, number: &CustomerNumber) -> Result<Option<CustomerId>, StorageError> {
        let fetch = async {
            Ok(self
                .store
                .customer_by_number(number)
                .await?
                .map(|customer| customer.id))
        };
        self.customers.get_or_fetch(number, fetch).await
    }

    async fn owner_of(&self, resource: &ResourceId) -> Result<Option<CustomerId>, StorageError> {
        self.owners
            .get_or_fetch(resource, self.store.owner_of(resource))
            .await
    }
}
