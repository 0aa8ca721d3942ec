//! Pulling from a registry with oci-client: the manifest (through an index to `--platform`),
//! the config, and the layer blobs a scan needs, each checked against its digest. Blobs are
//! downloaded into the scan's temporary directory and read from there like a layout's.
//! HTTPS always, except for the hosts named with `--insecure-registry`.

use std::path::{Path, PathBuf};

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use super::oci::{self, Image, ManifestDoc, Platform};

const ACCEPTED: [&str; 4] = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

/// A registry image being scanned.
pub struct Remote {
    client: Client,
    reference: Reference,
    dir: PathBuf,
}

impl Remote {
    /// Connects to the registry of `reference` (`HOST/REPO[:TAG|@DIGEST]`). `insecure` lists
    /// the `HOST:PORT`s spoken to over plain HTTP.
    pub fn new(reference: &str, insecure: &[String], work: &Path) -> Result<Remote, String> {
        let parsed: Reference = reference
            .parse()
            .map_err(|e| format!("not a registry reference (HOST/REPO[:TAG|@DIGEST]): {e}"))?;
        let config = ClientConfig {
            protocol: ClientProtocol::HttpsExcept(insecure.to_vec()),
            platform_resolver: None,
            ..ClientConfig::default()
        };
        Ok(Remote {
            client: Client::new(config),
            reference: parsed,
            dir: work.to_path_buf(),
        })
    }

    fn describe(&self, e: impl std::fmt::Display) -> String {
        let mut text = e.to_string();
        if text.contains("http://")
            || text.contains("https://")
            || text.contains("error sending request")
        {
            text.push_str(&format!(
                " (is the registry {} reachable? a plain-HTTP registry needs --insecure-registry {})",
                self.reference.registry(),
                self.reference.registry()
            ));
        }
        text
    }

    async fn manifest(&self, reference: &Reference) -> Result<(Vec<u8>, String), String> {
        let (bytes, digest) = self
            .client
            .pull_manifest_raw(reference, &RegistryAuth::Anonymous, &ACCEPTED)
            .await
            .map_err(|e| format!("manifest {}: {}", reference.whole(), self.describe(e)))?;
        if let Some(expected) = reference.digest() {
            oci::verify(expected, &bytes)?;
        }
        Ok((bytes.to_vec(), digest))
    }

    async fn small_blob(&self, digest: &str) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        self.client
            .pull_blob(&self.reference, digest, &mut out)
            .await
            .map_err(|e| format!("blob {digest}: {}", self.describe(e)))?;
        oci::verify(digest, &out)?;
        Ok(out)
    }

    /// Resolves the reference to one image manifest and its config.
    pub async fn resolve(&self, platform: &Platform) -> Result<Image, String> {
        let (mut bytes, mut digest) = self.manifest(&self.reference).await?;
        let mut seen = std::collections::HashSet::new();
        loop {
            if !seen.insert(digest.clone()) {
                return Err(format!("manifest {digest}: the index points at itself"));
            }
            oci::verify(&digest, &bytes)?;
            let doc: ManifestDoc = serde_json::from_slice(&bytes)
                .map_err(|e| format!("manifest {digest}: not valid JSON: {e}"))?;
            if oci::is_index(&doc, doc.media_type.as_deref().unwrap_or_default()) {
                let manifests = doc.manifests.unwrap_or_default();
                let chosen = oci::pick_platform(&digest, &manifests, platform)?
                    .digest
                    .clone();
                let by_digest = self.reference.clone_with_digest(chosen.clone());
                (bytes, _) = self.manifest(&by_digest).await?;
                digest = chosen;
                continue;
            }
            let config_digest = doc
                .config
                .as_ref()
                .map(|c| c.digest.clone())
                .ok_or_else(|| format!("manifest {digest}: no config"))?;
            let config = self.small_blob(&config_digest).await?;
            let mut image = oci::image_from_manifest(
                &|d| {
                    if d == config_digest {
                        Ok(config.clone())
                    } else {
                        Err(format!("blob {d}: not fetched"))
                    }
                },
                &digest,
                doc,
            )?;
            image.repository = Some(format!(
                "{}/{}",
                self.reference.registry(),
                self.reference.repository()
            ));
            image.tag = self.reference.tag().map(str::to_string);
            return Ok(image);
        }
    }

    /// Downloads the blob `digest` into the scan's directory (the digest is checked as it
    /// streams in, and again when the layer is read).
    pub async fn download(&self, digest: &str) -> Result<(), String> {
        let path = self.dir.join(oci::blob_path(digest)?);
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
        self.client
            .pull_blob(&self.reference, digest, file)
            .await
            .map_err(|e| format!("blob {digest}: {}", self.describe(e)))
    }

    /// The downloaded blobs, as a store.
    pub fn store(&self) -> oci::DirStore {
        oci::DirStore::new(&self.dir)
    }
}
