//! A small map whose entries are forgotten a fixed time after they were read from the database. Only what was
//! found is kept: an unknown key costs a lookup every time, so nothing a caller makes up can fill the map.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How long the API trusts what it read about tokens, staff roles, customers and resource owners. A revoked
/// token, a withdrawn role or a moved service takes effect at the latest this long after the change.
pub const TTL: Duration = Duration::from_secs(2);

/// Bounds each cache: a bug elsewhere must not turn one into a leak.
const MAX_ENTRIES: usize = 4096;

#[derive(Debug)]
pub struct TtlCache<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Hash + Eq + Clone, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn fresh(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(read, _)| read.elapsed() < self.ttl)
            .map(|(_, value)| value.clone())
    }

    fn remember(&self, key: K, value: V, read: Instant) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, (read, _)| read.elapsed() < ttl);
        }
        if entries.len() < MAX_ENTRIES {
            entries.insert(key, (read, value));
        }
    }

    /// The cached value, or what `fetch` finds, remembered from the moment the lookup started (so that an entry
    /// never outlives the TTL counted from the data it holds).
    pub async fn get_or_fetch<E, F>(&self, key: &K, fetch: F) -> Result<Option<V>, E>
    where
        F: std::future::Future<Output = Result<Option<V>, E>>,
    {
        if let Some(value) = self.fresh(key) {
            return Ok(Some(value));
        }
        let read = Instant::now();
        let found = fetch.await?;
        if let Some(value) = &found {
            self.remember(key.clone(), value.clone(), read);
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn found_values_are_kept_for_the_ttl_and_missing_ones_never() {
        let cache = TtlCache::new(Duration::from_millis(50));
        let found: Result<_, ()> = cache.get_or_fetch(&1, async { Ok(Some("one")) }).await;
        assert_eq!(found, Ok(Some("one")));
        let cached: Result<_, ()> = cache.get_or_fetch(&1, async { Ok(Some("changed")) }).await;
        assert_eq!(cached, Ok(Some("one")));
        let missing: Result<_, ()> = cache.get_or_fetch(&2, async { Ok(None) }).await;
        assert_eq!(missing, Ok(None));
        let later: Result<_, ()> = cache.get_or_fetch(&2, async { Ok(Some("two")) }).await;
        assert_eq!(later, Ok(Some("two")), "a miss is not remembered");
        tokio::time::sleep(Duration::from_millis(60)).await;
        let expired: Result<_, ()> = cache.get_or_fetch(&1, async { Ok(Some("changed")) }).await;
        assert_eq!(expired, Ok(Some("changed")));
    }
}
