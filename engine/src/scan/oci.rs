//! Image inputs: what `vexlake scan REF` names, and how an image's manifest, config and layer
//! blobs are found in an OCI image layout (a directory or an `oci-archive` tar) or a
//! `docker save` tar (old and new layouts). Registries are in [`super::registry`].
//!
//! Every blob read here is checked against its sha256: manifests and configs as they are read,
//! layers while they stream ([`super::layers`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::EngineError;

/// What `vexlake scan` was asked to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    /// An OCI image layout directory (`oci:DIR[:TAG]`).
    Layout { path: PathBuf, tag: Option<String> },
    /// An OCI image layout in a tar (`oci-archive:FILE[:TAG]`).
    OciArchive { path: PathBuf, tag: Option<String> },
    /// A `docker save` tar (`docker-archive:FILE[:REPO:TAG]`).
    DockerArchive { path: PathBuf, tag: Option<String> },
    /// An image in a registry (`registry:HOST/REPO[:TAG|@DIGEST]`).
    Registry { reference: String },
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let with_tag =
            |f: &mut std::fmt::Formatter<'_>, kind: &str, p: &Path, t: &Option<String>| {
                write!(f, "{kind}:{}", p.display())?;
                match t {
                    Some(t) => write!(f, ":{t}"),
                    None => Ok(()),
                }
            };
        match self {
            Reference::Layout { path, tag } => with_tag(f, "oci", path, tag),
            Reference::OciArchive { path, tag } => with_tag(f, "oci-archive", path, tag),
            Reference::DockerArchive { path, tag } => with_tag(f, "docker-archive", path, tag),
            Reference::Registry { reference } => write!(f, "registry:{reference}"),
        }
    }
}

/// `path[:tag]` where `path` exists: the whole string if it names a file or directory, else
/// split at its last `:` when the part before it does.
fn path_and_tag(s: &str) -> Option<(PathBuf, Option<String>)> {
    if Path::new(s).exists() {
        return Some((PathBuf::from(s), None));
    }
    // A docker-archive tag is `repo:tag`, itself with a colon: try each split, longest path first.
    let mut cut = s.len();
    while let Some(i) = s[..cut].rfind(':') {
        if Path::new(&s[..i]).exists() {
            return Some((PathBuf::from(&s[..i]), Some(s[i + 1..].to_string())));
        }
        cut = i;
    }
    None
}

impl Reference {
    /// Parses a reference as `vexlake scan` takes it: with a transport prefix, or a bare path
    /// recognized by its content, or else a registry reference.
    pub fn parse(s: &str) -> Result<Reference, EngineError> {
        let bad = |reason: String| EngineError::Input {
            path: s.to_string(),
            reason,
        };
        let local = |rest: &str| {
            path_and_tag(rest).ok_or_else(|| bad(format!("no such file or directory: {rest}")))
        };
        if let Some(rest) = s.strip_prefix("oci:") {
            let (path, tag) = local(rest)?;
            return Ok(Reference::Layout { path, tag });
        }
        if let Some(rest) = s.strip_prefix("oci-archive:") {
            let (path, tag) = local(rest)?;
            return Ok(Reference::OciArchive { path, tag });
        }
        if let Some(rest) = s.strip_prefix("docker-archive:") {
            let (path, tag) = local(rest)?;
            return Ok(Reference::DockerArchive { path, tag });
        }
        if let Some(rest) = s
            .strip_prefix("registry:")
            .or_else(|| s.strip_prefix("docker://"))
        {
            return Ok(Reference::Registry {
                reference: rest.to_string(),
            });
        }
        if let Some((path, tag)) = path_and_tag(s) {
            return detect(&path, tag).map_err(bad);
        }
        if looks_like_registry_reference(s) {
            return Ok(Reference::Registry {
                reference: s.to_string(),
            });
        }
        Err(bad(
            "no such file or directory, and not a registry reference (HOST/REPO[:TAG|@DIGEST]); \
             name the input with oci:, oci-archive:, docker-archive: or registry:"
                .into(),
        ))
    }
}

/// `HOST[:PORT]/REPO[:TAG|@DIGEST]` with a host that has a dot or a port, or is localhost.
fn looks_like_registry_reference(s: &str) -> bool {
    let Some((host, rest)) = s.split_once('/') else {
        return false;
    };
    !rest.is_empty()
        && !host.is_empty()
        && (host.contains('.') || host.contains(':') || host == "localhost")
        && !s.contains(char::is_whitespace)
}

/// What a bare path holds: a layout directory, or a tar whose members tell its kind.
fn detect(path: &Path, tag: Option<String>) -> Result<Reference, String> {
    if path.is_dir() {
        if path.join("oci-layout").is_file() {
            return Ok(Reference::Layout {
                path: path.to_path_buf(),
                tag,
            });
        }
        return Err("a directory without an oci-layout file is not an OCI image layout".into());
    }
    let members = TarStore::open(path).map_err(|e| format!("not an image archive: {e}"))?;
    // `docker save` since Docker 25 writes an OCI layout *and* manifest.json; the latter keeps
    // the repository tags, so it decides.
    if members.members.contains_key("manifest.json") {
        Ok(Reference::DockerArchive {
            path: path.to_path_buf(),
            tag,
        })
    } else if members.members.contains_key("oci-layout") {
        Ok(Reference::OciArchive {
            path: path.to_path_buf(),
            tag,
        })
    } else {
        Err("a tar with neither manifest.json (docker-archive) nor oci-layout (oci-archive)".into())
    }
}

/// The platform an image index is resolved to (`--platform os/arch[/variant]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }
    }
}

impl std::str::FromStr for Platform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: None,
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() && !variant.is_empty() => {
                Ok(Platform {
                    os: os.to_string(),
                    architecture: arch.to_string(),
                    variant: Some(variant.to_string()),
                })
            }
            _ => Err(format!(
                "{s:?}: expected OS/ARCH or OS/ARCH/VARIANT, such as linux/amd64"
            )),
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// An OCI or Docker descriptor.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub size: i64,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    pub platform: Option<DescriptorPlatform>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DescriptorPlatform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    pub variant: Option<String>,
}

/// An image index or an image manifest (OCI or Docker v2 schema 2).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestDoc {
    #[serde(default)]
    pub media_type: Option<String>,
    /// An index's manifests.
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
    /// A manifest's config and layers.
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub layers: Option<Vec<Descriptor>>,
}

/// The image configuration fields vexlake keeps.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ImageConfig {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    pub variant: Option<String>,
    pub created: Option<String>,
    #[serde(default)]
    pub config: Option<RunConfig>,
    pub rootfs: Option<RootFs>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    #[serde(default)]
    pub env: Option<Vec<String>>,
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    pub working_dir: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct RootFs {
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// One layer of an image: where its blob is, and the digests it must have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerRef {
    pub index: usize,
    /// The blob's digest as the manifest names it; `None` for an old `docker save` layer, whose
    /// blob is named by path (its digest is computed while it is read).
    pub digest: Option<String>,
    /// The digest of the uncompressed tar (the config's `rootfs.diff_ids`): what the layer
    /// cache is keyed by, the same whether the blob is compressed or not.
    pub diff_id: String,
    pub media_type: String,
    pub size: Option<u64>,
    /// Where the blob is in its store: a path in a layout, an archive or the scan's download
    /// directory.
    pub(crate) locator: String,
}

/// An image resolved to one manifest: everything but the layers' contents.
#[derive(Clone, Debug)]
pub struct Image {
    /// The manifest's digest, or for a `docker save` tar (which has no manifest) the config's
    /// digest, the image id `docker images` shows.
    pub digest: String,
    pub repository: Option<String>,
    pub tag: Option<String>,
    pub config_digest: String,
    pub config: ImageConfig,
    pub layers: Vec<LayerRef>,
}

/// A source of blobs: a layout directory, a tar, or blobs fetched from a registry.
pub trait BlobStore: Send + Sync {
    /// Opens the blob at `locator` (a path inside the store).
    fn open(&self, locator: &str) -> Result<Box<dyn Read + Send + '_>, String>;

    /// Reads a small document (index, manifest, config) whole; `what` names it in errors.
    fn read_document(&self, locator: &str, what: &str) -> Result<Vec<u8>, String> {
        let mut bytes = Vec::new();
        self.open(locator)?
            .take(MAX_DOCUMENT + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{what}: {e}"))?;
        if bytes.len() as u64 > MAX_DOCUMENT {
            return Err(format!("{what}: larger than {MAX_DOCUMENT} bytes"));
        }
        Ok(bytes)
    }

    /// Reads a small blob (a manifest or config) whole, checking it against `digest`.
    fn read_verified(&self, locator: &str, digest: &str) -> Result<Vec<u8>, String> {
        let bytes = self.read_document(locator, &format!("blob {digest}"))?;
        verify(digest, &bytes)?;
        Ok(bytes)
    }
}

/// The largest manifest, index or config read (they are small JSON documents).
const MAX_DOCUMENT: u64 = 16 << 20;

/// Checks `bytes` against `digest` (`sha256:<hex>`).
pub fn verify(digest: &str, bytes: &[u8]) -> Result<(), String> {
    let actual = sha256_digest(bytes);
    let expected = digest.to_ascii_lowercase();
    if !expected.starts_with("sha256:") {
        return Err(format!("blob {digest}: only sha256 digests are supported"));
    }
    if actual != expected {
        return Err(format!(
            "blob {digest}: digest mismatch, the bytes hash to {actual}"
        ));
    }
    Ok(())
}

pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The path of a blob in an OCI layout: `blobs/sha256/<hex>`, after checking the digest's form
/// (so that a digest cannot name a path outside the layout).
pub fn blob_path(digest: &str) -> Result<String, String> {
    let (algo, hex) = digest
        .split_once(':')
        .ok_or_else(|| format!("blob {digest}: not a digest (ALGORITHM:HEX)"))?;
    if algo != "sha256" || hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("blob {digest}: not a sha256 digest"));
    }
    Ok(format!("blobs/sha256/{}", hex.to_ascii_lowercase()))
}

/// An OCI layout directory.
pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    pub fn new(root: &Path) -> DirStore {
        DirStore {
            root: root.to_path_buf(),
        }
    }
}

impl BlobStore for DirStore {
    fn open(&self, locator: &str) -> Result<Box<dyn Read + Send + '_>, String> {
        let path = self.root.join(locator);
        let file = File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{locator}: missing from the layout"),
            _ => format!("{}: {e}", path.display()),
        })?;
        Ok(Box::new(file))
    }
}

/// A tar read in place: its members' offsets are indexed once, then each is read by seeking.
pub struct TarStore {
    path: PathBuf,
    members: HashMap<String, (u64, u64)>,
}

impl TarStore {
    pub fn open(path: &Path) -> Result<TarStore, String> {
        let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut archive = tar::Archive::new(file);
        let mut members = HashMap::new();
        let entries = archive
            .entries_with_seek()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| format!("{}: not a readable tar: {e}", path.display()))?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = entry
                .path()
                .map_err(|e| format!("{}: {e}", path.display()))?
                .to_string_lossy()
                .trim_start_matches("./")
                .to_string();
            members.insert(name, (entry.raw_file_position(), entry.size()));
        }
        Ok(TarStore {
            path: path.to_path_buf(),
            members,
        })
    }
}

impl BlobStore for TarStore {
    fn open(&self, locator: &str) -> Result<Box<dyn Read + Send + '_>, String> {
        let &(offset, size) = self
            .members
            .get(locator)
            .ok_or_else(|| format!("{locator}: missing from the archive"))?;
        let mut file =
            File::open(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        Ok(Box::new(file.take(size)))
    }
}

fn parse_doc<T: for<'de> Deserialize<'de>>(
    what: &str,
    digest: &str,
    bytes: &[u8],
) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("{what} {digest}: not valid JSON: {e}"))
}

pub(crate) fn is_index(doc: &ManifestDoc, media_type: &str) -> bool {
    doc.manifests.is_some()
        || media_type.contains("image.index")
        || media_type.contains("manifest.list")
}

/// The tag a descriptor in a layout's index.json carries.
fn ref_name(d: &Descriptor) -> Option<&str> {
    d.annotations
        .get("org.opencontainers.image.ref.name")
        .map(String::as_str)
        .or_else(|| {
            d.annotations
                .get("io.containerd.image.name")
                .map(|n| n.rsplit_once(':').map_or(n.as_str(), |(_, t)| t))
        })
}

/// Resolves an OCI layout (directory or archive) to one image.
pub fn resolve_layout(
    store: &dyn BlobStore,
    tag: Option<&str>,
    platform: &Platform,
) -> Result<Image, String> {
    // The marker file must be there; its one field (the layout version) changes nothing here.
    store.read_document("oci-layout", "oci-layout")?;
    let index = store.read_document("index.json", "index.json")?;
    let index: ManifestDoc =
        serde_json::from_slice(&index).map_err(|e| format!("index.json: not valid JSON: {e}"))?;
    let entries = index.manifests.unwrap_or_default();
    let chosen = match tag {
        Some(t) => entries
            .iter()
            .find(|d| ref_name(d) == Some(t))
            .ok_or_else(|| {
                format!(
                    "no image tagged {t:?} in the layout; {}",
                    tags_listing(&entries)
                )
            })?,
        None => match entries.as_slice() {
            [] => return Err("index.json lists no image".into()),
            [one] => one,
            many => {
                let distinct: HashSet<&str> = many.iter().map(|d| d.digest.as_str()).collect();
                if distinct.len() > 1 {
                    return Err(format!(
                        "the layout holds {} images: name one as DIR:TAG; {}",
                        many.len(),
                        tags_listing(many)
                    ));
                }
                &many[0]
            }
        },
    };
    let tag = tag
        .map(str::to_string)
        .or_else(|| ref_name(chosen).map(str::to_string));
    let repository = chosen
        .annotations
        .get("io.containerd.image.name")
        .and_then(|n| n.rsplit_once(':').map(|(r, _)| r.to_string()));
    let mut image = resolve_manifest(
        &|digest: &str| store.read_verified(&blob_path(digest)?, digest),
        chosen.clone(),
        platform,
    )?;
    image.tag = tag;
    image.repository = repository;
    Ok(image)
}

fn tags_listing(entries: &[Descriptor]) -> String {
    let tags: Vec<String> = entries
        .iter()
        .map(|d| match ref_name(d) {
            Some(t) => format!("{t} ({})", d.digest),
            None => format!("(untagged) {}", d.digest),
        })
        .collect();
    format!("its images: {}", tags.join(", "))
}

/// Follows a descriptor through image indexes (choosing `platform`) to an image manifest, and
/// reads its config. `fetch` returns a blob's bytes, verified against its digest.
pub fn resolve_manifest(
    fetch: &dyn Fn(&str) -> Result<Vec<u8>, String>,
    mut descriptor: Descriptor,
    platform: &Platform,
) -> Result<Image, String> {
    let mut seen = HashSet::new();
    loop {
        if !seen.insert(descriptor.digest.clone()) {
            return Err(format!(
                "manifest {}: the index points at itself (a cycle of manifests)",
                descriptor.digest
            ));
        }
        let bytes = fetch(&descriptor.digest)?;
        let doc: ManifestDoc = parse_doc("manifest", &descriptor.digest, &bytes)?;
        let media_type = doc
            .media_type
            .clone()
            .unwrap_or_else(|| descriptor.media_type.clone());
        if is_index(&doc, &media_type) {
            let manifests = doc.manifests.unwrap_or_default();
            descriptor = pick_platform(&descriptor.digest, &manifests, platform)?.clone();
            continue;
        }
        return image_from_manifest(fetch, &descriptor.digest, doc);
    }
}

pub(crate) fn pick_platform<'a>(
    index: &str,
    manifests: &'a [Descriptor],
    platform: &Platform,
) -> Result<&'a Descriptor, String> {
    let matches = |d: &&Descriptor| {
        d.platform.as_ref().is_some_and(|p| {
            p.os == platform.os
                && p.architecture == platform.architecture
                && (platform.variant.is_none() || p.variant == platform.variant)
        })
    };
    if let Some(d) = manifests.iter().find(matches) {
        return Ok(d);
    }
    let offered: Vec<String> = manifests
        .iter()
        .filter_map(|d| d.platform.as_ref())
        .filter(|p| p.os != "unknown")
        .map(|p| match &p.variant {
            Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
            None => format!("{}/{}", p.os, p.architecture),
        })
        .collect();
    Err(format!(
        "index {index} has no image for platform {platform}; it offers: {} (choose with --platform)",
        if offered.is_empty() {
            "none".to_string()
        } else {
            offered.join(", ")
        }
    ))
}

pub(crate) fn image_from_manifest(
    fetch: &dyn Fn(&str) -> Result<Vec<u8>, String>,
    digest: &str,
    doc: ManifestDoc,
) -> Result<Image, String> {
    let config_desc = doc
        .config
        .ok_or_else(|| format!("manifest {digest}: no config"))?;
    let config_bytes = fetch(&config_desc.digest)?;
    let config: ImageConfig = parse_doc("config", &config_desc.digest, &config_bytes)?;
    let layers = doc.layers.unwrap_or_default();
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.clone())
        .unwrap_or_default();
    if diff_ids.len() != layers.len() {
        return Err(format!(
            "manifest {digest}: {} layers but its config {} lists {} diff_ids",
            layers.len(),
            config_desc.digest,
            diff_ids.len()
        ));
    }
    let layers = layers
        .into_iter()
        .zip(diff_ids)
        .enumerate()
        .map(|(index, (d, diff_id))| {
            Ok(LayerRef {
                index,
                locator: blob_path(&d.digest)?,
                digest: Some(d.digest),
                diff_id,
                media_type: d.media_type,
                size: u64::try_from(d.size).ok(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Image {
        digest: digest.to_string(),
        repository: None,
        tag: None,
        config_digest: config_desc.digest,
        config,
        layers,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

/// Resolves a `docker save` tar: `manifest.json` names the config and the layer tars by path
/// (`<id>/layer.tar` in the old layout, `blobs/sha256/<hex>` since Docker 25).
pub fn resolve_docker_archive(store: &dyn BlobStore, tag: Option<&str>) -> Result<Image, String> {
    let bytes = store.read_document("manifest.json", "manifest.json")?;
    let entries: Vec<DockerManifestEntry> =
        serde_json::from_slice(&bytes).map_err(|e| format!("manifest.json: not valid: {e}"))?;
    let tags_of = |e: &DockerManifestEntry| e.repo_tags.clone().unwrap_or_default();
    let chosen = match tag {
        Some(t) => entries
            .iter()
            .find(|e| {
                tags_of(e)
                    .iter()
                    .any(|rt| rt == t || rt.rsplit_once(':').is_some_and(|(_, tt)| tt == t))
            })
            .ok_or_else(|| {
                let all: Vec<String> = entries.iter().flat_map(tags_of).collect();
                format!(
                    "no image tagged {t:?} in the archive; its tags: {}",
                    all.join(", ")
                )
            })?,
        None => match entries.as_slice() {
            [] => return Err("manifest.json lists no image".into()),
            [one] => one,
            many => {
                let all: Vec<String> = many.iter().flat_map(tags_of).collect();
                return Err(format!(
                    "the archive holds {} images: name one as FILE:REPO:TAG; its tags: {}",
                    many.len(),
                    all.join(", ")
                ));
            }
        },
    };
    let config_bytes = store.read_document(&chosen.config, &chosen.config)?;
    let config_digest = sha256_digest(&config_bytes);
    // The config's file name is its digest (`<hex>.json` or `blobs/sha256/<hex>`).
    let named = chosen
        .config
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".json");
    if named.len() == 64 && named.bytes().all(|b| b.is_ascii_hexdigit()) {
        verify(&format!("sha256:{named}"), &config_bytes)?;
    }
    let config: ImageConfig = parse_doc("config", &config_digest, &config_bytes)?;
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.clone())
        .unwrap_or_default();
    if diff_ids.len() != chosen.layers.len() {
        return Err(format!(
            "manifest.json: {} layers but the config lists {} diff_ids",
            chosen.layers.len(),
            diff_ids.len()
        ));
    }
    let layers = chosen
        .layers
        .iter()
        .zip(diff_ids)
        .enumerate()
        .map(|(index, (path, diff_id))| {
            let digest = path
                .strip_prefix("blobs/sha256/")
                .filter(|h| h.len() == 64)
                .map(|h| format!("sha256:{h}"));
            LayerRef {
                index,
                digest,
                diff_id,
                media_type: "application/vnd.docker.image.rootfs.diff.tar".into(),
                size: None,
                locator: path.clone(),
            }
        })
        .collect();
    let repo_tag = match tag {
        Some(t) => tags_of(chosen)
            .into_iter()
            .find(|rt| rt == t || rt.ends_with(&format!(":{t}"))),
        None => tags_of(chosen).into_iter().next(),
    };
    let (repository, tag) = match repo_tag.as_deref().and_then(|rt| rt.rsplit_once(':')) {
        Some((r, t)) if !t.contains('/') => (Some(r.to_string()), Some(t.to_string())),
        _ => (None, None),
    };
    Ok(Image {
        digest: config_digest.clone(),
        repository,
        tag,
        config_digest,
        config,
        layers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let dir = tempfile::tempdir().unwrap();
        let layout = dir.path().join("img");
        std::fs::create_dir(&layout).unwrap();
        std::fs::write(layout.join("oci-layout"), b"{}").unwrap();
        let l = layout.to_str().unwrap();
        assert_eq!(
            Reference::parse(l).unwrap(),
            Reference::Layout {
                path: layout.clone(),
                tag: None
            }
        );
        assert_eq!(
            Reference::parse(&format!("{l}:v1")).unwrap(),
            Reference::Layout {
                path: layout.clone(),
                tag: Some("v1".into())
            }
        );
        assert_eq!(
            Reference::parse(&format!("oci:{l}:v1")).unwrap(),
            Reference::Layout {
                path: layout.clone(),
                tag: Some("v1".into())
            }
        );
        assert_eq!(
            Reference::parse("127.0.0.1:5000/debian:12").unwrap(),
            Reference::Registry {
                reference: "127.0.0.1:5000/debian:12".into()
            }
        );
        let e = Reference::parse("no-such-thing").unwrap_err().to_string();
        assert!(e.contains("no such file"), "{e}");
        assert!(Reference::parse(&format!("oci:{l}/missing")).is_err());
    }

    #[test]
    fn platforms_and_blob_paths() {
        assert_eq!(
            "linux/arm64/v8"
                .parse::<Platform>()
                .unwrap()
                .variant
                .as_deref(),
            Some("v8")
        );
        assert!("linux".parse::<Platform>().is_err());
        assert!(blob_path("sha256:../../etc/passwd").is_err());
        assert_eq!(
            blob_path(&format!("sha256:{}", "A".repeat(64))).unwrap(),
            format!("blobs/sha256/{}", "a".repeat(64))
        );
        let e = verify(&sha256_digest(b"x"), b"y").unwrap_err();
        assert!(e.contains("digest mismatch"), "{e}");
    }
}
