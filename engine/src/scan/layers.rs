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
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::analyzers::{self, Found};
use super::native;
use super::oci::LayerRef;

/// The largest package database or os-release file read from a layer.
const MAX_WATCHED_FILE: u64 = 512 << 20;

/// What one layer contributes, as the cache stores it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fragment {
    /// [`super::ANALYZER_VERSION`] when it was made: a fragment of another version is not used.
    pub analyzer: String,
    pub diff_id: String,
    /// What this layer writes that the scan reads, by normalized path: package databases and
    /// manifests, os-release, file lists, binaries and scripts.
    pub files: BTreeMap<String, Found>,
    /// Symbolic and hard links (`etc/os-release -> ../usr/lib/os-release`, `bin -> usr/bin`),
    /// the target resolved to a normalized path.
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

/// Bytes handed between the stages of a layer read, in chunks of this size.
const CHUNK: usize = 1 << 20;

/// A reader over chunks received from another thread; ends when the sender is done.
struct Chunks {
    rx: Receiver<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.current.len() {
            match self.rx.recv() {
                Ok(chunk) => {
                    self.current = chunk;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A reader that passes on what it reads and sends a copy, in chunks, to a hashing thread.
struct Tee<R> {
    inner: R,
    tx: SyncSender<Vec<u8>>,
    pending: Vec<u8>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() >= CHUNK || (n == 0 && !self.pending.is_empty()) {
            let full = std::mem::replace(&mut self.pending, Vec::with_capacity(CHUNK + (64 << 10)));
            // The hashing thread only stops early when this read is abandoned anyway.
            let _ = self.tx.send(full);
        }
        Ok(n)
    }
}

/// Hashes every chunk it receives; returns the digest when the sender is done.
fn hash_chunks(rx: Receiver<Vec<u8>>) -> String {
    let mut hasher = Sha256::new();
    for chunk in rx {
        hasher.update(&chunk);
    }
    finish(hasher)
}

fn finish(h: Sha256) -> String {
    format!("sha256:{}", hex::encode(h.finalize()))
}

/// What reading a layer gave: its fragment, and the blob's digest and size as read.
#[derive(Debug)]
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
///
/// Three stages on their own threads, so that the hashing is off the decoder's path: one reads
/// the blob and hashes it (the layer digest), one decompresses and reads the tar, one hashes
/// the decompressed bytes (the diff id; for an uncompressed blob the two are one digest).
pub fn read_layer(
    layer: &LayerRef,
    blob: Box<dyn Read + Send + '_>,
    work: &Path,
) -> Result<LayerRead, String> {
    let name = layer.digest.as_deref().unwrap_or(&layer.locator);
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("layer {name}: {what}: {e}");
    let (raw_tx, raw_rx) = sync_channel::<Vec<u8>>(4);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> io::Result<(String, u64)> {
            let mut blob = blob;
            let mut hasher = Sha256::new();
            let mut total = 0u64;
            loop {
                let mut chunk = vec![0u8; CHUNK];
                let mut filled = 0;
                while filled < CHUNK {
                    match blob.read(&mut chunk[filled..]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
                if filled == 0 {
                    break;
                }
                chunk.truncate(filled);
                hasher.update(&chunk);
                total += filled as u64;
                if raw_tx.send(chunk).is_err() {
                    // The reading stage gave up (its error is the one reported).
                    break;
                }
            }
            Ok((finish(hasher), total))
        });
        let mut raw = BufReader::with_capacity(
            CHUNK,
            Chunks {
                rx: raw_rx,
                current: Vec::new(),
                at: 0,
            },
        );
        let read = (|| -> Result<(Fragment, Option<String>), String> {
            let head = raw.fill_buf().map_err(|e| fail("cannot read", &e))?;
            let compression = sniff(head);
            let corrupt = match compression {
                Compression::Gzip => "corrupt gzip or truncated tar",
                Compression::Zstd => "corrupt zstd or truncated tar",
                Compression::None => "truncated or corrupt tar",
            };
            if compression == Compression::None {
                let fragment = analyze_tar(&mut tar::Archive::new(&mut raw), layer, work)
                    .map_err(|e| fail(corrupt, &e))?;
                io::copy(&mut raw, &mut io::sink()).map_err(|e| fail("cannot read", &e))?;
                return Ok((fragment, None));
            }
            let (diff_tx, diff_rx) = sync_channel::<Vec<u8>>(4);
            let hasher = scope.spawn(move || hash_chunks(diff_rx));
            let decoded: Box<dyn Read + '_> = match compression {
                Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(&mut raw)),
                _ => Box::new(
                    zstd::stream::read::Decoder::with_buffer(&mut raw)
                        .map_err(|e| fail("zstd", &e))?,
                ),
            };
            let mut tee = Tee {
                inner: decoded,
                tx: diff_tx,
                pending: Vec::with_capacity(CHUNK + (64 << 10)),
            };
            let fragment = analyze_tar(&mut tar::Archive::new(&mut tee), layer, work)
                .map_err(|e| fail(corrupt, &e))?;
            // The tar ends at its end-of-archive blocks; what follows still counts towards the
            // digests.
            io::copy(&mut tee, &mut io::sink()).map_err(|e| fail(corrupt, &e))?;
            drop(tee);
            io::copy(&mut raw, &mut io::sink()).map_err(|e| fail("cannot read", &e))?;
            let diff_id = hasher.join().map_err(|_| fail("hashing", &"failed"))?;
            Ok((fragment, Some(diff_id)))
        })();
        // The whole blob is hashed even when its contents could not be read: a blob that is not
        // the one its digest names is reported as that, the root cause of anything else.
        let _ = io::copy(&mut raw, &mut io::sink());
        drop(raw);
        let raw_read = reader.join().map_err(|_| fail("reading", &"failed"))?;
        let (digest, size) = raw_read.map_err(|e| fail("cannot read", &e))?;
        if let Some(expected) = &layer.digest
            && !expected.eq_ignore_ascii_case(&digest)
        {
            return Err(format!(
                "layer {expected}: digest mismatch, the blob hashes to {digest}"
            ));
        }
        let (fragment, diff_id) = read?;
        let diff_id = diff_id.unwrap_or_else(|| digest.clone());
        if !layer.diff_id.eq_ignore_ascii_case(&diff_id) {
            return Err(format!(
                "layer {name}: diff_id mismatch: the config says {}, the uncompressed tar hashes to {diff_id}",
                layer.diff_id
            ));
        }
        Ok(LayerRead {
            fragment,
            digest,
            size,
        })
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
        let watch = analyzers::watched(&path);
        if watch.is_none() && !(kind.is_symlink() || kind.is_hard_link()) {
            if kind.is_file() && entry.size() >= 4 {
                let executable = entry.header().mode().is_ok_and(|m| m & 0o111 != 0);
                unwatched_file(&mut entry, path, executable, &mut fragment)?;
            }
            continue;
        }
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
        let Some(watch) = watch else {
            continue;
        };
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
        // The size is the header's claim: reserve no more than a little before the bytes come.
        let mut bytes = Vec::with_capacity(entry.size().min(1 << 20) as usize);
        entry.read_to_end(&mut bytes)?;
        match analyzers::analyze(watch, &path, &bytes, work) {
            Ok((found, problems)) => {
                fragment
                    .problems
                    .extend(problems.into_iter().map(|p| format!("{path}: {p}")));
                fragment.files.insert(path, found);
            }
            Err(reason) => fragment.problems.push(format!("{path}: {reason}")),
        }
    }
    Ok(fragment)
}

/// The longest `#!` line read.
const MAX_SHEBANG: u64 = 512;

/// Reads a file no analyzer watches by name, as far as its first bytes say it matters: an
/// executable script's `#!` line, a native binary. A binary larger than
/// [`native::MAX_BINARY`] is reported, not read; one that cannot be parsed is reported.
fn unwatched_file<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    path: String,
    executable: bool,
    fragment: &mut Fragment,
) -> io::Result<()> {
    let mut head = [0u8; 4];
    entry.read_exact(&mut head)?;
    if executable && head.starts_with(b"#!") {
        let mut line = head.to_vec();
        entry.take(MAX_SHEBANG).read_to_end(&mut line)?;
        let line = String::from_utf8_lossy(&line[2..]);
        let mut words = line.lines().next().unwrap_or_default().split_whitespace();
        if let Some(interpreter) = words.next() {
            let found = Found::Script {
                interpreter: interpreter.to_string(),
                args: words.map(str::to_string).collect(),
            };
            fragment.files.insert(path, found);
        }
        return Ok(());
    }
    if entry.size() < 64 || !native::sniff(&head) {
        return Ok(());
    }
    let size = entry.size();
    if size > native::MAX_BINARY {
        fragment.problems.push(format!(
            "{path}: a binary of {size} bytes, more than the {} read; not analyzed",
            native::MAX_BINARY
        ));
        return Ok(());
    }
    let mut bytes = Vec::with_capacity(size.min(64 << 20) as usize);
    bytes.extend_from_slice(&head);
    entry.read_to_end(&mut bytes)?;
    match native::analyze(&bytes) {
        Ok(Some(b)) => {
            fragment.files.insert(path, Found::Binary(Box::new(b)));
        }
        Ok(None) => {}
        Err(reason) => fragment.problems.push(format!("{path}: {reason}")),
    }
    Ok(())
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

    fn layer_tar() -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let file = |b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]| {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // Names are written raw, so that `..` and `/` reach the reader as an attacker
            // would write them.
            h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_cksum();
            b.append(&h, data).unwrap();
        };
        let status = b"Package: hello\nStatus: install ok installed\nVersion: 2.10-3\n";
        file(&mut b, "./../../var/lib/dpkg/status", status);
        file(&mut b, "etc/.wh.old.conf", b"");
        file(&mut b, "usr/share/doc/.wh..wh..opq", b"");
        file(&mut b, "var/lib/rpm/Packages.db", b"not read");
        let link = |b: &mut tar::Builder<Vec<u8>>, path: &str, target: &str, kind| {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(kind);
            h.set_size(0);
            h.set_link_name(target).unwrap();
            h.set_path(path).unwrap();
            h.set_cksum();
            b.append(&h, &[][..]).unwrap();
        };
        link(
            &mut b,
            "etc/os-release",
            "/../../../host/os-release",
            tar::EntryType::Symlink,
        );
        link(
            &mut b,
            "usr/lib/os-release",
            "../../../../etc/shadow",
            tar::EntryType::Link,
        );
        b.into_inner().unwrap()
    }

    #[test]
    fn a_layer_is_read_into_a_fragment_under_its_root() {
        let tar = layer_tar();
        let dir = tempfile::tempdir().unwrap();
        let diff_id = format!("sha256:{}", hex::encode(Sha256::digest(&tar)));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        let blob = gz.finish().unwrap();
        let layer = LayerRef {
            index: 0,
            digest: Some(format!("sha256:{}", hex::encode(Sha256::digest(&blob)))),
            diff_id: diff_id.clone(),
            media_type: String::new(),
            size: None,
            locator: String::new(),
        };
        let read = read_layer(
            &layer,
            Box::new(std::io::Cursor::new(blob.clone())),
            dir.path(),
        )
        .unwrap();
        let f = read.fragment;
        assert_eq!(f.files.keys().collect::<Vec<_>>(), ["var/lib/dpkg/status"]);
        assert_eq!(f.whiteouts.iter().collect::<Vec<_>>(), ["etc/old.conf"]);
        assert_eq!(f.opaque.iter().collect::<Vec<_>>(), ["usr/share/doc"]);
        assert_eq!(f.symlinks["etc/os-release"], "host/os-release");
        assert_eq!(f.symlinks["usr/lib/os-release"], "etc/shadow");
        assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
        assert!(f.problems[0].contains("NDB"));
        assert_eq!(read.size, blob.len() as u64);
        // Nothing was written under the scan's directory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        // The same layer uncompressed and as zstd gives the same fragment.
        for raw in [tar.clone(), zstd::encode_all(&tar[..], 3).unwrap()] {
            let layer = LayerRef {
                digest: Some(format!("sha256:{}", hex::encode(Sha256::digest(&raw)))),
                ..layer.clone()
            };
            let again =
                read_layer(&layer, Box::new(std::io::Cursor::new(raw)), dir.path()).unwrap();
            assert_eq!(again.fragment, f);
        }

        // Every cut of the stream is an error naming the layer, never a panic.
        for cut in (0..blob.len()).step_by(7) {
            let short = blob[..cut].to_vec();
            let e =
                read_layer(&layer, Box::new(std::io::Cursor::new(short)), dir.path()).unwrap_err();
            assert!(e.contains(layer.digest.as_deref().unwrap()), "{e}");
        }
    }

    /// A tar stream of one file of `size` bytes starting `head`, the rest zeros, made as it is
    /// read: a huge member without holding it in memory.
    struct HugeTar {
        header: Vec<u8>,
        head: &'static [u8],
        size: u64,
        at: u64,
    }

    impl Read for HugeTar {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let padded = self.size.div_ceil(512) * 512;
            let total = 512 + padded + 1024;
            if self.at >= total {
                return Ok(0);
            }
            let n = buf.len().min((total - self.at) as usize);
            for (i, b) in buf[..n].iter_mut().enumerate() {
                let at = self.at + i as u64;
                *b = if at < 512 {
                    self.header[at as usize]
                } else if at - 512 < self.head.len() as u64 {
                    self.head[(at - 512) as usize]
                } else {
                    0
                };
            }
            self.at += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn a_huge_binary_is_reported_not_read() {
        let size = native::MAX_BINARY + 1;
        let mut h = tar::Header::new_gnu();
        h.set_path("opt/huge/app").unwrap();
        h.set_size(size);
        h.set_mode(0o755);
        h.set_cksum();
        let stream = HugeTar {
            header: h.as_bytes().to_vec(),
            head: b"\x7fELF\x02\x01\x01",
            size,
            at: 0,
        };
        let layer = LayerRef {
            index: 0,
            digest: None,
            diff_id: "sha256:x".into(),
            media_type: String::new(),
            size: None,
            locator: String::new(),
        };
        let dir = tempfile::tempdir().unwrap();
        let f = analyze_tar(&mut tar::Archive::new(stream), &layer, dir.path()).unwrap();
        assert!(f.files.is_empty());
        assert_eq!(f.problems.len(), 1, "{:?}", f.problems);
        assert!(
            f.problems[0].starts_with("opt/huge/app: a binary of 268435457 bytes"),
            "{:?}",
            f.problems
        );
    }

    #[test]
    fn compression_is_sniffed() {
        assert_eq!(sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Compression::Zstd);
        assert_eq!(sniff(b"etc/"), Compression::None);
    }
}
