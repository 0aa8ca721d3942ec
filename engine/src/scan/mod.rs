//! The scanner: a container image to its inventory and usage SBOMs.
//!
//! 1. [`oci`] / [`registry`]: the reference is resolved to one image manifest and config;
//!    every manifest and config is checked against its digest.
//! 2. [`cache`]: layers already analyzed (by diff id and [`ANALYZER_VERSION`]) are taken from
//!    the lake's layer cache; the others are read.
//! 3. [`layers`]: each layer to read streams once through its digests, the decompressor and
//!    a tar reader; the [`analyzers`] parse what they watch (package databases, language
//!    manifests and lock files, archives) and [`native`] the binaries into a fragment. Layers
//!    are read in parallel.
//! 4. [`stitch`]: the fragments, bottom to top, give the OS, the packages, the binaries no
//!    package owns and, through [`usage`], the entrypoint's closure and the packages it
//!    reaches.
//! 5. [`formats`] writes CycloneDX 1.6 JSON or protobuf and SPDX 3.0.1, for either [`View`];
//!    [`land`] commits the scan to the lake.

use std::sync::Arc;

use indicatif::ProgressBar;

use crate::error::{EngineError, Result};

pub mod analyzers;
pub mod cache;
pub mod formats;
pub mod land;
pub mod layers;
pub mod native;
pub mod oci;
pub mod registry;
pub mod stitch;
pub mod usage;

pub use cache::Cache;
pub use oci::{Image, Platform, Reference};

/// The version of what the analyzers find. Cached layer fragments of another version are not
/// used: bump it whenever an analyzer finds something different in the same bytes.
pub const ANALYZER_VERSION: &str = "lang-2";

/// How a scan reads its input.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The platform an image index is resolved to.
    pub platform: Platform,
    /// Registries (`HOST:PORT`) spoken to over plain HTTP.
    pub insecure_registries: Vec<String>,
    /// Layers read at once; the machine's cores by default.
    pub threads: Option<usize>,
}

/// How much of a scan came from the layer cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheUse {
    /// Every layer was cached: nothing was read but the manifest and config.
    Full,
    /// Some layers were cached (a shared base), the others read.
    Partial,
    /// Every layer was read.
    None,
}

impl std::fmt::Display for CacheUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CacheUse::Full => "cached",
            CacheUse::Partial => "partial",
            CacheUse::None => "cold",
        })
    }
}

/// One layer as scanned.
#[derive(Clone, Debug)]
pub struct LayerInfo {
    pub index: usize,
    /// The blob's digest (for an old `docker save` layer taken from the cache, which is not
    /// read, its diff id: those layers are uncompressed tars).
    pub digest: String,
    pub diff_id: String,
    pub media_type: String,
    pub size: Option<u64>,
    pub cached: bool,
}

/// A finished scan: the image, its layers and what was found.
#[derive(Clone, Debug)]
pub struct Scan {
    /// The reference as given.
    pub reference: String,
    pub image: Image,
    pub layers: Vec<LayerInfo>,
    pub found: stitch::Stitched,
    pub cache: CacheUse,
    /// Which view the scan's documents describe.
    pub view: View,
}

/// The two views of an image: everything found, or what its entrypoint runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum View {
    /// Every package found in the image.
    Inventory,
    /// The packages the entrypoint's closure runs or links.
    Usage,
}

impl View {
    /// `components.view`, `artifacts.view` and the documents' file names.
    pub fn name(self) -> &'static str {
        match self {
            View::Inventory => "inventory",
            View::Usage => "usage",
        }
    }
}

impl Scan {
    /// The scan narrowed to its usage view: the packages the closure reaches, the
    /// dependencies among them; `None` for an image without Entrypoint or Cmd.
    pub fn usage(&self) -> Option<Scan> {
        let usage = self.found.usage.as_ref()?;
        let mut scan = self.clone();
        scan.view = View::Usage;
        // Its files no package owns are named in the document's metadata instead.
        scan.found.unowned.clear();
        scan.found
            .components
            .retain(|c| usage.components.contains_key(&c.bom_ref));
        let kept: std::collections::BTreeSet<String> = scan
            .found
            .components
            .iter()
            .map(|c| c.bom_ref.clone())
            .collect();
        scan.found
            .dependencies
            .retain(|parent, _| kept.contains(parent));
        for children in scan.found.dependencies.values_mut() {
            children.retain(|c| kept.contains(c));
        }
        Some(scan)
    }
}

fn input_error(reference: &Reference, reason: impl Into<String>) -> EngineError {
    EngineError::Input {
        path: reference.to_string(),
        reason: reason.into(),
    }
}

/// Scans the image `reference` names. Layers found in `cache` are not read; the others are,
/// and their fragments are added to the cache once the whole image has been read without
/// error. Nothing else is written.
pub async fn scan(
    reference: &Reference,
    options: &Options,
    cache: &Cache<'_>,
    progress: &ProgressBar,
) -> Result<Scan> {
    let work = tempfile::Builder::new()
        .prefix("vexlake-scan-")
        .tempdir()
        .map_err(|e| EngineError::io(std::env::temp_dir(), e))?;
    let fail = |reason: String| input_error(reference, reason);

    let mut remote = None;
    let (image, store): (Image, Arc<dyn oci::BlobStore>) = match reference {
        Reference::Registry { reference: r } => {
            let rem = registry::Remote::new(r, &options.insecure_registries, work.path())
                .map_err(fail)?;
            let image = rem.resolve(&options.platform).await.map_err(fail)?;
            let store = Arc::new(rem.store());
            remote = Some(rem);
            (image, store)
        }
        local => {
            let local = local.clone();
            let platform = options.platform.clone();
            tokio::task::spawn_blocking(move || open_local(&local, &platform))
                .await
                .map_err(|e| fail(format!("reading the image failed: {e}")))?
                .map_err(fail)?
        }
    };

    let mut fragments = Vec::with_capacity(image.layers.len());
    for layer in &image.layers {
        fragments.push(cache.get(&layer.diff_id).await?);
    }
    let missing: Vec<usize> = (0..fragments.len())
        .filter(|&i| fragments[i].is_none())
        .collect();
    progress.set_length(missing.len() as u64);
    if let Some(rem) = &remote {
        let downloads = missing.iter().map(|&i| {
            let digest = image.layers[i].digest.clone().unwrap_or_default();
            async move { rem.download(&digest).await }
        });
        for r in futures::future::join_all(downloads).await {
            r.map_err(fail)?;
        }
    }

    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let permits = Arc::new(tokio::sync::Semaphore::new(threads));
    let mut tasks = Vec::new();
    for &i in &missing {
        let layer = image.layers[i].clone();
        let store = store.clone();
        let work = work.path().to_path_buf();
        let permits = permits.clone();
        let progress = progress.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            let read = tokio::task::spawn_blocking(move || {
                let name = layer.digest.as_deref().unwrap_or(&layer.locator);
                let blob = store
                    .open(&layer.locator)
                    .map_err(|e| format!("layer {name}: {e}"))?;
                layers::read_layer(&layer, blob, &work)
            })
            .await
            .map_err(|e| format!("reading a layer failed: {e}"))?;
            progress.inc(1);
            read
        }));
    }
    let mut read_digests = std::collections::HashMap::new();
    for (task, &i) in tasks.into_iter().zip(&missing) {
        let read = task
            .await
            .map_err(|e| fail(format!("reading a layer failed: {e}")))?
            .map_err(fail)?;
        read_digests.insert(i, (read.digest, read.size));
        fragments[i] = Some(read.fragment);
    }
    let fragments: Vec<layers::Fragment> = fragments.into_iter().flatten().collect();
    for &i in &missing {
        cache.put(&fragments[i]).await?;
    }

    let layers = image
        .layers
        .iter()
        .map(|l| {
            let read = read_digests.get(&l.index);
            LayerInfo {
                index: l.index,
                digest: read
                    .map(|(d, _)| d.clone())
                    .or_else(|| l.digest.clone())
                    .unwrap_or_else(|| l.diff_id.clone()),
                diff_id: l.diff_id.clone(),
                media_type: l.media_type.clone(),
                size: read.map(|(_, s)| *s).or(l.size),
                cached: read.is_none(),
            }
        })
        .collect();
    let refs: Vec<&layers::Fragment> = fragments.iter().collect();
    let found = stitch::stitch(&refs, image.config.config.as_ref());
    let cache_use = match (missing.len(), image.layers.len()) {
        (0, _) => CacheUse::Full,
        (m, n) if m == n => CacheUse::None,
        _ => CacheUse::Partial,
    };
    Ok(Scan {
        reference: reference.to_string(),
        image,
        layers,
        found,
        cache: cache_use,
        view: View::Inventory,
    })
}

/// Opens a local image: a layout directory, an OCI archive or a `docker save` tar.
fn open_local(
    reference: &Reference,
    platform: &Platform,
) -> std::result::Result<(Image, Arc<dyn oci::BlobStore>), String> {
    match reference {
        Reference::Layout { path, tag } => {
            let store = oci::DirStore::new(path);
            let image = oci::resolve_layout(&store, tag.as_deref(), platform)?;
            Ok((image, Arc::new(store)))
        }
        Reference::OciArchive { path, tag } => {
            let store = oci::TarStore::open(path)?;
            let image = oci::resolve_layout(&store, tag.as_deref(), platform)?;
            Ok((image, Arc::new(store)))
        }
        Reference::DockerArchive { path, tag } => {
            let store = oci::TarStore::open(path)?;
            let image = oci::resolve_docker_archive(&store, tag.as_deref())?;
            Ok((image, Arc::new(store)))
        }
        Reference::Registry { .. } => Err("a registry reference is not a local image".into()),
    }
}
