//! Reading one layer: the blob streams through its sha256, a gzip or zstd decoder (chosen by
//! the blob's first bytes), the diff id's sha256 and a tar reader, once, without touching the
//! disk. What the analyzers want (package databases, os-release) is parsed on the way into a
//! [`Fragment`]; whiteouts and opaque directories are recorded for [`super::stitch`].
//!
//! Paths are normalized as an image's root sees them: `./` and `/` prefixes, `.` and `..`
//! components resolved lexically and clamped at the root, so no tar member can name a path
//! outside it. Nothing is written under a member's name: the only file written is an rpm
//! database, under a fixed name in the scan's own temporary directory.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::analyzers::{self, Found};
use super::oci::LayerRef;

/// The largest package database or os-release file read from a layer.
const MAX_WATCHED_FILE: u64 = 512 << 20;

/// What one layer contributes, as the cache stores it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fragment {
    /// [`super::ANALYZER_VERSION`] when it was made: a fragment of another version is not used.
    pub analyzer: String,
    pub diff_id: String,
    /// Package databases and os-release files this layer writes, by normalized path.
    pub files: BTreeMap<String, Found>,
    /// Symbolic links at watched paths (`etc/os-release -> ../usr/lib/os-release`), resolved
    /// to a normalized path.
    pub symlinks: BTreeMap<String, String>,
    /// Paths this layer deletes from the layers below (`.wh.NAME`).
    pub whiteouts: BTreeSet<String>,
    /// Directories whose lower-layer contents this layer hides (`.wh..wh..opq`).
    pub opaque: BTreeSet<String>,
    /// Watched files that could not be read, with the reason (reported, never fatal).
    pub problems: Vec<String>,
    /// Members of the tar: files, directories, links.
    pub entries: u64,
}

/// Resolves `path` (a tar member name, or a link target joined to its directory) to a
/// normalized path under the root: no leading `/`, no `.` or `..` components, never above the
/// root. The root itself is the empty string.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The target of a symbolic link at `path`, as a normalized path: an absolute target is taken
/// from the image's root (never the host's), a relative one from the link's directory.
pub fn link_target(path: &str, target: &str) -> String {
    if target.starts_with('/') {
        normalize(target)
    } else {
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        normalize(&format!("{dir}/{target}"))
    }
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn hashing<R>(inner: R) -> Hashing<R> {
    Hashing {
        inner,
        hasher: Sha256::new(),
        bytes: 0,
    }
}

fn finish(h: Sha256) -> String {
    format!("sha256:{}", hex::encode(h.finalize()))
}

/// What reading a layer gave: its fragment, and the blob's digest and size as read.
pub struct LayerRead {
    pub fragment: Fragment,
    pub digest: String,
    pub size: u64,
}

/// The compression of a blob, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zstd,
    None,
}

fn sniff(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Reads one layer blob and analyzes it. `blob` is the raw (possibly compressed) stream;
/// `work` is the scan's temporary directory. Errors name the layer and say what is wrong
/// (digest mismatch, corrupt compression, truncated tar).
pub fn read_layer(
    layer: &LayerRef,
    blob: Box<dyn Read + Send + '_>,
    work: &Path,
) -> Result<LayerRead, String> {
    let name = layer.digest.as_deref().unwrap_or(&layer.locator);
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("layer {name}: {what}: {e}");
    let mut raw = BufReader::with_capacity(1 << 20, hashing(blob));
    let head = raw.fill_buf().map_err(|e| fail("cannot read", &e))?;
    let compression = sniff(head);
    let (fragment, diff_id) = {
        let decoded: Box<dyn Read + '_> = match compression {
            Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(&mut raw)),
            Compression::Zstd => Box::new(
                zstd::stream::read::Decoder::with_buffer(&mut raw).map_err(|e| fail("zstd", &e))?,
            ),
            Compression::None => Box::new(&mut raw),
        };
        let mut tar_stream = hashing(decoded);
        let fragment =
            analyze_tar(&mut tar::Archive::new(&mut tar_stream), layer, work).map_err(|e| {
                match compression {
                    Compression::Gzip => fail("corrupt gzip or truncated tar", &e),
                    Compression::Zstd => fail("corrupt zstd or truncated tar", &e),
                    Compression::None => fail("truncated or corrupt tar", &e),
                }
            })?;
        // The tar ends at its end-of-archive blocks; what follows still counts towards the
        // digests.
        io::copy(&mut tar_stream, &mut io::sink())
            .map_err(|e| fail("corrupt compressed stream", &e))?;
        (fragment, finish(tar_stream.hasher))
    };
    io::copy(&mut raw, &mut io::sink()).map_err(|e| fail("cannot read", &e))?;
    let Hashing { hasher, bytes, .. } = raw.into_inner();
    let digest = finish(hasher);
    if let Some(expected) = &layer.digest
        && !expected.eq_ignore_ascii_case(&digest)
    {
        return Err(format!(
            "layer {expected}: digest mismatch, the blob hashes to {digest}"
        ));
    }
    if !layer.diff_id.eq_ignore_ascii_case(&diff_id) {
        return Err(format!(
            "layer {name}: diff_id mismatch: the config says {}, the uncompressed tar hashes to {diff_id}",
            layer.diff_id
        ));
    }
    Ok(LayerRead {
        fragment,
        digest,
        size: bytes,
    })
}

fn analyze_tar<R: Read>(
    archive: &mut tar::Archive<R>,
    layer: &LayerRef,
    work: &Path,
) -> io::Result<Fragment> {
    let mut fragment = Fragment {
        analyzer: super::ANALYZER_VERSION.to_string(),
        diff_id: layer.diff_id.clone(),
        ..Fragment::default()
    };
    for entry in archive.entries()? {
        let mut entry = entry?;
        fragment.entries += 1;
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let path = normalize(&raw_path);
        let (dir, base) = match path.rsplit_once('/') {
            Some((d, b)) => (d, b),
            None => ("", path.as_str()),
        };
        if let Some(hidden) = base.strip_prefix(".wh.") {
            if hidden == ".wh..opq" {
                fragment.opaque.insert(dir.to_string());
            } else if !hidden.is_empty() {
                let target = if dir.is_empty() {
                    hidden.to_string()
                } else {
                    format!("{dir}/{hidden}")
                };
                fragment.whiteouts.insert(target);
            }
            continue;
        }
        let kind = entry.header().entry_type();
        let Some(watch) = analyzers::watched(&path) else {
            continue;
        };
        if kind.is_symlink() || kind.is_hard_link() {
            if let Some(target) = entry.link_name_bytes() {
                let target = String::from_utf8_lossy(&target).into_owned();
                // A hard link's target is a member name (from the root); a symlink's is relative
                // to its directory unless absolute. Either way it stays under the root.
                let resolved = if kind.is_hard_link() {
                    normalize(&target)
                } else {
                    link_target(&path, &target)
                };
                fragment.symlinks.insert(path, resolved);
            }
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        if entry.size() > MAX_WATCHED_FILE {
            fragment.problems.push(format!(
                "{path}: {} bytes, more than the {MAX_WATCHED_FILE} read; skipped",
                entry.size()
            ));
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes)?;
        match analyzers::analyze(watch, &path, &bytes, work) {
            Ok(found) => {
                fragment.files.insert(path, found);
            }
            Err(reason) => fragment.problems.push(format!("{path}: {reason}")),
        }
    }
    Ok(fragment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_under_the_root() {
        assert_eq!(normalize("./var/lib/dpkg/status"), "var/lib/dpkg/status");
        assert_eq!(normalize("/etc//os-release"), "etc/os-release");
        assert_eq!(normalize("../../../etc/passwd"), "etc/passwd");
        assert_eq!(normalize("a/b/../../../../c"), "c");
        assert_eq!(normalize("./"), "");
        assert_eq!(
            link_target("etc/os-release", "../usr/lib/os-release"),
            "usr/lib/os-release"
        );
        assert_eq!(
            link_target("etc/os-release", "/../../../host/etc/os-release"),
            "host/etc/os-release"
        );
        assert_eq!(link_target("a/b", "../../../../x"), "x");
    }

    #[test]
    fn compression_is_sniffed() {
        assert_eq!(sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Compression::Zstd);
        assert_eq!(sniff(b"etc/"), Compression::None);
    }
}
