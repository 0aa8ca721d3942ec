//! The layer cache: each layer's [`Fragment`] is kept in the lake's object store at
//! `cache/layers/<analyzer version>/<diff id>.json`, keyed by the layer's diff id (the digest
//! of its uncompressed tar, so a layer is the same entry whether it came gzip'd from a
//! registry or plain from a `docker save` tar) and by [`super::ANALYZER_VERSION`].
//!
//! Entries are immutable and content-addressed: two scans that write one entry write the same
//! bytes, and a put is atomic, so concurrent scans need no coordination. An entry that cannot
//! be read back is treated as missing (the layer is read again) and reported.

use super::ANALYZER_VERSION;
use super::layers::Fragment;
use crate::error::Result;
use crate::lake::Lake;

/// Where fragments are kept: the lake, or nowhere (`--no-cache`).
#[derive(Clone, Copy)]
pub struct Cache<'a> {
    lake: Option<&'a Lake>,
}

impl<'a> Cache<'a> {
    pub fn lake(lake: &'a Lake) -> Cache<'a> {
        Cache { lake: Some(lake) }
    }

    pub fn none() -> Cache<'static> {
        Cache { lake: None }
    }

    /// The object path of a layer's fragment, under the lake's root.
    pub fn key(diff_id: &str) -> String {
        format!(
            "cache/layers/{ANALYZER_VERSION}/{}.json",
            diff_id.to_ascii_lowercase().replace(':', "-")
        )
    }

    pub async fn get(&self, diff_id: &str) -> Result<Option<Fragment>> {
        let Some(lake) = self.lake else {
            return Ok(None);
        };
        let key = Self::key(diff_id);
        let Some(bytes) = lake.get_blob(&key).await? else {
            return Ok(None);
        };
        match serde_json::from_slice::<Fragment>(&bytes) {
            Ok(f) if f.analyzer == ANALYZER_VERSION && f.diff_id == diff_id => Ok(Some(f)),
            Ok(_) => {
                tracing::warn!(
                    "{key}: a cache entry for another layer or analyzer; reading the layer"
                );
                Ok(None)
            }
            Err(e) => {
                tracing::warn!("{key}: unreadable cache entry ({e}); reading the layer");
                Ok(None)
            }
        }
    }

    pub async fn put(&self, fragment: &Fragment) -> Result<()> {
        let Some(lake) = self.lake else {
            return Ok(());
        };
        let bytes = serde_json::to_vec(fragment)?;
        lake.put_blob(&Self::key(&fragment.diff_id), bytes).await
    }
}
